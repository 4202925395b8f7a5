"""`gort analyze`: the engine's figures against a plain-Python reading of the same log, the --json
shape, two logs, --sql, and damaged input."""

import math
import pathlib
import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from runtime.analysis import analyze, as_json
from runtime.analysis.synthlog import write_log
from runtime.cli import main
from runtime.errors import UserError

ISSUE_KEYS = {"kind", "name", "acquisitions", "contended", "wait_ns_total", "wait_ns_p50", "wait_ns_p99",
              "wait_ns_max", "hold_ns_total"}


def reference(path):
    """The report computed the slow, obvious way: every line parsed in Python."""
    locks, skipped, read = {}, 0, 0
    for line in pathlib.Path(path).read_bytes().splitlines():
        if not line.strip():
            continue
        try:
            ev = orjson.loads(line)
        except orjson.JSONDecodeError:
            skipped += 1
            continue
        ok = isinstance(ev, dict) and isinstance(ev.get("vt"), int) and ev["vt"] >= 0 and isinstance(ev.get("event"), str)
        if ok and ev["event"] in ("lock_acquire", "lock_release", "lock_wait_late"):
            key = "hold_ns" if ev["event"] == "lock_release" else "wait_ns"
            ok = isinstance(ev.get("lock"), str) and isinstance(ev.get("kind"), str) and isinstance(ev.get(key), int) and ev[key] >= 0
        if not ok:
            skipped += 1
            continue
        read += 1
        if ev["event"] not in ("lock_acquire", "lock_release", "lock_wait_late"):
            continue
        lock = locks.setdefault(ev["lock"], {"kind": ev["kind"], "name": ev["lock"], "acquisitions": 0, "waits": [],
                                             "hold_ns_total": 0})
        if ev["event"] != "lock_release":
            lock["acquisitions"] += ev["event"] == "lock_acquire"   # a late wait is not one more
            if ev["wait_ns"] > 0:
                lock["waits"].append(ev["wait_ns"])
        else:
            lock["hold_ns_total"] += ev["hold_ns"]
    for lock in locks.values():
        waits = sorted(lock.pop("waits"))
        rank = lambda q: waits[math.ceil(q * len(waits)) - 1] if waits else 0
        lock.update(contended=len(waits), wait_ns_total=sum(waits), wait_ns_max=max(waits, default=0),
                    wait_ns_p50=rank(0.5), wait_ns_p99=rank(0.99))
    return locks, read, skipped


def without_run_totals(src, dst):
    """The log with run_end's per-lock totals removed: only what was logged counts."""
    lines = []
    for line in pathlib.Path(src).read_bytes().splitlines():
        ev = orjson.loads(line)
        ev.pop("locks", None)
        lines.append(orjson.dumps(ev))
    pathlib.Path(dst).write_bytes(b"\n".join(lines) + b"\n")
    return dst


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(procs=st.integers(1, 8), seed=st.integers(0, 10_000))
def test_figures_match_a_plain_python_reading(tmp_path, procs, seed):
    log = without_run_totals(write_log(tmp_path / "raw.jsonl", steps=600, procs=procs, seed=seed), tmp_path / "run.jsonl")
    expected, read, skipped = reference(log)
    stats = analyze(log)
    got = {lock["name"]: lock for lock in as_json(stats)["locks"]}
    assert got.keys() == expected.keys()
    for name, lock in expected.items():
        # no run_end totals: each late wait stands for an acquisition that was not logged
        lock["acquisitions"] = max(lock["acquisitions"], lock["contended"])
        assert {k: got[name][k] for k in lock} == lock, name
    assert (stats.lines_read, stats.lines_skipped) == (read, skipped)


def test_run_end_totals_complete_the_locks_logged_only_when_contended(tmp_path):
    """sched.lock's uncontended acquisitions are not logged; run_end's counters fill them in."""
    log = write_log(tmp_path / "run.jsonl", steps=1500, procs=4, seed=2)
    end = orjson.loads(pathlib.Path(log).read_bytes().splitlines()[-1])
    totals = {lock["name"]: lock for lock in end["locks"]}
    stats = analyze(log)
    sched = stats.lock("sched.lock")
    assert sched.acquisitions == totals["sched.lock"]["acquisitions"] > sched.logged_acquisitions == sched.contended
    assert sched.contended == totals["sched.lock"]["contended"]
    assert sched.wait_ns_total == totals["sched.lock"]["wait_ns"]
    for lock in stats.locks:
        assert lock.acquisitions == totals[lock.name]["acquisitions"]
        assert lock.hold_ns_total == totals[lock.name]["hold_ns"]
    by_kind = {k.kind: k for k in stats.kinds}
    assert by_kind["mcentral"].acquisitions == sum(l.acquisitions for l in stats.locks if l.kind == "mcentral")


@pytest.mark.parametrize("name, procs", [("alloc_churn", 4), ("alloc_churn", 8), ("large_allocs", 8)])
def test_every_contention_of_a_real_run_is_in_its_log(tmp_path, name, procs):
    """Contention the lock model finds only at a release (an M ran ahead, lock_wait_late) is logged
    too: the log alone gives each lock's contended count, wait total and a wait behind its max."""
    import io

    from runtime.cmd.run import execute, load_workload
    root = pathlib.Path(__file__).resolve().parents[1]
    raw = tmp_path / "raw.jsonl"
    r = execute(load_workload(str(root / "workloads" / f"{name}.py")), name, procs=procs, log_path=str(raw),
                out=io.StringIO(), progress=False)
    assert r.status == 0
    late = sum(lk.late_contended for lk in r.sched.locks)
    own = {lk.name: lk for lk in r.sched.locks if lk.contended}
    logged = {lock["name"]: lock for lock in as_json(analyze(without_run_totals(raw, tmp_path / "run.jsonl")))["locks"]}
    for lock_name, lk in own.items():
        assert logged[lock_name]["contended"] == lk.contended, lock_name
        assert logged[lock_name]["wait_ns_total"] == lk.wait_ns, lock_name
        assert logged[lock_name]["wait_ns_max"] == lk.max_wait_ns > 0, lock_name
    if name == "alloc_churn" and procs == 4:
        assert late > 0                  # the case in question does occur here


def test_json_has_the_issue_shape(tmp_path, capsys):
    log = write_log(tmp_path / "run.jsonl", steps=800, procs=4, seed=9)
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(log), "--json"])
    assert exit.value.code == 0
    out = orjson.loads(capsys.readouterr().out)
    assert {"locks", "lines_read", "lines_skipped"} <= out.keys()
    assert out["lines_skipped"] == 0 and out["lines_read"] == len(pathlib.Path(log).read_bytes().splitlines())
    kinds = {lock["kind"] for lock in out["locks"]}
    assert kinds == {"mheap", "mcentral", "sched"}
    for lock in out["locks"]:
        assert ISSUE_KEYS <= lock.keys()
        assert all(isinstance(lock[k], int) for k in ISSUE_KEYS - {"kind", "name"})
    assert [l["name"] for l in out["locks"] if l["kind"] == "mheap"] == ["mheap"]
    central = [l for l in out["locks"] if l["kind"] == "mcentral"]
    assert len({l["spanclass"] for l in central}) == len(central)       # one entry per span class
    waits = [l["wait_ns_total"] for l in out["locks"]]
    assert waits == sorted(waits, reverse=True)


def test_by_class_top_and_by_g(tmp_path, capsys):
    log = write_log(tmp_path / "run.jsonl", steps=800, procs=4, seed=9)
    with pytest.raises(SystemExit):
        main(["analyze", str(log), "--json", "--by", "class", "--top", "3"])
    out = orjson.loads(capsys.readouterr().out)
    assert len(out["locks"]) == 3 and all(l["kind"] == "mcentral" for l in out["locks"])
    assert [l["spanclass"] for l in out["locks"]] == sorted(l["spanclass"] for l in out["locks"])
    with pytest.raises(SystemExit):
        main(["analyze", str(log), "--json", "--by", "g"])
    out = orjson.loads(capsys.readouterr().out)
    total_wait = sum(l["wait_ns_total"] for l in out["locks"])
    assert sum(w["wait_ns_total"] for w in out["waited_by_g"]) == total_wait
    assert sum(w["wait_ns_total"] for w in out["charged_to_g"]) == total_wait
    assert sum(w["wait_ns_total"] for w in out["waited_by_p"]) == total_wait
    assert sum(w["wait_ns_total"] for w in out["waited_by_p_kind"]) == total_wait


def test_charged_to_is_the_previous_holder(tmp_path):
    log = write_log(tmp_path / "run.jsonl", steps=800, procs=3, seed=4)
    charged = {}
    for line in pathlib.Path(log).read_bytes().splitlines():
        ev = orjson.loads(line)
        if ev["event"] == "lock_acquire" and ev["wait_ns"] > 0:
            charged[ev["prev_p"]] = charged.get(ev["prev_p"], 0) + ev["wait_ns"]
    stats = analyze(log)
    assert {w.who: w.wait_ns_total for w in stats.charged_to_p} == charged


def test_two_logs_side_by_side(tmp_path, capsys):
    a = write_log(tmp_path / "p2.jsonl", steps=500, procs=2, seed=1)
    b = write_log(tmp_path / "p8.jsonl", steps=500, procs=8, seed=1)
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(a), str(b), "--json"])
    assert exit.value.code == 0
    out = orjson.loads(capsys.readouterr().out)
    assert [run["run"]["config"]["procs"] for run in out["logs"]] == [2, 8]
    with pytest.raises(SystemExit):
        main(["analyze", str(a), str(b)])
    text = capsys.readouterr().out
    assert "A: " in text and "B: " in text and "mheap" in text and "acq A" in text


def test_table_report_names_every_column(tmp_path, capsys):
    log = write_log(tmp_path / "run.jsonl", steps=500, procs=4, seed=1)
    with pytest.raises(SystemExit):
        main(["analyze", str(log)])
    text = capsys.readouterr().out
    for column in ("acq", "contended", "cont%", "wait total", "p50", "p99", "max", "hold total", "Who waited",
                   "Charged to"):
        assert column in text


def test_sql_over_the_log(tmp_path, capsys):
    log = write_log(tmp_path / "run.jsonl", steps=500, procs=4, seed=1)
    with pytest.raises(SystemExit):
        main(["analyze", str(log), "--json", "--sql",
              "SELECT kind, count(*) AS n FROM events WHERE event = 'lock_acquire' GROUP BY kind ORDER BY kind"])
    rows = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected, _, _ = reference(log)
    acquisitions = {kind: sum(l["acquisitions"] for l in expected.values() if l["kind"] == kind)
                    for kind in ("mcentral", "mheap", "sched")}
    assert {r["kind"]: r["n"] for r in rows} == {kind: n for kind, n in acquisitions.items() if n}
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(log), "--sql", "SELECT nosuchcolumn FROM events"])
    assert exit.value.code == 1
    assert "nosuchcolumn" in capsys.readouterr().err


# ---- damaged input ----

def _damage(lines, rng):
    """Insert garbage, blank lines, wrong types and missing fields; returns (text, bad line numbers)."""
    bad_kinds = [b"not json at all", b'{"vt": "soon", "event": "lock_acquire"}', b'{"event": "go_run"}',
                 b"[1, 2, 3]", b'{"vt": 5, "event": "lock_release", "kind": "mheap", "lock": "mheap"}',
                 b'{"vt": -3, "event": "steal"}', b"\xff\xfe\x00 binary", b'{"vt": 1, "event": 7}',
                 b'{"vt": 9, "event": "lock_acquire", "kind": "mheap", "lock": "mheap", "wait_ns": "long"}']
    out, bad = [], []
    for line in lines:
        roll = rng.random()
        if roll < 0.05:
            out.append(rng.choice([b"", b"   ", b"\t"]))
        elif roll < 0.12:
            out.append(rng.choice(bad_kinds))
            bad.append(len(out))
        out.append(line)
    return out, bad


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 1000), truncate=st.booleans())
def test_damaged_lines_are_counted_and_located(tmp_path, seed, truncate):
    rng = random.Random(seed)
    good = pathlib.Path(write_log(tmp_path / "good.jsonl", steps=150, procs=3, seed=seed)).read_bytes().splitlines()
    lines, bad = _damage(good, rng)
    text = b"\n".join(lines) + b"\n"
    if truncate:
        text = text[:-1].rsplit(b"\n", 1)[0] + b"\n" + lines[-1][: len(lines[-1]) // 2]   # cut mid-line, no \n
        bad = bad + [len(lines)]
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(text)
    stats = analyze(path)
    assert stats.lines_skipped == len(bad)
    assert stats.bad_lines == bad[:5]
    assert stats.lines_read == len(good) - truncate


def test_truncated_log_still_reports_and_exits_0(tmp_path, capsys):
    log = pathlib.Path(write_log(tmp_path / "run.jsonl", steps=400, procs=4, seed=1))
    data = log.read_bytes()
    log.write_bytes(data[: len(data) - 37])
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(log)])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    n = data.count(b"\n")
    assert f"1 lines skipped (line {n})" in out


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\n\n  \n", "is empty"),
    (b"a,b,c\n1,2,3\n", "no readable event in its 2 lines"),
    (bytes(range(256)) * 40, "no readable event"),
    (b'{"hello": "world"}\n[1]\n', "no readable event in its 2 lines"),
])
def test_unreadable_files_give_one_line_and_status_1(tmp_path, capsys, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(path)])
    assert exit.value.code == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_directory(tmp_path, capsys):
    for target, message in ((tmp_path / "nope.jsonl", "no such file"), (tmp_path, "not a file")):
        with pytest.raises(SystemExit) as exit:
            main(["analyze", str(target)])
        assert exit.value.code == 1 and message in capsys.readouterr().err


def test_analyze_raises_user_error_not_engine_errors(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"{{{{\n")
    with pytest.raises(UserError):
        analyze(path)


def test_cut_log_warns_that_sched_counts_are_partial(tmp_path, capsys):
    log = pathlib.Path(write_log(tmp_path / "run.jsonl", steps=400, procs=4, seed=1))
    log.write_bytes(b"\n".join(log.read_bytes().splitlines()[:-1]) + b"\n")      # no run_end
    stats = analyze(log)
    assert stats.lock("sched.lock").acquisitions == stats.lock("sched.lock").contended
    with pytest.raises(SystemExit):
        main(["analyze", str(log)])
    assert "logged only when contended" in capsys.readouterr().out


def test_bench_log_cost_measures_or_says_why_not():
    from runtime.bench import logcost
    rows = logcost.run(quick=True)
    if len(rows) == 1:
        assert rows[0]["note"].startswith("not available yet")
    else:
        with_log, without, speed = rows
        assert with_log["value"] > 0 and without["value"] > 0
        assert speed["value"] == pytest.approx(100 * without["value"] / with_log["value"])


# ---- review fixes: cut logs, gzip, long lines, --sql errors, two logs ----

@pytest.fixture(scope="module")
def churn_log(tmp_path_factory):
    """alloc_churn at --procs 4, info level: it has late waits (lock_wait_late)."""
    import io

    from runtime.cmd.run import execute, load_workload
    root = pathlib.Path(__file__).resolve().parents[1]
    log = tmp_path_factory.mktemp("churn") / "churn.jsonl"
    execute(load_workload(str(root / "workloads" / "alloc_churn.py")), "alloc_churn", procs=4,
            log_path=str(log), out=io.StringIO(), progress=False)
    return log


def test_cut_log_never_shows_more_contended_than_acquisitions(churn_log, tmp_path, capsys):
    data = churn_log.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[:50_000])
    assert b'"lock_wait_late"' in data[:50_000]
    stats = analyze(cut)
    assert stats.run_totals_missing and stats.notes
    late = {}
    for line in data[:50_000].splitlines()[:-1]:
        ev = orjson.loads(line)
        if ev["event"] == "lock_wait_late":
            late[ev["lock"]] = late.get(ev["lock"], 0) + 1
    for lock in stats.locks + stats.kinds:
        assert lock.acquisitions >= lock.contended and lock.contended_pct <= 100
    for name, n in late.items():   # at info level: the logged acquisitions plus one per late wait
        assert stats.lock(name).acquisitions == stats.lock(name).logged_acquisitions + n
    with pytest.raises(SystemExit):
        main(["analyze", str(cut), "--json"])
    out = orjson.loads(capsys.readouterr().out)
    assert out["run_totals_missing"] is True and "no run_end totals" in out["notes"][0]
    assert "lower bounds" in out["notes"][0]
    with pytest.raises(SystemExit):
        main(["analyze", str(cut)])
    assert "note: this log has no run_end totals" in capsys.readouterr().out
    whole = analyze(churn_log)
    assert not whole.run_totals_missing and whole.notes == []


def test_gzipped_log_has_the_same_report_as_the_plain_one(churn_log, tmp_path):
    import gzip
    packed = tmp_path / "churn.jsonl.gz"
    packed.write_bytes(gzip.compress(churn_log.read_bytes()))
    misnamed = tmp_path / "churn-packed.jsonl"         # gzip found by its bytes, not its name
    misnamed.write_bytes(packed.read_bytes())
    plain = as_json(analyze(churn_log))
    for path in (packed, misnamed):
        got = as_json(analyze(path))
        assert got["run"]["totals"] == plain["run"]["totals"] and got["run"]["config"]["procs"] == 4
        assert (got["locks"], got["kinds"]) == (plain["locks"], plain["kinds"])
        assert not got["run_totals_missing"]


@pytest.mark.parametrize("where", ["tail", "middle"])
def test_a_line_over_16_mib_is_skipped_not_fatal(churn_log, tmp_path, capsys, where):
    """A crash can leave megabytes of NUL bytes; DuckDB refuses a line over its 16 MiB
    maximum_object_size unless asked for more."""
    good = churn_log.read_bytes()
    n = good.count(b"\n")
    path = tmp_path / "long.jsonl"
    junk = b"\0" * (20 << 20) if where == "tail" else b"x" * (40 << 20) + b"\n"
    path.write_bytes(good + junk + (good if where == "middle" else b""))
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(path), "--json"])
    assert exit.value.code == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["lines_skipped"] == 1 and out["bad_lines"] == [n + 1]
    assert out["lines_read"] == n * (2 if where == "middle" else 1)
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(path), "--sql", "SELECT count(*) AS n FROM events", "--json"])
    assert exit.value.code == 0 and orjson.loads(capsys.readouterr().out)["n"] == out["lines_read"] + 1


@pytest.mark.parametrize("query, words", [("SELEC bad", "Parser Error"),
                                          ("SELECT nosuchcolumn FROM events", "nosuchcolumn"),
                                          ("SELECT CAST(event AS INT) FROM events", "Conversion Error")])
def test_a_bad_sql_query_blames_the_query_not_the_log(tmp_path, capsys, query, words):
    log = write_log(tmp_path / "run.jsonl", steps=100, procs=2, seed=1)
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(log), "--sql", query])
    err = capsys.readouterr().err
    assert exit.value.code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("gort analyze: bad --sql query: ") and words in err and "cannot read" not in err


@pytest.mark.parametrize("json_out", [False, True])
def test_two_logs_one_unreadable_reports_the_other(tmp_path, capsys, json_out):
    good = write_log(tmp_path / "good.jsonl", steps=200, procs=2, seed=1)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(empty), str(good)] + (["--json"] if json_out else []))
    assert exit.value.code == 1
    out, err = capsys.readouterr()
    assert err == f"gort analyze: {empty} is empty: not a gort run log\n"
    if json_out:
        logs = orjson.loads(out)["logs"]
        assert logs[0] == {"log": str(empty), "error": f"{empty} is empty: not a gort run log"}
        assert logs[1]["log"] == str(good) and logs[1]["locks"]
    else:
        assert str(good) in out and "Runtime locks" in out
    with pytest.raises(SystemExit) as exit:
        main(["analyze", str(empty), str(tmp_path / "nope.jsonl")])
    assert exit.value.code == 1 and capsys.readouterr().err.count("\n") == 2
