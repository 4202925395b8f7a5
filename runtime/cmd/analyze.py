"""`gort analyze LOG [LOG2] [--json] [--by lock|class|p|g] [--top N] [--sql QUERY]`.

The lockstat-style contention report of a run log, or of two runs side by side. The log's schema
and the report's definitions: docs/log-schema.md. Damaged lines are skipped and counted; the
status is 0 when anything could be read.
"""

import sys

import orjson

from runtime.analysis import analyze, as_json, engine
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
    reports = [analyze(path, by_g=args.by == "g") for path in args.logs]
    if args.json:
        shapes = [as_json(stats, by=args.by, top=args.top) for stats in reports]
        out = shapes[0] if len(shapes) == 1 else {"logs": shapes}
        sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    from runtime.analysis.report import print_report, print_side_by_side   # rich only for tables
    top = args.top or 20
    if len(reports) == 1:
        print_report(reports[0], by=args.by, top=top)
    else:
        print_side_by_side(*reports, by=args.by, top=top)
    return 0


def run_sql(paths, query, as_json_lines):
    """The user's query over views of the logs; every schema key is a column."""
    con = engine.fresh_connection()
    for view, path in zip(("events", "events2"), paths):
        engine.check_readable(path)
        con.sql(f"CREATE VIEW {view} AS SELECT * FROM {engine.source(path, tuple(COLUMNS))}")
    result = engine.run_query(con, query, paths[0])
    if result is None:
        return 0
    columns, rows = result.columns, result.fetchall()
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
