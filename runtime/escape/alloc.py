"""What each heap allocation costs in the emulated allocator: its size, size class and span class
(runtime.sizeclasses, as mallocgc picks them)."""

from runtime import sizeclasses as sc
from runtime.escape import types as T

MAX_SMALL_NOSCAN = sc.MAX_SMALL_SIZE          # 32768: larger noscan objects are large (class 0)
MAX_SMALL_SCAN = sc.MAX_SMALL_SCAN_SIZE       # 32760: larger pointerful objects are large


def object_type(n):
    """The type of the object a heap site allocates, or None when its size is not static."""
    op = n.op
    if op == "ONAME":
        return n.type
    if op in ("ONEW", "OPTRLIT"):
        return n.type.elem
    if op == "OCONVIFACE":
        return n.x.type
    if op == "OSLICELIT":
        return T.Array(n.type.elem, n.length)
    if op == "OMAKESLICE":
        r = n.cap if n.cap is not None else n.len
        if r is not None and r.op == "OLITERAL":
            return T.Array(n.type.elem, r.val)
    return None


def size_class(size, noscan):
    """(sizeclass, spanclass, bytes) as mallocgc chooses them."""
    limit = MAX_SMALL_NOSCAN if noscan else MAX_SMALL_SCAN
    if size > limit:
        return 0, sc.make_spanclass(0, noscan), size
    if not noscan and size > sc.MIN_SIZE_FOR_MALLOC_HEADER:
        size += sc.MALLOC_HEADER_SIZE
    cls = sc.size_to_class(size)
    return cls, sc.make_spanclass(cls, noscan), sc.CLASS_TO_SIZE[cls]


def alloc_lines(result, filename):
    lines = [f"heap allocations in {filename} (size class / span class in the emulated allocator):"]
    for n in result.allocs:
        where = f"./{filename}:{n.pos[0]}:{n.pos[1]}"
        what = n.sym if n.op == "ONAME" else _fmt(n)
        t = object_type(n)
        if n.op == "OCONVIFACE" and n.x.op == "OLITERAL":
            lines.append(f"{where}: {what}: constant: walk points the interface at read-only data, no mallocgc")
            continue
        if t is None:
            lines.append(f"{where}: {what}: size known only at run time (mallocgc picks the class then)")
            continue
        size = t.size()
        noscan = not t.has_pointers()
        if size == 0:
            lines.append(f"{where}: {what}: 0 bytes: zerobase, no allocation")
            continue
        cls, span, obj = size_class(size, noscan)
        kind = "noscan" if noscan else "scan"
        if cls == 0:
            pages = (size + sc.PAGE_SIZE - 1) // sc.PAGE_SIZE
            lines.append(f"{where}: {what}: {size} B {kind}: large object, class 0, spanclass {span}, "
                         f"{pages} page(s) from mheap")
        else:
            tiny = " (tiny allocator)" if noscan and size < sc.TINY_SIZE else ""
            lines.append(f"{where}: {what}: {size} B {kind}: sizeclass {cls} ({obj} B), spanclass {span}{tiny}")
    return lines


def _fmt(n):
    from runtime.escape.fmtnode import fmt
    return fmt(n)
