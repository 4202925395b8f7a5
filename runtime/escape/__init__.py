"""Escape analysis of Go source, modelled on cmd/compile/internal/escape (Go 1.27.3).

`analyze_file(path)` parses a Go file with tree-sitter's Go grammar, type-checks the covered subset
into a small typed ir (noder.py, exprs.py, calls.py, stmts.py), and runs the compiler's analysis
(build.py, calls_esc.py, solve.py, batch.py) to print what `go build -gcflags='-m -l'` prints.
A construct outside the subset stops the analysis with a note naming it: no verdict is guessed.
"""

import os

from runtime.escape.analysis import Result, analyze
from runtime.escape.scope import Unsupported


class EscapeError(Exception):
    """The file cannot be analyzed at all (missing, not Go, syntax error)."""


def analyze_file(path, explain=False):
    if os.path.isdir(path):
        raise EscapeError(f"{path}: is a directory: one .go file is analysed (a package or directory "
                          f"is not supported; name one of its files)")
    if not os.path.isfile(path):
        raise EscapeError(f"{path}: no such file")
    if not path.endswith(".go"):
        raise EscapeError(f"{path}: not a Go source file (expected a .go file)")
    with open(path, "rb") as f:
        source = f.read()
    if not source.strip():
        # the parser's complaint at the end of the file, as go/parser's
        line = source.count(b"\n") + 1
        col = len(source) - (source.rfind(b"\n") + 1) + 1
        raise EscapeError(f"{path}:{line}:{col}: expected 'package', found 'EOF'")
    name = os.path.basename(path)
    try:
        return analyze(source, name, explain)
    except SyntaxError as err:
        raise EscapeError(f"{path}:{err.msg}: syntax error") from None
    except Unsupported as u:
        where = f"./{name}:{u.pos[0]}:{u.pos[1]}: " if u.pos else ""
        return Result([], [], f"{where}not covered by this analysis: {u.construct}; no verdicts printed")
    except (AttributeError, KeyError, TypeError, AssertionError, IndexError, StopIteration) as err:
        # A construct the type checker does not model reached code that assumed it away: say so
        # rather than print verdicts computed from a partial program.
        return Result([], [], f"./{name}: not covered by this analysis: a construct the type checker "
                              f"does not model ({type(err).__name__}: {err}); no verdicts printed")
