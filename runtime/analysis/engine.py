"""The query engine under `gort plot`, `--sql`, and `gort analyze` uncompiled: DuckDB.

Why DuckDB: on a 249 MB info-level log generated here (`gort bench analyze`, 2 cores, best of 3),
the whole contention report (per-lock counts, sums, maxima, exact p50/p99, waits by P) ran at
290-360 MB/s in DuckDB, 180-250 MB/s in polars (`scan_ndjson`, same figures), 280 in DataFusion
and 85 MB/s as a plain Python loop over orjson (counts and waits only); pyarrow's JSON reader took
1.5 s to read the report's columns alone (165 MB/s), chdb (embedded ClickHouse) 1.5 s for the
report. DuckDB also streams the file with bounded memory (a 2 GB log peaked at 250 MB RSS;
`memory_limit`, spilling to a temp directory), reads a damaged line as a row of NULLs instead of
failing, and gives users SQL over the log (`--sql`).

The report's own scan is faster compiled (lockscan.pyx: yyjson on both cores, 660-990 MB/s); DuckDB
runs it where that module is not built: `read_json` of only the report's keys (projection),
grouped into a small table of cells that Python finishes, the percentiles taken in DuckDB
(lockstat.py).
"""

import os
import re
import tempfile

import duckdb

from runtime.analysis.logfile import is_gzip, open_log
from runtime.analysis.schema import COLUMNS, VALID_SQL, columns_sql
from runtime.errors import UserError

MEMORY_LIMIT = "1GB"
BAD_LINES_SHOWN = 5


_shared = None


def connect():
    """The process's DuckDB (in memory, created on first use: ~30 ms), memory bounded: big
    aggregations spill to a temp directory. Queries here only read, so one connection serves all."""
    global _shared
    if _shared is None:
        _shared = fresh_connection()
    return _shared


def fresh_connection():
    """A DuckDB of its own (for `--sql`, whose views must not leak into other queries)."""
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                 "temp_directory": os.path.join(tempfile.gettempdir(), "gort-duckdb")})
    con.sql("SET enable_progress_bar = false")
    return con


def check_readable(path):
    """The log exists and is a readable file (DuckDB's own message would be a wall of text)."""
    if not os.path.exists(path):
        raise UserError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise UserError(f"{path}: not a file")
    if not os.access(path, os.R_OK):
        raise UserError(f"{path}: permission denied")


def nothing_read(path, lines_skipped):
    """The one-line error for a file with no event in it."""
    what = "is empty" if lines_skipped == 0 else f"has no readable event in its {lines_skipped} lines"
    return UserError(f"{path} {what}: not a gort run log")


def source(path, names=tuple(COLUMNS)):
    """The log as a DuckDB table function: one row per non-blank line, NULLs where unreadable."""
    quoted = str(path).replace("'", "''")
    flat = all(COLUMNS[name] not in ("JSON", "VARCHAR[]") for name in names)
    depth = ", maximum_depth=1" if flat else ""     # skip building nested values nobody reads
    options = _file_options(path)
    return (f"read_json('{quoted}', format='newline_delimited', records='true', auto_detect=false, "
            f"columns={columns_sql(names)}, ignore_errors=true{depth}{options})")


def _file_options(path):
    """read_json options that depend on the file: gzip found by its magic bytes, as open_log
    finds it (DuckDB alone goes by the name's .gz), and a larger maximum_object_size once a line
    proved too long for the default (with_long_lines)."""
    options = ", compression='gzip'" if is_gzip(path) else ", compression='none'"    # not by its name
    size = _object_size.get(str(path))
    return options + (f", maximum_object_size={size}" if size else "")


# A line longer than DuckDB's maximum_object_size (16 MiB; a crash can leave a tail of NUL bytes
# with no newline) fails the whole read. Raising the limit for every log costs speed and memory
# (a 249 MB log: 300 MB/s and 170 MB RSS at 16 MiB; 280 and 250 at 64 MiB; 120 and 330 at 128 MiB;
# a 120 MB line needs 450 MB at 128 MiB; 256 MiB runs out of the 1 GB limit), so it is raised only
# for a log that needs it, to these sizes in turn; the long line is then a skipped line.
_LONGER_LINES = (64 << 20, 128 << 20)
_object_size = {}      # path -> maximum_object_size for that log


class LineTooLong(UserError):
    """A line of the log is longer than DuckDB's maximum_object_size allows."""


def with_long_lines(paths, query):
    """query() (whose SQL names the logs through source()), again with a larger
    maximum_object_size for the logs as long as a line is too long for it."""
    while True:
        try:
            return query()
        except LineTooLong as err:
            size = _object_size.get(str(paths[0]), 0)
            larger = next((s for s in _LONGER_LINES if s > size), None)
            if larger is None:
                raise UserError(f"{err}: a line is longer than {size >> 20} MiB") from None
            for path in paths:
                _object_size[str(path)] = larger


def run_query(con, sql, path, fetch="fetchall"):
    """Run sql and fetch its result (rel.fetchall(), fetchnumpy(), ...; None for a statement
    without rows); a DuckDB failure (I/O, a line too long, ...) becomes one clear line."""
    try:
        rel = con.sql(sql)
        return None if rel is None else getattr(rel, fetch)()
    except duckdb.Error as err:
        raise read_error(err, path) from None


def read_error(err, path):
    """The UserError for a DuckDB failure to read the log at path."""
    first = first_line(err)
    if "maximum_object_size" in first:
        return LineTooLong(f"cannot read {path}")
    return UserError(f"cannot read {path}: {first}")


def first_line(err):
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def bad_line_numbers(con, path, limit=BAD_LINES_SHOWN):
    """Line numbers (1-based) of the first `limit` lines that are not usable events.

    DuckDB numbers rows in file order but skips blank lines; `_rows_to_lines` maps those row
    numbers back to line numbers. Only run when the scan found skipped lines.
    """
    rows = run_query(con, f"""
        SELECT rn FROM (SELECT row_number() OVER () AS rn, {", ".join(_quoted(COLUMNS_FOR_VALIDITY))}
                        FROM {source(path, COLUMNS_FOR_VALIDITY)})
        WHERE NOT coalesce({VALID_SQL}, false) ORDER BY rn LIMIT {limit}""", path)
    return _rows_to_lines(path, [r[0] for r in rows])


COLUMNS_FOR_VALIDITY = ("vt", "event", "kind", "lock", "wait_ns", "hold_ns")
_BLANK_LINE = re.compile(rb"(?:^|\n)[ \t\r]*\n")


def _quoted(names):
    return [f'"{name}"' for name in names]


def _rows_to_lines(path, row_numbers, chunk_size=1 << 24):
    """Map DuckDB's row numbers (non-blank lines, 1-based) to file line numbers."""
    wanted = sorted(row_numbers)
    found = []
    row = line = 0
    carry = b""
    with open_log(path) as f:
        while wanted:
            chunk = f.read(chunk_size)
            if not chunk:
                lines = [carry] if carry else []
            else:
                data = carry + chunk
                cut = data.rfind(b"\n") + 1
                carry = data[cut:]
                lines_block = data[:cut]
                if not _BLANK_LINE.search(lines_block) and wanted[0] > row + lines_block.count(b"\n"):
                    n = lines_block.count(b"\n")      # fast path: no blank line, no wanted row here
                    row += n
                    line += n
                    continue
                lines = lines_block.split(b"\n")[:-1]
            for text in lines:
                line += 1
                if text.strip():
                    row += 1
                    if wanted and row == wanted[0]:
                        found.append(line)
                        wanted.pop(0)
            if not chunk:
                break
    return found
