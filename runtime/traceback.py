"""Goroutine tracebacks in Go's format, from the workload's own Python frames (Go's traceback.go).

A running G's frames are on the Python stack; a parked G's are its coroutine chain (cr_await /
gi_yieldfrom). Only workload frames are shown: the runtime's own (this package, the standard
library, site-packages) are hidden, as Go hides runtime frames from user tracebacks.
"""

import os
import sys

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_HIDDEN = tuple({RUNTIME_DIR, os.path.join(sys.prefix, ""), os.path.join(sys.base_prefix, "")})
_workload_cache = {}


def is_workload(filename):
    r = _workload_cache.get(filename)
    if r is None:
        r = _workload_cache[filename] = not (filename.startswith("<") or
                                             os.path.abspath(filename).startswith(_HIDDEN))
    return r


def go_funcname(code):
    """A Python function's name as Go would print it: main.f, main.main.func1-like closures."""
    name = code.co_qualname.replace(".<locals>.", ".")
    return "main." + name.replace("<lambda>", "func1")


def _visible(code):
    return code.co_name != "<module>" and is_workload(code.co_filename)


def _frame(f, lineno=None):
    code = f.f_code
    return (code, code.co_filename, f.f_lineno if lineno is None else lineno)


def frames_from_tb(tb):
    """Workload frames of an exception's traceback, innermost first."""
    out = []
    while tb is not None:
        if _visible(tb.tb_frame.f_code):
            out.append(_frame(tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    out.reverse()
    return out


def frames_from_coro(coro):
    """Workload frames of a suspended coroutine chain, innermost first."""
    out = []
    while coro is not None:
        f = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if f is not None and _visible(f.f_code):
            out.append(_frame(f))
        nxt = getattr(coro, "cr_await", None)
        if nxt is None:
            nxt = getattr(coro, "gi_yieldfrom", None)
        coro = nxt
    out.reverse()
    return out


STOP_CODES = set()    # the M's loop (proc.py registers it): below it is only trio, never a G


def frames_from_stack(depth=1):
    """Workload frames of the Python stack now (a G running on this M), innermost first."""
    out = []
    f = sys._getframe(depth)
    while f is not None:
        code = f.f_code
        if code in STOP_CODES:
            break
        if _visible(code):
            out.append(_frame(f))
        f = f.f_back
    return out


def frames_of(gp, running):
    """The best frames for gp: the live stack if it runs now, else its coroutine chain."""
    if running:
        frames = frames_from_stack(2)
        if frames:
            return frames
    return frames_from_coro(gp.coro)


def stack_strings(frames):
    """["file:line func", ...] as the log's `stack` key wants them."""
    return [f"{file}:{line} {go_funcname(code)}" for code, file, line in frames]


def _args(code):
    n = code.co_argcount + code.co_kwonlyargcount
    if code.co_varnames[:1] == ("rt",):
        n -= 1
    return "()" if n == 0 else "(...)"


def format_goroutine(gp, state, frames):
    """`goroutine N [state]:` then each frame as Go prints it, then `created by` for non-main Gs."""
    lines = [f"goroutine {gp.goid} [{state}]:"]
    for code, file, line in frames:
        lines.append(f"{go_funcname(code)}{_args(code)}")
        lines.append(f"\t{file}:{line}")
    if gp.gopc is not None:
        creator, file, line = gp.gopc
        lines.append(f"created by {creator} in goroutine {gp.parentgoid}")
        lines.append(f"\t{file}:{line}")
    return "\n".join(lines)
