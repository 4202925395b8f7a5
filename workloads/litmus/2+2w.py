"""2+2W: x=1; y=2 ‖ y=1; x=2 (outcome: the final x and y).

Can both variables end with the value written first in program order (x=1, y=1)? That needs the
two pairs of writes to be seen in opposite orders: impossible with one total store order (SC,
x86-TSO); allowed for racy writes in Go, where no write is ordered after the other.
"""

NAME = "2+2W"
WEAK = [{"x": 1, "y": 1}]
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
        await y.store(2)

    async def p1():
        await y.store(1)
        await x.store(2)

    await rt.par(p0, p1)
    r["x"] = await x.load()        # after the join: the final values
    r["y"] = await y.load()
