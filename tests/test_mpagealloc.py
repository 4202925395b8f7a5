"""The page allocator against a plain bitmap model: address-ordered first fit, as Go's finds."""

from hypothesis import given, settings, strategies as st

from runtime.mpagealloc import PageAlloc
from runtime.mpagecache import find_bit_range64
from runtime.sizeclasses import PAGE_SHIFT

BASE = 0xC000000000
CHUNK = 4 << 20


def first_fit(bitmap, npages):
    run = 0
    for i, used in enumerate(bitmap):
        run = 0 if used else run + 1
        if run == npages:
            return i - npages + 1
    return None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 700)), max_size=60))
def test_alloc_is_lowest_address_first_fit(ops):
    pa = PageAlloc()
    pa.grow(BASE, 2 * CHUNK)
    npages_total = (2 * CHUNK) >> PAGE_SHIFT
    used = [False] * npages_total
    scavenged = [True] * npages_total
    spans = []
    for is_alloc, n in ops:
        if is_alloc or not spans:
            want = first_fit(used, n)
            base, scav = pa.alloc(n)
            if want is None:
                assert base == 0
                continue
            first = (base - BASE) >> PAGE_SHIFT
            assert first == want
            assert scav == sum(scavenged[first:first + n]) << PAGE_SHIFT
            for i in range(first, first + n):
                used[i], scavenged[i] = True, False
            spans.append((base, n))
        else:
            base, n = spans.pop(n % len(spans))
            pa.free_pages(base, n)
            first = (base - BASE) >> PAGE_SHIFT
            for i in range(first, first + n):
                used[i] = False
        assert pa.free.total == used.count(False)
    # free ranges are coalesced: no two touch
    ranges = list(pa.free.ranges.items())
    assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(ranges, ranges[1:]))


def test_alloc_to_cache_takes_the_block_of_the_lowest_free_page():
    pa = PageAlloc()
    pa.grow(BASE, CHUNK)
    pa.alloc(70)                                       # pages 0..69 in use
    pc = pa.allocToCache()
    assert pc.base == BASE + (64 << PAGE_SHIFT)        # block 64..127 holds the lowest free page (70)
    assert pc.cache == ((1 << 64) - 1) & ~0b111111     # its pages 64..69 are in use
    assert pa.alloc(1)[0] == BASE + (128 << PAGE_SHIFT)
    pa.flushCache(pc)
    assert pa.alloc(1)[0] == BASE + (70 << PAGE_SHIFT)


@given(st.integers(0, (1 << 64) - 1), st.integers(1, 64))
def test_find_bit_range64(word, n):
    want = next((i for i in range(64 - n + 1) if all((word >> (i + k)) & 1 for k in range(n))), 64)
    assert find_bit_range64(word, n) == want
