"""`gort plot`: the series it draws come from the log, and the picture is a real PNG."""

import pathlib
import struct

import orjson
import pytest

from runtime.analysis.plots import load_series
from runtime.analysis.synthlog import write_log
from runtime.cli import main


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return write_log(tmp_path_factory.mktemp("plot") / "run.jsonl", steps=3000, procs=4, seed=13)


def test_series_are_the_logs_waits_and_snapshots(log):
    events = [orjson.loads(line) for line in pathlib.Path(log).read_bytes().splitlines()]
    waits, (heap_vt, heap_bytes), vt_end = load_series(log)
    for kind in ("mheap", "mcentral", "sched"):
        expected = [(e["vt"], e["wait_ns"]) for e in events
                    if e["event"] in ("lock_acquire", "lock_wait_late") and e["kind"] == kind and e["wait_ns"] > 0]
        vt, wait = waits[kind]
        assert sorted(zip(vt.tolist(), wait.tolist())) == sorted(expected)
    snapshots = [(e["vt"], e["HeapInuse"]) for e in events if e["event"] == "heap_snapshot"]
    assert sorted(zip(heap_vt.tolist(), heap_bytes.tolist())) == snapshots
    assert vt_end == max(e["vt"] for e in events)


def test_writes_a_png(log, tmp_path):
    out = tmp_path / "run.png"
    with pytest.raises(SystemExit) as exit:
        main(["plot", str(log), "-o", str(out)])
    assert exit.value.code == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1100, 700)


def test_unreadable_log_and_bad_output(tmp_path, log, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"nothing here\n")
    with pytest.raises(SystemExit) as exit:
        main(["plot", str(bad), "-o", str(tmp_path / "x.png")])
    assert exit.value.code == 1 and "no readable event" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit:
        main(["plot", str(log), "-o", str(tmp_path / "no" / "dir" / "x.png")])
    assert exit.value.code == 1 and "cannot write" in capsys.readouterr().err
