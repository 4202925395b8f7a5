"""The workload API's face (runtime/api.py): Go's formatting, compared with real Go."""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runtime.api import gofmt, sprintf
from runtime.cmd.run import execute

GO = shutil.which("go") or str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "go")
FLOATS = [0.0, 1.0, -2.5, 0.1, 1e6, 123456.0, 1234567.0, 1e21, 1e-5, 0.0001, 3.141592653589793,
          2.0 / 3.0, 1e100, -1e-300, 100.0, 5e-324]


def test_println_formats_like_go_fmt(tmp_path):
    if not os.path.exists(GO):
        pytest.skip("no Go toolchain")
    (tmp_path / "go.mod").write_text("module x\ngo 1.27\n")
    values = ", ".join(repr(f) for f in FLOATS)
    (tmp_path / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nfunc main() {\n'
        f'\tfor _, f := range []float64{{{values}}} {{\n\t\tfmt.Println(f)\n\t}}\n'
        '\tfmt.Println(true, false, nil, 42, "s")\n'
        '\tfmt.Printf("%d|%5d|%-4s|%q|%x|%t|%v|%.2f\\n", 7, 42, "ab", "hi", 255, true, 1.5, 3.14159)\n}\n')
    native = subprocess.run([GO, "run", "main.go"], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod"),
                            timeout=300).stdout
    ours = "".join(gofmt(f) + "\n" for f in FLOATS)
    ours += " ".join(gofmt(v) for v in (True, False, None, 42, "s")) + "\n"
    ours += sprintf("%d|%5d|%-4s|%q|%x|%t|%v|%.2f\n", 7, 42, "ab", "hi", 255, True, 1.5, 3.14159)
    assert ours == native


def test_println_boxing_allocates_as_convT_does():
    counts = []

    async def main(rt):
        from runtime import proc
        for args in ((7,), (300,), ("",), ("x",), (1.5,), (True, None)):
            before = proc.sched.mallocs
            rt.println(*args)
            counts.append(proc.sched.mallocs - before)
    execute(main, "t", procs=1, out=io.StringIO(), progress=False)
    # the []any, plus 8 B for a non-small int or a float, 16 B for a non-empty string
    assert counts == [1, 2, 1, 2, 2, 1]
