# syscall_heavy: goroutines doing blocking system calls (reads of ~50 us to 2 ms) between bursts
# of computation. While a G sits in a syscall its P stays attached; sysmon retakes the P after a
# tick when other Gs are waiting, and hands it off to another M (new threads appear). Shows
# "syscall handoffs" in the summary and Ms beyond GOMAXPROCS.

async def reader(rt, id, wg):
    for i in range(20):
        await rt.syscall(50_000 + (id * 37 + i * 101) % 20 * 100_000)
        await rt.work(30_000)
        rt.new(4096)                       # a read buffer
    wg.done()


async def main(rt):
    wg = rt.WaitGroup()
    for id in range(12):
        wg.add(1)
        rt.go(reader, rt, id, wg)
    await wg.wait()
    rt.println("reads done")
