"""CoRR (coherence of read-read): x=1 ‖ r0=x; r1=x.

Can a goroutine read the new value and then the old one? Hardware coherence forbids it (SC,
x86-TSO). Go's memory model constrains each racy read separately ("later reads need not agree"),
so it is allowed there.
"""

NAME = "CoRR"
WEAK = [{"r0": 1, "r1": 0}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    x = rt.var("x")
    r = rt.outcome

    async def p0():
        await x.store(1)

    async def p1():
        r["r0"] = await x.load()
        r["r1"] = await x.load()

    await rt.par(p0, p1)
