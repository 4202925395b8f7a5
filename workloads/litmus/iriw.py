"""IRIW (independent reads of independent writes): x=1 ‖ y=1 ‖ r0=x; r1=y ‖ r2=y; r3=x.

Can two readers see the two independent writes in opposite orders? Not on a multi-copy-atomic
machine (SC, x86-TSO); yes under Go's memory model for racy reads.
"""

NAME = "IRIW"
WEAK = [{"r0": 1, "r1": 0, "r2": 1, "r3": 0}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome

    async def w0():
        await x.store(1)

    async def w1():
        await y.store(1)

    async def p2():
        r["r0"] = await x.load()
        r["r1"] = await y.load()

    async def p3():
        r["r2"] = await y.load()
        r["r3"] = await x.load()

    await rt.par(w0, w1, p2, p3)
