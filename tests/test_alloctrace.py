"""`gort alloc-trace`: its output contract and its errors."""

import json
import subprocess
import sys

import pytest

GORT = [sys.executable, "-m", "runtime.cli"]


def gort(*args):
    return subprocess.run([*GORT, *args], capture_output=True, text=True)


def write(tmp_path, content):
    path = tmp_path / "trace.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_json_output_has_one_delta_object_per_phase(tmp_path):
    trace = {"name": "demo", "phases": [{"size": 24, "count": 1000, "pointers": False},
                                        {"size": 4, "count": 1000, "pointers": False}]}
    out = gort("alloc-trace", write(tmp_path, trace), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["name"] == "demo"
    first, second = result["phases"]
    assert set(first) == {"HeapInuse", "HeapSys", "HeapAlloc", "HeapObjects", "Mallocs", "TinyAllocs"}
    assert (first["Mallocs"], first["HeapAlloc"], first["TinyAllocs"]) == (1000, 24000, 0)
    assert (second["Mallocs"], second["TinyAllocs"], second["HeapObjects"]) == (1000, 750, 250)


def test_table_output(tmp_path):
    out = gort("alloc-trace", write(tmp_path, {"name": "t", "phases": [{"size": 48, "count": 3, "pointers": True}]}))
    assert out.returncode == 0 and "HeapInuse" in out.stdout and "48 B ptr" in out.stdout


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not JSON"),
    ({"phases": [{"size": -1, "count": 1, "pointers": False}]}, '"size" must not be negative'),
    ({"phases": [{"count": 1, "pointers": False}]}, 'has no "size"'),
    ({"phases": [{"size": 8, "count": "many", "pointers": False}]}, '"count" must be an integer'),
    ({"phases": [{"size": 12, "count": 1, "pointers": True}]}, "multiple of 8"),
    ({"phases": [{"size": 8, "count": 1, "pointers": "yes"}]}, '"pointers" must be a boolean'),
    ([1, 2], 'a trace is an object with a list "phases"'),
])
def test_bad_traces_get_one_line_and_exit_1(tmp_path, content, message):
    out = gort("alloc-trace", write(tmp_path, content))
    assert out.returncode == 1
    assert message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_missing_file(tmp_path):
    out = gort("alloc-trace", str(tmp_path / "nope.json"))
    assert out.returncode == 1 and "cannot read" in out.stderr and "Traceback" not in out.stderr
