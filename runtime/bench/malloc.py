"""`gort bench malloc`: emulated mallocs per second on each allocator path, beside native Go's.

Each loop calls mallocgc directly on one P's mcache (no scheduler), as a Go benchmark loop calls
the allocator: the small-object fast path (32-B noscan: one refill per 256 objects), the tiny path
(4-B noscan), refills (8 KiB objects: one span, so one refill, per malloc) and large objects (40 KiB).
The last row repeats the fast path with the run log at its default level, to show its cost.
"""

import os
import tempfile
import time

from runtime.malloc import mallocgc
from runtime.mheap import MHeap
from runtime.runtime2 import bootstrap_thread

TARGET_FAST_PATH = 3_000_000

# (row name, size, noscan, native program, n)
LOOPS = (
    ("malloc small-object fast path (32 B)", 32, True, "malloc_small", 2_000_000),
    ("malloc tiny path (4 B)", 4, True, "malloc_tiny", 2_000_000),
    ("malloc refill (8 KiB: a span per object)", 8192, True, "malloc_refill", 100_000),
    ("malloc large object (40 KiB)", 40 * 1024, True, "malloc_large", 50_000),
)


def fresh_heap(log=None):
    heap = MHeap()
    m, p = bootstrap_thread()
    heap.attach_p(p)
    if log is not None:
        heap.on_event = lambda name, m, **fields: log.event(name, m.now, m=m.id, p=m.p.id, **fields)
    return heap, p.mcache


def mallocs_per_second(size, noscan, n, log=None):
    heap, c = fresh_heap(log)
    malloc = mallocgc                  # a local: the loop measures mallocgc, not a global lookup
    start = time.perf_counter()
    for _ in range(n):
        malloc(c, size, noscan)
    return n / (time.perf_counter() - start)


def native_ops(program):
    try:
        from runtime.bench.native import native_figures
    except ImportError:
        return None
    figures = native_figures(program)
    return None if figures is None else figures.get("ops_per_s")


def run(quick):
    rows = []
    for name, size, noscan, program, n in LOOPS:
        n = n // 20 if quick else n
        rate = max(mallocs_per_second(size, noscan, n) for _ in range(1 if quick else 3))
        native = native_ops(program)
        rows.append({"name": name, "value": rate, "unit": "mallocs/s",
                     "target": TARGET_FAST_PATH if size == 32 else None, "native": native,
                     "note": f"{native / rate:.0f}x slower than native" if native else ""})
    rows.append(logged_fast_path_row(LOOPS[0][4] // (20 if quick else 4), 1 if quick else 5))
    return rows


def logged_fast_path_row(n, rounds):
    """The fast-path loop with and without the run log, interleaved (best of `rounds` each)."""
    from runtime.log import RunLog

    with tempfile.TemporaryDirectory() as tmp:
        logged, unlogged = [], []
        for _ in range(rounds):
            log = RunLog(os.path.join(tmp, "bench.jsonl"), "info")
            logged.append(mallocs_per_second(32, True, n, log))
            log.close()
            unlogged.append(mallocs_per_second(32, True, n))
    rate, base = max(logged), max(unlogged)
    cost = (base - rate) / base * 100
    return {"name": "malloc fast path, run log at info level", "value": rate, "unit": "mallocs/s",
            "note": f"logging costs {cost:.1f}% (target < 20%)"}
