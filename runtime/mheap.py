"""mheap: the global heap (Go's mheap.go). One lock, the page allocator, the arenas, the mcentrals.

Allocation of spans goes lock-free through the P's page cache for spans under 16 pages, as Go's
allocSpan does; everything else takes the heap lock. Every lock acquisition goes through a
RuntimeLock, which charges the waiting M in virtual time when the lock is held by another.
"""

from runtime.costs import DEFAULT_COSTS
from runtime.lock import RuntimeLock
from runtime.mcache import MCache
from runtime.mcentral import MCentral, SpanSetMCentral
from runtime.mem import HEAP_ARENA_BYTES, OSMemory, align_up
from runtime.mgcsweep import sweep
from runtime.mpagealloc import PageAlloc
from runtime.mpagecache import PAGE_CACHE_PAGES, PageCache
from runtime.mspan import MSpan, mSpanDead, pages_of
from runtime.mstats import HeapStats
from runtime.sizeclasses import NUM_SPAN_CLASSES, PAGE_SHIFT, PAGE_SIZE

PALLOC_CHUNK_PAGES = 512          # the heap grows in whole 4 MiB chunks
MSPAN_CACHE_REFILL = 64           # allocMSpanLocked refills p.mspancache with len(buf)/2 structs
MSPAN_CACHE_CAP = 128


class MHeap:
    """mheap_: the one global heap. Guarded by `lock` (the heap lock) for its pages, arenas, span
    map and statistics; each mcentral in `central` has its own lock (or none, with spanset=True)."""

    def __init__(self, costs=DEFAULT_COSTS, spanset=False):
        self.costs = costs
        self.lock = RuntimeLock("mheap", "mheap", costs)
        self.sweepgen = 0
        self.pages = PageAlloc()
        self.os = OSMemory()
        self.curArena = [0, 0]        # [base, end) of the unused part of the current arena
        self.zeroedBase = {}          # arena base -> first byte never handed out (heapArena.zeroedBase)
        self.stats = HeapStats()
        self.spans = {}               # page number -> in-use span (heapArena.spans)
        self.allspans = []
        self.mcaches = []
        central_cls = SpanSetMCentral if spanset else MCentral
        self.central = [central_cls(self, spc) for spc in range(NUM_SPAN_CLASSES)]
        self.on_event = None          # the run log's hook: on_event(name, m, **fields)
        self.log_refills = False      # span_refill events too (one per refill: a debug-level log)

    # --- Ps -------------------------------------------------------------------------------------

    def attach_p(self, p):
        """Give P its mcache, page cache and mspan cache (procresize / allocmcache)."""
        p.mcache = MCache(self, p)
        p.pcache = PageCache()
        p.mspancache = 0
        self.mcaches.append(p.mcache)
        return p.mcache

    def runtime_locks(self):
        """Every runtime lock the allocator owns: the heap lock, then one per span class."""
        return [self.lock] + [c.lock for c in self.central if c.lock is not None]

    # --- span allocation --------------------------------------------------------------------------

    def alloc(self, npages, spanclass, m, size=None):
        """mheap.alloc: a span of npages for span class `spanclass`, or None when out of memory.
        `size`: the bytes a large object asked for (for the large_alloc event)."""
        s = self.allocSpan(npages, spanclass, m)
        if s is not None and self.on_event is not None and spanclass >> 1 == 0:
            self.on_event("large_alloc", m, size=size, npages=npages, base=s.base,
                          spanclass=spanclass)
        return s

    def allocSpan(self, npages, spanclass, m):
        pp = m.p
        base = scav = 0
        s = None
        if pp is not None and npages < PAGE_CACHE_PAGES // 4:
            c = pp.pcache
            if c.empty():
                self.lock.acquire(m)
                m.now += self.costs.alloc_span
                pp.pcache = c = self.pages.allocToCache()
                self.lock.release(m)
            base, scav = c.alloc(npages)
            if base and pp.mspancache > 0:       # tryAllocMSpan
                pp.mspancache -= 1
                s = MSpan()
        if s is None:
            self.lock.acquire(m)
            m.now += self.costs.alloc_span
            if not base:
                base, scav = self.pages.alloc(npages)
                if not base:
                    if not self.grow(npages, m):
                        self.lock.release(m)
                        return None
                    base, scav = self.pages.alloc(npages)
            s = self.allocMSpanLocked(pp)
            self.lock.release(m)
        self.initSpan(s, spanclass, base, npages, scav, m)
        return s

    def allocMSpanLocked(self, pp):
        """An mspan struct from the P's mspancache, refilled 64 at a time (heap lock held)."""
        if pp is None:
            return MSpan()
        if pp.mspancache == 0:
            pp.mspancache = MSPAN_CACHE_REFILL
        pp.mspancache -= 1
        return MSpan()

    def initSpan(self, s, spanclass, base, npages, scav, m):
        nbytes = npages << PAGE_SHIFT
        s.base, s.npages = base, npages
        s.needzero = self.allocNeedsZero(base, npages) and scav != nbytes
        s.init_objects(spanclass)
        s.sweepgen = self.sweepgen
        for page in pages_of(base, npages):
            self.spans[page] = s
        self.allspans.append(s)
        st = self.stats
        st.heapFree -= nbytes - scav
        st.heapReleased -= scav
        st.heapInUse += nbytes
        m.now += self.costs.span_init

    def allocNeedsZero(self, base, npages):
        """Memory above an arena's zeroedBase watermark is fresh from the OS, hence zero."""
        end = base + (npages << PAGE_SHIFT)
        arena = base & ~(HEAP_ARENA_BYTES - 1)
        zeroed = self.zeroedBase.get(arena, arena)
        if end > zeroed:
            self.zeroedBase[arena] = end
        return base < zeroed

    def grow(self, npages, m):
        """mheap.grow (heap lock held): map at least npages more, in whole 4 MiB chunks."""
        ask = align_up(npages, PALLOC_CHUNK_PAGES) * PAGE_SIZE
        base, end = self.curArena
        if base + ask > end:
            av, asize = self.os.sysReserve(ask)
            m.now += self.costs.arena_reserve
            if av == end:
                self.curArena[1] = av + asize
            else:
                if end - base:                     # map the rest of the old arena first
                    self._map(base, end - base, m)
                self.curArena = [av, av + asize]
            base = self.curArena[0]
        self.curArena[0] = base + ask
        self._map(base, ask, m)
        if self.on_event is not None:
            self.on_event("heap_grow", m, npages=ask >> PAGE_SHIFT, bytes=ask,
                          heap_sys=self.stats.memstats()["HeapSys"])
        return ask

    def _map(self, base, size, m):
        self.os.sysMap(base, size)
        self.stats.heapReleased += size        # mapped memory starts out counted as released
        self.pages.grow(base, size)
        m.now += self.costs.heap_grow

    def freeSpan(self, s, m):
        """mheap.freeSpan: the span's pages go back to the page allocator."""
        self.lock.acquire(m)
        m.now += self.costs.free_span
        nbytes = s.npages << PAGE_SHIFT
        self.stats.heapInUse -= nbytes
        self.stats.heapFree += nbytes
        self.pages.free_pages(s.base, s.npages)
        for page in pages_of(s.base, s.npages):
            del self.spans[page]
        s.state = mSpanDead
        pp = m.p
        if pp is not None and pp.mspancache < MSPAN_CACHE_CAP:
            pp.mspancache += 1
        self.lock.release(m)

    def spanOf(self, addr):
        """The in-use span containing addr, or None."""
        return self.spans.get(addr >> PAGE_SHIFT)

    # --- statistics and sweeping ------------------------------------------------------------------

    def flushallmcaches(self, m):
        for c in self.mcaches:
            c.releaseAll(m)

    def read_memstats(self, m=None):
        """runtime.ReadMemStats: flush every mcache (dropping tiny blocks), then read the counters."""
        self.flushallmcaches(m or self._any_m())
        return self.stats.memstats()

    def read_metrics(self, m=None):
        self.flushallmcaches(m or self._any_m())
        return self.stats.metrics()

    def _any_m(self):
        for c in self.mcaches:
            if c.p.m is not None:
                return c.p.m
        raise RuntimeError("no M holds a P")

    def mark(self, addr):
        """Mark the object containing addr live for this cycle (what the GC's mark phase does)."""
        s = self.spanOf(addr)
        if s is None or addr >= s.limit:
            raise ValueError(f"{addr:#x} is not in an allocated heap object")
        s.gcmarkBits |= 1 << s.objIndex(addr)

    def gcSweepStart(self, m):
        """A new cycle's sweep phase: finish the last cycle's sweeping (finishsweep_m), flush every
        mcache (prepareForSweep), then sweepgen += 2 (gcSweep): every span is now unswept.
        Mark live objects (mark) before any sweeping: unmarked objects are freed as spans are swept."""
        self.sweep_all(m)
        self.flushallmcaches(m)
        self.sweepgen += 2

    def sweepone(self, m):
        """Sweep one unswept span (bgsweep's unit of work); False when none is left."""
        sg = self.sweepgen
        for c in self.central:
            s = c.popUnswept(m)
            if s is not None:
                if s.sweepgen == sg - 2:
                    s.sweepgen = sg - 1
                    sweep(self, s, False, m)
                return True
        return False

    def sweep_all(self, m):
        while self.sweepone(m):
            pass
