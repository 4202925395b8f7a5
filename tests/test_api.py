"""The workload API's face (runtime/api.py): Go's formatting, compared with real Go."""

import io
import json
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
        '\tfmt.Printf("%d|%5d|%-4s|%q|%x|%t|%v|%.2f\\n", 7, 42, "ab", "hi", 255, true, 1.5, 3.14159)\n'
        f'\tfor _, f := range []float64{{{values}}} {{\n\t\tfmt.Printf("%g|%+g|%.3g|%e|%8.2f\\n", f, f, f, f, f)\n\t}}\n}}\n')
    native = subprocess.run([GO, "run", "main.go"], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod"),
                            timeout=300).stdout
    ours = "".join(gofmt(f) + "\n" for f in FLOATS)
    ours += " ".join(gofmt(v) for v in (True, False, None, 42, "s")) + "\n"
    ours += sprintf("%d|%5d|%-4s|%q|%x|%t|%v|%.2f\n", 7, 42, "ab", "hi", 255, True, 1.5, 3.14159)
    ours += "".join(sprintf("%g|%+g|%.3g|%e|%8.2f\n", f, f, f, f, f) for f in FLOATS)
    assert ours == native


def test_println_boxing_allocates_as_convT_does():
    counts = []

    async def main(rt):
        from runtime import proc
        for args in ((7,), (300,), ("",), ("x",), (1.5,), (0.0,), (True, None), ([1, 2],)):
            before = proc.sched.mallocs
            rt.println(*args)
            counts.append(proc.sched.mallocs - before)
    execute(main, "t", procs=1, out=io.StringIO(), progress=False)
    # 8 B for an int outside 0..255 or a float with nonzero bits, 16 B for a non-empty string, a slice's
    # 24-B header plus one copy per element fmt's reflection takes; the []any stays on the stack
    assert counts == [0, 1, 0, 1, 1, 0, 0, 3]


# (call, arguments) as a workload passes them; the Go side gets each argument as a variable
FMT_CASES = [
    ("println", (300,)), ("println", (300, 300)), ("println", (7,)), ("println", (-1,)),
    ("println", (1.5,)), ("println", (0.0,)), ("println", ("x",)), ("println", ("",)),
    ("println", (True, None)), ("println", ()), ("println", ([1, 2, 3],)), ("println", (["a", "bb"],)),
    ("println", ([True],)), ("println", ([[1], [2, 3]],)), ("println", ([],)), ("println", ([1.5],)),
    ("println", (300, "x", 1.5)), ("printf", ("%d\n", 300)),
    ("sprintf", ("%d", 300)), ("sprintf", ("%d", 7)), ("sprintf", ("%d%d", 7, 7)), ("sprintf", ("%s", "x")),
    ("sprintf", ("%s", "")), ("sprintf", ("%s", "hello")), ("sprintf", ("%s %s %s %s",) + ("hello",) * 4),
    ("sprintf", ("%v", 1.5)), ("sprintf", ("abc",)), ("sprintf", ("%v", [1])), ("sprintf", ("%d é", 300)),
]


def _go_literal(v):
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return json.dumps(v) if isinstance(v, str) else f"{type(v).__name__}{'64' if isinstance(v, float) else ''}({v!r})"
    elem = {int: "int", float: "float64", str: "string", bool: "bool"}
    t = "[]int" if not v else ("[]" + elem[type(v[0])] if not isinstance(v[0], list) else "[][]int")
    return t + "{" + ", ".join(_go_literal(x) if not isinstance(x, list) else _go_literal(x)[len("[]int"):]
                               for x in v) + "}"


def test_fmt_allocations_match_go_memstats(tmp_path):
    """Mallocs and TotalAlloc per call of rt.println/printf/sprintf against Go's MemStats (GOGC=off,
    1000 calls after one warm-up call, arguments as variables so none is a constant)."""
    if not os.path.exists(GO):
        pytest.skip("no Go toolchain")
    decls, calls = [], []
    for i, (fn, args) in enumerate(FMT_CASES):
        names = []
        for j, a in enumerate(args):
            if a is None:
                names.append("nil")
                continue
            decls.append(f"\tv{i}_{j} := id({_go_literal(a)})\n")
            names.append(f"v{i}_{j}")
        go_fn = {"println": "fmt.Println", "printf": "fmt.Printf", "sprintf": "sinkS = fmt.Sprintf"}[fn]
        calls.append(f"\tmeasure(func() {{ {go_fn}({', '.join(names)}) }})\n")
    (tmp_path / "go.mod").write_text("module x\ngo 1.27\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"runtime"\n)\n\nvar sinkS string\n\n'
        '//go:noinline\nfunc id[T any](v T) T { return v }\n\n'
        'func measure(f func()) {\n\tvar a, b runtime.MemStats\n\tf()\n\truntime.ReadMemStats(&a)\n'
        '\tfor i := 0; i < 1000; i++ {\n\t\tf()\n\t}\n\truntime.ReadMemStats(&b)\n'
        '\tfmt.Fprintln(os.Stderr, (b.Mallocs-a.Mallocs)/1000, (b.TotalAlloc-a.TotalAlloc)/1000)\n}\n\n'
        'func main() {\n' + "".join(decls) + "".join(calls) + "}\n")
    proc = subprocess.run([GO, "run", "main.go"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOGC="off"))
    assert proc.returncode == 0, proc.stderr
    native = [tuple(map(int, line.split())) for line in proc.stderr.splitlines()]

    ours = []

    async def main(rt):
        from runtime import proc as p
        s = p.sched
        for fn, args in FMT_CASES:
            f = getattr(rt, fn)
            f(*args)
            a = s.heap.read_memstats(s.curm)
            for _ in range(1000):
                f(*args)
            b = s.heap.read_memstats(s.curm)
            ours.append(((b["Mallocs"] - a["Mallocs"]) // 1000, (b["TotalAlloc"] - a["TotalAlloc"]) // 1000))
    execute(main, "t", procs=1, out=io.StringIO(), progress=False)
    assert dict(zip(map(repr, FMT_CASES), ours)) == dict(zip(map(repr, FMT_CASES), native))


FLOAT_VERBS = ["%g", "%G", "%e", "%E", "%f", "%F", "%+g", "% g", "%8.3g", "%-10g|", "%.0g", "%#g", "%#.3g", "%010g",
               "%+08g", "%012.3f", "%+e", "%v", "%08.2f", "% .2e", "%#e", "%.3G"]


def test_float_verbs_format_like_go_fmt(tmp_path):
    """Every float verb, flag, width and precision workloads use, on ordinary, tiny, huge, signed
    zero, NaN and infinite values: byte for byte what real Go's fmt.Printf prints."""
    if not os.path.exists(GO):
        pytest.skip("no Go toolchain")
    specials = {"math.NaN()": float("nan"), "math.Inf(1)": float("inf"), "math.Inf(-1)": float("-inf"),
                "math.Copysign(0, -1)": -0.0}
    go_values = [repr(f) for f in FLOATS] + list(specials)
    values = FLOATS + list(specials.values())
    verbs = ", ".join(f'"{v}"' for v in FLOAT_VERBS)
    (tmp_path / "go.mod").write_text("module x\ngo 1.27\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"math"\n)\n\nfunc main() {\n'
        f'\tfor _, f := range []float64{{{", ".join(go_values)}}} {{\n'
        f'\t\tfor _, v := range []string{{{verbs}}} {{\n\t\t\tfmt.Printf(v+"\\n", f)\n\t\t}}\n\t}}\n}}\n')
    native = subprocess.run([GO, "run", "main.go"], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod"), timeout=300).stdout
    assert "".join(sprintf(v + "\n", f) for f in values for v in FLOAT_VERBS) == native


def test_zero_padding_and_wrong_kinds_print_as_go_does(tmp_path):
    if not os.path.exists(GO):
        pytest.skip("no Go toolchain")
    cases = [("%08v", "-1", -1), ("%08v", "7", 7), ("%05d", "-42", -42), ("%d", "1.5", 1.5), ("%g", "5", 5),
             ("%e", "true", True), ("%x", "255", 255), ("%8.3f", "-2.5", -2.5)]
    (tmp_path / "go.mod").write_text("module x\ngo 1.27\n")
    (tmp_path / "main.go").write_text('package main\n\nimport "fmt"\n\nfunc main() {\n' + "".join(
        f'\tfmt.Printf("{verb}\\n", {go})\n' for verb, go, _ in cases) + "}\n")
    native = subprocess.run([GO, "run", "main.go"], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod"), timeout=300)
    assert "".join(sprintf(verb + "\n", value) for verb, _, value in cases) == native.stdout, native.stderr
