"""mcache: a P's private cache of spans, one per span class, plus the tiny allocator (mcache.go).

No lock: only the owning P uses it, and a P runs one G at a time. The malloc fast path
(runtime/malloc.py) touches only `alloc[spc]` and the span's allocation fields.
"""

from runtime.mspan import emptymspan, npages_for
from runtime.sizeclasses import NUM_SPAN_CLASSES, TINY_SPAN_CLASS, make_spanclass


class MCache:
    """Per-P cache; no locking needed because it is per-P."""

    # Hot fields first.
    __slots__ = ("alloc", "tiny", "tinyoffset", "tinyAllocs", "heap", "p", "nextSample")

    def __init__(self, heap, p):
        self.alloc = [emptymspan] * NUM_SPAN_CLASSES   # the span each class allocates from
        self.tiny = 0              # address of the current 16-B tiny block, 0 if none
        self.tinyoffset = 0
        self.tinyAllocs = 0        # tiny allocations that fit in an existing block
        self.heap = heap
        self.p = p                 # the owning P (its M pays for the slow path)
        self.nextSample = 0        # bytes until the next heap-profile sample (the run log's)

    def nextFree(self, spc):
        """The next free slot of the cached span, refilling it from mcentral when full.
        Returns (address, span)."""
        s = self.alloc[spc]
        m = self.p.m
        m.now += self.heap.costs.next_free
        freeIndex = s.nextFreeIndex()
        if freeIndex == s.nelems:
            if s.allocCount != s.nelems:
                raise AssertionError(f"s.allocCount={s.allocCount} s.nelems={s.nelems}")
            self.refill(spc, m)
            s = self.alloc[spc]
            freeIndex = s.nextFreeIndex()
        s.allocCount += 1
        return s.base + freeIndex * s.elemsize, s

    def refill(self, spc, m):
        """Swap the full cached span for one with free slots from mcentral; publish the counts."""
        h = self.heap
        m.now += h.costs.refill
        s = self.alloc[spc]
        if s is not emptymspan:
            h.central[spc].uncacheSpan(s, m)
            self._publish(s, spc)
        s = h.central[spc].cacheSpan(m)
        if s is None:
            raise MemoryError("out of memory")
        s.sweepgen = h.sweepgen + 3          # swept, then cached
        s.allocCountBeforeCache = s.allocCount
        self.alloc[spc] = s
        if h.log_refills and h.on_event is not None:
            h.on_event("span_refill", m, spanclass=spc, sizeclass=spc >> 1, noscan=bool(spc & 1),
                       nelems=s.nelems, free=s.nelems - s.allocCount)

    def _publish(self, s, spc):
        """Add the slots used while cached to the heap statistics (and the tiny count, for class 5)."""
        st = self.heap.stats
        st.smallAllocCount[spc >> 1] += s.allocCount - s.allocCountBeforeCache
        s.allocCountBeforeCache = 0
        if spc == TINY_SPAN_CLASS:
            st.tinyAllocCount += self.tinyAllocs
            self.tinyAllocs = 0

    def releaseAll(self, m):
        """Give every cached span back and drop the tiny block (ReadMemStats and GC do this)."""
        central = self.heap.central
        for spc in range(NUM_SPAN_CLASSES):
            s = self.alloc[spc]
            if s is not emptymspan:
                self._publish(s, spc)
                central[spc].uncacheSpan(s, m)
                self.alloc[spc] = emptymspan
        self.tiny = self.tinyoffset = 0
        self.heap.stats.tinyAllocCount += self.tinyAllocs
        self.tinyAllocs = 0

    def allocLarge(self, size, noscan):
        """A large object's own span straight from mheap (mcache.allocLarge). Returns the span."""
        h = self.heap
        m = self.p.m
        npages = npages_for(size)
        spc = make_spanclass(0, noscan)
        s = h.alloc(npages, spc, m, size)
        if s is None:
            raise MemoryError(f"out of memory allocating heap arena map ({size} bytes)")
        st = h.stats
        st.largeAlloc += npages << 13
        st.largeAllocCount += 1
        s.allocCount = 1
        s.freeindex = 1
        s.allocCache = 0
        h.central[spc].pushFullSwept(s, m)     # so the sweeper sees it
        if s.needzero:
            m.now += npages * h.costs.zero_page
        return s
