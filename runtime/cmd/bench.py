"""`gort bench [SUITE ...]`: the speed figures the issues name, measured here, beside native Go's.

Each suite is a module in runtime/bench/ with `run(quick) -> list[dict]`; a row has `name`, `value`,
`unit`, and optionally `target` (the figure the issue asks for; a floor, or a ceiling with
`"better": "lower"`), `native` (the same loop in real Go, when a Go toolchain is installed) and `note`.
"""

import importlib
import json

from runtime.errors import UserError

SUITES = {
    "malloc": "runtime.bench.malloc",
    "sched": "runtime.bench.sched",
    "log": "runtime.bench.logcost",
    "analyze": "runtime.bench.analyze",
    "check": "runtime.bench.check",
}


def add_arguments(parser):
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"which suites to run (default: all): {', '.join(SUITES)}")
    parser.add_argument("--quick", action="store_true", help="smaller loops: a smoke test, not a measurement")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")


def _format(row):
    text = f"{row['name']:<44} {row['value']:>14,.0f} {row['unit']}"
    if row.get("target") is not None:
        lower = row.get("better") == "lower"       # e.g. bytes per goroutine: the target is a ceiling
        met = row["value"] <= row["target"] if lower else row["value"] >= row["target"]
        text += f"   target {'<=' if lower else '>='} {row['target']:,.0f} ({'meets' if met else 'MISSES'})"
    if row.get("native") is not None:
        text += f"   native Go {row['native']:,.0f}"
    if row.get("note"):
        text += f"   [{row['note']}]"
    return text


def run(args):
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        raise UserError(f"unknown suite {unknown[0]!r} (suites: {', '.join(SUITES)})")
    rows = []
    for name in args.suites or SUITES:
        try:
            module = importlib.import_module(SUITES[name])
        except ModuleNotFoundError as err:
            if err.name != SUITES[name]:
                raise
            continue   # a suite whose module is not written yet
        suite_rows = module.run(args.quick)
        rows.extend(suite_rows)
        if not args.json:
            for row in suite_rows:
                print(_format(row), flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0
