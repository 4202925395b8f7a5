"""`gort run --race`: the race detector inside the emulated runtime.

No report on correctly synchronized programs, whichever Go memory model edge orders them; a report
(in the race detector's format, exit status 66) for every racing pair on the executed schedule.
"""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cmd.run import execute

REPO = Path(__file__).resolve().parents[1]


def run_race(main, procs=2, seed=1, tmp_path=None, log_level="info"):
    out = io.StringIO()
    log = str(tmp_path / "run.jsonl") if tmp_path is not None else None
    result = execute(main, "test", procs=procs, seed=seed, out=out, race=True, progress=False,
                     log_path=log, log_level=log_level)
    return result


async def mutex_protected(rt):
    x, mu, wg = rt.var("x"), rt.Mutex(), rt.WaitGroup()

    async def inc():
        await mu.lock()
        await x.store(await x.load() + 1)
        mu.unlock()
        wg.done()
    wg.add(3)
    for _ in range(3):
        rt.go(inc)
    await wg.wait()
    await x.load()


async def channel_message(rt):
    data, ch = rt.var("data"), rt.chan(0)

    async def producer():
        await data.store(42)
        await ch.send(1)
    rt.go(producer)
    await ch.recv()
    await data.load()


async def unbuffered_receive_before_send_completes(rt):
    a, c = rt.var("a"), rt.chan(0)

    async def f():
        await a.store("hello, world")
        await c.recv()
    rt.go(f)
    await c.send(0)
    await a.load()


async def semaphore_channel(rt):
    x, sem, wg = rt.var("x"), rt.chan(1), rt.WaitGroup()

    async def worker():
        await sem.send(0)
        await x.store(await x.load() + 1)
        await sem.recv()
        wg.done()
    wg.add(3)
    for _ in range(3):
        rt.go(worker)
    await wg.wait()


async def close_then_receive(rt):
    x, done = rt.var("x"), rt.chan(0)

    async def f():
        await x.store(1)
        done.close()
    rt.go(f)
    await done.recv()
    await x.load()


async def once_initialization(rt):
    cfg, once, wg = rt.var("cfg"), rt.Once(), rt.WaitGroup()

    async def setup():
        await cfg.store("ready")

    async def user():
        await once.do(setup)
        await cfg.load()
        wg.done()
    wg.add(3)
    for _ in range(3):
        rt.go(user)
    await wg.wait()


async def rwmutex_readers(rt):
    x, rw, wg = rt.var("x"), rt.RWMutex(), rt.WaitGroup()

    async def writer():
        await rw.lock()
        await x.store(1)
        rw.unlock()
        wg.done()

    async def reader():
        await rw.rlock()
        await x.load()
        rw.runlock()
        wg.done()
    wg.add(4)
    rt.go(writer)
    for _ in range(3):
        rt.go(reader)
    await wg.wait()
    await x.store(2)


async def atomic_flag(rt):
    data, flag, wg = rt.var("data"), rt.atomic(0), rt.WaitGroup()

    async def publisher():
        await data.store(7)
        await flag.store(1)
        wg.done()

    async def consumer():
        while await flag.load() == 0:
            await rt.gosched()
        await data.load()
        wg.done()
    wg.add(2)
    rt.go(consumer)
    rt.go(publisher)
    await wg.wait()


async def select_message(rt):
    data, c, quit = rt.var("data"), rt.chan(0), rt.chan(0)

    async def producer():
        await data.store(1)
        await c.send(1)
    rt.go(producer)
    i, _, _ = await rt.select(c.recv_case(), quit.recv_case())
    await data.load()


async def trylock_protected(rt):
    x, y, mu, rw, wg = rt.var("x"), rt.var("y"), rt.Mutex(), rt.RWMutex(), rt.WaitGroup()

    async def inc():
        while not mu.try_lock():               # Go's TryLock synchronizes as Lock does
            await rt.gosched()
        await x.store(await x.load() + 1)
        mu.unlock()
        await rw.lock()
        await y.store(await y.load() + 1)
        rw.unlock()
        wg.done()

    async def reader():
        while not rw.try_rlock():              # ... and TryRLock as RLock
            await rt.gosched()
        await y.load()
        rw.runlock()
        wg.done()
    wg.add(4)
    for f in (inc, inc, reader, reader):
        rt.go(f)
    await wg.wait()


@pytest.mark.parametrize("procs", [1, 4])
@pytest.mark.parametrize("program", [mutex_protected, trylock_protected, channel_message, unbuffered_receive_before_send_completes,
                                     semaphore_channel, close_then_receive, once_initialization,
                                     rwmutex_readers, atomic_flag, select_message])
def test_no_report_on_correctly_synchronized_programs(program, procs):
    for seed in (1, 2, 3):
        result = run_race(program, procs=procs, seed=seed)
        assert result.races == 0, (program.__name__, seed)
        assert result.status == 0


async def buffered_handoff(rt):
    """The Go memory model's example with make(chan int, 1): no longer guaranteed."""
    a, c = rt.var("a"), rt.chan(1)

    async def f():
        await a.store("hello, world")
        await c.recv()
    rt.go(f)
    await c.send(0)
    await rt.sleep(1000)
    await a.load()


async def unsynchronized_counter(rt):
    x, wg = rt.var("x"), rt.WaitGroup()

    async def inc():
        await x.store(await x.load() + 1)
        wg.done()
    wg.add(2)
    rt.go(inc)
    rt.go(inc)
    await wg.wait()


async def atomic_store_acquires_nothing(rt):
    """An atomic Store observes nothing, so it synchronizes with no earlier atomic write: the
    second goroutine's store to `a` does not order the first one's write of x before its read
    (Go's race detector reports x; d is raced on too)."""
    x, d, a = rt.var("x"), rt.var("d"), rt.atomic(0)

    async def first():
        await x.store(1)
        await a.store(1)
        await d.store(1)

    async def second():
        await rt.sleep(10_000)
        if await d.load() == 1:
            await a.store(2)
            await x.load()
    rt.go(first)
    rt.go(second)
    await rt.sleep(100_000)


async def atomic_load_syncs_with_the_store_it_reads_only(rt):
    """A load that reads the second of two stores to `a` (not ordered with each other) syncs with
    that store alone: the first storer's write of x still races with the reader's read."""
    x, a = rt.var("x"), rt.atomic(0)

    async def first():
        await x.store(1)
        await a.store(1)

    async def second():
        await rt.sleep(10_000)
        await a.store(2)

    async def reader():
        await rt.sleep(20_000)
        if await a.load() == 2:
            await x.load()
    for f in (first, second, reader):
        rt.go(f)
    await rt.sleep(100_000)


async def cond_signal_without_a_waiter(rt):
    """A Signal "synchronizes before" the Wait it unblocks and no other (sync.Cond's doc): one
    sent while nobody waits orders nothing, so x written before it races with the later waiter's
    read (the waiter is woken by another goroutine's Signal)."""
    x, d, mu = rt.var("x"), rt.var("d"), rt.Mutex()
    c = rt.Cond(mu)

    async def early_signaller():
        await x.store(1)
        c.signal()                    # nobody waits yet
        await d.store(1)

    async def waiter():
        await rt.sleep(10_000)
        if await d.load() == 1:
            await mu.lock()
            await c.wait()
            mu.unlock()
            await x.load()

    async def late_signaller():
        await rt.sleep(50_000)
        await mu.lock()
        c.signal()
        mu.unlock()
    for f in (early_signaller, waiter, late_signaller):
        rt.go(f)
    await rt.sleep(200_000)


def test_a_cond_signal_synchronizes_only_with_the_wait_it_wakes(capsys):
    result = run_race(cond_signal_without_a_waiter, procs=1)
    assert result.status == 66
    assert "Read at x by goroutine" in capsys.readouterr().err


def test_atomics_synchronize_as_tsans_go_atomics(capsys):
    """Load acquires, Store releases (replacing the clock), read-modify-writes do both."""
    for program in (atomic_store_acquires_nothing, atomic_load_syncs_with_the_store_it_reads_only):
        result = run_race(program, procs=1)
        assert result.status == 66, program.__name__
        assert "Read at x by goroutine" in capsys.readouterr().err, program.__name__


@pytest.mark.parametrize("program", [buffered_handoff, unsynchronized_counter])
def test_races_are_reported_with_exit_status_66(program):
    result = run_race(program)
    assert result.races >= 1
    assert result.status == 66


def test_cli_report_shape():
    out = subprocess.run([sys.executable, "-m", "runtime.cli", "run", str(REPO / "workloads" / "racy_counter.py"),
                          "--race", "--log-level", "off", "--no-summary"], capture_output=True, text=True)
    assert out.returncode == 66
    err = out.stderr
    assert "==================\nWARNING: DATA RACE\n" in err
    assert "Previous write at counter by goroutine" in err
    assert "created at:" in err and "racy_counter.py:" in err
    assert "guarded" not in err
    assert err.count("WARNING: DATA RACE") == 1          # as Go: the write after the racy read is not
    assert "Found 1 data race(s)" in err               # reported again (TSan resets the shadow)


def test_without_race_no_report_and_status_0():
    out = subprocess.run([sys.executable, "-m", "runtime.cli", "run", str(REPO / "workloads" / "racy_counter.py"),
                          "--log-level", "off", "--no-summary"], capture_output=True, text=True)
    assert out.returncode == 0 and "DATA RACE" not in out.stderr


def test_debug_log_carries_hb_events_with_vector_clocks(tmp_path):
    run_race(channel_message, tmp_path=tmp_path, log_level="debug")
    events = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text().splitlines()]
    hb = [e for e in events if e["event"] == "hb"]
    reads = [e for e in hb if e.get("op") == "read" and e.get("var") == "data"]
    writes = [e for e in hb if e.get("op") == "write" and e.get("var") == "data"]
    assert reads and writes
    w, r = writes[0], reads[0]
    assert r["rf"] == "data#1"                      # it read the first (only) write
    assert int(r["clock"][str(w["g"])]) >= int(w["clock"][str(w["g"])])   # the write happens before it
    assert any(e.get("op") == "go" for e in hb)


async def bump(rt, p):
    await p.store(await p.load() + 1)


async def repeated_races(rt):
    """Go's twin (go build -race) reports 4 races: x twice (two stack pairs), a[0] but not a[1]
    (the same pair of stacks), c once (its write after the reported read is not checked)."""
    x, c, a = rt.var("x", 0), rt.var("c", 0), [rt.var("a[0]", 0), rt.var("a[1]", 0)]

    async def w1():
        await x.store(1)
    rt.go(w1)
    await rt.sleep(10 * rt.Millisecond)
    await x.store(2)

    async def w3():
        await x.store(3)
    rt.go(w3)
    await rt.sleep(10 * rt.Millisecond)
    await x.load()
    for i in range(2):
        rt.go(bump, rt, a[i])
        await rt.sleep(10 * rt.Millisecond)
        await bump(rt, a[i])

    async def inc():
        await c.store(await c.load() + 1)
    rt.go(inc)
    await rt.sleep(10 * rt.Millisecond)
    await c.store(await c.load() + 1)


def test_races_are_deduplicated_as_tsan_does(capsys):
    result = run_race(repeated_races)
    assert result.races == 4
    heads = re.findall(r"^(?:Read|Write|Previous read|Previous write) at (\S+)", capsys.readouterr().err, re.M)
    assert heads == ["x", "x", "x", "x", "a[0]", "a[0]", "c", "c"]
