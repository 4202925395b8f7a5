"""Go's sync package: Mutex (internal/sync/mutex.go), RWMutex, WaitGroup, Once, Cond.

Ported state machine by state machine: the Mutex's locked/woken/starving bits and waiter count,
spinning while `canSpin`, LIFO requeueing of a G that already waited, starvation mode after 1 ms
with direct handoff; RWMutex's readerCount/readerWait with writer preference; WaitGroup's counter
and waiters. The emulator runs one M at a time, so each CAS succeeds exactly when the state still
holds the value read before it. Blocking calls are coroutines (`await mu.lock()`); unlocking never
blocks and is a plain call (`mu.unlock()`).
"""

from runtime import proc, racert
from runtime.chan import safepoint
from runtime.panic import GoPanic, Goexit, raised_in_runtime, throw
from runtime.runtime2 import (waitReasonSyncCondWait, waitReasonSyncMutexLock,
                              waitReasonSyncRWMutexLock, waitReasonSyncRWMutexRLock,
                              waitReasonSyncWaitGroupWait)
from runtime.sema import SemaWord, notifyList, semacquire, semrelease

mutexLocked = 1
mutexWoken = 2
mutexStarving = 4
mutexWaiterShift = 3
starvationThresholdNs = 1_000_000
active_spin = 4
rwmutexMaxReaders = 1 << 30
_WG_GO_PC = ("sync.(*WaitGroup).Go", "$GOROOT/src/sync/waitgroup.go", 238)    # its go statement (Go 1.27)


def _now():
    return proc.sched.curm.now


def _charge(ns):
    proc.sched.curm.now += ns


class Mutex(SemaWord):
    """sync.Mutex: `state` holds the bits and the waiter count; `sema` (inherited) parks waiters.

    Shared by the Gs that use it; guarded by itself (atomic state) and its semaRoot lock.
    """

    __slots__ = ("state",)

    def __init__(self, addr):
        super().__init__(addr)
        self.state = 0

    async def lock(self):
        sched = proc.sched
        m = sched.curm
        m.now += sched.costs.mutex_fast
        if self.state == 0:
            self.state = mutexLocked
            if racert.enabled is not None:
                racert.enabled.acquire(m.curg, self)
            if m.now > sched.limit or m.curg.preempt:
                await safepoint()
            return
        await self._lock_slow()
        if racert.enabled is not None:
            racert.enabled.acquire(proc.sched.curm.curg, self)

    def try_lock(self):
        _charge(proc.sched.costs.mutex_fast)
        old = self.state
        if old & (mutexLocked | mutexStarving):
            return False
        self.state = old | mutexLocked
        if racert.enabled is not None:            # as Lock: Unlock ⇒ a successful TryLock
            racert.enabled.acquire(proc.sched.curm.curg, self)
        return True

    async def _lock_slow(self):
        sched = proc.sched
        costs = sched.costs
        wait_start = 0
        starving = False
        awoke = False
        it = 0
        old = self.state
        while True:
            if old & (mutexLocked | mutexStarving) == mutexLocked and _can_spin(sched, it):
                if not awoke and old & mutexWoken == 0 and old >> mutexWaiterShift != 0 \
                        and self.state == old:
                    self.state = old | mutexWoken
                    awoke = True
                sched.curm.now += costs.procyield       # runtime_doSpin: procyield(30)
                await safepoint()                       # let the holder's M run meanwhile
                it += 1
                old = self.state
                continue
            new = old
            if old & mutexStarving == 0:
                new |= mutexLocked
            if old & (mutexLocked | mutexStarving):
                new += 1 << mutexWaiterShift
            if starving and old & mutexLocked:
                new |= mutexStarving
            if awoke:
                if new & mutexWoken == 0:
                    throw("sync: inconsistent mutex state")
                new &= ~mutexWoken
            if self.state != old:                       # the CAS fails
                old = self.state
                continue
            self.state = new
            if old & (mutexLocked | mutexStarving) == 0:
                return                                  # locked with the CAS
            queue_lifo = wait_start != 0
            if wait_start == 0:
                wait_start = _now()
            await semacquire(self, queue_lifo, waitReasonSyncMutexLock)
            starving = starving or _now() - wait_start > starvationThresholdNs
            old = self.state
            if old & mutexStarving:
                # handed off in starvation mode: we own it; fix up the state
                if old & (mutexLocked | mutexWoken) or old >> mutexWaiterShift == 0:
                    throw("sync: inconsistent mutex state")
                delta = mutexLocked - (1 << mutexWaiterShift)
                if not starving or old >> mutexWaiterShift == 1:
                    delta -= mutexStarving              # exit starvation mode
                self.state += delta
                return
            awoke = True
            it = 0

    def unlock(self):
        sched = proc.sched
        sched.curm.now += sched.costs.mutex_fast
        if racert.enabled is not None and self.state & mutexLocked:
            racert.enabled.release_store(sched.curm.curg, self)
        new = self.state - mutexLocked
        self.state = new
        if new != 0:
            self._unlock_slow(new)

    def _unlock_slow(self, new):
        if (new + mutexLocked) & mutexLocked == 0:
            self.state = new + mutexLocked
            throw("sync: unlock of unlocked mutex")
        if new & mutexStarving == 0:
            old = new
            while True:
                if old >> mutexWaiterShift == 0 or old & (mutexLocked | mutexWoken | mutexStarving):
                    return
                new = (old - (1 << mutexWaiterShift)) | mutexWoken
                if self.state == old:
                    self.state = new
                    semrelease(self, False)
                    return
                old = self.state
        else:
            semrelease(self, True)   # hand the lock to the first waiter and yield to it


def _can_spin(sched, it):
    """sync_runtime_canSpin: a few rounds, only on a multicore with a spare P and an empty runq."""
    if it >= active_spin or sched.gomaxprocs <= len(sched.pidle) + sched.nmspinning + 1:
        return False
    p = sched.curm.p
    return p.runnext is None and p.runqhead == p.runqtail


class RWMutex:
    """sync.RWMutex: a writer Mutex plus reader counting (writers are preferred once waiting)."""

    __slots__ = ("w", "writerSem", "readerSem", "readerCount", "readerWait")

    def __init__(self, addr):
        self.w = Mutex(addr)
        self.writerSem = SemaWord(addr + 8)
        self.readerSem = SemaWord(addr + 12)
        self.readerCount = 0
        self.readerWait = 0

    async def rlock(self):
        _charge(proc.sched.costs.atomic)
        self.readerCount += 1
        if self.readerCount < 0:
            await semacquire(self.readerSem, False, waitReasonSyncRWMutexRLock)
        if racert.enabled is not None:
            racert.enabled.acquire(proc.sched.curm.curg, self)

    def try_rlock(self):
        _charge(proc.sched.costs.atomic)          # readerCount's load and CAS
        if self.readerCount < 0:
            return False
        self.readerCount += 1
        if racert.enabled is not None:            # as RLock: Unlock ⇒ a successful TryRLock
            racert.enabled.acquire(proc.sched.curm.curg, self)
        return True

    def runlock(self):
        _charge(proc.sched.costs.atomic)
        if racert.enabled is not None:
            racert.enabled.release(proc.sched.curm.curg, (self, "readers"))
        self.readerCount -= 1
        r = self.readerCount
        if r < 0:
            if r + 1 == 0 or r + 1 == -rwmutexMaxReaders:
                self.readerCount += 1
                throw("sync: RUnlock of unlocked RWMutex")
            self.readerWait -= 1
            if self.readerWait == 0:
                semrelease(self.writerSem, False)

    async def lock(self):
        await self.w.lock()
        self.readerCount -= rwmutexMaxReaders
        r = self.readerCount + rwmutexMaxReaders
        if r != 0:
            self.readerWait += r
            if self.readerWait != 0:
                await semacquire(self.writerSem, False, waitReasonSyncRWMutexLock)
        if racert.enabled is not None:
            gp = proc.sched.curm.curg
            racert.enabled.acquire(gp, self)
            racert.enabled.acquire(gp, (self, "readers"))

    def unlock(self):
        _charge(proc.sched.costs.atomic)
        if racert.enabled is not None:
            racert.enabled.release_store(proc.sched.curm.curg, self)
        self.readerCount += rwmutexMaxReaders
        r = self.readerCount
        if r >= rwmutexMaxReaders:
            self.readerCount -= rwmutexMaxReaders
            throw("sync: Unlock of unlocked RWMutex")
        for _ in range(r):
            semrelease(self.readerSem, False)
        self.w.unlock()


class WaitGroup(SemaWord):
    """sync.WaitGroup: counter `v` and waiter count `w` (Go packs them in one uint64)."""

    __slots__ = ("v", "w")

    def __init__(self, addr):
        super().__init__(addr)
        self.v = 0
        self.w = 0

    def add(self, delta):
        _charge(proc.sched.costs.atomic)
        if delta < 0 and racert.enabled is not None:
            racert.enabled.release(proc.sched.curm.curg, self)      # Done ⇒ the Wait it unblocks
        self.v += delta
        if self.v < 0:
            raise GoPanic("sync: negative WaitGroup counter")
        if self.w != 0 and delta > 0 and self.v == delta:
            raise GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait")
        if self.v > 0 or self.w == 0:
            return
        w, self.w = self.w, 0
        for _ in range(w):
            semrelease(self, False)

    def done(self):
        self.add(-1)

    async def wait(self):
        _charge(proc.sched.costs.atomic)
        if self.v != 0:
            self.w += 1
            await semacquire(self, False, waitReasonSyncWaitGroupWait)
            if self.v != 0 or self.w != 0:
                raise GoPanic("sync: WaitGroup is reused before previous Wait has returned")
        if racert.enabled is not None:
            racert.enabled.acquire(proc.sched.curm.curg, self)

    def go(self, fn, *args):
        """wg.Go(f) (Go 1.25, waitgroup.go): Add(1); go func() { defer Done unless f panicked; f() }()."""
        self.add(1)

        from runtime.api import run_func

        async def run():
            try:
                await run_func(fn, args)
            except Goexit:
                self.done()                       # Goexit runs the deferred Done
                raise
            except Exception as x:
                # f panicked: Go recovers and panics again without Done, lest Wait return and the
                # process exit before the panic kills it ("panic: v [recovered, repanicked]").
                if isinstance(x, GoPanic) or not raised_in_runtime(x):
                    raise GoPanic(x.value if isinstance(x, GoPanic) else x).with_traceback(x.__traceback__)
                raise                             # the emulator's own bug: reported as such
            self.done()
        run.__qualname__ = getattr(fn, "__qualname__", "func") + ".gowrap1"
        sched = proc.sched
        m = sched.curm
        # the goroutine is created inside sync, so Go's "created by" names wg.Go, not its caller
        sched.newproc(run(), (), m, m.curg.goid, _WG_GO_PC, run)


class Once:
    """sync.Once: `done` flag (fast path) and a Mutex for the slow path."""

    __slots__ = ("done", "m")

    def __init__(self, addr):
        self.done = False
        self.m = Mutex(addr + 4)

    async def do(self, fn, *args):
        _charge(proc.sched.costs.atomic)
        if not self.done:
            await self.m.lock()
            try:
                if not self.done:
                    try:
                        from runtime.api import run_func
                        await run_func(fn, args)
                    finally:
                        self.done = True
                        if racert.enabled is not None:    # f's completion ⇒ every Do returns
                            racert.enabled.release(proc.sched.curm.curg, self)
            finally:
                self.m.unlock()
        if racert.enabled is not None:
            racert.enabled.acquire(proc.sched.curm.curg, self)


class Cond:
    """sync.Cond: a notifyList of tickets; `L` is the Locker held around Wait."""

    __slots__ = ("L", "notify")

    def __init__(self, L, addr):
        self.L = L
        self.notify = notifyList(addr)

    async def wait(self):
        t = self.notify.add()
        self.L.unlock()
        await self.notify.wait_ticket(t, waitReasonSyncCondWait)
        if racert.enabled is not None:            # the Signal/Broadcast that woke ticket t ⇒ this Wait
            racert.enabled.acquire_once(proc.sched.curm.curg, (self, t))
        await self.L.lock()

    def signal(self):
        """Signal "synchronizes before" the Wait it unblocks (sync.Cond's doc), and no other: the
        race detector's clock goes to the ticket notify_one wakes, if any."""
        _charge(proc.sched.costs.atomic)
        race = racert.enabled
        if race is not None and self.notify.notify < self.notify.wait:
            race.release(proc.sched.curm.curg, (self, self.notify.notify))
        self.notify.notify_one()

    def broadcast(self):
        _charge(proc.sched.costs.atomic)
        race = racert.enabled
        if race is not None:
            for t in range(self.notify.notify, self.notify.wait):   # every Wait it unblocks
                race.release(proc.sched.curm.curg, (self, t))
        self.notify.notify_all()
