"""How the emulated process dies, in Go's words (Go's panic.go and checkdead in proc.go).

An uncaught panic prints `panic: <value>` (Go's own text for runtime errors), a blank line and
`goroutine N [running]:` with the workload's frames; Go's fatal errors print `fatal error: <msg>`;
a deadlock prints `fatal error: all goroutines are asleep - deadlock!` and every goroutine's
traceback. All of them exit with status 2.
"""

import os

from runtime.runtime2 import G_STATUS_NAMES, _Gsyscall, _Gwaiting
from runtime.traceback import RUNTIME_DIR, format_goroutine, frames_from_coro, frames_from_tb


class Exit(BaseException):
    """The emulated process ends (main returned, os.Exit, a panic, a fatal error): unwinds every M."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class Goexit(BaseException):
    """runtime.Goexit: the G ends here, its `finally` blocks (Go's deferred calls) run on the way."""


class GoPanic(Exception):
    """A Go panic raised by the runtime (send on closed channel...) or by `rt.panic(value)`.

    Workload code may catch it (that is `recover`); uncaught, it ends the process with status 2.
    `fatal` marks Go's unrecoverable `fatal error:` (throw), e.g. unlock of an unlocked mutex.
    """

    def __init__(self, value, fatal=False):
        super().__init__(value)
        self.value = value
        self.fatal = fatal


def workload_fault(err):
    """Mark err as the workload's mistake though raised in the runtime's code (a `go` of a
    non-function, a call of the workload's function with the wrong arguments); returns err."""
    err.gort_workload_fault = True
    return err


def throw(msg):
    """Go's fatal error: not recoverable."""
    raise GoPanic(msg, fatal=True)


# Python errors raised by workload code, as the Go runtime error each one stands for.
_RUNTIME_ERRORS = {
    ZeroDivisionError: "runtime error: integer divide by zero",
    IndexError: "runtime error: index out of range",
}


def panic_message(err):
    """(`panic:` or `fatal error:` line) for an exception that escaped a goroutine."""
    if isinstance(err, GoPanic):
        value = err.value
        text = str(value) if not isinstance(value, GoPanic) else str(value.value)
        if isinstance(value, BaseException) and not isinstance(value, GoPanic):
            text = str(value)
        return ("fatal error: " if err.fatal else "panic: ") + text
    if isinstance(err, RecursionError):
        return "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow"
    for cls, text in _RUNTIME_ERRORS.items():
        if isinstance(err, cls) and (cls is not ZeroDivisionError or _integer_division(err)):
            return f"panic: {text} [{type(err).__name__}: {err}]"
    return f"panic: {type(err).__name__}: {err}"


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
    if not isinstance(err, GoPanic) and _raised_in_runtime(err):
        import traceback
        return ("gort: internal error in the emulator, not in the workload:\n"
                + "".join(traceback.format_exception(err)))
    return f"{panic_message(err)}\n\n{format_goroutine(gp, 'running', frames)}\n"


def _raised_in_runtime(err):
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
