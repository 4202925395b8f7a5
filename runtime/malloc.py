"""mallocgc: every heap allocation (malloc.go).

Paths, as Go 1.27.3 dispatches them: zero-size -> &zerobase; pointer-free and < 16 B -> the tiny
allocator; <= 32760 B -> a small size class (pointerful objects over 512 B carry an 8-B type header,
which moves them up a class); larger -> a span of their own from mheap. The fast path is
nextFreeFast inlined: no lock, no coroutine, no call below this function.
"""

from runtime.mspan import ctz64
from runtime.sizeclasses import (MALLOC_HEADER_SIZE, MAX_SMALL_SCAN_SIZE, MIN_SIZE_FOR_MALLOC_HEADER,
                                 TINY_SIZE, TINY_SPAN_CLASS, make_spanclass, size_to_class)

ZEROBASE = 0x5B2E60   # &runtime.zerobase: every zero-size allocation returns this address

# size -> span class, precomputed for every small size (one tuple index instead of two lookups).
NOSCAN_SPANCLASS = tuple(make_spanclass(size_to_class(n), True) if n else 0
                         for n in range(MAX_SMALL_SCAN_SIZE + 1))
SCAN_SPANCLASS = tuple(
    make_spanclass(size_to_class(n + (MALLOC_HEADER_SIZE if n > MIN_SIZE_FOR_MALLOC_HEADER else 0)), False)
    if n else 0
    for n in range(MAX_SMALL_SCAN_SIZE + 1))


def spanclass_for(size, noscan):
    """The span class mallocgc uses for a small object of `size` bytes (0 for large objects)."""
    if size > MAX_SMALL_SCAN_SIZE:
        return make_spanclass(0, noscan)
    return (NOSCAN_SPANCLASS if noscan else SCAN_SPANCLASS)[size]


def mallocgc(c, size, noscan, _noscan_spc=NOSCAN_SPANCLASS, _scan_spc=SCAN_SPANCLASS):
    """Allocate `size` bytes on the mcache `c` (its P's); `noscan`: the object holds no pointers.
    Returns the object's address."""
    if size < 16 or size > 512:          # tiny, zero-size, header-carrying and large objects
        return mallocgc_sized(c, size, noscan)
    spc = _noscan_spc[size] if noscan else _scan_spc[size]
    span = c.alloc[spc]
    # nextFreeFast, inlined. Usually the very next slot is free (allocCache bit 0): no ctz needed.
    if span.allocCache & 1:
        result = span.freeindex
        if result < span.nelems:
            if (result + 1) & 63:
                span.allocCache >>= 1
                span.freeindex = result + 1
                span.allocCount += 1
                return span.base + result * span.elemsize
            return c.nextFree(spc)[0]     # a 64-slot boundary: nextFreeFast bails, as in Go
    return mallocgc_span(c, span, spc, 0)


def mallocgc_sized(c, size, noscan):
    """mallocgc for the sizes the inlined fast path leaves out."""
    if noscan:
        if size < TINY_SIZE:
            return mallocgcTiny(c, size) if size else ZEROBASE
        if size > MAX_SMALL_SCAN_SIZE:
            return c.allocLarge(size, noscan).base
        spc, header = NOSCAN_SPANCLASS[size], 0
    else:
        if not size:
            return ZEROBASE
        if size > MAX_SMALL_SCAN_SIZE:
            return c.allocLarge(size, noscan).base
        spc = SCAN_SPANCLASS[size]
        header = MALLOC_HEADER_SIZE if size > MIN_SIZE_FOR_MALLOC_HEADER else 0
    return mallocgc_span(c, c.alloc[spc], spc, header)


def mallocgc_span(c, span, spc, header):
    """A slot of the cached span of class spc: nextFreeFast, else nextFree (which may refill)."""
    result = nextFreeFast(span)
    if result < 0:
        return c.nextFree(spc)[0] + header
    return span.base + result * span.elemsize + header


def nextFreeFast(span):
    """The next free slot from the 64-bit allocCache window, or -1 to take the slow path."""
    cache = span.allocCache
    theBit = ctz64(cache)
    if theBit < 64:
        result = span.freeindex + theBit
        if result < span.nelems:
            freeidx = result + 1
            if freeidx % 64 == 0 and freeidx != span.nelems:
                return -1
            span.allocCache = (cache >> theBit) >> 1    # two shifts: never one of 64 bits (in C)
            span.freeindex = freeidx
            span.allocCount += 1
            return result
    return -1


def mallocgcTiny(c, size):
    """Pack pointer-free objects under 16 B into 16-B blocks, aligned as Go aligns them."""
    off = c.tinyoffset
    if size & 7 == 0:
        off = (off + 7) & ~7
    elif size & 3 == 0:
        off = (off + 3) & ~3
    elif size & 1 == 0:
        off = (off + 1) & ~1
    if off + size <= TINY_SIZE and c.tiny:
        c.tinyoffset = off + size
        c.tinyAllocs += 1
        return c.tiny + off
    span = c.alloc[TINY_SPAN_CLASS]
    result = nextFreeFast(span)
    x = span.base + result * span.elemsize if result >= 0 else c.nextFree(TINY_SPAN_CLASS)[0]
    if size < c.tinyoffset or not c.tiny:   # keep whichever block has more room left
        c.tiny = x
        c.tinyoffset = size
    return x
