"""Go 1.27.3's size classes, computed as runtime/_mkmalloc/mksizeclasses.go computes them.

Deriving the table with Go's own generator (instead of pasting it) means the two 12.5% rules are in
the code; tests check the result row by row against the real sizeclasses.go table.
"""

PAGE_SHIFT = 13
PAGE_SIZE = 1 << PAGE_SHIFT          # 8 KiB runtime page
MIN_HEAP_ALIGN = 8
MAX_SMALL_SIZE = 32768
SMALL_SIZE_DIV = 8
SMALL_SIZE_MAX = 1024
LARGE_SIZE_DIV = 128
TINY_SIZE = 16
MALLOC_HEADER_SIZE = 8               # the *_type header of scan objects > 512 B
MIN_SIZE_FOR_MALLOC_HEADER = 512     # PtrSize * 64: at or below, heap bits live at the span's end
MAX_SMALL_SCAN_SIZE = MAX_SMALL_SIZE - MALLOC_HEADER_SIZE   # 32760: larger objects are "large"
SPAN_INLINE_MARK_BITS_SIZE = 128     # Green Tea's spanInlineMarkBits, at the end of 16..512 B spans
PTR_SIZE = 8


def _power_of_two(x):
    return x != 0 and x & (x - 1) == 0


def make_classes():
    """mksizeclasses.go makeClasses: [(size, npages)], index 0 a dummy for large objects."""
    classes = [(0, 0)]
    align = MIN_HEAP_ALIGN
    size = align
    while size <= MAX_SMALL_SIZE:
        if _power_of_two(size):          # bump the alignment once in a while
            if size >= 2048:
                align = 256
            elif size >= 128:
                align = size // 8
            elif size >= 32:
                align = 16
        allocsize = PAGE_SIZE            # smallest span whose tail waste is at most 1/8
        while allocsize % size > allocsize // 8:
            allocsize += PAGE_SIZE
        npages = allocsize // PAGE_SIZE
        prev_size, prev_npages = classes[-1]
        if len(classes) > 1 and npages == prev_npages and allocsize // size == allocsize // prev_size:
            classes[-1] = (size, npages)   # same objects per span: merge into the larger size
        else:
            classes.append((size, npages))
        size += align
    # Grow each class to the largest size that still fits as many objects in its span.
    for i in range(1, len(classes)):
        size, npages = classes[i]
        span = npages * PAGE_SIZE
        new_size = (span // (span // size)) & ~(LARGE_SIZE_DIV - 1)
        if new_size > size:
            classes[i] = (new_size, npages)
    return classes


_CLASSES = make_classes()
NUM_SIZE_CLASSES = len(_CLASSES)                               # 68
NUM_SPAN_CLASSES = NUM_SIZE_CLASSES * 2                         # 136
CLASS_TO_SIZE = tuple(size for size, _ in _CLASSES)
CLASS_TO_NPAGES = tuple(npages for _, npages in _CLASSES)
CLASS_TO_DIVMAGIC = tuple(0 if s == 0 else (0xFFFFFFFF // s + 1) for s in CLASS_TO_SIZE)


def _smallest_class_at_least(size):
    return next(i for i, s in enumerate(CLASS_TO_SIZE) if s >= size)


SIZE_TO_CLASS8 = tuple(_smallest_class_at_least(i * SMALL_SIZE_DIV)
                       for i in range(SMALL_SIZE_MAX // SMALL_SIZE_DIV + 1))
SIZE_TO_CLASS128 = tuple(_smallest_class_at_least(SMALL_SIZE_MAX + i * LARGE_SIZE_DIV)
                         for i in range((MAX_SMALL_SIZE - SMALL_SIZE_MAX) // LARGE_SIZE_DIV + 1))
TINY_SIZE_CLASS = _smallest_class_at_least(TINY_SIZE)          # 2


def size_to_class(size):
    """The size class of a small request, as mallocgc computes it (divRoundUp into two tables)."""
    if size <= SMALL_SIZE_MAX - 8:
        return SIZE_TO_CLASS8[(size + SMALL_SIZE_DIV - 1) // SMALL_SIZE_DIV]
    return SIZE_TO_CLASS128[(size - SMALL_SIZE_MAX + LARGE_SIZE_DIV - 1) // LARGE_SIZE_DIV]


def make_spanclass(sizeclass, noscan):
    """spanClass = sizeclass<<1 | noscan (mheap.go makeSpanClass)."""
    return sizeclass << 1 | int(noscan)


TINY_SPAN_CLASS = make_spanclass(TINY_SIZE_CLASS, True)        # 5


def heap_bits_in_span(elemsize):
    """mbitmap.go heapBitsInSpan: small scan objects keep their pointer bitmap at the span's end."""
    return elemsize <= MIN_SIZE_FOR_MALLOC_HEADER


def uses_inline_mark_bits(elemsize):
    """mgcmark_greenteagc.go gcUsesSpanInlineMarkBits (Green Tea GC is on by default in 1.27)."""
    return heap_bits_in_span(elemsize) and elemsize >= 16


def span_nelems(sizeclass, noscan):
    """Objects per span as mheap.initSpan lays them out in 1.27.3 (Green Tea on)."""
    elemsize = CLASS_TO_SIZE[sizeclass]
    nbytes = CLASS_TO_NPAGES[sizeclass] * PAGE_SIZE
    reserve = 0
    if uses_inline_mark_bits(elemsize):
        reserve += SPAN_INLINE_MARK_BITS_SIZE
    if heap_bits_in_span(elemsize) and not noscan:
        reserve += nbytes // PTR_SIZE // 8
    return (nbytes - reserve) // elemsize

