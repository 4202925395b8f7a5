"""The page allocator: which pages of the mapped heap are free, and which of those are scavenged.

Go (mpagealloc.go) keeps a bitmap per 4 MiB chunk and a radix tree of summaries to find the
lowest-addressed run of free pages. We keep the same answers with sorted free ranges
(sortedcontainers): address-ordered first fit, free ranges coalesced, scavenged pages tracked as a
subset of the free ones. All addresses here are in pages (address >> 13).
"""

from sortedcontainers import SortedDict, SortedList

from runtime.mpagecache import PAGE_CACHE_PAGES, PageCache
from runtime.sizeclasses import PAGE_SHIFT


class RangeSet:
    """A set of pages as disjoint, coalesced [start, end) ranges. Guarded by the heap lock."""

    __slots__ = ("ranges", "lengths", "total")

    def __init__(self):
        self.ranges = SortedDict()     # start -> end
        self.lengths = SortedList()    # lengths of all ranges, to answer "is there a run >= n?"
        self.total = 0

    def _put(self, start, end):
        self.ranges[start] = end
        self.lengths.add(end - start)

    def _drop(self, start):
        end = self.ranges.pop(start)
        self.lengths.remove(end - start)
        return end

    def add(self, start, end):
        """Add [start, end), which must not overlap the set; merge with neighbours."""
        self.total += end - start
        i = self.ranges.bisect_right(start)
        if i > 0:
            prev_start = self.ranges.keys()[i - 1]
            if self.ranges[prev_start] == start:
                start = prev_start
                self._drop(prev_start)
        if end in self.ranges:
            end = self._drop(end)
        self._put(start, end)

    def remove(self, start, end):
        """Remove [start, end) ∩ set; return how many pages were in the set."""
        removed = 0
        i = self.ranges.bisect_right(start)
        if i > 0:
            i -= 1
        keys = self.ranges.keys()
        while i < len(keys):
            r_start = keys[i]
            if r_start >= end:
                break
            r_end = self.ranges[r_start]
            if r_end <= start:
                i += 1
                continue
            self._drop(r_start)
            lo, hi = max(r_start, start), min(r_end, end)
            removed += hi - lo
            if r_start < lo:
                self._put(r_start, lo)
                i += 1
            if hi < r_end:
                self._put(hi, r_end)
                i += 1
        self.total -= removed
        return removed

    def mask(self, start, end):
        """The pages of [start, end) in the set, as a bit mask (bit i: page start + i)."""
        bits = 0
        i = self.ranges.bisect_right(start)
        if i > 0:
            i -= 1
        for r_start in self.ranges.islice(i):
            if r_start >= end:
                break
            r_end = self.ranges[r_start]
            lo, hi = max(r_start, start), min(r_end, end)
            if lo < hi:
                bits |= ((1 << (hi - lo)) - 1) << (lo - start)
        return bits

    def first_fit(self, npages):
        """The lowest start of a run of at least npages, or None."""
        if not self.lengths or self.lengths[-1] < npages:
            return None
        for start, end in self.ranges.items():
            if end - start >= npages:
                return start
        return None

    def lowest(self):
        return self.ranges.keys()[0] if self.ranges else None


class PageAlloc:
    """mheap_.pages: the free and scavenged pages of the heap. Guarded by the heap lock."""

    def __init__(self):
        self.free = RangeSet()
        self.scav = RangeSet()   # free pages returned to (or never taken from) the OS

    def grow(self, base, size):
        """pageAlloc.grow: newly mapped memory is free and scavenged."""
        start, end = base >> PAGE_SHIFT, (base + size) >> PAGE_SHIFT
        self.free.add(start, end)
        self.scav.add(start, end)

    def alloc(self, npages):
        """Address-ordered first fit: (base address, scavenged bytes), or (0, 0) if nothing fits."""
        start = self.free.first_fit(npages)
        if start is None:
            return 0, 0
        return start << PAGE_SHIFT, self.allocRange(start << PAGE_SHIFT, npages)

    def allocRange(self, base, npages):
        """Mark [base, +npages) allocated; return the scavenged bytes it used."""
        start = base >> PAGE_SHIFT
        self.free.remove(start, start + npages)
        return self.scav.remove(start, start + npages) << PAGE_SHIFT

    def free_pages(self, base, npages):
        """pageAlloc.free: the pages become free (and not scavenged: they were in use)."""
        start = base >> PAGE_SHIFT
        self.free.add(start, start + npages)

    def allocToCache(self):
        """Hand a P the 64-page aligned block holding the lowest free page, all its free pages taken."""
        first = self.free.lowest()
        if first is None:
            return PageCache()
        block = first & ~(PAGE_CACHE_PAGES - 1)
        end = block + PAGE_CACHE_PAGES
        cache = self.free.mask(block, end)
        scav = self.scav.mask(block, end)
        self.free.remove(block, end)
        self.scav.remove(block, end)
        return PageCache(block << PAGE_SHIFT, cache, scav)

    def flushCache(self, pc):
        """pageCache.flush: give the cache's free pages back, scavenged ones still scavenged."""
        for i in range(PAGE_CACHE_PAGES):
            if (pc.cache >> i) & 1:
                page = (pc.base >> PAGE_SHIFT) + i
                self.free.add(page, page + 1)
                if (pc.scav >> i) & 1:
                    self.scav.add(page, page + 1)
        pc.base = pc.cache = pc.scav = 0
