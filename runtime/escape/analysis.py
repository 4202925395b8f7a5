"""One run of the analysis over one Go file: parse, type-check, devirtualize, then escape-analyze the
functions bottom-up over the call graph (ir.VisitFuncsBottomUp), printing as the compiler does."""

from runtime.escape import fmtnode, stdlib
from runtime.escape import types as T
from runtime.escape.batch import Batch
from runtime.escape.devirtualize import devirtualize
from runtime.escape.ir import Name
from runtime.escape.noder import Noder, first_error, parse
from runtime.escape.scope import Package, Scope, TypeName, Unsupported
from runtime.escape.visit import children, mark_single_defs


class Output:
    """The diagnostics of one run, in emission order (the compiler flushes each as it is issued)."""

    def __init__(self, filename, explain):
        self.filename, self.explain = filename, explain
        self.lines = []
        self.allocs = []      # (node, location) of every heap allocation, for --alloc
        self.fmt = fmtnode.fmt

    def pos_str(self, pos):
        return f"./{self.filename}:{pos[0]}:{pos[1]}"

    def emit(self, pos, text):
        self.lines.append(f"{self.pos_str(pos)}: {text}")

    def record_alloc(self, n, loc):
        self.allocs.append(n)


class Result:
    def __init__(self, lines, allocs, unsupported):
        self.lines, self.allocs, self.unsupported = lines, allocs, unsupported


def universe_scope():
    s = Scope()
    for name, t in T.UNIVERSE.items():
        s.declare(name, TypeName(t))
    return s


class Importer:
    """Loads the stub packages of stdlib.py on first import."""

    def __init__(self, universe):
        self.universe, self.cache = universe, {}

    def __call__(self, path, ts):
        if path in self.cache:
            return self.cache[path]
        source = stdlib.STUBS.get(path)
        if source is None:
            raise Unsupported(f'import "{path}" (no summary of this package)', ts)
        noder = Noder(path, self.universe, self)
        noder.load(parse(source.encode()).root_node)
        pkg = Package(path, {k: v for k, v in noder.pkg_scope.names.items() if not isinstance(v, Package)})
        stdlib.apply_tags(pkg.name, noder.all_funcs)
        for member in pkg.members.values():
            if isinstance(member, Name):
                member.pkg_name = pkg.name
        self.cache[path] = pkg
        return pkg


def analyze(source, filename, explain=False):
    """Escape-analyze one package-main file; raises Unsupported for constructs outside the subset."""
    tree = parse(source)
    err = first_error(tree.root_node)
    if err is not None:
        raise SyntaxError(f"{err.start_point[0] + 1}:{err.start_point[1] + 1}")
    universe = universe_scope()
    noder = Noder("main", universe, Importer(universe))
    noder.load(tree.root_node)
    out = Output(filename, explain)
    funcs = noder.funcs
    for fn in funcs:
        mark_single_defs(fn)
    order = bottom_up(funcs)
    for batch_fns, _ in order:
        for fn in batch_fns:
            devirtualize(fn, out)
    for batch_fns, _ in order:
        Batch(out).run(batch_fns)
    return Result(out.lines, out.allocs, None)


def bottom_up(funcs):
    """ir.VisitFuncsBottomUp: Tarjan's SCCs over references to functions; a function's closures
    join its batch."""
    node_id, stack, result = {}, [], []
    gen = [0]

    def visit(fn):
        if fn in node_id:
            return node_id[fn]
        gen[0] += 1
        my_id = gen[0]
        node_id[fn] = my_id
        gen[0] += 1
        low = gen[0]
        stack.append(fn)
        for ref in referenced_funcs(fn):
            if ref.external or getattr(ref, "esc", 0) == 3 and ref not in node_id:
                continue
            m = visit(ref)
            if m < low:
                low = m
        if (low == my_id or low == my_id + 1) and not fn.is_closure():
            i = len(stack) - 1
            while i >= 0:
                node_id[stack[i]] = 1 << 40
                if stack[i] is fn:
                    break
                i -= 1
            block = stack[i:]
            del stack[i:]
            result.append((block, low == my_id))
        return low

    for fn in funcs:
        if not fn.is_closure():
            visit(fn)
    return result


def referenced_funcs(fn):
    out = []

    def walk(n):
        if n is None:
            return
        if isinstance(n, Name):
            if n.cls == "PFUNC" and n.func is not None:
                out.append(n.func)
            return
        if n.op in ("ODOTMETH", "OMETHVALUE", "OMETHEXPR") and getattr(n, "method", None) is not None:
            out.append(n.method)
        if n.op == "OCALLFUNC" and n.fn is not None and n.fun is not None and n.fun.op == "ODOTMETH":
            out.append(n.fn)
        if n.op == "OCLOSURE":
            out.append(n.func)
            return
        for c in children(n):
            walk(c)

    for s in fn.body:
        walk(s)
    return out
