"""`gort trace LOG -o run.json`: the run as a Chrome Trace Event file for Perfetto or chrome://tracing.

A track per M and per P, slices for G runs and lock waits and holds, a heap-in-use counter, and
flow arrows for happens-before edges (runtime/analysis/chrometrace.py). G runs and hb edges come
from debug events: record the run with `--log-level debug` to see them.
"""

import sys

from runtime.analysis.chrometrace import export_trace
from runtime.errors import UserError


def add_arguments(parser):
    parser.add_argument("log", metavar="LOG", help="a run log (JSON lines)")
    parser.add_argument("-o", "--output", default="run.json", metavar="FILE", help="trace file to write (default run.json)")


def run(args):
    try:
        reader, counts = export_trace(args.log, args.output)
    except OSError as err:
        raise UserError(f"cannot write {args.output}: {err.strerror}") from None
    note = reader.skipped_note()
    if note:
        print(note, file=sys.stderr)
    print(f"wrote {args.output}: {counts['slices']:,} slices, {counts['counters']:,} heap counters, "
          f"{counts['flows']:,} happens-before arrows from {reader.lines_read:,} events "
          f"(open it in https://ui.perfetto.dev or chrome://tracing)")
    return 0
