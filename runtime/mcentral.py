"""mcentral: the spans of one span class that no mcache holds (mcentral.go).

Spans sit in four sets: partial (free slots) and full, each swept or unswept for this GC cycle.
As in Go 1.15+, which set of a pair is "swept" flips with sweepgen (index sweepgen/2 % 2), so a new
cycle makes every span unswept without moving any.

Two designs, chosen per heap: `MCentral` (the default: the product's brief asks for a lock per span
class, to measure its contention) guards Go 1.15+'s sets with one runtime lock per span class, as
Go up to 1.14 and classic TCMalloc locked their central lists (Go 1.14's cacheSpan walked
mSpanLists, not these sets: this design is no Go release's exact code). `SpanSetMCentral` is Go
1.27's: lock-free spanSets (an atomic push/pop each). Comparing the two shows what the lock costs.
"""

from collections import deque

from runtime.lock import RuntimeLock
from runtime.mgcsweep import sweep
from runtime.sizeclasses import CLASS_TO_NPAGES, CLASS_TO_SIZE

SWEEP_BUDGET = 100    # cacheSpan tries at most this many unswept partial spans


def lock_name(spanclass):
    sizeclass, noscan = spanclass >> 1, spanclass & 1
    size = f"{CLASS_TO_SIZE[sizeclass]}B" if sizeclass else "large"
    return f"mcentral[{spanclass}] {size} {'noscan' if noscan else 'scan'}"


class MCentral:
    """The central free list of one span class. Owned by the mheap; its span sets are guarded by
    `lock` (its own runtime lock, one per span class)."""

    def __init__(self, heap, spanclass):
        self.heap = heap
        self.spanclass = spanclass
        self.sizeclass = spanclass >> 1
        self.partial = (deque(), deque())
        self.full = (deque(), deque())
        self.lock = self._make_lock()
        self.cost = heap.costs.mcentral_op

    def _make_lock(self):
        if self.sizeclass == 0:
            return None   # large spans: Go never kept them on a locked list (gcSweepBuf, then spanSet)
        lock = RuntimeLock("mcentral", lock_name(self.spanclass), self.heap.costs)
        return lock

    # The span sets, as Go names them: index sweepgen/2 % 2 is the swept one.
    def _swept(self, sets):
        return sets[self.heap.sweepgen // 2 % 2]

    def _unswept(self, sets):
        return sets[1 - self.heap.sweepgen // 2 % 2]

    def _push(self, spans, s, m):
        lock = self.lock
        if lock is not None:
            lock.acquire(m)
        m.now += self.cost
        spans.append(s)
        if lock is not None:
            lock.release(m)

    def _pop(self, spans, m):
        lock = self.lock
        if lock is not None:
            lock.acquire(m)
        m.now += self.cost
        s = spans.popleft() if spans else None
        if lock is not None:
            lock.release(m)
        return s

    def pushPartialSwept(self, s, m):
        self._push(self._swept(self.partial), s, m)

    def pushFullSwept(self, s, m):
        self._push(self._swept(self.full), s, m)

    def popUnswept(self, m):
        """A span still to be swept this cycle (for the background sweeper), or None."""
        return self._pop(self._unswept(self.partial), m) or self._pop(self._unswept(self.full), m)

    def cacheSpan(self, m):
        """A span with at least one free slot, for an mcache: a swept partial span; else sweep
        unswept ones (partial, then full) within a budget of 100; else grow from the heap.
        None when the heap is out of memory."""
        h = self.heap
        sg = h.sweepgen
        budget = SWEEP_BUDGET
        while True:
            s, swept, full = self._take(budget, m)
            if s is None:
                break
            if swept:
                return self._havespan(s)
            budget -= 1
            if s.sweepgen != sg - 2:      # someone else swept it: not ours to touch
                continue
            s.sweepgen = sg - 1
            sweep(h, s, True, m)
            if not full:
                return self._havespan(s)
            free_index = s.nextFreeIndex()
            if free_index != s.nelems:
                s.freeindex = free_index
                return self._havespan(s)
            self.pushFullSwept(s, m)
        s = self.grow(m)
        return None if s is None else self._havespan(s)

    def _take(self, budget, m):
        """Under the lock, pop the best candidate: (span, already swept?, from the full set?)."""
        lock = self.lock
        if lock is not None:
            lock.acquire(m)
        m.now += self.cost
        s, swept, full = None, False, False
        partial_swept = self._swept(self.partial)
        if partial_swept:
            s, swept = partial_swept.popleft(), True
        elif budget >= 0:
            partial_unswept, full_unswept = self._unswept(self.partial), self._unswept(self.full)
            if partial_unswept:
                s = partial_unswept.popleft()
            elif full_unswept:
                s, full = full_unswept.popleft(), True
        if lock is not None:
            lock.release(m)
        return s, swept, full

    @staticmethod
    def _havespan(s):
        """Position allocCache at freeindex (refillAllocCache)."""
        freeByteBase = s.freeindex & ~63
        s.refillAllocCache(freeByteBase // 8)
        s.allocCache >>= s.freeindex % 64
        return s

    def uncacheSpan(self, s, m):
        """An mcache gives the span back: into the swept partial or full set."""
        sg = self.heap.sweepgen
        if s.sweepgen == sg + 1:        # cached before this sweep began: sweep it now
            s.sweepgen = sg - 1
            sweep(self.heap, s, False, m)
            return
        s.sweepgen = sg
        if s.allocCount == s.nelems:
            self.pushFullSwept(s, m)
        else:
            self.pushPartialSwept(s, m)

    def grow(self, m):
        """Allocate a new span from the heap (mheap.alloc takes the heap lock, not ours)."""
        npages = CLASS_TO_NPAGES[self.sizeclass]
        s = self.heap.alloc(npages, self.spanclass, m)
        if s is not None and self.heap.on_event is not None:
            self.heap.on_event("span_grow", m, spanclass=self.spanclass, npages=npages, base=s.base)
        return s


class SpanSetMCentral(MCentral):
    """Go 1.15+'s mcentral: lock-free spanSets. Owned by the mheap; no lock: each push and pop is
    one atomic operation (charged as such), so the central lists never block an M."""

    def _make_lock(self):
        return None
