"""LB (load buffering): r0=x; y=1 ‖ r1=y; x=1.

Can each goroutine read the other's later store (r0=1, r1=1)? Not by interleaving alone: it needs a
load to be satisfied after a later independent store of its own goroutine (ARM and POWER do this;
Go's memory model allows it for racy reads, without values out of thin air).
"""

NAME = "LB"
WEAK = [{"r0": 1, "r1": 1}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome

    async def p0():
        r["r0"] = await x.load()
        await y.store(1)

    async def p1():
        r["r1"] = await y.load()
        await x.store(1)

    await rt.par(p0, p1)
