# worker_pool: a fixed pool of workers takes tasks from a channel, updates a shared map under a
# sync.Mutex and reports through a WaitGroup. Shows sync.Mutex contention (spinning, then parking
# on the semaphore, starvation mode when a waiter waits > 1 ms) and WaitGroup.Wait.

WORKERS = 8
TASKS = 800


async def worker(rt, tasks, mu, counts, wg):
    async for t in tasks:
        await rt.work(500)               # the task's own work
        await mu.lock()
        counts[t % 10] = counts.get(t % 10, 0) + 1
        rt.new(24, pointers=True)        # a map entry's worth of allocation
        await rt.work(100)               # time spent holding the lock
        mu.unlock()
    wg.done()


async def main(rt):
    tasks = rt.chan(64)
    mu = rt.Mutex()
    counts = {}
    wg = rt.WaitGroup()
    for _ in range(WORKERS):
        wg.add(1)
        rt.go(worker, rt, tasks, mu, counts, wg)
    for t in range(TASKS):
        await tasks.send(t)
    tasks.close()
    await wg.wait()
    rt.println("tasks done:", sum(counts.values()), counts)
