"""MP (message passing): x=1; y=1 ‖ r0=y; r1=x.

Does seeing the flag (r0=1) guarantee seeing the data (r1=1)? Yes under SC and x86-TSO (stores
leave the buffer in order); not for racy plain variables under Go's memory model: nothing orders
the two reads or the two writes. Publish with an atomic, a Mutex or a channel instead.
"""

NAME = "MP"
WEAK = [{"r0": 1, "r1": 0}]
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
        await y.store(1)

    async def p1():
        r["r0"] = await y.load()
        r["r1"] = await x.load()

    await rt.par(p0, p1)
