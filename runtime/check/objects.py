"""The shared objects of a checked scenario, and the requests its goroutines yield.

Plain and atomic variables, Mutex/RWMutex, WaitGroup, Cond, channels and rt.par's join, shaped like
the workload API (`await x.load()`, `mu.unlock()`, `await ch.send(v)`...). Awaited operations yield
one request to the machine: each is a step the explorer can interleave. Non-blocking plain calls
(Unlock, Done, Add, close, Signal) are queued with `inline` and performed as the goroutine's next
step(s). Objects are numbered in creation order (`oid`), which is the same in every execution that
replays the same prefix: the explorer compares footprints across executions by it.
"""

import inspect
import sys
import types
from collections import deque

from runtime.race import Shadow

# requests a goroutine yields
(START, RESUME, DEFERRED, LOAD, STORE, ALOAD, ASTORE, AADD, ASWAP, ACAS, LOCK, UNLOCK, RLOCK,
 RUNLOCK, WG_ADD, WG_WAIT, SEND, RECV, CLOSE, GOSCHED, GO, PAR, JOIN, SELECT, COND_WAIT,
 COND_NOTIFY) = range(26)
SYNC_OPS = frozenset((ALOAD, ASTORE, AADD, ASWAP, ACAS, LOCK, UNLOCK, RLOCK, RUNLOCK,
                      WG_ADD, WG_WAIT, SEND, RECV, CLOSE, JOIN, COND_WAIT, COND_NOTIFY))
OP_NAMES = ("start", "resume", "deferred", "load", "store", "atomic load", "atomic store", "atomic add",
            "atomic swap", "atomic cas", "lock", "unlock", "rlock", "runlock", "wg add", "wg wait",
            "send", "recv", "close", "gosched", "go", "par", "join", "select", "cond wait", "cond notify")

INIT_TID = 0               # clock slot of the initial writes, which happen before everything


running = None             # the Machine executing right now (one at a time): set by Machine.run
_oid = [0]                 # shared objects are numbered in creation order, afresh every execution
issued = [0]               # requests made in this execution (the machine counts those it gets)
made = None                # while re-running an execution: [(request, goroutine, (file, line))]
operations = []            # the operation coroutines made in this execution (see operation)



def reset_oids():
    """Number the objects of a new execution from 1 (and count its requests from 0)."""
    _oid[0] = 0
    issued[0] = 0
    drop_operations()


def new_oid():
    """An object's identity that is the same in every execution replaying the same prefix: the
    explorer compares footprints across executions, where Python's object identity would differ."""
    _oid[0] += 1
    return _oid[0]


def request(req):
    """One request to the machine, to await: resumes with its result. Counted when made, so an
    execution can tell that one was never awaited (CheckRuntime.requests_lost); and, while the
    execution is re-run to find it (`made` a list), recorded with where it was made."""
    issued[0] += 1
    gen = _yield(req)
    if made is not None:
        made.append((gen, running.current, _scenario_site()))
    return gen


def operation(coro):
    """An rt operation written as a coroutine (Cond.wait, Once.do), counted as made like a request
    until its body starts (`started`): one never awaited is found as a request is."""
    issued[0] += 1
    if made is not None:
        made.append((coro, running.current, _scenario_site()))
    operations.append(coro)     # kept, so that one never awaited is reported by the check, not
    return coro                 # by Python's "never awaited" warning (drop_operations closes it)


def drop_operations():
    """At an execution's end: close the operation coroutines never started (see operation)."""
    for coro in operations:
        coro.close()
    operations.clear()


def started():
    """The first thing an `operation` coroutine does: it was awaited after all."""
    issued[0] -= 1


def never_started(awaitable):
    """Whether a request or an operation coroutine was made and never run."""
    if type(awaitable) is types.CoroutineType:
        return inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED
    return inspect.getgeneratorstate(awaitable) == inspect.GEN_CREATED


def _scenario_site():
    """The innermost frame outside the checker's own files: where the scenario made a request."""
    f = sys._getframe(2)
    internal = running.internal_files
    while f is not None and f.f_code.co_filename in internal:
        f = f.f_back
    return None if f is None else (f.f_code.co_filename, f.f_lineno)


@types.coroutine
def _yield(req):
    """The generator a request awaits (lastop.py knows it by its code)."""
    return (yield req)


def inline(req):
    """A non-blocking sync operation (Unlock, Done, Add, close) called as a plain function, as in
    the workload API. It is queued and performed as the goroutine's next step(s), before its next
    request: each is still a point other goroutines and store-buffer drains can interleave with."""
    running.current.deferred.append(req)


class ScenarioPanic(Exception):
    """A Go panic inside a scenario goroutine (send on closed channel, negative WaitGroup...)."""


class SleepBlocked(Exception):
    """The exhaustive explorer found this execution redundant (all choices asleep)."""


class ReplayMismatch(Exception):
    """A replay token that does not fit the execution: raised through the scenario's own code (a
    load's value may be chosen where the scenario uses it), never taken for its panic."""


class Write:
    """One write of a plain variable: its value and the writer's clock at that moment."""

    __slots__ = ("value", "tid", "epoch", "clock")

    def __init__(self, value, tid, epoch, clock):
        self.value = value
        self.tid = tid
        self.epoch = epoch
        self.clock = clock


class Var:
    """A plain shared variable. Owned by the machine; accessed by one goroutine step at a time."""

    __slots__ = ("name", "hist", "nwrites", "shadow", "oid")

    def __init__(self, name, init):
        self.name = name
        self.hist = [Write(init, INIT_TID, 1, (1,))]    # in coherence (memory) order
        self.nwrites = 0
        self.shadow = Shadow()
        self.oid = new_oid()

    def load(self):
        return request((LOAD, self))

    def store(self, value):
        return request((STORE, self, value))


class AtomicVar:
    """A sync/atomic variable: sequentially consistent; each op synchronizes through `clock`."""

    __slots__ = ("name", "value", "clock", "nwrites", "oid")

    def __init__(self, name, init):
        self.name = name
        self.value = init
        self.clock = []
        self.nwrites = 0
        self.oid = new_oid()

    def load(self):
        return request((ALOAD, self))

    def store(self, value):
        return request((ASTORE, self, value))

    def add(self, delta):
        return request((AADD, self, delta))

    def swap(self, value):
        return request((ASWAP, self, value))

    def compare_and_swap(self, old, new):
        return request((ACAS, self, old, new))


class Mutex:
    """sync.Mutex / sync.RWMutex: Unlock ⇒ the next Lock; RUnlock ⇒ the next Lock; Unlock ⇒ RLock."""

    __slots__ = ("name", "owner", "readers", "clock", "rclock", "oid")

    def __init__(self, name="mu"):
        self.oid = new_oid()
        self.name = name
        self.owner = None
        self.readers = 0
        self.clock = []       # released by Unlock
        self.rclock = []      # released by RUnlock

    def lock(self):
        return request((LOCK, self))

    def unlock(self):
        return inline((UNLOCK, self))

    def rlock(self):
        return request((RLOCK, self))

    def runlock(self):
        return inline((RUNLOCK, self))


class WaitGroup:
    """sync.WaitGroup: Done ⇒ the return of the Wait it unblocks."""

    __slots__ = ("name", "count", "clock", "oid")

    def __init__(self, name="wg"):
        self.oid = new_oid()
        self.name = name
        self.count = 0
        self.clock = []

    def add(self, delta):
        return inline((WG_ADD, self, delta))

    def done(self):
        return inline((WG_ADD, self, -1))

    def wait(self):
        return request((WG_WAIT, self))


class Cond:
    """sync.Cond over a Locker L: a ticket queue (runtime notifyList). Signal/Broadcast ⇒ the Wait(s)
    it unblocks return: each ticket carries the clock of its own notifier (a Signal with no waiter,
    or one waking another ticket, is no edge)."""

    __slots__ = ("name", "L", "wait_ticket", "notify_ticket", "clocks", "oid")

    def __init__(self, L, name="cond"):
        self.oid = new_oid()
        self.name = name
        self.L = L
        self.wait_ticket = 0       # tickets handed to waiters (notifyListAdd)
        self.notify_ticket = 0     # tickets below this are woken
        self.clocks = {}           # woken ticket -> the clock of the Signal/Broadcast that woke it

    def wait(self):
        return operation(self._wait())

    async def _wait(self):
        started()
        ticket = self.wait_ticket  # notifyListAdd, before L is released, as Go does
        self.wait_ticket += 1
        self.L.unlock()
        await request((COND_WAIT, self, ticket))
        await self.L.lock()

    def signal(self):
        return inline((COND_NOTIFY, self, 1))

    def broadcast(self):
        return inline((COND_NOTIFY, self, None))


class Chan:
    """A channel. Send ⇒ its receive completes; unbuffered receive ⇒ its send completes; the k-th
    receive ⇒ the (k+C)-th send completes; close ⇒ a receive that returns because of it."""

    __slots__ = ("name", "cap_", "buf", "closed", "close_clock", "slots", "sends", "recvs", "nil", "zero", "oid")

    def __init__(self, name="ch", cap=0, zero=0, nil=False):
        self.oid = new_oid()
        self.name = name
        self.cap_ = cap
        self.buf = deque()
        self.closed = False
        self.close_clock = []
        self.slots = [[] for _ in range(max(cap, 1))]    # per-slot clocks (TSan's racenotify)
        self.sends = 0
        self.recvs = 0
        self.nil = nil
        self.zero = zero

    def send(self, value):
        return request((SEND, self, value))

    def recv(self):
        """The received value (the zero value once closed and drained)."""
        return _first(request((RECV, self)))

    def recv2(self):
        """(value, ok) as Go's `v, ok := <-ch`."""
        return request((RECV, self))

    def close(self):
        return inline((CLOSE, self))

    def recv_case(self):
        """A `case v, ok := <-ch:` for rt.select."""
        return (RECV, self, None)

    def send_case(self, value):
        """A `case ch <- value:` for rt.select."""
        return (SEND, self, value)

    def __len__(self):
        return len(self.buf)

    def cap(self):
        return self.cap_

    def __aiter__(self):
        return self

    async def __anext__(self):
        """for v := range ch"""
        value, ok = await self.recv2()
        if not ok:
            raise StopAsyncIteration
        return value


@types.coroutine
def _first(req):
    return (yield from req)[0]


class Join:
    """rt.par's join: every goroutine's end ⇒ par returns (a WaitGroup's Done ⇒ Wait, folded into
    the goroutines' ends so a litmus test spends its steps on its own operations)."""

    __slots__ = ("threads", "clock", "name", "running", "oid", "waiter")

    def __init__(self, waiter):
        self.oid = new_oid()
        self.waiter = waiter       # the goroutine waiting in rt.par
        self.threads = []
        self.clock = []
        self.name = "par"
        self.running = 0           # goroutines not yet returned

    def complete(self):
        """All returned, and (x86-TSO) their store buffers drained: Done is a locked instruction."""
        if self.running:
            return False
        for t in self.threads:
            if t.buffer:
                return False
        return True
