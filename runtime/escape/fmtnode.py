"""Printing ir nodes as the compiler's %v does (cmd/compile/internal/ir/fmt.go exprFmt/stmtFmt)."""

from runtime.escape import constant
from runtime.escape import types as T

_PREC = {"OPLUS": 7, "ONOT": 7, "OBITNOT": 7, "ONEG": 7, "OADDR": 7, "ODEREF": 7, "ORECV": 7,
         "OMUL": 6, "ODIV": 6, "OMOD": 6, "OLSH": 6, "ORSH": 6, "OAND": 6, "OANDNOT": 6,
         "OADD": 5, "OSUB": 5, "OOR": 5, "OXOR": 5, "OEQ": 4, "OLT": 4, "OLE": 4, "OGE": 4, "OGT": 4,
         "ONE": 4, "OSEND": 3, "OANDAND": 2, "OOROR": 1, "OPTRLIT": 0, "OCLOSURE": 0, "OADDSTR": 0}
_SYMBOL = {"OADD": "+", "OSUB": "-", "OMUL": "*", "ODIV": "/", "OMOD": "%", "OAND": "&", "OOR": "|",
           "OXOR": "^", "OLSH": "<<", "ORSH": ">>", "OANDNOT": "&^", "OEQ": "==", "ONE": "!=", "OLT": "<",
           "OLE": "<=", "OGT": ">", "OGE": ">=", "OANDAND": "&&", "OOROR": "||", "OPLUS": "+", "ONEG": "-",
           "ONOT": "!", "OBITNOT": "^", "ORECV": "<-", "OADDR": "&", "ODEREF": "*"}
_BUILTIN_NAME = {"OLEN": "len", "OCAP": "cap", "OREAL": "real", "OIMAG": "imag", "OCLOSE": "close",
                 "OCLEAR": "clear", "ONEW": "new", "OPANIC": "panic", "OAPPEND": "append",
                 "ODELETE": "delete", "OMAX": "max", "OMIN": "min", "ORECOVER": "recover", "OPRINT": "print",
                 "OCOPY": "copy", "OCOMPLEX": "complex"}
_DEFAULT = {bool: "bool", str: "string", int: "int", float: "float64", complex: "complex128"}


def type_string(t):
    return t.string() if t is not None else "<nil>"


def literal(n):
    t, v = n.type, n.val
    if t is not None and getattr(t, "is_rune", False) and isinstance(v, int):
        return constant.go_string(v, t)
    default = _DEFAULT[type(v)]
    if t is None or (isinstance(t, T.Basic) and (t.is_untyped() or (t.name == default and not t.is_rune))):
        return constant.go_string(v, t)
    if isinstance(t, T.Basic) and t.name == "float64" and isinstance(v, float):
        return constant.go_string(v, t)
    return f"{type_string(t)}({constant.go_string(v, t)})"


def fmt(n, prec=0):
    while n is not None and n.implicit and n.op in ("OADDR", "ODEREF", "OCONV", "OCONVNOP", "OCONVIFACE"):
        n = n.x
    if n is None:
        return "<nil>"
    op = n.op
    nprec = _PREC.get(op, 8)
    if prec > nprec:
        return "(" + fmt(n) + ")"
    if op == "ONIL":
        return "nil"
    if op == "OLITERAL":
        return literal(n)
    if op == "ONAME":
        if getattr(n, "pkg_name", None):
            return f"{n.pkg_name}.{n.sym}"
        return "_" if n.sym.startswith("~b") else n.sym
    if op == "OTYPE":
        return type_string(n.type)
    if op == "OCLOSURE":
        return "func literal"
    if op == "OPTRLIT":
        return "&" + fmt(n.x)
    if op in ("OSTRUCTLIT", "OARRAYLIT", "OSLICELIT", "OMAPLIT"):
        if getattr(n, "implicit_dots", False):
            return "... argument"
        return f"{type_string(n.type)}{{{'...' if (n.list or getattr(n, 'runes', False)) else ''}}}"
    if op in ("ODOT", "ODOTPTR", "ODOTINTER", "ODOTMETH", "OMETHVALUE"):
        return fmt(n.x, nprec) + "." + n.sel
    if op == "OMETHEXPR":
        return type_string(n.recv_type) + "." + n.method.nname.sym
    if op == "ODOTTYPE":
        return fmt(n.x, nprec) + f".({type_string(n.type)})"
    if op in ("OINDEX", "OINDEXMAP"):
        return fmt(n.x, nprec) + "[" + fmt(n.index) + "]"
    if op in ("OSLICE", "OSLICESTR", "OSLICEARR"):
        s = fmt(n.x, nprec) + "["
        s += fmt(n.low) if n.low is not None else ""
        s += ":" + (fmt(n.high) if n.high is not None else "")
        if n.max is not None:
            s += ":" + fmt(n.max)
        return s + "]"
    if op in ("OCOMPLEX", "OCOPY"):
        return f"{_BUILTIN_NAME[op]}({fmt(n.x)}, {fmt(n.y)})"
    if op in ("OCONV", "OCONVIFACE", "OCONVNOP", "OBYTES2STR", "ORUNES2STR", "OSTR2BYTES", "OSTR2RUNES",
              "ORUNESTR"):
        t = n.type
        named = t is not None and (t.sym is not None or isinstance(t, T.Basic) or getattr(t, "alias", None))
        ts = type_string(t) if named else f"({type_string(t)})"
        return f"{ts}({fmt(n.x)})"
    if op in ("OREAL", "OIMAG", "OCAP", "OCLEAR", "OCLOSE", "OLEN", "OPANIC"):
        return f"{_BUILTIN_NAME[op]}({fmt(n.x)})"
    if op == "ONEW":
        return f"new({type_string(n.elemtype)})"
    if op in ("OAPPEND", "ODELETE", "OMAX", "OMIN", "ORECOVER", "OPRINT"):
        args = ", ".join(fmt(a) for a in n.args)
        return f"{_BUILTIN_NAME[op]}({args}{'...' if getattr(n, 'ddd', False) else ''})"
    if op in ("OCALLFUNC", "OCALLINTER"):
        if getattr(n, "fun", None) is not None and n.fun.op == "ODOTMETH" and n.recv is not None:
            args = [n.recv] + list(n.args)      # FixMethodCall: printed as (*T).M(recv, args)
            return f"{_method_name(n.fn)}({', '.join(fmt(a) for a in args)}{'...' if n.ddd else ''})"
        elif n.fun is not None and n.fun.op == "OMETHEXPR":
            head = fmt(n.fun)
            args = [n.recv] + list(n.args)
            return f"{head}({', '.join(fmt(a) for a in args)}{'...' if n.ddd else ''})"
        else:
            head = fmt(n.fun, nprec) if n.fun.op != "OCLOSURE" else "func literal"
        return f"{head}({', '.join(fmt(a) for a in n.args)}{'...' if n.ddd else ''})"
    if op in ("OMAKESLICE", "OMAKEMAP", "OMAKECHAN"):
        if getattr(n, "cap", None) is not None:
            return f"make({type_string(n.type)}, {fmt(n.len)}, {fmt(n.cap)})"
        if n.len is not None and (op == "OMAKESLICE" or not (isinstance(n.len.type, T.Basic)
                                                             and n.len.type.is_untyped())):
            return f"make({type_string(n.type)}, {fmt(n.len)})"
        return f"make({type_string(n.type)})"
    if op in ("OPLUS", "ONEG", "OBITNOT", "ONOT", "ORECV", "OADDR"):
        sep = " " if n.x is not None and n.x.op == op else ""
        return _SYMBOL[op] + sep + fmt(n.x, nprec + 1)
    if op == "ODEREF":
        return "*" + fmt(n.x, nprec + 1)
    if op in _SYMBOL:
        return f"{fmt(n.x, nprec)} {_SYMBOL[op]} {fmt(n.y, nprec + 1)}"
    if op == "OADDSTR":
        return " + ".join(fmt(x, nprec) for x in n.list)
    return stmt(n)


def stmt(n):
    op = n.op
    if op == "OAS":
        define = n.x.op == "ONAME" and n.x.defn is n and _is_short(n)
        if n.y is None:
            return f"{fmt(n.x)} = <nil>"
        return f"{fmt(n.x)} {':=' if define else '='} {fmt(n.y)}"
    if op == "OASOP":
        return f"{fmt(n.x)} {n.asop}= {fmt(n.y)}"
    if op in ("OAS2", "OAS2FUNC", "OAS2MAPR", "OAS2DOTTYPE", "OAS2RECV"):
        define = any(l.op == "ONAME" and l.defn is n for l in n.lhs) and _is_short(n)
        return f"{', '.join(fmt(l) for l in n.lhs)} {':=' if define else '='} {', '.join(fmt(r) for r in n.rhs)}"
    if op == "ORETURN":
        return "return " + ", ".join(fmt(r) for r in n.results) if n.results else "return"
    if op == "OSEND":
        return f"{fmt(n.chan)} <- {fmt(n.value)}"
    if op == "ORANGE":
        return "for loop"       # ir's stmtFmt outside export format
    if op in ("OGO", "ODEFER"):
        return ("go " if op == "OGO" else "defer ") + fmt(n.call)
    if op == "OCASE":
        return "case"
    return f"<node {op}>"


def _method_name(fn):
    """(*T).M / T.M, the type qualified by its package when it is another one's: (*sync.WaitGroup).Add."""
    recv = fn.sig.recv.type if fn.sig.recv is not None else None
    if recv is None:
        return fn.name
    method = fn.name.rsplit(".", 1)[-1]
    if isinstance(recv, T.Pointer) or (not isinstance(recv, T.Named) and recv.underlying().kind == "ptr"):
        return f"(*{type_string(recv.elem)}).{method}"
    return f"{type_string(recv)}.{method}"


def _is_short(n):
    return getattr(n, "short", True)
