"""Type-checking expressions from tree-sitter's Go tree into typed ir nodes (the noder's expression half).

Only what escape analysis observes is modelled: each expression's type, constant values (folded, as the
compiler prints them), and the operations the compiler makes explicit: interface conversions, the `...`
slice of a variadic call, &x for pointer-method calls, field promotion through embedded structs.
"""

from runtime.escape import constant
from runtime.escape import types as T
from runtime.escape.ir import PEXTERN, PFUNC, Name, Node
from runtime.escape.scope import Package, TypeName, Unsupported, pos_of

BUILTINS = {"len", "cap", "append", "copy", "delete", "make", "new", "panic", "print", "println",
            "recover", "close", "clear", "min", "max", "complex", "real", "imag"}
_BINOPS = {"+": "OADD", "-": "OSUB", "*": "OMUL", "/": "ODIV", "%": "OMOD", "&": "OAND", "|": "OOR",
           "^": "OXOR", "<<": "OLSH", ">>": "ORSH", "&^": "OANDNOT", "==": "OEQ", "!=": "ONE",
           "<": "OLT", "<=": "OLE", ">": "OGT", ">=": "OGE", "&&": "OANDAND", "||": "OOROR"}
_CONST_CALLS = {"len", "cap", "min", "max", "real", "imag", "complex"}


def syntax_pos(ts):
    """The position the compiler gives the expression ts: its operator, '(' of a call, '.' of a
    selector, '[' of an index, '{' of a composite literal, else its start."""
    kind = ts.type
    if kind == "parenthesized_expression":
        return syntax_pos(ts.named_children[0])
    if kind in ("call_expression",):
        return pos_of(ts.child_by_field_name("arguments"))
    if kind == "type_conversion_expression":
        return pos_of(next(c for c in ts.children if c.type == "("))
    if kind == "binary_expression":
        return pos_of(ts.child_by_field_name("operator"))
    if kind in ("selector_expression", "type_assertion_expression"):
        return pos_of(next(c for c in ts.children if c.type == "."))
    if kind in ("index_expression", "slice_expression"):
        return pos_of(next(c for c in ts.children if c.type == "["))
    if kind == "composite_literal":
        return pos_of(ts.child_by_field_name("body"))
    return pos_of(ts)


def lit(pos, value, type_):
    return Node("OLITERAL", pos, type_, val=value)


class ExprChecker:
    """Mixin of Noder: expression typing. Needs self.scope, self.fn, self.resolve_type, self.pkg."""

    def expr(self, ts, want=None, callee=False):
        kind = ts.type
        method = getattr(self, "expr_" + kind, None)
        if method is None:
            raise Unsupported(kind.replace("_", " "), ts)
        n = method(ts, want) if kind in ("composite_literal", "literal_value") else method(ts)
        if not callee and n.op in ("ODOTMETH", "ODOTINTER"):     # a method value: x.M not called
            method_fn = getattr(n, "method", None)
            n = Node("OMETHVALUE", n.pos, n.type, x=n.x, sel=n.sel, method=method_fn, sig=n.type)
        return n

    def rvalue(self, ts, target):
        """An expression assigned to a variable of type target: converts untyped and concrete->interface."""
        return self.assign_conv(self.expr(ts, target), target, syntax_pos(ts))

    # --- operands -------------------------------------------------------------------------------------

    def expr_parenthesized_expression(self, ts):
        return self.expr(ts.named_children[0])

    def expr_identifier(self, ts):
        name = ts.text.decode()
        if name == "_":
            return Name("_", pos_of(ts), None, "PAUTO")
        entity = self.lookup(name, ts)
        if isinstance(entity, Name):
            if entity.const is not None:
                value, typ = entity.const
                return lit(pos_of(ts), value, typ)
            return self.use(entity, pos_of(ts))
        if isinstance(entity, TypeName):
            return Node("OTYPE", pos_of(ts), entity.type)
        if isinstance(entity, Package):
            return Node("OPACK", pos_of(ts), None, pkg=entity)
        if name == "nil":
            return Node("ONIL", pos_of(ts), T.UNTYPED["nil"])
        if name in ("true", "false"):
            return lit(pos_of(ts), name == "true", T.UNTYPED["bool"])
        if name == "iota":
            return lit(pos_of(ts), self.iota, T.UNTYPED["int"])
        if name in BUILTINS:
            return Node("OBUILTIN", pos_of(ts), None, sym=name)
        raise Unsupported(f"undefined name {name}", ts)

    def expr_variadic_argument(self, ts):
        return self.expr(ts.named_children[0])

    def expr_true(self, ts):
        return lit(pos_of(ts), True, T.UNTYPED["bool"])

    def expr_false(self, ts):
        return lit(pos_of(ts), False, T.UNTYPED["bool"])

    def expr_nil(self, ts):
        return Node("ONIL", pos_of(ts), T.UNTYPED["nil"])

    def expr_iota(self, ts):
        return lit(pos_of(ts), self.iota, T.UNTYPED["int"])

    def _literal(self, ts):
        value, typ = constant.parse_literal(ts.type, ts.text.decode())
        return lit(pos_of(ts), value, typ)

    expr_int_literal = expr_float_literal = expr_imaginary_literal = expr_rune_literal = _literal
    expr_interpreted_string_literal = expr_raw_string_literal = _literal

    def use(self, name, pos=None):
        """A reference to a variable; from inside a closure, through its closure variable."""
        if name.cls in (PEXTERN, PFUNC) or name.curfn is None or self.fn is None or name.curfn is self.fn:
            return name
        return self.capture(name, self.fn, pos)

    def capture(self, name, fn, pos=None):
        """A closure variable is positioned at its first use in the closure (ir.NewClosureVar), as are
        the ones of enclosing closures it is captured through."""
        if name.curfn is fn:
            return name
        for cv in fn.closure_vars:
            if cv.canonical() is name.canonical():
                return cv
        outer = self.capture(name, fn.outer, pos)
        cv = Name(name.sym, pos or name.pos, name.type, name.cls, fn)
        cv.outer = outer
        fn.closure_vars.append(cv)
        return cv

    # --- composite and function literals --------------------------------------------------------------

    def expr_func_literal(self, ts):
        return self.func_literal(ts)

    def expr_composite_literal(self, ts, want=None):
        type_ts = ts.child_by_field_name("type")
        typ = self.resolve_type(type_ts, ts.child_by_field_name("body")) if type_ts else want
        return self.complit(typ, ts.child_by_field_name("body"))

    def expr_literal_value(self, ts, want=None):
        """An elided composite literal type inside another literal: {1, 2} for an element type."""
        if want is not None and want.is_kind("ptr"):
            inner = self.complit(want.elem, ts)
            return Node("OPTRLIT", inner.pos, want, x=inner, implicit=True)
        return self.complit(want, ts)

    def complit(self, typ, body):
        pos = pos_of(body)
        u = typ.underlying()
        elems = [c for c in body.named_children if c.type in ("literal_element", "keyed_element")]
        if isinstance(u, T.Struct):
            out = []
            for i, el in enumerate(elems):
                if el.type == "keyed_element":
                    key = el.child_by_field_name("key") or el.named_children[0]
                    field = u.field(key.text.decode())
                    value_ts = (el.child_by_field_name("value") or el.named_children[1]).named_children[0]
                else:
                    field = u.fields[i]
                    value_ts = el.named_children[0]
                out.append((field, self.rvalue(value_ts, field.type)))
            return Node("OSTRUCTLIT", pos, typ, list=out)
        if isinstance(u, T.Map):
            out = []
            for el in elems:
                k_ts = (el.child_by_field_name("key") or el.named_children[0]).named_children[0]
                v_ts = (el.child_by_field_name("value") or el.named_children[1]).named_children[0]
                out.append((self.rvalue(k_ts, u.key), self.rvalue(v_ts, u._elem)))
            return Node("OMAPLIT", pos, typ, list=out)
        if isinstance(u, (T.Slice, T.Array)):
            out, index, length = [], 0, 0
            for el in elems:
                if el.type == "keyed_element":
                    key = self.expr(el.named_children[0].named_children[0])
                    index = key.val if key.op == "OLITERAL" else index
                    value_ts = el.named_children[1].named_children[0]
                else:
                    value_ts = el.named_children[0]
                out.append(self.rvalue(value_ts, u._elem))
                index += 1
                length = max(length, index)
            if isinstance(u, T.Array) and u.length < 0:       # [...]T{...}
                typ = T.Array(u._elem, length)
            op = "OSLICELIT" if isinstance(u, T.Slice) else "OARRAYLIT"
            return Node(op, pos, typ, list=out, length=length)
        raise Unsupported(f"composite literal of type {typ}", body)

    # --- operators ------------------------------------------------------------------------------------

    def expr_unary_expression(self, ts):
        op = ts.child_by_field_name("operator").text.decode()
        operand_ts = ts.child_by_field_name("operand")
        pos = pos_of(ts)
        if op == "&":
            inner = self.expr(operand_ts)
            if inner.op in ("OSTRUCTLIT", "OARRAYLIT", "OSLICELIT", "OMAPLIT"):
                return Node("OPTRLIT", pos, T.Pointer(inner.type), x=inner)
            self.mark_addrtaken(inner)
            return Node("OADDR", pos, T.Pointer(inner.type), x=inner)
        x = self.expr(operand_ts)
        if op == "*":
            if x.op == "OTYPE":
                return Node("OTYPE", pos, T.Pointer(x.type))
            return Node("ODEREF", pos, x.type.elem, x=x)
        if op == "<-":
            return Node("ORECV", pos, x.type.elem, x=x)
        if x.op == "OLITERAL":
            return lit(pos, constant.unary(op, x.val), x.type)
        names = {"-": "ONEG", "+": "OPLUS", "!": "ONOT", "^": "OBITNOT"}
        return Node(names[op], pos, x.type, x=x)

    def expr_binary_expression(self, ts):
        op = ts.child_by_field_name("operator").text.decode()
        pos = pos_of(ts.child_by_field_name("operator"))
        x = self.expr(ts.child_by_field_name("left"))
        y = self.expr(ts.child_by_field_name("right"))
        if x.op == "OLITERAL" and y.op == "OLITERAL":
            value, typ = constant.binary(op, x.val, x.type, y.val, y.type)
            if isinstance(value, str) or op not in ("<<", ">>"):
                return lit(pos, value, typ)
            return lit(pos, value, x.type)
        if op in ("==", "!=", "<", "<=", ">", ">=", "&&", "||"):
            x, y = self.match_operands(x, y)
            return Node(_BINOPS[op], pos, T.UNTYPED["bool"], x=x, y=y)
        if op in ("<<", ">>"):
            if x.op == "OLITERAL":
                x = self.convert_untyped(x, T.UNIVERSE["int"])
            return Node(_BINOPS[op], pos, x.type, x=x, y=y)
        x, y = self.match_operands(x, y)
        if op == "+" and x.type.underlying().kind == "string":
            parts = (x.list if x.op == "OADDSTR" else [x]) + [y]
            return Node("OADDSTR", pos, x.type, list=parts)
        return Node(_BINOPS[op], pos, x.type, x=x, y=y)

    def match_operands(self, x, y):
        if x.type is not None and isinstance(x.type, T.Basic) and x.type.is_untyped() and y.type is not None:
            x = self.convert_untyped(x, y.type if not y.type.is_interface() else T.default_type(x.type))
        if y.type is not None and isinstance(y.type, T.Basic) and y.type.is_untyped() and x.type is not None:
            y = self.convert_untyped(y, x.type if not x.type.is_interface() else T.default_type(y.type))
        if x.type is not None and y.type is not None:
            if x.type.is_interface() and not y.type.is_interface() and y.op != "ONIL":
                y = self.assign_conv(y, x.type)
            elif y.type.is_interface() and not x.type.is_interface() and x.op != "ONIL":
                x = self.assign_conv(x, y.type)
        return x, y

    # --- conversions ------------------------------------------------------------------------------------

    def convert_untyped(self, n, target):
        if n.op == "OLITERAL" and isinstance(n.type, T.Basic) and n.type.is_untyped():
            target = T.default_type(n.type) if target.is_interface() else target
            return lit(n.pos, constant.convert(n.val, target), target)
        if n.op == "ONIL":
            n.type = target
        if n.type is T.UNTYPED["bool"]:
            n.type = T.UNIVERSE["bool"]
        return n

    def assign_conv(self, n, target, pos=None):
        """typecheck.AssignConv: untyped constants take the target type; concrete values into
        interfaces get an implicit OCONVIFACE at the value's position."""
        if target is None or n.type is None:
            return n
        if n.op == "ONIL":
            n.type = target
            return n
        n = self.convert_untyped(n, target)
        if target.is_interface() and not n.type.is_interface():
            conv = Node("OCONVIFACE", pos or n.pos, target, x=n)
            conv.implicit = True
            return conv
        return n

    def conversion(self, typ, x, pos, explicit_pos):
        """An explicit conversion T(x): the node sits at the operand's position, as the compiler's."""
        u = typ.underlying()
        if x.op == "OLITERAL" and isinstance(u, T.Basic):
            value = constant.convert(x.val, typ)
            return lit(explicit_pos, value, typ)
        if x.op == "OLITERAL" and isinstance(u, T.Slice) and isinstance(x.val, str) and u._elem.string() == "rune":
            return Node("OSLICELIT", pos, typ, list=[], length=len(x.val), runes=True)
        x = self.convert_untyped(x, typ if isinstance(u, T.Basic) else T.default_type(x.type))
        # the operand's type after defaulting: []byte("lit") converts a string, not an untyped constant
        xu = x.type.underlying() if x.type is not None else None
        if typ.is_interface():
            if x.type.is_interface():
                return Node("OCONVNOP", pos, typ, x=x, explicit=True)
            return Node("OCONVIFACE", pos, typ, x=x, explicit=True)
        op = "OCONV"
        if u.kind == "string" and isinstance(xu, T.Slice):
            op = "OBYTES2STR" if xu._elem.size() == 1 else "ORUNES2STR"
        elif u.kind == "string" and isinstance(xu, T.Basic) and xu.name in T.INTEGERS:
            op = "ORUNESTR"
        elif isinstance(u, T.Slice) and xu is not None and xu.kind == "string":
            op = "OSTR2BYTES" if u._elem.size() == 1 else "OSTR2RUNES"
        elif T.identical(u, xu) or (u.kind == "ptr" and xu.kind == "ptr"):
            op = "OCONVNOP"
        elif u.kind == "unsafe.Pointer" or (xu is not None and xu.kind == "unsafe.Pointer"):
            raise Unsupported("unsafe.Pointer conversion", None)
        return Node(op, pos, typ, x=x, explicit=True)

    def expr_type_conversion_expression(self, ts):
        typ = self.resolve_type(ts.child_by_field_name("type"))
        operand = ts.child_by_field_name("operand")
        return self.conversion(typ, self.expr(operand), syntax_pos(operand), pos_of(ts.child(1)))

    def expr_type_assertion_expression(self, ts):
        x = self.expr(ts.child_by_field_name("operand"))
        typ = self.resolve_type(ts.child_by_field_name("type"))
        return Node("ODOTTYPE", pos_of(ts.child(1)), typ, x=x)

    # --- selectors, indexing, slicing ------------------------------------------------------------------

    def expr_selector_expression(self, ts):
        operand = ts.child_by_field_name("operand")
        field = ts.child_by_field_name("field").text.decode()
        dot = next(c for c in ts.children if c.type == ".")
        x = self.expr(operand)
        return self.select(x, field, pos_of(dot), ts)

    def select(self, x, field, pos, ts):
        if x.op == "OPACK":
            member = x.pkg.members.get(field)
            if member is None:
                raise Unsupported(f"{x.pkg.path}.{field} (standard-library function without a summary)", ts)
            if isinstance(member, TypeName):
                return Node("OTYPE", pos, member.type)
            if member.const is not None:
                return lit(pos, member.const[0], member.const[1])
            return member
        if x.op == "OTYPE":       # method expression T.M / (*T).M
            method = self.find_method(x.type, field)
            if method is None:
                raise Unsupported(f"method expression {x.type}.{field}", ts)
            return Node("OMETHEXPR", pos, method.nname.type, method=method, recv_type=x.type)
        path = self.lookup_field(x.type, field)
        if path is None:
            raise Unsupported(f"selector .{field} on {x.type}", ts)
        for i, (kind, item) in enumerate(path):
            last = i == len(path) - 1
            if kind == "field":
                ptr = x.type.underlying().kind == "ptr"
                x = Node("ODOTPTR" if ptr else "ODOT", pos, item.type, x=x, sel=item.name)
            else:
                return self.method_selector(x, item, pos)
            if not last:
                x.implicit_embed = True
        return x

    def lookup_field(self, typ, name, depth=0):
        """[(kind, field-or-method)]: the embedding path to a field or method (breadth one level at a
        time, as the spec's depth rule)."""
        if depth > 4 or typ is None:
            return None
        base = typ.elem if typ.underlying().kind == "ptr" and not isinstance(typ, T.Named) else typ
        if isinstance(base, T.Named) and name in base.methods:
            return [("method", base.methods[name])]
        u = base.underlying()
        if isinstance(u, T.Interface) and name in u.methods():
            return [("imethod", (name, u.methods()[name]))]
        if isinstance(u, T.Struct):
            f = u.field(name)
            if f is not None:
                return [("field", f)]
            for f in u.fields:
                if f.embedded:
                    sub = self.lookup_field(f.type, name, depth + 1)
                    if sub is not None:
                        return [("field", f)] + sub
        return None

    def find_method(self, typ, name):
        base = typ.elem if typ.underlying().kind == "ptr" and not isinstance(typ, T.Named) else typ
        return base.methods.get(name) if isinstance(base, T.Named) else None

    def method_selector(self, x, item, pos):
        """x.M: a method value, or (when called) the receiver and callee of a method call."""
        if isinstance(item, tuple):     # interface method
            name, sig = item
            return Node("ODOTINTER", pos, sig, x=x, sel=name)
        method = item
        recv_is_ptr = method.sig.recv.type.underlying().kind == "ptr"
        x_is_ptr = x.type.underlying().kind == "ptr"
        if recv_is_ptr and not x_is_ptr:
            self.mark_addrtaken(x)
            # positioned at the selector, as the compiler's implicit &x / *x of a method call
            x = Node("OADDR", pos, T.Pointer(x.type), x=x, implicit=True)
        elif not recv_is_ptr and x_is_ptr:
            x = Node("ODEREF", pos, x.type.elem, x=x, implicit=True)
        return Node("ODOTMETH", pos, method.sig, x=x, method=method, sel=method.nname.sym)

    def expr_index_expression(self, ts):
        x = self.expr(ts.child_by_field_name("operand"))
        pos = pos_of(next(c for c in ts.children if c.type == "["))
        index = self.expr(ts.child_by_field_name("index"))
        u = x.type.underlying()
        if isinstance(u, T.Map):
            return Node("OINDEXMAP", pos, u._elem, x=x, index=self.assign_conv(index, u.key))
        index = self.convert_untyped(index, T.UNIVERSE["int"])
        if u.kind == "ptr":         # p[i] on *[N]T
            x = Node("ODEREF", x.pos, u._elem, x=x, implicit=True)
            u = u._elem.underlying()
        if u.kind == "string":
            return Node("OINDEX", pos, T.UNIVERSE["uint8"], x=x, index=index)
        return Node("OINDEX", pos, u._elem, x=x, index=index)

    def expr_slice_expression(self, ts):
        x = self.expr(ts.child_by_field_name("operand"))
        pos = pos_of(next(c for c in ts.children if c.type == "["))
        parts = [ts.child_by_field_name(f) for f in ("start", "end", "capacity")]
        low, high, max_ = (self.convert_untyped(self.expr(p), T.UNIVERSE["int"]) if p else None for p in parts)
        u = x.type.underlying()
        if u.kind == "string":
            return Node("OSLICESTR", pos, x.type, x=x, low=low, high=high, max=max_)
        if isinstance(u, T.Array):      # slicing an array takes its address
            self.mark_addrtaken(x)
            x = Node("OADDR", x.pos, T.Pointer(x.type), x=x, implicit=True)
            return Node("OSLICEARR", pos, T.Slice(u._elem), x=x, low=low, high=high, max=max_)
        if u.kind == "ptr":
            return Node("OSLICEARR", pos, T.Slice(u._elem.underlying()._elem), x=x, low=low, high=high,
                        max=max_)
        return Node("OSLICE", pos, x.type, x=x, low=low, high=high, max=max_)

    def mark_addrtaken(self, n):
        while n.op in ("ODOT", "OINDEX") and n.x.type.underlying().kind in ("struct", "array"):
            n = n.x
        if n.op == "ONAME":
            n.canonical().addrtaken = True
