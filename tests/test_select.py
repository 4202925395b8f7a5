"""select as Go compiles it: one case is a channel operation, `select {}` alone is "no cases"."""

from tests.test_chan import run


def test_wait_reasons_in_a_deadlock_are_gos():
    """Go's twin prints, for the same five goroutines: chan receive (nil chan), chan receive,
    chan send (nil chan), select, select (no cases)."""
    async def main(rt):
        c, n = rt.chan(0), rt.nil_chan()

        async def one_recv():
            await rt.select(c.recv_case())

        async def one_nil_send():
            await rt.select(n.send_case(1))

        async def only_nil_cases():
            await rt.select(n.recv_case(), n.send_case(2))

        async def no_cases():
            await rt.select()
        for f in (one_recv, one_nil_send, only_nil_cases, no_cases):
            rt.go(f)
        await rt.select(n.recv_case())
    report = run(main).report
    states = [line.split("[")[1].split("]")[0] for line in report.splitlines() if line.startswith("goroutine ")]
    assert states == ["chan receive (nil chan)", "chan receive", "chan send (nil chan)", "select",
                      "select (no cases)"]


def test_one_case_select_is_a_channel_operation():
    async def main(rt):
        c = rt.chan(1)
        c2 = rt.chan(0)

        async def sender():
            await rt.select(c2.send_case("x"))
        rt.go(sender)
        rt.println(await rt.select(c2.recv_case()))
        rt.println(await rt.select(c.send_case(1)), await rt.select(c.recv_case()))
        c.close()
        rt.println(await rt.select(c.recv_case()))
    assert run(main).out == "[0 x true]\n[0 <nil> true] [0 1 true]\n[0 <nil> false]\n"


def test_nonblocking_one_case_select_fails_without_the_channel_lock():
    """selectnbrecv/selectnbsend: a poll of an empty (or full) channel does not lock it."""
    locks = []

    async def main(rt):
        c = rt.chan(1)
        locks.append(c.lock)
        for _ in range(10):
            i, _, _ = await rt.select(c.recv_case(), default=True)
            assert i == -1
        await c.send(1)
        before = c.lock.acquisitions
        for _ in range(10):
            i, _, _ = await rt.select(c.send_case(2), default=True)
            assert i == -1
        assert c.lock.acquisitions == before
        i, v, ok = await rt.select(c.recv_case(), default=True)
        rt.println(i, v, ok)
        i, _, _ = await rt.select(rt.nil_chan().send_case(1), default=True)
        rt.println(i)
    r = run(main)
    assert r.out == "0 1 true\n-1\n", r.report
    assert locks[0].acquisitions == 2          # the send and the successful receive
