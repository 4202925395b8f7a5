"""`gort bench analyze`: how fast `gort analyze` reads a JSON-lines log (MB/s), percentiles included.

The log is generated (runtime/analysis/synthlog.py: lock, goroutine and heap events as the
schema has them, at the default level: info), ~250 MB in full mode, written once (about 100 s)
and kept in the temp directory for later runs. The report is timed as `gort analyze` runs it
(the compiled scan, runtime/analysis/lockscan.pyx), and with the DuckDB scan it falls back to
uncompiled; the same figures are also timed in polars and in plain Python with orjson, the
alternatives measured against. Best of a few rounds (the machine may be busy).
"""

import math
import os
import tempfile
import time

TARGET_MB_S = 400
FULL_STEPS, QUICK_STEPS = 6_000_000, 60_000      # ~250 MB and ~2.5 MB of info-level log
_FORMAT = 4     # bump when the synthetic log's content changes


def bench_log(steps, procs=8, seed=1):
    """The cached synthetic log of `steps` goroutine slices (written on first use)."""
    from runtime.analysis.synthlog import write_log
    path = os.path.join(tempfile.gettempdir(), f"gort-bench-analyze-v{_FORMAT}-{steps}-{procs}-{seed}.jsonl")
    if not os.path.exists(path):
        write_log(path + ".part", steps=steps, procs=procs, seed=seed)
        os.replace(path + ".part", path)
    return path


def _best(fn, rounds):
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def polars_report(path):
    """The per-lock figures (counts, sums, max, p50/p99) and by-P waits, in polars."""
    import polars as pl
    schema = {"vt": pl.Int64, "event": pl.String, "kind": pl.String, "lock": pl.String, "p": pl.Int64,
              "prev_p": pl.Int64, "wait_ns": pl.Int64, "hold_ns": pl.Int64}
    frame = pl.scan_ndjson(path, schema=schema, ignore_errors=True).filter(
        pl.col("event").is_in(["lock_acquire", "lock_release"])).collect()
    wait = pl.col("wait_ns")
    contended = wait.filter(wait > 0)
    frame.group_by("kind", "lock").agg(
        (pl.col("event") == "lock_acquire").sum().alias("acquisitions"), (wait > 0).sum().alias("contended"),
        wait.sum().alias("wait_total"), contended.quantile(0.5, "higher").alias("p50"),
        contended.quantile(0.99, "higher").alias("p99"), wait.max().alias("wait_max"),
        pl.col("hold_ns").sum().alias("hold_total"), pl.col("hold_ns").max().alias("hold_max"))
    frame.filter(wait > 0).group_by("p").agg(wait.sum())


def python_report(path):
    """The same report the obvious way: every line through orjson in a Python loop."""
    import orjson
    locks = {}
    with open(path, "rb") as f:
        for line in f:
            try:
                ev = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if ev.get("event") == "lock_acquire":
                row = locks.setdefault(ev["lock"], [0, []])
                row[0] += 1
                if ev["wait_ns"] > 0:
                    row[1].append(ev["wait_ns"])
    for _, waits in locks.values():
        waits.sort()


def run(quick):
    from runtime import compiled
    from runtime.analysis import analyze
    path = bench_log(QUICK_STEPS if quick else FULL_STEPS)
    mb = os.path.getsize(path) / 1e6
    rounds = 1 if quick else 5
    rows = []
    if compiled.native("runtime.analysis.lockscan") is not None:
        best = _best(lambda: analyze(path), rounds)
        rows.append({"name": "gort analyze (compiled scan: yyjson)", "value": mb / best, "unit": "MB/s",
                     "note": f"{mb:.0f} MB log, {best:.2f} s, p50/p99 included"})
    duck = _best(lambda: _without_compiled_scan(lambda: analyze(path)), rounds)
    rows.append({"name": "same report, DuckDB scan (uncompiled)", "value": mb / duck, "unit": "MB/s",
                 "note": f"{duck:.2f} s"})
    if not quick:       # the target is for a big log: on the quick one, fixed costs weigh most
        rows[0]["target"] = TARGET_MB_S
    try:
        import polars  # noqa: F401
        pol = _best(lambda: polars_report(path), rounds)
        rows.append({"name": "same report in polars (alternative)", "value": mb / pol, "unit": "MB/s",
                     "note": f"{pol:.2f} s"})
    except ImportError:
        pass
    if quick or mb < 100:
        py = _best(lambda: python_report(path), 1)
        rows.append({"name": "counts + waits in Python/orjson (baseline)", "value": mb / py, "unit": "MB/s",
                     "note": f"{py:.2f} s"})
    return rows


def _without_compiled_scan(fn):
    from runtime import compiled
    native = compiled.native
    compiled.native = lambda name: None
    try:
        return fn()
    finally:
        compiled.native = native
