"""ISA2: x=1; y=1 ‖ r0=y; z=1 ‖ r1=z; r2=x.

A message passed along a chain of three goroutines: seeing y=1 then z=1 should imply seeing x=1.
True on SC and x86-TSO; not for racy plain variables in Go.
"""

NAME = "ISA2"
WEAK = [{"r0": 1, "r1": 1, "r2": 0}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x, y, z = rt.var("x"), rt.var("y"), rt.var("z")
    r = rt.outcome

    async def p0():
        await x.store(1)
        await y.store(1)

    async def p1():
        r["r0"] = await y.load()
        await z.store(1)

    async def p2():
        r["r1"] = await z.load()
        r["r2"] = await x.load()

    await rt.par(p0, p1, p2)
