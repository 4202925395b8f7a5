"""mspan: a run of pages holding objects of one span class (Go's mheap.go / mbitmap.go).

Allocation state follows Go since 1.7: slots below `freeindex` are allocated; above it,
`allocBits` (from the last sweep) says which are; `allocCache` is a 64-bit window of the inverted
allocBits starting at `freeindex`, so the fast path is a count-trailing-zeros.
"""

from runtime.sizeclasses import CLASS_TO_SIZE, NUM_SPAN_CLASSES, PAGE_SHIFT, PAGE_SIZE, span_nelems

# mspan states
mSpanDead, mSpanInUse, mSpanManual = 0, 1, 2

MASK64 = (1 << 64) - 1

# span class -> objects per span, as initSpan lays them out (0 for the large classes 0 and 1)
NELEMS = tuple(span_nelems(spc >> 1, spc & 1) if spc >> 1 else 0 for spc in range(NUM_SPAN_CLASSES))


def ctz64(x):
    """sys.TrailingZeros64: the index of the lowest set bit, 64 for zero."""
    return (x & -x).bit_length() - 1 if x else 64


class MSpan:
    """One span. Owned by the mcache that has it cached (then only its P touches the allocation
    fields), otherwise by its mcentral (guarded by that mcentral's lock) or by the mheap (heap lock)."""

    # Hot fields first: the malloc fast path reads and writes only these.
    __slots__ = ("allocCache", "freeindex", "nelems", "allocCount", "base", "elemsize",
                 "allocBits", "gcmarkBits", "allocCountBeforeCache", "sweepgen", "state",
                 "spanclass", "npages", "needzero", "limit", "large")

    def __init__(self, base=0, npages=0):
        self.base = base              # startAddr
        self.npages = npages
        self.allocCache = 0
        self.freeindex = 0
        self.nelems = 0
        self.allocCount = 0
        self.elemsize = 0
        self.allocBits = 0            # bit i set: slot i was allocated at the last sweep
        self.gcmarkBits = 0           # bit i set: slot i was marked live this cycle
        self.allocCountBeforeCache = 0
        self.sweepgen = 0
        self.state = mSpanDead
        self.spanclass = 0
        self.needzero = False
        self.limit = base
        self.large = False

    def init_objects(self, spanclass):
        """The object layout part of mheap.initSpan (Green Tea on, as in 1.27.3's default build)."""
        self.spanclass = spanclass
        sizeclass = spanclass >> 1
        if sizeclass == 0:
            self.elemsize = self.npages << PAGE_SHIFT
            self.nelems = 1
            self.large = True
        else:
            self.elemsize = CLASS_TO_SIZE[sizeclass]
            self.nelems = NELEMS[spanclass]
        self.freeindex = 0
        self.allocCache = MASK64       # all free
        self.allocBits = 0
        self.gcmarkBits = 0
        self.allocCount = 0
        self.limit = self.base + self.elemsize * self.nelems
        self.state = mSpanInUse

    @property
    def sizeclass(self):
        return self.spanclass >> 1

    @property
    def noscan(self):
        return bool(self.spanclass & 1)

    def refillAllocCache(self, whichByte):
        """Load the 64 alloc bits starting at byte `whichByte`, inverted (1 = free)."""
        self.allocCache = ~(self.allocBits >> (whichByte * 8)) & MASK64

    def nextFreeIndex(self):
        """The index of the next free slot at or after freeindex (nelems if none); advances freeindex."""
        sfreeindex = self.freeindex
        snelems = self.nelems
        if sfreeindex == snelems:
            return sfreeindex
        aCache = self.allocCache
        bitIndex = ctz64(aCache)
        while bitIndex == 64:
            sfreeindex = (sfreeindex + 64) & ~63      # start of the next cached window
            if sfreeindex >= snelems:
                self.freeindex = snelems
                return snelems
            self.refillAllocCache(sfreeindex // 8)
            aCache = self.allocCache
            bitIndex = ctz64(aCache)
        result = sfreeindex + bitIndex
        if result >= snelems:
            self.freeindex = snelems
            return snelems
        self.allocCache = (self.allocCache >> bitIndex) >> 1    # two shifts: never one of 64 bits (in C)
        sfreeindex = result + 1
        if sfreeindex % 64 == 0 and sfreeindex != snelems:
            self.refillAllocCache(sfreeindex // 8)
        self.freeindex = sfreeindex
        return result

    def objIndex(self, addr):
        return (addr - self.base) // self.elemsize

    def countAlloc(self):
        """Marked objects in the span (mgcsweep.go countAlloc)."""
        return (self.gcmarkBits & low_bits(self.nelems)).bit_count()


def low_bits(n):
    """A mask of the n low bits, as a Python int of any size (compiled, `1 << n` with n a C
    integer would be a C shift, which overflows past 63)."""
    return (1 << n) - 1


def pages_of(base, npages):
    """Page numbers covered by a span."""
    first = base >> PAGE_SHIFT
    return range(first, first + npages)


def npages_for(size):
    """Pages of a large object's span: ceil(size / 8 KiB)."""
    return (size + PAGE_SIZE - 1) >> PAGE_SHIFT


emptymspan = MSpan()   # the dummy span every mcache slot starts with: no free slots
