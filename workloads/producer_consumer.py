# producer_consumer: producers and consumers over a buffered channel, and a reply over an
# unbuffered one. Shows channel hand-offs (a waiting receiver gets the value directly, and goready
# puts it in the sender's runnext), buffering, close and range, and hchan lock contention.

ITEMS = 2000


async def producer(rt, id, jobs, wg):
    for i in range(ITEMS // 4):
        rt.new(32)                    # the job object
        await jobs.send((id, i))
    wg.done()


async def consumer(rt, jobs, results):
    count = 0
    async for job in jobs:
        await rt.work(200)
        count += 1
    await results.send(count)         # unbuffered: a rendezvous with main


async def main(rt):
    jobs = rt.chan(16)
    results = rt.chan(0)
    pwg = rt.WaitGroup()
    for id in range(4):
        pwg.add(1)
        rt.go(producer, rt, id, jobs, pwg)
    for _ in range(3):
        rt.go(consumer, rt, jobs, results)
    await pwg.wait()
    jobs.close()
    total = 0
    for _ in range(3):
        total += await results.recv()
    rt.println("consumed", total, "items")
