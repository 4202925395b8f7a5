# alloc_churn: many goroutines allocating mixed small sizes (8 B to 2 KiB, with and without
# pointers). Each P allocates from its own mcache without locks; when a span runs out, the
# mcache refills from the span class's mcentral under that mcentral's lock. With more Ps, more
# Ms refill the same classes at once: compare the mcentral lock waits at --procs 1 and --procs 8.

SIZES = [8, 16, 24, 32, 48, 64, 96, 128, 256, 512, 1024, 2048]
GOROUTINES = 32
ALLOCS = 600


async def churn(rt, id, wg):
    n = len(SIZES)
    for i in range(ALLOCS):
        size = SIZES[(id * 7 + i * 5) % n]
        rt.new(size, pointers=(i % 3 == 0))
        if i % 4 == 0:
            await rt.work(100)        # some computation between allocations (a safe point)
    wg.done()


async def main(rt):
    wg = rt.WaitGroup()
    for id in range(GOROUTINES):
        wg.add(1)
        rt.go(churn, rt, id, wg)
    await wg.wait()
    rt.println("allocated", GOROUTINES * ALLOCS, "objects")
