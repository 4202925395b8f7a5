"""Channels and select (runtime/chan.py, select.py): Go's semantics and Go's panic messages."""

import io
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.cmd.run import execute


def run(main, procs=1, seed=1):
    out = io.StringIO()
    result = execute(main, "test", procs=procs, seed=seed, out=out, progress=False)
    result.out = out.getvalue()
    return result


def test_unbuffered_send_waits_for_a_receiver():
    events = []

    async def receiver(rt, ch):
        await rt.sleep(1000)
        events.append(("recv", await ch.recv(), rt.now()))

    async def main(rt):
        ch = rt.chan()
        rt.go(receiver, rt, ch)
        await ch.send(42)
        events.append(("sent", rt.now()))
        await rt.sleep(10_000)
    run(main)
    assert events[0][:2] == ("recv", 42)
    assert events[1][0] == "sent" and events[1][1] >= 1000


def test_a_channel_operation_is_a_goroutine_body_of_its_own():
    """go ch <- v, go func() { ch <- v }(), wg.Go(...), time.AfterFunc(d, ...): the operation runs."""
    got = []

    async def main(rt):
        ch, done = rt.chan(), rt.chan(4)
        rt.go(ch.send, 42)
        got.append(await ch.recv())
        rt.go(lambda: ch.send(7))
        got.append(await ch.recv())
        wg = rt.WaitGroup()
        wg.go(done.send, 3)
        await wg.wait()
        got.append(len(done))
        rt.after_func(1000, lambda: done.send(9))
        await rt.sleep(2000)
        got.append(len(done))
    r = run(main)
    assert (r.status, got) == (0, [42, 7, 1, 2])


def test_buffered_channel_fifo_len_cap_and_drain_after_close():
    got = []

    async def main(rt):
        ch = rt.chan(3, zero=0)
        for v in (1, 2, 3):
            await ch.send(v)
        got.append((len(ch), ch.cap()))
        ch.close()
        got.append(await ch.recv2())
        async for v in ch:              # range drains what is left, then ends
            got.append(v)
        got.append(await ch.recv2())    # closed and empty: zero value, ok = false
    assert run(main).status == 0
    assert got == [(3, 3), (1, True), 2, 3, (0, False)]


def test_close_wakes_every_receiver_with_zero_false():
    got = []

    async def waiter(rt, ch, wg):
        got.append(await ch.recv2())
        wg.done()

    async def main(rt):
        ch = rt.chan(0, zero="")
        wg = rt.WaitGroup()
        for _ in range(3):
            wg.add(1)
            rt.go(waiter, rt, ch, wg)
        await rt.sleep(100)
        ch.close()
        await wg.wait()
    run(main, procs=2)
    assert got == [("", False)] * 3


def _panics(body):
    async def main(rt):
        await body(rt)
    r = run(main)
    return r.status, r.report


def test_send_on_closed_channel_panics():
    async def body(rt):
        ch = rt.chan(1)
        ch.close()
        await ch.send(1)
    status, report = _panics(body)
    assert status == 2
    assert report.startswith("panic: send on closed channel\n\ngoroutine 1 [running]:\nmain.")
    assert "test_chan.py:" in report


def test_blocked_sender_panics_when_the_channel_closes():
    async def sender(rt, ch):
        await ch.send(1)

    async def body(rt):
        ch = rt.chan()
        rt.go(sender, rt, ch)
        await rt.sleep(100)
        ch.close()
        await rt.sleep(100)
    status, report = _panics(body)
    assert status == 2 and report.startswith("panic: send on closed channel\n\ngoroutine 6 [running]:")
    assert "created by main." in report


def test_close_of_closed_and_nil_channels_panic():
    async def closed_twice(rt):
        ch = rt.chan()
        ch.close()
        ch.close()

    async def close_nil(rt):
        rt.nil_chan().close()
    assert _panics(closed_twice)[1].startswith("panic: close of closed channel\n")
    assert _panics(close_nil)[1].startswith("panic: close of nil channel\n")


def test_nil_channel_blocks_forever():
    async def main(rt):
        await rt.nil_chan().recv()
    r = run(main)
    assert r.status == 2
    assert r.report.startswith("fatal error: all goroutines are asleep - deadlock!\n\n"
                               "goroutine 1 [chan receive (nil chan)]:\nmain.")


def test_recover_is_catching_the_panic():
    async def main(rt):
        ch = rt.chan()
        ch.close()
        try:
            ch.close()
        except rt.Panic as p:
            rt.println("recovered:", p.value)
    r = run(main)
    assert (r.status, r.out) == (0, "recovered: close of closed channel\n")


def test_select_default_when_nothing_is_ready():
    got = []

    async def main(rt):
        a, b = rt.chan(), rt.nil_chan()
        got.append(await rt.select(a.recv_case(), b.send_case(1), default=True))
        await a.send(1) if False else None
        c = rt.chan(1)
        got.append(await rt.select(c.send_case(7), default=True))
        got.append(await rt.select(c.recv_case(), default=True))
    run(main)
    assert got == [(-1, None, False), (0, None, True), (0, 7, True)]


def test_select_blocks_until_one_case_is_ready_and_dequeues_the_others():
    got = []

    async def later(rt, ch, v):
        await rt.sleep(500)
        await ch.send(v)

    async def main(rt):
        a, b = rt.chan(), rt.chan()
        rt.go(later, rt, b, "b")
        got.append(await rt.select(a.recv_case(), b.recv_case()))
        got.append((len(a.recvq), len(b.recvq)))       # pass 3 removed the losing sudog
    run(main, procs=2)
    assert got == [(1, "b", True), (0, 0)]


def test_select_chooses_among_ready_cases_uniformly_and_reproducibly():
    def counts(seed):
        picks = Counter()

        async def main(rt):
            a, b = rt.chan(1), rt.chan(1)
            for _ in range(400):
                await a.send(1)
                await b.send(2)
                i, _, _ = await rt.select(a.recv_case(), b.recv_case())
                picks[i] += 1
                (b if i == 0 else a).buf.clear()
        run(main, seed=seed)
        return picks
    c1 = counts(1)
    assert 150 < c1[0] < 250 and c1[0] + c1[1] == 400       # no priority by case order
    assert counts(1) == c1                                   # the same seed picks the same
    assert counts(2) != c1


def test_select_with_no_cases_blocks_forever():
    async def main(rt):
        await rt.select()
    r = run(main)
    assert "goroutine 1 [select (no cases)]:" in r.report


@settings(max_examples=15, deadline=None)
@given(cap=st.integers(0, 4), producers=st.integers(1, 4), consumers=st.integers(1, 3),
       items=st.integers(0, 30), procs=st.sampled_from([1, 2, 4]), seed=st.integers(0, 1000))
def test_every_item_is_received_exactly_once(cap, producers, consumers, items, procs, seed):
    got = []

    async def producer(rt, ch, base, wg):
        for i in range(items):
            await ch.send(base + i)
            if i % 3 == 0:
                await rt.work(100)
        wg.done()

    async def consumer(rt, ch, done):
        async for v in ch:
            got.append(v)
        await done.send(True)

    async def main(rt):
        ch, done = rt.chan(cap), rt.chan()
        wg = rt.WaitGroup()
        for k in range(producers):
            wg.add(1)
            rt.go(producer, rt, ch, k * 1000, wg)
        for _ in range(consumers):
            rt.go(consumer, rt, ch, done)
        await wg.wait()
        ch.close()
        for _ in range(consumers):
            await done.recv()
    r = run(main, procs=procs, seed=seed)
    assert r.status == 0
    assert sorted(got) == sorted(k * 1000 + i for k in range(producers) for i in range(items))
    # per producer, FIFO order is kept
    for k in range(producers):
        mine = [v for v in got if v // 1000 == k]
        assert mine == sorted(mine) or consumers > 1


def test_time_after_timer_stop_reset_and_after_func():
    got = []

    async def main(rt):
        t0 = rt.now()
        v = await rt.after(3 * rt.Microsecond).recv()
        got.append(v - t0 >= 3000)
        t = rt.timer(1 * rt.Millisecond)
        got.append(t.stop())                           # pending: stopped
        i, _, _ = await rt.select(t.c.recv_case(), default=True)
        got.append(i)                                  # nothing was sent
        t.reset(2000)
        got.append((await t.c.recv()) >= t0 + 2000)
        fired = rt.chan(1)
        rt.after_func(500, lambda: got.append("func"))
        await rt.sleep(1000)
        got.append(len(fired))
    r = run(main)
    assert r.status == 0
    assert got == [True, True, -1, True, "func", 0]


CLOSE_ORDER_GO = """package main

import ("fmt"; "runtime"; "time")

func main() {
	runtime.GOMAXPROCS(1)
	c := make(chan int)
	out := []int{}
	for i := 0; i < 4; i++ {
		i := i
		go func() { <-c; out = append(out, i) }()
	}
	time.Sleep(time.Millisecond)
	close(c)
	time.Sleep(time.Millisecond)
	fmt.Println(out)
}
"""


def test_close_readies_its_waiters_in_gos_order(tmp_path):
    """closechan collects the waiters on a gList (a stack) and readies them as it pops: each takes
    runnext in turn. The receivers then run in the order native Go runs them."""
    from tests.test_proc import go_run
    out = []

    async def receiver(rt, ch, i):
        await ch.recv()
        out.append(i)

    async def main(rt):
        ch = rt.chan()
        for i in range(4):
            rt.go(receiver, rt, ch, i)
        await rt.sleep(1_000_000)
        ch.close()
        await rt.sleep(1_000_000)
    run(main, procs=1)
    assert out == [3, 2, 1, 0]
    assert go_run(CLOSE_ORDER_GO, tmp_path).split() == ["[3", "2", "1", "0]"]
