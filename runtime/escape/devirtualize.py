"""Static devirtualization (cmd/compile/internal/devirtualize StaticCall): an interface method call
whose receiver is statically a conversion from one concrete type calls that type's method directly.
It runs before escape analysis even with -l, and says so under -m."""

from runtime.escape import types as T
from runtime.escape.calls_esc import static_value
from runtime.escape.ir import Node
from runtime.escape.visit import children


def devirtualize(fn, out):
    def walk(n):
        if n is None:
            return
        for c in children(n):
            walk(c)
        if n.op == "OCLOSURE":
            for s in n.func.body:
                walk(s)
        if n.op == "OCALLINTER":
            rewrite(n, out)

    for s in fn.body:
        walk(s)


def rewrite(call, out):
    sel = call.fun
    v = static_value(sel.x)
    if v is None or v.op != "OCONVIFACE" or v.x.type.is_interface():
        return
    typ = v.x.type
    base = typ.elem if typ.underlying().kind == "ptr" and not isinstance(typ, T.Named) else typ
    method = base.methods.get(sel.sel) if isinstance(base, T.Named) else None
    if method is None:
        return
    recv_ptr = method.sig.recv.type.underlying().kind == "ptr"
    if recv_ptr and typ.underlying().kind != "ptr":
        return
    out.emit(call.pos, f"devirtualizing {out.fmt(sel)} to {typ.string()}")
    recv = Node("ODOTTYPE", sel.pos, typ, x=sel.x)
    if not recv_ptr and typ.underlying().kind == "ptr":
        recv = Node("ODEREF", sel.pos, typ.elem, x=recv, implicit=True)
    call.op = "OCALLFUNC"
    call.fn = method
    call.recv = recv
    call.sig = method.sig
    call.fun = Node("ODOTMETH", sel.pos, method.sig, x=recv, method=method, sel=sel.sel)
