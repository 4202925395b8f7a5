"""A batch: the functions of one strongly connected component of the call graph, analyzed together
(escape.go Batch/finish/paramTag, graph.go flow/newLoc/teeHole, call.go tagHole)."""

from runtime.escape import types as T
from runtime.escape.build import Escape
from runtime.escape.calls_esc import static_value
from runtime.escape.ir import Node
from runtime.escape.graph import ATTR_ALL, ATTR_CALLS, ATTR_ESCAPES, ATTR_MUTATES, ATTR_PERSISTS, Hole, \
    Leaks, Location
from runtime.escape.solve import walk_all

MAX_STACK_VAR_SIZE = 128 * 1024          # ir.MaxStackVarSize: declared variables
MAX_IMPLICIT_STACK_VAR_SIZE = 64 * 1024  # ir.MaxImplicitStackVarSize: new, &T{}, make, closures

ESC_UNKNOWN, ESC_PLANNED, ESC_STARTED, ESC_TAGGED = 0, 1, 2, 3


class Batch:
    """Escape state shared by the functions of one batch; owned by the analysis run (no sharing)."""

    def __init__(self, out):
        self.out = out
        self.explain = out.explain
        self.all_locs = []
        self.closures = []
        self.heap_loc = Location(None, None, 0, False)
        self.heap_loc.attrs = ATTR_ALL
        self.mutator_loc = Location(None, None, 0, False)
        self.mutator_loc.attrs = ATTR_MUTATES
        self.callee_loc = Location(None, None, 0, False)
        self.callee_loc.attrs = ATTR_CALLS
        self.blank_loc = Location(None, None, 0, False)
        self.fmt, self.pos_str = out.fmt, out.pos_str

    def printf(self, pos, text):
        self.out.emit(pos, text)

    def run(self, fns):
        for fn in fns:
            self.init_func(fn)
        for fn in fns:
            if not fn.is_closure():
                Escape(self, fn).walk_func()
        for k, clo in self.closures:
            self.flow_closure(k, clo)
        self.closures = []
        for loc in list(self.all_locs):
            rewrite_with_literals(loc.n)
            why = heap_alloc_reason(loc.n)
            if why:
                self.flow(self.heap_hole().addr(loc.n, why), loc)
        walk_all(self)
        self.finish(fns)

    def init_func(self, fn):
        e = Escape(self, fn)
        fn.esc = ESC_PLANNED
        for n in fn.dcl:
            self.new_loc(e, n, True)
        for f in fn.sig.results:
            self.old_loc(f.nname).result_index = f.nname.result_index

    def flow_closure(self, k, clo):
        for cv in clo.func.closure_vars:
            n = cv.canonical()
            loc = self.old_loc(cv)
            n.byval = not loc.addrtaken and not loc.reassigned and n.type.size() <= 128
            if self.explain:
                how = "value" if n.byval else "ref"
                self.printf(n.pos, f"{n.curfn.name} capturing by {how}: {n.sym} (addr={_b(loc.addrtaken)} "
                                   f"assign={_b(loc.reassigned)} width={n.type.size()})")
            kk = k
            if not n.byval:
                kk = kk.addr(cv, "reference")
            self.flow(kk.note(cv, "captured by a closure"), loc)

    # --- locations and flows -------------------------------------------------------------------------

    def new_loc(self, e, n, persists):
        loc = Location(n, e.curfn, e.loop_depth, persists)
        if n is not None and n.op == "ONAME":
            loc.param = n.cls == "PPARAM"
            loc.param_out = n.cls == "PPARAMOUT"
            n.opt = loc
        self.all_locs.append(loc)
        return loc

    def old_loc(self, n):
        return n.canonical().opt

    def flow(self, k, src):
        if k.addrtaken:
            src.addrtaken = True
        dst = k.dst
        if dst is self.blank_loc:
            return
        if dst is src and k.derefs >= 0:
            return
        if dst.has(ATTR_ESCAPES) and k.derefs < 0:
            if self.explain:
                from runtime.escape.solve import explain_flow
                self.printf(src.n.pos, f"{self.fmt(src.n)} escapes to heap in {src.curfn.name}:")
                explain_flow(self, src.n.pos, dst, src, k.derefs, k.notes)
            src.attrs |= ATTR_ALL
            return
        from runtime.escape.graph import Edge
        dst.edges.append(Edge(src, k.derefs, k.notes))

    def heap_hole(self):
        return Hole(self.heap_loc)

    def mutator_hole(self):
        return Hole(self.mutator_loc)

    def callee_hole(self):
        return Hole(self.callee_loc)

    def discard_hole(self):
        return Hole(self.blank_loc)

    def tee_hole(self, e, ks):
        if not ks:
            return self.discard_hole()
        if len(ks) == 1:
            return ks[0]
        loc = self.new_loc(e, None, False)
        for k in ks:
            self.flow(k, loc)
        return Hole(loc)

    def later(self, e, k):
        loc = self.new_loc(e, None, True)
        self.flow(k, loc)
        return Hole(loc)

    def in_mutual_batch(self, fn):
        return fn is not None and not fn.external and getattr(fn, "esc", ESC_TAGGED) < ESC_TAGGED \
            and fn.esc != ESC_UNKNOWN

    def tag_hole(self, e, ks, fn, param):
        if fn is None:
            return self.heap_hole()
        if self.in_mutual_batch(fn):
            if param is None or param.nname is None:
                return self.discard_hole()
            return e.addr(param.nname)
        esc = param.note if param.note is not None else Leaks.heap_at(0)
        tag_ks = []
        if esc.heap >= 0:
            tag_ks.append(self.heap_hole().shift(esc.heap))
        if esc.mutator >= 0:
            tag_ks.append(self.mutator_hole().shift(esc.mutator))
        if esc.callee >= 0:
            tag_ks.append(self.callee_hole().shift(esc.callee))
        if ks is not None:
            for i, r in enumerate(esc.results):
                if r >= 0 and i < len(ks):
                    tag_ks.append(ks[i].shift(r))
        return self.tee_hole(e, tag_ks)

    # --- results -----------------------------------------------------------------------------------------

    def finish(self, fns):
        for fn in fns:
            fn.esc = ESC_TAGGED
            for f in fn.sig.recv_params():
                f.note = self.param_tag(fn, f)
        for loc in self.all_locs:
            n = loc.n
            if n is None:
                continue
            wrapper = n.op == "OCLOSURE" and n.func.wrapper
            if loc.has(ATTR_ESCAPES):
                if n.op == "ONAME":
                    self.printf(n.pos, f"moved to heap: {n.sym}")
                    self.out.record_alloc(n, loc)
                elif not wrapper:
                    what = "append" if n.op == "OAPPEND" else self.fmt(n)
                    self.printf(n.pos, f"{what} escapes to heap")
                    self.out.record_alloc(n, loc)
                n.esc_heap = True
            else:
                if n.op != "ONAME" and not wrapper:
                    what = "append" if n.op == "OAPPEND" else self.fmt(n)
                    self.printf(n.pos, f"{what} does not escape")
                if n.op == "OSTR2BYTES" and not loc.has(ATTR_MUTATES):
                    self.printf(n.pos, "zero-copy string->[]byte conversion")

    def param_tag(self, fn, f):
        if not f.type.has_pointers():
            return Leaks()
        if f.name is None or f.name == "_":
            return Leaks()
        loc = self.old_loc(f.nname)
        esc = loc.param_esc
        esc.optimize()
        if not loc.has(ATTR_ESCAPES) and not fn.wrapper:
            self.report_leaks(f.pos, f.name, esc, fn.sig)
        return esc

    def report_leaks(self, pos, name, esc, sig):
        warned = False
        if esc.heap >= 0:
            self.printf(pos, f"leaking param: {name}" if esc.heap == 0 else f"leaking param content: {name}")
            warned = True
        for i, x in enumerate(esc.results):
            if x >= 0:
                self.printf(pos, f"leaking param: {name} to result {sig.results[i].nname.sym} level={x}")
                warned = True
        if not warned:
            self.printf(pos, f"{name} does not escape")


def heap_alloc_reason(n):
    """escape.HeapAllocReason: allocations the stack cannot hold whatever their flows."""
    if n is None or n.type is None:
        return ""
    if n.op == "ONAME" and n.cls in ("PPARAM", "PPARAMOUT"):
        return ""
    if n.type.size() > MAX_STACK_VAR_SIZE:
        return "too large for stack"
    if n.op in ("ONEW", "OPTRLIT") and n.type.elem.size() > MAX_IMPLICIT_STACK_VAR_SIZE:
        return "too large for stack"
    if n.op == "OCLOSURE" and closure_size(n.func) > MAX_IMPLICIT_STACK_VAR_SIZE:
        return "too large for stack"
    if n.op == "OMAKESLICE":
        r = n.cap if n.cap is not None else n.len
        elem = n.type.elem
        if elem.size() == 0:
            return "zero-sized element"
        if r is None or r.op != "OLITERAL":
            return ""
        if r.val > MAX_IMPLICIT_STACK_VAR_SIZE // elem.size():
            return "too large for stack"
    return ""


def rewrite_with_literals(n):
    """Replace a make size or an interface-converted value whose static value is a constant by that
    constant (escape.rewriteWithLiterals); the compiler then prints the constant."""
    if n is None:
        return
    if n.op == "OMAKESLICE":
        attr = "cap" if n.cap is not None else "len"
        r = getattr(n, attr)
        if r is not None and r.op != "OLITERAL":
            s = static_value(r)
            if s is not None and s.op == "OLITERAL" and s.val >= 0:
                setattr(n, attr, Node("OLITERAL", r.pos, r.type, val=s.val))
            elif s is not None and s.op == "OLEN":
                x = static_value(s.x)
                if x is not None and x.op == "OSLICELIT":
                    setattr(n, attr, Node("OLITERAL", r.pos, T.UNIVERSE["int"], val=x.length))
    elif n.op == "OCONVIFACE" and n.x.op != "OLITERAL" and not n.x.type.is_interface():
        v = static_value(n.x)
        if v is not None and v.op == "OLITERAL":
            n.x = Node("OLITERAL", n.x.pos, n.x.type, val=v.val)


def closure_size(fn):
    size = T.PTR_SIZE
    for cv in fn.closure_vars:
        n = cv.canonical()
        t = n.type if n.byval else T.Pointer(n.type)
        a = t.align()
        size = (size + a - 1) // a * a + t.size()
    return size


def _b(v):
    return "true" if v else "false"


_ = ATTR_PERSISTS
