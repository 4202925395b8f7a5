"""Lock contention of one run log, as Linux lockstat / `perf lock contention` report it.

Definitions (also in docs/log-schema.md):
- acquisitions: lock_acquire events; contended: those with wait_ns > 0, plus lock_wait_late events
  (contention the emulator found only at a release: an M that ran ahead took the lock inside
  another's hold; its acquisition was not a contended one when logged). run_end's own totals
  complete both; a log cut before run_end counts at least one acquisition per contended one.
- wait total / avg / p50 / p99 / max: over the contended acquisitions (lockstat's waittime); avg
  is total / contended; p50 and p99 are nearest-rank percentiles (the ceil(q*n)-th smallest wait).
- hold total / avg / max: over lock_release events (avg = total / releases).
- waited by P / G: the P and G that did the waiting; charged to: the previous holder (prev_p,
  prev_g), the M that unlocked just before, as Go's mutex profile charges the unlocker.

The log is scanned once, into cells (the figures of one event, lock, P and previous holder's P):
by the compiled scan (compiledscan.py) where it is built, else by DuckDB (_scan); tests check that
both give the same report.
"""

import re
from dataclasses import asdict, dataclass, field

from runtime import compiled
from runtime.analysis import compiledscan, engine
from runtime.analysis.schema import LOCK_COLUMNS, LOCK_EVENTS, VALID_SQL, WAIT_EVENTS
from runtime.analysis.runinfo import read_run_info

# DuckDB's scan: group the events into cells small enough to fetch (a few per lock and P pair), kept in
# a temporary table with each cell's contended waits; the exact percentiles per lock and per kind
# are then taken from those lists in DuckDB (_PERCENTILES_SQL), as shipping every wait to Python
# cost more than the whole second step.
_CELLS_TABLE = "gort_cells"
_CELLS_SQL = """
SELECT ok, event, lock, p, prev_p, kind, n, coalesce(len(waits), 0) AS contended,
       coalesce(list_sum(waits), 0) AS wait_total, coalesce(list_max(waits), 0) AS wait_max,
       hold_total, hold_max, vt_max, waits
FROM (SELECT coalesce({valid}, false) AS ok, event, lock, p, CASE WHEN wait_ns > 0 THEN prev_p END AS prev_p,
             any_value(kind) AS kind,
             count(*) AS n,
             coalesce(sum(hold_ns), 0) AS hold_total,
             coalesce(max(hold_ns), 0) AS hold_max,
             list(wait_ns) FILTER (wait_ns > 0) AS waits,
             max(vt) AS vt_max
      FROM {source} GROUP BY ok, event, lock, p, CASE WHEN wait_ns > 0 THEN prev_p END)
"""
# (kind follows from the lock, so it rides along instead of being a key: fewer group keys
# measured faster on 2 cores; the span class is read from the name, `mcentral[N] ...`, as it
# saves parsing one more key on every line.)
CELL_COLUMNS = ("vt", "event", "kind", "lock", "p", "prev_p", "wait_ns", "hold_ns")
_SPANCLASS = re.compile(r"^mcentral\[(\d+)\]")

# Nearest-rank p50 and p99 (the ceil(q*n)-th smallest, which is what DuckDB's quantile_disc
# takes: tests/test_analyze.py checks it against a plain-Python reading) of the contended waits,
# per lock and per kind (lock NULL); both from one sort (a list of quantiles: 41 ms instead of 59).
_PERCENTILES_SQL = f"""
SELECT kind, lock, quantile_disc(w, [0.5, 0.99])
FROM (SELECT kind, lock, unnest(waits) AS w FROM {_CELLS_TABLE}
      WHERE ok AND event IN ('lock_acquire', 'lock_wait_late') AND waits IS NOT NULL)
GROUP BY GROUPING SETS ((kind, lock), (kind))
"""

# `--by g`: goroutine ids are many, so they get their own scan of the contended acquisitions.
_BY_G_SQL = """
WITH ev AS (SELECT g, prev_g, kind, wait_ns FROM {source}
            WHERE coalesce({valid}, false) AND event IN ('lock_acquire', 'lock_wait_late') AND wait_ns > 0)
SELECT 'waited' AS side, g AS who, count(*), sum(wait_ns), max(wait_ns), string_agg(DISTINCT kind, ',' ORDER BY kind)
FROM ev GROUP BY g
UNION ALL
SELECT 'charged', prev_g, count(*), sum(wait_ns), max(wait_ns), string_agg(DISTINCT kind, ',' ORDER BY kind)
FROM ev GROUP BY prev_g
"""


@dataclass
class LockStat:
    """One lock's (or one kind's) contention figures."""
    kind: str
    name: str
    acquisitions: int = 0
    contended: int = 0
    wait_ns_total: int = 0
    wait_ns_p50: int = 0
    wait_ns_p99: int = 0
    wait_ns_max: int = 0
    releases: int = 0
    hold_ns_total: int = 0
    hold_ns_max: int = 0
    spanclass: int | None = None
    logged_acquisitions: int | None = None   # set when run_end's totals exceed what was logged

    @property
    def contended_pct(self):
        return 100.0 * self.contended / self.acquisitions if self.acquisitions else 0.0

    @property
    def wait_ns_avg(self):
        return self.wait_ns_total // self.contended if self.contended else 0

    @property
    def hold_ns_avg(self):
        return self.hold_ns_total // self.releases if self.releases else 0

    def as_json(self):
        row = {"kind": self.kind, "name": self.name, **{k: v for k, v in asdict(self).items()
                                                          if k not in ("kind", "name")}}
        for key in ("spanclass", "logged_acquisitions"):
            if row[key] is None:
                del row[key]
        row.update(contended_pct=round(self.contended_pct, 3), wait_ns_avg=self.wait_ns_avg,
                   hold_ns_avg=self.hold_ns_avg)
        return row


@dataclass
class Who:
    """Contended acquisitions grouped by who waited, or by whom the wait is charged to."""
    who: int | None
    contended: int
    wait_ns_total: int
    wait_ns_max: int
    kinds: str = ""


@dataclass
class LogStats:
    """Everything `gort analyze` reports about one log."""
    path: str
    lines_read: int = 0
    lines_skipped: int = 0
    bad_lines: list = field(default_factory=list)
    events: dict = field(default_factory=dict)
    vt_end: int = 0
    run: dict = field(default_factory=dict)
    locks: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    waited_by_p: list = field(default_factory=list)
    charged_to_p: list = field(default_factory=list)
    waited_by_p_kind: list = field(default_factory=list)      # Who with who = (p, kind)
    waited_by_g: list | None = None
    charged_to_g: list | None = None
    run_totals_missing: bool = False       # no run_end lock totals: a log cut short
    notes: list = field(default_factory=list)   # caveats for the reader, one sentence each

    def lock(self, name):
        return next(lock for lock in self.locks if lock.name == name)


def analyze(path, by_g=False, con=None):
    """Read the log at path (one scan; two with by_g) and compute its contention figures."""
    engine.check_readable(path)
    stats = LogStats(path=str(path))
    lockscan = compiled.native("runtime.analysis.lockscan")
    tail = None
    if lockscan is not None:
        cells, percentiles, tail = _scan_compiled(lockscan, path, stats, by_g)
    else:
        cells, percentiles = engine.with_long_lines([path], lambda: _scan(con or engine.connect(), path))
        _count_lines(cells, stats)
    if stats.lines_read == 0:
        raise engine.nothing_read(path, stats.lines_skipped)
    if stats.lines_skipped and lockscan is None:
        stats.bad_lines = engine.bad_line_numbers(con or engine.connect(), path)
    stats.run = read_run_info(path, tail)
    cells = [c for c in cells if c.ok and c.event in LOCK_EVENTS]
    stats.locks = _aggregate(cells, lambda c: (c.kind, c.lock), percentiles)
    if "locks" in stats.run:
        _complete_from_run_totals(stats.locks, stats.run["locks"])
    else:
        stats.run_totals_missing = True
        stats.notes.append(_totals_missing_note(stats.run))
        _count_late_waits_as_acquisitions(stats.locks)
    stats.kinds = _sum_by_kind(stats.locks, percentiles)
    contended = [c for c in cells if c.event in WAIT_EVENTS and c.contended]
    stats.waited_by_p = _who(contended, lambda c: c.p)
    stats.charged_to_p = _who(contended, lambda c: c.prev_p)
    stats.waited_by_p_kind = _who(contended, lambda c: (c.p, c.kind))
    if by_g and stats.waited_by_g is None:       # uncompiled, or more kinds than the scan tells apart
        by_g_sql = _BY_G_SQL.format(valid=VALID_SQL, source=engine.source(path, LOCK_COLUMNS))
        rows = engine.run_query(con or engine.connect(), by_g_sql, path)
        stats.waited_by_g = sorted((Who(*r[1:]) for r in rows if r[0] == "waited"), key=_heaviest_first)
        stats.charged_to_g = sorted((Who(*r[1:]) for r in rows if r[0] == "charged"), key=_heaviest_first)
    return stats


def _scan_compiled(lockscan, path, stats, by_g):
    """The log's cells, percentiles and (gzip) tail from the compiled scan (compiledscan.py),
    which also counts and locates the skipped lines, and with by_g sets the waits by G."""
    found = compiledscan.scan(lockscan, path, by_g=by_g)
    cells = [Cell(True, *row[:-1]) for row in found.cells]
    stats.lines_skipped, stats.bad_lines = found.lines_skipped, found.bad_lines
    _count_lines(cells, stats)
    if by_g and found.by_g is not None:
        with compiledscan.gc_paused():      # a G each, maybe hundreds of thousands
            stats.waited_by_g = _who_by_g(found.by_g, "waited")
            stats.charged_to_g = _who_by_g(found.by_g, "charged")
    return cells, found.percentiles, found.tail


def _who_by_g(rows, side):
    """Who per G from the scan's (side, g, contended, total, max, kinds) tallies (a G may have one
    from each scanning thread), its kinds in name order as the engine's string_agg gives them."""
    groups = {}
    for row_side, g, contended, total, most, kinds in rows:
        if row_side != side:
            continue
        group = groups.get(g)
        if group is None:
            groups[g] = [contended, total, most, kinds]
        else:
            group[0] += contended
            group[1] += total
            group[2] = max(group[2], most)
            group[3] = group[3] | kinds
    joined = {}                 # kinds -> "a,b", made once for each set of kinds
    for group in groups.values():
        kinds = group[3]
        if kinds not in joined:
            joined[kinds] = ",".join(sorted(kinds))
        group[3] = joined[kinds]
    return sorted((Who(g, *group) for g, group in groups.items()), key=_heaviest_first)


def _scan(con, path):
    """The log's cells (one scan) and {(kind, lock or None): (p50, p99)} of its contended waits."""
    cells_sql = _CELLS_SQL.format(valid=VALID_SQL, source=engine.source(path, CELL_COLUMNS))
    engine.run_query(con, f"CREATE OR REPLACE TEMP TABLE {_CELLS_TABLE} AS {cells_sql}", path)
    try:
        cells = [Cell(*row) for row in con.sql(f"SELECT * EXCLUDE (waits) FROM {_CELLS_TABLE}").fetchall()]
        percentiles = {(kind, lock): tuple(p50_p99) for kind, lock, p50_p99 in con.sql(_PERCENTILES_SQL).fetchall()}
    finally:
        con.sql(f"DROP TABLE IF EXISTS {_CELLS_TABLE}")
    return cells, percentiles


@dataclass
class Cell:
    """Lock events of one (lock, P, previous holder's P) group, as the scan returns them."""
    ok: bool
    event: str
    lock: str
    p: int | None
    prev_p: int | None
    kind: str
    n: int
    contended: int
    wait_total: int
    wait_max: int
    hold_total: int
    hold_max: int
    vt_max: int


def _count_lines(cells, stats):
    events = {}
    for c in cells:
        if c.ok:
            stats.lines_read += c.n
            events[c.event] = events.get(c.event, 0) + c.n
            stats.vt_end = max(stats.vt_end, c.vt_max or 0)
        else:
            stats.lines_skipped += c.n
    stats.events = dict(sorted(events.items()))


def _aggregate(cells, key_of, percentiles):
    """LockStat per key (kind, name) over the cells."""
    stats = {}
    for c in cells:
        kind, name = key_of(c)
        lock = stats.get((kind, name))
        if lock is None:
            lock = stats[kind, name] = LockStat(kind, name)
            lock.wait_ns_p50, lock.wait_ns_p99 = percentiles.get((kind, name), (0, 0))
        if c.event in WAIT_EVENTS:
            if c.event == "lock_acquire":       # a late wait is no acquisition of its own
                lock.acquisitions += c.n
            lock.contended += c.contended
            lock.wait_ns_total += c.wait_total
            lock.wait_ns_max = max(lock.wait_ns_max, c.wait_max)
            if kind == "mcentral" and name != kind and lock.spanclass is None:
                found = _SPANCLASS.match(name)
                lock.spanclass = int(found.group(1)) if found else None
        else:
            lock.releases += c.n
            lock.hold_ns_total += c.hold_total
            lock.hold_ns_max = max(lock.hold_ns_max, c.hold_max)
    return list(stats.values())


def _complete_from_run_totals(locks, totals):
    """Take run_end's per-lock totals where they exceed what the log holds.

    At the default (info) level the emulator logs only contended acquisitions (every one at
    debug), and it finds some contention only at release, after the fact (its `late_contended`);
    its own counters, written at run_end, keep the totals exact. Percentiles are over contended
    acquisitions, all of which are logged.
    """
    by_name = {lock.name: lock for lock in locks}
    for total in totals:
        lock = by_name.get(total["name"])
        if lock is None:
            lock = by_name[total["name"]] = LockStat(total["kind"], total["name"])
            if lock.kind == "mcentral":
                found = _SPANCLASS.match(lock.name)
                lock.spanclass = int(found.group(1)) if found else None
            locks.append(lock)
        if total["acquisitions"] > lock.acquisitions:
            lock.logged_acquisitions = lock.acquisitions
            lock.acquisitions = lock.releases = total["acquisitions"]
            lock.hold_ns_total = max(lock.hold_ns_total, total["hold_ns"])
        lock.contended = max(lock.contended, total["contended"])
        lock.wait_ns_total = max(lock.wait_ns_total, total["wait_ns"])
        if isinstance(total.get("hold_ns_max"), int):
            lock.hold_ns_max = max(lock.hold_ns_max, total["hold_ns_max"])


def _count_late_waits_as_acquisitions(locks):
    """Without run_end's totals: a late wait (lock_wait_late) stands for an acquisition that was
    not logged when it was uncontended (info level), so a lock was acquired at least as often
    as it was contended. (At debug the allocator locks' acquisitions are all logged already.)"""
    for lock in locks:
        if lock.contended > lock.acquisitions:
            lock.logged_acquisitions = lock.acquisitions
            lock.acquisitions = lock.contended


def _totals_missing_note(run):
    unlogged = ("sched, chan and sema locks are" if run.get("config", {}).get("log_level") == "debug"
                else "at info level every lock is")
    return (f"this log has no run_end totals (the run or the log was cut short): acquisitions and contended "
            f"count only what was logged, so they are lower bounds; {unlogged} logged only when contended, "
            f"so its uncontended acquisitions are missing and contended % is too high")


def _sum_by_kind(locks, percentiles):
    """Per-kind totals: sums over the locks, percentiles over every wait of the kind."""
    kinds = {}
    for lock in locks:
        kind = kinds.get(lock.kind)
        if kind is None:
            kind = kinds[lock.kind] = LockStat(lock.kind, lock.kind)
            kind.wait_ns_p50, kind.wait_ns_p99 = percentiles.get((lock.kind, None), (0, 0))
        kind.acquisitions += lock.acquisitions
        kind.contended += lock.contended
        kind.wait_ns_total += lock.wait_ns_total
        kind.wait_ns_max = max(kind.wait_ns_max, lock.wait_ns_max)
        kind.releases += lock.releases
        kind.hold_ns_total += lock.hold_ns_total
        kind.hold_ns_max = max(kind.hold_ns_max, lock.hold_ns_max)
    return list(kinds.values())


def _who(cells, key_of):
    groups = {}
    for c in cells:
        who = groups.setdefault(key_of(c), Who(key_of(c), 0, 0, 0))
        who.contended += c.contended
        who.wait_ns_total += c.wait_total
        who.wait_ns_max = max(who.wait_ns_max, c.wait_max)
    return sorted(groups.values(), key=_heaviest_first)


def _heaviest_first(who):
    return (-who.wait_ns_total, str(who.who))


def sort_locks(locks, by="lock"):
    """Table order: by wait (lockstat's default), or mcentral locks by span class."""
    if by == "class":
        return sorted((lock for lock in locks if lock.kind == "mcentral"), key=lambda l: (l.spanclass is None, l.spanclass or 0, l.name))
    return sorted(locks, key=lambda l: (-l.wait_ns_total, -l.acquisitions, l.name))


def as_json(stats, by="lock", top=None):
    """The issue's --json shape (locks, lines_read, lines_skipped) plus the rest of the report."""
    locks = sort_locks(stats.locks, "lock" if by != "class" else "class")
    out = {
        "log": stats.path,
        "locks": [lock.as_json() for lock in locks[:top]],
        "lines_read": stats.lines_read,
        "lines_skipped": stats.lines_skipped,
        "bad_lines": stats.bad_lines,
        "kinds": [kind.as_json() for kind in sort_locks(stats.kinds)],
        "waited_by_p": [_who_json(w, "p") for w in stats.waited_by_p],
        "charged_to_p": [_who_json(w, "p") for w in stats.charged_to_p],
        "waited_by_p_kind": [{"p": w.who[0], "kind": w.who[1], "contended": w.contended,
                              "wait_ns_total": w.wait_ns_total, "wait_ns_max": w.wait_ns_max}
                             for w in stats.waited_by_p_kind],
        "events": stats.events,
        "vt_end": stats.vt_end,
        "run": stats.run,
        "run_totals_missing": stats.run_totals_missing,
        "notes": stats.notes,
    }
    if stats.waited_by_g is not None:
        out["waited_by_g"] = [_who_json(w, "g") for w in stats.waited_by_g[:top]]
        out["charged_to_g"] = [_who_json(w, "g") for w in stats.charged_to_g[:top]]
    return out


def _who_json(who, key):
    row = {key: who.who, "contended": who.contended, "wait_ns_total": who.wait_ns_total, "wait_ns_max": who.wait_ns_max}
    if who.kinds:
        row["kinds"] = who.kinds.split(",")
    return row
