"""Flows of a call (escape call.go): arguments go where the callee's parameter tags say, or to the
heap when the callee is unknown; builtins have their own fixed flows."""

from runtime.escape.graph import Hole


def escape_call(e, ks, call):
    b = e.b

    def argument(k, arg):
        e.expr(k.note(call, "call parameter"), arg)

    op = call.op
    if op in ("OCALLFUNC", "OCALLINTER"):
        fns = []
        if op == "OCALLFUNC":
            fn = call.fn or static_callee(call.fun)
            if fn is not None:
                fns = [fn]
        if ks is not None:
            for f in fns:
                if b.in_mutual_batch(f):
                    for i, r in enumerate(f.sig.results):
                        if i < len(ks):
                            e.expr(ks[i], r.nname)
        if op == "OCALLFUNC":
            callee_k = b.discard_hole()
            if not fns:
                for k in ks or []:
                    if k.dst is not b.blank_loc:
                        callee_k = b.callee_hole().note(call, "callee operand")
                        break
            if call.recv is None or call.fn is None:
                e.expr(callee_k, call.fun)
        sig = fns[0].sig if len(fns) == 1 else call.sig
        if call.recv is not None:
            argument(merged_tag_hole(e, ks, fns, sig.recv), call.recv)
        for i, p in enumerate(sig.params):
            if i < len(call.args):
                argument(merged_tag_hole(e, ks, fns, p), call.args[i])
    elif op == "OAPPEND":
        args = call.args
        k0 = ks[0] if ks else b.discard_hole()
        appendee_k = b.tee_hole(e, [k0, b.mutator_hole()])
        if args[0].type.elem.has_pointers():
            appendee_k = b.tee_hole(e, [appendee_k, b.heap_hole().deref(call, "appendee slice")])
        argument(appendee_k, args[0])
        if call.ddd:
            appended_k = b.discard_hole()
            t = args[1].type.underlying()
            if t.kind == "slice" and t._elem.has_pointers():
                appended_k = b.heap_hole().deref(call, "appended slice...")
            argument(appended_k, args[1])
        else:
            for a in args[1:]:
                argument(b.heap_hole(), a)
        backing = e.spill(k0, call)
        backing.dst.loop_depth = 0
    elif op == "OCOPY":
        argument(b.mutator_hole(), call.x)
        copied_k = b.discard_hole()
        t = call.y.type.underlying()
        if t.kind == "slice" and t._elem.has_pointers():
            copied_k = b.heap_hole().deref(call, "copied slice")
        argument(copied_k, call.y)
    elif op == "OPANIC":
        argument(b.heap_hole(), call.x)
    elif op == "OCOMPLEX":
        e.discard(call.x)
        e.discard(call.y)
    elif op in ("ODELETE", "OPRINT", "ORECOVER"):
        for a in call.args:
            e.discard(a)
    elif op in ("OMIN", "OMAX"):
        for a in call.args:
            argument(ks[0] if ks else b.discard_hole(), a)
    elif op in ("OLEN", "OCAP", "OREAL", "OCLOSE"):
        e.discard(call.x)
    elif op == "OCLEAR":
        argument(b.mutator_hole(), call.x)
    else:
        raise AssertionError(f"unexpected call {op}")


def static_value(n):
    """ir.ReassignOracle.StaticValue: follow locals defined once and never reassigned."""
    for _ in range(32):
        if n is None:
            return None
        if n.op == "OCONVNOP":
            n = n.x
        elif n.op == "ONAME" and n.cls not in ("PFUNC", "PEXTERN"):
            c = n.canonical()
            if c.cls != "PAUTO" or c.defn is None or getattr(c, "multi_def", True):
                return n
            rhs = _rhs_of(c)
            if rhs is None:
                return n
            n = rhs
        else:
            return n
    return n


def static_callee(fun):
    """StaticCalleeName(StaticValue(fun)): a function name or a function literal."""
    v = static_value(fun)
    if v is None:
        return None
    if v.op == "ONAME" and v.cls == "PFUNC":
        return v.func
    if v.op == "OCLOSURE":
        return v.func
    return None


def _rhs_of(n):
    d = n.defn
    if d.op == "OAS":
        return d.y
    if d.op == "OAS2":
        for l, r in zip(d.lhs, d.rhs):
            if l is n:
                return r
    return None


def merged_tag_hole(e, ks, fns, param):
    b = e.b
    if not fns:
        return b.heap_hole()
    holes = [b.tag_hole(e, ks, f, param) for f in fns]
    return b.tee_hole(e, holes)


_ = Hole
