"""`gort run WORKLOAD.py`: run a workload on the emulated runtime, log it, summarize its contention.

Output: the workload's own output on stdout; on stderr, Go's panic/deadlock reports and `exit
status N` when the program fails, then the summary (virtual time, goroutines, context switches,
steals, preemptions, mallocs, heap in use, most contended locks) and the log's path.
"""

import importlib.util
import os
import sys
import time
import warnings
from pathlib import Path

from runtime import unawaited
from runtime.errors import UserError

DEFAULT_PROCS = 4     # fixed, not the host's CPU count: the same command reproduces on any machine


def add_arguments(parser):
    parser.add_argument("workload", help="a Python file with `async def main(rt)`")
    parser.add_argument("--procs", type=int, default=DEFAULT_PROCS, help="GOMAXPROCS (default 4)")
    parser.add_argument("--seed", type=int, default=1, help="the emulator's random seed (default 1)")
    parser.add_argument("--log", metavar="PATH", help="JSON-lines log (default logs/<workload>-<seed>.jsonl)")
    parser.add_argument("--log-level", choices=("info", "debug", "off"), default="info")
    parser.add_argument("--schedtrace", type=float, metavar="MS", default=0,
                        help="print Go's SCHED lines every MS of virtual time")
    parser.add_argument("--cost-model", metavar="FILE", help="TOML or JSON file of cost overrides (ns)")
    parser.add_argument("--mcentral", choices=("locked", "spanset"), default="locked",
                        help="mcentral implementation: one lock per span class, or Go's lock-free spanSets")
    parser.add_argument("--snapshot-every", type=int, metavar="NS", default=1_000_000,
                        help="virtual ns between heap_snapshot events (default 1 ms)")
    parser.add_argument("--no-summary", action="store_true", help="print no summary")
    parser.add_argument("--lookahead", type=int, metavar="NS", default=None,
                        help="how far (virtual ns) one M may run ahead of the next before handing over "
                             "(default 5000; 0: strictly in virtual-time order, slower; contention "
                             "figures depend on it: see README)")
    parser.add_argument("--race", action="store_true",
                        help="detect data races on rt.var (Go's -race): report them, exit status 66")


def load_workload(path):
    """The workload's `main`, or a UserError naming what is wrong with the file."""
    try:
        source = Path(path).read_bytes()   # bytes: compile() decodes them as Python does (PEP 263)
    except OSError as err:
        raise UserError(f"cannot read workload {path}: {err.strerror}") from None
    try:
        code = compile(source, path, "exec")
    except (SyntaxError, ValueError) as err:   # ValueError: a NUL byte on some Pythons
        where = f"{path}:{err.lineno}" if getattr(err, "lineno", None) else path
        raise UserError(f"{where}: syntax error: {getattr(err, 'msg', err)}") from None
    _warn_unawaited(source, path)
    namespace = {"__name__": "__gort_main__", "__file__": path}
    try:
        exec(code, namespace)
    except Exception as err:   # the workload's top level failed before main
        raise UserError(f"{path}: loading failed: {type(err).__name__}: {err}") from None
    main = namespace.get("main")
    if main is None:
        raise UserError(f"{path}: no `main` function (a workload defines `async def main(rt)`)")
    import inspect
    if not inspect.iscoroutinefunction(main):
        raise UserError(f"{path}: `main` must be `async def main(rt)`")
    return main


def _warn_unawaited(source, path):
    """As go vet would: each rt operation called as a statement without `await` (it does nothing;
    for a channel operation, not even Python's 'never awaited' warning), on stderr."""
    try:
        text = importlib.util.decode_source(source)     # as compile() reads it: a BOM, a coding line
        calls = unawaited.unawaited_calls(text, unawaited.RUN_OPERATIONS, statements_only=True)
    except (UnicodeDecodeError, SyntaxError, ValueError, LookupError):
        return
    for line, call in calls:
        print(f"gort: {unawaited.message(path, line, call)}", file=sys.stderr)
        # said: not again by Python when the coroutine is collected (async def operations)
        warnings.filterwarnings("ignore", r"coroutine '.*' was never awaited", RuntimeWarning, lineno=line)


def run(args):
    if args.procs < 1:
        raise UserError("--procs must be at least 1")
    if args.lookahead is not None and args.lookahead < 0:
        raise UserError("--lookahead must be at least 0")
    main = load_workload(args.workload)
    log_path = args.log
    if log_path is None and args.log_level != "off":
        try:
            os.makedirs("logs", exist_ok=True)
        except OSError as err:
            raise UserError(f"cannot create the log directory logs: {err.strerror}") from None
        log_path = os.path.join("logs", f"{Path(args.workload).stem}-{args.seed}.jsonl")
    result = execute(main, args.workload, procs=args.procs, seed=args.seed, log_path=log_path,
                     log_level=args.log_level, cost_model=args.cost_model,
                     spanset=args.mcentral == "spanset", schedtrace_ms=args.schedtrace,
                     snapshot_ns=args.snapshot_every, race=args.race, lookahead_ns=args.lookahead)
    sys.stdout.flush()
    if result.report:
        sys.stderr.write(result.report)
    if result.races:      # Go's race detector says nothing when it found no race
        print(f"Found {result.races} data race(s)", file=sys.stderr)
    if result.status != 0:
        print(f"exit status {result.status}", file=sys.stderr)
    if not args.no_summary:
        print(result.summary(), file=sys.stderr)
    return result.status


class Result:
    """What a run produced: exit status, failure report, and the counters for the summary."""

    def __init__(self, sched, status, report, log_path, interrupted, memstats, workload, races=None):
        self.sched = sched
        self.status = status
        self.report = report
        self.log_path = log_path
        self.interrupted = interrupted
        self.memstats = memstats
        self.workload = workload
        self.races = races      # data races found under --race (None without it)

    def totals(self):
        s = self.sched
        ms = self.memstats or {}
        return {"goroutines": s.ngoroutines, "switches": s.switches, "steals": s.steals,
                "preemptions": s.preemptions, "handoffs": s.handoffs,
                "mallocs": ms.get("Mallocs", s.mallocs), "frees": ms.get("Frees", 0),
                "heap_inuse": ms.get("HeapInuse", 0), "heap_alloc": ms.get("HeapAlloc", s.alloc_bytes),
                "heap_sys": ms.get("HeapSys", 0), "vt_end": s.vt_end}

    def summary(self):
        from runtime.mprof import most_contended
        s = self.sched
        t = self.totals()
        lines = [f"gort run {self.workload}: " + ("interrupted" if self.interrupted else f"exit status {self.status}"),
                 f"  virtual time       {t['vt_end'] / 1e6:,.3f} ms   (--procs {s.gomaxprocs}, Ms {len(s.allm)})",
                 f"  goroutines         {t['goroutines']:,} created, {len(s.allgs):,} left",
                 f"  context switches   {t['switches']:,}   (M hand-overs {s.msteps:,})",
                 f"  steals             {t['steals']:,}   ({s.stolen:,} Gs)",
                 f"  preemptions        {t['preemptions']:,}",
                 f"  syscall handoffs   {t['handoffs']:,}",
                 f"  mallocs            {t['mallocs']:,}",
                 f"  heap in use        {t['heap_inuse'] / 1024:,.1f} KiB   (HeapAlloc {t['heap_alloc'] / 1024:,.1f} KiB)"]
        rows = most_contended(s.locks)
        if rows:
            lines.append("  most contended locks (wait in virtual time):")
            lines.append(f"    {'lock':<44} {'kind':<9} {'acquired':>10} {'contended':>10} {'wait us':>10} {'max waiters':>11}")
            for name, kind, acq, cont, wait, hold, maxw in rows:
                lines.append(f"    {name:<44} {kind:<9} {acq:>10,} {cont:>10,} {wait / 1000:>10,.1f} {maxw:>11}")
        else:
            lines.append("  most contended locks: none contended")
        log = getattr(self.sched, "log", None)
        if self.log_path and log is not None and log.info_enabled:     # --log-level off writes none
            lines.append(f"  log: {self.log_path}")
        return "\n".join(lines)


SNAPSHOT_FIELDS = ("HeapAlloc", "HeapInuse", "HeapSys", "HeapIdle", "HeapObjects", "Mallocs", "Frees")
RACE_EXIT_STATUS = 66    # GORACE exitcode: a race-enabled Go program that found races


def execute(main, workload, procs=4, seed=1, log_path=None, log_level="info", cost_model=None,
            spanset=False, schedtrace_ms=0, snapshot_ns=1_000_000, out=None, progress=None,
            race=False, lookahead_ns=None):
    """Run `main` on a fresh emulated runtime; returns a Result (never raises for workload faults)."""
    from runtime.api import Runtime
    from runtime.costs import DEFAULT_COSTS, CostModel
    from runtime.log import RunLog
    from runtime.mheap import MHeap
    from runtime.mprof import LockObserver
    from runtime.proc import Sched

    costs = CostModel.load(cost_model) if cost_model else DEFAULT_COSTS
    log = RunLog(log_path, log_level) if log_path else None
    heap = MHeap(costs, spanset=spanset)
    observer = LockObserver(log)
    from runtime.note import LOOKAHEAD_NS
    lookahead_ns = LOOKAHEAD_NS if lookahead_ns is None else lookahead_ns
    sched = Sched(procs, seed, costs, heap=heap, observer=observer, log=log, lookahead_ns=lookahead_ns)
    sched.schedtrace_ns = int(schedtrace_ms * 1_000_000)
    sched.snapshot_ns = snapshot_ns
    if log is not None and log.debug_enabled:
        for lock in heap.runtime_locks():      # debug: every allocator-lock acquisition, not only
            lock.log_all = True                # the contended ones, and every span refill
        heap.log_refills = True
    if log is not None and log.info_enabled:
        _attach_log(sched, heap, log, seed)
        log.event("run_start", 0, config={"workload": workload, "procs": procs, "seed": seed,
                                          "mcentral": "spanset" if spanset else "locked",
                                          "log_level": log_level, "sample_rate": 512 * 1024,
                                          "lookahead_ns": lookahead_ns},
                  cost_model=costs.as_dict(), versions=_versions())
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        _attach_progress(sched)
    rt = Runtime(out)
    from runtime import racert
    if race or (log is not None and log.debug_enabled):
        racert.enabled = racert.RaceRuntime(log=log, report=race)
        racert.enabled.allgs = sched.allgs
    from runtime import panic
    panic.begin_run()
    try:
        return _execute(sched, heap, log, main, rt, workload, log_path, seed, progress, race)
    finally:
        panic.end_run()     # the output dropped since the process began to end is back


def _execute(sched, heap, log, main, rt, workload, log_path, seed, progress, race):
    import trio

    from runtime import panic, racert
    from runtime.log import RunInterrupted, deliver_signals_as_interrupt
    from runtime.panic import deadlock_report, panic_report
    restore = deliver_signals_as_interrupt(on_first=sched.interrupt_soon)
    interrupted = False
    status = None
    report = ""
    try:
        status = trio.run(sched.run, main, rt, restrict_keyboard_interrupt_to_checkpoints=False)
    except (RunInterrupted, SystemExit, BaseExceptionGroup) as err:
        err = _first_of(err, (RunInterrupted, SystemExit))
        if isinstance(err, RunInterrupted):
            interrupted = True
            status = 128 + err.signum        # as a shell reports a process killed by the signal
        else:
            status, report = _exit_status(err)
    finally:
        detector, racert.enabled = racert.enabled, None
        restore()
        if progress:
            panic.real_stderr().write("\r\033[K")
    if sched.failure is not None:
        kind, gp, err = sched.failure
        report = deadlock_report(sched.allgs, err) if kind == "deadlock" else panic_report(gp, err)
    if sched.vt_end == 0:
        sched.vt_end = max(m.now for m in sched.allm)
    lock_totals = _lock_totals(sched)      # before ReadMemStats flushes the mcaches
    memstats = _final_memstats(sched, heap)
    status = status if status is not None else 2
    races = detector.count if race and detector is not None else None
    if races and status == 0:
        status = RACE_EXIT_STATUS
    result = Result(sched, status, report, log_path, interrupted, memstats, workload, races)
    if log is not None:
        if memstats:                  # the heap at the end, so even a short run plots its heap
            log.event("heap_snapshot", sched.vt_end, **{k: memstats[k] for k in SNAPSHOT_FIELDS})
        log.event("run_end", sched.vt_end, status=result.status, totals=result.totals(), locks=lock_totals)
        log.close()
    _close_goroutines(sched)
    return result


def _first_of(err, kinds):
    """The first exception of `kinds` in err (trio wraps a task's exception in a group); any
    other exception is the emulator's own failure and goes on up."""
    if isinstance(err, BaseExceptionGroup):
        group = err.subgroup(kinds)
        if group is None:
            raise err
        err = group
        while isinstance(err, BaseExceptionGroup):
            err = err.exceptions[0]
    return err


def _exit_status(err):
    """(status, stderr text) of a workload's sys.exit(code), which ends the process as Go's
    os.Exit does: an int is the status; None is 0; anything else is printed, status 1 (Python's rule)."""
    code = err.code
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"


def _final_memstats(sched, heap):
    """ReadMemStats after the run, on a thread of its own at the final virtual time. It is the
    emulator's bookkeeping, not the workload's: flushing the mcaches is neither logged nor counted
    in the locks' figures (the summary and run_end report the same numbers)."""
    from runtime.runtime2 import M
    locks = heap.runtime_locks()
    counters = ("acquired", "quick_holds", "contended", "wait_ns", "held_ns", "max_held_ns")
    saved = [[getattr(lock, c) for c in counters] for lock in locks]
    for lock in locks:
        lock.observer = None
    try:
        return heap.read_memstats(M(len(sched.allm), sched.vt_end))
    except Exception:   # an interrupted run may have left an mcache mid-refill
        return heap.stats.memstats()
    finally:
        for lock, values in zip(locks, saved):
            for c, v in zip(counters, values):
                setattr(lock, c, v)


def _attach_log(sched, heap, log, seed):
    """Route the allocator's span/heap events, heap snapshots and malloc samples to the log."""
    import random

    from runtime.log import MemProfileSampler

    def on_event(name, m, **fields):
        p, g = m.p, m.curg
        log.event(name, m.now, m=m.id, p=None if p is None else p.id, g=None if g is None else g.goid,
                  **fields)
    heap.on_event = on_event

    def on_tick(m):
        ms = heap.stats.memstats()
        log.event("heap_snapshot", m.now, **{k: ms[k] for k in SNAPSHOT_FIELDS})
    sched.on_tick = on_tick
    rng = random.Random(seed ^ 0x5EED)
    sched.samplers = [MemProfileSampler(rng) for _ in sched.allp]
    sched.next_sample_at = sched.samplers[0].next_sample

    def on_sample(m, size, addr):
        span = heap.spanOf(addr)
        log.event("malloc_sample", m.now, m=m.id, p=m.p.id, g=m.curg.goid if m.curg else None,
                  size=size, elemsize=span.elemsize if span else size,
                  spanclass=span.spanclass if span else None, addr=addr)
    sched.on_sample = on_sample


def _attach_progress(sched):
    state = {"last": time.monotonic()}
    previous = sched.on_tick

    def on_tick(m):
        if previous is not None:
            previous(m)
        now = time.monotonic()
        if now - state["last"] > 0.25:
            state["last"] = now
            sys.stderr.write(f"\r\033[K  virtual {m.now / 1e6:,.1f} ms  goroutines {len(sched.allgs):,}"
                             f"  switches {sched.switches:,}  mallocs {sched.mallocs:,}")
            sys.stderr.flush()
    sched.on_tick = on_tick


def _lock_totals(sched):
    """Every runtime lock's own counters, so a reader of the log gets exact totals even for the locks
    logged only when contended and for contention found after the fact (late_contended)."""
    return [{"kind": lk.kind, "name": lk.name, "acquisitions": lk.acquisitions, "contended": lk.contended,
             "wait_ns": lk.wait_ns, "hold_ns": lk.hold_ns, "hold_ns_max": lk.max_hold_ns}
            for lk in sched.locks if lk.acquisitions]


def _versions():
    import platform
    return {"gort": "0.1.0", "go": "go1.27.3", "python": platform.python_version()}


def _close_goroutines(sched):
    """Close the coroutines of Gs still alive when the process ended (no finalizers later). Go runs
    no other goroutine's deferred calls when the process exits: the `finally` blocks closing runs
    print nothing."""
    import warnings

    from runtime.panic import stop_output
    stop_output()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for gp in list(sched.allgs.values()):
            try:
                gp.coro.close()
            except BaseException:
                pass
