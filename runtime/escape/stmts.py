"""Type-checking statements into ir, with the compiler's rewrites that change what escapes:
go/defer calls wrapped in closures over temporaries (typecheck.normalizeGoDeferCall), and Go 1.22
per-iteration loop variables when a closure or & can observe them."""

from runtime.escape import types as T
from runtime.escape.exprs import syntax_pos
from runtime.escape.ir import PAUTO, Func, Name, Node
from runtime.escape.scope import Scope, Unsupported, pos_of

_ASSIGN_OPS = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&", "|=": "|", "^=": "^",
               "<<=": "<<", ">>=": ">>", "&^=": "&^"}


class StmtChecker:
    """Mixin of Noder: statements."""

    def block(self, ts, new_scope=True):
        if ts is None:
            return []
        saved = self.scope
        if new_scope:
            self.scope = Scope(self.scope)
        out = []
        for child in ts.named_children:
            if child.type == "statement_list":
                for s in child.named_children:
                    out.extend(self.stmt(s))
            elif child.type != "comment":
                out.extend(self.stmt(child))
        self.scope = saved
        return out

    def stmt(self, ts):
        method = getattr(self, "stmt_" + ts.type, None)
        if method is None:
            raise Unsupported(ts.type.replace("_", " "), ts)
        return method(ts)

    def stmt_comment(self, ts):
        return []

    def stmt_empty_statement(self, ts):
        return []

    def stmt_block(self, ts):
        return [Node("OBLOCK", pos_of(ts), list=self.block(ts))]

    def stmt_expression_statement(self, ts):
        return [self.expr(ts.named_children[0])]

    def new_local(self, name_ts, typ):
        n = Name(name_ts.text.decode(), pos_of(name_ts), typ, PAUTO, self.fn)
        if n.sym != "_":
            self.fn.dcl.append(n)
        return n

    def new_temp(self, pos, typ):
        # typecheck.TempAt names a temporary after the count of the function's declarations so far
        n = Name(f".autotmp_{len(self.fn.dcl)}", pos, typ, PAUTO, self.fn)
        self.fn.dcl.append(n)
        return n

    # --- declarations and assignments -----------------------------------------------------------------

    def stmt_var_declaration(self, ts):
        out = []
        for spec in (c for c in _walk_specs(ts)):
            type_ts = spec.child_by_field_name("type")
            typ = self.resolve_type(type_ts) if type_ts is not None else None
            values = spec.child_by_field_name("value")
            names_ts = spec.children_by_field_name("name")
            rhs = [self.expr(v, typ) for v in values.named_children] if values is not None else []
            if len(rhs) == 1 and len(names_ts) > 1:
                return self.define_multi(names_ts, rhs[0], ts, typ, pos_of(names_ts[0]))
            names = []
            for i, name_ts in enumerate(names_ts):
                t = typ or T.default_type(rhs[i].type)
                names.append(self.new_local(name_ts, t))
            for i, n in enumerate(names):
                if rhs:
                    rhs[i] = self.assign_conv(rhs[i], n.type, syntax_pos(values.named_children[i]))
            for n in names:
                out.append(Node("ODCL", n.pos, x=n))
            if not rhs:
                for n in names:
                    out.append(Node("OAS", n.pos, x=n, y=None))
            elif len(names) == 1:
                # syntax.VarDecl is positioned at its first name, and so is the assignment
                a = Node("OAS", pos_of(names_ts[0]), x=names[0], y=rhs[0])
                names[0].defn = a
                out.append(a)
            else:
                a = Node("OAS2", pos_of(names_ts[0]), lhs=names, rhs=rhs)
                for n in names:
                    n.defn = a
                out.append(a)
            for n in names:
                self.scope.declare(n.sym, n)
        return out

    def stmt_short_var_declaration(self, ts):
        left = ts.child_by_field_name("left").named_children
        right = ts.child_by_field_name("right").named_children
        pos = pos_of(_child_of_type(ts, ":="))
        if len(right) == 1 and len(left) > 1:
            return self.define_multi(left, self.expr(right[0]), ts, None, pos)
        rhs = [self.expr(r) for r in right]
        out, lhs, fresh = [], [], []
        for i, name_ts in enumerate(left):
            name = name_ts.text.decode()
            existing = self.scope.names.get(name)
            if existing is not None and name != "_":
                lhs.append(self.use(existing, pos_of(name_ts)))
                rhs[i] = self.assign_conv(rhs[i], existing.type, syntax_pos(right[i]))
            else:
                n = self.new_local(name_ts, T.default_type(rhs[i].type))
                rhs[i] = self.assign_conv(rhs[i], n.type)
                lhs.append(n)
                fresh.append(n)
        for n in fresh:
            if n.sym != "_":
                out.append(Node("ODCL", n.pos, x=n))
        a = Node("OAS" if len(lhs) == 1 else "OAS2", pos, x=lhs[0], y=rhs[0], lhs=lhs, rhs=rhs)
        for n in fresh:
            n.defn = a
        out.append(a)
        for n in fresh:
            self.scope.declare(n.sym, n)
        return out

    def define_multi(self, names_ts, rhs, ts, typ, pos=None):
        """a, b := f() / v, ok := m[k] / x.(T) / <-ch."""
        pos = pos or pos_of(ts)
        types, op = self.multi_types(rhs, ts)
        out, lhs, fresh = [], [], []
        for i, name_ts in enumerate(names_ts):
            name = name_ts.text.decode()
            existing = self.scope.names.get(name) if ts.type == "short_var_declaration" else None
            if existing is not None and name != "_":
                lhs.append(self.use(existing, pos_of(name_ts)))
            else:
                n = self.new_local(name_ts, typ or types[i])
                lhs.append(n)
                fresh.append(n)
        for n in fresh:
            if n.sym != "_":
                out.append(Node("ODCL", n.pos, x=n))
        a = Node(op, pos, lhs=lhs, rhs=[rhs])
        for n in fresh:
            n.defn = a
        out.append(a)
        for n in fresh:
            self.scope.declare(n.sym, n)
        return out

    def multi_types(self, rhs, ts):
        if rhs.op in ("OCALLFUNC", "OCALLINTER"):
            return [r.type for r in rhs.sig.results], "OAS2FUNC"
        if rhs.op == "OINDEXMAP":
            return [rhs.type, T.UNIVERSE["bool"]], "OAS2MAPR"
        if rhs.op == "ODOTTYPE":
            return [rhs.type, T.UNIVERSE["bool"]], "OAS2DOTTYPE"
        if rhs.op == "ORECV":
            return [rhs.type, T.UNIVERSE["bool"]], "OAS2RECV"
        raise Unsupported("multi-value assignment from this expression", ts)

    def stmt_assignment_statement(self, ts):
        op = ts.child_by_field_name("operator").text.decode()
        pos = pos_of(ts.child_by_field_name("operator"))
        left = [self.expr(e) for e in ts.child_by_field_name("left").named_children]
        right_ts = ts.child_by_field_name("right").named_children
        if op != "=":
            y = self.convert_untyped(self.expr(right_ts[0]), left[0].type)
            return [Node("OASOP", pos, x=left[0], y=y, asop=_ASSIGN_OPS[op])]
        if len(right_ts) == 1 and len(left) > 1:
            rhs = self.expr(right_ts[0])
            _, kind = self.multi_types(rhs, ts)
            return [Node(kind, pos, lhs=left, rhs=[rhs])]
        rhs = []
        for l, r in zip(left, right_ts):
            v = self.expr(r, l.type)
            rhs.append(self.convert_untyped(v, T.default_type(v.type)) if _is_blank(l) else
                       self.assign_conv(v, l.type, syntax_pos(r)))
        if len(left) == 1:
            return [Node("OAS", pos, x=left[0], y=rhs[0])]
        return [Node("OAS2", pos, lhs=left, rhs=rhs)]

    def stmt_inc_statement(self, ts):
        x = self.expr(ts.named_children[0])
        one = Node("OLITERAL", pos_of(ts), x.type, val=1)
        return [Node("OASOP", pos_of(ts.child(1)), x=x, y=one, asop="+")]

    stmt_dec_statement = stmt_inc_statement

    def stmt_send_statement(self, ts):
        ch = self.expr(ts.child_by_field_name("channel"))
        value = self.rvalue(ts.child_by_field_name("value"), ch.type.elem)
        return [Node("OSEND", pos_of(ts.child(1)), chan=ch, value=value)]

    def stmt_return_statement(self, ts):
        results = self.fn.sig.results
        exprs_ts = ts.named_children[0].named_children if ts.named_children else []
        pos = pos_of(ts)
        if len(exprs_ts) == 1 and len(results) > 1:
            call = self.expr(exprs_ts[0])
            names = [r.nname for r in results]
            return [Node("OAS2FUNC", pos, lhs=names, rhs=[call]), Node("ORETURN", pos, results=[])]
        values = [self.rvalue(e, r.type) for e, r in zip(exprs_ts, results)]
        return [Node("ORETURN", pos, results=values)]

    # --- control flow ------------------------------------------------------------------------------------

    def stmt_if_statement(self, ts):
        saved = self.scope
        self.scope = Scope(self.scope)
        init = self.stmt(ts.child_by_field_name("initializer")) if ts.child_by_field_name("initializer") else []
        cond = self.expr(ts.child_by_field_name("condition"))
        body = self.block(ts.child_by_field_name("consequence"))
        alt = ts.child_by_field_name("alternative")
        els = [] if alt is None else (self.block(alt) if alt.type == "block" else self.stmt(alt))
        self.scope = saved
        n = Node("OIF", pos_of(ts), cond=cond, body=body, els=els)
        n.init = init
        return [n]

    def stmt_for_statement(self, ts):
        saved = self.scope
        self.scope = Scope(self.scope)
        body_ts = ts.child_by_field_name("body")
        clause = next((c for c in ts.named_children if c.type in ("for_clause", "range_clause")), None)
        if clause is None:
            cond_ts = next((c for c in ts.named_children if c is not body_ts), None)
            n = Node("OFOR", pos_of(ts), cond=self.expr(cond_ts) if cond_ts else None, post=None,
                     body=self.block(body_ts))
        elif clause.type == "range_clause":
            n = self.range_stmt(ts, clause, body_ts)
        else:
            init_ts = clause.child_by_field_name("initializer")
            init = self.stmt(init_ts) if init_ts else []
            per_iter = [d.x for d in init if d.op == "ODCL" and _observed(body_ts, d.x.sym)]
            cond = clause.child_by_field_name("condition")
            update = clause.child_by_field_name("update")
            n = Node("OFOR", pos_of(ts), cond=self.expr(cond) if cond else None,
                     post=(self.stmt(update)[0] if update else None), body=self.block(body_ts))
            n.init = init
            n.per_iteration = per_iter
        self.scope = saved
        return [n]

    def range_stmt(self, ts, clause, body_ts):
        x = self.expr(clause.child_by_field_name("right"))
        u = x.type.underlying()
        if isinstance(u, T.Basic) and u.name in T.INTEGERS or (x.op == "OLITERAL"):
            key_t, val_t = T.default_type(x.type), None
            x = self.convert_untyped(x, key_t)
        elif u.kind == "string":
            key_t, val_t = T.UNIVERSE["int"], T.UNIVERSE["rune"]
        elif isinstance(u, T.Map):
            key_t, val_t = u.key, u._elem
        elif isinstance(u, T.Chan):
            key_t, val_t = u._elem, None
        elif isinstance(u, (T.Slice, T.Array)):
            key_t, val_t = T.UNIVERSE["int"], u._elem
        elif u.kind == "ptr" and isinstance(u._elem.underlying(), T.Array):
            key_t, val_t = T.UNIVERSE["int"], u._elem.underlying()._elem
        else:
            raise Unsupported("range over function (iterator)", clause)
        left = clause.child_by_field_name("left")
        define = any(c.type == ":=" for c in clause.children)
        kv, decls = [None, None], []
        if left is not None:
            for i, e in enumerate(left.named_children[:2]):
                if define:
                    n = self.new_local(e, key_t if i == 0 else val_t)
                    kv[i] = n
                    if n.sym != "_":
                        decls.append(n)
                else:
                    kv[i] = self.expr(e)
        # the range clause is positioned at its range keyword
        n = Node("ORANGE", pos_of(_child_of_type(clause, "range")), x=x, key=kv[0], value=kv[1])
        for d in decls:
            d.defn = n
            self.scope.declare(d.sym, d)
        n.init = [Node("ODCL", d.pos, x=d) for d in decls]
        n.per_iteration = [d for d in decls if _observed(body_ts, d.sym)]
        n.body = self.block(body_ts)
        return n

    def stmt_labeled_statement(self, ts):
        label = ts.child_by_field_name("label").text.decode()
        rest = [c for c in ts.named_children if c.type != "label_name"]
        out = [Node("OLABEL", pos_of(ts), label=label)]
        for r in rest:
            out.extend(self.stmt(r))
        return out

    def stmt_goto_statement(self, ts):
        return [Node("OGOTO", pos_of(ts), label=ts.named_children[0].text.decode())]

    def stmt_break_statement(self, ts):
        return []

    stmt_continue_statement = stmt_fallthrough_statement = stmt_break_statement

    def stmt_expression_switch_statement(self, ts):
        saved = self.scope
        self.scope = Scope(self.scope)
        init_ts = ts.child_by_field_name("initializer")
        init = self.stmt(init_ts) if init_ts else []
        value_ts = ts.child_by_field_name("value")
        tag = self.expr(value_ts) if value_ts else None
        cases = []
        for c in ts.named_children:
            if c.type in ("expression_case", "default_case"):
                vals = c.child_by_field_name("value")
                lst = [self.expr(v) for v in vals.named_children] if vals is not None else []
                if tag is not None:
                    lst = [self.match_operands(tag, v)[1] for v in lst]
                cases.append(Node("OCASE", pos_of(c), list=lst, body=self.case_body(c), var=None))
        self.scope = saved
        n = Node("OSWITCH", pos_of(ts), tag=tag, cases=cases, guard=None)
        n.init = init
        return [n]

    def case_body(self, c):
        saved = self.scope
        self.scope = Scope(self.scope)
        out = []
        for s in c.named_children:
            if s.type == "statement_list":
                for x in s.named_children:
                    out.extend(self.stmt(x))
        self.scope = saved
        return out

    def stmt_type_switch_statement(self, ts):
        saved = self.scope
        self.scope = Scope(self.scope)
        init_ts = ts.child_by_field_name("initializer")
        init = self.stmt(init_ts) if init_ts else []
        alias = ts.child_by_field_name("alias")
        x = self.expr(ts.child_by_field_name("value"))
        cases = []
        for c in ts.named_children:
            if c.type not in ("type_case", "default_case"):
                continue
            types_ = [self.resolve_type(t) if t.text != b"nil" else None
                      for t in c.children_by_field_name("type")]
            var = None
            if alias is not None:
                vt = types_[0] if len(types_) == 1 and types_[0] is not None else x.type
                var = self.new_local(alias.named_children[0], vt)
                self.scope = Scope(self.scope)
                self.scope.declare(var.sym, var)
            body = self.case_body(c)
            if alias is not None:
                self.scope = self.scope.parent
            cases.append(Node("OCASE", pos_of(c), list=[], body=body, var=var))
        self.scope = saved
        n = Node("OSWITCH", pos_of(ts), tag=None, cases=cases, guard=Node("OTYPESW", pos_of(ts), x=x,
                                                                          bound=alias is not None))
        n.init = init
        return [n]

    def stmt_select_statement(self, ts):
        cases = []
        for c in ts.named_children:
            if c.type not in ("communication_case", "default_case"):
                continue
            saved = self.scope
            self.scope = Scope(self.scope)
            comm_ts = c.child_by_field_name("communication")
            comm = self.stmt(comm_ts) if comm_ts is not None else []
            body = self.case_body(c)
            self.scope = saved
            cases.append(Node("OCASE", pos_of(c), comm=comm, body=body))
        return [Node("OSELECT", pos_of(ts), cases=cases)]

    def stmt_receive_statement(self, ts):
        left = ts.child_by_field_name("left")
        right = self.expr(ts.child_by_field_name("right"))
        if left is None:
            return [right]
        names = left.named_children
        define = any(ch.type == ":=" for ch in ts.children)
        if define:
            if len(names) == 1:
                n = self.new_local(names[0], right.type)
                a = Node("OAS", pos_of(ts), x=n, y=right)
                n.defn = a
                self.scope.declare(n.sym, n)
                return [Node("ODCL", n.pos, x=n), a]
            return self.define_multi(names, right, ts, None)
        lhs = [self.expr(x) for x in names]
        if len(lhs) == 1:
            return [Node("OAS", pos_of(ts), x=lhs[0], y=right)]
        return [Node("OAS2RECV", pos_of(ts), lhs=lhs, rhs=[right])]

    # --- go and defer --------------------------------------------------------------------------------------

    def stmt_go_statement(self, ts):
        return self.go_defer("OGO", ts)

    def stmt_defer_statement(self, ts):
        return self.go_defer("ODEFER", ts)

    def go_defer(self, op, ts):
        call_ts = ts.named_children[0]
        call = self.expr(call_ts)
        pos = pos_of(ts)
        if call.op == "OCALLFUNC" and call.recv is None and not call.sig.params and not call.sig.results \
                and not call.args:
            return [Node(op, pos, call=call)]
        # normalizeGoDeferCall: evaluate operands now into temporaries the wrapper captures.
        outer = self.fn
        top = outer
        while top.outer is not None:
            top = top.outer
        wrapper = Func(f"{top.name}.{'gowrap' if op == 'OGO' else 'deferwrap'}", pos,
                       T.Signature([], []), outer=outer)
        wrapper.wrapper = True
        outer.closures.append(wrapper)
        temps, values = [], []

        def visit(n, setter):
            if n is None or n.op in ("OLITERAL", "ONIL", "OMETHEXPR", "ONEW", "OTYPE") or \
                    (n.op == "ONAME" and n.cls == "PFUNC"):
                return
            if n.op in ("OARRAYLIT", "OSLICELIT", "OSTRUCTLIT"):
                for i, el in enumerate(n.list):
                    if n.op == "OSTRUCTLIT":
                        f, v = el
                        visit(v, lambda new, i=i, f=f: n.list.__setitem__(i, (f, new)))
                    else:
                        visit(el, lambda new, i=i: n.list.__setitem__(i, new))
                return
            # at the argument when it has a position of its own (ir.HasUniquePos), else at go/defer
            unique = n.op not in ("ONAME", "OLITERAL", "ONIL", "OTYPE")
            tmp = self.new_temp(n.pos if unique else pos, n.type)
            temps.append(tmp)
            values.append(n)
            cv = Name(tmp.sym, tmp.pos, tmp.type, PAUTO, wrapper)
            cv.outer = tmp
            wrapper.closure_vars.append(cv)
            setter(cv)

        if call.op == "OCALLINTER":
            visit(call.recv, lambda new: setattr(call, "recv", new))
        elif call.op == "OCALLFUNC":
            if call.fn is None:
                visit(call.fun, lambda new: setattr(call, "fun", new))
            if call.recv is not None:
                visit(call.recv, lambda new: setattr(call, "recv", new))
        for attr in ("args",):
            lst = getattr(call, attr, None)
            if lst is not None:
                for i, a in enumerate(list(lst)):
                    visit(a, lambda new, i=i, lst=lst: lst.__setitem__(i, new))
        for attr in ("x", "y"):
            if call.op in ("OCOPY", "OCLOSE", "OCLEAR", "OPANIC") and getattr(call, attr, None) is not None:
                visit(getattr(call, attr), lambda new, a=attr: setattr(call, a, new))
        wrapper.body = [call]
        init = [Node("ODCL", t.pos, x=t) for t in temps]
        if temps:
            as2 = Node("OAS2", pos, lhs=temps, rhs=values, short=False)
            for t in temps:
                t.defn = as2
            init.append(as2)
        clo = Node("OCLOSURE", pos, wrapper.sig, func=wrapper)
        n = Node(op, pos, call=Node("OCALLFUNC", call.pos, None, fun=clo, recv=None, args=[], fn=wrapper,
                                     ddd=False, sig=wrapper.sig))
        n.init = init
        return [n]


def _walk_specs(ts):
    for c in ts.named_children:
        if c.type == "var_spec":
            yield c
        elif c.type == "var_spec_list":
            yield from _walk_specs(c)


def _child_of_type(ts, kind):
    return next((c for c in ts.children if c.type == kind), ts)


def _is_blank(n):
    return n.op == "ONAME" and n.sym == "_"


def _observed(body_ts, name):
    """Whether a loop variable may be captured by a closure or have its address taken in the body:
    then Go 1.22 gives each iteration its own copy (the compiler's loopvar rewrite)."""
    if body_ts is None:
        return False
    stack = [(body_ts, False)]
    while stack:
        node, in_closure = stack.pop()
        if node.type == "identifier" and node.text.decode() == name:
            parent = node.parent
            if in_closure or (parent is not None and parent.type == "unary_expression"
                              and parent.child_by_field_name("operator").text == b"&"):
                return True
            if parent is not None and parent.type in ("selector_expression", "slice_expression"):
                return True
        for c in node.children:
            stack.append((c, in_closure or node.type == "func_literal"))
    return False
