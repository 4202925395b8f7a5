"""The escape graph: locations, assignment edges with dereference counts, holes, and leak tags
(cmd/compile/internal/escape graph.go and leaks.go)."""

ATTR_ESCAPES, ATTR_PERSISTS, ATTR_MUTATES, ATTR_CALLS = 1, 2, 4, 8
ATTR_ALL = ATTR_ESCAPES | ATTR_PERSISTS | ATTR_MUTATES | ATTR_CALLS
NUM_RESULTS = 5     # len(leaks) - leakResult0


class Leaks:
    """A parameter's summary: the fewest dereferences on a path to the heap, the mutator, the callee,
    and each result (-1: none). The tag importing code sees in place of the function's body."""
    __slots__ = ("heap", "mutator", "callee", "results")

    def __init__(self):
        self.heap = self.mutator = self.callee = -1
        self.results = [-1] * NUM_RESULTS

    @staticmethod
    def _min(old, derefs):
        return derefs if old < 0 or derefs < old else old

    def add_heap(self, d):
        self.heap = self._min(self.heap, d)

    def add_mutator(self, d):
        self.mutator = self._min(self.mutator, d)

    def add_callee(self, d):
        self.callee = self._min(self.callee, d)

    def add_result(self, i, d):
        self.results[i] = self._min(self.results[i], d)

    def optimize(self):
        """A leak to a result or mutator at a deeper level than the heap leak adds nothing."""
        if self.heap >= 0:
            if self.mutator >= self.heap:
                self.mutator = -1
            if self.callee >= self.heap:
                self.callee = -1
            self.results = [-1 if r >= self.heap else r for r in self.results]

    @classmethod
    def heap_at(cls, derefs):
        leaks = cls()
        leaks.add_heap(derefs)
        return leaks


class Location:
    """A variable or allocating expression in the graph (escape.location); owned by one batch."""

    def __init__(self, n, curfn, loop_depth, persists):
        self.n, self.curfn, self.loop_depth = n, curfn, loop_depth
        self.edges = []
        self.result_index = 0
        self.derefs = 0
        self.walkgen = 0
        self.dst, self.dst_edge_idx = None, 0
        self.queued_walk_all = False
        self.queued_walk_one = 0
        self.attrs = ATTR_PERSISTS if persists else 0
        self.param_esc = Leaks()
        self.captured = self.reassigned = self.addrtaken = False
        self.param = self.param_out = False

    def has(self, attr):
        return bool(self.attrs & attr)

    def is_name(self, cls):
        return self.n is not None and self.n.op == "ONAME" and self.n.cls == cls


class Edge:
    __slots__ = ("src", "derefs", "notes")

    def __init__(self, src, derefs, notes):
        self.src, self.derefs, self.notes = src, derefs, notes


class Note:
    __slots__ = ("next", "where", "why")

    def __init__(self, next_, where, why):
        self.next, self.where, self.why = next_, where, why


class Hole:
    """Where a value flows: a location, with dereferences to apply and notes for -m=2."""
    __slots__ = ("dst", "derefs", "notes", "addrtaken")

    def __init__(self, dst, derefs=0, notes=None, addrtaken=False):
        self.dst, self.derefs, self.notes, self.addrtaken = dst, derefs, notes, addrtaken

    def note(self, where, why):
        return Hole(self.dst, self.derefs, Note(self.notes, where, why), self.addrtaken)

    def shift(self, delta):
        return Hole(self.dst, self.derefs + delta, self.notes, delta < 0)

    def deref(self, where, why):
        return self.shift(1).note(where, why)

    def addr(self, where, why):
        return self.shift(-1).note(where, why)

    def with_dst(self, dst):
        return Hole(dst, self.derefs, self.notes, self.addrtaken)
