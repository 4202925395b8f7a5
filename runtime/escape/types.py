"""Go types as escape analysis needs them: size, alignment, pointers, interface shape (amd64).

Escape analysis asks few questions of a type (cmd/compile/internal/types): does it hold pointers
(HasPointers: scalars never flow anywhere), is it an interface or pointer-shaped (IsDirectIface: an
interface conversion of a pointer-shaped value needs no boxing), and how big it is (the 64/128 KiB stack
limits, closures captured by value up to 128 bytes). The rest of the type checker only needs identity.
"""

PTR_SIZE = 8

# Basic kinds: name -> (size, align, has pointers)
BASIC = {
    "bool": (1, 1), "int8": (1, 1), "uint8": (1, 1), "int16": (2, 2), "uint16": (2, 2),
    "int32": (4, 4), "uint32": (4, 4), "int64": (8, 8), "uint64": (8, 8), "int": (8, 8),
    "uint": (8, 8), "uintptr": (8, 8), "float32": (4, 4), "float64": (8, 8),
    "complex64": (8, 4), "complex128": (16, 8), "string": (16, 8), "unsafe.Pointer": (8, 8),
}
INTEGERS = {"int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "int", "uint",
            "uintptr"}
FLOATS = {"float32", "float64"}
COMPLEXES = {"complex64", "complex128"}


class Type:
    """A Go type; immutable once built (Named types get their underlying set once, after declaration)."""
    kind = "?"
    sym = None          # a Named type's name; None for type literals

    def underlying(self):
        return self

    def size(self):
        raise NotImplementedError

    def align(self):
        return min(self.size(), PTR_SIZE) or 1

    def has_pointers(self):
        return False

    def is_interface(self):
        return self.underlying().kind == "interface"

    def is_kind(self, *kinds):
        return self.underlying().kind in kinds

    @property
    def elem(self):
        return self.underlying()._elem

    def __repr__(self):
        return self.string()


class Basic(Type):
    """A predeclared type (int, string, ...), or an untyped constant's type ("untyped int")."""

    def __init__(self, name, display=None, is_rune=False):
        self.name, self.display, self.is_rune = name, display or name, is_rune
        self.kind = name if not name.startswith("untyped") else "untyped"

    def size(self):
        return BASIC.get(self.name, (8, 8))[0]

    def align(self):
        return BASIC.get(self.name, (8, 8))[1]

    def has_pointers(self):
        return self.name in ("string", "unsafe.Pointer", "untyped string", "untyped nil")

    def is_untyped(self):
        return self.kind == "untyped"

    def string(self):
        return self.display


class Pointer(Type):
    kind = "ptr"

    def __init__(self, elem):
        self._elem = elem

    def size(self):
        return PTR_SIZE

    def has_pointers(self):
        return True

    def string(self):
        return "*" + self._elem.string()


class Slice(Type):
    kind = "slice"

    def __init__(self, elem):
        self._elem = elem

    def size(self):
        return 3 * PTR_SIZE

    def align(self):
        return PTR_SIZE

    def has_pointers(self):
        return True

    def string(self):
        return "[]" + self._elem.string()


class Array(Type):
    kind = "array"

    def __init__(self, elem, length):
        self._elem, self.length = elem, length

    def size(self):
        return self._elem.size() * self.length

    def align(self):
        return self._elem.align()

    def has_pointers(self):
        return self.length > 0 and self._elem.has_pointers()

    def string(self):
        return f"[{self.length}]{self._elem.string()}"


class Map(Type):
    kind = "map"

    def __init__(self, key, elem):
        self.key, self._elem = key, elem

    def size(self):
        return PTR_SIZE

    def has_pointers(self):
        return True

    def string(self):
        return f"map[{self.key.string()}]{self._elem.string()}"


class Chan(Type):
    kind = "chan"

    def __init__(self, elem, dir_=""):
        self._elem, self.dir = elem, dir_

    def size(self):
        return PTR_SIZE

    def has_pointers(self):
        return True

    def string(self):
        prefix = {"": "chan ", "send": "chan<- ", "recv": "<-chan "}[self.dir]
        return prefix + self._elem.string()


class Field:
    """A struct field, or a parameter/result of a signature (name may be None)."""

    def __init__(self, name, type_, embedded=False, pos=None, variadic=False):
        self.name, self.type, self.embedded, self.pos, self.variadic = name, type_, embedded, pos, variadic
        self.nname = None   # the function's ir.Name for this parameter, when it has a body
        self.note = None    # leak tag (a Leaks) once the function has been analyzed or summarized


class Struct(Type):
    kind = "struct"

    def __init__(self, fields):
        self.fields = fields

    def offsets(self):
        offset, out = 0, []
        for f in self.fields:
            a = f.type.align()
            offset = (offset + a - 1) // a * a
            out.append(offset)
            offset += f.type.size()
        return out, offset

    def size(self):
        if not self.fields:
            return 0
        offs, end = self.offsets()
        a = self.align()
        if self.fields[-1].type.size() == 0 and end > 0:
            end += 1    # a trailing zero-size field gets padding so &s.last stays inside s
        return (end + a - 1) // a * a

    def align(self):
        return max((f.type.align() for f in self.fields), default=1)

    def has_pointers(self):
        return any(f.type.has_pointers() for f in self.fields)

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)

    def string(self):
        if not self.fields:
            return "struct {}"
        parts = [(f.type.string() if f.embedded else f"{f.name} {f.type.string()}") for f in self.fields]
        return "struct { " + "; ".join(parts) + " }"


class Signature(Type):
    """A func type. recv is a Field for methods (kept apart from params, as types.Type.Recv)."""
    kind = "func"

    def __init__(self, params, results, variadic=False, recv=None):
        self.params, self.results, self.variadic, self.recv = params, results, variadic, recv

    def size(self):
        return PTR_SIZE

    def has_pointers(self):
        return True

    def recv_params(self):
        return ([self.recv] if self.recv else []) + list(self.params)

    def string(self):
        ps = []
        for i, p in enumerate(self.params):
            t = p.type
            if self.variadic and i == len(self.params) - 1:
                ps.append("..." + t.elem.string())
            else:
                ps.append(t.string())
        s = "func(" + ", ".join(ps) + ")"
        if len(self.results) == 1:
            s += " " + self.results[0].type.string()
        elif self.results:
            s += " (" + ", ".join(r.type.string() for r in self.results) + ")"
        return s


class Interface(Type):
    kind = "interface"

    def __init__(self, methods, embeds=()):
        self._methods, self.embeds = methods, list(embeds)   # name -> Signature

    def methods(self):
        out = {}
        for e in self.embeds:
            u = e.underlying()
            if isinstance(u, Interface):
                out.update(u.methods())
        out.update(self._methods)
        return out

    def size(self):
        return 2 * PTR_SIZE

    def align(self):
        return PTR_SIZE

    def has_pointers(self):
        return True

    def string(self):
        if getattr(self, "alias", None):
            return self.alias
        ms = self.methods()
        if not ms:
            return "interface {}"
        return "interface { " + "; ".join(f"{n}{sig.string()[4:]}" for n, sig in sorted(ms.items())) + " }"


class Tuple(Type):
    """The results of a multi-value call."""
    kind = "tuple"

    def __init__(self, types):
        self.types = types

    def size(self):
        return sum(t.size() for t in self.types)

    def has_pointers(self):
        return any(t.has_pointers() for t in self.types)

    def string(self):
        return "(" + ", ".join(t.string() for t in self.types) + ")"


class Named(Type):
    """A defined type: its name, package, underlying type and methods (name -> ir.Func)."""

    def __init__(self, name, pkg="", underlying=None):
        self.sym, self.pkg, self._underlying = name, pkg, underlying
        self.methods = {}
        self.kind = "named"

    def underlying(self):
        u = self._underlying
        while isinstance(u, Named):
            u = u._underlying
        return u

    def set_underlying(self, t):
        self._underlying = t

    def size(self):
        return self.underlying().size()

    def align(self):
        return self.underlying().align()

    def has_pointers(self):
        return self.underlying().has_pointers()

    @property
    def elem(self):
        return self.underlying()._elem

    def string(self):
        return f"{self.pkg}.{self.sym}" if self.pkg else self.sym


UNIVERSE = {name: Basic(name) for name in BASIC if name != "unsafe.Pointer"}
UNIVERSE["byte"] = Basic("uint8", "byte")
UNIVERSE["rune"] = Basic("int32", "rune", is_rune=True)
UNSAFE_POINTER = Basic("unsafe.Pointer")
EMPTY_INTERFACE = Interface({})
ANY = Interface({})
ANY.alias = "any"          # printed by its name, as the compiler prints the alias
UNIVERSE["any"] = ANY
ERROR = Named("error", "", Interface({}))
ERROR.set_underlying(Interface({"Error": Signature([], [Field(None, UNIVERSE["string"])])}))
UNIVERSE["error"] = ERROR
UNTYPED = {k: Basic("untyped " + k, is_rune=(k == "rune"))
           for k in ("int", "float", "rune", "string", "bool", "nil", "complex")}


def default_type(t):
    """The type an untyped constant takes when nothing else decides (types2 Default)."""
    if isinstance(t, Basic) and t.is_untyped():
        return UNIVERSE.get({"untyped int": "int", "untyped float": "float64", "untyped rune": "int32",
                             "untyped string": "string", "untyped bool": "bool",
                             "untyped complex": "complex128"}.get(t.name, ""), t) if t.name != "untyped rune" \
            else UNIVERSE["rune"]
    return t


def is_direct_iface(t):
    """types.IsDirectIface: values of t are stored in an interface's data word directly."""
    u = t.underlying()
    if u.kind in ("ptr", "chan", "map", "func", "unsafe.Pointer"):
        return True
    if isinstance(u, Array):
        return u.length == 1 and is_direct_iface(u._elem)
    if isinstance(u, Struct):
        return len(u.fields) == 1 and is_direct_iface(u.fields[0].type)
    return False


def identical(a, b):
    if a is b:
        return True
    if isinstance(a, Named) or isinstance(b, Named):
        return False
    if type(a) is not type(b):
        return False
    if isinstance(a, Basic):
        return a.name == b.name
    if isinstance(a, (Pointer, Slice)):
        return identical(a._elem, b._elem)
    if isinstance(a, Array):
        return a.length == b.length and identical(a._elem, b._elem)
    if isinstance(a, Map):
        return identical(a.key, b.key) and identical(a._elem, b._elem)
    if isinstance(a, Chan):
        return a.dir == b.dir and identical(a._elem, b._elem)
    if isinstance(a, Interface):
        return a.methods().keys() == b.methods().keys()
    if isinstance(a, Struct):
        return len(a.fields) == len(b.fields) and all(
            x.name == y.name and identical(x.type, y.type) for x, y in zip(a.fields, b.fields))
    if isinstance(a, Signature):
        return (len(a.params) == len(b.params) and len(a.results) == len(b.results) and
                all(identical(x.type, y.type) for x, y in zip(a.params + a.results, b.params + b.results)))
    return False
