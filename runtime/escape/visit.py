"""Generic traversal of ir nodes, and the reassignment facts escape analysis reads
(ir.ReassignOracle: which locals are defined exactly once and never have their address taken)."""

from runtime.escape.ir import Name

_FIELDS = ("init", "x", "y", "index", "low", "high", "max", "len", "cap", "fun", "recv", "args", "list",
           "lhs", "rhs", "results", "cond", "post", "body", "els", "tag", "guard", "cases", "comm", "call",
           "chan", "value", "key")


def children(n):
    """The child nodes of n in evaluation order (closure bodies excluded)."""
    out = []
    for attr in _FIELDS:
        v = n.__dict__.get(attr)
        if v is None:
            continue
        if isinstance(v, list):
            for item in v:
                if isinstance(item, tuple):
                    out.extend(x for x in item if hasattr(x, "op"))
                elif item is not None:
                    out.append(item)
        elif hasattr(v, "op"):
            out.append(v)
    return out


def mark_single_defs(fn):
    """Set multi_def on every local of fn and its closures: False only when its one definition is
    its declaration and it is never assigned again nor address-taken."""
    counts = {}

    def assign(target):
        if isinstance(target, Name):
            c = target.canonical()
            counts[c] = counts.get(c, 0) + 1

    def walk(n):
        if n is None or isinstance(n, tuple):
            return
        op = n.op
        if op == "OAS" and n.y is not None:
            assign(n.x)
        elif op == "OASOP":
            assign(n.x)
            assign(n.x)
        elif op in ("OAS2", "OAS2FUNC", "OAS2MAPR", "OAS2DOTTYPE", "OAS2RECV"):
            for l in n.lhs:
                assign(l)
        elif op == "ORANGE":
            assign(n.key)
            assign(n.key)
            assign(n.value)
            assign(n.value)
        if op == "OCLOSURE":
            for s in n.func.body:
                walk(s)
            return
        for c in children(n):
            walk(c)

    for s in fn.body:
        walk(s)
    for n in list(counts) + [d for d in fn.dcl]:
        c = n.canonical()
        c.multi_def = counts.get(c, 0) != 1 or c.addrtaken or c.defn is None
