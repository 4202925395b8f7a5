"""WRC (write-to-read causality): x=1 ‖ r0=x; y=1 ‖ r1=y; r2=x.

If the middle goroutine saw x=1 before writing y, and the last saw y=1, must it see x=1? Causality
holds on SC and x86-TSO; plain racy variables give no such guarantee in Go.
"""

NAME = "WRC"
WEAK = [{"r0": 1, "r1": 1, "r2": 0}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome

    async def p0():
        await x.store(1)

    async def p1():
        r["r0"] = await x.load()
        await y.store(1)

    async def p2():
        r["r1"] = await y.load()
        r["r2"] = await x.load()

    await rt.par(p0, p1, p2)
