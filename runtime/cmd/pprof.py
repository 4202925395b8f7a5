"""`gort pprof LOG -o mutex.pb.gz`: the run's lock contention as a pprof mutex profile.

Read it with `go tool pprof -top mutex.pb.gz` (or -http, -tree, -peek ...). Sample types are
Go's: contentions/count and delay/nanoseconds; each wait is charged to the previous holder's
stack, as Go's mutex profile charges the unlocker (runtime/analysis/mutexprof.py).
"""

import sys

from runtime.analysis.mutexprof import build_mutex_profile
from runtime.analysis.output import writing
from runtime.errors import UserError


def add_arguments(parser):
    parser.add_argument("log", metavar="LOG", help="a run log (JSON lines)")
    parser.add_argument("-o", "--output", default="mutex.pb.gz", metavar="FILE",
                        help="profile to write (default mutex.pb.gz)")
    parser.add_argument("--charge", choices=("holder", "waiter"), default="holder",
                        help="whose stack a wait is charged to: the previous holder (Go's rule, default) or the waiter")


def run(args):
    profile, reader, contentions = build_mutex_profile(args.log, args.charge)
    try:
        with writing(args.output):
            profile.write_gzip(args.output)
    except OSError as err:
        raise UserError(f"cannot write {args.output}: {err.strerror}") from None
    note = reader.skipped_note()
    if note:
        print(note, file=sys.stderr)
    delay = sum(values[1] for values in profile.samples.values())
    print(f"wrote {args.output}: {contentions:,} contentions, {delay:,} ns of delay in {len(profile.samples):,} "
          f"stacks (go tool pprof -top {args.output})")
    return 0
