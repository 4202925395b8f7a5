"""Constant folding as the type checker does it: the compiler prints folded values (`1+2` shows as 3)."""

import operator

from runtime.escape import types as T

_BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "|": operator.or_, "^": operator.xor,
    "&": operator.and_, "&^": lambda a, b: a & ~b, "<<": operator.lshift, ">>": operator.rshift,
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "&&": lambda a, b: a and b, "||": lambda a, b: a or b,
}
_RANK = {"untyped int": 0, "untyped rune": 1, "untyped float": 2, "untyped complex": 3}


def parse_literal(kind, text):
    """(value, untyped type) of a literal token."""
    if kind == "int_literal":
        return int(text.replace("_", ""), 0) if not _legacy_octal(text) else int(text, 8), T.UNTYPED["int"]
    if kind == "float_literal":
        return float(text.replace("_", "")), T.UNTYPED["float"]
    if kind == "imaginary_literal":
        return complex(0, float(text[:-1].replace("_", ""))), T.UNTYPED["complex"]
    if kind == "rune_literal":
        return ord(_unquote(text[1:-1])), T.UNTYPED["rune"]
    if kind in ("interpreted_string_literal", "raw_string_literal"):
        body = text[1:-1]
        return (body if kind == "raw_string_literal" else _unquote(body)), T.UNTYPED["string"]
    raise ValueError(kind)


def _legacy_octal(text):
    return len(text) > 1 and text[0] == "0" and text[1].isdigit()


def _unquote(body):
    if "\\" not in body:
        return body
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape") if body.isascii() else body


def binary(op, x, xt, y, yt):
    """Fold x op y; the result's type is the typed operand's, else the larger untyped kind."""
    if op == "/":
        result = x // y if isinstance(x, int) and isinstance(y, int) and _is_integer(xt, yt) else x / y
        if isinstance(x, int) and isinstance(y, int) and _is_integer(xt, yt) and (x < 0) != (y < 0) and x % y:
            result += 1     # Go truncates toward zero
    elif op == "%":
        result = abs(x) % abs(y) * (1 if x >= 0 else -1)
    else:
        result = _BINARY[op](x, y)
    if op in ("==", "!=", "<", "<=", ">", ">=", "&&", "||"):
        return result, T.UNTYPED["bool"] if _untyped(xt) and _untyped(yt) else T.UNIVERSE["bool"]
    if not _untyped(xt):
        return result, xt
    if not _untyped(yt):
        return result, yt
    return result, max(xt, yt, key=lambda t: _RANK.get(t.name, 0))


def _untyped(t):
    return isinstance(t, T.Basic) and t.is_untyped()


def _is_integer(xt, yt):
    def integral(t):
        u = t.underlying()
        return isinstance(u, T.Basic) and (u.name in T.INTEGERS or u.name in ("untyped int", "untyped rune"))
    return integral(xt) and integral(yt)


def unary(op, x):
    return {"-": lambda v: -v, "+": lambda v: v, "!": lambda v: not v, "^": lambda v: ~v}[op](x)


def convert(value, t):
    """A constant converted to type t (integers truncate floats; strings from runes)."""
    u = t.underlying()
    if isinstance(u, T.Basic):
        if u.name in T.INTEGERS and isinstance(value, float) and value.is_integer():
            return int(value)
        if u.name in T.FLOATS and isinstance(value, int):
            return float(value)
        if u.name == "string" and isinstance(value, int):
            return chr(value)
    return value


def go_string(value, t):
    """The constant as the compiler prints it (constant.Value's String, or the type's format)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, float):
        return _g6(value)
    if isinstance(value, complex):
        return f"({_g6(value.real)} + {_g6(value.imag)}i)"
    if t is not None and getattr(t, "is_rune", False) and 0 <= value <= 0x10FFFF:
        return "'" + _quote(chr(value))[1:-1].replace("'", "\\'").replace('\\"', '"') + "'"
    return str(value)


def _g6(v):
    """%.6g as Go prints it (exponent with at least two digits)."""
    s = "%.6g" % v
    return s


def _quote(s):
    """strconv.Quote, shortened as go/constant does for long strings (72 bytes)."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    q = "".join(out)
    if len(q) > 72:             # runes, as utf8.RuneCountInString counts
        q = q[:69] + "..."
    return q
