# large_allocs: goroutines allocating objects larger than 32 KiB. Large objects bypass mcache and
# mcentral: each is its own span from mheap.allocSpan under the one global heap lock, and the heap
# grows from the (emulated) OS now and then. Shows mheap lock contention between Ps.

SIZES = [40 << 10, 64 << 10, 100 << 10, 256 << 10, 1 << 20]


async def allocator(rt, id, n, wg):
    for i in range(n):
        rt.new(SIZES[(id + i) % len(SIZES)], pointers=(i % 2 == 0))
        await rt.work(2_000)     # fill the object: ~2 us
    wg.done()


async def main(rt):
    wg = rt.WaitGroup()
    for id in range(8):
        wg.add(1)
        rt.go(allocator, rt, id, 40, wg)
    await wg.wait()
    rt.println("done")
