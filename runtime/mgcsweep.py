"""Sweeping (mgcsweep.go): free a span's unmarked objects, then give it back to its mcentral, or
its pages back to the heap when nothing in it is live.

The GC that computes mark bits comes later; for now tests (and `MHeap.mark`) set them directly.
"""

from runtime.mspan import MASK64


def sweep(h, s, preserve, m):
    """mspan.sweep. With preserve (mcentral.cacheSpan sweeping for its own use) the span is not
    put back anywhere. Returns True if the span was freed to the heap."""
    m.now += h.costs.sweep_span
    st = h.stats
    c = h.central[s.spanclass]
    if s.large:
        if s.gcmarkBits & 1:
            s.gcmarkBits = 0
            s.sweepgen = h.sweepgen
            if not preserve:
                c.pushFullSwept(s, m)
            return False
        st.largeFree += s.elemsize
        st.largeFreeCount += 1
        s.allocCount = 0
        h.freeSpan(s, m)
        return True
    nalloc = s.countAlloc()
    nfreed = s.allocCount - nalloc
    st.smallFreeCount[s.spanclass >> 1] += nfreed
    s.allocCount = nalloc
    s.freeindex = 0
    s.allocBits = s.gcmarkBits & ((1 << s.nelems) - 1)
    s.gcmarkBits = 0
    s.allocCache = ~s.allocBits & MASK64
    s.sweepgen = h.sweepgen
    if preserve:
        return False
    if nalloc == 0:
        h.freeSpan(s, m)
        return True
    if nalloc == s.nelems:
        c.pushFullSwept(s, m)
    else:
        c.pushPartialSwept(s, m)
    return False
