"""The scheduler: Ms run Gs while they hold Ps (Go's proc.go).

Ms are trio tasks, but the emulator, not trio, decides which runs: exactly one M task is runnable
at a time, the active M with the smallest (virtual clock, id). It keeps running while its clock is
within LOOKAHEAD_NS of the next M's clock, then hands over (`_switch`): a trio-level reschedule of
the next M's task, a few microseconds of host time, so it happens rarely and never per G step. With
one P a Gosched never touches trio.

A G is a coroutine of workload code. Its blocking operations yield a small request to its M:

    SAFEPOINT          nothing to do; the M may hand over or honour a preemption request
    GOSCHED            runtime.Gosched: the G goes to the global queue
    waitReason         gopark: the G already queued itself where it waits (channel, semaphore,
                       timer); the request is its wait reason, e.g. "chan receive"
    (SYSCALL, ns)      a blocking system call; sysmon may retake the P meanwhile

Go's scheduling rules, by Go's names: runqput (runnext, 256-slot ring, half to the global queue on
overflow), findRunnable (1/61 global check, local, global batch, stealWork over Ps in a random
coprime order, 4 rounds, runnext last), wakep/startm/stopm/handoffp with spinning Ms, syscalls with
sysmon retake (sysmon.py), Gosched and preemption to the global queue.
"""

import random
import sys
from collections import deque

import trio

from runtime import lock as rlock
from runtime import racert
from runtime import runq as rq
from runtime import traceback
from runtime.lock import RuntimeLock
from runtime.note import LOOKAHEAD_NS, MHandover
from runtime.panic import Exit, GoPanic, Goexit, throw, workload_fault
from runtime.runtime2 import G, P, waitReason, _Gdead, _Grunnable, _Grunning, _Gsyscall, _Gwaiting, _Pidle, _Prunning
from runtime.time import Timers

forcePreemptNS = 10_000_000
_GoidCacheBatch = 16
# runtime.main runs the runtime's own goroutines (gcenable's bgsweep and bgscavenge, forcegc
# helper, ...) before the user's main, so P0's schedtick is not 0 when main.main starts. With 1,
# the 1-in-61 global-queue check falls where native Go 1.27.3 has it (53-56 in tests/test_proc.py).
STARTUP_SCHEDTICKS = 1

# G -> M requests (tuples, compared by identity where they carry nothing).
SAFEPOINT = (0,)
GOSCHED = (1,)
SYSCALL = 3
MAX_ALLOC = 1 << 48  # maxAlloc on linux/amd64: the heap's whole address space (malloc.go)
MAX_BLOCK = 1 << 36  # the emulated machine's memory (64 GiB): a larger block cannot be mapped, and
                     # the emulator keeps per-page state, so it would not fit in the host either
GOYIELD = 2          # g.preempt value asking for goyield rather than preemption (sema.py)

sched = None   # the running scheduler: one emulated process at a time


class Sched(MHandover, Timers):
    """schedt plus the emulator's own loop: Ps, Ms, the global run queue, idle lists, timers.

    Owned by the emulated process; its fields change only on the one M that runs at a time. Go's
    sched.lock is `self.lock`, a RuntimeLock held across virtual time where Go takes it.
    """

    # Slots: the hot loop reads these on every switch (Python 3.11 reads a slot fastest).
    __slots__ = ("_mallocgc", "active", "allgs", "allm", "alloc_bytes", "allp", "coprimes", "costs", "curm",
                 "debug", "failure", "fakeaddr", "goidgen", "gomaxprocs", "handoffs", "heap", "limit",
                 "lock", "lookahead_ns", "locks", "log", "main_goexit", "main_started", "mallocs", "midle", "msteps",
                 "next_sample_at", "ngoroutines", "nmspinning", "nursery", "observer", "on_sample",
                 "on_tick", "pidle", "poller", "preemptions", "rng", "runq", "samplers", "schedtrace_ns",
                 "semtable", "snapshot_ns", "status", "steals", "stolen", "sysmon", "sysmonwait", "timers",
                 "timerseq", "vt_end")

    def __init__(self, procs, seed, costs, heap=None, observer=None, log=None, lookahead_ns=LOOKAHEAD_NS):
        self.costs = costs
        self.lookahead_ns = lookahead_ns   # how far the running M's clock may pass the next one's
        self.heap = heap
        self.log = log
        self.debug = bool(log is not None and log.debug_enabled)
        self.rng = random.Random(seed)
        self.gomaxprocs = procs
        self.allp = [P(i) for i in range(procs)]
        for p in self.allp:
            if heap is not None:
                heap.attach_p(p)
        self.lock = RuntimeLock("sched", "sched.lock", costs, section_ns=costs.sched_lock_hold)
        self.lock.observer = observer
        self.observer = observer
        self.runq = deque()            # sched.runq: the global run queue, under sched.lock
        self.pidle = []                # idle Ps (a stack, as pidleput/pidleget)
        self.midle = []                # idle Ms (a stack, as mput/mget)
        self.nmspinning = 0
        self.allm = []
        self.active = []               # Ms with a clock that matters: running, spinning, in a syscall, polling
        self.curm = None               # the one M running now
        self.limit = 0                 # curm hands over once its clock passes this
        self.timers = []               # heap of (when, seq, fn, arg)
        self.timerseq = 0
        self.poller = None             # the M blocked in netpoll until the next timer
        self.goidgen = 0
        self.allgs = {}                # goid -> G, live ones (for the deadlock dump)
        self.main_started = False
        self.main_goexit = False
        self.nursery = None
        self.coprimes = [i for i in range(1, procs + 1) if _gcd(i, procs) == 1]
        self.sysmon = None
        self.sysmonwait = False
        self.schedtrace_ns = 0
        self.status = None
        self.failure = None            # (kind, G, exception or None) to report
        self.on_tick = None            # progress hook, called by sysmon
        # counters for the summary
        self.ngoroutines = 0
        self.steals = 0
        self.stolen = 0
        self.preemptions = 0
        self.handoffs = 0
        self.msteps = 0                # trio-level hand-overs between Ms
        self.mallocs = 0
        self.alloc_bytes = 0
        self.vt_end = 0
        self.locks = [self.lock]       # every runtime lock, for the summary
        self.semtable = [None] * 251   # semaRoots, made on first use (sema.py)
        self.snapshot_ns = 1_000_000
        self.fakeaddr = 0xc000000000
        self.samplers = None           # per-P MemProfileSampler, when the log wants malloc_sample
        self.on_sample = None
        self.next_sample_at = float("inf")   # alloc_bytes at which the next malloc_sample falls
        if heap is not None:
            from runtime.malloc import mallocgc
            self._mallocgc = mallocgc
            for lock in heap.runtime_locks():
                lock.observer = observer
                self.locks.append(lock)
        for p in reversed(self.allp):
            self.pidleput(p)

    @property
    def switches(self):
        """Gs started on an M: each either began a time slice (schedtick) or inherited one."""
        return sum(p.schedtick + p.inherits for p in self.allp) - STARTUP_SCHEDTICKS

    def register_lock(self, lock):
        lock.observer = self.observer
        self.locks.append(lock)

    def malloc(self, size, noscan):
        """new/make from the running G: mallocgc on this P's mcache (fast-path cost charged here)."""
        if type(size) is not int or not 0 <= size <= MAX_BLOCK:
            self._bad_size(size)
        m = self.curm
        costs = self.costs
        m.now += costs.malloc_tiny if noscan and size < 16 else costs.malloc_fast
        self.mallocs += 1
        self.alloc_bytes += size
        if self.heap is None:
            addr = self.fakeaddr
            self.fakeaddr += (size + 15) & ~15
        else:
            addr = self._mallocgc(m.p.mcache, size, noscan)
        if self.alloc_bytes >= self.next_sample_at:      # MemProfileRate: a sample is due
            self._profilealloc(m, size, addr)
        return addr

    def _bad_size(self, size):
        """A size malloc cannot serve: not one (the workload's panic), or a block larger than the
        emulated machine can map (Go's fatal out of memory, as mallocgc's large path fails)."""
        if type(size) is not int or size < 0:
            raise workload_fault(TypeError(f"cannot allocate {size!r} bytes: a size is an int >= 0"))
        st = self.heap.stats if self.heap is not None else None
        in_use = st.heapInUse + st.heapFree + st.heapReleased if st is not None else 0
        print(f"runtime: out of memory: cannot allocate {size}-byte block ({in_use} in use)", file=sys.stderr)
        throw("out of memory")

    def _profilealloc(self, m, size, addr):
        """Log this allocation as a heap-profile sample and draw the next gap (exponential, mean
        MemProfileRate) from the P's sampler: Go's mcache.nextSample countdown, kept as the
        allocated-bytes mark at which the next sample falls, so a malloc pays one comparison."""
        sampler = self.samplers[m.p.id]
        sampler.next_sample = -1
        sampler.sampled(0)                       # draws the next gap
        self.next_sample_at = self.alloc_bytes + sampler.next_sample
        self.on_sample(m, size, addr)

    # ---- the process ------------------------------------------------------------------------------

    async def run(self, main_fn, rt):
        """Run `main_fn(rt)` as G1 on M0 until the process exits; returns the exit status."""
        global sched
        sched = self
        try:
            await self._run_main(main_fn, rt)
        finally:
            rlock.horizon = float("-inf")   # the scheduler that kept it has stopped
        return self.status

    async def _run_main(self, main_fn, rt):
        async with trio.open_nursery() as nursery:
            self.nursery = nursery
            m0 = self.newm(start=False)
            p0 = self.pidleget(m0)
            self.acquirep(m0, p0)
            from runtime import sysmon
            self.sysmon = sysmon.start(self)
            self.newproc(main_fn, (rt,), m0, parent=None, gopc=None)
            # goids 2-5 are the runtime's own goroutines in Go (forcegc helper, bgsweep,
            # bgscavenge, finalizer), not emulated: the first `go` statement gets goid 6, as in Go.
            p0.goidcache += 4
            p0.schedtick = STARTUP_SCHEDTICKS
            self.main_started = True
            self.active.append(m0)
            self.curm = m0
            self._set_limit(m0)
            nursery.start_soon(self._mtask, m0, self._mloop)

    # ---- Ps and Ms -------------------------------------------------------------------------------

    def pidleput(self, p):
        p.status = _Pidle
        p.m = None
        self.pidle.append(p)

    def pidleget(self, waker):
        if not self.pidle:
            return None
        p = self.pidle.pop()
        self.wake_sysmon(waker)
        return p

    def wake_sysmon(self, waker):
        """A P is busy again: sysmon leaves sysmonwait (Go wakes it in exitsyscall and startm)."""
        if self.sysmonwait:
            self.sysmonwait = False
            self.activate(self.sysmon, waker.now)

    def acquirep(self, m, p):
        p.status = _Prunning
        p.m = m
        m.p = p

    def releasep(self, m):
        p = m.p
        m.p = None
        p.m = None
        return p

    def wakep(self, m):
        """Wake one spinning M for an idle P, unless someone already spins (proc.go wakep)."""
        if self.nmspinning != 0 or not self.pidle:
            return
        self.nmspinning += 1
        self.lock.acquire(m)
        m.now += self.costs.sched_lock_hold
        p = self.pidleget(m)
        self.lock.release(m)
        self.startm(m, p, spinning=True)

    def startm(self, waker, p, spinning):
        """Give P to an idle M (or a new one) and wake it (notewakeup: costs the wakee wake_m)."""
        if self.midle:
            nm = self.midle.pop()
            nm.idle = False
        else:
            nm = self.newm()
        nm.nextp = p
        nm.spinning = spinning
        p.m = nm
        p.status = _Prunning
        self.activate(nm, waker.now + self.costs.wake_m)

    def handoffp(self, m, p):
        """An M gives up P it cannot use (syscall retake, exitsyscall): start an M if there is work."""
        if rq.runqsize(p) or self.runq:
            self.startm(m, p, spinning=False)
            return
        if self.nmspinning + len(self.pidle) == 0:
            self.nmspinning += 1
            self.startm(m, p, spinning=True)
            return
        if self.timers and self.poller is None and self.nmspinning == 0 and len(self.pidle) == self.gomaxprocs - 1:
            self.startm(m, p, spinning=False)   # someone must run the timers
            return
        self.pidleput(p)

    async def stopm(self, m):
        """Park an M with no P on the idle list until startm gives it one."""
        m.idle = True
        self.midle.append(m)
        await self._sleep_m(m)
        p = m.nextp
        m.nextp = None
        self.acquirep(m, p)

    def checkdead(self, m):
        """No M can run any more: every goroutine is blocked for good (Go's checkdead).

        A pending timer always has a poller M blocked until it (netpoll_until_timer), and that M
        is active, so reaching here means no timer can wake anyone either.
        """
        message = None
        if self.main_goexit and not self.allgs:
            message = "no goroutines (main called runtime.Goexit) - deadlock!"
        self.failure = ("deadlock", None, message)
        raise Exit(2)

    # ---- goroutines -------------------------------------------------------------------------------

    def newgoid(self, p):
        if p.goidcache == p.goidcacheend:
            p.goidcache = self.goidgen + 1
            self.goidgen += _GoidCacheBatch
            p.goidcacheend = self.goidgen + 1
        goid = p.goidcache
        p.goidcache += 1
        return goid

    def newproc(self, coro, args, m, parent, gopc, fn=None):
        """The go statement: a new G in the creating P's runnext (proc.go newproc)."""
        p = m.p
        if not hasattr(coro, "send"):
            fn = coro
            coro = coro(*args)
        gp = G(self.newgoid(p), coro, fn, parent, gopc)
        if racert.enabled is not None:
            racert.enabled.gostart(m.curg, gp)
        gp.ready_at = m.now
        m.now += self.costs.newproc
        self.allgs[gp.goid] = gp
        self.ngoroutines += 1
        if self.debug:
            self.log.event("go_create", m.now, m=m.id, p=p.id, g=_goid(m), newg=gp.goid, parent_g=parent,
                           fn=getattr(fn, "__qualname__", None))
        rq.runqput(self, p, gp, True)
        if self.main_started:
            self.wakep(m)
        return gp

    def goready(self, gp, m):
        """Make a parked G runnable, in the waker's runnext (ready(gp, next=true))."""
        gp.status = _Grunnable
        # It cannot run again before it parked: the waker's M may lag behind in virtual time
        # (within the lookahead), so its clock alone is not enough.
        now = m.now
        gp.ready_at = now if now > gp.waitsince else gp.waitsince
        if self.debug:
            self.log.event("go_ready", m.now, m=m.id, p=m.p.id, g=_goid(m), target=gp.goid)
        p = m.p
        old = p.runnext                     # runqput(p, gp, next=true), inline
        p.runnext = gp
        if old is not None:
            rq.runqput(self, p, old, False)
        if self.nmspinning == 0 and self.pidle:
            self.wakep(m)

    # ---- schedule / findRunnable / execute --------------------------------------------------------

    async def _mloop(self, m):
        """The M's life: schedule() -> findRunnable() -> execute() and the G's steps, forever.

        This is the hot loop: a Gosched or a channel hand-off goes around it once, so the common
        cases (runnext, local ring, global queue, a G's request) are inline; Exit unwinds it.
        """
        if m.nextp is not None:
            p, m.nextp = m.nextp, None
            self.acquirep(m, p)
        costs = self.costs
        lock = self.lock
        runq = self.runq
        switch_ns = costs.goroutine_switch
        hold_ns = lock.section_ns
        gosched_ns = max(0, costs.gosched - switch_ns - hold_ns)
        debug = self.debug
        timers = self.timers                        # a heap, changed in place only
        while True:
            # ---- schedule / findRunnable
            p = m.p
            if timers and timers[0][0] <= m.now:
                self.runtimers(m)
            if runq and p.schedtick % 61 == 0:     # fairness: the global queue now and then
                gp = rq.globrunqget(self, m, p, 1)
                p.schedtick += 1
            elif p.runnext is not None:            # runnext inherits the time slice: no schedtick
                gp = p.runnext
                p.runnext = None
                p.inherits += 1
            elif p.runqhead != p.runqtail:          # runqget, inline
                h = p.runqhead
                i = h & 255
                gp = p.runq[i]
                p.runq[i] = None
                p.runqhead = h + 1
                p.schedtick += 1
            elif runq:                              # globrunqgetbatch(128) under sched.lock
                now = m.now
                if lock.free_at > now or lock.log_all or now + hold_ns > rlock.horizon:
                    lock.hold(m)
                else:                               # RuntimeLock.hold's quick path, inline
                    m.now = lock.free_at = now + hold_ns
                    lock.quick_holds += 1
                gp = runq.popleft()
                n = len(runq)
                if n:
                    if self.gomaxprocs > 1:         # at most half of it, 128 in all
                        n = (n + 1) // self.gomaxprocs
                    if n > 127:
                        n = 127
                    t = p.runqtail                  # runqputbatch, inline: the ring is empty
                    ring = p.runq                   # here, so all of them fit
                    while n:
                        ring[t & 255] = runq.popleft()
                        t += 1
                        n -= 1
                    p.runqtail = t
                p.schedtick += 1
            else:
                gp = await self.findrunnable_slow(m)
                if gp is None:
                    continue
                p = m.p
                p.schedtick += 1
            if m.spinning:
                self.resetspinning(m)
            if m.now > self.limit:
                await self._switch(m)
            # ---- execute
            gp.status = _Grunning
            gp.preempt = False
            m.curg = gp
            if gp.ready_at > m.now:                 # it cannot run before it became runnable
                m.now = gp.ready_at
            m.now += switch_ns
            if debug:
                self.log.event("go_run", m.now, m=m.id, p=p.id, g=gp.goid)
            coro = gp.coro
            while True:
                try:
                    req = coro.send(None)
                except StopIteration:
                    self.goexit(m, gp)
                    break
                except Goexit:
                    self.goexit(m, gp, goexit_called=True)
                    break
                except Exception as err:
                    self.failure = ("panic", gp, err)
                    raise Exit(2) from None
                if req is GOSCHED:                  # goschedImpl: to the global queue
                    gp.status = _Grunnable
                    m.curg = None
                    now = gp.ready_at = m.now + gosched_ns
                    if lock.free_at > now or lock.log_all or now + hold_ns > rlock.horizon:
                        m.now = now
                        lock.hold(m)                # globrunqput under sched.lock
                    else:                           # RuntimeLock.hold's quick path, inline
                        m.now = lock.free_at = now + hold_ns
                        lock.quick_holds += 1
                    runq.append(gp)
                    if self.pidle and self.nmspinning == 0:
                        self.wakep(m)
                    break
                if type(req) is waitReason:         # gopark, the request is the wait reason
                    gp.status = _Gwaiting
                    gp.waitreason = req
                    gp.waitsince = m.now
                    m.curg = None
                    if debug:
                        self.log.event("go_park", m.now, m=m.id, p=p.id, g=gp.goid, reason=req)
                    break
                if req is SAFEPOINT:
                    if gp.preempt:
                        if gp.preempt == GOYIELD:
                            self.goyield(m, gp)
                        else:
                            self.gopreempt(m, gp)
                        break
                    if m.now > self.limit:
                        await self._switch(m)
                    continue
                if type(req) is tuple and req[0] == SYSCALL:
                    if not await self.syscall(m, gp, req[1]):
                        break
                    p = m.p
                    continue
                # the workload awaited something that is not a gort operation (asyncio, trio...)
                err = GoPanic(f"goroutine awaited {req!r}, which is not a gort operation "
                              "(only rt's awaitables may be awaited)")
                self.failure = ("panic", gp, err)
                raise Exit(2)

    def resetspinning(self, m):
        m.spinning = False
        self.nmspinning -= 1
        self.wakep(m)

    async def findrunnable_slow(self, m):
        """findRunnable after the local and global queues came up empty: steal, then idle."""
        p = m.p
        if m.spinning or 2 * self.nmspinning < self.gomaxprocs - len(self.pidle):
            if not m.spinning:
                m.spinning = True
                self.nmspinning += 1
            gp = await rq.stealwork(self, m, p)
            if gp is not None:
                return gp
        if m.now > self.limit:
            await self._switch(m)
            if self.runq or p.runnext is not None or p.runqhead != p.runqtail:
                return None
        # drop the P
        self.lock.acquire(m)
        m.now += self.costs.sched_lock_hold
        if self.runq:
            gp = rq.globrunqget(self, m, p, 128, held=True)
            self.lock.release(m)
            return gp
        self.releasep(m)
        self.pidleput(p)
        self.lock.release(m)
        if m.spinning:
            m.spinning = False
            self.nmspinning -= 1
            # the delicate dance: recheck every run queue before sleeping
            for p2 in self.allp:
                if p2.status != _Pidle and rq.runqsize(p2):
                    p = self.pidleget(m)
                    if p is not None:
                        self.acquirep(m, p)
                        m.spinning = True
                        self.nmspinning += 1
                        return None
                    break
        if self.timers and self.poller is None:
            await self.netpoll_until_timer(m)
            if m.p is not None:
                return None
        await self.stopm(m)
        return None

    def goexit(self, m, gp, goexit_called=False):
        gp.status = _Gdead
        m.curg = None
        m.now += self.costs.goexit
        del self.allgs[gp.goid]
        if self.debug:
            self.log.event("go_exit", m.now, m=m.id, p=m.p.id, g=gp.goid)
        if gp.goid == 1 and goexit_called:
            self.main_goexit = True        # the others run on; when none is left: fatal error
        elif gp.goid == 1:     # main returned: the process exits, the other Gs with it
            self.vt_end = max(self.vt_end, m.now)
            raise Exit(0)

    def goyield(self, m, gp):
        """goyield: like Gosched but onto the local tail (after a semaphore handoff)."""
        gp.preempt = False
        gp.status = _Grunnable
        m.curg = None
        gp.ready_at = m.now
        rq.runqput(self, m.p, gp, False)

    def gopreempt(self, m, gp):
        """Preempted at a safe point: like Gosched, the G goes to the global queue."""
        gp.preempt = False
        gp.status = _Grunnable
        m.curg = None
        gp.ready_at = m.now
        self.preemptions += 1
        if self.log is not None:
            self.log.event("preempt", m.now, m=m.id, p=m.p.id, g=gp.goid, target=gp.goid,
                           ran_ns=m.now - m.p.sysmon_schedwhen)
        rq.globrunqput_locked(self, m, gp)
        self.wakep(m)

    async def syscall(self, m, gp, ns):
        """entersyscall ... exitsyscall around `ns` of blocking; True if gp keeps running on m."""
        p = m.p
        costs = self.costs
        m.now += costs.syscall
        gp.status = _Gsyscall
        p.syscalltick += 1
        m.oldp = p
        if self.debug:
            self.log.event("syscall_enter", m.now, m=m.id, p=p.id, g=gp.goid, ns=ns)
        m.syscall_since = m.now
        m.blocked_until = m.now + ns
        m.now += ns
        await self._switch(m)            # sysmon and other Ms run meanwhile; sysmon may take p
        m.blocked_until = None
        handoff = m.p is None
        if self.debug:
            self.log.event("syscall_exit", m.now, m=m.id, p=p.id, g=gp.goid, handoff=handoff)
        if not handoff:
            gp.status = _Grunning
            m.oldp = None
            return True
        # exitsyscall without our P (proc.go exitsyscallTryGetP): oldp comes back only if it is
        # running on an M that now sits in a syscall (setBlockOnExitSyscall + takeP: steal it, no
        # sched.lock); an idle oldp has no preference: pidleget takes the idle list's head, waking
        # sysmon only when it got a P; with none, exitsyscallNoP queues gp globally and stops m.
        # (That M's syscall must have begun by m's clock: an M that ran ahead within the lookahead
        # may have entered it later in virtual time, when oldp was still running its G.)
        oldp = m.oldp
        m.oldp = None
        om = oldp.m
        if oldp.status == _Prunning and om is not None and om.p is oldp and om.blocked_until is not None \
                and om.curg is not None and om.curg.status == _Gsyscall and om.syscall_since <= m.now:
            om.p = None
            oldp.syscalltick += 1
            self.acquirep(m, oldp)
            gp.status = _Grunning
            return True
        self.lock.acquire(m)
        m.now += costs.sched_lock_hold
        newp = self.pidleget(m)
        if newp is not None:
            self.lock.release(m)
            self.acquirep(m, newp)
            gp.status = _Grunning
            return True
        gp.status = _Grunnable
        m.curg = None
        gp.ready_at = m.now
        rq.globrunqput(self, gp)
        self.lock.release(m)
        await self.stopm(m)
        return False


def _goid(m):
    g = m.curg
    return None if g is None else g.goid


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


traceback.STOP_CODES.add(Sched._mloop.__code__)   # a G's frames end where the M's loop sent into it
