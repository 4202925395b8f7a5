"""`gort run`: the workloads, user mistakes, Go-style failures, determinism, the log, the summary."""

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.cmd.run import execute, load_workload
from runtime.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
GORT = [sys.executable, "-m", "runtime.cli"]
WORKLOADS = sorted(p.stem for p in (ROOT / "workloads").glob("*.py"))


def gort(*args, env=None, timeout=120):
    return subprocess.run([*GORT, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def run_file(path, procs, seed=1, log_path=None, **kw):
    out = io.StringIO()
    r = execute(load_workload(str(path)), str(path), procs=procs, seed=seed, log_path=log_path,
                out=out, progress=False, **kw)
    r.out = out.getvalue()
    return r


def test_the_expected_workloads_exist():
    for name in ("alloc_churn", "large_allocs", "producer_consumer", "worker_pool", "syscall_heavy",
                 "fanout_fanin", "pointer_to_local", "boxing"):
        assert name in WORKLOADS
    mine = [*(ROOT / "workloads").glob("*.py"), *(ROOT / "workloads" / "errors").glob("*.py")]
    for path in mine:
        assert path.read_text().startswith("# "), f"{path} lacks its header comment"


@pytest.mark.parametrize("procs", [1, 4, 8])
@pytest.mark.parametrize("name", WORKLOADS)
def test_every_workload_runs(name, procs):
    r = run_file(ROOT / "workloads" / f"{name}.py", procs)
    assert (r.status, r.report) == (0, "")
    assert r.out


@pytest.mark.parametrize("name", ["producer_consumer", "fanout_fanin", "worker_pool"])
def test_a_goroutine_never_runs_before_it_parked_or_was_created(name, tmp_path):
    """Causality across Ms: a waker's M may lag behind the parked G's M in virtual time (within
    the lookahead), yet the G's next run starts no earlier than its park."""
    log = tmp_path / "run.jsonl"
    r = run_file(ROOT / "workloads" / f"{name}.py", 8, log_path=str(log), log_level="debug")
    assert r.status == 0
    since = {}
    runs = 0
    for line in log.read_text().splitlines():
        ev = json.loads(line)
        if ev["event"] in ("go_park", "go_create"):
            since[ev.get("newg", ev["g"])] = ev["vt"]
        elif ev["event"] == "go_run":
            runs += 1
            assert ev["vt"] >= since.get(ev["g"], 0), ev
    assert runs > 50


def test_alloc_churn_contends_mcentral_more_with_8_procs_than_with_1():
    def mcentral_wait(procs):
        r = run_file(ROOT / "workloads" / "alloc_churn.py", procs)
        locks = [lk for lk in r.sched.locks if lk.kind == "mcentral"]
        return sum(lk.wait_ns for lk in locks), sum(lk.contended for lk in locks)
    wait1, cont1 = mcentral_wait(1)
    wait8, cont8 = mcentral_wait(8)
    assert (wait1, cont1) == (0, 0)            # one P: nobody to wait for
    assert cont8 > 10 and wait8 > 10_000


def test_large_allocs_contend_the_mheap_lock():
    r = run_file(ROOT / "workloads" / "large_allocs.py", 8)
    heap_lock = next(lk for lk in r.sched.locks if lk.kind == "mheap")
    assert heap_lock.contended > 0


def test_same_seed_gives_byte_identical_log_and_output_across_processes(tmp_path):
    outs = []
    for i, hashseed in enumerate(("0", "12345")):
        log = tmp_path / f"run{i}.jsonl"
        r = gort("run", "workloads/fanout_fanin.py", "--procs", "4", "--seed", "7", "--log", str(log),
                 "--log-level", "debug", env={"PYTHONHASHSEED": hashseed})
        assert r.returncode == 0, r.stderr
        outs.append((log.read_bytes(), r.stdout, r.stderr.replace(str(log), "LOG")))
    assert outs[0] == outs[1]
    assert len(outs[0][0].splitlines()) > 100


def test_different_seeds_interleave_differently(tmp_path):
    logs = []
    for seed in (1, 2):
        log = tmp_path / f"s{seed}.jsonl"
        r = run_file(ROOT / "workloads" / "fanout_fanin.py", 4, seed=seed, log_path=str(log))
        assert r.status == 0
        logs.append([json.loads(line) for line in log.read_text().splitlines()[1:]])
    assert logs[0] != logs[1]


def test_log_lock_events_carry_the_schema_keys(tmp_path):
    log = tmp_path / "l.jsonl"
    run_file(ROOT / "workloads" / "alloc_churn.py", 8, log_path=str(log))
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[0]["event"] == "run_start" and events[-1]["event"] == "run_end"
    acq = [e for e in events if e["event"] == "lock_acquire"]
    contended = [e for e in acq if e["kind"] == "mcentral" and e["wait_ns"] > 0]
    assert contended
    e = contended[0]
    for key in ("vt", "m", "p", "g", "kind", "lock", "wait_ns", "waiters", "prev_m", "prev_p",
                "prev_g", "spanclass", "stack"):
        assert key in e
    assert e["stack"] and e["stack"][0].startswith("workloads/alloc_churn.py:") or \
        "alloc_churn.py:" in e["stack"][0]
    assert any(ev["event"] == "lock_release" and ev["hold_ns"] >= 0 for ev in events)
    assert any(ev["event"] == "steal" for ev in events)
    assert any(ev["event"] == "heap_snapshot" for ev in events)
    assert events[-1]["totals"]["mallocs"] >= 19_200
    # info level: no goroutine transitions
    assert not any(ev["event"].startswith("go_") for ev in events)


def test_missing_file_syntax_error_and_no_main_are_one_line_exit_1(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("async def main(rt)\n    pass\n")
    nomain = tmp_path / "nomain.py"
    nomain.write_text("x = 1\n")
    syncmain = tmp_path / "syncmain.py"
    syncmain.write_text("def main(rt):\n    pass\n")
    for path, words in ((tmp_path / "nope.py", "cannot read"), (bad, "syntax error"),
                        (nomain, "no `main`"), (syncmain, "async def main")):
        r = gort("run", str(path), "--log-level", "off")
        assert r.returncode == 1
        assert r.stderr.count("\n") == 1 and words in r.stderr and "Traceback" not in r.stderr
    with pytest.raises(UserError):
        load_workload(str(bad))


def test_panic_workload_exits_2_with_go_report():
    r = gort("run", "workloads/errors/panic.py", "--log-level", "off", "--no-summary")
    assert r.returncode == 2
    assert r.stderr.startswith("panic: send on closed channel\n\ngoroutine 6 [running]:\n"
                               "main.producer(...)\n\tworkloads/errors/panic.py:9\n"
                               "created by main.main in goroutine 1\n\tworkloads/errors/panic.py:16\n")
    assert r.stderr.rstrip().endswith("exit status 2")


def test_deadlock_workload_exits_2_with_goroutine_dump():
    r = gort("run", "workloads/errors/deadlock.py", "--log-level", "off", "--no-summary")
    assert r.returncode == 2
    assert r.stderr == (
        "fatal error: all goroutines are asleep - deadlock!\n\n"
        "goroutine 1 [chan receive]:\nmain.main()\n\tworkloads/errors/deadlock.py:15\n\n"
        "goroutine 6 [sync.Mutex.Lock]:\nmain.worker(...)\n\tworkloads/errors/deadlock.py:6\n"
        "created by main.main in goroutine 1\n\tworkloads/errors/deadlock.py:14\n"
        "exit status 2\n")


def test_python_errors_in_workload_code_become_go_runtime_panics(tmp_path):
    w = tmp_path / "div.py"
    w.write_text("async def main(rt):\n    x = 0\n    rt.println(1 // x)\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert r.returncode == 2
    assert r.stderr.startswith("panic: runtime error: integer divide by zero")
    assert f"{w}:3" in r.stderr


def test_os_exit_status(tmp_path):
    w = tmp_path / "exit.py"
    w.write_text("async def main(rt):\n    rt.println('bye')\n    rt.exit(3)\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert (r.returncode, r.stdout) == (3, "bye\n")


def test_summary_names_the_figures_the_issue_asks_for():
    r = gort("run", "workloads/worker_pool.py", "--procs", "4", "--log-level", "off")
    for word in ("virtual time", "goroutines", "context switches", "steals", "preemptions",
                 "mallocs", "heap in use", "most contended locks"):
        assert word in r.stderr


def test_cost_model_file_changes_virtual_time(tmp_path):
    w = ROOT / "workloads" / "producer_consumer.py"
    base = run_file(w, 1).sched.vt_end
    cm = tmp_path / "c.toml"
    cm.write_text("chan_op = 4000\n")
    slow = run_file(w, 1, cost_model=str(cm)).sched.vt_end
    assert slow > base + 4000 * 2000


def test_sigint_closes_the_log_with_whole_lines_and_prints_the_summary(tmp_path):
    w = tmp_path / "forever.py"
    w.write_text("async def main(rt):\n    while True:\n        rt.new(64)\n        await rt.gosched()\n")
    log = tmp_path / "f.jsonl"
    p = subprocess.Popen([*GORT, "run", str(w), "--log", str(log)], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60       # wait until the run is under way (imports may be slow)
    while time.monotonic() < deadline and (not log.exists() or log.stat().st_size < 200_000):
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert "interrupted" in err and "context switches" in err
    lines = log.read_bytes().split(b"\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        json.loads(line)
    assert json.loads(lines[-2])["event"] == "run_end"


def test_sigint_stops_a_run_whose_virtual_time_stands_still(tmp_path):
    """With a cost model of zeros the running M never reaches its hand-over limit by itself; the
    signal moves the limit, so the first SIGINT still stops the run cleanly."""
    started = tmp_path / "started"
    w = tmp_path / "spin.py"
    w.write_text(f"async def main(rt):\n    open({str(started)!r}, 'w').close()\n"
                 "    while True:\n        await rt.gosched()\n")
    zeros = tmp_path / "zeros.toml"
    zeros.write_text("gosched = 0\ngoroutine_switch = 0\nsched_lock_hold = 0\n")
    p = subprocess.Popen([*GORT, "run", str(w), "--cost-model", str(zeros), "--log-level", "off"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60   # wait until main runs (imports may be slow)
        while time.monotonic() < deadline and not started.exists():
            time.sleep(0.05)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
    finally:
        p.kill()                           # never leave a spinning run behind if the test fails
    assert p.returncode == 130 and "interrupted" in err and "context switches" in err


def test_the_documented_example_runs(tmp_path):
    import re
    doc = (ROOT / "docs" / "workloads.md").read_text()
    example = tmp_path / "example.py"
    example.write_text(re.search(r"```python\n(.*?)```", doc, re.S).group(1))
    r = run_file(example, 8, seed=3)
    assert (r.status, r.out) == (0, "sum of squares: 332833500\n")


def test_awaiting_something_foreign_is_a_clear_panic_not_a_crash(tmp_path):
    w = tmp_path / "foreign.py"
    w.write_text("import types\n\n@types.coroutine\ndef foreign():\n    yield 'x'\n\n"
                 "async def main(rt):\n    await foreign()\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert r.returncode == 2
    assert r.stderr.startswith("panic: goroutine awaited 'x', which is not a gort operation")
    assert f"{w}:8" in r.stderr and "Traceback" not in r.stderr


# ---- user mistakes and Go's exits (review fixes) ----

def test_workload_not_utf8_is_a_one_line_syntax_error(tmp_path):
    w = tmp_path / "latin.py"
    w.write_bytes(b'async def main(rt):\n    rt.println("caf\xe9")\n')
    r = gort("run", str(w), "--log-level", "off")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert f"{w}:" in r.stderr and "syntax error" in r.stderr and "utf-8" in r.stderr
    declared = tmp_path / "declared.py"        # an encoding declaration is honoured, as Python does
    declared.write_bytes(b'# -*- coding: latin-1 -*-\nasync def main(rt):\n    rt.println("caf\xe9")\n')
    assert (run_file(declared, 1).out, run_file(declared, 1).status) == ("caf\u00e9\n", 0)


@pytest.mark.parametrize("call, status, stderr", [("sys.exit(5)", 5, ""), ("sys.exit()", 0, ""),
                                                  ("sys.exit('bye')", 1, "bye\n")])
def test_sys_exit_ends_the_program_as_os_exit_does(tmp_path, call, status, stderr):
    w = tmp_path / "exit.py"
    w.write_text("import sys\n\nasync def worker(rt):\n    rt.println('before')\n"
                 f"    {call}\n\nasync def main(rt):\n    rt.go(worker, rt)\n    await rt.sleep(1_000_000)\n")
    log = tmp_path / "exit.jsonl"
    r = gort("run", str(w), "--log", str(log), "--no-summary")
    assert (r.returncode, r.stdout) == (status, "before\n")
    assert r.stderr == stderr + (f"exit status {status}\n" if status else "")
    end = json.loads(log.read_bytes().splitlines()[-1])
    assert (end["event"], end["status"]) == ("run_end", status)


@pytest.mark.parametrize("statement, first_line", [
    ("rt.go(42)", "panic: TypeError: go of non-function value 42 (type int)"),
    ("rt.go([1])", "panic: TypeError: go of non-function value [1] (type list)"),
    ("rt.go(None)", "fatal error: go of nil func value"),
    ("rt.go(coro, 1)", "panic: TypeError: coro() takes 0 positional arguments but 1 was given"),
    ("rt.go(plain, 1)", "panic: TypeError: plain() takes 0 positional arguments but 1 was given"),
])
def test_go_of_a_non_function_is_the_workloads_panic(tmp_path, statement, first_line):
    w = tmp_path / "go.py"
    w.write_text("async def coro():\n    pass\n\ndef plain():\n    pass\n\n"
                 f"async def main(rt):\n    {statement}\n    await rt.sleep(1000)\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert r.returncode == 2
    assert r.stderr.startswith(first_line + "\n\ngoroutine ")
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert f"{w}:8" in r.stderr           # the go statement


@pytest.mark.parametrize("target, reason", [("missing/dir/x.jsonl", "No such file or directory"),
                                            (".", "Is a directory")])
def test_unwritable_log_path_is_one_line_exit_1(tmp_path, target, reason):
    r = gort("run", "workloads/worker_pool.py", "--log", str(tmp_path / target))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr == f"gort run: cannot write log {tmp_path / target}: {reason}\n"


def test_race_detector_says_nothing_without_a_race(tmp_path):
    r = gort("run", "workloads/worker_pool.py", "--race", "--log-level", "off", "--no-summary")
    assert (r.returncode, r.stderr) == (0, "")


@pytest.mark.parametrize("expr, first_line", [
    ("1 / x", "panic: runtime error: integer divide by zero"),
    ("7 % x", "panic: runtime error: integer divide by zero"),
    ("1 / float(x)", "panic: ZeroDivisionError: float division by zero"),
    ("1.5 % float(x)", "panic: ZeroDivisionError: float modulo"),
])
def test_only_integer_division_by_zero_is_gos_runtime_error(tmp_path, expr, first_line):
    """Go's float division by zero gives +Inf or NaN, never a panic: a Python float
    ZeroDivisionError is reported as the Python error it is."""
    w = tmp_path / "div.py"
    w.write_text(f"async def main(rt):\n    x = 0\n    rt.println({expr})\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert r.returncode == 2 and r.stderr.splitlines()[0] == first_line


@pytest.mark.parametrize("call, first_lines", [
    ("rt.new(0.0)", ["panic: TypeError: cannot allocate 0.0 bytes: a size is an int >= 0"]),
    ("rt.new(-40000, pointers=True)", ["panic: TypeError: cannot allocate -40000 bytes: a size is an int >= 0"]),
    ("rt.make(1 << 32, 1 << 32)", ["panic: runtime error: makeslice: len out of range"]),
    ("rt.new(1 << 63)", ["runtime: out of memory: cannot allocate 9223372036854775808-byte block (0 in use)",
                         "fatal error: out of memory"]),
    ("rt.make(1, 1 << 40)", ["runtime: out of memory: cannot allocate 1099511627776-byte block (0 in use)",
                             "fatal error: out of memory"]),
    ("rt.chan(1 << 45)", ["panic: makechan: size out of range"]),
])
def test_a_bad_allocation_size_is_a_go_report_in_the_workload(tmp_path, call, first_lines):
    """A size that is no size, a slice longer than the heap's address space (makeslice), or a block
    larger than it (mallocgc: out of memory): Go's report at the workload's line, status 2, never an
    emulator traceback (the compiled allocator takes C integers)."""
    w = tmp_path / "alloc.py"
    w.write_text(f"async def main(rt):\n    rt.println({call})\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert r.returncode == 2
    assert r.stderr.splitlines()[:len(first_lines)] == first_lines
    assert f"{w}:2" in r.stderr and "Traceback" not in r.stderr


def test_an_operation_called_without_await_is_named_before_the_run(tmp_path):
    """As go vet would: the call, its line and the fix, once, with no Python warning beside it; an
    awaited operation, a WaitGroup's add and a kept coroutine are left alone."""
    w = tmp_path / "w.py"
    w.write_text("import time\n"
                 "async def main(rt):\n"
                 "    time.sleep(0)\n"
                 "    ch = rt.chan(1)\n"
                 "    ch.send(1)\n"
                 "    mu = rt.Mutex()\n"
                 "    mu.lock()\n"
                 "    wg = rt.WaitGroup()\n"
                 "    wg.add(1)\n"
                 "    wg.done()\n"
                 "    op = ch.send(2)\n"
                 "    await op\n"
                 "    await ch.recv()\n"
                 "    rt.println('done')\n")
    r = gort("run", str(w), "--log-level", "off", "--no-summary")
    assert r.returncode == 0 and r.stdout == "done\n"
    assert r.stderr.splitlines() == [
        f"gort: {w}:5: ch.send(1) is never awaited, so it never runs: write `await ch.send(1)`",
        f"gort: {w}:7: mu.lock() is never awaited, so it never runs: write `await mu.lock()`"]
    bom = tmp_path / "bom.py"                 # read as compile() reads it
    bom.write_bytes(b"\xef\xbb\xbfasync def main(rt):\n    c = rt.chan(1)\n    c.send(1)\n")
    assert "bom.py:3: c.send(1) is never awaited" in gort("run", str(bom), "--log-level", "off").stderr


def test_lookahead_bounds_how_far_an_m_runs_ahead(tmp_path):
    """--lookahead 0: an M hands over as soon as its clock passes the next M's, so far fewer of
    the contentions are found late (after an M ran ahead into another's hold) than at 5 us; the
    value is in the log's run_start."""
    path = ROOT / "workloads" / "producer_consumer.py"
    runs = {}
    for lookahead in (0, 5000):
        log = tmp_path / f"pc-{lookahead}.jsonl"
        r = run_file(path, 8, log_path=str(log), lookahead_ns=lookahead)
        late = sum(lock.late_contended for lock in r.sched.locks)
        contended = sum(lock.contended for lock in r.sched.locks)
        runs[lookahead] = (r.status, r.sched.msteps, late / contended)
        assert json.loads(log.read_text().splitlines()[0])["config"]["lookahead_ns"] == lookahead
    assert runs[0][0] == runs[5000][0] == 0
    assert runs[0][1] > runs[5000][1] and runs[0][2] < runs[5000][2] / 4
