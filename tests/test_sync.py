"""sync.Mutex, RWMutex, WaitGroup, Once, Cond and atomics (runtime/sync.py, sema.py)."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import proc
from runtime.cmd.run import execute
from runtime.sync import mutexStarving


def run(main, procs=1, seed=1):
    out = io.StringIO()
    result = execute(main, "test", procs=procs, seed=seed, out=out, progress=False)
    result.out = out.getvalue()
    return result


@settings(max_examples=12, deadline=None)
@given(procs=st.sampled_from([1, 2, 4, 8]), workers=st.integers(2, 8), seed=st.integers(0, 99))
def test_mutex_gives_mutual_exclusion(procs, workers, seed):
    state = {"in": 0, "max": 0, "count": 0}

    async def worker(rt, mu, wg):
        for _ in range(10):
            await mu.lock()
            state["in"] += 1
            state["max"] = max(state["max"], state["in"])
            await rt.work(300)                  # other Ms run meanwhile
            state["count"] += 1
            state["in"] -= 1
            mu.unlock()
            await rt.work(100)
        wg.done()

    async def main(rt):
        mu, wg = rt.Mutex(), rt.WaitGroup()
        for _ in range(workers):
            wg.add(1)
            rt.go(worker, rt, mu, wg)
        await wg.wait()
    assert run(main, procs=procs, seed=seed).status == 0
    assert state["max"] == 1 and state["count"] == 10 * workers


def test_mutex_enters_starvation_mode_after_a_waiter_waits_1ms():
    seen = []

    async def hog(rt, mu, stop):
        while not stop:
            await mu.lock()
            await rt.work(400_000)             # holds it 0.4 ms at a time
            seen.append(mu.state & mutexStarving)
            mu.unlock()
            await rt.work(10)

    async def waiter(rt, mu, stop):
        await rt.sleep(50_000)
        t = rt.now()
        await mu.lock()
        seen.append(("waited", rt.now() - t))
        mu.unlock()
        stop.append(True)

    async def main(rt):
        mu = rt.Mutex()
        stop = []
        rt.go(hog, rt, mu, stop)
        rt.go(hog, rt, mu, stop)
        rt.go(waiter, rt, mu, stop)
        await rt.sleep(50 * rt.Millisecond)
    run(main, procs=4)
    assert any(s == mutexStarving for s in seen if not isinstance(s, tuple))
    waited = [s[1] for s in seen if isinstance(s, tuple)]
    assert waited and waited[0] < 5_000_000    # starvation mode bounds the wait


def test_unlock_of_unlocked_mutex_is_a_fatal_error():
    async def main(rt):
        rt.Mutex().unlock()
    r = run(main)
    assert r.status == 2
    assert r.report.startswith("fatal error: sync: unlock of unlocked mutex\n\ngoroutine 1 [running]:")


def test_unlock_of_unlocked_rwmutex_is_a_fatal_error():
    async def w(rt):
        rt.RWMutex().unlock()

    async def r_(rt):
        rt.RWMutex().runlock()
    assert run(w).report.startswith("fatal error: sync: Unlock of unlocked RWMutex\n")
    assert run(r_).report.startswith("fatal error: sync: RUnlock of unlocked RWMutex\n")


def test_try_lock():
    got = []

    async def main(rt):
        mu = rt.Mutex()
        got.append(mu.try_lock())
        got.append(mu.try_lock())
        mu.unlock()
        got.append(mu.try_lock())
    run(main)
    assert got == [True, False, True]


def test_rwmutex_readers_share_writers_exclude_and_are_preferred():
    log = []

    async def reader(rt, rw, name, wg):
        await rw.rlock()
        log.append(("r+", name, rt.now()))
        await rt.work(300_000)
        log.append(("r-", name, rt.now()))
        rw.runlock()
        wg.done()

    async def writer(rt, rw, wg):
        await rt.sleep(20_000)
        await rw.lock()
        log.append(("w+", rt.now()))
        await rt.work(50_000)
        log.append(("w-", rt.now()))
        rw.unlock()
        wg.done()

    async def late_reader(rt, rw, wg):
        await rt.sleep(150_000)                # arrives while the writer waits
        await reader(rt, rw, "late", wg)

    async def main(rt):
        rw, wg = rt.RWMutex(), rt.WaitGroup()
        wg.add(4)
        rt.go(reader, rt, rw, "a", wg)
        rt.go(reader, rt, rw, "b", wg)
        rt.go(writer, rt, rw, wg)
        rt.go(late_reader, rt, rw, wg)
        await wg.wait()
    assert run(main, procs=4).status == 0
    kinds = [e[0] + (e[1] if e[0][0] == "r" else "") for e in log]
    assert kinds.index("r+a") < kinds.index("r-a") and kinds.index("r+b") < kinds.index("r-a")
    w_in, w_out = kinds.index("w+"), kinds.index("w-")
    assert w_in > kinds.index("r-a") and w_in > kinds.index("r-b")      # writer waits for readers
    assert kinds.index("r+late") > w_out                                  # writer preference


def test_waitgroup_negative_counter_panics():
    async def main(rt):
        rt.WaitGroup().done()
    r = run(main)
    assert r.report.startswith("panic: sync: negative WaitGroup counter\n\ngoroutine 1 [running]:")


def test_waitgroup_go_and_wait():
    done = []

    async def main(rt):
        wg = rt.WaitGroup()
        for i in range(5):
            wg.go(lambda i=i: done.append(i))
        await wg.wait()
        rt.println(len(done))
    assert run(main, procs=2).out == "5\n"


def test_once_runs_its_function_once_and_others_wait_for_it():
    calls = []

    async def init(rt):
        calls.append(rt.now())
        await rt.sleep(1000)

    async def user(rt, once, wg):
        await once.do(init, rt)
        calls.append(("after", rt.now()))
        wg.done()

    async def main(rt):
        once, wg = rt.Once(), rt.WaitGroup()
        for _ in range(4):
            wg.add(1)
            rt.go(user, rt, once, wg)
        await wg.wait()
    run(main, procs=4)
    assert len([c for c in calls if not isinstance(c, tuple)]) == 1
    assert all(c[1] >= 1000 for c in calls if isinstance(c, tuple))


def test_cond_signal_and_broadcast():
    woke, waited = [], []

    async def waiter(rt, mu, cond, i):
        await mu.lock()
        waited.append(i)
        await cond.wait()
        woke.append(i)
        mu.unlock()

    async def main(rt):
        mu = rt.Mutex()
        cond = rt.Cond(mu)
        for i in range(3):
            rt.go(waiter, rt, mu, cond, i)
        await rt.sleep(1000)
        cond.signal()
        await rt.sleep(1000)
        woke.append("signal")
        cond.broadcast()
        await rt.sleep(1000)
    run(main, procs=2)
    # Signal wakes the longest waiter (the first ticket); the newest G ran first (runnext)
    assert waited[0] == 2
    assert woke[0] == waited[0] and woke[1] == "signal" and sorted(woke[2:]) == sorted(waited[1:])


def test_atomics():
    got = []

    async def adder(rt, a, wg):
        for _ in range(100):
            await a.add(1)
            await rt.work(10)
        wg.done()

    async def main(rt):
        a, wg = rt.atomic(0), rt.WaitGroup()
        for _ in range(4):
            wg.add(1)
            rt.go(adder, rt, a, wg)
        await wg.wait()
        got.append(await a.load())
        got.append(await a.swap(7))
        got.append(await a.compare_and_swap(7, 8))
        got.append(await a.compare_and_swap(7, 9))
        await a.store(3)
        got.append(await a.load())
    run(main, procs=4)
    assert got == [400, 400, True, False, 3]


def test_sema_handoff_in_starvation_mode_yields_to_the_waiter():
    """Unlock in starvation mode hands the lock over and the unlocker yields (goyield)."""
    order = []

    async def waiter(rt, mu):
        await mu.lock()
        order.append("waiter")
        mu.unlock()

    async def main(rt):
        mu = rt.Mutex()
        await mu.lock()
        rt.go(waiter, rt, mu)
        await rt.sleep(2 * rt.Millisecond)     # the waiter waits > 1 ms ...
        mu.state |= mutexStarving              # ... and has set starvation mode on its next try
        mu.unlock()
        await rt.work(1)                       # a safe point: goyield to the waiter
        order.append("main")
    run(main)
    assert order == ["waiter", "main"]


def test_sync_objects_are_heap_allocated():
    async def main(rt):
        before = proc.sched.mallocs
        rt.Mutex()
        rt.WaitGroup()
        rt.println(proc.sched.mallocs - before)
    out = run(main).out
    assert out.split("\n")[0] == "2"


def test_waitgroup_go_does_not_call_done_when_f_panics():
    """Go 1.27's WaitGroup.Go recovers f's panic and panics again without Done (Wait must not
    return before the panic ends the process); its goroutine is created by sync.(*WaitGroup).Go."""
    wgs = []

    def work(rt):
        rt.panic("boom")

    async def main(rt):
        wg = rt.WaitGroup()
        wgs.append(wg)
        wg.go(work, rt)
        await wg.wait()
    r = run(main)
    assert r.report.startswith("panic: boom [recovered, repanicked]\n\ngoroutine ")
    assert ".work()\n" in r.report                  # f's frames are kept
    assert "created by sync.(*WaitGroup).Go in goroutine 1\n\t$GOROOT/src/sync/waitgroup.go:238" in r.report
    assert wgs[0].v == 1


def test_waitgroup_go_calls_done_after_goexit():
    async def main(rt):
        wg = rt.WaitGroup()
        wg.go(rt.goexit)
        await wg.wait()
        rt.println("waited")
    assert run(main).out == "waited\n"


def test_a_starving_mutex_handoff_runs_the_waiter_before_the_unlockers_next_work():
    """semrelease1 with handoff yields at once (goyield): the waiter that was handed the lock runs
    before the unlocker's next computation is charged, not after it."""
    times = {}

    async def a(rt, mu, wg):
        for i in range(3):
            await mu.lock()
            await rt.sleep(2_000_000)         # hold it past the 1 ms starvation threshold
            times[f"unlock{i}"] = rt.now()
            mu.unlock()
            await rt.work(5_000_000)
        wg.done()

    async def b(rt, mu, wg):
        await mu.lock()
        times["b"] = rt.now()
        mu.unlock()
        wg.done()

    async def main(rt):
        mu, wg = rt.Mutex(), rt.WaitGroup()
        wg.add(2)
        rt.go(a, rt, mu, wg)
        await rt.sleep(1000)
        rt.go(b, rt, mu, wg)
        await wg.wait()
    run(main, procs=1)
    handed_at = max(t for k, t in times.items() if k.startswith("unlock") and t < times["b"])
    assert times["b"] - handed_at < 100_000, times
