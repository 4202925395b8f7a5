"""`gort bench log`: what logging costs a run — alloc_churn at the default level (info) vs off.

The issue's bound: logging takes at most 25% of a run's time, i.e. the run without a log takes at
least 75% of the time of the run with one. Both host times are printed (best of 11 interleaved
rounds: the machine may be busy). Needs the scheduler (`gort run`); until it exists the suite says so.
"""

import io
import os
import tempfile
import time
from pathlib import Path

WORKLOAD = Path(__file__).resolve().parent.parent.parent / "workloads" / "alloc_churn.py"
TARGET_SPEED_PCT = 75


def _timed_run(execute, main, log_path, level):
    start = time.perf_counter()
    execute(main, "alloc_churn", procs=4, seed=1, log_path=log_path, log_level=level,
            out=io.StringIO(), progress=False)
    return time.perf_counter() - start


def run(quick):
    try:
        from runtime.cmd.run import execute, load_workload
    except ImportError as err:
        return [{"name": "log cost on alloc_churn", "value": 0, "unit": "", "note": f"not available yet: {err}"}]
    if not WORKLOAD.exists():
        return [{"name": "log cost on alloc_churn", "value": 0, "unit": "", "note": f"not available yet: no {WORKLOAD}"}]
    main = load_workload(str(WORKLOAD))
    rounds = 1 if quick else 11
    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "alloc_churn.jsonl")
        _timed_run(execute, main, log_path, "info")          # warm-up: imports, caches
        with_log, without = [], []
        for _ in range(rounds):      # interleaved, so drift in the machine's load hits both alike
            with_log.append(_timed_run(execute, main, log_path, "info"))
            without.append(_timed_run(execute, main, None, "off"))
        with_log, without = min(with_log), min(without)
        log_bytes = os.path.getsize(log_path)
    return [
        {"name": "alloc_churn run, log at info (host time)", "value": 1000 * with_log, "unit": "ms",
         "note": f"{log_bytes / 1e6:.1f} MB of log"},
        {"name": "alloc_churn run, log off (host time)", "value": 1000 * without, "unit": "ms"},
        {"name": "alloc_churn speed with log, % of log off", "value": 100 * without / with_log, "unit": "%",
         "target": TARGET_SPEED_PCT, "note": f"logging takes {100 * (1 - without / with_log):.0f}% of the run"},
    ]
