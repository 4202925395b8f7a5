"""Scopes, packages and the error a construct outside the covered subset raises."""


class Unsupported(Exception):
    """A Go construct the analysis does not model: reported as a note, never guessed at."""

    def __init__(self, construct, ts=None):
        super().__init__(construct)
        self.construct = construct
        self.pos = pos_of(ts) if ts is not None else None


class TypeName:
    """A declared type's entry in a scope."""

    def __init__(self, type_):
        self.type = type_


class Package:
    """An imported package: its exported members (Names of funcs/vars/consts, TypeNames)."""

    def __init__(self, path, members):
        self.path, self.members = path, members
        self.name = path.rsplit("/", 1)[-1]


class Scope:
    """A lexical block: names to entities, with its enclosing block."""

    def __init__(self, parent=None):
        self.parent, self.names = parent, {}

    def lookup(self, name):
        s = self
        while s is not None:
            if name in s.names:
                return s.names[name]
            s = s.parent
        return None

    def declare(self, name, entity):
        if name != "_":
            self.names[name] = entity


def pos_of(ts):
    """The compiler's (line, column) of a tree-sitter node: 1-based, columns in bytes."""
    row, col = ts.start_point
    return (row + 1, col + 1)
