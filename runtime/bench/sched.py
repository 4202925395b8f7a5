"""`gort bench sched`: the scheduler's speed and footprint, beside native Go's.

Three loops, each a whole emulated run (trio, sysmon, the allocator behind it), at --procs 1:
  * Gosched switches per second: two goroutines calling rt.gosched() in turn;
  * unbuffered channel round trips per second: ping on one channel, pong on another;
  * host memory per parked goroutine: 100,000 goroutines blocked receiving on one channel, the
    Python heap measured with tracemalloc while they all wait.
Host time is wall-clock time of the emulator process (best of a few rounds: the machine may be busy).
"""

import gc
import time
import tracemalloc

from runtime.cmd.run import execute

TARGET_GOSCHED = 1_000_000
TARGET_ROUNDTRIP = 300_000
TARGET_BYTES_PER_G = 2048


def _native(program, key="ops_per_s"):
    try:
        from runtime.bench.native import native_figures
    except ImportError:
        return None
    figures = native_figures(program)
    return None if figures is None else figures.get(key)


def gosched_rate(n):
    """Gosched calls per second of host time (two Gs, one P)."""
    timing = {}

    async def spinner(rt, n):
        gosched = rt.gosched
        for _ in range(n):
            await gosched()

    async def main(rt):
        rt.go(spinner, rt, n)
        t = time.perf_counter()
        await spinner(rt, n)
        timing["dt"] = time.perf_counter() - t
    execute(main, "bench-gosched", procs=1, progress=False)
    return 2 * n / timing["dt"]


def roundtrip_rate(n):
    """Unbuffered channel round trips per second of host time (two Gs, one P)."""
    timing = {}

    async def partner(rt, ping, pong, n):
        for _ in range(n):
            v = await ping.recv()
            await pong.send(v)

    async def main(rt):
        ping, pong = rt.chan(), rt.chan()
        rt.go(partner, rt, ping, pong, n)
        t = time.perf_counter()
        for i in range(n):
            await ping.send(i)
            await pong.recv()
        timing["dt"] = time.perf_counter() - t
    execute(main, "bench-chan", procs=1, progress=False)
    return n / timing["dt"]


def floor_rate(n):
    """The host's floor: two bare coroutines switched round-robin by a deque, no runtime at all."""
    import types
    from collections import deque

    @types.coroutine
    def yield_():
        yield 1

    async def spinner(n):
        for _ in range(n):
            await yield_()
    q = deque([spinner(n).send, spinner(n).send])
    t = time.perf_counter()
    while q:
        send = q.popleft()
        try:
            send(None)
        except StopIteration:
            continue
        q.append(send)
    return 2 * n / (time.perf_counter() - t)


def bytes_per_parked_g(n):
    """Python heap bytes per goroutine parked on a channel receive, with n of them alive."""
    figures = {}

    async def waiter(rt, ch):
        await ch.recv()

    async def main(rt):
        ch = rt.chan()
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            rt.go(waiter, rt, ch)
        await rt.sleep(1)                 # every waiter runs and parks
        figures["live"] = rt.num_goroutine()
        figures["bytes"] = tracemalloc.get_traced_memory()[0] - base
        ch.close()
    tracemalloc.start()
    try:
        execute(main, "bench-parked", procs=1, progress=False)
    finally:
        tracemalloc.stop()
    return figures["bytes"] / (figures["live"] - 1), figures["live"]


def run(quick):
    rounds = 1 if quick else 3
    n = 20_000 if quick else 200_000
    gs = max(gosched_rate(n) for _ in range(rounds))
    rt = max(roundtrip_rate(n // 2) for _ in range(rounds))
    floor = max(floor_rate(n) for _ in range(rounds))
    per_g, live = bytes_per_parked_g(10_000 if quick else 100_000)
    native_mem = _native("parked_goroutines", "bytes_per_goroutine")
    return [
        {"name": "Gosched switches (procs 1)", "value": gs, "unit": "switches/s",
         "target": TARGET_GOSCHED, "native": _native("gosched"),
         "note": f"host time; 2 goroutines; {gs / floor:.0%} of this host's bare-coroutine floor"},
        {"name": "floor: bare coroutine round-robin", "value": floor, "unit": "switches/s",
         "note": "a deque and send(), no runtime: what this host's Python can do at best"},
        {"name": "unbuffered chan round trips (procs 1)", "value": rt, "unit": "round trips/s",
         "target": TARGET_ROUNDTRIP, "native": _native("chan_pingpong"), "note": "host time"},
        {"name": f"host memory per parked G ({live - 1:,} live)", "value": per_g, "unit": "B/G",
         "target": TARGET_BYTES_PER_G, "better": "lower", "native": native_mem,
         "note": "tracemalloc, Python heap"},
    ]
