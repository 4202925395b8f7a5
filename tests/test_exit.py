"""How the emulated process ends, against Go: fatal errors are not recoverable, no other goroutine's
deferred code runs at exit, os.Exit runs none, panic chains and values print as Go prints them,
Go 1.23+ timer channels, Printf's sign flags."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.bench.native import go_env
from runtime.cmd.run import execute, load_workload

ROOT = Path(__file__).resolve().parents[1]


def run_src(tmp_path, src, name="w"):
    path = tmp_path / f"{name}.py"
    path.write_text(src)
    out = io.StringIO()
    r = execute(load_workload(str(path)), str(path), procs=2, log_path=None, out=out, progress=False)
    return r.status, out.getvalue(), r.report


def first_lines(report, n):
    return report.split("\n\ngoroutine")[0].split("\n")[:n]


@pytest.mark.parametrize("catch", ["rt.Panic", "Exception"])
def test_fatal_error_is_not_recoverable_and_runs_no_deferred_code(tmp_path, catch):
    status, out, report = run_src(tmp_path, f"""
async def main(rt):
    mu = rt.Mutex()
    try:
        mu.unlock()
    except {catch}:
        rt.println("recovered")
    finally:
        rt.println("deferred")
""")
    assert (status, out) == (2, "")
    assert report.startswith("fatal error: sync: unlock of unlocked mutex\n\ngoroutine 1 [running]:\nmain.main()")


def test_no_other_goroutines_deferred_code_runs_when_main_returns_or_a_goroutine_panics(tmp_path):
    src = """
async def main(rt):
    block = rt.chan(0)
    async def w():
        try:
            await block.recv()
        finally:
            rt.println("worker deferred")
            print("worker print")
    rt.go(w)
    await rt.gosched()
    rt.println("main returns")
    if PANIC:
        async def d():
            rt.panic("die")
        rt.go(d)
        try:
            await block.recv()
        finally:
            rt.println("main deferred")
"""
    path = tmp_path / "w.py"
    for panic, want in ((False, "main returns\n"), (True, "main returns\n")):
        path.write_text(f"PANIC = {panic}\n" + src)
        p = subprocess.run([sys.executable, "-m", "runtime.cli", "run", str(path), "--log-level", "off",
                            "--no-summary"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert p.stdout == want
        assert p.stderr.startswith("panic: die\n\ngoroutine 7 [running]:\n" if panic else "")


def test_os_exit_runs_no_deferred_code(tmp_path):
    status, out, report = run_src(tmp_path, """
async def main(rt):
    rt.println("before")
    try:
        rt.exit(3)
    finally:
        rt.println("deferred")
""")
    assert (status, out, report) == (3, "before\n", "")
    assert sys.stdout.write("") == 0       # the process's stdout is back


GO_CHAINS = {
    "repanic": ('defer func() { r := recover(); panic(r) }()\n\tpanic("x")',
                'try:\n        rt.panic("x")\n    except rt.Panic as p:\n        rt.panic(p.value)'),
    "recover_then_panic": ('defer func() { recover(); panic("y") }()\n\tpanic("x")',
                           'try:\n        rt.panic("x")\n    except rt.Panic:\n        rt.panic("y")'),
    "panic_in_defer": ('defer func() { panic("y") }()\n\tpanic("x")',
                       'try:\n        rt.panic("x")\n    finally:\n        rt.panic("y")'),
    "bool": ("panic(true)", "rt.panic(True)"),
    "nil": ("panic(nil)", "rt.panic(None)"),
    "divide": ("z := 0\n\tprintln(10 / z)", "z = 0\n    rt.println(10 // z)"),
    "index": ("s, i := []int{1, 2, 3}, 5\n\tprintln(s[i])", "s, i = [1, 2, 3], 5\n    rt.println(s[i])"),
}


@pytest.mark.parametrize("name", sorted(GO_CHAINS))
def test_panic_lines_match_go(tmp_path, go, name):
    go_body, py_body = GO_CHAINS[name]
    (tmp_path / "main.go").write_text(f"package main\n\nfunc main() {{\n\t{go_body}\n}}\n")
    subprocess.run([go, "build", "-o", str(tmp_path / "prog"), "main.go"], cwd=tmp_path, check=True,
                   env=go_env(), capture_output=True, timeout=300)
    p = subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True, timeout=60)
    status, _, report = run_src(tmp_path, f"async def main(rt):\n    {py_body}\n")
    assert status == p.returncode == 2
    want = p.stderr.split("\n\ngoroutine")[0]
    assert report.split("\n\ngoroutine")[0] == want
    assert report.split("\n\n")[1].startswith("goroutine 1 [running]:\nmain.main()\n\t")


def test_recover_of_panic_nil_is_a_panic_nil_error(tmp_path):
    _, out, _ = run_src(tmp_path, """
async def main(rt):
    try:
        rt.panic(None)
    except rt.Panic as p:
        rt.println(p.value)
""")
    assert out == "runtime error: panic called with nil argument\n"


def test_timer_channels_are_synchronous_as_since_go_1_23(tmp_path):
    # Go 1.27 prints: 0 0 / true / true / got / 0 0 / true false
    _, out, _ = run_src(tmp_path, """
async def main(rt):
    t = rt.timer(rt.Millisecond)
    await rt.sleep(5 * rt.Millisecond)
    rt.println(len(t.c), t.c.cap())
    rt.println(t.stop())
    t2 = rt.timer(rt.Millisecond)
    await rt.sleep(5 * rt.Millisecond)
    rt.println(t2.reset(rt.Millisecond))
    await t2.c.recv()
    rt.println("got")
    c = rt.after(rt.Millisecond)
    rt.println(len(c), c.cap())
    t3 = rt.timer(3600 * rt.Second)
    rt.println(t3.stop(), t3.stop())
    i, _, _ = await rt.select(t.c.recv_case(), default=True)
    rt.println(i)
""")
    assert out == "0 0\ntrue\ntrue\ngot\n0 0\ntrue false\n-1\n"


def test_printf_sign_and_alternate_flags():
    from runtime.api import sprintf
    # fmt.Printf in Go 1.27 prints exactly this line
    assert (sprintf("%+d|% d|%+d|%+05d|%05d|%+.2f|% .1f|%#x|%#X|%+e|%-+5d|", 5, 5, -5, 5, -5, 2.5, 2.5,
                    255, 255, 1.5, 3)
            == "+5| 5|-5|+0005|-0005|+2.50| 2.5|0xff|0XFF|+1.500000e+00|+3   |")
