"""The run log carries the fields docs/log-schema.md lists: go_create's parent, large_alloc's size;
the summary names a log only when one is written; the Chrome trace's G runs cover the G's work
across syscalls."""

import io
import math
import pathlib
import re
import subprocess
import sys
import textwrap

import orjson
import pytest

from runtime.cli import main as cli_main
from runtime.cmd.run import execute, load_workload

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = (ROOT / "docs" / "log-schema.md").read_text()


def schema_keys(event):
    """The top-level keys the schema's event table lists for `event` (backticked, outside parens)."""
    row = re.search(rf"^\| `{event}` \| \w+ \| (.*) \|$", SCHEMA, re.M).group(1)
    depth, top = 0, []
    for ch in row:
        depth += ch in "({"
        depth -= ch in ")}"
        top.append(ch if depth == 0 else " ")
    return set(re.findall(r"`(\w+)`", "".join(top))) - WHERE


def run_log(tmp_path, source, procs=2, level="debug", name="w.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    log = tmp_path / "run.jsonl"
    r = execute(load_workload(str(path)), str(path), procs=procs, seed=3, log_path=str(log),
                log_level=level, out=io.StringIO(), progress=False)
    assert (r.status, r.report) == (0, "")
    return [orjson.loads(line) for line in log.read_bytes().splitlines()]


WHERE = {"vt", "event", "m", "p", "g"}

FAMILY = """
    async def grandchild(rt, wg):
        await rt.work(1_000)
        wg.done()

    async def child(rt, wg):
        wg.add(1)
        rt.go(grandchild, rt, wg)
        await rt.work(1_000)
        wg.done()

    async def main(rt):
        wg = rt.WaitGroup()
        wg.add(1)
        rt.go(child, rt, wg)
        await wg.wait()
"""


def test_go_create_names_the_parent_and_the_running_g(tmp_path):
    events = run_log(tmp_path, FAMILY)
    creates = {e["newg"]: e for e in events if e["event"] == "go_create"}
    fn = {goid: e["fn"] for goid, e in creates.items()}
    assert sorted(fn.values()) == ["child", "grandchild", "main"]
    for e in creates.values():
        assert set(e) - WHERE == schema_keys("go_create") == {"newg", "parent_g", "fn"}
    by_fn = {e["fn"]: e for e in creates.values()}
    assert by_fn["main"]["parent_g"] is None and by_fn["main"]["g"] is None
    assert by_fn["child"]["parent_g"] == by_fn["child"]["g"] == by_fn["main"]["newg"]
    assert by_fn["grandchild"]["parent_g"] == by_fn["grandchild"]["g"] == by_fn["child"]["newg"]


@pytest.mark.parametrize("level", ["info", "debug"])
def test_large_alloc_logs_the_requested_size(tmp_path, level):
    sizes = [(40_000, False), (100_001, True), (1 << 20, False), (32_761, True)]
    events = run_log(tmp_path, f"""
        async def main(rt):
            for size, pointers in {sizes!r}:
                rt.new(size, pointers=pointers)
                rt.new(64)
                await rt.work(100)
    """, level=level)
    large = [e for e in events if e["event"] == "large_alloc"]
    assert [(e["size"], e["spanclass"] == 0) for e in large] == sizes
    for e in large:
        assert set(e) - WHERE == schema_keys("large_alloc") == {"size", "npages", "base", "spanclass"}
        assert e["npages"] == math.ceil(e["size"] / 8192)
        assert e["spanclass"] in (0, 1)


def test_level_off_names_no_log(tmp_path):
    log = tmp_path / "x.jsonl"
    r = subprocess.run([sys.executable, "-m", "runtime.cli", "run", "workloads/large_allocs.py",
                        "--log-level", "off", "--log", str(log)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert not log.exists()
    assert "log:" not in r.stdout + r.stderr and str(log) not in r.stdout + r.stderr
    assert "most contended locks" in r.stderr           # the summary was printed
    r = subprocess.run([sys.executable, "-m", "runtime.cli", "run", "workloads/large_allocs.py",
                        "--log", str(log)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and f"  log: {log}" in r.stderr and log.exists()


SYSCALL_WORK_NS = 12 * 20 * 30_000     # workloads/syscall_heavy.py: 12 readers, 20 rounds of rt.work(30 us)


@pytest.mark.parametrize("procs", [2, 8])
def test_trace_g_runs_cover_the_work_across_syscalls(tmp_path, procs):
    src = ROOT / "workloads" / "syscall_heavy.py"
    log = tmp_path / "run.jsonl"
    r = execute(load_workload(str(src)), str(src), procs=procs, seed=1, log_path=str(log),
                log_level="debug", out=io.StringIO(), progress=False)
    assert r.status == 0
    events = [orjson.loads(line) for line in log.read_bytes().splitlines()]
    assert any(e["event"] == "syscall_exit" and e["handoff"] for e in events)
    assert any(e["event"] == "syscall_exit" and not e["handoff"] for e in events)
    out = tmp_path / "run.json"
    with pytest.raises(SystemExit) as exit:
        cli_main(["trace", str(log), "-o", str(out)])
    assert exit.value.code == 0
    runs = [r for r in orjson.loads(out.read_bytes())["traceEvents"] if r["ph"] == "X" and r["cat"] == "g_run"]
    for pid in (1, 2):                                      # the Ms' tracks, the Ps'
        slices = [r for r in runs if r["pid"] == pid]
        total_ns = sum(r["dur"] for r in slices) * 1000
        assert total_ns >= SYSCALL_WORK_NS
        assert total_ns <= r_vt_end(events) * procs
        tracks = {}
        for s in slices:                                    # a track runs one G at a time
            tracks.setdefault(s["tid"], []).append((s["ts"], s["ts"] + s["dur"]))
        for spans in tracks.values():
            spans.sort()
            assert all(b[0] >= a[1] - 1e-6 for a, b in zip(spans, spans[1:]))


def r_vt_end(events):
    return max(e["vt"] for e in events)
