"""`gort analyze LOG [LOG2] [--json] [--by lock|class|p|g] [--top N] [--sql QUERY]`.

The lockstat-style contention report of a run log, or of two runs side by side. The log's schema
and the report's definitions: docs/log-schema.md. Damaged lines are skipped and counted; the
status is 0 when anything could be read.
"""

import sys

import duckdb
import orjson

from runtime.analysis import LogStats, analyze, as_json, engine
from runtime.analysis.schema import COLUMNS
from runtime.errors import UserError


def add_arguments(parser):
    parser.add_argument("logs", nargs="+", metavar="LOG", help="a run log (JSON lines); two to compare runs")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--by", choices=("lock", "class", "p", "g"), default="lock",
                        help="breakdown: each lock (default), mcentral by size class, by P, or by goroutine")
    parser.add_argument("--top", type=int, default=None, metavar="N",
                        help="rows per table (default 20 in tables, all in --json)")
    parser.add_argument("--sql", metavar="QUERY",
                        help="run a SQL query (DuckDB) on the log: table `events` (LOG), `events2` (LOG2)")


def run(args):
    if len(args.logs) > 2:
        raise UserError("give one log, or two to compare")
    if args.top is not None and args.top < 1:
        raise UserError("--top must be at least 1")
    if args.sql:
        return run_sql(args.logs, args.sql, args.json)
    reports, errors = _analyze_each(args.logs, by_g=args.by == "g")
    if len(errors) == len(reports):        # nothing readable
        _print_errors(errors[:-1])
        raise errors[-1]
    if args.json:
        shapes = [as_json(stats, by=args.by, top=args.top) if isinstance(stats, LogStats)
                  else {"log": path, "error": str(stats)} for path, stats in zip(args.logs, reports)]
        out = shapes[0] if len(shapes) == 1 else {"logs": shapes}
        sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        from runtime.analysis.report import print_report, print_side_by_side   # rich only for tables
        top = args.top or 20
        readable = [stats for stats in reports if isinstance(stats, LogStats)]
        if len(readable) == 1:
            print_report(readable[0], by=args.by, top=top)
        else:
            print_side_by_side(*readable, by=args.by, top=top)
    _print_errors(errors)          # the other log is reported; this one could not be read
    return 1 if errors else 0


def _print_errors(errors):
    sys.stdout.flush()
    for err in errors:
        print(f"gort analyze: {err}", file=sys.stderr)


def _analyze_each(paths, by_g):
    """([LogStats, or the UserError of a log that could not be read, per log], [those errors])."""
    reports = []
    for path in paths:
        try:
            reports.append(analyze(path, by_g=by_g))
        except UserError as err:
            reports.append(err)
    return reports, [r for r in reports if isinstance(r, UserError)]


def run_sql(paths, query, as_json_lines):
    """The user's query over views of the logs; every schema key is a column."""
    for path in paths:
        engine.check_readable(path)
    result = engine.with_long_lines(paths, lambda: _query(paths, query))
    if result is None:
        return 0
    columns, rows = result
    if as_json_lines:
        for row in rows:
            sys.stdout.buffer.write(orjson.dumps(dict(zip(columns, row)), default=str) + b"\n")
        return 0
    from rich.console import Console
    from rich.table import Table
    table = Table(*columns)
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    Console().print(table)
    return 0


def _query(paths, query):
    """(columns, rows) of the query over fresh views `events`, `events2` of the logs (None for
    a statement without rows)."""
    con = engine.fresh_connection()
    try:
        for view, path in zip(("events", "events2"), paths):
            con.sql(f"CREATE VIEW {view} AS SELECT * FROM {engine.source(path, tuple(COLUMNS))}")
        rel = con.sql(query)
        return None if rel is None else (rel.columns, rel.fetchall())
    except duckdb.Error as err:
        raise _query_error(err, paths) from None


def _query_error(err, paths):
    """A failure to read a log names the log; any other (syntax, unknown column, a cast that
    fails...) is the query's."""
    text = str(err)
    if (isinstance(err, (duckdb.IOException, duckdb.OutOfMemoryException, duckdb.PermissionException))
            or "while reading file" in text):
        return engine.read_error(err, next((p for p in paths if str(p) in text), paths[0]))
    return UserError(f"bad --sql query: {engine.first_line(err)}")
