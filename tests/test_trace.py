"""`gort trace`: a Chrome Trace Event file that follows the format, with the run's tracks and slices.

The checks are the format's rules (Trace Event Format document): every event has a phase; complete
events have ts and dur >= 0; slices on one thread nest (Perfetto reports partial overlap as an
import error); flow starts and ends pair by id; metadata names every track.
"""

import pathlib

import orjson
import pytest

from runtime.analysis.chrometrace import PID_HEAP, PID_M, PID_P
from runtime.analysis.synthlog import write_log
from runtime.cli import main

PHASES = {"X", "M", "C", "s", "f"}


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trace")
    log = write_log(tmp / "run.jsonl", steps=1500, procs=4, seed=8, level="debug")
    out = tmp / "run.json"
    with pytest.raises(SystemExit) as exit:
        main(["trace", str(log), "-o", str(out)])
    assert exit.value.code == 0
    events = [orjson.loads(line) for line in pathlib.Path(log).read_bytes().splitlines()]
    return events, orjson.loads(out.read_bytes())


def test_every_record_follows_the_format(traced):
    _, trace = traced
    assert trace["displayTimeUnit"] == "ns"
    for record in trace["traceEvents"]:
        assert record["ph"] in PHASES
        assert isinstance(record["pid"], int) and isinstance(record["tid"], int)
        if record["ph"] in ("X", "C", "s", "f"):
            assert isinstance(record["ts"], (int, float)) and record["ts"] >= 0
        if record["ph"] == "X":
            assert record["dur"] >= 0 and isinstance(record["name"], str) and record["cat"]
        if record["ph"] == "C":
            assert all(isinstance(v, (int, float)) for v in record["args"].values())


def test_a_named_track_per_m_and_per_p(traced):
    events, trace = traced
    names = {(r["pid"], r["tid"]): r["args"]["name"] for r in trace["traceEvents"]
             if r["ph"] == "M" and r["name"] == "thread_name"}
    ms = {e["m"] for e in events if isinstance(e.get("m"), int)}
    ps = {e["p"] for e in events if e["event"] == "go_run"}
    assert {names[PID_M, m] for m in ms} == {f"M{m}" for m in ms}
    assert {names[PID_P, p] for p in ps} == {f"P{p}" for p in ps}
    used = {(r["pid"], r["tid"]) for r in trace["traceEvents"] if r["ph"] == "X"}
    assert used <= names.keys()


def test_slices_nest_on_every_track(traced):
    _, trace = traced
    tracks = {}
    for r in trace["traceEvents"]:
        if r["ph"] == "X":
            tracks.setdefault((r["pid"], r["tid"]), []).append((r["ts"], -r["dur"], r["ts"] + r["dur"]))
    eps = 1e-6
    for key, slices in tracks.items():
        open_ends = []
        for start, _, end in sorted(slices):
            while open_ends and open_ends[-1] <= start + eps:
                open_ends.pop()
            assert not open_ends or end <= open_ends[-1] + eps, f"partial overlap on {key} at {start}"
            open_ends.append(end)


def test_slices_and_counters_account_for_the_log(traced):
    events, trace = traced
    by_cat = {}
    for r in trace["traceEvents"]:
        if r["ph"] == "X":
            by_cat.setdefault(r["cat"], []).append(r)
    contended = [e for e in events if e["event"] == "lock_acquire" and e["wait_ns"] > 0]
    assert len(by_cat["lock_wait"]) == len(contended)
    assert sorted(round(r["dur"] * 1000) for r in by_cat["lock_wait"]) == sorted(e["wait_ns"] for e in contended)
    releases = [e for e in events if e["event"] == "lock_release"]
    assert sorted(round(r["dur"] * 1000) for r in by_cat["lock_hold"]) == sorted(e["hold_ns"] for e in releases)
    runs = [e for e in events if e["event"] == "go_run"]
    assert len([r for r in by_cat["g_run"] if r["pid"] == PID_M]) == len(runs)
    assert len([r for r in by_cat["g_run"] if r["pid"] == PID_P]) == len(runs)
    snapshots = [e for e in events if e["event"] == "heap_snapshot"]
    counters = [r for r in trace["traceEvents"] if r["ph"] == "C"]
    assert [c["args"]["HeapInuse"] for c in counters] == [e["HeapInuse"] for e in snapshots]
    assert all(c["pid"] == PID_HEAP for c in counters)


def test_happens_before_edges_are_flow_pairs(traced):
    """The synthetic run alternates write x, release mu / acquire mu, read x: each read has the
    write it read from, each acquire the release before it."""
    events, trace = traced
    hb = [e for e in events if e["event"] == "hb"]
    targets = [e for e in hb if e["op"] in ("read", "acquire")]
    starts = {r["id"]: r for r in trace["traceEvents"] if r["ph"] == "s"}
    finishes = {r["id"]: r for r in trace["traceEvents"] if r["ph"] == "f"}
    assert len(targets) > 0 and starts.keys() == finishes.keys() and len(starts) == len(targets)
    writes = {e["rf"]: (e["vt"], e["m"]) for e in hb if e["op"] == "write"}
    for flow_id, finish in finishes.items():
        start = starts[flow_id]
        assert finish["bp"] == "e" and start["ts"] <= finish["ts"]
        if finish["name"] == "hb read":
            assert (round(start["ts"] * 1000), start["tid"]) in writes.values()


def test_damaged_and_empty_logs(tmp_path, capsys):
    log = pathlib.Path(write_log(tmp_path / "run.jsonl", steps=200, procs=2, seed=1, level="debug"))
    log.write_bytes(b"garbage\n" + log.read_bytes()[:-20])
    with pytest.raises(SystemExit) as exit:
        main(["trace", str(log), "-o", str(tmp_path / "t.json")])
    assert exit.value.code == 0
    assert "2 unreadable lines skipped (line 1, " in capsys.readouterr().err
    orjson.loads((tmp_path / "t.json").read_bytes())
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(SystemExit) as exit:
        main(["trace", str(empty), "-o", str(tmp_path / "e.json")])
    assert exit.value.code == 1 and not (tmp_path / "e.json").exists()


def _runs(events):
    import io
    from runtime.analysis.chrometrace import TraceWriter
    out = io.BytesIO()
    writer = TraceWriter(out)
    for ev in events:
        writer.add(ev)
    writer.close()
    return sorted((r["pid"], r["tid"], r["name"], round(r["ts"] * 1000), round((r["ts"] + r["dur"]) * 1000))
                  for r in orjson.loads(out.getvalue())["traceEvents"] if r["ph"] == "X" and r["cat"] == "g_run")


def test_a_g_runs_on_after_its_syscall():
    """exitsyscall logs no go_run: the G's run restarts at syscall_exit, on the P it got back."""
    common = [{"vt": 0, "event": "go_run", "m": 0, "p": 0, "g": 5},
              {"vt": 10, "event": "syscall_enter", "m": 0, "p": 0, "g": 5, "ns": 100}]
    kept = _runs(common + [{"vt": 110, "event": "syscall_exit", "m": 0, "p": 0, "g": 5, "handoff": False},
                           {"vt": 150, "event": "go_park", "m": 0, "p": 0, "g": 5, "reason": "chan receive"}])
    assert kept == [(PID_M, 0, "G5", 0, 10), (PID_M, 0, "G5", 110, 150), (PID_P, 0, "G5", 0, 10),
                    (PID_P, 0, "G5", 110, 150)]
    # handoff, the M got P 2: the P is the one the G's next event names
    moved = _runs(common + [{"vt": 110, "event": "syscall_exit", "m": 0, "p": 0, "g": 5, "handoff": True},
                            {"vt": 120, "event": "lock_acquire", "m": 0, "p": None, "g": 5, "kind": "sched",
                             "lock": "sched.lock", "wait_ns": 5},
                            {"vt": 130, "event": "hb", "m": 0, "p": 2, "g": 5, "op": "write", "var": "x"},
                            {"vt": 150, "event": "go_exit", "m": 0, "p": 2, "g": 5}])
    assert [r for r in moved if r[3] == 110] == [(PID_M, 0, "G5", 110, 150), (PID_P, 2, "G5", 110, 150)]
    # handoff, no P: the G waits in the run queue; its next go_run (any M) is its next run
    queued = _runs(common + [{"vt": 110, "event": "syscall_exit", "m": 0, "p": 0, "g": 5, "handoff": True},
                             {"vt": 300, "event": "go_run", "m": 1, "p": 1, "g": 5},
                             {"vt": 350, "event": "go_exit", "m": 1, "p": 1, "g": 5},
                             {"vt": 400, "event": "go_run", "m": 0, "p": 3, "g": 6}])
    assert [r for r in queued if r[3] >= 110] == [(PID_M, 0, "G6", 400, 400), (PID_M, 1, "G5", 300, 350),
                                                  (PID_P, 1, "G5", 300, 350), (PID_P, 3, "G6", 400, 400)]
