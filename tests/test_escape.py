"""`gort escape`: user errors, notes outside the covered subset, the shipped workloads, --alloc."""

import subprocess
import sys
from pathlib import Path

import pytest

from runtime.errors import UserError
from runtime.cmd import escape as cmd
from runtime.escape import analyze_file
from runtime.escape.alloc import size_class
from runtime import sizeclasses as sc

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ROOT / "workloads" / "go"


class Args:
    def __init__(self, file, explain=False, alloc=False):
        self.file, self.explain, self.alloc = file, explain, alloc


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        cmd.run(Args(str(tmp_path / "nope.go")))


def test_directory_is_named_as_unsupported_not_missing(tmp_path):
    with pytest.raises(UserError, match="is a directory: one .go file is analysed") as err:
        cmd.run(Args(str(tmp_path)))
    assert "no such file" not in str(err.value)


def test_empty_file_is_a_user_error_as_go_says(tmp_path):
    f = tmp_path / "empty.go"
    f.write_text("")
    with pytest.raises(UserError, match="empty.go:1:1: expected 'package', found 'EOF'"):
        cmd.run(Args(str(f)))


def test_not_go_is_a_user_error(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("hello")
    with pytest.raises(UserError, match="not a Go source file"):
        cmd.run(Args(str(f)))


def test_syntax_error_is_a_user_error(tmp_path):
    f = tmp_path / "bad.go"
    f.write_text("package main\nfunc main() { x := }\n")
    with pytest.raises(UserError, match="syntax error"):
        cmd.run(Args(str(f)))


def test_uncovered_construct_is_named_not_guessed(tmp_path):
    f = tmp_path / "gen.go"
    f.write_text("package main\nfunc Map[T any](x T) T { return x }\nfunc main() { _ = Map(1) }\n")
    result = analyze_file(str(f))
    assert result.lines == []
    assert "generic" in result.unsupported


@pytest.mark.parametrize("program", sorted(WORKLOADS.glob("escape_*.go")), ids=lambda p: p.name)
def test_workload_matches_its_expected_output(program):
    expected = program.with_suffix(".expected").read_text().splitlines()
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "gort"), "escape", str(program)],
                          capture_output=True, text=True, cwd=program.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == expected


def test_alloc_classes_follow_mallocgc_rules():
    assert size_class(8, True) == (1, sc.make_spanclass(1, True), 8)
    small = size_class(600, False)                    # pointerful > 512 B: 8-byte header
    assert small[0] == sc.size_to_class(608)
    assert size_class(32768, True)[0] != 0            # largest small noscan object
    assert size_class(32768, False)[0] == 0           # > 32760 B pointerful is large
    assert size_class(40000, True) == (0, sc.make_spanclass(0, True), 40000)


def test_alloc_lists_each_heap_site():
    program = WORKLOADS / "escape_return_addr.go"
    result = analyze_file(str(program))
    assert [n.sym for n in result.allocs] == ["res"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
