"""S: x=2; y=1 ‖ r0=y; x=1 (outcome: r0 and the final x).

If the second goroutine saw y=1, its x=1 came after x=2 in SC and TSO, so x ends at 1. Racy
writes in Go are not ordered that way: x may end at 2.
"""

NAME = "S"
WEAK = [{"r0": 1, "x": 2}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome

    async def p0():
        await x.store(2)
        await y.store(1)

    async def p1():
        r["r0"] = await y.load()
        await x.store(1)

    await rt.par(p0, p1)
    r["x"] = await x.load()        # after the join: the final value
