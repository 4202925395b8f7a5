"""Analysis of run logs: the contention report, and the engine (DuckDB) it runs on.

The face: `analyze(path) -> LogStats` and `as_json(stats)`; the exports (trace, pprof, plot) read
events through `events.iter_events`. The log's schema: docs/log-schema.md.
"""

from runtime.analysis.lockstat import LockStat, LogStats, analyze, as_json  # noqa: F401
