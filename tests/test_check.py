"""`gort check`: the litmus library's outcome sets against independent reference models.

Each litmus test is restated here in a tiny notation and run through three small reference
interpreters written for this test alone: sequential consistency (every interleaving), x86-TSO
(per-thread FIFO store buffers, flushed at any moment) and Go's rule for racy reads (each read may
see any write that does not happen after it and is not overwritten in happens-before). Exhaustive
exploration must find exactly their outcome sets.
"""

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.check import check, replay
from runtime.check.scenario import load
from runtime.errors import UserError
from runtime.race import format_race

LITMUS = Path(__file__).resolve().parents[1] / "workloads" / "litmus"

# name -> (threads, registers read at the end after joining); ops: ("w", var, value) / ("r", var, reg)
TESTS = {
    "sb": ([[("w", "x", 1), ("r", "y", "r0")], [("w", "y", 1), ("r", "x", "r1")]], []),
    "mp": ([[("w", "x", 1), ("w", "y", 1)], [("r", "y", "r0"), ("r", "x", "r1")]], []),
    "lb": ([[("r", "x", "r0"), ("w", "y", 1)], [("r", "y", "r1"), ("w", "x", 1)]], []),
    "iriw": ([[("w", "x", 1)], [("w", "y", 1)], [("r", "x", "r0"), ("r", "y", "r1")],
              [("r", "y", "r2"), ("r", "x", "r3")]], []),
    "wrc": ([[("w", "x", 1)], [("r", "x", "r0"), ("w", "y", 1)], [("r", "y", "r1"), ("r", "x", "r2")]], []),
    "2+2w": ([[("w", "x", 1), ("w", "y", 2)], [("w", "y", 1), ("w", "x", 2)]], ["x", "y"]),
    "corr": ([[("w", "x", 1)], [("r", "x", "r0"), ("r", "x", "r1")]], []),
    "r": ([[("w", "x", 1), ("w", "y", 1)], [("w", "y", 2), ("r", "x", "r0")]], ["y"]),
    "s": ([[("w", "x", 2), ("w", "y", 1)], [("r", "y", "r0"), ("w", "x", 1)]], ["x"]),
    "isa2": ([[("w", "x", 1), ("w", "y", 1)], [("r", "y", "r0"), ("w", "z", 1)],
              [("r", "z", "r1"), ("r", "x", "r2")]], []),
}


def freeze(outcome):
    return tuple(sorted(outcome.items()))


def sc_outcomes(threads, finals):
    """Every interleaving, each read seeing the latest write."""
    results = set()
    labels = [i for i, ops in enumerate(threads) for _ in ops]
    for order in set(itertools.permutations(labels)):
        mem, regs, pcs = {}, {}, [0] * len(threads)
        for i in order:
            kind, var, arg = threads[i][pcs[i]]
            pcs[i] += 1
            if kind == "w":
                mem[var] = arg
            else:
                regs[arg] = mem.get(var, 0)
        regs.update({v: mem.get(v, 0) for v in finals})
        results.add(freeze(regs))
    return results


def tso_outcomes(threads, finals):
    """x86-TSO as an operational model: store buffers drained one entry at a time, at any moment."""
    results = set()

    def explore(pcs, bufs, mem, regs):
        moved = False
        for i, ops in enumerate(threads):
            if pcs[i] < len(ops):
                moved = True
                kind, var, arg = ops[pcs[i]]
                npcs = pcs[:i] + (pcs[i] + 1,) + pcs[i + 1:]
                if kind == "w":
                    explore(npcs, bufs[:i] + (bufs[i] + ((var, arg),),) + bufs[i + 1:], mem, regs)
                else:
                    own = [v for w, v in bufs[i] if w == var]
                    value = own[-1] if own else dict(mem).get(var, 0)
                    explore(npcs, bufs, mem, regs + ((arg, value),))
            if bufs[i]:
                moved = True
                (var, value), rest = bufs[i][0], bufs[i][1:]
                explore(pcs, bufs[:i] + (rest,) + bufs[i + 1:], tuple({**dict(mem), var: value}.items()), regs)
        if not moved:
            final = dict(regs)
            final.update({v: dict(mem).get(v, 0) for v in finals})
            results.add(freeze(final))

    explore((0,) * len(threads), ((),) * len(threads), (), ())
    return results


def go_outcomes(threads, finals):
    """Go's rule for racy reads, no synchronization: each read independently sees its goroutine's
    latest earlier write to the variable (or the initial 0 if none) or any other goroutine's write;
    a final read after the join sees any goroutine's last write (or 0 if nobody wrote)."""
    choices = []
    for i, ops in enumerate(threads):
        for pc, (kind, var, reg) in enumerate(ops):
            if kind == "r":
                own = [v for k, w, v in ops[:pc] if k == "w" and w == var]
                others = {v for j, o in enumerate(threads) if j != i for k, w, v in o if k == "w" and w == var}
                choices.append((reg, {own[-1] if own else 0} | others))
    for var in finals:
        lasts = {[v for k, w, v in ops if k == "w" and w == var][-1]
                 for ops in threads if any(k == "w" and w == var for k, w, _ in ops)}
        choices.append((var, lasts or {0}))
    return {freeze(dict(zip([c[0] for c in choices], values)))
            for values in itertools.product(*[sorted(c[1]) for c in choices])}


REFERENCE = {"sc": sc_outcomes, "tso": tso_outcomes, "go": go_outcomes}


def explored(name, model, variant="plain"):
    result = check(LITMUS / f"{name}.py", model=model, variant=variant)
    assert result.complete
    return result, {freeze(o) for o in result.outcome_dicts()}


@pytest.mark.parametrize("model", ["sc", "tso", "go"])
@pytest.mark.parametrize("name", sorted(TESTS))
def test_litmus_outcome_sets_match_the_reference_models(name, model):
    result, outcomes = explored(name, model)
    assert outcomes == REFERENCE[model](*TESTS[name])
    assert result.verdict == "ok"       # the file's own expectations agree


def test_weak_outcomes_by_model_are_the_literatures():
    """sc: none; tso: only SB's and R's; go: every one of the plain tests."""
    for name in TESTS:
        sc = sc_outcomes(*TESTS[name])
        weak = {m: explored(name, m)[1] - sc for m in ("sc", "tso", "go")}
        assert not weak["sc"]
        assert bool(weak["tso"]) == (name in ("sb", "r")), name
        assert weak["go"], name


@pytest.mark.parametrize("variant", ["atomic", "mutex"])
@pytest.mark.parametrize("name", sorted(TESTS))
def test_atomic_and_mutex_variants_have_no_weak_outcome_and_no_race(name, variant):
    sc = sc_outcomes(*TESTS[name])
    for model in ("sc", "tso", "go"):
        result, outcomes = explored(name, model, variant)
        assert outcomes <= sc, (name, model, variant)
        assert not result.races
        assert result.verdict == "ok"


def test_plain_litmus_tests_report_their_races_once_each():
    result, _ = explored("sb", "go")
    assert sorted(r.var for r in result.races.values()) == ["x", "y"]


def test_go_memory_model_examples():
    busy = {freeze(o) for o in check(LITMUS / "busywait.py", model="go").outcome_dicts()}
    assert busy == {freeze({"printed": ""}), freeze({"printed": "hello, world"}), freeze({"status": "hangs"})}
    assert check(LITMUS / "busywait.py", model="sc").outcome_dicts() == [{"printed": "hello, world"}]
    assert check(LITMUS / "busywait.py", model="go", variant="atomic").outcome_dicts() == [{"printed": "hello, world"}]
    broken = check(LITMUS / "doublecheck.py", model="go").outcome_dicts()
    assert {"p0": "", "p1": "hello, world"} in broken
    for model in ("sc", "tso", "go"):
        assert check(LITMUS / "doublecheck_once.py", model=model).outcome_dicts() == \
            [{"p0": "hello, world", "p1": "hello, world"}]


def write_scenario(tmp_path, body, name="s.py"):
    path = tmp_path / name
    path.write_text(body)
    return path


CHANNEL_HANDOFF = """
async def main(rt):
    a = rt.var("a", "")
    c = rt.chan({cap})

    async def f():
        await a.store("hello, world")
        await c.recv()

    rt.go(f)
    await c.send(0)
    rt.outcome["printed"] = await a.load()
"""


def test_unbuffered_receive_happens_before_the_send_completes(tmp_path):
    """The Go memory model's example: correct with make(chan int), racy with make(chan int, 1)."""
    unbuffered = check(write_scenario(tmp_path, CHANNEL_HANDOFF.format(cap=0)), model="go")
    assert unbuffered.outcome_dicts() == [{"printed": "hello, world"}] and not unbuffered.races
    buffered = check(write_scenario(tmp_path, CHANNEL_HANDOFF.format(cap=1), "b.py"), model="go")
    assert {"printed": ""} in buffered.outcome_dicts() and buffered.races


def test_kth_receive_happens_before_the_k_plus_cth_send_completes(tmp_path):
    """A buffered channel as a counting semaphore of capacity 1: the critical sections never race."""
    path = write_scenario(tmp_path, """
async def main(rt):
    x = rt.var("x")
    sem = rt.chan(1)

    async def worker():
        await sem.send(0)
        await x.store(await x.load() + 1)
        await sem.recv()

    await rt.par(worker, worker)
    rt.outcome["x"] = await x.load()
""")
    result = check(path, model="go")
    assert result.outcome_dicts() == [{"x": 2}] and not result.races


def test_forbidden_outcome_fails_and_replays(tmp_path):
    path = write_scenario(tmp_path, (LITMUS / "sb.py").read_text().replace(
        '"go": {"interesting": WEAK}', '"go": {"forbidden": WEAK}'))
    result = check(path, model="go")
    assert result.verdict == "failed"
    (failure,) = result.failures()
    assert failure.outcome == {"r0": 0, "r1": 0}
    _, model, ex = replay(path, failure.token)
    assert model == "go" and ex.outcome == {"r0": 0, "r1": 0}
    assert any(what == "resolve" for _, _, what, _, _ in ex.trace)


def test_failed_assertion_and_deadlock_fail_the_check(tmp_path):
    asserting = write_scenario(tmp_path, """
async def main(rt):
    x = rt.var("x")

    async def w():
        await x.store(1)

    rt.go(w)
    assert await x.load() == 0, "saw the write"
""")
    result = check(asserting, model="sc")
    assert result.verdict == "failed"
    assert {"status": "assertion failed: saw the write"} in result.outcome_dicts()
    deadlock = write_scenario(tmp_path, """
async def main(rt):
    await rt.chan().recv()
""", "d.py")
    assert check(deadlock, model="go").outcome_dicts() == [{"status": "deadlock"}]


@pytest.mark.parametrize("explore", ["random", "pct"])
def test_sampling_explorers_find_the_tso_store_buffering_outcome(explore):
    result = check(LITMUS / "sb.py", model="tso", explore=explore, runs=400, seed=1)
    assert result.executions == 400
    assert {"r0": 0, "r1": 0} in result.outcome_dicts()
    again = check(LITMUS / "sb.py", model="tso", explore=explore, runs=400, seed=1)
    assert [(s.outcome, s.count) for s in again.sorted_outcomes()] == \
        [(s.outcome, s.count) for s in result.sorted_outcomes()]


def gort(*args):
    return subprocess.run([sys.executable, "-m", "runtime.cli", *args], capture_output=True, text=True)


def test_cli_json_shape_and_exit_status():
    out = gort("check", str(LITMUS / "mp.py"), "--model", "go", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"scenario", "model", "explore", "executions", "outcomes", "races", "verdict"} <= set(data)
    assert data["verdict"] == "ok" and data["scenario"] == "MP" and data["executions"] > 0
    assert {"outcome": {"r0": 1, "r1": 0}, "count": data["outcomes"][2]["count"],
            "expectation": "ACCEPTABLE_INTERESTING"} in data["outcomes"]
    text = gort("check", str(LITMUS / "mp.py"), "--model", "tso")
    assert "Observation MP Never" in text.stdout and "Verdict: ok" in text.stdout


@pytest.mark.parametrize("content, message", [
    (None, "no scenario file"),
    ("def main(:\n", "syntax error"),
    ("x = 1\n", "async def main(rt)"),
])
def test_cli_bad_scenarios(tmp_path, content, message):
    path = tmp_path / "bad.py"
    if content is not None:
        path.write_text(content)
    out = gort("check", str(path))
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_same_seed_gives_identical_output_across_processes():
    outs = []
    for hashseed in ("0", "4242"):
        env = {**__import__("os").environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run([sys.executable, "-m", "runtime.cli", "check", str(LITMUS / "wrc.py"), "--model", "go",
                              "--explore", "pct", "--runs", "200", "--seed", "5", "--json"],
                             capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
        outs.append(out.stdout)
    assert outs[0] == outs[1]


def test_select_explores_every_ready_case_and_default(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    a, b, idle = rt.chan(1), rt.chan(1), rt.chan()
    await a.send("a")
    await b.send("b")
    i, v, ok = await rt.select(a.recv_case(), b.recv_case(), idle.recv_case())
    rt.outcome["got"] = v
    j, _, _ = await rt.select(idle.recv_case(), default=True)
    rt.outcome["default"] = j
""")
    result = check(path, model="sc")
    assert result.outcome_dicts() == [{"default": -1, "got": "a"}, {"default": -1, "got": "b"}]


def test_select_receive_carries_happens_before(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    data, c, quit = rt.var("data"), rt.chan(), rt.chan()

    async def producer():
        await data.store(1)
        await c.send(1)
    rt.go(producer)
    i, _, _ = await rt.select(c.recv_case(), quit.recv_case())
    rt.outcome["data"] = await data.load()
""")
    result = check(path, model="go")
    assert result.outcome_dicts() == [{"data": 1}] and not result.races


def test_cond_signal_happens_before_the_wait_it_unblocks(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    mu = rt.Mutex()
    cond = rt.Cond(mu)
    ready, data = rt.var("ready", False), rt.var("data")

    async def producer():
        await data.store(42)
        await mu.lock()
        await ready.store(True)
        cond.signal()
        mu.unlock()
    rt.go(producer)
    await mu.lock()
    while not await ready.load():
        await cond.wait()
    mu.unlock()
    rt.outcome["data"] = await data.load()
""")
    for model in ("sc", "tso", "go"):
        result = check(path, model=model)
        assert result.outcome_dicts() == [{"data": 42}], model
        assert not result.races and result.verdict == "ok"


@pytest.mark.parametrize("model", ["sc", "tso", "go"])
def test_choices_skipped_as_blocked_change_no_execution(model, monkeypatch):
    """The explorer skips a choice it can tell ends sleep-set-blocked without running it: the
    executions and their outcomes are the same as when every such choice is run."""
    names = ["sb", "mp", "lb", "corr", "r", "s", "2+2w", "wrc", "isa2", "iriw", "busywait", "doublecheck"]
    skipping = [check(LITMUS / f"{name}.py", model=model) for name in names]
    monkeypatch.setattr("runtime.check.explore.SKIP_QUIET", False)
    monkeypatch.setattr("runtime.check.explore.SKIP_PARTNERS", False)
    running = [check(LITMUS / f"{name}.py", model=model) for name in names]
    for a, b in zip(skipping, running):
        assert a.executions == b.executions
        if model != "go":   # (under go a return may resolve loads: several blocked runs for one skip)
            assert a.pruned == b.pruned
        assert [(s.outcome, s.count, s.token) for s in a.sorted_outcomes()] == \
            [(s.outcome, s.count, s.token) for s in b.sorted_outcomes()]


def test_step_limit_ends_replayed_executions_where_it_did(tmp_path):
    """The explorer replays a known prefix without asking for options: the step limit still
    ends each execution at the same step."""
    path = write_scenario(tmp_path, (LITMUS / "sb.py").read_text().replace('NAME = "SB"', 'NAME = "SB"\nMAX_STEPS = 2'))
    result = check(path, model="sc")
    assert result.outcome_dicts() == [{"r0": 0, "status": "step limit"}, {"r0": 1, "status": "step limit"},
                                      {"r1": 0, "status": "step limit"}, {"r1": 1, "status": "step limit"}]


@pytest.mark.parametrize("model", ["sc", "tso", "go"])
def test_only_a_plain_last_operation_is_skipped_as_blocked(tmp_path, model, monkeypatch):
    """A load or store counts as a goroutine's last operation (skippable when it would end
    sleep-set-blocked) only when the code after it can do nothing else: a register store into
    a list, which fails, or code after the register store is run as when nothing is skipped."""
    path = write_scenario(tmp_path, """
async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    regs = [0]
    r = rt.outcome

    async def p0():
        await x.store(1)
        r["r0"] = await y.load()
        r["done"] = True

    async def p1():
        await y.store(1)
        regs[1] = await x.load()      # IndexError: the goroutine panics after its load

    await rt.par(p0, p1)
""")
    skipping = check(path, model=model)
    monkeypatch.setattr("runtime.check.explore.SKIP_QUIET", False)
    monkeypatch.setattr("runtime.check.explore.SKIP_PARTNERS", False)
    running = check(path, model=model)
    assert any(s.outcome.get("status", "").startswith("panic: IndexError") for s in skipping.sorted_outcomes())
    assert skipping.executions == running.executions
    assert [(s.outcome, s.count, s.token) for s in skipping.sorted_outcomes()] == \
        [(s.outcome, s.count, s.token) for s in running.sorted_outcomes()]


def blocked_runs(name, model, skip_doomed=True):
    """How many executions the exhaustive explorer runs only to find them sleep-set-blocked."""
    from runtime.check import CheckResult, Exhaustive, run_once
    from runtime.check.objects import SleepBlocked
    scenario = load(LITMUS / f"{name}.py")
    chooser, blocked = Exhaustive(skip_doomed), 0
    result = CheckResult(scenario, model, "exhaustive")
    while True:
        chooser.begin()
        try:
            run_once(scenario, model, chooser, known_races=result.known_races)
        except SleepBlocked:
            blocked += 1
        if not chooser.backtrack():
            return blocked


def test_litmus_last_operations_are_recognised():
    """`r[k] = await v.load()` and `await v.store(x)` at a goroutine's end are read from the
    bytecode as its last operation (the sc explorer then runs no sleep-set-blocked execution)."""
    for name in ("sb", "lb", "s", "2+2w"):
        assert blocked_runs(name, "sc") == 0, name


def test_a_last_load_and_its_drain_are_skipped_together(monkeypatch):
    """Under tso, a goroutine's last load and the drain of its one buffered store end it quietly
    in either order: a choice of one, the other then the one option awake, is skipped unrun."""
    with_partners = blocked_runs("sb", "tso", skip_doomed=False)
    monkeypatch.setattr("runtime.check.explore.SKIP_PARTNERS", False)
    assert with_partners < blocked_runs("sb", "tso", skip_doomed=False)


TWO_GOROUTINE_LITMUS = ["sb", "mp", "lb", "corr", "r", "s", "2+2w"]


def test_tso_runs_no_execution_a_sleeping_store_dooms():
    """Under tso a store into an empty store buffer, once asleep, never wakes, and main waits for
    its goroutine: the explorer skips the choices after which one sleeps, so no two-goroutine
    litmus test runs a sleep-set-blocked execution (without the skip, they run 16)."""
    assert sum(blocked_runs(name, "tso", skip_doomed=False) for name in TWO_GOROUTINE_LITMUS) > 0
    for name in TWO_GOROUTINE_LITMUS:
        assert blocked_runs(name, "tso") == 0, name


def _without_doomed_skips(monkeypatch):
    monkeypatch.setattr("runtime.check.explore.SKIP_DOOMED", False)


@pytest.mark.parametrize("variant", ["plain", "atomic", "mutex"])
def test_doomed_choices_skipped_change_no_execution(variant, monkeypatch):
    """Skipping the choices a never-waking store dooms gives the same executions, outcomes,
    counts and replay tokens as running them, on every litmus test."""
    names = sorted(p.stem for p in LITMUS.glob("*.py") if variant in load(p).variants)
    skipping = [check(LITMUS / f"{name}.py", model="tso", variant=variant) for name in names]
    _without_doomed_skips(monkeypatch)
    for name, a in zip(names, skipping):
        b = check(LITMUS / f"{name}.py", model="tso", variant=variant)
        assert a.executions == b.executions, name
        assert [(s.outcome, s.count, s.token) for s in a.sorted_outcomes()] == \
            [(s.outcome, s.count, s.token) for s in b.sorted_outcomes()], name


def test_a_scenario_that_ends_abnormally_is_explored_without_doomed_skips(tmp_path, monkeypatch):
    """An execution through a doomed choice can still end by a panic before it blocks, with
    other registers set: when a check sees an abnormal end, it explores again without skipping,
    so its outcomes are those of exploring every choice."""
    path = write_scenario(tmp_path, """
async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome

    async def p0():
        await x.store(1)
        r["a"] = 1
        await x.store(2)

    async def p1():
        r["r1"] = await y.load()
        [][0]                        # IndexError: the program panics here

    await rt.par(p0, p1)
""")
    skipping = check(path, model="tso")
    _without_doomed_skips(monkeypatch)
    running = check(path, model="tso")
    assert any("a" not in s.outcome for s in running.sorted_outcomes())
    assert [(s.outcome, s.count, s.token) for s in skipping.sorted_outcomes()] == \
        [(s.outcome, s.count, s.token) for s in running.sorted_outcomes()]


def random_litmus(rng):
    """A random litmus-shaped scenario: 2-3 goroutines of 1-3 plain loads and stores, with the
    register stores and endings the explorer reads from the bytecode, and some it must not."""
    names = ["x", "y", "z"][:rng.randint(1, 3)]
    lines = ["async def main(rt):", *(f"    {v} = rt.var({v!r})" for v in names), "    r = rt.outcome"]
    goroutines = rng.randint(2, 3)
    for g in range(goroutines):
        lines.append(f"    async def p{g}():")
        for k in range(rng.randint(1, 3)):
            v = rng.choice(names)
            lines.append(rng.choice([f"        await {v}.store({rng.randint(1, 2)})",
                                     f"        r['r{g}{k}'] = await {v}.load()",
                                     f"        a = await {v}.load()", f"        await {v}.load()"]))
        if rng.random() < 0.2:
            lines.append(f"        r['end{g}'] = 1")
    lines.append(f"    await rt.par({', '.join(f'p{g}' for g in range(goroutines))})")
    if rng.random() < 0.3:
        lines.append(f"    r['final'] = await {names[0]}.load()")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(4))
def test_skipping_changes_no_execution_of_random_litmus_tests(tmp_path, seed, monkeypatch):
    """On random two- and three-goroutine tests, every model: the same executions, outcomes,
    counts, replay tokens and races whether or not the explorer skips choices unrun."""
    rng = random.Random(seed)
    paths = [write_scenario(tmp_path, random_litmus(rng), f"t{i}.py") for i in range(6)]

    def explored():
        return [(r.executions, [(s.outcome, s.count, s.token) for s in r.sorted_outcomes()],
                 sorted(format_race(race) for race in r.races.values()))
                for r in (check(path, model=model) for path in paths for model in ("sc", "tso", "go"))]
    skipping = explored()
    monkeypatch.setattr("runtime.check.explore.SKIP_QUIET", False)
    monkeypatch.setattr("runtime.check.explore.SKIP_PARTNERS", False)
    assert skipping == explored()


WAITGROUP_ADD = """
async def main(rt):
    x, started = rt.var("x"), rt.var("started")
    wg = rt.WaitGroup()

    async def a():
        await x.store(1)
        wg.add(1)
        await started.store(1)

    async def b():
        while not await started.load():    # a plain flag: no happens-before from a to b
            pass
        wg.done()
        wg.done()

    wg.add(1)
    rt.go(a)
    rt.go(b)
    await wg.wait()
    rt.outcome["r"] = await x.load()
"""


def test_waitgroup_add_releases_nothing(tmp_path):
    """Only Done ⇒ Wait returns: a's store before its wg.add(1) is not ordered before main's read
    (Go's WaitGroup.Add releases, for the race detector, only when delta < 0)."""
    result = check(write_scenario(tmp_path, WAITGROUP_ADD), model="go")
    assert {"r": 0} in result.outcome_dicts()
    assert "x" in {race.var for race in result.races.values()}


def test_close_of_nil_channel_panics(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    rt.nil_chan().close()
""")
    result = check(path, model="sc")
    assert result.outcome_dicts() == [{"status": "panic: close of nil channel"}]
    assert result.verdict == "failed"


@pytest.mark.parametrize("declaration, message", [
    ('EXPECT = {"go": [{"r": 1}]}', "EXPECT['go'] must be a dict"),
    ('EXPECT = [{"r": 1}]', "EXPECT must be a dict"),
    ('EXPECT = {"gox": {"forbidden": [{"r": 1}]}}', "unknown model 'gox'"),
    ('EXPECT = {"go": {"forbiden": [{"r": 1}]}}', "unknown key 'forbiden'"),
    ('EXPECT = {"*": {"interesting": {"r": 1}}}', "EXPECT['*']['interesting'] must be a list"),
    ('EXPECT = {"sc": {"forbidden": [1]}}', "EXPECT['sc']['forbidden'] must be a list"),
    ('WEAK = {"r": 1}', "WEAK must be a list"),
    ('VARIANTS = ("plain", "mutx")', "VARIANTS must list"),
    ('MAX_STEPS = "10"', "MAX_STEPS must be a positive int"),
])
def test_bad_declarations_are_named(tmp_path, declaration, message):
    """A malformed or misspelt EXPECT, WEAK, VARIANTS or MAX_STEPS is an error naming the file and
    the key: it would otherwise crash mid-check, or silently check nothing."""
    path = write_scenario(tmp_path, declaration + '\nasync def main(rt):\n    rt.outcome["r"] = 1\n')
    out = gort("check", str(path), "--variant", "atomic")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith(f"gort check: {path}: ") and out.stderr.count("\n") == 1
    assert message in out.stderr


def test_a_scenario_file_of_any_name_is_python_source(tmp_path):
    """`gort check sb.txt` loads it as Python; a file that is not a scenario is a one-line error."""
    txt = write_scenario(tmp_path, (LITMUS / "sb.py").read_text(), "sb.txt")
    assert check(txt, model="tso").outcome_dicts() == check(LITMUS / "sb.py", model="tso").outcome_dicts()
    assert not (tmp_path / "__pycache__").exists()
    latin1 = tmp_path / "latin1.py"
    latin1.write_bytes(b'async def main(rt):\n    rt.outcome["r"] = "\xe9"\n')
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\x00\x01\x02")
    markdown = write_scenario(tmp_path, "# Notes\n\nA scenario's `main` is `async def`.\n", "NOTES.md")
    for path in (markdown, latin1, binary):
        out = gort("check", str(path))
        assert out.returncode == 1 and out.stderr.startswith(f"gort check: {path}:"), out.stderr
        assert "not a Python scenario" in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_par_of_a_plain_function_is_named(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    async def p():
        pass

    def plain():
        pass

    await rt.par(p, plain)
""")
    for variant in ("plain", "mutex"):
        result = check(path, model="sc", variant=variant)
        assert result.outcome_dicts() == [{"status": "panic: TypeError: par plain: the function must be `async def`"}]


@pytest.mark.parametrize("variant", ["plain", "mutex"])
def test_an_unawaited_par_is_an_error(tmp_path, variant):
    """`rt.par(p, p)` without await would run nothing, silently: the check stops with where it is."""
    path = write_scenario(tmp_path, """
async def main(rt):
    async def p():
        pass

    rt.par(p, p)
    rt.outcome["r"] = 1
""")
    out = gort("check", str(path), "--variant", variant)
    assert out.returncode == 1
    assert out.stderr == f"gort check: {path}:6: rt.par(...) is never awaited, so it runs nothing: " \
                         "write `await rt.par(...)`\n"


def test_a_scenario_declares_its_variants():
    """busywait.py starts its goroutine with rt.go, which the mutex variant (rt.par bodies under
    one Mutex) does not cover: it declares VARIANTS without mutex, and asking for it is an error."""
    assert load(LITMUS / "busywait.py").variants == ("plain", "atomic")
    assert load(LITMUS / "sb.py").variants == ("plain", "atomic", "mutex")
    for args in ([], ["--replay", "go:0.0.0"]):
        out = gort("check", str(LITMUS / "busywait.py"), "--variant", "mutex", *args)
        assert out.returncode == 1 and out.stdout == ""
        assert out.stderr == f"gort check: {LITMUS / 'busywait.py'}: the scenario has no mutex variant " \
                             "(its VARIANTS: plain, atomic)\n"
    for model in ("sc", "tso", "go"):
        assert check(LITMUS / "busywait.py", model=model, variant="atomic").verdict == "ok"


PAIR = """
async def main(rt):
    x, y = rt.var("x"), rt.var("y")

    async def p():
        await x.store(1)
        await y.store(1)

    async def q():
        b = await y.load()
        a = await x.load()
        rt.outcome["pair"] = (b, a)
        rt.outcome["more"] = {"list": [a], "set": {b}}

    await rt.par(p, q)
"""


def test_outcomes_hold_concrete_values_inside_containers(tmp_path):
    """Under go a load's value is resolved when used: a register holding a tuple of loads must
    still come out as values (in JSON too), not as the pending loads' reprs."""
    path = write_scenario(tmp_path, PAIR)
    outcomes = check(path, model="go").outcome_dicts()
    assert {"pair": (1, 0), "more": {"list": [0], "set": {1}}} in outcomes
    assert all(type(v) is int for o in outcomes for v in o["pair"] + tuple(o["more"]["list"]))
    out = gort("check", str(path), "--json")
    pairs = [o["outcome"]["pair"] for o in json.loads(out.stdout)["outcomes"]]
    assert sorted(pairs) == [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize("args, message", [
    (["--runs", "0"], "--runs must be at least 1"),
    (["--runs", "-5", "--explore", "random"], "--runs must be at least 1"),
    (["--depth", "0", "--explore", "pct"], "--depth must be at least 1"),
    (["--depth", "-1"], "--depth must be at least 1"),
    (["--replay", "go:0.0.0.0", "--model", "tso"], "the replay token 'go:0.0.0.0' is for model go, not tso"),
    (["--replay", "go:0.0.0.0.1.1.1"], "the replay token is longer than the execution"),
])
def test_cli_rejects_bad_options(args, message):
    out = gort("check", str(LITMUS / "sb.py"), *args)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith(f"gort check: {message}") and out.stderr.count("\n") == 1, out.stderr


def test_replay_as_json():
    token = next(s.token for s in check(LITMUS / "sb.py", model="go").sorted_outcomes()
                 if s.outcome == {"r0": 0, "r1": 0})
    out = gort("check", str(LITMUS / "sb.py"), "--replay", token, "--model", "go", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["outcome"] == {"r0": 0, "r1": 0} and data["model"] == "go" and data["replay"] == token
    assert data["expectation"] == "ACCEPTABLE_INTERESTING" and data["verdict"] == "ok"
    assert {"goroutine": 2, "op": "store", "object": "x", "value": 1} in \
        [{k: e[k] for k in ("goroutine", "op", "object", "value")} for e in data["trace"]]
    assert sorted(r["var"] for r in data["races"]) == ["x", "y"]


def raced(result):
    return sorted({r.var for r in result.races.values()})


ATOMIC_STORE_ACQUIRES_NOTHING = """
async def main(rt):
    x, d = rt.var("x"), rt.var("d")
    a = rt.atomic(0, "a")
    r = rt.outcome

    async def t1():
        await x.store(1)
        await a.store(1)
        await d.store(1)

    async def t2():
        if await d.load() == 1:
            await a.store(2)        # observes nothing: no edge from t1's a.store(1)
            r["r"] = await x.load()
        else:
            r["r"] = -1

    await rt.par(t1, t2)
"""


def test_an_atomic_store_acquires_nothing(tmp_path):
    path = write_scenario(tmp_path, ATOMIC_STORE_ACQUIRES_NOTHING)
    for model in ("sc", "tso", "go"):
        assert "x" in raced(check(path, model=model)), model
    assert {"r": 0} in check(path, model="go").outcome_dicts()


RELEASE_SEQUENCE = """
async def main(rt):
    x = rt.var("x")
    a = rt.atomic(0, "a")
    r = rt.outcome

    async def t1():
        await x.store(1)
        await a.store(1)

    async def t2():
        await a.store(2)

    async def t3():
        v = await a.load()
        r["a"] = v
        if v == 2:                   # saw t2's store, which does not carry t1's
            r["x"] = await x.load()

    await rt.par(t1, t2, t3)
    r["fin"] = await a.load()
"""


def test_an_atomic_load_synchronizes_with_the_store_it_reads_only(tmp_path):
    result = check(write_scenario(tmp_path, RELEASE_SEQUENCE), model="go")
    assert {"a": 2, "fin": 2, "x": 0} in result.outcome_dicts()
    assert "x" in raced(result)


COND_SIGNAL_WITHOUT_WAITER = """
async def main(rt):
    x, d, flag = rt.var("x"), rt.var("d"), rt.var("flag")
    mu = rt.Mutex()
    c = rt.Cond(mu)
    r = rt.outcome

    async def s2():
        await x.store(1)
        c.signal()                   # no waiter (or another's ticket): no edge to w
        await d.store(1)

    async def w():
        if await d.load() == 1:
            await mu.lock()
            waited = 0
            while await flag.load() == 0:
                await c.wait()
                waited = 1
            r["waited"] = waited
            mu.unlock()
            r["r"] = await x.load()
        else:
            r["r"] = -1

    async def s1():
        await mu.lock()
        await flag.store(1)
        c.signal()
        mu.unlock()

    await rt.par(s2, w, s1)
"""


def test_cond_wait_synchronizes_only_with_the_notify_that_woke_it(tmp_path):
    path = write_scenario(tmp_path, COND_SIGNAL_WITHOUT_WAITER)
    for model in ("sc", "tso", "go"):
        assert "x" in raced(check(path, model=model)), model
    assert {"waited": 1, "r": 0} in check(path, model="go").outcome_dicts()


def test_cond_broadcast_happens_before_every_wait_it_unblocks(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    mu = rt.Mutex()
    cond = rt.Cond(mu)
    ready, data = rt.var("ready", False), rt.var("data")

    async def waiter(name):
        await mu.lock()
        while not await ready.load():
            await cond.wait()
        mu.unlock()
        rt.outcome[name] = await data.load()

    async def producer():
        await data.store(42)
        await mu.lock()
        await ready.store(True)
        cond.broadcast()
        mu.unlock()

    await rt.par(lambda: waiter("a"), lambda: waiter("b"), producer)
""")
    for model in ("sc", "go"):
        result = check(path, model=model)
        assert result.outcome_dicts() == [{"a": 42, "b": 42}], model
        assert not result.races and result.verdict == "ok"


LB_ACROSS_AN_UNRELATED_ATOMIC = """
async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    z = rt.atomic(0, "z")
    r = rt.outcome

    async def p0():
        r["r0"] = await x.load()
        await z.load()
        await y.store({v0})

    async def p1():
        r["r1"] = await y.load()
        await z.load()
        await x.store({v1})

    await rt.par(p0, p1)
"""


def test_a_sync_operation_leaves_pending_loads_pending(tmp_path):
    """LB with an atomic load of an unrelated variable between each load and store: nothing
    synchronizes, so Go's memory model still allows r0 = r1 = 1; and a stored value that depends
    on a load still comes from no thin air."""
    independent = write_scenario(tmp_path, LB_ACROSS_AN_UNRELATED_ATOMIC.format(v0=1, v1=1))
    assert {"r0": 1, "r1": 1} in check(independent, model="go").outcome_dicts()
    dependent = write_scenario(tmp_path, LB_ACROSS_AN_UNRELATED_ATOMIC.format(v0='r["r0"]', v1='r["r1"]'), "d.py")
    assert check(dependent, model="go").outcome_dicts() == [{"r0": 0, "r1": 0}]


def test_a_pending_load_sent_on_a_channel_is_read_by_the_receive(tmp_path):
    """The receiver's step resolves the sender's pending load: its footprint reads that variable,
    so the explorer still runs the write before and after it."""
    path = write_scenario(tmp_path, """
async def main(rt):
    x, ch = rt.var("x"), rt.chan()
    z = rt.atomic(0, "z")

    async def sender():
        v = await x.load()
        await z.load()
        await ch.send(v)

    async def receiver():
        rt.outcome["v"] = await ch.recv()

    async def writer():
        await x.store(1)

    await rt.par(sender, receiver, writer)
""")
    assert check(path, model="go").outcome_dicts() == [{"v": 0}, {"v": 1}]


def test_two_selects_meet_on_an_unbuffered_channel(tmp_path):
    """select { case <-idle: case ch <- 7: } ‖ select { case v := <-ch: }: the blocked select is
    the firing one's partner, and both complete (send ⇒ the receive completes)."""
    path = write_scenario(tmp_path, """
async def main(rt):
    ch, idle = rt.chan(), rt.chan()
    data = rt.var("data")
    r = rt.outcome

    async def a():
        await data.store(1)
        i, _, ok = await rt.select(idle.recv_case(), ch.send_case(7))
        r["i"] = i

    async def b():
        j, v, ok = await rt.select(ch.recv_case())
        r["j"], r["v"], r["ok"] = j, v, ok
        r["data"] = await data.load()

    await rt.par(a, b)
""")
    for model in ("sc", "tso", "go"):
        result = check(path, model=model)
        assert result.outcome_dicts() == [{"i": 1, "j": 0, "v": 7, "ok": True, "data": 1}], model
        assert not result.races and result.verdict == "ok"


def test_an_atomic_load_does_not_drain_the_tso_store_buffer(tmp_path):
    """amd64's atomic.Load is a plain MOV: SB with an unrelated atomic load between each store and
    load keeps its weak outcome under tso (an atomic store, an XCHG, drains: see the variants)."""
    path = write_scenario(tmp_path, """
async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    z = rt.atomic(0, "z")
    r = rt.outcome

    async def p0():
        await x.store(1)
        await z.load()
        r["r0"] = await y.load()

    async def p1():
        await y.store(1)
        await z.load()
        r["r1"] = await x.load()

    await rt.par(p0, p1)
""")
    assert {"r0": 0, "r1": 0} in check(path, model="tso").outcome_dicts()
    assert {"r0": 0, "r1": 0} not in check(path, model="sc").outcome_dicts()


@pytest.mark.parametrize("body, message", [
    ("await asyncio.sleep(0)", "panic: TypeError: awaited None, not an rt operation"),
    ("await rt.select(ch)", "panic: TypeError"),
    ('wg.add("one")', "panic: TypeError"),
])
def test_a_scenario_misusing_the_api_panics_instead_of_crashing(tmp_path, body, message):
    """Awaiting something that is not an rt operation, or passing an rt operation a bad argument,
    is the goroutine's panic (an outcome of the check), never a traceback of the checker."""
    path = write_scenario(tmp_path, f"""
import asyncio

async def main(rt):
    ch, wg = rt.chan(), rt.WaitGroup()
    {body}
""")
    for model in ("sc", "tso", "go"):
        result = check(path, model=model)
        assert [s.outcome["status"][:len(message)] for s in result.sorted_outcomes()] == [message], model
        assert result.verdict == "failed"


def test_a_step_limit_beyond_a_machine_word_means_none(tmp_path):
    path = write_scenario(tmp_path, (LITMUS / "sb.py").read_text().replace('NAME = "SB"', 'NAME = "SB"\nMAX_STEPS = 2**70'))
    assert check(path, model="sc").outcome_dicts() == check(LITMUS / "sb.py", model="sc").outcome_dicts()


NEVER_AWAITED = """
async def main(rt):
    x, y, mu, n, ch = rt.var("x"), rt.var("y"), rt.Mutex(), rt.atomic(), rt.chan()
    cond, once = rt.Cond(mu), rt.Once()
    r = rt.outcome
    async def p0():
        pending = x.load()             # made here, awaited below: fine
        await y.store(1)
        r["r0"] = await pending
    async def p1():
        {body}
    async def stuck():
        await ch.recv()
    {main}
    await rt.par(p0, p1)
"""


@pytest.mark.parametrize("body, main, call", [
    ("x.store(1)", "pass", "x.store(1)"),
    ('r["r1"] = x.load()', "pass", "x.load()"),
    ("mu.lock()", "pass", "mu.lock()"),
    ("n.add(1)", "pass", "n.add(1)"),
    ("y.store(\n            2)", "pass", "y.store( 2)"),
    ("ch.send(1)", "pass", "ch.send(1)"),                        # and p1's receiver: a deadlock
    ("pass", "rt.go(stuck)\n    x.store(1)", "x.store(1)"),     # main's, with a goroutine left running
    ("cond.wait()", "pass", "cond.wait()"),                      # coroutine operations too
    ("once.do(p0)", "pass", "once.do(p0)"),
])
def test_an_operation_never_awaited_is_named_not_dropped(tmp_path, body, main, call):
    """`x.store(1)` without await makes a request that never reaches the machine: the check names
    the line where it was made (found by re-running the execution), instead of reporting outcomes
    of a scenario that did less than it reads, or its deadlock."""
    if body == "ch.send(1)":
        main = "rt.go(stuck)"
    source = NEVER_AWAITED.format(body=body, main=main)
    path = write_scenario(tmp_path, source)
    line = next(i for i, text in enumerate(source.splitlines(), 1) if call.split("(")[0] in text and "await" not in text
                and "def " not in text and "pending" not in text)
    for model in ("sc", "tso", "go"):
        with pytest.raises(UserError) as err:
            check(path, model=model)
        assert str(err.value) == f"{path}:{line}: {call} is never awaited, so it never runs: write `await {call}`"


def test_operations_awaited_later_or_in_helpers_are_not_flagged(tmp_path):
    path = write_scenario(tmp_path, """
async def main(rt):
    x, y = rt.var("x"), rt.var("y")
    r = rt.outcome
    async def p0():
        pending = x.load()          # made here, awaited below: fine
        await y.store(1)
        r["r0"] = await pending
    await rt.par(p0)
""")
    assert check(path, model="sc").outcome_dicts() == [{"r0": 0}]
