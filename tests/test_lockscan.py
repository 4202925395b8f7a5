"""The compiled scan under `gort analyze` (lockscan.pyx, compiledscan.py) against the DuckDB scan
it replaced and the event reader every export uses: the same report, line for line, on clean and
damaged logs, in chunks of any size, on one thread or several."""

import gzip
import pathlib
import random
import zlib

import orjson
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from runtime import compiled
from runtime.analysis import analyze, as_json, compiledscan, logfile
from runtime.analysis.events import EventReader
from runtime.analysis.synthlog import write_log

lockscan = compiled.native("runtime.analysis.lockscan")
needs_scan = pytest.mark.skipif(lockscan is None, reason="lockscan is not compiled (no C compiler, or GORT_PURE)")

# Damage both readers judge alike. (Numbers written as strings are where they differ: DuckDB
# reads "5" as 5, the compiled scan, like the exports' reader, skips the line.)
DAMAGE = [b"not json at all", b'{"vt": "soon", "event": "lock_acquire"}', b'{"event": "go_run"}',
          b"[1, 2, 3]", b'{"vt": 5, "event": "lock_release", "kind": "mheap", "lock": "mheap"}',
          b'{"vt": -3, "event": "steal"}', b"\xff\xfe\x00 binary", b'{"vt": 1, "event": 7}',
          b'{"vt": 9, "event": "lock_acquire", "kind": "mheap", "lock": "mheap", "wait_ns": "long"}',
          b'{"vt": 2, "event": "Steal"}', b'{"vt": 3, "event": ""}', b'{"vt": 4, "event": "steal", "p": 1,',
          b'{"vt":7,"event":"lock_acquire","kind":null,"lock":"mheap","wait_ns":3}', b"\x00" * 40, b"}{",
          b'{"vt": 8, "event": "lock_wait_late", "kind": "sched", "lock": "sched.lock", "wait_ns": -1}']
BLANK = [b"", b"   ", b"\t", b" \r", b"\x0b", b"\x0c "]


def damaged(lines, rng, rate):
    out = []
    for line in lines:
        roll = rng.random()
        if roll < rate / 3:
            out.append(rng.choice(BLANK))
        elif roll < rate:
            out.append(rng.choice(DAMAGE))
        out.append(line)
    return out


def report(path, by_g=False):
    out = as_json(analyze(path, by_g=by_g))
    out.pop("log")
    return out


def duckdb_report(path, monkeypatch, by_g=False):
    with monkeypatch.context() as m:
        m.setattr(compiled, "native", lambda name: None)
        return report(path, by_g)


@needs_scan
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), procs=st.integers(1, 8), rate=st.sampled_from([0, 0.02, 0.2]),
       chunk=st.sampled_from([64, 1000, 1 << 16, 8 << 20]), threads=st.integers(1, 3),
       cut=st.booleans(), run_end=st.booleans(), by_g=st.booleans())
def test_the_compiled_scan_reports_what_duckdb_reports(tmp_path, monkeypatch, seed, procs, rate, chunk, threads,
                                                       cut, run_end, by_g):
    rng = random.Random(seed)
    lines = pathlib.Path(write_log(tmp_path / "raw.jsonl", steps=300, procs=procs, seed=seed)).read_bytes().splitlines()
    if not run_end:
        lines = lines[:-1]
    text = b"\n".join(damaged(lines, rng, rate)) + b"\n"
    if cut:
        text = text[: rng.randrange(len(text) // 2, len(text))]
    path = tmp_path / "run.jsonl"
    path.write_bytes(text)
    monkeypatch.setattr(compiledscan, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(compiledscan, "THREADS", threads)
    assert report(path, by_g) == duckdb_report(path, monkeypatch, by_g)


@needs_scan
def test_lines_are_read_and_skipped_as_the_exports_read_them(tmp_path):
    """Types are strict, as events.valid_event has them: a number as a string, a float, a bool or
    an integer past int64 is no count; a p that is not an integer is no P."""
    good = b'{"vt":1,"event":"lock_acquire","kind":"mheap","lock":"mheap","wait_ns":%s,"p":%s,"prev_p":0}'
    lines = [good % (b"5", b"0"), good % (b'"5"', b"0"), good % (b"5.0", b"0"), good % (b"true", b"0"),
             good % (b"18446744073709551615", b"0"), good % (b"9223372036854775807", b'"1"'),
             b'{"vt":2,"event":"steal","vt":-1}', b'{"vt":-1,"event":"steal","vt":2}',
             b'{"vt":3,"event":"steal"} ', b'{"vt":3,"event":"steal"}\r', b'{"vt":3,"event":"st\\u0065al"}',
             b'{"vt":3,"event":"lock_release","kind":"mheap","lock":"mheap","hold_ns":0,"wait_ns":"x"}']
    path = tmp_path / "typed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    reader = EventReader(path)
    events = list(reader)
    stats = analyze(path)
    assert (stats.lines_read, stats.lines_skipped, stats.bad_lines) == (reader.lines_read, reader.lines_skipped,
                                                                        reader.bad_lines)
    assert stats.events == {"lock_acquire": 2, "lock_release": 1, "steal": 4}
    mheap = stats.lock("mheap")
    assert (mheap.contended, mheap.wait_ns_max) == (2, 9223372036854775807)
    assert [w.who for w in stats.waited_by_p] == [None, 0]     # "1" is no P
    assert len(events) == stats.lines_read


@needs_scan
def test_a_gzipped_log_cut_short_is_reported_as_far_as_it_goes(tmp_path):
    lines = pathlib.Path(write_log(tmp_path / "raw.jsonl", steps=3000, procs=4, seed=3)).read_bytes().splitlines()
    packed = gzip.compress(b"\n".join(lines) + b"\n")
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    stats = analyze(path)
    reader = EventReader(path)
    list(reader)
    assert stats.lines_read == reader.lines_read > 0
    assert stats.lines_read + stats.lines_skipped < len(lines)


@needs_scan
def test_a_line_longer_than_a_chunk_is_one_line(tmp_path, monkeypatch):
    long_stack = ["workloads/w.py:%d f" % i for i in range(5000)]
    line = orjson.dumps({"vt": 5, "event": "lock_acquire", "kind": "mheap", "lock": "mheap", "wait_ns": 77,
                         "p": 1, "prev_p": 2, "stack": long_stack})
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"vt":1,"event":"steal"}\n' + line + b"\n" + b"x" * 100_000 + b"\n" + line)
    monkeypatch.setattr(compiledscan, "CHUNK_BYTES", 4096)
    stats = analyze(path)
    assert (stats.lines_read, stats.lines_skipped, stats.bad_lines) == (3, 1, [3])
    assert stats.lock("mheap").wait_ns_total == 154


@needs_scan
def test_bench_analyze_times_the_compiled_scan_against_the_duckdb_one():
    from runtime.bench import analyze as bench
    rows = bench.run(quick=True)
    assert [row["name"] for row in rows[:2]] == ["gort analyze (compiled scan: yyjson)", "same report, DuckDB scan (uncompiled)"]
    assert "target" not in rows[0] and all(row["value"] > 0 for row in rows)     # quick: a 2 MB log


@needs_scan
def test_by_g_with_more_kinds_than_the_scan_tells_apart(tmp_path, monkeypatch):
    """The scan keeps a G's kinds of lock as 64 bits; a log with more kinds has its --by g table
    from the engine, and it is the same table."""
    lines = [orjson.dumps({"vt": i, "event": "lock_acquire", "kind": f"kind{i % 70}", "lock": f"l{i % 70}",
                           "wait_ns": 10 + i, "g": i % 5, "prev_g": i % 3, "p": 0, "prev_p": 1}) for i in range(300)]
    path = tmp_path / "kinds.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    got = report(path, by_g=True)
    assert len(got["waited_by_g"]) == 5 and len(got["waited_by_g"][0]["kinds"]) == 14
    assert got == duckdb_report(path, monkeypatch, by_g=True)


@needs_scan
def test_a_p_of_minus_two_to_the_63_is_a_p(tmp_path, monkeypatch):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"vt":1,"event":"lock_acquire","kind":"k","lock":"l","wait_ns":1,"p":-9223372036854775808}\n')
    assert [w.who for w in analyze(path).waited_by_p] == [-(1 << 63)]
    assert report(path) == duckdb_report(path, monkeypatch)


@needs_scan
def test_a_plain_log_named_gz_is_read_by_both_scans(tmp_path, monkeypatch):
    path = pathlib.Path(write_log(tmp_path / "plain.jsonl.gz", steps=200, procs=2, seed=4))
    assert report(path) == duckdb_report(path, monkeypatch)


# ---- gzipped logs: read to where the data ends ----

def _members(*texts, level=6):
    return b"".join(gzip.compress(text, compresslevel=level) for text in texts)


def _gunzipped(data, monkeypatch, read_bytes):
    path = pathlib.Path(monkeypatch.tmp) / "log.gz"
    path.write_bytes(data)
    monkeypatch.setattr(logfile, "_READ_BYTES", read_bytes)
    with logfile.open_log(path) as f:
        return f.read()


@pytest.fixture
def gz(tmp_path, monkeypatch):
    monkeypatch.tmp = tmp_path
    return lambda data, read_bytes=1 << 14: _gunzipped(data, monkeypatch, read_bytes)


@given(sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=4), read_bytes=st.integers(1, 64))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_members_are_read_whole_wherever_a_read_ends(gz, sizes, read_bytes):
    texts = [random.Random(n).randbytes(n // 2) + b"x" * (n - n // 2) for n in sizes]
    assert gz(_members(*texts), read_bytes) == b"".join(texts)


@pytest.mark.parametrize("damage", ["garbage after", "bad crc", "bad second member", "cut"])
def test_a_damaged_gzip_gives_all_that_comes_before_the_damage(gz, damage):
    text = b"".join(b'{"vt":%d,"event":"steal"}\n' % i for i in range(3000))
    whole = gzip.compress(text)
    data = {"garbage after": whole + b"\x1f\x8bgarbage" * 3,
            "bad crc": whole[:-8] + bytes([whole[-8] ^ 1]) + whole[-7:],
            "bad second member": whole + b"\x1f\x8b\x07" + whole[3:],
            "cut": whole[: len(whole) * 2 // 3]}[damage]
    got = gz(data)
    if damage == "cut":
        assert text.startswith(got) and len(got) > len(text) // 2
    else:
        assert got == text


def test_a_gzip_damaged_mid_stream_is_read_up_to_the_damage(gz):
    """A flipped byte decompresses to garbage (skipped lines) until zlib notices; all of it up to
    there is read, as zlib fed byte by byte gives it."""
    text = b"".join(b'{"vt":%d,"event":"steal","n":%d}\n' % (i, i * 7919 % 1000) for i in range(20000))
    data = bytearray(gzip.compress(text))
    data[len(data) // 2] ^= 0x55
    reachable = zlib.decompressobj(wbits=31)
    before = b""
    for i in range(len(data)):
        try:
            before += reachable.decompress(bytes(data[i:i + 1]))
        except zlib.error:
            break
    assert gz(bytes(data)) == before and len(before) > len(text) // 3


@needs_scan
@pytest.mark.parametrize("tail", [b"", b"\n", b'\n{"vt":9,"event":"steal"}\n', b'\n{"vt":9,"event":"steal"}'])
def test_a_line_past_the_longest_is_passed_over_as_one_bad_line(tmp_path, monkeypatch, tail):
    monkeypatch.setattr(compiledscan, "CHUNK_BYTES", 64)
    monkeypatch.setattr(compiledscan, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "nul.jsonl"
    path.write_bytes(b'{"vt":1,"event":"steal"}\n' + b"\0" * 5000 + tail + b'{"vt":2,"event":"steal"}' * 20 + b"\n")
    stats = analyze(path)
    reader = EventReader(path)
    list(reader)
    assert (stats.lines_read, stats.lines_skipped, stats.bad_lines) == (reader.lines_read, reader.lines_skipped,
                                                                        reader.bad_lines)


@needs_scan
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(st.sampled_from([b'{"vt":1,"event":"steal"}', b"garbage", b"", b" "]),
                                st.integers(900, 6000).map(lambda n: b"x" * n),
                                st.integers(900, 6000).map(lambda n: b'{"vt":2,"event":"steal","s":"' + b"y" * n + b'"}')),
                      min_size=1, max_size=40),
       chunk=st.sampled_from([64, 300, 1000, 4097, 5000]), threads=st.integers(1, 3), last_newline=st.booleans())
def test_long_and_short_lines_are_counted_and_located_as_the_exports_read_them(tmp_path, monkeypatch, lines, chunk,
                                                                               threads, last_newline):
    """Lines past MAX_LINE_BYTES are one bad line each (the exports' reader parses them: here
    they are never valid), and every line around them is read, whatever the chunks."""
    monkeypatch.setattr(compiledscan, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(compiledscan, "THREADS", threads)
    monkeypatch.setattr(compiledscan, "MAX_LINE_BYTES", 4096)
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"\n".join(lines) + (b"\n" if last_newline else b""))
    reader = EventReader(path)
    events = list(reader)
    long_valid = sum(1 for line in lines if len(line) > 4096 and line.startswith(b"{"))
    if not events and not reader.lines_skipped:
        return
    if reader.lines_read - long_valid == 0:
        with pytest.raises(Exception):
            analyze(path)
        return
    stats = analyze(path)
    assert stats.lines_read == reader.lines_read - long_valid
    assert stats.lines_skipped == reader.lines_skipped + long_valid
