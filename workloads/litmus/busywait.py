"""The Go memory model's busy-wait example: spinning on a plain `done` flag.

    var a string
    var done bool

    func setup() { a = "hello, world"; done = true }

    func main() { go setup(); for !done {}; print(a) }

"There is no guarantee that the write to done will ever be observed by main... Worse, main may
observe done and still print an empty string." Under `go` both happen: the loop may spin forever
(status "hangs") or print "". Sequential consistency and x86-TSO print "hello, world" every time.
Run `--variant atomic` to see the fix: with an atomic flag neither can happen. There is no mutex
variant: it puts rt.par bodies under one Mutex, and this scenario's goroutines start with rt.go.
"""

NAME = "busy-wait"
VARIANTS = ("plain", "atomic")
WEAK = [{"printed": ""}, {"status": "hangs"}]
EXPECT = {
    "sc": {"forbidden": WEAK},
    "tso": {"forbidden": WEAK},
    "go": {"interesting": WEAK},
}


async def main(rt):
    a, done = rt.var("a", ""), rt.var("done", False)

    async def setup():
        await a.store("hello, world")
        await done.store(True)

    rt.go(setup)
    while not await done.load():
        pass
    rt.outcome["printed"] = await a.load()
