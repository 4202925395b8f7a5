"""mallocgc, mcache, mcentral, mheap and sweeping: Go's rules, and invariants over random traces."""

from hypothesis import given, settings, strategies as st

from runtime.malloc import ZEROBASE, mallocgc, spanclass_for
from runtime.mheap import MHeap
from runtime.mspan import mSpanInUse
from runtime.runtime2 import bootstrap_thread
from runtime.sizeclasses import (CLASS_TO_SIZE, PAGE_SIZE, TINY_SPAN_CLASS, span_nelems)


def new_heap(spanset=False):
    heap = MHeap(spanset=spanset)
    m, p = bootstrap_thread()
    heap.attach_p(p)
    return heap, m, p


def in_use_spans(heap):
    return [s for s in heap.allspans if s.state == mSpanInUse]


def test_zero_size_returns_zerobase(heap_and_p):
    heap, m, p = heap_and_p
    assert mallocgc(p.mcache, 0, True) == ZEROBASE == mallocgc(p.mcache, 0, False)
    assert heap.read_memstats(m)["Mallocs"] == 0


def test_tiny_allocator_packs_and_aligns(heap_and_p):
    heap, m, p = heap_and_p
    c = p.mcache
    a = mallocgc(c, 1, True)          # new block at offset 0
    b = mallocgc(c, 2, True)          # even: aligned to 2 -> offset 2
    d = mallocgc(c, 4, True)          # multiple of 4 -> offset 4
    e = mallocgc(c, 8, True)          # multiple of 8 -> offset 8
    assert (b - a, d - a, e - a) == (2, 4, 8)
    f = mallocgc(c, 1, True)          # block full (16 used): a new block
    assert f - a >= 16 and heap.spanOf(f).spanclass == TINY_SPAN_CLASS
    st = heap.read_memstats(m)
    assert st["Mallocs"] == 5 and st["TinyAllocs"] == 3 and st["HeapObjects"] == 2
    assert st["HeapAlloc"] == 32      # two 16-B blocks


def test_tiny_keeps_the_block_with_more_room(heap_and_p):
    heap, m, p = heap_and_p
    c = p.mcache
    mallocgc(c, 12, True)             # block A, offset 12
    b = mallocgc(c, 8, True)          # doesn't fit: new block B; 8 < 12 so B becomes current
    assert c.tiny == b and c.tinyoffset == 8
    mallocgc(c, 15, True)             # doesn't fit B: new block C, 15 > 8 so B stays current
    assert c.tiny == b


def test_read_memstats_drops_the_tiny_block(heap_and_p):
    heap, m, p = heap_and_p
    a = mallocgc(p.mcache, 4, True)
    heap.read_memstats(m)
    b = mallocgc(p.mcache, 4, True)
    assert heap.spanOf(b) is heap.spanOf(a) and b - a == 16   # a fresh block, not the old one


def test_scan_objects_over_512_bytes_get_a_header():
    assert CLASS_TO_SIZE[spanclass_for(512, noscan=False) >> 1] == 512     # bitmap at span end, no header
    assert CLASS_TO_SIZE[spanclass_for(520, noscan=False) >> 1] == 576     # measured in real Go
    assert CLASS_TO_SIZE[spanclass_for(520, noscan=True) >> 1] == 576
    assert CLASS_TO_SIZE[spanclass_for(640, noscan=True) >> 1] == 640
    assert CLASS_TO_SIZE[spanclass_for(640, noscan=False) >> 1] == 704     # 640 + 8 -> next class


def test_header_shifts_the_returned_pointer(heap_and_p):
    heap, m, p = heap_and_p
    x = mallocgc(p.mcache, 1024, False)
    s = heap.spanOf(x)
    assert (x - s.base) % s.elemsize == 8


def test_large_threshold_is_32760_for_both_kinds(heap_and_p):
    heap, m, p = heap_and_p
    for noscan in (True, False):
        small = heap.spanOf(mallocgc(p.mcache, 32760, noscan))
        large = heap.spanOf(mallocgc(p.mcache, 32761, noscan))
        assert small.sizeclass == 67 and large.sizeclass == 0
        assert large.npages == 4 and large.elemsize == 4 * PAGE_SIZE


def test_objects_per_span_follow_1_27_layout(heap_and_p):
    heap, m, p = heap_and_p
    c = p.mcache
    first = heap.spanOf(mallocgc(c, 16, False))
    for _ in range(span_nelems(2, noscan=False) - 1):
        assert heap.spanOf(mallocgc(c, 16, False)) is first
    assert heap.spanOf(mallocgc(c, 16, False)) is not first      # 497th object: a new span
    assert first.nelems == 496


def test_addresses_start_at_the_classic_arena_hint(heap_and_p):
    heap, m, p = heap_and_p
    assert mallocgc(p.mcache, 64, True) >> 32 == 0xC0


def test_heap_grows_in_4mib_chunks_and_counts_it_released(heap_and_p):
    heap, m, p = heap_and_p
    mallocgc(p.mcache, 64, True)
    st = heap.read_memstats(m)
    assert st["HeapSys"] == 4 << 20
    assert st["HeapInuse"] == PAGE_SIZE
    assert st["HeapReleased"] == (4 << 20) - PAGE_SIZE and st["HeapIdle"] == st["HeapReleased"]
    mallocgc(p.mcache, 5 << 20, True)            # a large object bigger than what is left
    assert heap.read_memstats(m)["HeapSys"] == (4 << 20) + (8 << 20)


def test_small_spans_come_from_the_page_cache_without_the_heap_lock(heap_and_p):
    heap, m, p = heap_and_p
    c = p.mcache
    mallocgc(c, 8192, True)       # first span: the heap grows; mspancache is filled (locked)
    mallocgc(c, 8192, True)       # second: the lock is taken once more, to fill the empty pcache
    locked = heap.lock.acquisitions
    for _ in range(10):
        mallocgc(c, 8192, True)                   # one 1-page span each
    assert heap.lock.acquisitions == locked       # served from p.pcache
    assert len(in_use_spans(heap)) == 12


def test_sweep_frees_unmarked_objects_and_empty_spans():
    heap, m, p = new_heap()
    c = p.mcache
    objs = [mallocgc(c, 48, True) for _ in range(400)]
    keep = objs[::3]
    heap.gcSweepStart(m)
    for x in keep:
        heap.mark(x)
    heap.sweep_all(m)
    st = heap.read_memstats(m)
    assert st["HeapObjects"] == len(keep)
    assert st["HeapAlloc"] == 48 * len(keep)
    heap.gcSweepStart(m)
    heap.sweep_all(m)
    st = heap.read_memstats(m)
    assert (st["HeapObjects"], st["HeapAlloc"], st["HeapInuse"]) == (0, 0, 0)


def test_lazy_sweep_in_cacheSpan_reuses_freed_slots():
    heap, m, p = new_heap()
    c = p.mcache
    objs = [mallocgc(c, 256, True) for _ in range(31)]      # 31 = one full 256-B span (8192-128)/256
    span = heap.spanOf(objs[0])
    assert span.nelems == 31
    heap.gcSweepStart(m)
    for x in objs[1:]:
        heap.mark(x)                                        # slot 0 dies
    assert mallocgc(c, 256, True) == objs[0]                # refill sweeps the span and reuses slot 0


def test_locked_and_spanset_designs_give_the_same_heap():
    results = []
    for spanset in (False, True):
        heap, m, p = new_heap(spanset)
        addrs = [mallocgc(p.mcache, size, size % 16 != 0) for size in range(8, 4000, 24)]
        results.append((addrs, heap.read_memstats(m)))
    assert results[0] == results[1]
    assert MHeap(spanset=True).runtime_locks()[1:] == []


# --- properties over random traces with frees -----------------------------------------------------

sizes = st.one_of(st.integers(0, 15), st.integers(16, 1024), st.integers(1025, 32760),
                  st.integers(32761, 200_000))
op = st.one_of(
    st.tuples(st.just("alloc"), sizes, st.booleans(), st.integers(1, 40)),
    st.tuples(st.just("drop"), st.floats(0, 1)),
    st.tuples(st.just("gc"), st.booleans()),
    st.tuples(st.just("stats")),
)


def slot_of(heap, addr):
    s = heap.spanOf(addr)
    return s, (addr - s.base) // s.elemsize


def check_invariants(heap, live, m):
    st = heap.read_memstats(m)
    spans = in_use_spans(heap)
    assert st["HeapInuse"] == sum(s.npages * PAGE_SIZE for s in spans)
    assert st["HeapSys"] == st["HeapInuse"] + st["HeapIdle"]
    assert st["HeapObjects"] == st["Mallocs"] - st["Frees"]
    # every live object lies inside a span of its class, and no two overlap
    slots = {}
    intervals = []
    for addr, (size, noscan) in live.items():
        if size == 0:
            continue
        s, i = slot_of(heap, addr)
        want = spanclass_for(size, noscan) if size >= 16 or not noscan else TINY_SPAN_CLASS
        assert s.spanclass == want
        assert s.base <= addr and addr + size <= s.limit + (8 if not noscan and size > 512 else 0)
        slots[(s.base, i)] = s.elemsize
        intervals.append((addr, addr + size))
    intervals.sort()
    for (a0, a1), (b0, b1) in zip(intervals, intervals[1:]):
        assert a1 <= b0, "two live objects overlap"
    return st, slots


@settings(max_examples=60, deadline=None)
@given(st.lists(op, max_size=25), st.booleans())
def test_random_traces_keep_the_heap_consistent(ops, spanset):
    heap, m, p = new_heap(spanset)
    c = p.mcache
    live = {}            # addr -> (size, noscan), objects the program still references
    for o in ops:
        if o[0] == "alloc":
            _, size, noscan, n = o
            noscan = noscan or size % 8 != 0
            for _ in range(n if size < 40_000 else 1):
                addr = mallocgc(c, size, noscan)
                if size:
                    assert addr not in live, "address handed out twice"
                    live[addr] = (size, noscan)
        elif o[0] == "drop" and live:
            victims = sorted(live)[: int(len(live) * o[1])]
            for addr in victims:
                del live[addr]
        elif o[0] == "gc":
            heap.gcSweepStart(m)
            for addr, (size, _) in live.items():
                if size:
                    heap.mark(addr)
            if o[1]:
                heap.sweep_all(m)
        st, slots = check_invariants(heap, live, m)
        if o[0] == "gc" and o[1]:
            assert st["HeapAlloc"] == sum(slots.values())     # nothing dead left unswept
        else:
            assert st["HeapAlloc"] >= sum(slots.values())
    # free everything: nothing may leak
    heap.gcSweepStart(m)
    heap.sweep_all(m)
    st = heap.read_memstats(m)
    assert (st["HeapAlloc"], st["HeapObjects"], st["HeapInuse"]) == (0, 0, 0)
    assert st["Mallocs"] == st["Frees"]
    assert not in_use_spans(heap)


def test_runtime_metrics_keep_gos_relations():
    """runtime/metrics as Go defines them: tiny allocations are in Mallocs but not in
    /gc/heap/allocs:objects; the allocs-by-size histogram puts a 32761-B object in the last bucket."""
    heap, m, p = new_heap()
    c = p.mcache
    for size in (4, 4, 4, 24, 48, 32760, 32761):
        mallocgc(c, size, True)
    metrics = heap.read_metrics(m)
    ms = heap.stats.memstats()
    assert metrics["/gc/heap/allocs:objects"] + metrics["/gc/heap/tiny/allocs:objects"] == ms["Mallocs"] == 7
    assert metrics["/gc/heap/tiny/allocs:objects"] == 2           # three 4-B objects, one 16-B block
    assert metrics["/memory/classes/heap/objects:bytes"] == ms["HeapAlloc"]
    buckets = metrics["/gc/heap/allocs-by-size:bytes"]
    assert buckets[-1] == {"lo": 32769, "hi": None, "count": 1}   # the large object
    assert next(b for b in buckets if b["lo"] <= 32760 < b["hi"])["count"] == 1
