"""Whether a goroutine's pending request is its last: read from the bytecode after its await.

The exhaustive explorer skips a choice unrun when it can tell the execution would end
sleep-set-blocked right after it (explore.py, _Node.blocked_after). A plain load or store that
is its goroutine's last operation adds no option to explore; whether it is the last depends on
the code after the await, which is read once per code location: only a few exact forms count
(a register store into a dict under a constant key, and a return), where no user code can run,
yield, branch or raise. (The forms are CPython 3.11's bytecode: on another version none
matches, and nothing is skipped.)
"""

import dis
from types import CoroutineType

from runtime.check.objects import _yield

# (id(code), offset) -> (code, whether the code returns once the request suspended there completes)
_RETURNS_AFTER = {}
_REQUEST_CODE = _yield.__code__      # the generator a request() awaits
# What may follow the request, read from the bytecode: `await v.store(x)`, `await v.load()`,
# `a = await v.load()` or `r[k] = await v.load()`, and return. Nothing that calls, yields,
# branches or raises.
_CONTINUATIONS = (("POP_TOP", "LOAD_CONST", "RETURN_VALUE"),
                  ("STORE_FAST", "LOAD_CONST", "RETURN_VALUE"),
                  ("LOAD_DEREF", "LOAD_CONST", "STORE_SUBSCR", "LOAD_CONST", "RETURN_VALUE"),
                  ("LOAD_FAST", "LOAD_CONST", "STORE_SUBSCR", "LOAD_CONST", "RETURN_VALUE"))


def returns_after_request(coro):
    """Whether a goroutine returns as soon as its pending request completes, making no other:
    its one coroutine frame waits in an `await` of `request` directly, and the code after that
    await is one of _CONTINUATIONS (a subscript assignment only into a dict, under a constant
    key: no user code runs). The explorer uses it to skip a load or store that would end its
    execution sleep-set-blocked."""
    if type(coro) is not CoroutineType or coro.cr_frame is None:
        return False
    inner = coro.cr_await
    if type(inner) is CoroutineType or getattr(inner, "gi_code", None) is not _REQUEST_CODE:
        return False
    frame = coro.cr_frame
    code = frame.f_code
    cached = _RETURNS_AFTER.get((id(code), frame.f_lasti))
    if cached is None or cached[0] is not code:
        cached = _RETURNS_AFTER[(id(code), frame.f_lasti)] = (code, _continuation(code, frame.f_lasti))
    continuation = cached[1]
    if continuation is None:
        return False
    if continuation[2].opname == "STORE_SUBSCR":
        container = frame.f_locals.get(continuation[0].argval)
        return type(container) is dict and type(continuation[1].argval) in (str, int)
    return True


def _continuation(code, lasti):
    """The instructions after the await suspended at `lasti` (a YIELD_VALUE in its SEND loop),
    if they are one of _CONTINUATIONS; else None."""
    instructions = list(dis.get_instructions(code))
    at = next((i for i, ins in enumerate(instructions) if ins.offset == lasti), None)
    if at is None or [ins.opname for ins in instructions[at:at + 3]] != \
            ["YIELD_VALUE", "RESUME", "JUMP_BACKWARD_NO_INTERRUPT"]:
        return None
    rest = instructions[at + 3:]
    for names in _CONTINUATIONS:
        if tuple(ins.opname for ins in rest[:len(names)]) == names and rest[len(names) - 2].argval is None:
            return rest[:len(names)]
    return None
