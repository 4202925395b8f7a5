"""The per-P page cache (mpagecache.go): 64 pages a P can take spans from without the heap lock."""

from runtime.mspan import ctz64
from runtime.sizeclasses import PAGE_SHIFT

PAGE_CACHE_PAGES = 64


def find_bit_range64(c, n):
    """The lowest index of a run of n set bits in the 64-bit word c, or 64 (mpallocbits.go)."""
    run = c
    for k in range(1, n):           # run keeps bit i only where bits i..i+k are all set
        run &= c >> k
    return ctz64(run)


class PageCache:
    """pageCache: a 64-page aligned block; `cache` bit i set = page i free, `scav` = scavenged.

    Owned by one P (p.pcache); no lock, because only that P touches it.
    """

    __slots__ = ("base", "cache", "scav")

    def __init__(self, base=0, cache=0, scav=0):
        self.base = base
        self.cache = cache
        self.scav = scav

    def empty(self):
        return self.cache == 0

    def alloc(self, npages):
        """(base address, scavenged bytes) of npages contiguous free pages, or (0, 0)."""
        if self.cache == 0:
            return 0, 0
        if npages == 1:
            i = ctz64(self.cache)
        else:
            i = find_bit_range64(self.cache, npages)
            if i >= 64:
                return 0, 0
        mask = ((1 << npages) - 1) << i
        scav = (self.scav & mask).bit_count() << PAGE_SHIFT
        self.cache &= ~mask
        self.scav &= ~mask
        return self.base + (i << PAGE_SHIFT), scav
