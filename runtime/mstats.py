"""Heap statistics: the consistent counters (mstats.go heapStats) and ReadMemStats / runtime/metrics.

As in Go, allocation counts are published only when a span leaves an mcache (refill, releaseAll)
and frees when a span is swept; so ReadMemStats first flushes every mcache.
"""

from runtime.sizeclasses import CLASS_TO_SIZE, NUM_SIZE_CLASSES

BY_SIZE_CLASSES = 61      # MemStats.BySize covers classes 0..60 (sizes up to 18432 B)


class HeapStats:
    """memstats.heapStats plus gcController's heapInUse/heapFree/heapReleased.

    Owned by the mheap; guarded by the heap lock (Go: per-P deltas merged atomically; the emulator
    runs one M at a time, so plain integers are exact).
    """

    def __init__(self):
        self.smallAllocCount = [0] * NUM_SIZE_CLASSES
        self.smallFreeCount = [0] * NUM_SIZE_CLASSES
        self.largeAlloc = 0
        self.largeAllocCount = 0
        self.largeFree = 0
        self.largeFreeCount = 0
        self.tinyAllocCount = 0
        self.heapInUse = 0         # bytes in in-use spans
        self.heapFree = 0          # bytes free and not released
        self.heapReleased = 0      # bytes free and returned to the OS (scavenged)

    def memstats(self):
        """The MemStats fields (readmemstats_m's derivations), as a dict."""
        total_alloc, nmalloc = self.largeAlloc, self.largeAllocCount
        total_free, nfree = self.largeFree, self.largeFreeCount
        by_size = []
        for i in range(NUM_SIZE_CLASSES):
            a, f = self.smallAllocCount[i], self.smallFreeCount[i]
            total_alloc += a * CLASS_TO_SIZE[i]
            total_free += f * CLASS_TO_SIZE[i]
            nmalloc += a
            nfree += f
            if i < BY_SIZE_CLASSES:
                by_size.append({"Size": CLASS_TO_SIZE[i], "Mallocs": a, "Frees": f})
        nmalloc += self.tinyAllocCount      # tiny allocations count as mallocs and, at once, as frees
        nfree += self.tinyAllocCount
        heap_alloc = total_alloc - total_free
        return {
            "Alloc": heap_alloc,
            "TotalAlloc": total_alloc,
            "Mallocs": nmalloc,
            "Frees": nfree,
            "HeapAlloc": heap_alloc,
            "HeapSys": self.heapInUse + self.heapFree + self.heapReleased,
            "HeapIdle": self.heapFree + self.heapReleased,
            "HeapInuse": self.heapInUse,
            "HeapReleased": self.heapReleased,
            "HeapObjects": nmalloc - nfree,
            "TinyAllocs": self.tinyAllocCount,   # not a MemStats field: /gc/heap/tiny/allocs:objects
            "BySize": by_size,
        }

    def metrics(self):
        """runtime/metrics names for what the emulator keeps, with Go's meanings."""
        ms = self.memstats()
        allocs = ms["Mallocs"] - self.tinyAllocCount
        frees = ms["Frees"] - self.tinyAllocCount
        return {
            "/gc/heap/allocs:bytes": ms["TotalAlloc"],
            "/gc/heap/allocs:objects": allocs,
            "/gc/heap/frees:bytes": ms["TotalAlloc"] - ms["HeapAlloc"],
            "/gc/heap/frees:objects": frees,
            "/gc/heap/objects:objects": ms["HeapObjects"],
            "/gc/heap/tiny/allocs:objects": self.tinyAllocCount,
            "/memory/classes/heap/objects:bytes": ms["HeapAlloc"],
            "/memory/classes/heap/unused:bytes": ms["HeapInuse"] - ms["HeapAlloc"],
            "/memory/classes/heap/free:bytes": self.heapFree,
            "/memory/classes/heap/released:bytes": self.heapReleased,
            "/gc/heap/allocs-by-size:bytes": self.by_size_histogram(self.smallAllocCount, self.largeAllocCount),
            "/gc/heap/frees-by-size:bytes": self.by_size_histogram(self.smallFreeCount, self.largeFreeCount),
        }

    @staticmethod
    def by_size_histogram(small_counts, large_count):
        """Go's allocs-by-size buckets: class c's bucket is [prev_size+1, size+1); large in [32769, +Inf)."""
        buckets = []
        for c in range(1, NUM_SIZE_CLASSES):
            buckets.append({"lo": CLASS_TO_SIZE[c - 1] + 1, "hi": CLASS_TO_SIZE[c] + 1, "count": small_counts[c]})
        buckets.append({"lo": CLASS_TO_SIZE[-1] + 1, "hi": None, "count": large_count})
        return buckets
