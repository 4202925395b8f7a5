"""`gort pprof`: a mutex profile that the real `go tool pprof` reads, charging each wait to the
previous holder's stack as Go's mutex profile charges the unlocker."""

import os
import pathlib
import re
import subprocess

import orjson
import pytest

from runtime.analysis import analyze
from runtime.analysis.mutexprof import parse_frame
from runtime.analysis.synthlog import write_log
from runtime.cli import main


def pprof(go, *args):
    run = subprocess.run([go, "tool", "pprof", *args], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GOTOOLCHAIN": "local"})
    assert run.returncode == 0, run.stderr
    return run.stdout


def parse_raw(text):
    """`pprof -raw`: {stack of function names (leaf first): [contentions, delay]} and the sample types."""
    types = re.search(r"Samples:\n(.*)\n", text).group(1).split()
    locations = dict(re.findall(r"^\s+(\d+): 0x0 M=1 (.*?) \S*:\d+:\d+ s=0$", text, re.M))
    samples = {}
    for values, ids in re.findall(r"^\s+(\d+\s+\d+): ([\d ]+?)\s*$", text, re.M):
        stack = tuple(locations[i] for i in ids.split())
        count, delay = map(int, values.split())
        total = samples.setdefault(stack, [0, 0])
        total[0] += count
        total[1] += delay
    return types, samples


def expected_samples(log, charge="holder"):
    """The profile computed independently from the log's lines."""
    last, samples = {}, {}
    for line in pathlib.Path(log).read_bytes().splitlines():
        ev = orjson.loads(line)
        if ev["event"] not in ("lock_acquire", "lock_wait_late"):
            continue
        if ev["wait_ns"] > 0:
            if charge == "waiter":
                frames = ev["stack"]
            elif "holder_stack" in ev:      # the holder's stack, recorded with its hold
                frames = ev["holder_stack"]
            else:
                # a late wait was found at the holder's release: no acquisition of it to look up
                prev = last.get(ev["lock"]) if ev["event"] == "lock_acquire" else None
                if prev and prev["m"] == ev["prev_m"] and prev["g"] == ev["prev_g"]:
                    frames = prev["stack"]
                else:       # the holder's uncontended acquisition was not logged
                    frames = [f"(holder's stack not in the log) G{ev['prev_g']}"]
            stack = (f"runtime.unlock [{ev['lock']}]",) + tuple(parse_frame(f)[0] for f in frames)
            total = samples.setdefault(stack, [0, 0])
            total[0] += 1
            total[1] += ev["wait_ns"]
        if ev["event"] == "lock_acquire":
            last[ev["lock"]] = ev
    return samples


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pprof")
    return write_log(tmp / "run.jsonl", steps=1200, procs=4, seed=21)


@pytest.mark.parametrize("charge", ["holder", "waiter"])
def test_go_tool_pprof_reads_our_profile(go, log, tmp_path, charge):
    out = tmp_path / "mutex.pb.gz"
    with pytest.raises(SystemExit) as exit:
        main(["pprof", str(log), "-o", str(out), "--charge", charge])
    assert exit.value.code == 0
    types, samples = parse_raw(pprof(go, "-raw", str(out)))
    assert types == ["contentions/count", "delay/nanoseconds"]
    assert samples == expected_samples(log, charge)


def test_top_totals_match_the_analyzer(go, log, tmp_path):
    out = tmp_path / "mutex.pb.gz"
    with pytest.raises(SystemExit):
        main(["pprof", str(log), "-o", str(out)])
    stats = analyze(log)
    logged = [lock for lock in stats.locks if lock.kind != "sched"] + [stats.lock("sched.lock")]
    contentions = sum(lock.contended for lock in logged)
    top = pprof(go, "-top", "-sample_index=contentions", str(out))
    assert f"Total samples = {contentions} " in top
    delay = pprof(go, "-top", "-sample_index=delay", "-unit=ns", str(out))
    total_wait = sum(lock.wait_ns_total for lock in logged)
    assert re.search(rf"Total samples = {total_wait}ns\b", delay), delay[:300]
    heaviest = max(stats.locks, key=lambda l: l.wait_ns_total)
    assert f"runtime.unlock [{heaviest.name}]" in delay.splitlines()[5]   # first row of the table


def test_same_log_same_bytes(log, tmp_path):
    paths = [tmp_path / "a.pb.gz", tmp_path / "b.pb.gz"]
    for path in paths:
        with pytest.raises(SystemExit):
            main(["pprof", str(log), "-o", str(path)])
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_frames_parse_as_file_line_function():
    assert parse_frame("workloads/alloc_churn.py:15 main.churn") == ("main.churn", "workloads/alloc_churn.py", 15)
    assert parse_frame("weird frame") == ("weird frame", "", 0)
    assert parse_frame(42) == ("42", "", 0)


def test_log_without_contention_gives_an_empty_profile(go, tmp_path):
    log = tmp_path / "quiet.jsonl"
    log.write_bytes(b'{"vt":0,"event":"run_start"}\n{"vt":10,"event":"lock_acquire","m":0,"kind":"mheap",'
                    b'"lock":"mheap","wait_ns":0,"stack":[]}\n')
    out = tmp_path / "mutex.pb.gz"
    with pytest.raises(SystemExit) as exit:
        main(["pprof", str(log), "-o", str(out)])
    assert exit.value.code == 0
    assert "Total samples = 0" in pprof(go, "-top", str(out))
