"""The Go memory model's double-checked locking example (broken).

    var a string
    var done bool

    func setup() { a = "hello, world"; done = true }

    func doprint() {
        if !done { once.Do(setup) }
        print(a)
    }

    func twoprint() { go doprint(); go doprint() }

"There is no guarantee that, in doprint, observing the write to done implies observing the write
to a. This version can (incorrectly) print an empty string." Compare doublecheck_once.py.
"""

NAME = "double-checked locking"
WEAK = [{"p0": ""}, {"p1": ""}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    a, done = rt.var("a", ""), rt.var("done", False)
    once = rt.Once()
    r = rt.outcome

    async def setup():
        await a.store("hello, world")
        await done.store(True)

    async def doprint(register):
        if not await done.load():
            await once.do(setup)
        r[register] = await a.load()

    await rt.par(lambda: doprint("p0"), lambda: doprint("p1"))
