"""From tree-sitter's Go tree to typed ir: declarations and types (the noder's package half).

Package-level names are declared first (types, then functions and variables), so bodies may refer to
anything in the file in any order, as Go allows. Statements live in stmts.py.
"""

import tree_sitter
import tree_sitter_go

from runtime.escape import constant
from runtime.escape import types as T
from runtime.escape.calls import CallChecker
from runtime.escape.exprs import ExprChecker
from runtime.escape.ir import PEXTERN, PFUNC, PPARAM, PPARAMOUT, Func, Name, Node
from runtime.escape.scope import Scope, TypeName, Unsupported, pos_of
from runtime.escape.stmts import StmtChecker

GO = tree_sitter.Language(tree_sitter_go.language())


def parse(source):
    return tree_sitter.Parser(GO).parse(source)


def first_error(node):
    """The first ERROR or MISSING node of a tree, or None."""
    if node.type == "ERROR" or node.is_missing:
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = first_error(child)
        if found is not None:
            return found
    return node


class Noder(ExprChecker, CallChecker, StmtChecker):
    """Builds the typed ir of one package from one tree (or a stub package without bodies)."""

    def __init__(self, pkg_path, universe_scope, importer):
        self.pkg_path = pkg_path
        self.scope = Scope(universe_scope)
        self.pkg_scope = self.scope
        self.importer = importer
        self.fn = None
        self.funcs = []          # every Func with a body, in source order (methods included)
        self.all_funcs = []      # with the bodiless ones (stubs)
        self.iota = 0

    def lookup(self, name, ts):
        return self.scope.lookup(name)

    # --- the package ------------------------------------------------------------------------------------

    def load(self, root):
        decls = root.named_children
        for d in decls:
            if d.type == "import_declaration":
                for spec in _descendants(d, "import_spec"):
                    path = spec.child_by_field_name("path").text.decode()[1:-1]
                    alias = spec.child_by_field_name("name")
                    pkg = self.importer(path, spec)
                    self.scope.declare(alias.text.decode() if alias else pkg.name, pkg)
        for d in decls:
            if d.type == "type_declaration":
                for spec in d.named_children:
                    if spec.type == "type_alias":
                        continue
                    name = spec.child_by_field_name("name").text.decode()
                    if spec.child_by_field_name("type_parameters"):
                        raise Unsupported("generic type declaration", spec)
                    pkg = "" if self.pkg_path == "main" else self.pkg_path.rsplit("/", 1)[-1]
                    self.scope.declare(name, TypeName(T.Named(name, pkg)))
        for d in decls:
            if d.type == "type_declaration":
                for spec in d.named_children:
                    name = spec.child_by_field_name("name").text.decode()
                    typ = self.resolve_type(spec.child_by_field_name("type"))
                    if spec.type == "type_alias":
                        self.scope.declare(name, TypeName(typ))
                    else:
                        self.scope.lookup(name).type.set_underlying(typ)
        for d in decls:
            if d.type == "const_declaration":
                self.const_decl(d)
        bodies = []
        for d in decls:
            if d.type in ("function_declaration", "method_declaration"):
                bodies.append((self.func_decl(d), d))
        for d in decls:
            if d.type == "var_declaration":
                for spec in _descendants(d, "var_spec"):
                    self.global_var(spec)
        for fn, d in bodies:
            if fn is not None and d.child_by_field_name("body") is not None:
                self.func_body(fn, d)

    def const_decl(self, decl):
        last_value, last_type = None, None
        for i, spec in enumerate(c for c in decl.named_children if c.type == "const_spec"):
            self.iota = i
            names = spec.children_by_field_name("name")
            values = spec.child_by_field_name("value")
            type_ts = spec.child_by_field_name("type")
            if values is not None:
                last_value, last_type = values.named_children, type_ts
            for j, name_ts in enumerate(names):
                v = self.expr(last_value[j])
                if v.op != "OLITERAL":
                    raise Unsupported("non-constant in constant declaration", name_ts)
                typ = self.resolve_type(last_type) if last_type is not None else v.type
                entity = Name(name_ts.text.decode(), pos_of(name_ts), typ, PEXTERN)
                entity.const = (constant.convert(v.val, typ), typ)
                self.scope.declare(entity.sym, entity)
        self.iota = 0

    def global_var(self, spec):
        type_ts = spec.child_by_field_name("type")
        values = spec.child_by_field_name("value")
        for i, name_ts in enumerate(spec.children_by_field_name("name")):
            if type_ts is not None:
                typ = self.resolve_type(type_ts)
            elif values is not None:
                saved, self.fn = self.fn, None
                typ = T.default_type(self.expr(values.named_children[i]).type)
                self.fn = saved
            n = Name(name_ts.text.decode(), pos_of(name_ts), typ, PEXTERN)
            self.scope.declare(n.sym, n)

    # --- functions ----------------------------------------------------------------------------------------

    def signature(self, params_ts, results_ts, recv_ts=None):
        def fields(plist):
            out, variadic = [], False
            if plist is None:
                return out, False
            if plist.type != "parameter_list":       # a single unparenthesized result type
                return [T.Field(None, self.resolve_type(plist))], False
            for p in plist.named_children:
                if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                    continue
                typ = self.resolve_type(p.child_by_field_name("type"))
                if p.type == "variadic_parameter_declaration":
                    typ, variadic = T.Slice(typ), True
                names = p.children_by_field_name("name")
                if not names:
                    out.append(T.Field(None, typ, pos=pos_of(p), variadic=variadic))
                for name_ts in names:
                    out.append(T.Field(name_ts.text.decode(), typ, pos=pos_of(name_ts), variadic=variadic))
            return out, variadic
        params, variadic = fields(params_ts)
        results, _ = fields(results_ts)
        recv = fields(recv_ts)[0][0] if recv_ts is not None else None
        return T.Signature(params, results, variadic, recv)

    def func_decl(self, d):
        name = d.child_by_field_name("name").text.decode()
        if d.child_by_field_name("type_parameters"):
            raise Unsupported("generic function", d)
        recv_ts = d.child_by_field_name("receiver")
        sig = self.signature(d.child_by_field_name("parameters"), d.child_by_field_name("result"), recv_ts)
        fn = Func(name, pos_of(d.child_by_field_name("name")), sig)
        fn.external = d.child_by_field_name("body") is None
        fn.tag_name = name
        nname = Name(name, fn.pos, sig, PFUNC)
        nname.func, fn.nname = fn, nname
        if recv_ts is not None:
            rt = sig.recv.type
            base = rt.elem if rt.underlying().kind == "ptr" and not isinstance(rt, T.Named) else rt
            if not isinstance(base, T.Named):
                raise Unsupported("method on unnamed type", d)
            fn.name = f"(*{base.sym}).{name}" if base is not rt else f"{base.sym}.{name}"
            fn.tag_name = f"{base.sym}.{name}"
            base.methods[name] = fn
        elif name != "init" and name != "_":
            self.scope.declare(name, nname)
        if not fn.external:
            self.funcs.append(fn)
        self.all_funcs.append(fn)
        return fn

    def declare_params(self, fn):
        """Parameter and result Names, in fn.Dcl order: receiver, params, results (~r0 when unnamed)."""
        for f in fn.sig.recv_params():
            if f.name is None or f.name == "_":
                continue
            n = Name(f.name, f.pos, f.type, PPARAM, fn)
            f.nname = n
            fn.dcl.append(n)
            self.scope.declare(n.sym, n)
        for i, f in enumerate(fn.sig.results):
            sym = f.name if f.name not in (None, "_") else (f"~r{i}" if f.name is None else f"~b{i}")
            n = Name(sym, f.pos or fn.pos, f.type, PPARAMOUT, fn)
            n.result_index = i + 1
            f.nname = n
            fn.dcl.append(n)
            if f.name not in (None, "_"):
                self.scope.declare(n.sym, n)

    def func_body(self, fn, d):
        saved = (self.scope, self.fn)
        self.scope, self.fn = Scope(self.pkg_scope), fn
        self.declare_params(fn)
        fn.body = self.block(d.child_by_field_name("body"))
        self.scope, self.fn = saved

    def func_literal(self, ts):
        outer = self.fn
        top = outer
        while top.outer is not None:
            top = top.outer
        top.closure_count += 1
        sig = self.signature(ts.child_by_field_name("parameters"), ts.child_by_field_name("result"))
        fn = Func(f"{top.name}.func{top.closure_count}", pos_of(ts), sig, outer=outer)
        nname = Name(fn.name, fn.pos, sig, PFUNC)
        nname.func, fn.nname = fn, nname
        outer.closures.append(fn)
        saved = (self.scope, self.fn)
        self.scope, self.fn = Scope(self.scope), fn
        self.declare_params(fn)
        fn.body = self.block(ts.child_by_field_name("body"))
        self.scope, self.fn = saved
        return Node("OCLOSURE", pos_of(ts), sig, func=fn)

    # --- types ----------------------------------------------------------------------------------------------

    def resolve_type(self, ts, body=None):
        kind = ts.type
        if kind in ("type_identifier", "identifier"):
            entity = self.scope.lookup(ts.text.decode())
            if not isinstance(entity, TypeName):
                raise Unsupported(f"unknown type {ts.text.decode()}", ts)
            return entity.type
        if kind == "qualified_type":
            pkg = self.scope.lookup(ts.child_by_field_name("package").text.decode())
            member = pkg.members.get(ts.child_by_field_name("name").text.decode()) if pkg else None
            if not isinstance(member, TypeName):
                raise Unsupported(f"type {ts.text.decode()} (standard-library type without a summary)", ts)
            return member.type
        if kind == "pointer_type":
            return T.Pointer(self.resolve_type(ts.named_children[0]))
        if kind == "slice_type":
            return T.Slice(self.resolve_type(ts.child_by_field_name("element")))
        if kind == "array_type":
            n = self.expr(ts.child_by_field_name("length"))
            if n.op != "OLITERAL":
                raise Unsupported("array length that is not constant", ts)
            return T.Array(self.resolve_type(ts.child_by_field_name("element")), int(n.val))
        if kind == "implicit_length_array_type":
            return T.Array(self.resolve_type(ts.child_by_field_name("element")), -1)
        if kind == "map_type":
            return T.Map(self.resolve_type(ts.child_by_field_name("key")),
                         self.resolve_type(ts.child_by_field_name("value")))
        if kind == "channel_type":
            text = ts.text.decode()
            dir_ = "recv" if text.startswith("<-") else "send" if text.replace(" ", "").startswith("chan<-") else ""
            return T.Chan(self.resolve_type(ts.child_by_field_name("value")), dir_)
        if kind == "function_type":
            return self.signature(ts.child_by_field_name("parameters"), ts.child_by_field_name("result"))
        if kind == "parenthesized_type":
            return self.resolve_type(ts.named_children[0])
        if kind == "struct_type":
            return self.struct_type(ts)
        if kind == "interface_type":
            return self.interface_type(ts)
        if kind == "parenthesized_expression":
            return self.resolve_type(ts.named_children[0])
        if kind == "unary_expression" and ts.child_by_field_name("operator").text == b"*":
            return T.Pointer(self.resolve_type(ts.child_by_field_name("operand")))
        if kind == "selector_expression":
            pkg = self.scope.lookup(ts.child_by_field_name("operand").text.decode())
            member = pkg.members.get(ts.child_by_field_name("field").text.decode()) if pkg else None
            if isinstance(member, TypeName):
                return member.type
        if kind == "generic_type":
            raise Unsupported("generic type", ts)
        raise Unsupported(f"type expression {kind}", ts)

    def struct_type(self, ts):
        fields = []
        for decl in _descendants(ts, "field_declaration"):
            type_ts = decl.child_by_field_name("type")
            typ = self.resolve_type(type_ts)
            names = decl.children_by_field_name("name")
            if not names:
                name = type_ts.text.decode().lstrip("*").split(".")[-1]
                fields.append(T.Field(name, typ, embedded=True))
            for n in names:
                fields.append(T.Field(n.text.decode(), typ))
        return T.Struct(fields)

    def interface_type(self, ts):
        methods, embeds = {}, []
        for child in ts.named_children:
            if child.type == "method_elem":
                methods[child.child_by_field_name("name").text.decode()] = self.signature(
                    child.child_by_field_name("parameters"), child.child_by_field_name("result"))
            elif child.type == "type_elem":
                t = self.resolve_type(child.named_children[0])
                if not t.is_interface():
                    raise Unsupported("interface with type constraints", child)
                embeds.append(t)
        return T.Interface(methods, embeds)


def _descendants(node, kind):
    out = []
    for c in node.named_children:
        if c.type == kind:
            out.append(c)
        else:
            out.extend(_descendants(c, kind))
    return out


_ = (PPARAM, PPARAMOUT)
