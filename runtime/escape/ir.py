"""The typed syntax tree escape analysis walks, shaped like cmd/compile/internal/ir after type checking.

Ops keep the compiler's names (ONAME, OADDR, OCONVIFACE, OCALLFUNC, ...), and the implicit operations
the compiler inserts are explicit nodes here too: interface conversions, the `...` slice of a variadic
call, the &x of a pointer-method call on an addressable value. Positions are (line, column), 1-based,
columns in bytes as the compiler counts them.
"""

# Name classes (ir.Class)
PEXTERN, PAUTO, PPARAM, PPARAMOUT, PFUNC = "PEXTERN", "PAUTO", "PPARAM", "PPARAMOUT", "PFUNC"


class Node:
    """One expression or statement. Fields used depend on op (x, y, args, list, body, ...)."""

    def __init__(self, op, pos, type_=None, **fields):
        self.op, self.pos, self.type = op, pos, type_
        self.init = []          # statements evaluated first (temporaries of go/defer wrappers)
        self.implicit = False   # inserted by the type checker: printed as its operand
        self.__dict__.update(fields)

    def __repr__(self):
        return f"<{self.op} {self.pos}>"


class Name(Node):
    """A variable, parameter, result or function name (ir.Name). One object per declared entity."""

    def __init__(self, sym, pos, type_, cls, curfn=None):
        super().__init__("ONAME", pos, type_)
        self.sym, self.cls, self.curfn = sym, cls, curfn
        self.defn = None        # the statement declaring and initializing it (x := ..., var x = ...)
        self.opt = None         # its escape location while analyzed
        self.func = None        # for PFUNC: the ir.Func
        self.byval = False
        self.addrtaken = False
        self.outer = None       # a closure variable's variable in the enclosing function
        self.const = None       # a constant's value (names of constants fold away)

    def canonical(self):
        n = self
        while n.outer is not None:
            n = n.outer
        return n

    def is_closure_var(self):
        return self.outer is not None


class Func:
    """A function, method or function literal with its body (ir.Func)."""

    def __init__(self, name, pos, sig, outer=None):
        self.name = name            # printed name: main, T.M, (*T).M, main.func1
        self.pos = pos
        self.sig = sig              # types.Signature (recv in sig.recv for methods)
        self.outer = outer          # enclosing Func of a function literal
        self.body = []
        self.dcl = []               # locals, params and results (fn.Dcl order)
        self.closure_vars = []      # captured variables (Names whose .outer is the captured one)
        self.closures = []          # function literals directly inside, in source order
        self.nname = None
        self.wrapper = False        # a go/defer wrapper the compiler generated: diagnostics omitted
        self.esc = 0                # escFuncUnknown .. escFuncTagged
        self.closure_results_lost = False
        self.label_loops = {}
        self.closure_count = 0
        self.pragma_noescape = False
        self.external = False       # declared without body (assembly): parameters assumed to leak

    def is_closure(self):
        return self.outer is not None

    def contains_closure(self, other):
        """ir.ContainsClosure: other is a (transitively) nested closure of self."""
        f = other.outer
        while f is not None:
            if f is self:
                return True
            f = f.outer
        return False

    def __repr__(self):
        return f"<Func {self.name}>"


def is_blank(n):
    return n is None or (n.op == "ONAME" and n.sym == "_")
