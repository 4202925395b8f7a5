"""The `rt` a scenario's `async def main(rt)` receives under `gort check`: the workload API's
memory-model subset (shared variables, atomics, Mutex, RWMutex, WaitGroup, Once, channels, go).

Every operation on shared state is awaited: each is one step the explorer can interleave.
"""

import inspect
import os
import sys
from types import CoroutineType

from runtime import unawaited
from runtime.check import objects
from runtime.check.objects import GO, GOSCHED, PAR, SELECT, AtomicVar, Chan, Cond, Mutex, Var, WaitGroup, request
from runtime.errors import UserError


# Where a scenario's stack ends: below it, the machine stepping it (machine.py; compiled, the
# machine has no Python frames, and the next one down is run_once in the package's __init__.py).
_HERE = os.path.dirname(__file__)
DRIVER_FILES = frozenset(os.path.join(d, f) for d in (_HERE, os.path.abspath(_HERE))
                         for f in ("machine.py", "__init__.py"))


class Once:
    """sync.Once, built as Go builds it: an atomic done flag and a Mutex (so Once's edge —
    f's completion ⇒ every Do's return — follows from theirs)."""

    def __init__(self, name="once"):
        self.done = AtomicVar(f"{name}.done", 0)
        self.m = Mutex(f"{name}.m")

    def do(self, f, *args):
        """Call f once; every Do returns after f has returned. (A panic in f ends the scenario,
        so there is no deferred unlock to model.)"""
        return objects.operation(self._do(f, *args))

    async def _do(self, f, *args):
        objects.started()
        if await self.done.load() == 0:
            await self.m.lock()
            if await self.done.load() == 0:
                result = f(*args)
                if inspect.isawaitable(result):
                    await result
                await self.done.store(1)
            self.m.unlock()


class CheckRuntime:
    """The scenario's view of the machine. `outcome` holds the registers the scenario reports."""

    def __init__(self, machine, variant="plain"):
        self._machine = machine
        self.variant = variant
        self.outcome = {}
        self._par_lock = Mutex("variant.mu") if variant == "mutex" else None
        self.pars = []            # every rt.par call: (request, where, coroutines)

    def var(self, name, v=0):
        """A plain (non-atomic) shared variable: accesses may race and may be reordered.
        (The scenario's `atomic` variant makes it a sync/atomic variable instead.)"""
        if self.variant == "atomic":
            return AtomicVar(name, v)
        return Var(name, v)

    def atomic(self, v=0, name="atomic"):
        """A sync/atomic variable: sequentially consistent, synchronizing."""
        return AtomicVar(name, v)

    def Mutex(self, name="mu"):
        return Mutex(name)

    RWMutex = Mutex

    def WaitGroup(self, name="wg"):
        return WaitGroup(name)

    def Once(self, name="once"):
        return Once(name)

    def Cond(self, L, name="cond"):
        """sync.NewCond(L): `await c.wait()` (with L held), `c.signal()`, `c.broadcast()`."""
        return Cond(L, name)

    def chan(self, cap=0, zero=0, name="ch"):
        return Chan(name, cap, zero)

    def nil_chan(self, name="nil"):
        """A nil channel: every send and receive blocks forever."""
        return Chan(name, nil=True)

    def go(self, fn, *args):
        """The go statement: start fn(*args) as a new goroutine."""
        coro = fn(*args)
        if not inspect.iscoroutine(coro):
            raise TypeError(f"go {getattr(fn, '__name__', fn)}: the function must be `async def`")
        m = self._machine
        m.current.deferred.append((GO, coro, _caller_frames(m.internal_files), fn.__name__))

    def par(self, *fns):
        """Run each fn() as a goroutine and wait for them all: `await rt.par(p0, p1)` is
        `wg.Add(2); go p0(); go p1(); wg.Wait()` with each goroutine's end ⇒ par returning."""
        coros = [fn() for fn in fns]
        for fn, coro in zip(fns, coros):
            if type(coro) is not CoroutineType:
                _close_all(coros)
                raise TypeError(f"par {getattr(fn, '__name__', fn)}: the function must be `async def`")
        bodies = coros
        if self._par_lock is not None:       # the `mutex` variant: each body in one critical section
            bodies = [_locked(coro, self._par_lock) for coro in coros]
        created = _caller_frames(self._machine.internal_files)
        req = (PAR, [(body, created, fn.__name__) for body, fn in zip(bodies, fns)])
        self.pars.append((req, created, coros))
        return request(req)

    def check_awaited(self):
        """After an execution that ended normally: an rt.par never awaited started nothing,
        silently (the machine lists the rt.par requests it received). Say so."""
        started = self._machine.pars_started
        if len(started) == len(self.pars):
            return
        unawaited = [(req, created, coros) for req, created, coros in self.pars
                     if not any(req is s for s in started)]
        for req, _, coros in unawaited:
            _close_all(coros + [body for body, _, _ in req[1]])
        where = "".join(f"{code.co_filename}:{line}: " for code, line in unawaited[0][1][:1])
        raise UserError(f"{where}rt.par(...) is never awaited, so it runs nothing: write `await rt.par(...)`")

    def requests_lost(self):
        """Whether fewer requests reached the machine than the scenario made, beyond the rt.par
        requests never awaited (those have a message of their own): some may never be awaited."""
        m = self._machine
        return objects.issued[0] > m.requests + len(self.pars) - len(m.pars_started)

    def gosched(self):
        return request((GOSCHED,))

    def select(self, *cases, default=False):
        """`i, v, ok = await rt.select(c1.recv_case(), c2.send_case(x), default=False)`: i is the
        chosen case, -1 for default. Every ready case is explored, as Go picks one at random."""
        for case in cases:
            if type(case) is not tuple or len(case) != 3 or type(case[1]) is not Chan:
                raise TypeError(f"select case {case!r}: make cases with ch.recv_case() or ch.send_case(v)")
        return request((SELECT, cases, default))


async def _locked(coro, mu):
    await mu.lock()
    await coro
    mu.unlock()


def _close_all(coros):
    """Close coroutines that never started (no "never awaited" warning)."""
    for coro in coros:
        if inspect.iscoroutine(coro):
            coro.close()


def _caller_frames(internal_files):
    """The scenario frames of the `go` statement, innermost first (up to the machine's own)."""
    frames = []
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename not in DRIVER_FILES:
        if f.f_code.co_filename not in internal_files:
            frames.append((f.f_code, f.f_lineno))
        f = f.f_back
    return frames


# The calls that make a request to await (an atomic's add among them; a WaitGroup's add, unlock(),
# done() and close() are plain calls).
AWAITED_OPERATIONS = frozenset(("load", "store", "add", "swap", "compare_and_swap", "lock", "rlock", "wait",
                                "send", "recv", "recv2", "gosched", "select", "par", "do"))


def never_awaited_message(path, line):
    """The error for a request made at path:line and never awaited, quoting the call."""
    return unawaited.message(path, line, _unawaited_call(path, line) or "an rt operation")


def _unawaited_call(path, line):
    """The source of the call on `line` that makes a request and is not awaited, on one line."""
    try:
        source = open(path, encoding="utf-8").read()
        calls = unawaited.unawaited_calls(source, AWAITED_OPERATIONS)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return next((text for at, text in calls if at == line), None)
