"""Double-checked locking done right: only sync.Once.

    func doprint() { once.Do(setup); print(a) }

Once guarantees that setup's completion happens before every once.Do returns, so both goroutines
print "hello, world" under every model.
"""

NAME = "once"
WEAK = [{"p0": ""}, {"p1": ""}]
EXPECT = {"*": {"forbidden": WEAK}}


async def main(rt):
    a = rt.var("a", "")
    once = rt.Once()
    r = rt.outcome

    async def setup():
        await a.store("hello, world")

    async def doprint(register):
        await once.do(setup)
        r[register] = await a.load()

    await rt.par(lambda: doprint("p0"), lambda: doprint("p1"))
