"""R: x=1; y=1 ‖ y=2; r0=x (outcome: the final y and r0).

Can y end at 2 (so y=2 came after y=1) while the second goroutine still read x=0? Forbidden under
SC; allowed on x86-TSO (y=2 then the load of x run while y=2 waits in the store buffer) and in Go.
"""

NAME = "R"
WEAK = [{"y": 2, "r0": 0}]
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
        await y.store(1)

    async def p1():
        await y.store(2)
        r["r0"] = await x.load()

    await rt.par(p0, p1)
    r["y"] = await y.load()        # after the join: the final value
