"""Building the graph from a function's statements and expressions (escape expr.go, stmt.go,
assign.go, call.go): every construct becomes flows between holes and locations."""

from runtime.escape import types as T
from runtime.escape.graph import Hole
from runtime.escape.ir import PEXTERN, PFUNC, is_blank


def has_pointers(t):
    return t is None or (isinstance(t, T.Basic) and t.is_untyped() and t.name in ("untyped string",
                                                                                  "untyped nil")) \
        or t.has_pointers()


class Escape:
    """The walk of one function inside a batch (escape.escape)."""

    def __init__(self, b, fn):
        self.b, self.curfn, self.loop_depth = b, fn, 1
        self.labels = {}

    # --- expressions ---------------------------------------------------------------------------------

    def expr(self, k, n):
        if n is None:
            return
        self.stmts(n.init)
        self.expr_skip_init(k, n)

    def expr_skip_init(self, k, n):
        b = self.b
        if k.derefs >= 0 and n.type is not None and not (isinstance(n.type, T.Basic) and n.type.is_untyped()) \
                and not n.type.has_pointers():
            k = k.with_dst(b.blank_loc)
        op = n.op
        if op in ("OLITERAL", "ONIL", "OTYPE", "OMETHEXPR", "OPACK"):
            return
        if op == "ONAME":
            if n.cls in (PFUNC, PEXTERN):
                return
            b.flow(k, b.old_loc(n))
        elif op in ("OPLUS", "ONEG", "OBITNOT", "ONOT"):
            self.discard(n.x)
        elif op in ("OADD", "OSUB", "OOR", "OXOR", "OMUL", "ODIV", "OMOD", "OLSH", "ORSH", "OAND",
                    "OANDNOT", "OEQ", "ONE", "OLT", "OLE", "OGT", "OGE", "OANDAND", "OOROR"):
            self.discard(n.x)
            self.discard(n.y)
        elif op == "OADDR":
            self.expr(k.addr(n, "address-of"), n.x)
        elif op == "ODEREF":
            self.expr(k.deref(n, "indirection"), n.x)
        elif op in ("ODOT", "ODOTMETH", "ODOTINTER"):
            self.expr(k.note(n, "dot"), n.x)
        elif op == "ODOTPTR":
            self.expr(k.deref(n, "dot of pointer"), n.x)
        elif op == "ODOTTYPE":
            self.expr(self.dot_type(k, n.type, n, "dot"), n.x)
        elif op == "OINDEX":
            if n.x.type.underlying().kind in ("array",):
                self.expr(k.note(n, "fixed-array-index-of"), n.x)
            elif n.x.type.underlying().kind == "string":
                self.expr(k.deref(n, "dot of pointer"), n.x)
            else:
                self.expr(k.deref(n, "dot of pointer"), n.x)
            self.discard(n.index)
        elif op == "OINDEXMAP":
            self.discard(n.x)
            self.discard(n.index)
        elif op in ("OSLICE", "OSLICEARR", "OSLICESTR"):
            self.expr(k.note(n, "slice"), n.x)
            self.discard(n.low)
            self.discard(n.high)
            self.discard(n.max)
        elif op in ("OCONV", "OCONVNOP"):
            self.expr(k, n.x)
        elif op == "OCONVIFACE":
            if not n.x.type.is_interface() and not T.is_direct_iface(n.x.type):
                k = self.spill(k, n)
            self.expr(k.note(n, "interface-converted"), n.x)
        elif op == "ORECV":
            self.discard(n.x)
        elif op in ("OCALLFUNC", "OCALLINTER", "OLEN", "OCAP", "OMIN", "OMAX", "OCOMPLEX", "OREAL",
                    "OAPPEND", "OCOPY", "ORECOVER"):
            self.call([k], n)
        elif op == "ONEW":
            self.spill(k, n)
        elif op == "OMAKESLICE":
            self.spill(k, n)
            self.discard(n.len)
            self.discard(n.cap)
        elif op == "OMAKECHAN":
            self.discard(n.len)
        elif op == "OMAKEMAP":
            self.spill(k, n)
            self.discard(n.len)
        elif op == "OMETHVALUE":
            self.method_value(k, n)
        elif op == "OPTRLIT":
            self.expr(self.spill(k, n), n.x)
        elif op == "OARRAYLIT":
            for el in n.list:
                self.expr(k.note(n, "array literal element"), el)
        elif op == "OSLICELIT":
            k = self.spill(k, n)
            for el in n.list:
                self.expr(k.note(n, "slice-literal-element"), el)
        elif op == "OSTRUCTLIT":
            for _, el in n.list:
                self.expr(k.note(n, "struct literal element"), el)
        elif op == "OMAPLIT":
            self.spill(k, n)
            for key, value in n.list:
                self.assign_heap(key, "map literal key", n)
                self.assign_heap(value, "map literal value", n)
        elif op == "OCLOSURE":
            self.closure(k, n)
        elif op in ("ORUNES2STR", "OBYTES2STR", "OSTR2RUNES", "OSTR2BYTES", "ORUNESTR"):
            self.spill(k, n)
            self.discard(n.x)
        elif op == "OADDSTR":
            self.spill(k, n)
            for x in n.list:
                self.discard(x)
        else:
            raise AssertionError(f"unexpected expr {op}")

    def dot_type(self, k, t, where, why):
        if not t.is_interface() and not T.is_direct_iface(t):
            k = k.shift(1)
        return k.note(where, why)

    def method_value(self, k, n):
        closure_k = self.spill(k, n)
        sig = n.method.sig if n.method is not None else n.sig
        ks = [self.b.heap_hole() for _ in sig.results]
        param_k = self.b.tag_hole(self, ks, n.method, sig.recv)
        self.expr(self.b.tee_hole(self, [param_k, closure_k]), n.x)

    def closure(self, k, n):
        k = self.spill(k, n)
        self.b.closures.append((k, n))
        fn = n.func
        for cv in fn.closure_vars:
            loc = self.b.old_loc(cv)
            if not loc.captured:
                loc.captured = True
                if loc.loop_depth == self.loop_depth:
                    loc.reassigned = False
        Escape(self.b, fn).walk_func()

    def discard(self, n):
        self.expr(self.b.discard_hole(), n)

    def spill(self, k, n):
        loc = self.b.new_loc(self, n, False)
        self.b.flow(k.addr(n, "spill"), loc)
        return Hole(loc)

    # --- statements ----------------------------------------------------------------------------------

    def walk_func(self):
        fn = self.curfn
        fn.esc = 2
        seen = {}
        _find_labels(fn.body, seen)
        self.labels = seen
        self.block(fn.body)

    def stmts(self, lst):
        for n in lst:
            self.stmt(n)

    def block(self, lst):
        old = self.loop_depth
        self.stmts(lst)
        self.loop_depth = old

    def stmt(self, n):
        if n is None:
            return
        self.stmts(n.init)
        op = n.op
        if op in ("OFALL", "OBREAK", "OCONTINUE", "OGOTO"):
            return
        if op == "OBLOCK":
            self.stmts(n.list)
        elif op == "ODCL":
            if not is_blank(n.x):
                self.dcl(n.x)
        elif op == "OLABEL":
            if self.labels.get(n.label) == "looping":
                self.loop_depth += 1
        elif op == "OIF":
            self.discard(n.cond)
            self.block(n.body)
            self.block(n.els)
        elif op == "OFOR":
            self.loop_depth += 1
            for v in getattr(n, "per_iteration", []):
                self.b.old_loc(v).loop_depth = self.loop_depth
            self.discard(n.cond)
            self.stmt(n.post)
            self.block(n.body)
            self.loop_depth -= 1
        elif op == "ORANGE":
            tmp = self.b.new_loc(self, None, True)
            self.expr(Hole(tmp), n.x)
            self.loop_depth += 1
            per_iter = getattr(n, "per_iteration", [])
            for v in per_iter:
                self.b.old_loc(v).loop_depth = self.loop_depth
            ks = self.addrs([n.key, n.value])
            if n.x.type.underlying().kind == "array":
                self.b.flow(ks[1].note(n, "range"), tmp)
            else:
                self.b.flow(ks[1].deref(n, "range-deref"), tmp)
            self.reassigned([k for k, v in zip(ks, [n.key, n.value]) if v not in per_iter], n)
            self.block(n.body)
            self.loop_depth -= 1
        elif op == "OSWITCH":
            if n.guard is not None:
                ks = []
                if n.guard.bound:
                    for cas in n.cases:
                        k = self.dcl(cas.var)
                        if cas.var.type.has_pointers():
                            ks.append(self.dot_type(k, cas.var.type, cas, "switch case"))
                self.expr(self.b.tee_hole(self, ks), n.guard.x)
            else:
                self.discard(n.tag)
            for cas in n.cases:
                for x in cas.list:
                    self.discard(x)
                self.block(cas.body)
        elif op == "OSELECT":
            for cas in n.cases:
                self.stmts(cas.comm)
                self.block(cas.body)
        elif op == "ORECV":
            self.expr_skip_init(self.b.discard_hole(), n)
        elif op == "OSEND":
            self.discard(n.chan)
            self.assign_heap(n.value, "send", n)
        elif op in ("OAS", "OASOP"):
            self.assign_list([n.x], [n.y], "assign", n)
        elif op in ("OAS2", "OAS2DOTTYPE", "OAS2MAPR", "OAS2RECV"):
            why = {"OAS2": "assign-pair", "OAS2DOTTYPE": "assign-pair-dot-type",
                   "OAS2MAPR": "assign-pair-mapr", "OAS2RECV": "assign-pair-receive"}[op]
            self.assign_list(n.lhs, n.rhs, why, n)
        elif op == "OAS2FUNC":
            self.stmts(n.rhs[0].init)
            ks = self.addrs(n.lhs)
            self.call(ks, n.rhs[0])
            self.reassigned(ks, n)
        elif op == "ORETURN":
            dsts = [r.nname for r in self.curfn.sig.results]
            self.assign_list(dsts, n.results, "return", n)
        elif op in ("OCALLFUNC", "OCALLINTER", "OCLEAR", "OCLOSE", "OCOPY", "ODELETE", "OPANIC", "OPRINT",
                    "ORECOVER", "OAPPEND"):
            self.call(None, n)
        elif op in ("OGO", "ODEFER"):
            self.go_defer(n)
        else:
            self.expr(self.b.discard_hole(), n)

    def dcl(self, n):
        loc = self.b.old_loc(n)
        loc.loop_depth = self.loop_depth
        return Hole(loc)

    # --- assignments (assign.go) -----------------------------------------------------------------------

    def addr(self, n):
        b = self.b
        if n is None or is_blank(n):
            return b.discard_hole()
        k = b.heap_hole()
        op = n.op
        if op == "ONAME":
            if n.cls != PEXTERN:
                k = Hole(b.old_loc(n))
        elif op == "ODOT":
            k = self.addr(n.x)
        elif op == "OINDEX":
            self.discard(n.index)
            if n.x.type.underlying().kind == "array":
                k = self.addr(n.x)
            else:
                self.mutate(n.x)
        elif op in ("ODEREF", "ODOTPTR"):
            self.mutate(n.x)
        elif op == "OINDEXMAP":
            self.discard(n.x)
            self.assign_heap(n.index, "key of map put", n)
        return k

    def mutate(self, n):
        self.expr(self.b.mutator_hole(), n)

    def addrs(self, lst):
        return [self.addr(n) for n in lst]

    def assign_heap(self, src, why, where):
        self.expr(self.b.heap_hole().note(where, why), src)

    def assign_list(self, dsts, srcs, why, where):
        ks = self.addrs(dsts)
        for i, k in enumerate(ks):
            src = srcs[i] if i < len(srcs) else None
            dst = dsts[i]
            if dst is not None and src is not None and _is_self_assign(dst, src):
                self.b.printf(where.pos, f"{self.curfn.name} ignoring self-assignment in {self.b.fmt(where)}")
                k = self.b.discard_hole()
            self.expr(k.note(where, why), src)
        self.reassigned(ks, where)

    def reassigned(self, ks, where):
        if where.op == "OAS" and where.y is None and where.x.op == "ONAME" and where.x.defn is None:
            return
        for k in ks:
            loc = k.dst
            n = loc.n
            if n is not None and n.op == "ONAME" and n.defn is where and where.op != "ORANGE":
                continue
            loc.reassigned = True

    # --- calls -------------------------------------------------------------------------------------------

    def call(self, ks, call):
        from runtime.escape.calls_esc import escape_call
        escape_call(self, ks, call)

    def go_defer(self, n):
        b = self.b
        k = b.heap_hole()
        if n.op == "ODEFER" and self.loop_depth == 1:
            k = b.later(self, b.discard_hole())
        self.expr(k, n.call.fun)


def _find_labels(body, seen):
    """Labels with a goto after them mark an unstructured loop (walkFunc's label scan)."""
    def visit(n):
        if isinstance(n, list):
            for x in n:
                visit(x)
            return
        if n is None or not hasattr(n, "op"):
            return
        if n.op == "OLABEL":
            seen[n.label] = "nonlooping"
        elif n.op == "OGOTO" and seen.get(n.label) == "nonlooping":
            seen[n.label] = "looping"
        for attr in ("init", "body", "els", "list", "cases"):
            visit(getattr(n, attr, None))
    visit(body)


def _is_slice_self_assign(dst, src):
    """escape.isSliceSelfAssign: p.f = p.f[a:b] or *p = (*p)[a:b] stores no new pointer."""
    if dst.op not in ("ODEREF", "ODOTPTR") or dst.x.op != "ONAME":
        return False
    if src.op not in ("OSLICE", "OSLICESTR", "OSLICEARR") or (src.op == "OSLICEARR" and src.x.op == "OADDR"):
        return False
    base = src.x
    if base.op not in ("ODEREF", "ODOTPTR") or base.x.op != "ONAME":
        return False
    return dst.x.canonical() is base.x.canonical()


def _is_self_assign(dst, src):
    if _is_slice_self_assign(dst, src):
        return True
    if dst.op != src.op:
        return False
    if dst.op in ("ODOT", "ODOTPTR"):
        return _same_safe(dst.x, src.x)
    return False


def _same_safe(a, b):
    if a.op != b.op:
        return False
    if a.op == "ONAME":
        return a is b or (a.canonical() is b.canonical())
    if a.op in ("ODOT", "ODOTPTR"):
        return a.sel == b.sel and _same_safe(a.x, b.x)
    if a.op == "ODEREF":
        return _same_safe(a.x, b.x)
    return False
