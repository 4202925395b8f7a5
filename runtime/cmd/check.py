"""`gort check SCENARIO.py`: explore a memory-ordering scenario's outcomes under a memory model.

Prints the outcome table (litmus7 / jcstress style: outcome, count, expectation), the distinct data
races (as Go's race detector prints them), a herd-style Observation line and the verdict. Exit
status 0 when no forbidden outcome, failed assertion, panic or deadlock was seen, 1 otherwise.
"""

import json

from runtime.check import EXPLORERS, FAILING_STATUS, VARIANTS, check, replay
from runtime.check.machine import MODELS
from runtime.check.scenario import FORBIDDEN, INTERESTING
from runtime.errors import UserError
from runtime.race import format_races


def add_arguments(parser):
    parser.add_argument("scenario", metavar="SCENARIO.py", help="a scenario: `async def main(rt)`")
    parser.add_argument("--model", choices=MODELS,
                        help="what a racy read may return: sc, tso (x86-TSO) or go (Go's memory model, "
                             "the default; with --replay, the token's)")
    parser.add_argument("--explore", choices=EXPLORERS, default="exhaustive",
                        help="exhaustive (every distinct outcome, with sleep sets), pct or random")
    parser.add_argument("--runs", type=int, default=1000, help="executions for random and pct")
    parser.add_argument("--seed", type=int, default=0, help="seed of random and pct")
    parser.add_argument("--depth", type=int, default=3, help="PCT's bug depth d")
    parser.add_argument("--variant", choices=VARIANTS, default="plain",
                        help="atomic: every rt.var is sync/atomic; mutex: each rt.par body holds one Mutex")
    parser.add_argument("--replay", metavar="TOKEN", help="re-run the one execution a token names, step by step")
    parser.add_argument("--json", action="store_true", help="print the result (or the replay) as JSON")


def format_outcome(outcome):
    return " ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in outcome.items())


def print_result(result, path, variant):
    complete = "" if result.complete else " (stopped at the execution limit: not exhaustive)"
    pruned = f", {result.pruned} pruned by sleep sets" if result.pruned else ""
    print(f"Test {result.scenario.name} ({path})  model={result.model} explore={result.explore} "
          f"variant={variant}: {result.executions} executions{pruned}{complete}")
    rows = [(format_outcome(s.outcome), s.count, s.expectation or "") for s in result.sorted_outcomes()]
    width = max([len(r[0]) for r in rows] + [7])
    print(f"Histogram ({len(rows)} states)")
    for outcome, count, expectation in rows:
        mark = "*>" if expectation in (INTERESTING, FORBIDDEN) else ":>"
        print(f"{count:>9} {mark} {outcome:<{width}}  {expectation}")
    if result.races:
        print()
        print(format_races(list(result.races.values())))
    failures = result.failures()
    for stats in failures:
        print(f"\n{stats.expectation or 'FAILED'}: {format_outcome(stats.outcome)}")
        extra = f" --variant {variant}" if variant != "plain" else ""
        print(f"  replay: gort check {path} --replay {stats.token}{extra}")
    observation = result.observation()
    if observation:
        word, pos, neg = observation
        print(f"\nObservation {result.scenario.name} {word} {pos} {neg}")
    print(f"Verdict: {result.verdict}")


def run_replay(args):
    scenario, model, ex = replay(args.scenario, args.replay, args.variant, args.model)
    expectation = scenario.classify(model, ex.outcome, args.variant)
    failed = expectation == FORBIDDEN or ex.status.startswith(FAILING_STATUS)
    if args.json:
        print(json.dumps(replay_json(scenario, model, args, ex, expectation, failed), indent=1, default=repr))
        return 1 if failed else 0
    print(f"Replay of {scenario.name} under {model}: {len(ex.trace)} events")
    for step, goid, what, name, value in ex.trace:
        shown = "" if value is None else f" = {value!r}"
        print(f"  step {step:>4}  goroutine {goid}: {what} {name}{shown}")
    print(f"Outcome: {format_outcome(ex.outcome)}")
    if ex.races:
        print(format_races(ex.races))
    print(f"Expectation: {expectation}" if expectation else "")
    return 1 if failed else 0


def replay_json(scenario, model, args, ex, expectation, failed):
    return {
        "scenario": scenario.name,
        "model": model,
        "variant": args.variant,
        "replay": args.replay,
        "trace": [{"step": step, "goroutine": goid, "op": what, "object": name, "value": value}
                  for step, goid, what, name, value in ex.trace],
        "outcome": ex.outcome,
        "status": ex.status,
        "expectation": expectation,
        "races": [r.to_dict() for r in ex.races],
        "verdict": "failed" if failed else "ok",
    }


def run(args):
    for name in ("runs", "depth"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name} must be at least 1")
    if args.replay:
        return run_replay(args)
    result = check(args.scenario, model=args.model or "go", explore=args.explore, runs=args.runs,
                   seed=args.seed, depth=args.depth, variant=args.variant)
    if args.json:
        print(json.dumps(result.to_json(), indent=1, default=repr))
    else:
        print_result(result, args.scenario, args.variant)
    return 0 if result.verdict == "ok" else 1
