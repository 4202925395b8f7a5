"""A plain load's value under the `go` memory model, resolved when it is first used.

Go's memory model lets a racy read observe any write that does not happen after it and is not
overwritten in happens-before order, including one that comes later in another goroutine's
program order (the LB litmus test). Resolving the read lazily, when its value is first used, lets
the goroutine's later independent stores go first; a store or branch that depends on the value
forces the read before it, so no value comes out of thin air.
"""

import operator


class Lazy:
    """The pending result of one plain load. Owned by the goroutine that issued it."""

    __slots__ = ("machine", "thread", "var", "clock", "epoch", "value", "resolved", "rf")

    def __init__(self, machine, thread, var, clock, epoch):
        self.machine = machine
        self.thread = thread
        self.var = var
        self.clock = clock        # the reader's vector clock when the load was issued
        self.epoch = epoch
        self.value = None
        self.resolved = False
        self.rf = None            # the write it read from

    def force(self):
        if not self.resolved:
            self.machine.resolve(self)
        return self.value

    def __bool__(self):
        return bool(self.force())

    def __hash__(self):
        return hash(self.force())

    def __int__(self):
        return int(self.force())

    def __index__(self):
        return operator.index(self.force())

    def __float__(self):
        return float(self.force())

    def __str__(self):
        return str(self.force())

    def __repr__(self):
        return repr(self.force())

    def __format__(self, spec):
        return format(self.force(), spec)

    def __len__(self):
        return len(self.force())

    def __iter__(self):
        return iter(self.force())

    def __getitem__(self, key):
        return self.force()[key]

    def __contains__(self, item):
        return item in self.force()

    def __getattr__(self, name):
        return getattr(self.force(), name)

    def __neg__(self):
        return -self.force()

    def __not__(self):
        return not self.force()


def value_of(x):
    """The plain value of x, forcing it if it is a pending load."""
    return x.force() if type(x) is Lazy else x


def concrete(x):
    """x with every pending load in it, inside tuples, lists, sets and dicts too, replaced by its
    value: an outcome register may hold a container of loads (`r["pair"] = (a, b)`)."""
    t = type(x)
    if t is Lazy:
        return x.force()
    if t in _CONTAINERS:
        if t is dict:
            return {concrete(k): concrete(v) for k, v in x.items()}
        return t(concrete(v) for v in x)
    return x


_CONTAINERS = frozenset((tuple, list, set, frozenset, dict))


def _binary(op):
    def forward(self, other):
        return op(self.force(), value_of(other))

    def reverse(self, other):
        return op(value_of(other), self.force())
    return forward, reverse


for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv),
                   ("mod", operator.mod), ("and", operator.and_), ("or", operator.or_),
                   ("xor", operator.xor), ("lshift", operator.lshift), ("rshift", operator.rshift)]:
    _f, _r = _binary(_op)
    setattr(Lazy, f"__{_name}__", _f)
    setattr(Lazy, f"__r{_name}__", _r)

for _name, _op in [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt),
                   ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge)]:
    setattr(Lazy, f"__{_name}__", _binary(_op)[0])
