"""The log's columns as the engine reads them: docs/log-schema.md in machine form.

One table for every event: a key that an event does not have is NULL in its row. `LOCK_COLUMNS`
is what the contention report reads (projection keeps the scan fast); `COLUMNS` is every key, for
`gort analyze --sql`.
"""

LOCK_EVENTS = ("lock_acquire", "lock_release", "lock_wait_late")
WAIT_EVENTS = ("lock_acquire", "lock_wait_late")     # the events that carry a wait (wait_ns)

# key -> DuckDB type
COLUMNS = {
    "vt": "BIGINT", "event": "VARCHAR", "m": "BIGINT", "p": "BIGINT", "g": "BIGINT",
    # lock_acquire / lock_release
    "kind": "VARCHAR", "lock": "VARCHAR", "wait_ns": "BIGINT", "waiters": "BIGINT",
    "prev_m": "BIGINT", "prev_p": "BIGINT", "prev_g": "BIGINT", "spanclass": "BIGINT",
    "stack": "VARCHAR[]", "hold_ns": "BIGINT",
    # allocator
    "sizeclass": "BIGINT", "noscan": "BOOLEAN", "nelems": "BIGINT", "free": "BIGINT",
    "npages": "BIGINT", "base": "UBIGINT", "bytes": "BIGINT", "heap_sys": "BIGINT",
    "size": "BIGINT", "elemsize": "BIGINT", "addr": "UBIGINT",
    # scheduler
    "newg": "BIGINT", "parent_g": "BIGINT", "fn": "VARCHAR", "reason": "VARCHAR",
    "target": "BIGINT", "victim": "BIGINT", "n": "BIGINT", "ran_ns": "BIGINT",
    "ns": "BIGINT", "handoff": "BOOLEAN",
    # heap_snapshot
    "HeapAlloc": "BIGINT", "HeapInuse": "BIGINT", "HeapSys": "BIGINT", "HeapIdle": "BIGINT",
    "HeapObjects": "BIGINT", "Mallocs": "BIGINT", "Frees": "BIGINT",
    # hb (memory model)
    "op": "VARCHAR", "var": "VARCHAR", "value": "JSON", "rf": "VARCHAR", "obj": "VARCHAR",
    "parent": "BIGINT", "clock": "JSON",
    # run_start / run_end
    "config": "JSON", "cost_model": "JSON", "versions": "JSON", "status": "BIGINT", "totals": "JSON",
}

LOCK_COLUMNS = ("vt", "event", "m", "p", "g", "kind", "lock", "wait_ns", "hold_ns",
                "prev_m", "prev_p", "prev_g", "spanclass")

# A row the report can use: `vt` a count of ns, `event` a name (lowercase first letter, so a number
# cast to text is refused), lock events with their kind, lock and wait or hold. Numbers that are
# not numbers read as NULL and make their line skipped; unknown keys and events are ignored.
VALID_SQL = """vt IS NOT NULL AND vt >= 0 AND event >= 'a' AND event < '{'
  AND (event <> 'lock_acquire' OR (kind IS NOT NULL AND lock IS NOT NULL AND wait_ns >= 0))
  AND (event <> 'lock_wait_late' OR (kind IS NOT NULL AND lock IS NOT NULL AND wait_ns >= 0))
  AND (event <> 'lock_release' OR (kind IS NOT NULL AND lock IS NOT NULL AND hold_ns >= 0))"""


def columns_sql(names):
    """A DuckDB STRUCT literal of the named columns and their types, for read_json(columns=...)."""
    return "{" + ", ".join(f"'{name}': '{COLUMNS[name]}'" for name in names) + "}"
