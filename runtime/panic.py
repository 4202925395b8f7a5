"""How the emulated process dies, in Go's words (Go's panic.go and checkdead in proc.go).

An uncaught panic prints `panic: <value>` (Go's own text for runtime errors), a blank line and
`goroutine N [running]:` with the workload's frames; Go's fatal errors print `fatal error: <msg>`;
a deadlock prints `fatal error: all goroutines are asleep - deadlock!` and every goroutine's
traceback. All of them exit with status 2.
"""

import dis
import os
import sys

from runtime.runtime2 import G_STATUS_NAMES, _Gsyscall, _Gwaiting
from runtime.traceback import RUNTIME_DIR, format_goroutine, frames_from_coro, frames_from_tb


class Exit(BaseException):
    """The emulated process ends (main returned, os.Exit, a panic, a fatal error): unwinds every M."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class Goexit(BaseException):
    """runtime.Goexit: the G ends here, its `finally` blocks (Go's deferred calls) run on the way."""


class Fatal(Exit):
    """Go's fatal error (throw): the process dies with `fatal error: <msg>`, status 2. An Exit, not
    a GoPanic: neither `except rt.Panic` nor `except Exception` can recover it, as in Go."""

    def __init__(self, msg):
        super().__init__(2)
        self.msg = msg


class GoPanic(Exception):
    """A Go panic raised by the runtime (send on closed channel...) or by `rt.panic(value)`.

    Workload code may catch it (that is `recover`); uncaught, it ends the process with status 2.
    """

    def __init__(self, value):
        super().__init__(value)
        self.value = value


class PanicNilError(Exception):
    """*runtime.PanicNilError: what panic(nil) panics with since Go 1.21 (recover returns it)."""

    def __init__(self):
        super().__init__("runtime error: panic called with nil argument")


def workload_fault(err):
    """Mark err as the workload's mistake though raised in the runtime's code (a `go` of a
    non-function, a call of the workload's function with the wrong arguments); returns err."""
    err.gort_workload_fault = True
    return err


def throw(msg):
    """Go's fatal error: not recoverable, and no deferred call runs (the `finally` blocks Python
    still runs on the way out print nothing)."""
    from runtime import proc
    err = Fatal(msg)
    sched = proc.sched
    if sched is not None and sched.failure is None:
        m = sched.curm
        sched.failure = ("fatal", m.curg if m is not None else None, err)
    stop_output()
    raise err


class _Discard:
    def write(self, s):
        return len(s)

    def flush(self):
        pass


_streams = None     # (sys.stdout, sys.stderr) while `gort run` executes a workload
silenced = False    # the process is ending: rt.println/printf print nothing


def begin_run():
    global _streams, silenced
    _streams, silenced = (sys.stdout, sys.stderr), False


def end_run():
    global _streams, silenced
    if _streams is not None:
        sys.stdout, sys.stderr = _streams
    _streams, silenced = None, False


def real_stderr():
    return _streams[1] if _streams is not None else sys.stderr


def stop_output():
    """The process is ending (os.Exit, a fatal error, the end of main): Go runs no more deferred
    calls, but Python still runs `finally` blocks while unwinding or closing coroutines, so their
    output is dropped until end_run() restores sys.stdout/sys.stderr."""
    global silenced
    if _streams is None:
        return
    silenced = True
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout = sys.stderr = _Discard()


# Python errors raised by workload code, as the Go runtime error each one stands for.
_RUNTIME_ERRORS = {
    ZeroDivisionError: "runtime error: integer divide by zero",
    IndexError: "runtime error: index out of range",
}


def panic_message(err):
    """The `panic:` (or `fatal error:`) lines for an exception that escaped a goroutine: Go's
    printpanics, oldest panic first, for a panic raised while another was handled (`[recovered]`)
    or still unwinding (Python's __context__)."""
    if isinstance(err, Fatal):
        return "fatal error: " + err.msg
    if isinstance(err, RecursionError):
        return "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow"
    chain = []                          # newest first
    while err is not None and err not in chain:
        chain.append(err)
        err = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
        if err is not None and not _is_panic(err):
            err = None
    lines = []
    for i in range(len(chain) - 1, -1, -1):        # oldest first
        e = chain[i]
        newer = chain[i - 1] if i > 0 else None
        if isinstance(e, Goexit):      # a panic during Goexit: Go prints nothing for the Goexit
            continue
        recovered = newer is not None and _raised_in_except(newer, e)
        repanicked = newer is not None and _panic_value(newer) is _panic_value(e)
        suffix = " [recovered, repanicked]" if recovered and repanicked else " [recovered]" if recovered else ""
        lines.append("panic: " + _panic_text(e) + suffix)
        if repanicked:       # Go prints a re-panic of the same value once
            break
    return "\n\t".join(lines)


def _is_panic(err):
    return isinstance(err, (GoPanic, Goexit)) or _runtime_error(err) is not None


def _panic_value(err):
    return err.value if isinstance(err, GoPanic) else err


def _panic_text(err):
    """printpanicval: the value as Go prints it (true, nil's PanicNilError, newlines indented)."""
    if isinstance(err, GoPanic):
        value = err.value
        if isinstance(value, GoPanic):
            value = value.value
        if isinstance(value, BaseException):
            text = _runtime_error(value) or str(value)
        else:
            from runtime.api import gofmt
            text = gofmt(value)
        return text.replace("\n", "\n\t")
    return _runtime_error(err) or f"{type(err).__name__}: {err}"


def _runtime_error(err):
    """Go's text for a Python error that stands for one of Go's runtime errors, or None."""
    for cls, text in _RUNTIME_ERRORS.items():
        if isinstance(err, cls):
            if cls is ZeroDivisionError:
                return text if _integer_division(err) else None
            return text + _index_detail(err)
    return None


def _index_detail(err):
    """` [5] with length 3`, as Go says, when the failing subscript's operands are plain names,
    attributes or constants of the innermost workload frame (re-read, never re-called);
    otherwise nothing: the operands are gone from Python's stack."""
    import ast
    tb = err.__traceback__
    if tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame, code = tb.tb_frame, tb.tb_frame.f_code
    if code.co_filename.startswith(RUNTIME_DIR):
        return ""
    try:
        import linecache
        line, end, col, endcol = list(code.co_positions())[tb.tb_lasti // 2]
        lines = [text.encode() for text in linecache.getlines(code.co_filename)[line - 1:end]]
        lines[-1] = lines[-1][:endcol]       # columns count UTF-8 bytes
        lines[0] = lines[0][col:]
        node = ast.parse(b"".join(lines).decode().strip(), mode="eval").body
        if not isinstance(node, ast.Subscript) or not all(_pure(n) for n in (node.value, node.slice)):
            return ""
        env = dict(frame.f_globals)
        env.update(frame.f_locals)
        seq = eval(compile(ast.Expression(node.value), "<index>", "eval"), env)
        idx = eval(compile(ast.Expression(node.slice), "<index>", "eval"), env)
        if type(idx) is not int:
            return ""
        n = len(seq)
    except Exception:
        return ""
    return f" [{idx}]" if idx < 0 else f" [{idx}] with length {n}"


def _pure(node):
    """An expression whose evaluation calls nothing: names, constants, attributes of them, signs."""
    import ast
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute):
        return _pure(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _pure(node.operand)
    return False


def _raised_in_except(new, old):
    """Whether `new` was raised while `old` was handled by an `except` clause (Go: recovered) rather
    than while it unwound through a `finally` (Go: a panic during panicking). The handler's frame is
    where old's traceback begins; new passed through it at tb_lasti, inside a handler whose code
    starts with PUSH_EXC_INFO and, for an except clause, matches the type (or, bare, pops it)."""
    tb = old.__traceback__
    if tb is None:
        return False
    frame = tb.tb_frame
    tb = new.__traceback__
    while tb is not None and tb.tb_frame is not frame:
        tb = tb.tb_next
    if tb is None:
        return False
    instrs = list(dis.get_instructions(frame.f_code))
    start = None
    for k, ins in enumerate(instrs):
        if ins.offset >= tb.tb_lasti:
            break
        if ins.opname == "PUSH_EXC_INFO":
            start = k
    if start is None:
        return False
    for ins in instrs[start + 1:]:
        if ins.opname in ("CHECK_EXC_MATCH", "CHECK_EG_MATCH", "POP_TOP"):
            return True
        if not ins.opname.startswith("LOAD_") and ins.opname not in ("BUILD_TUPLE", "NOP", "CACHE"):
            return False
    return False


def _integer_division(err):
    """Whether a ZeroDivisionError comes from int arithmetic (Python says "division by zero",
    "integer division or modulo by zero", "integer modulo by zero"). Go's float division by zero
    gives ±Inf or NaN and never panics, so float, complex, Decimal or Fraction errors keep their
    Python name instead of Go's "integer divide by zero"."""
    text = str(err)
    return type(err) is ZeroDivisionError and (text == "division by zero" or text.startswith("integer"))


def panic_report(gp, err):
    """The text Go prints for an uncaught panic in gp (a bug of the emulator itself, raised in its
    own code, also gets the Python traceback so that it is not mistaken for the workload's)."""
    frames = frames_from_tb(err.__traceback__) or frames_from_coro(gp.coro)
    if not isinstance(err, (GoPanic, Fatal)) and raised_in_runtime(err):
        import traceback
        return ("gort: internal error in the emulator, not in the workload:\n"
                + "".join(traceback.format_exception(err)))
    return f"{panic_message(err)}\n\n{format_goroutine(gp, 'running', frames)}\n"


def raised_in_runtime(err):
    """Whether err is the emulator's own bug: raised in runtime/ code, not marked as the
    workload's fault (a call of the workload's function with the wrong arguments)."""
    if getattr(err, "gort_workload_fault", False):
        return False
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(RUNTIME_DIR)


def deadlock_report(allgs, message=None):
    """fatal error: all goroutines are asleep - deadlock! and each goroutine's traceback."""
    parts = ["fatal error: " + (message or "all goroutines are asleep - deadlock!")]
    for goid in sorted(allgs):
        gp = allgs[goid]
        state = gp.waitreason if gp.status == _Gwaiting else G_STATUS_NAMES.get(gp.status, "?")
        if gp.status == _Gsyscall:
            state = "syscall"
        parts.append(format_goroutine(gp, state, frames_from_coro(gp.coro)))
    return "\n\n".join(parts) + "\n"
