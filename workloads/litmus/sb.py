"""SB (store buffering): x=1; r0=y ‖ y=1; r1=x.

Can both goroutines miss the other's store (r0=0, r1=0)? Not under sequential consistency; yes on
x86-TSO (each store waits in its goroutine's store buffer) and under Go's memory model for racy
plain variables. The classic Dekker/Peterson failure.
"""

NAME = "SB"
WEAK = [{"r0": 0, "r1": 0}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"interesting": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome

    async def p0():
        await x.store(1)
        r["r0"] = await y.load()

    async def p1():
        await y.store(1)
        r["r1"] = await x.load()

    await rt.par(p0, p1)
