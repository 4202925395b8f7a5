# racy_counter: two goroutines increment a shared counter without synchronization, a data race.
#
#     gort run workloads/racy_counter.py --race
#
# reports it in the race detector's format and exits with status 66, as `go run -race` does; the
# second counter, protected by a Mutex, is never reported.


async def main(rt):
    racy = rt.var("counter", 0)
    safe = rt.var("guarded", 0)
    mu, wg = rt.Mutex(), rt.WaitGroup()

    async def inc():
        await racy.store(await racy.load() + 1)
        await mu.lock()
        await safe.store(await safe.load() + 1)
        mu.unlock()
        wg.done()

    wg.add(2)
    rt.go(inc)
    rt.go(inc)
    await wg.wait()
    rt.println("counter:", await racy.load(), "guarded:", await safe.load())
