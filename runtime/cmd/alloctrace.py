"""`gort alloc-trace TRACE.json [--json]`: replay an allocation trace on one P, GC off.

Trace: {"name": str, "phases": [{"size": int, "count": int, "pointers": bool}, ...]}. Every object
stays alive. Between phases the statistics are read as ReadMemStats reads them (flushing the
mcache), and each phase prints the deltas, with Go's MemStats meanings.
"""

import json

from runtime.errors import UserError
from runtime.malloc import mallocgc
from runtime.mheap import MHeap
from runtime.runtime2 import bootstrap_thread

FIELDS = ("HeapInuse", "HeapSys", "HeapAlloc", "HeapObjects", "Mallocs", "TinyAllocs")


def add_arguments(parser):
    parser.add_argument("trace", metavar="TRACE.json", help="the allocation trace")
    parser.add_argument("--json", action="store_true", help="print the deltas as JSON")
    parser.add_argument("--mcentral", choices=("locked", "spanset"), default="locked",
                        help="mcentral design: one lock per span class, or Go 1.15+'s lock-free spanSets")


def load_trace(path):
    """The trace as a dict, or UserError naming what is wrong with it."""
    try:
        with open(path, "rb") as f:
            trace = json.load(f)
    except OSError as err:
        raise UserError(f"cannot read {path}: {err.strerror}") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise UserError(f"{path} is not JSON: {err}") from None
    if not isinstance(trace, dict) or not isinstance(trace.get("phases"), list):
        raise UserError(f"{path}: a trace is an object with a list \"phases\"")
    for i, phase in enumerate(trace["phases"]):
        check_phase(phase, f"{path}: phase {i}")
    trace.setdefault("name", str(path))
    return trace


def check_phase(phase, where):
    if not isinstance(phase, dict):
        raise UserError(f"{where} is not an object")
    for key, kind in (("size", int), ("count", int), ("pointers", bool)):
        if key not in phase:
            raise UserError(f"{where} has no \"{key}\"")
        value = phase[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise UserError(f"{where}: \"{key}\" must be {'a boolean' if kind is bool else 'an integer'}, not {value!r}")
        if kind is int and value < 0:
            raise UserError(f"{where}: \"{key}\" must not be negative ({value})")
    if phase["pointers"] and phase["size"] % 8:
        raise UserError(f"{where}: a pointerful object's size must be a multiple of 8 ({phase['size']})")


def replay(trace, spanset=False):
    """Run the trace; return {"name", "phases": [deltas]} as the real runtime would report them."""
    heap = MHeap(spanset=spanset)
    m, p = bootstrap_thread()
    heap.attach_p(p)
    c = p.mcache
    before = heap.read_memstats(m)
    phases = []
    for phase in trace["phases"]:
        size, noscan = phase["size"], not phase["pointers"]
        for _ in range(phase["count"]):
            mallocgc(c, size, noscan)
        after = heap.read_memstats(m)
        phases.append({k: after[k] - before[k] for k in FIELDS})
        before = after
    return {"name": trace["name"], "phases": phases}


def print_table(trace, result):
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"alloc-trace {result['name']} (deltas per phase, one P, GC off)")
    table.add_column("phase")
    table.add_column("size")
    table.add_column("count", justify="right")
    for field in FIELDS:
        table.add_column(field, justify="right")
    for i, (phase, deltas) in enumerate(zip(trace["phases"], result["phases"])):
        kind = "ptr" if phase["pointers"] else "noscan"
        table.add_row(str(i), f"{phase['size']} B {kind}", f"{phase['count']:,}",
                      *(f"{deltas[f]:,}" for f in FIELDS))
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)   # a pipe or file: don't wrap at 80 columns
    console.print(table)


def run(args):
    trace = load_trace(args.trace)
    result = replay(trace, spanset=args.mcentral == "spanset")
    if args.json:
        print(json.dumps(result))
    else:
        print_table(trace, result)
    return 0
