"""`gort bench check`: exhaustive exploration speed of the memory-model checker.

Two-goroutine litmus tests (SB, MP, LB, CoRR, 2+2W, R, S) explored exhaustively under each model,
over and over for about a second: complete executions per CPU second (target >= 20,000/s). And the
time one exhaustive exploration of the 4-goroutine IRIW takes under `go`.

What is counted: `CheckResult.executions`, the executions that ran to their end, each a distinct
sequence of choices (no two of them equivalent by reordering independent steps). Schedules the
sleep sets prune (run until found redundant, or skipped unrun) are not counted, but their time is;
so is the whole of `check` (the scenario files are loaded once, before timing).
"""

import pathlib
import statistics
import time

from runtime import compiled
from runtime.check import check, machine
from runtime.check.scenario import load

LITMUS = pathlib.Path(__file__).resolve().parents[2] / "workloads" / "litmus"
TWO_GOROUTINE_TESTS = ("sb", "mp", "lb", "corr", "2+2w", "r", "s")
TARGET = 20_000


def executions_per_second(scenarios, model, seconds, rounds):
    """Complete executions per CPU second, best and median of `rounds` rounds (each about
    seconds/rounds long: this machine's speed drifts by a third from one second to the next, so
    the best round is the figure to compare, as timeit reports its best), and how many one pass
    over the scenarios counts."""
    rates = []
    for _ in range(rounds):
        executions = passes = 0
        start = time.process_time()
        while time.process_time() - start < seconds / rounds:
            for scenario in scenarios:
                executions += check(scenario, model=model).executions
            passes += 1
        rates.append(executions / (time.process_time() - start))
    return max(rates), statistics.median(rates), executions // passes


def _build():
    return "compiled (Cython)" if compiled.is_compiled(machine) else "plain Python (not compiled)"


def run(quick):
    scenarios = [load(LITMUS / f"{name}.py") for name in TWO_GOROUTINE_TESTS]
    rows = []
    for model in ("sc", "tso", "go"):
        best, median, per_pass = executions_per_second(scenarios, model, 0.2 if quick else 3.0,
                                                       1 if quick else 10)
        rows.append({"name": f"check exhaustive, 2-goroutine litmus, {model}", "value": best,
                     "unit": "executions/s", "target": TARGET,
                     "note": f"best of {1 if quick else 10} rounds (median {median:,.0f}); "
                             f"{per_pass} per pass over the 7 tests; {_build()}"})
    start = time.process_time()
    iriw = check(LITMUS / "iriw.py", model="go")
    seconds = time.process_time() - start
    rows.append({"name": "check exhaustive IRIW (4 goroutines), go", "value": seconds * 1000, "unit": "ms",
                 "note": f"{iriw.executions} executions, {iriw.pruned} pruned, {len(iriw.outcomes)} outcomes"})
    return rows
