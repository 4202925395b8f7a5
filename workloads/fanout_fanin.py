# fanout_fanin: one stage fans work out to N goroutines, each squares its numbers and sends them
# to its own output channel; a merge stage fans them back in with select over all outputs (ready
# cases chosen pseudo-randomly, as Go does) and a timeout channel from time.After.

N = 6
PER = 150


async def source(rt, out):
    for i in range(N * PER):
        await out.send(i)
    out.close()


async def square(rt, inp, out):
    async for v in inp:
        await rt.work(300)
        await out.send(v * v)
    out.close()


async def main(rt):
    src = rt.chan(8)
    rt.go(source, rt, src)
    outs = []
    for _ in range(N):
        o = rt.chan(2)
        rt.go(square, rt, src, o)
        outs.append(o)
    timeout = rt.after(10 * rt.Second)
    total = count = 0
    live = list(outs)
    while live:
        i, v, ok = await rt.select(*[c.recv_case() for c in live], timeout.recv_case())
        if i == len(live):
            rt.println("timeout")
            break
        if not ok:
            live.pop(i)
            continue
        total += v
        count += 1
    rt.println("merged", count, "squares, sum", total)
