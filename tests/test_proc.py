"""The scheduler's rules (runtime/proc.py, runq.py, sysmon.py), each observed on a real run.

Where real Go can show the same rule (run order under GOMAXPROCS=1), the test runs the Go program
too and compares.
"""

import io
import os
import shutil
import subprocess
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import proc
from runtime import runq as rq
from runtime.cmd.run import execute
from runtime.runtime2 import RUNQ_SIZE, G, P

GO = shutil.which("go") or str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "go")


def run(main, procs=1, seed=1, **kw):
    out = io.StringIO()
    result = execute(main, "test", procs=procs, seed=seed, log_path=kw.pop("log_path", None),
                     out=out, progress=False, **kw)
    result.out = out.getvalue()
    return result


def go_run(source, tmp_path, env=None):
    if not os.path.exists(GO):
        pytest.skip("no Go toolchain")
    (tmp_path / "go.mod").write_text("module x\ngo 1.27\n")
    (tmp_path / "main.go").write_text(source)
    r = subprocess.run([GO, "run", "main.go"], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", **(env or {})),
                       timeout=300)
    return r.stdout


# ---- run queues, unit by unit -------------------------------------------------------------------

class _Sched:
    """The little of Sched that runqput touches."""
    def __init__(self):
        from runtime.costs import DEFAULT_COSTS
        from runtime.lock import RuntimeLock
        from runtime.runtime2 import M
        self.costs = DEFAULT_COSTS
        self.lock = RuntimeLock("sched", "sched.lock")
        self.runq = deque()
        self.curm = M(0)


def _g(i):
    return G(i, None, None, None, None)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["put", "putnext", "get"]), st.integers(0, 3)), max_size=700))
def test_runq_matches_a_model_of_runnext_ring_and_overflow(ops):
    """runqput/runqget against a plain model: runnext LIFO, FIFO ring of 256, half to global."""
    s, p = _Sched(), P(0)
    p.m = s.curm
    model_next, model_ring, model_glob = None, deque(), deque()
    n = 0
    for op, _ in ops:
        if op == "get":
            gp = p.runnext
            if gp is not None:
                p.runnext = None
            elif p.runqhead != p.runqtail:
                gp = rq.runqget(p)
            want = model_next
            if want is not None:
                model_next = None
            elif model_ring:
                want = model_ring.popleft()
            assert gp is want
            continue
        n += 1
        gp = _g(n)
        rq.runqput(s, p, gp, op == "putnext")
        if op == "putnext":
            gp, model_next = model_next, gp
            if gp is None:
                continue
        if len(model_ring) < RUNQ_SIZE:
            model_ring.append(gp)
        else:
            model_glob.extend(model_ring.popleft() for _ in range(RUNQ_SIZE // 2))
            model_glob.append(gp)
        assert p.runqtail - p.runqhead == len(model_ring)
        assert list(s.runq) == list(model_glob)


def test_runqsteal_takes_half_rounded_up_and_runnext_only_when_ring_empty():
    victim = P(1)
    victim.status = 1
    s = _Sched()
    for i in range(5):
        rq.runqput(s, victim, _g(i), False)
    rq.runqput(s, victim, _g(99), True)
    batch = rq.runqgrab(victim, True)
    assert [g.goid for g in batch] == [0, 1, 2]          # 5 - 5//2 = 3, from the head
    assert victim.runnext.goid == 99
    assert [g.goid for g in rq.runqgrab(victim, True)] == [3]    # 2 - 2//2
    assert [g.goid for g in rq.runqgrab(victim, True)] == [4]
    assert rq.runqgrab(victim, False) == []              # ring empty: runnext only if allowed
    assert [g.goid for g in rq.runqgrab(victim, True)] == [99]


# ---- whole runs ---------------------------------------------------------------------------------

ORDER_GO = """package main

import (
	"fmt"
	"runtime"
)

var order []int

func f(i int) { order = append(order, i) }

func main() {
	runtime.GOMAXPROCS(1)
	for i := 0; i < 5; i++ {
		go f(i)
	}
	runtime.Gosched()
	fmt.Println(order)
	order = nil
	for i := 0; i < 200; i++ {
		go f(i)
	}
	runtime.Gosched()
	fmt.Println(len(order))
	runtime.Gosched()
	fmt.Println(len(order))
}
"""


def _order_workload():
    order = []

    async def f(rt, i):
        order.append(i)

    async def main(rt):
        for i in range(5):
            rt.go(f, rt, i)
        await rt.gosched()
        rt.println(order)
        order.clear()
        for i in range(200):
            rt.go(f, rt, i)
        await rt.gosched()
        rt.println(len(order))
        await rt.gosched()
        rt.println(len(order))
    return main


def test_runnext_lifo_then_ring_fifo_and_global_every_61_ticks():
    """The newest G runs first (runnext), then the ring in order; main, sent to the global queue
    by Gosched, comes back at the 61st schedtick although 200 local Gs are runnable."""
    lines = run(_order_workload()).out.splitlines()
    assert lines[0] == "[4 0 1 2 3]"
    first, second = int(lines[1]), int(lines[2])
    assert 1 <= first <= 61 < 200
    assert second - first == 60          # one global check per 61 ticks; main's own tick is one


def test_run_order_matches_native_go(tmp_path):
    native = go_run(ORDER_GO, tmp_path).splitlines()
    ours = run(_order_workload()).out.splitlines()
    assert ours[0] == native[0], (ours, native)
    # native Go's background goroutines (GC, sysmon) shift the 1/61 check by a few ticks (53-56
    # seen on an idle machine, ours is 56); the period of the check is the same
    assert abs(int(ours[1]) - int(native[1])) <= 8, (ours, native)
    assert abs((int(ours[2]) - int(ours[1])) - (int(native[2]) - int(native[1]))) <= 2, (ours, native)


def test_ring_overflow_moves_half_to_the_global_queue():
    seen = {}

    async def noop(rt):
        pass

    async def main(rt):
        for _ in range(258):
            rt.go(noop, rt)
        p = proc.sched.curm.p
        seen["ring"] = p.runqtail - p.runqhead
        seen["global"] = len(proc.sched.runq)
        seen["runnext"] = p.runnext is not None
    assert run(main).status == 0
    assert seen == {"ring": 128, "global": 129, "runnext": True}


def test_idle_ps_steal_work():
    ps = set()

    async def worker(rt):
        ps.add(proc.sched.curm.p.id)
        for _ in range(20):
            await rt.work(10_000)

    async def main(rt):
        wg = rt.WaitGroup()
        for _ in range(16):
            wg.add(1)
            rt.go(lambda: _done_after(rt, worker, wg))
        await wg.wait()
    r = run(main, procs=4)
    assert r.status == 0
    assert r.sched.steals > 0
    assert len(ps) == 4
    assert r.sched.vt_end < 16 * 20 * 10_000 / 2       # really parallel in virtual time


async def _done_after(rt, fn, wg):
    await fn(rt)
    wg.done()


def test_gosched_goes_to_the_global_queue():
    seen = []

    async def other(rt):
        seen.append(len(proc.sched.runq))

    async def main(rt):
        rt.go(other, rt)
        await rt.gosched()              # main to the global queue; `other` (runnext) runs first
    run(main)
    assert seen == [1]


def test_sysmon_preempts_a_g_running_over_10ms_at_its_next_safe_point():
    log = []

    async def hog(rt):
        rt.go(other, rt)                # runnable (runnext) but hog keeps the only P
        for _ in range(300):
            await rt.work(100_000)      # 30 ms of computation with a safe point every 0.1 ms
        log.append(("hog done", rt.now()))

    async def other(rt):
        log.append(("other ran", rt.now()))

    async def main(rt):
        rt.go(hog, rt)
        await rt.sleep(40 * rt.Millisecond)
    r = run(main)
    assert r.sched.preemptions >= 1
    assert log[0][0] == "other ran"
    # sysmon sees the same schedtick twice forcePreemptNS (10 ms) apart; by then it sleeps 10 ms
    # per round (its delay doubles after 50 idle rounds), so the slice ends between 10 and 21 ms
    assert 10_000_000 <= log[0][1] <= 21_000_000
    assert log[1][0] == "hog done"


def test_without_safe_points_there_is_no_preemption():
    async def main(rt):
        rt.go(spin, rt)
        await rt.gosched()

    async def spin(rt):
        rt.work(30_000_000)            # not awaited: no safe point, like a loop with no calls
    r = run(main)
    assert r.sched.preemptions == 0


def test_blocking_syscall_hands_the_p_off():
    async def reader(rt, wg):
        await rt.syscall(2 * rt.Millisecond)
        wg.done()

    async def spinner(rt, wg):
        for _ in range(10):
            await rt.work(50_000)
        wg.done()

    async def main(rt):
        wg = rt.WaitGroup()
        wg.add(2)
        rt.go(reader, rt, wg)
        rt.go(spinner, rt, wg)
        await wg.wait()
    r = run(main, procs=1)
    assert r.sched.handoffs >= 1
    assert len(r.sched.allm) > 2                  # an M beyond M0 and sysmon ran the P
    # the spinner ran while the reader was in its syscall: all done well before 2 ms + 0.5 ms
    assert r.sched.vt_end < 2_600_000


def test_short_syscall_keeps_its_p():
    async def main(rt):
        for _ in range(10):
            await rt.syscall(1_000)
    r = run(main, procs=2)
    assert r.sched.handoffs == 0


def test_exitsyscall_takes_the_idle_list_head_not_its_old_p():
    # proc.go exitsyscallTryGetP: an idle oldp gets no preference; pidleget pops the head. main's
    # P0 is retaken in its 20 ms syscall and goes idle; P1 goes idle after the worker ends, so P1
    # heads the idle list when main comes back.
    seen = {}

    async def worker(rt):
        await rt.work(1_000_000)

    async def main(rt):
        seen["before"] = proc.sched.curm.p.id
        rt.go(worker, rt)
        await rt.syscall(20 * rt.Millisecond)
        seen["after"] = proc.sched.curm.p.id
    r = run(main, procs=2)
    assert r.sched.handoffs == 1
    assert seen == {"before": 0, "after": 1}


def test_exitsyscall_steals_its_old_p_from_an_m_in_a_syscall():
    # proc.go exitsyscallTryGetP: setBlockOnExitSyscall(oldp) + takeP. sysmon retakes main's P0
    # (the worker waits in its runq) and hands it off; the worker then sits in a syscall on P0, kept
    # there since P1 went idle after `busy`. main's syscall ends first and takes P0 straight back,
    # with no sched.lock and no retake, though P1 is idle.
    seen = {}

    async def busy(rt):
        await rt.work(50_000)

    async def worker(rt):
        seen["worker"] = proc.sched.curm.p.id
        await rt.syscall(20 * rt.Millisecond)

    async def main(rt):
        rt.go(busy, rt)
        rt.go(worker, rt)
        await rt.syscall(5 * rt.Millisecond)
        seen["main"] = proc.sched.curm.p.id
    r = run(main, procs=2)
    assert r.sched.handoffs == 1
    assert seen == {"worker": 0, "main": 0}


def test_wakep_starts_one_spinning_m_per_new_goroutine():
    async def main(rt):
        wg = rt.WaitGroup()
        for _ in range(8):
            wg.add(1)
            rt.go(_busy, rt, wg)
        await wg.wait()
    r = run(main, procs=8)
    assert len(r.sched.allm) == 9            # M0..M7 and sysmon: at most one M per P


async def _busy(rt, wg):
    await rt.work(100_000)
    wg.done()


def test_sleep_advances_virtual_time_only():
    async def main(rt):
        await rt.sleep(5 * rt.Second)
        rt.println(rt.now() >= 5 * rt.Second)
    r = run(main)
    assert r.out == "true\n"
    assert 5_000_000_000 <= r.sched.vt_end < 5_001_000_000


def test_goids_start_after_the_runtime_goroutines_as_in_go():
    ids = []

    async def f(rt):
        ids.append(rt.goid())

    async def main(rt):
        ids.append(rt.goid())
        rt.go(f, rt)
        await rt.gosched()
    run(main)
    assert ids == [1, 6]


def test_schedtrace_prints_go_format_lines(capsys):
    async def main(rt):
        for _ in range(40):
            await rt.work(100_000)
    run(main, procs=2, schedtrace_ms=1)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("SCHED 0ms: gomaxprocs=2 idleprocs=")
    assert any(line.startswith("SCHED 1ms:") or line.startswith("SCHED 2ms:") for line in lines)
    assert all(" runqueue=" in line and " schedticks=[ " in line for line in lines)


def test_goexit_runs_deferred_code_and_main_goexit_is_fatal_when_nothing_is_left():
    async def w(rt):
        try:
            rt.goexit()
        finally:
            rt.println("deferred ran")

    async def main(rt):
        rt.go(w, rt)
        await rt.sleep(10)
        rt.goexit()
    r = run(main)
    assert r.out == "deferred ran\n"
    assert (r.status, r.report) == (2, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n")

