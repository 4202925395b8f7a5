"""The workload API: the `rt` object a workload's `async def main(rt)` receives (its only door in).

Go's statements and packages, as methods: `rt.go(fn, *args)`, `rt.chan(cap)`, `rt.select(...)`,
`rt.Mutex()`, `rt.WaitGroup()`, `rt.sleep(ns)`, `rt.new(size)`, ... Calls that may block are
coroutines (`await ch.send(v)`, `await mu.lock()`); the rest are plain calls (`rt.go`, `rt.new`,
`mu.unlock()`, `len(ch)`). Scheduler and allocator internals stay behind this face.
"""

import decimal
import inspect
import math
import re
import struct
import sys
import types

from runtime import panic as _panic
from runtime import proc, racert
from runtime.chan import Chan, NilChan, park, safepoint
from runtime.panic import Exit, GoPanic, Goexit, PanicNilError, throw, workload_fault
from runtime.proc import GOSCHED, GOYIELD, SYSCALL
from runtime.runtime2 import waitReasonSleep
from runtime.select import selectgo
from runtime.sync import Cond, Mutex, Once, RWMutex, WaitGroup
from runtime.traceback import is_workload

Nanosecond = 1
Microsecond = 1_000
Millisecond = 1_000_000
Second = 1_000_000_000
_is_coro_fn = {}


@types.coroutine
def _gosched():
    yield GOSCHED


async def _goyield_then_work(ns):
    """An Unlock in starvation mode handed the lock off: Go's semrelease1 yields at once
    (goyield), so the waiter runs before the releaser's next work is charged."""
    await safepoint()
    await Runtime.work(None, ns)


@types.coroutine
def _syscall(ns):
    yield (SYSCALL, ns)


async def run_func(fn, args=()):
    """fn(*args) as a goroutine's body, awaited when it returns an awaitable: a lambda returning a
    coroutine, or a channel operation itself (`rt.go(ch.send, v)`: a generator-based coroutine)."""
    try:
        r = fn(*args)
    except TypeError as err:
        _call_fault(err)
        raise
    if inspect.isawaitable(r):
        r = await r
    return r


def spawn(fn, args, depth):
    """newproc for `fn(*args)`; `depth` frames up is the go statement (for "created by")."""
    sched = proc.sched
    m = sched.curm
    try:
        isc = _is_coro_fn.get(fn)
    except TypeError:               # unhashable: no function (checked below)
        isc = None
    if isc is None:
        isc = _is_coro_func(fn)
    if isc:
        try:
            coro = fn(*args)
        except TypeError as err:
            _call_fault(err)
            raise
    else:
        async def call():
            return await run_func(fn, args)
        call.__qualname__ = getattr(fn, "__qualname__", "func")
        coro = call()
    f = sys._getframe(depth)
    code = f.f_code
    gopc = ("main." + code.co_qualname.replace(".<locals>.", "."), code.co_filename, f.f_lineno)
    gp = m.curg
    sched.newproc(coro, args, m, gp.goid if gp is not None else None, gopc, fn)


def _is_coro_func(fn):
    """Whether `go fn(...)` starts an async function (cached); the go statement's panic if fn is
    no function at all (Go's newproc1 throws for a nil one)."""
    if fn is None:
        throw("go of nil func value")
    if not callable(fn):
        raise workload_fault(TypeError(f"go of non-function value {fn!r} (type {type(fn).__name__})"))
    isc = inspect.iscoroutinefunction(fn)
    try:
        _is_coro_fn[fn] = isc
    except TypeError:               # an unhashable callable: not cached
        pass
    return isc


def _call_fault(err):
    """A TypeError raised by the call of the workload's function itself (wrong arguments, before
    its body ran: no deeper frame) is the workload's mistake, though raised here."""
    if err.__traceback__.tb_next is None:
        workload_fault(err)


class Atomic:
    """sync/atomic.Int64 (and friends): every operation costs one atomic instruction, is a
    scheduling point, and (under --race) synchronizes through the variable, as Go's atomics do."""

    __slots__ = ("v", "name")

    def __init__(self, v=0, name="atomic"):
        self.v = v
        self.name = name

    async def load(self):
        g = _atomic_op(self, _LOAD)
        v = self.v
        await _maybe_yield(g)
        return v

    async def store(self, v):
        g = _atomic_op(self, _STORE)
        self.v = v
        await _maybe_yield(g)

    async def add(self, d):
        g = _atomic_op(self, _RMW)
        self.v += d
        v = self.v
        await _maybe_yield(g)
        return v

    async def swap(self, v):
        g = _atomic_op(self, _RMW)
        old, self.v = self.v, v
        await _maybe_yield(g)
        return old

    async def compare_and_swap(self, old, new):
        swapped = self.v == old
        g = _atomic_op(self, _RMW if swapped else _LOAD)
        if swapped:
            self.v = new
        await _maybe_yield(g)
        return swapped


# What an atomic operation does to the race detector's clocks, as TSan's Go atomics do (Load
# acquire, Store release, read-modify-write acquire-release, a failed CompareAndSwap acquire): an
# atomic write synchronizes with the atomic operations that observe it, and a Store observes nothing.
_LOAD, _STORE, _RMW = (True, False), (False, True), (True, True)


def _atomic_op(a, kind):
    """Charge one atomic instruction; under --race, synchronize through the variable as `kind`
    says. A release replaces the variable's clock (TSan's release-store): a load then syncs only
    with the store it reads, not with every earlier one (after an acquire the same as a merge)."""
    sched = proc.sched
    m = sched.curm
    m.now += sched.costs.atomic
    race = racert.enabled
    if race is not None:
        acquires, releases = kind
        if acquires:
            race.acquire(m.curg, a)
        if releases:
            race.release_store(m.curg, a)
    return m


async def _maybe_yield(m):
    """A scheduling point: hand over if this M's clock passed its limit or a preemption is due."""
    sched = proc.sched
    if m.now > sched.limit or m.curg.preempt:
        await safepoint()


class Var:
    """A shared variable: plain (non-atomic) loads and stores. Each access is a scheduling point,
    and under --race (or a debug-level log) it is checked and logged with the goroutine's clock."""

    __slots__ = ("name", "v")

    def __init__(self, name, v=0):
        self.name = name
        self.v = v

    async def load(self):
        m = _access(self, False)
        v = self.v
        await _maybe_yield(m)
        return v

    async def store(self, v):
        self.v = v
        m = _access(self, True)
        await _maybe_yield(m)


def _access(var, is_write):
    sched = proc.sched
    m = sched.curm
    m.now += sched.costs.mem_access
    race = racert.enabled
    if race is not None:
        race.access(m.curg, var, is_write, var.v)
    return m


class TimerChan(Chan):
    """A timer's channel. Go 1.23+ timer channels are synchronous: len and cap are 0, and Stop and
    Reset discard a value not yet received. Inside, as in Go's runtime, a 1-slot buffer holds the
    fired value until it is received or discarded."""

    __slots__ = ()

    def __len__(self):
        return 0

    def cap(self):
        return 0


class Timer:
    """time.Timer: fires once `ns` from now, sending the virtual time on its channel `c`."""

    __slots__ = ("c", "seq", "fn")

    def __init__(self, rt, ns, fn=None):
        self.c = rt.chan(1, _kind=TimerChan)
        self.fn = fn
        self.seq = 0
        self._arm(ns)

    def _arm(self, ns):
        sched = proc.sched
        self.seq = sched.addtimer(sched.curm.now + max(ns, 0), _fire_timer, self)

    def stop(self):
        """Stop(): True if the timer was pending, or had fired but its value was not received
        (Go 1.23+: timerchandrain discards it; no stale value stays in `c`)."""
        pending = proc.sched.deltimer(self.seq)
        if self.c.buf:
            self.c.buf.clear()
            pending = True
        return pending

    def reset(self, ns):
        pending = self.stop()
        self._arm(ns)
        return pending


def _fire_timer(t, when, m):
    if t.fn is not None:
        spawn_at(t.fn, m)
    elif len(t.c.buf) < 1:
        c = t.c
        sg = None
        from runtime.chan import dequeue
        if c.recvq:
            sg = dequeue(c.recvq)
        if sg is not None:
            sg.elem = when
            sg.success = True
            proc.sched.goready(sg.g, m)
        else:
            c.buf.append(when)


def spawn_at(fn, m):
    """time.AfterFunc: the function runs in its own goroutine."""
    sched = proc.sched
    coro = fn() if inspect.iscoroutinefunction(fn) else run_func(fn)
    sched.newproc(coro, (), m, None, None, fn)


def _wake_sleeper(gp, when, m):
    proc.sched.goready(gp, m)


class Runtime:
    """The `rt` object: Go's language statements and standard packages for a workload."""

    Nanosecond, Microsecond, Millisecond, Second = Nanosecond, Microsecond, Millisecond, Second
    Panic = GoPanic

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.gosched = _gosched          # the hot ones: no method call in between

    gosched_doc = """runtime.Gosched(): `await rt.gosched()`; this G goes to the global run queue."""

    # goroutines and scheduling
    def go(self, fn, *args):
        """go fn(args...)"""
        spawn(fn, args, 2)

    def work(self, ns):
        """Compute for `ns` of virtual CPU time (a safe point: preemption may stop the G here)."""
        sched = proc.sched
        m = sched.curm
        if m.curg.preempt == GOYIELD:
            return _goyield_then_work(ns)
        m.now += ns
        if m.now > sched.limit or m.curg.preempt:
            return safepoint()
        return _NOTHING

    def syscall(self, ns):
        """A blocking system call of `ns`: `await rt.syscall(ns)`; sysmon may hand the P off."""
        return _syscall(ns)

    def gomaxprocs(self):
        return proc.sched.gomaxprocs

    def num_goroutine(self):
        return len(proc.sched.allgs)

    def goid(self):
        return proc.sched.curm.curg.goid

    # channels and select
    def chan(self, cap=0, zero=None, elemsize=8, pointers=False, _kind=Chan):
        """make(chan T, cap): allocates the hchan (and its buffer) through mallocgc."""
        from runtime.chan import hchanSize
        sched = proc.sched
        if type(cap) is not int or cap < 0 or cap * elemsize > proc.MAX_ALLOC - hchanSize:
            raise GoPanic("makechan: size out of range")
        if elemsize == 0 or not pointers:
            addr = sched.malloc(hchanSize + cap * elemsize, True)
        else:
            addr = sched.malloc(hchanSize, False)
            if cap:
                sched.malloc(cap * elemsize, False)
        f = sys._getframe(1)
        while f.f_back is not None and not is_workload(f.f_code.co_filename):
            f = f.f_back                  # a timer's channel: named after the workload's line
        return _kind(cap, addr, zero, elemsize, site=f"{f.f_code.co_filename.rsplit('/', 1)[-1]}:{f.f_lineno}")

    def nil_chan(self):
        """A nil channel: blocks forever on send and receive; never ready in a select."""
        return NilChan()

    def select(self, *cases, default=False):
        """select { case ...: } -> (index, value, ok); index -1 means the default case ran."""
        return selectgo(cases, not default)

    # sync
    def Mutex(self):
        return Mutex(self._syncobj(8) + 4)

    def RWMutex(self):
        return RWMutex(self._syncobj(24))

    def WaitGroup(self):
        return WaitGroup(self._syncobj(16) + 8)

    def Once(self):
        return Once(self._syncobj(12))

    def Cond(self, L):
        return Cond(L, self._syncobj(48))

    def atomic(self, v=0, name="atomic"):
        return Atomic(v, name)

    def var(self, name, v=0):
        return Var(name, v)

    def _syncobj(self, size):
        return proc.sched.malloc(size, True)

    # time
    def now(self):
        """time.Now() as virtual ns since the start of the run."""
        return proc.sched.curm.now

    async def sleep(self, ns):
        """time.Sleep(ns)"""
        if ns <= 0:
            return
        sched = proc.sched
        m = sched.curm
        sched.addtimer(m.now + ns, _wake_sleeper, m.curg)
        await park(waitReasonSleep)

    def after(self, ns):
        """time.After(ns): a channel that receives the virtual time once ns have passed."""
        return Timer(self, ns).c

    def timer(self, ns):
        return Timer(self, ns)

    def after_func(self, ns, fn):
        return Timer(self, ns, fn)

    # memory
    def new(self, size, pointers=False):
        """new(T) of `size` bytes: mallocgc on this P's mcache; returns the address."""
        return proc.sched.malloc(size, not pointers)

    def make(self, elemsize, n, pointers=False):
        """make([]T, n): one mallocgc of n * elemsize bytes; returns the address."""
        if type(n) is int and (n < 0 or type(elemsize) is int and elemsize * n > proc.MAX_ALLOC):
            raise GoPanic("runtime error: makeslice: len out of range")
        return proc.sched.malloc(elemsize * n, not pointers)

    # output and failure
    def println(self, *args):
        """fmt.Println: each argument is boxed into an interface (convT allocations) then printed.

        The []any holding them stays on the caller's stack (Println's ... does not escape) and the
        line goes to os.Stdout through fmt's pooled buffer: boxing is all Go allocates."""
        sched = proc.sched
        for a in args:
            _box(sched, a)
        if _panic.silenced:      # a deferred call run while the process ends: Go never runs it
            return
        self.out.write(" ".join(gofmt(a) for a in args) + "\n")

    def printf(self, fmt, *args):
        """fmt.Printf with Go's common verbs (%v %d %s %q %t %x %f %c %%)."""
        sched = proc.sched
        for a in args:
            _box(sched, a)
        if _panic.silenced:
            return
        self.out.write(sprintf(fmt, *args))

    def sprintf(self, fmt, *args):
        """fmt.Sprintf: the arguments boxed as Println's, then string(p.buf) of the result
        (slicebytetostring: nothing for "" or a single byte, which come from static data)."""
        sched = proc.sched
        for a in args:
            _box(sched, a)
        s = sprintf(fmt, *args)
        n = len(s) if s.isascii() else len(s.encode())
        if n > 1:
            sched.malloc(n, True)
        return s

    def goexit(self):
        """runtime.Goexit(): end this goroutine (its finally blocks run); main's end does not exit."""
        raise Goexit()

    def panic(self, value):
        """panic(value); panic(nil) panics with a *runtime.PanicNilError, as since Go 1.21."""
        raise GoPanic(PanicNilError() if value is None else value)

    def exit(self, code):
        """os.Exit(code): no deferred call runs (the `finally` blocks unwinding runs print nothing)."""
        self.out.flush()
        _panic.stop_output()
        raise Exit(code)


class _Nothing:
    __slots__ = ()

    def __await__(self):
        return iter(())


_NOTHING = _Nothing()


def _box(sched, a):
    """convT64 / convTstring / convTslice: what boxing a value into an interface allocates.

    Bools (1-byte) and ints 0..255 point into runtime.staticuint64s, a float64 whose bits are 0..255
    too (convT64 takes the bits), "" at zeroVal; a map, channel or nil is pointer-shaped. A slice
    (a list) boxes its 24-byte header, and fmt prints it by reflection: each element's
    Value.Interface() allocates a copy, whatever its value (_box_elem)."""
    if isinstance(a, bool) or a is None:
        return
    if isinstance(a, int):
        if not 0 <= a < 256:            # small values use runtime.staticuint64s
            sched.malloc(8, True)
    elif isinstance(a, float):
        if not 0 <= _float_bits(a) < 256:
            sched.malloc(8, True)
    elif isinstance(a, str):
        if a:
            sched.malloc(16, False)
    elif isinstance(a, list):
        sched.malloc(24, False)
        for x in a:
            _box_elem(sched, x)


def _box_elem(sched, a):
    """reflect's packEface of one element fmt prints: unsafe_New of its type, no static values."""
    if isinstance(a, bool):
        sched.malloc(1, True)
    elif isinstance(a, (int, float)):
        sched.malloc(8, True)
    elif isinstance(a, str):
        sched.malloc(16, False)
    elif isinstance(a, list):
        sched.malloc(24, False)
        for x in a:
            _box_elem(sched, x)


def _float_bits(f):
    return struct.unpack("<Q", struct.pack("<d", f))[0]


def gofmt(v):
    """%v formatting as Go's fmt prints the common kinds."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _gofloat(v)
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(gofmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{gofmt(k)}:{gofmt(x)}" for k, x in sorted(v.items())) + "]"
    if isinstance(v, Chan):
        return "<nil>" if v.nil else f"{v.addr:#x}"
    return str(v)


def _gofloat(f):
    """strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent when exp < -4 || exp >= 6 (shortest)."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0" if str(f)[0] != "-" else "-0"
    sign, digits, exp = decimal.Decimal(repr(f)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    x = len(ds) + exp - 1
    s = "-" if sign else ""
    if x < -4 or x >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{s}{mant}e{'+' if x >= 0 else '-'}{abs(x):02d}"
    if exp >= 0:
        return s + ds + "0" * exp
    point = len(ds) + exp
    if point > 0:
        return s + ds[:point] + "." + ds[point:]
    return s + "0." + "0" * (-point) + ds


def _wrong_kind(verb, a):
    """A number printed with a verb of the other kind (%d of a float, %g of an int)."""
    if isinstance(a, bool):
        return verb in "deEfFgG"
    return (verb == "d" and isinstance(a, float)) or (verb in "eEfFgG" and isinstance(a, int))


def _go_type(a):
    return {bool: "bool", int: "int", float: "float64", str: "string"}.get(type(a), type(a).__name__)


def _fmt_float(f, flags, prec, verb):
    """fmt.fmtFloat for %e %E %f %F %g %G: strconv's digits (%g without a precision is the shortest
    form, as %v; %#g keeps 6 significant digits at least), then Go's sign rules: '+' and ' ' flags,
    +Inf and -Inf always signed, NaN signed only when asked."""
    if f != f or f in (math.inf, -math.inf):
        body = "NaN" if f != f else "Inf"
        sign = "-" if f < 0 else "+" if "+" in flags or body == "Inf" and " " not in flags else \
            " " if " " in flags else ""
        return sign + body
    if verb in "gG" and prec is None:
        s = _gofloat(f)
        if "#" in flags:
            s = _at_least_six_digits(s)
    else:
        s = format(f, f"{'#' if '#' in flags else ''}.{prec if prec is not None else 6}{verb.lower()}")
    if verb.isupper():
        s = s.upper()
    if s[0] != "-" and ("+" in flags or " " in flags):
        s = ("+" if "+" in flags else " ") + s
    return s


def _at_least_six_digits(s):
    """%#g without a precision: the shortest digits, with a decimal point and zeros up to 6 digits."""
    mant, e, exp = s.partition("e")
    digits = sum(c.isdigit() for c in mant.lstrip("-0.")) or 1
    if "." not in mant:
        mant += "."
    return mant + "0" * max(0, 6 - digits) + e + exp


_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def sprintf(fmt, *args):
    """fmt.Sprintf for the verbs workloads use; a missing argument prints Go's %!v(MISSING)."""
    it = iter(args)

    def one(mo):
        flags, width, prec, verb = mo.groups()
        if verb == "%":
            return "%"
        try:
            a = next(it)
        except StopIteration:
            return f"%!{verb}(MISSING)"
        if _wrong_kind(verb, a):
            s = f"%!{verb}({_go_type(a)}={gofmt(a)})"      # Go's bad-verb form: %!d(float64=1.5)
        elif verb == "v":
            s = gofmt(a)
        elif verb == "d":
            s = str(int(a))
            if a >= 0 and ("+" in flags or " " in flags):    # Go's sign flags
                s = ("+" if "+" in flags else " ") + s
        elif verb == "s":
            s = gofmt(a)
        elif verb == "q":
            s = '"' + str(a).replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif verb == "t":
            s = gofmt(bool(a))
        elif verb in "xX":
            s = format(a, ("#" if "#" in flags else "") + verb) if isinstance(a, int) else str(a).encode().hex()
            if verb == "X" and isinstance(a, str):
                s = s.upper()
        elif verb in "eEfFgG":
            s = _fmt_float(float(a), flags, prec, verb)
            if s[-1] in "fN" and "0" in flags:       # Inf and NaN: padded with spaces, as Go does
                flags = flags.replace("0", "")
        elif verb == "c":
            s = chr(a)
        elif verb == "T":
            s = type(a).__name__
        else:
            s = f"%!{verb}({gofmt(a)})"
        if width:
            w = int(width)
            if "-" in flags:
                s = s.ljust(w)
            elif "0" in flags and s[:1] in ("+", "-", " ") and verb in "vdeEfFgG":   # sign, then zeros
                s = s[0] + s[1:].rjust(w - 1, "0")
            else:
                s = s.rjust(w, "0" if "0" in flags else " ")
        return s

    return _VERB.sub(one, fmt)
