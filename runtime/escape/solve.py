"""Solving the graph (escape solve.go): walk backwards from every location along assignment edges,
tracking the fewest dereferences; an address reaching a location that outlives it escapes."""

from collections import deque

from runtime.escape.graph import ATTR_ALL, ATTR_CALLS, ATTR_ESCAPES, ATTR_MUTATES, ATTR_PERSISTS


def walk_all(b):
    todo = deque()

    def enqueue(loc):
        if not loc.queued_walk_all:
            loc.queued_walk_all = True
            if loc.has(ATTR_ESCAPES):
                todo.appendleft(loc)
            else:
                todo.append(loc)

    for loc in b.all_locs:
        todo.appendleft(loc)
        loc.queued_walk_all = True
    for loc in (b.mutator_loc, b.callee_loc, b.heap_loc):
        todo.appendleft(loc)
        loc.queued_walk_all = True
    walkgen = 0
    while todo:
        root = todo.popleft()
        root.queued_walk_all = False
        walkgen += 1
        walk_one(b, root, walkgen, enqueue)


def walk_one(b, root, walkgen, enqueue):
    root.walkgen = walkgen
    root.derefs = 0
    root.dst = None
    if root.has(ATTR_CALLS) and root.n is not None and root.n.op == "OCLOSURE":
        fn = root.n.func
        if b.in_mutual_batch(fn) and not fn.closure_results_lost:
            fn.closure_results_lost = True
            for r in fn.sig.results:
                enqueue(b.old_loc(r.nname))
    todo = deque([root])
    while todo:
        l = todo.popleft()
        l.queued_walk_one = 0
        derefs = l.derefs
        new_attrs = 0
        if derefs < 0:
            derefs = 0
            if outlives(b, root, l):
                if not l.has(ATTR_ESCAPES) and b.explain:
                    b.printf(l.n.pos, f"{b.fmt(l.n)} escapes to heap in {l.curfn.name}:")
                    explain_path(b, root, l)
                new_attrs |= ATTR_ALL
            elif root.has(ATTR_PERSISTS):
                new_attrs |= ATTR_PERSISTS
        if derefs == 0:
            new_attrs |= root.attrs & (ATTR_MUTATES | ATTR_CALLS)
        if l.param:
            if outlives(b, root, l):
                if not l.has(ATTR_ESCAPES) and b.explain:
                    b.printf(l.n.pos, f"parameter {l.n.sym} leaks to {explain_loc(b, root)} for "
                                      f"{l.curfn.name} with derefs={derefs}:")
                    explain_path(b, root, l)
                leak_to(l, root, derefs)
            if root.has(ATTR_MUTATES):
                l.param_esc.add_mutator(derefs)
            if root.has(ATTR_CALLS):
                l.param_esc.add_callee(derefs)
        if new_attrs & ~l.attrs:
            l.attrs |= new_attrs
            enqueue(l)
            if l.attrs & ATTR_ESCAPES:
                continue
        for i, edge in enumerate(l.edges):
            src = edge.src
            if src.has(ATTR_ESCAPES):
                continue
            d = derefs + edge.derefs
            if src.walkgen != walkgen or src.derefs > d:
                src.walkgen = walkgen
                src.derefs = d
                src.dst = l
                src.dst_edge_idx = i
                if src.queued_walk_one != walkgen:
                    src.queued_walk_one = walkgen
                    todo.append(src)


def leak_to(l, sink, derefs):
    if not sink.has(ATTR_ESCAPES) and sink.is_name("PPARAMOUT") and sink.curfn is l.curfn:
        ri = sink.result_index - 1
        if ri < len(l.param_esc.results):
            l.param_esc.add_result(ri, derefs)
            return
    l.param_esc.add_heap(derefs)


def outlives(b, l, other):
    if l.has(ATTR_ESCAPES):
        return True
    if l is b.mutator_loc or l is b.callee_loc:
        return False
    if l.param_out:
        if _contains(other.curfn, l.curfn) and not l.curfn.closure_results_lost:
            return False
        return True
    if l.curfn is other.curfn and l.loop_depth < other.loop_depth:
        return True
    if _contains(l.curfn, other.curfn):
        return True
    return False


def _contains(outer, inner):
    """ir.ContainsClosure(outer, inner): inner is a closure nested (transitively) in outer."""
    if outer is None or inner is None or outer is inner:
        return False
    return outer.contains_closure(inner)


def explain_path(b, root, src):
    visited = set()
    pos = src.n.pos
    while True:
        if id(src) in visited:
            b.printf(pos, "  warning: truncated explanation due to assignment cycle; "
                          "see golang.org/issue/35518")
            break
        visited.add(id(src))
        dst = src.dst
        edge = dst.edges[src.dst_edge_idx]
        explain_flow(b, pos, dst, src, edge.derefs, edge.notes)
        if dst is root:
            break
        src = dst


def explain_flow(b, pos, dst, srcloc, derefs, notes):
    ops = "&" if derefs < 0 else "*" * derefs
    b.printf(pos, f"  flow: {explain_loc(b, dst)} ← {ops}{explain_loc(b, srcloc)}:")
    chain = []
    note = notes
    while note is not None:
        chain.append(note)
        note = note.next
    for note in chain:
        b.printf(pos, f"    from {b.fmt(note.where)} ({note.why}) at {b.pos_str(note.where.pos)}")


def explain_loc(b, l):
    if l is b.heap_loc:
        return "{heap}"
    if l.n is None:
        return "{temp}"
    if l.n.op == "ONAME":
        return b.fmt(l.n)
    return "{storage for " + b.fmt(l.n) + "}"


_ = ATTR_PERSISTS
