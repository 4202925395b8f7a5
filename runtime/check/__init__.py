"""`gort check`: run a memory-ordering scenario under many schedules and reordering choices.

The pytest-friendly face is `check(path, model=..., explore=...)`, which returns a CheckResult:

    from runtime.check import check
    result = check("workloads/litmus/sb.py", model="tso")
    assert result.verdict == "ok"
    assert {"r0": 0, "r1": 0} in result.outcome_dicts()
"""

import os
import random

from runtime.check import api, lazy, machine as machine_module, objects
from runtime.check.explore import Exhaustive, ReplayChooser, make_chooser
from runtime.check.lazy import concrete
from runtime.check.machine import MODELS, Machine
from runtime.check.objects import ReplayMismatch, SleepBlocked
from runtime.check.scenario import FORBIDDEN, INTERESTING, VARIANTS, load
from runtime.errors import UserError

EXPLORERS = ("random", "pct", "exhaustive")
INTERNAL_FILES = frozenset(os.path.abspath(m.__file__) for m in (api, lazy, machine_module, objects)) | \
    frozenset(m.__file__ for m in (api, lazy, machine_module, objects))
FAILING_STATUS = ("panic", "assertion failed", "deadlock")


class Execution:
    """The end of one execution: its outcome, how it ended, its races, its replay token."""

    __slots__ = ("outcome", "status", "races", "choices", "model", "trace")

    def __init__(self, outcome, status, races, choices, model, trace):
        self.outcome = outcome
        self.status = status
        self.races = races
        self.choices = choices      # the choices that had alternatives, in order
        self.model = model
        self.trace = trace

    @property
    def token(self):
        """What `--replay` needs to make this execution again: the model and the choices."""
        return f"{self.model}:" + ".".join(map(str, self.choices))

    def key(self):
        key = tuple(self.outcome.items())
        try:
            hash(key)
        except TypeError:          # unhashable register values: compare them by repr
            key = tuple((k, repr(v)) for k, v in key)
        return key


def run_once(scenario, model, chooser, trace=False, variant="plain", known_races=None):
    """One execution of the scenario. Raises SleepBlocked when the explorer prunes it.
    `known_races` (shared across executions) keeps a race from being reported twice."""
    m = Machine(model, chooser, max_steps=scenario.max_steps, trace=trace, internal_files=INTERNAL_FILES,
                known_races=known_races)
    rt = api.CheckRuntime(m, variant)
    try:
        status = m.run(scenario.main(rt))
    except SleepBlocked as blocked:
        blocked.races = m.races     # real races all the same, and now known: they must be kept
        raise
    if rt.requests_lost():
        message = _never_awaited(scenario, model, chooser.choices, variant, status)
        if message is not None:
            raise UserError(message)
    objects.drop_operations()
    if status == "ok":
        rt.check_awaited()
    outcome = {k: concrete(rt.outcome[k]) for k in sorted(rt.outcome)}
    if status != "ok":
        outcome["status"] = status
    return Execution(outcome, status, m.races, chooser.choices, model, m.trace)


def _never_awaited(scenario, model, choices, variant, status):
    """Re-run an execution that made more requests than it awaited, recording where each was
    made: the first one never awaited whose goroutine returned (or, at a deadlock, any: nothing
    runs on) -> the error naming it; None when every one may yet be awaited (its goroutine was
    left suspended when main returned or the execution stopped)."""
    objects.made = made = []
    try:
        m = Machine(model, ReplayChooser(choices), max_steps=scenario.max_steps, internal_files=INTERNAL_FILES)
        m.run(scenario.main(api.CheckRuntime(m, variant)))
    finally:
        objects.made = None
    lost = [site for gen, goroutine, site in made if site is not None and objects.never_started(gen)
            and (goroutine is None or goroutine.done or status == "deadlock")]
    objects.drop_operations()
    return api.never_awaited_message(*lost[0]) if lost else None


class OutcomeStats:
    __slots__ = ("outcome", "count", "expectation", "token")

    def __init__(self, outcome, expectation, token):
        self.outcome = outcome
        self.count = 0
        self.expectation = expectation
        self.token = token          # the first execution that gave it


class CheckResult:
    """What `gort check` found: outcomes with counts and expectations, races, the verdict."""

    def __init__(self, scenario, model, explore, variant="plain"):
        self.scenario = scenario
        self.model = model
        self.explore = explore
        self.variant = variant
        self.executions = 0
        self.pruned = 0             # executions the sleep sets proved redundant
        self.complete = True
        self.outcomes = {}          # key -> OutcomeStats
        self.races = {}             # race key -> Race (first seen)
        self.known_races = set()    # what the machines have already reported

    def add(self, ex):
        self.executions += 1
        key = ex.key()
        stats = self.outcomes.get(key)
        if stats is None:
            expectation = self.scenario.classify(self.model, ex.outcome, self.variant)
            stats = self.outcomes[key] = OutcomeStats(ex.outcome, expectation, ex.token)
        stats.count += 1
        self.add_races(ex.races)

    def add_races(self, races):
        for race in races:
            self.races.setdefault(race.key(), race)   # the machines report each race only once

    def failures(self):
        """Outcomes that fail the check: forbidden ones, panics, failed assertions, deadlocks."""
        return [s for s in self.sorted_outcomes()
                if s.expectation == FORBIDDEN or str(s.outcome.get("status", "")).startswith(FAILING_STATUS)]

    @property
    def verdict(self):
        return "failed" if self.failures() else "ok"

    def sorted_outcomes(self):
        return [self.outcomes[k] for k in sorted(self.outcomes, key=repr)]

    def outcome_dicts(self):
        return [s.outcome for s in self.sorted_outcomes()]

    def observation(self):
        """herd's summary of the declared condition (interesting or forbidden outcomes):
        (Never|Sometimes|Always, executions satisfying it, executions not)."""
        if self.scenario.expectations(self.model, self.variant) is None:
            return None
        pos = sum(s.count for s in self.outcomes.values() if s.expectation in (INTERESTING, FORBIDDEN))
        neg = self.executions - pos
        word = "Never" if pos == 0 else "Always" if neg == 0 else "Sometimes"
        return word, pos, neg

    def to_json(self):
        return {
            "scenario": self.scenario.name,
            "model": self.model,
            "explore": self.explore,
            "variant": self.variant,
            "executions": self.executions,
            "complete": self.complete,
            "outcomes": [{"outcome": s.outcome, "count": s.count, "expectation": s.expectation,
                          **({"replay": s.token} if s in self.failures() else {})}
                         for s in self.sorted_outcomes()],
            "races": [r.to_dict() for r in self.races.values()],
            "verdict": self.verdict,
        }


def check(path, model="go", explore="exhaustive", runs=1000, seed=0, depth=3,
          max_executions=1_000_000, variant="plain"):
    """Explore a scenario; returns a CheckResult. `runs` counts executions for random and pct;
    exhaustive explores every distinct outcome (up to `max_executions`)."""
    if model not in MODELS:
        raise UserError(f"unknown model {model!r} (models: {', '.join(MODELS)})")
    if explore not in EXPLORERS:
        raise UserError(f"unknown exploration {explore!r} (choose: {', '.join(EXPLORERS)})")
    if variant not in VARIANTS:
        raise UserError(f"unknown variant {variant!r} (choose: {', '.join(VARIANTS)})")
    scenario = load(path) if not hasattr(path, "main") else path
    scenario.require_variant(variant)
    result = CheckResult(scenario, model, explore, variant)
    if explore == "exhaustive":
        _exhaustive(scenario, model, result, max_executions, variant)
    else:
        rng = random.Random(seed)
        k = 50
        for _ in range(runs):
            chooser = make_chooser(explore, rng, depth, k)
            result.add(run_once(scenario, model, chooser, variant=variant, known_races=result.known_races))
            k = max(k, getattr(chooser, "step", 0))
    return result


def _exhaustive(scenario, model, result, max_executions, variant, skip_doomed=True):
    chooser = Exhaustive(skip_doomed)
    while True:
        chooser.begin()
        try:
            result.add(run_once(scenario, model, chooser, variant=variant, known_races=result.known_races))
        except SleepBlocked as blocked:
            result.pruned += 1
            result.add_races(blocked.races)
        more = chooser.backtrack()
        result.pruned += chooser.skipped
        chooser.skipped = 0
        if not more:
            break
        if result.executions >= max_executions:
            result.complete = False
            break
    if chooser.doomed_skips and any("status" in s.outcome for s in result.outcomes.values()):
        # A skipped choice's executions could only have ended abnormally (Machine.never_wakes),
        # and this scenario does end so: explore it again without skipping them.
        fresh = CheckResult(scenario, model, result.explore, variant)
        _exhaustive(scenario, model, fresh, max_executions, variant, skip_doomed=False)
        result.__dict__.update(fresh.__dict__)


def parse_token(token):
    model, _, rest = token.partition(":")
    if model not in MODELS:
        raise UserError(f"bad replay token {token!r}: it starts with the model (sc:, tso: or go:)")
    try:
        choices = [int(x) for x in rest.split(".")] if rest else []
    except ValueError:
        raise UserError(f"bad replay token {token!r}") from None
    return model, choices


def replay(path, token, variant="plain", model=None):
    """Re-run the execution a token names; returns (scenario, model, Execution with its trace).
    A `model` other than the token's is an error (the choices only fit the token's)."""
    scenario = load(path)
    scenario.require_variant(variant)
    token_model, choices = parse_token(token)
    if model is not None and model != token_model:
        raise UserError(f"the replay token {token!r} is for model {token_model}, not {model}")
    chooser = ReplayChooser(choices)
    try:
        ex = run_once(scenario, token_model, chooser, trace=True, variant=variant)
    except ReplayMismatch as err:
        raise UserError(str(err)) from None
    if chooser.position < len(choices):
        raise UserError(f"the replay token is longer than the execution ({chooser.position} of its "
                        f"{len(choices)} choices made): wrong scenario, model or variant?")
    return scenario, token_model, ex
