"""The checker's Cython-compiled modules (setup.py, runtime/compiled.py): compiled where a C
compiler is found, identical in every result to their plain-Python sources, and never stale."""

import importlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES

import pytest

from runtime import compiled

ROOT = pathlib.Path(__file__).resolve().parents[1]
LITMUS = ROOT / "workloads" / "litmus"

# Every litmus test in every model and variant it has: the fields of a CheckResult that matter,
# as JSON, computed in a fresh interpreter (so GORT_PURE decides which modules it imports).
EXPLORE_ALL = r"""
import json, pathlib, sys
from runtime import compiled
from runtime.check import check, machine
from runtime.check.scenario import load
from runtime.race import format_race
out = {"compiled": compiled.is_compiled(machine), "results": []}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    for variant in load(path).variants:
        for model in ("sc", "tso", "go"):
            r = check(path, model=model, variant=variant)
            out["results"].append([path.name, variant, model, r.executions, r.pruned,
                                   [[s.outcome, s.count, s.expectation, s.token] for s in r.sorted_outcomes()],
                                   sorted(format_race(race) for race in r.races.values()), r.verdict])
print(json.dumps(out))
"""


def explore_all(pure):
    env = dict(os.environ)
    env.pop("GORT_PURE", None)
    if pure:
        env["GORT_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", EXPLORE_ALL, str(LITMUS)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def c_compiler():
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc)


@pytest.mark.skipif(bool(os.environ.get("GORT_PURE")) or not c_compiler(),
                    reason="plain Python asked for, or no C compiler to build the extensions")
def test_the_checker_runs_compiled():
    """With a C compiler, `pip install -e .` compiled the hot modules and they are the ones imported
    (a failed build is only a warning at install: this test is what notices it)."""
    for name in compiled.COMPILED:
        assert compiled.is_compiled(importlib.import_module(name)), f"{name} runs uncompiled: rebuild with pip install -e ."
    for name in compiled.NATIVE:
        assert compiled.native(name) is not None, f"{name} is not compiled: rebuild with pip install -e ."


def test_compiled_and_plain_checkers_agree_on_every_litmus_test():
    """The compiled checker finds exactly what its plain-Python source finds: executions, pruned
    runs, outcomes, counts, replay tokens, races and verdicts, on every litmus test, model and
    variant."""
    pure = explore_all(pure=True)
    assert pure["compiled"] is False
    native = explore_all(pure=False)
    if not native["compiled"]:
        pytest.skip("the checker is not compiled here: nothing to compare")
    assert len(pure["results"]) > 60
    for a, b in zip(pure["results"], native["results"]):
        assert a == b, a[:3]
    assert len(pure["results"]) == len(native["results"])


def run_workload(tmp_path, pure, workload, *flags):
    """`gort run` of a workload with a debug-level log, compiled or not: (its log, its output)."""
    env = {k: v for k, v in os.environ.items() if k != "GORT_PURE"}
    if pure:
        env["GORT_PURE"] = "1"
    log = tmp_path / f"{workload}-{'pure' if pure else 'compiled'}.jsonl"
    done = subprocess.run([sys.executable, "-m", "runtime.cli", "run", f"workloads/{workload}.py", "--procs", "4",
                           "--log", str(log), "--log-level", "debug", *flags],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    return log.read_bytes(), done.returncode, done.stdout.replace(str(log), "LOG"), done.stderr.replace(str(log), "LOG")


@pytest.mark.parametrize("workload, flags", [("alloc_churn", ()), ("large_allocs", ()), ("boxing", ()),
                                             ("racy_counter", ("--race",))])
def test_compiled_and_plain_runtimes_write_the_same_log(tmp_path, workload, flags):
    """The compiled allocator (malloc, mcache, mspan) and race shadow run a workload exactly as
    their plain-Python sources do: the same seed gives a byte-identical debug log and output."""
    native = run_workload(tmp_path, False, workload, *flags)
    pure = run_workload(tmp_path, True, workload, *flags)
    assert native[0] == pure[0] and native[0].count(b"\n") > 20
    assert native[1:] == pure[1:]


def fake_compiled_modules(tmp_path, monkeypatch, ages):
    """A package `fakepkg` whose modules (name -> (source age, compiled age or None), in s) have
    a .py and a 'compiled' file of those ages, standing for the compiled modules."""
    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (tmp_path / ".git").mkdir()          # a source checkout (an installed wheel is not guarded)
    now = 1_700_000_000
    for name, (source_age, built_age) in ages.items():
        source = pkg / f"{name}.py"
        source.write_text("WHICH = 'source'\n")
        os.utime(source, (now - source_age, now - source_age))
        if built_age is not None:
            built = pkg / (name + importlib.machinery.EXTENSION_SUFFIXES[0])
            built.write_bytes(b"not really compiled")
            os.utime(built, (now - built_age, now - built_age))
    monkeypatch.setattr(compiled, "ROOT", str(tmp_path))
    monkeypatch.setattr(compiled, "COMPILED", {f"fakepkg.{name}": f"fakepkg/{name}.py" for name in ages})
    monkeypatch.setattr(compiled.SourceWhenStale, "stale_modules", None)
    return pkg


def test_one_compiled_module_older_than_its_source_sends_all_to_their_sources(tmp_path, monkeypatch, capsys):
    """An edited .py runs, uncompiled, with one warning; so do the other compiled modules (they
    use each other's C types): no stale .so is imported."""
    monkeypatch.delenv("GORT_PURE", raising=False)
    pkg = fake_compiled_modules(tmp_path, monkeypatch, {"edited": (10, 100), "untouched": (100, 10)})
    for name in ("edited", "untouched"):
        spec = compiled.SourceWhenStale.find_spec(f"fakepkg.{name}", [str(pkg)])
        assert spec is not None and spec.origin == str(pkg / f"{name}.py")
    err = capsys.readouterr().err
    assert err.count("fakepkg.edited changed since compiled") == 1 and "untouched" not in err


def test_a_half_compiled_build_runs_every_module_from_source(tmp_path, monkeypatch, capsys):
    """A build that compiled some modules and not others (the C compiler failed on one): the
    compiled ones would look for the others' C types, so all run from source."""
    monkeypatch.delenv("GORT_PURE", raising=False)
    pkg = fake_compiled_modules(tmp_path, monkeypatch, {"built": (100, 10), "failed": (100, None)})
    for name in ("built", "failed"):
        assert compiled.SourceWhenStale.find_spec(f"fakepkg.{name}", [str(pkg)]).origin == str(pkg / f"{name}.py")
    assert "fakepkg.built" in capsys.readouterr().err


def test_an_installed_wheel_is_not_guarded(tmp_path, monkeypatch):
    """Unpacking a wheel can leave a .py a moment newer than its .so: outside a source checkout
    the compiled modules are used as installed."""
    monkeypatch.delenv("GORT_PURE", raising=False)
    pkg = fake_compiled_modules(tmp_path, monkeypatch, {"a": (10, 11)})
    (tmp_path / ".git").rmdir()
    assert compiled.SourceWhenStale.find_spec("fakepkg.a", [str(pkg)]) is None


@pytest.mark.parametrize("value, pure", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_gort_pure(monkeypatch, value, pure):
    monkeypatch.setenv("GORT_PURE", value)
    assert compiled.pure_requested() is pure


def test_fresh_compiled_modules_are_left_to_the_usual_import(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GORT_PURE", raising=False)
    pkg = fake_compiled_modules(tmp_path, monkeypatch, {"a": (100, 10), "b": (100, 10)})
    assert compiled.SourceWhenStale.find_spec("fakepkg.a", [str(pkg)]) is None
    assert compiled.SourceWhenStale.find_spec("fakepkg.other", [str(pkg)]) is None    # not a compiled module
    monkeypatch.setenv("GORT_PURE", "1")
    assert compiled.SourceWhenStale.find_spec("fakepkg.a", [str(pkg)]).origin == str(pkg / "a.py")
    assert capsys.readouterr().err == ""


def test_a_stale_native_module_is_not_used(tmp_path, monkeypatch, capsys):
    """A Cython-only module (no .py twin) older than its sources is not imported: its caller takes
    its uncompiled way, after one warning; GORT_PURE turns it off too."""
    monkeypatch.delenv("GORT_PURE", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "fakepkg").mkdir()
    source, built = tmp_path / "fakepkg" / "scan.pyx", tmp_path / "fakepkg" / f"scan{EXTENSION_SUFFIXES[0]}"
    source.write_text("")
    built.write_text("")
    os.utime(source, (100, 100))
    os.utime(built, (10, 10))
    monkeypatch.setattr(compiled, "ROOT", str(tmp_path))
    monkeypatch.setattr(compiled, "NATIVE", {"fakepkg.scan": ("fakepkg/scan.pyx",)})
    monkeypatch.setattr(compiled, "_native_said", set())
    assert compiled.native("fakepkg.scan") is None and compiled.native("fakepkg.scan") is None
    assert capsys.readouterr().err.count("fakepkg.scan changed since compiled") == 1
    monkeypatch.setenv("GORT_PURE", "1")
    assert compiled.native("runtime.analysis.lockscan") is None
