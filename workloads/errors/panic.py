# panic: a goroutine sends on a channel that main has closed. Shows Go's panic report:
# "panic: send on closed channel", the goroutine's frames with file:line, "created by", and
# exit status 2 (the other goroutines die with the process).

async def producer(rt, ch, wg):
    for i in range(3):
        await ch.send(i)
    wg.done()
    await ch.send(99)        # main closed ch meanwhile: panics


async def main(rt):
    ch = rt.chan(3)
    wg = rt.WaitGroup()
    wg.add(1)
    rt.go(producer, rt, ch, wg)
    await wg.wait()
    ch.close()
    await rt.sleep(1 * rt.Millisecond)
    rt.println("not reached")
