"""Type-checking calls: functions, methods, interface methods, conversions and builtins.

Like typecheck.FixMethodCall and FixVariadicCall, a method call becomes a call of the method with the
receiver as its own argument, and the trailing arguments of a variadic call become one implicit slice
literal (printed `... argument`) at the call's position, or nil when there are none.
"""

from runtime.escape import types as T
from runtime.escape.exprs import lit, syntax_pos
from runtime.escape.ir import PFUNC, Name, Node
from runtime.escape.scope import Unsupported, pos_of


class CallChecker:
    """Mixin of Noder: call expressions."""

    def expr_call_expression(self, ts):
        fun_ts = ts.child_by_field_name("function")
        args_ts = ts.child_by_field_name("arguments")
        pos = pos_of(args_ts)
        ddd = any(c.type in ("...", "variadic_argument") for c in args_ts.children)
        arg_nodes = args_ts.named_children
        if fun_ts.type == "generic_type" or ts.child_by_field_name("type_arguments"):
            raise Unsupported("generic function instantiation", ts)
        if fun_ts.type in ("parenthesized_type", "slice_type", "map_type", "array_type", "pointer_type",
                           "channel_type", "function_type", "interface_type", "qualified_type",
                           "type_identifier"):
            typ = self.resolve_type(fun_ts)
            return self.conversion(typ, self.expr(arg_nodes[0]), syntax_pos(arg_nodes[0]), pos)
        fun = self.expr(fun_ts, callee=True)
        if fun.op == "OBUILTIN":
            return self.builtin(fun.sym, arg_nodes, pos, ddd, ts)
        if fun.op == "OTYPE":
            return self.conversion(fun.type, self.expr(arg_nodes[0]), syntax_pos(arg_nodes[0]), pos)
        sig = fun.type.underlying() if fun.type is not None else None
        if not isinstance(sig, T.Signature):
            raise Unsupported("call of a non-function", ts)
        self.printed_ddd = False
        args = self.call_args(arg_nodes, sig, ddd, pos)
        rtype = self.result_type(sig)
        ddd = ddd or self.printed_ddd       # FixVariadicCall sets IsDDD: printed f(... argument...)
        if fun.op == "ODOTMETH":
            return Node("OCALLFUNC", pos, rtype, fun=fun, recv=fun.x, args=args, fn=fun.method, ddd=ddd,
                        sig=fun.method.sig)
        if fun.op == "ODOTINTER":
            return Node("OCALLINTER", pos, rtype, fun=fun, recv=fun.x, args=args, fn=None, ddd=ddd, sig=sig)
        if fun.op == "OMETHEXPR":
            recv, args = args[0], args[1:]
            return Node("OCALLFUNC", pos, rtype, fun=fun, recv=recv, args=args, fn=fun.method, ddd=ddd,
                        sig=fun.method.sig)
        fn = fun.func if isinstance(fun, Name) and fun.cls == PFUNC else None
        return Node("OCALLFUNC", pos, rtype, fun=fun, recv=None, args=args, fn=fn, ddd=ddd, sig=sig)

    def result_type(self, sig):
        if len(sig.results) == 1:
            return sig.results[0].type
        return T.Tuple([r.type for r in sig.results]) if sig.results else None

    def call_args(self, arg_nodes, sig, ddd, pos):
        params = sig.params
        if len(arg_nodes) == 1 and len(params) > 1 and arg_nodes[0].type == "call_expression":
            raise Unsupported("multi-value call as arguments f(g())", arg_nodes[0])
        args = []
        nfixed = len(params) - 1 if sig.variadic and not ddd else len(params)
        for i, a in enumerate(arg_nodes[:nfixed]):
            args.append(self.rvalue(a, params[i].type))
        if sig.variadic and not ddd:
            elem = params[-1].type.elem
            extra = [self.rvalue(a, elem) for a in arg_nodes[nfixed:]]
            if extra:
                dots = Node("OSLICELIT", pos, params[-1].type, list=extra, length=len(extra))
                dots.implicit_dots = True
                self.printed_ddd = True
            else:
                dots = Node("ONIL", pos, params[-1].type)
            args.append(dots)
        return args

    # --- builtins ---------------------------------------------------------------------------------------

    def builtin(self, name, arg_nodes, pos, ddd, ts):
        if name in ("make", "new"):
            typ = self.resolve_type(arg_nodes[0])
            rest = [self.convert_untyped(self.expr(a), T.UNIVERSE["int"]) for a in arg_nodes[1:]]
            if name == "new":
                return Node("ONEW", pos, T.Pointer(typ), elemtype=typ)
            u = typ.underlying()
            if isinstance(u, T.Slice):
                return Node("OMAKESLICE", pos, typ, len=rest[0], cap=rest[1] if len(rest) > 1 else None)
            if isinstance(u, T.Map):
                return Node("OMAKEMAP", pos, typ, len=rest[0] if rest else None)
            return Node("OMAKECHAN", pos, typ, len=rest[0] if rest else None)
        args = [self.expr(a) for a in arg_nodes]
        if name in ("len", "cap"):
            x = args[0]
            u = x.type.underlying() if x.type is not None else None
            if x.op == "OLITERAL" and isinstance(x.val, str):
                return lit(pos, len(x.val.encode("utf-8", "surrogatepass")), T.UNIVERSE["int"])
            if isinstance(u, T.Array) or (u is not None and u.kind == "ptr" and
                                          isinstance(u._elem.underlying(), T.Array)):
                arr = u if isinstance(u, T.Array) else u._elem.underlying()
                if not self.has_call_or_recv(x):
                    return lit(pos, arr.length, T.UNIVERSE["int"])
            return Node("OLEN" if name == "len" else "OCAP", pos, T.UNIVERSE["int"], x=x)
        if name == "append":
            s = args[0]
            if ddd:
                rest = [args[1]]
            else:
                rest = [self.assign_conv(a, s.type.elem, syntax_pos(t)) for a, t in zip(args[1:], arg_nodes[1:])]
            return Node("OAPPEND", pos, s.type, args=[s] + rest, ddd=ddd)
        if name == "copy":
            return Node("OCOPY", pos, T.UNIVERSE["int"], x=args[0], y=args[1])
        if name == "delete":
            m = args[0]
            return Node("ODELETE", pos, None, args=[m, self.assign_conv(args[1], m.type.underlying().key)])
        if name == "panic":
            return Node("OPANIC", pos, None, x=self.assign_conv(args[0], T.EMPTY_INTERFACE, syntax_pos(arg_nodes[0])))
        if name in ("print", "println"):
            return Node("OPRINT", pos, None, args=[self.convert_untyped(a, T.default_type(a.type)) for a in args])
        if name == "recover":
            return Node("ORECOVER", pos, T.EMPTY_INTERFACE, args=[])
        if name in ("close", "clear"):
            return Node("OCLOSE" if name == "close" else "OCLEAR", pos, None, x=args[0])
        if name in ("min", "max"):
            if all(a.op == "OLITERAL" for a in args):
                best = (min if name == "min" else max)(args, key=lambda a: a.val)
                return lit(pos, best.val, best.type)
            typed = next((a.type for a in args if a.op != "OLITERAL"), args[0].type)
            args = [self.convert_untyped(a, typed) for a in args]
            return Node("OMIN" if name == "min" else "OMAX", pos, typed, args=args)
        if name in ("real", "imag"):
            return Node("OREAL", pos, T.UNIVERSE["float64"], x=args[0])
        if name == "complex":
            return Node("OCOMPLEX", pos, T.UNIVERSE["complex128"], x=args[0], y=args[1])
        raise Unsupported(f"builtin {name}", ts)

    def has_call_or_recv(self, n):
        if n.op in ("OCALLFUNC", "OCALLINTER", "ORECV"):
            return True
        return any(self.has_call_or_recv(c) for c in (getattr(n, "x", None), getattr(n, "index", None))
                   if c is not None)

    def const_value(self, n):
        return n.val if n.op == "OLITERAL" else None

