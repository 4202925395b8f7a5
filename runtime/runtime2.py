"""The runtime's central structures, as Go's runtime2.go names them: g, m, p, sudog and their states.

proc.py runs them; the allocator needs only a P's mcache and page cache and the M holding it (its
virtual clock `now` is where allocation costs are charged).
"""

from collections import deque

# G states (runtime2.go)
_Gidle, _Grunnable, _Grunning, _Gsyscall, _Gwaiting = 0, 1, 2, 3, 4
_Gdead = 6
_Gpreempted = 9

# P states (_Psyscall_unused is defunct since Go 1.26: a P whose G is in a syscall stays _Prunning)
_Pidle, _Prunning, _Psyscall_unused, _Pgcstop, _Pdead = 0, 1, 2, 3, 4

G_STATUS_NAMES = {_Gidle: "idle", _Grunnable: "runnable", _Grunning: "running", _Gsyscall: "syscall",
                  _Gwaiting: "waiting", _Gdead: "dead", _Gpreempted: "preempted"}


class waitReason(str):
    """A G's wait reason, with Go's own string. Yielded to the M, it is the request to park
    (gopark): its own type, so that nothing a foreign awaitable yields is taken for one."""
    __slots__ = ()


# Wait reasons, with Go's own strings (runtime2.go waitReasonStrings).
waitReasonChanReceive = waitReason("chan receive")
waitReasonChanReceiveNilChan = waitReason("chan receive (nil chan)")
waitReasonChanSend = waitReason("chan send")
waitReasonChanSendNilChan = waitReason("chan send (nil chan)")
waitReasonSelect = waitReason("select")
waitReasonSelectNoCases = waitReason("select (no cases)")
waitReasonSleep = waitReason("sleep")
waitReasonSyncMutexLock = waitReason("sync.Mutex.Lock")
waitReasonSyncRWMutexRLock = waitReason("sync.RWMutex.RLock")
waitReasonSyncRWMutexLock = waitReason("sync.RWMutex.Lock")
waitReasonSyncWaitGroupWait = waitReason("sync.WaitGroup.Wait")
waitReasonSyncCondWait = waitReason("sync.Cond.Wait")
waitReasonSemacquire = waitReason("semacquire")

RUNQ_SIZE = 256          # len(p.runq): the local run queue is a 256-slot ring


class G:
    """A goroutine: a coroutine of workload code plus the scheduler's bookkeeping.

    Owned by whoever holds it: the M running it (_Grunning), a run queue (_Grunnable) or the wait
    queue of the object it is parked on (_Gwaiting). Slots only: 100,000 parked Gs must stay small.
    """

    __slots__ = ("goid", "status", "coro", "waitreason", "param", "preempt", "ready_at",
                 "parentgoid", "fn", "gopc", "waitsince", "selectdone", "runs", "vc")

    def __init__(self, goid, coro, fn, parentgoid, gopc):
        self.goid = goid
        self.status = _Grunnable
        self.coro = coro            # the workload's coroutine, stepped with send()
        self.waitreason = ""
        self.param = None           # what the waker hands over (a sudog, a timer firing)
        self.preempt = False        # set by sysmon: stop at the next safe point
        self.ready_at = 0           # virtual ns at which it last became runnable (causality)
        self.parentgoid = parentgoid
        self.fn = fn                # the function it runs, for tracebacks ("created by")
        self.gopc = gopc            # "file:line" of the go statement
        self.waitsince = 0
        self.selectdone = False     # a select's sudogs: the first waker wins
        self.runs = 0               # time slices started (debug/tests)
        self.vc = None              # vector clock, under --race (racert.py)


class M:
    """An emulated OS thread: a trio task that runs Gs while it holds a P.

    Owned by its trio task; no lock (only that task touches it, and only one M runs at a time).
    `now` is the M's virtual clock in integer ns: every cost it pays is added here.
    """

    __slots__ = ("id", "now", "p", "curg", "spinning", "nextp", "oldp", "task", "parked",
                 "idle", "is_sysmon", "blocked_until", "syscall_since", "__dict__")

    def __init__(self, id, now=0):
        self.id = id
        self.now = now
        self.p = None
        self.curg = None
        self.spinning = False
        self.nextp = None          # the P startm hands over
        self.oldp = None           # the P held before a syscall
        self.task = None           # its trio task
        self.parked = False        # blocked in trio, waiting for its turn
        self.idle = False          # on sched.midle (stopm)
        self.is_sysmon = False
        self.blocked_until = None  # in a syscall or a timed netpoll until this virtual ns
        self.syscall_since = 0     # when its latest syscall began (virtual ns)


class P:
    """A processor token: what an M must hold to run Go code and to allocate.

    Owned by the M that holds it; its mcache, page cache and run queue's tail take no lock for
    that reason (other Ps only steal from the head, which the single-M-at-a-time emulator makes
    atomic). Hot fields first.
    """

    __slots__ = ("id", "status", "m", "mcache", "pcache",
                 "runq", "runqhead", "runqtail", "runnext", "schedtick", "inherits", "syscalltick",
                 "sysmon_schedtick", "sysmon_schedwhen", "sysmon_syscalltick", "sysmon_syscallwhen",
                 "goidcache", "goidcacheend", "sudogcache", "__dict__")

    def __init__(self, id):
        self.id = id
        self.status = _Pidle
        self.m = None
        self.mcache = None
        self.pcache = None
        self.runq = [None] * RUNQ_SIZE
        self.runqhead = 0           # uint32 in Go; Python ints do not wrap, the ring index is % 256
        self.runqtail = 0
        self.runnext = None
        self.schedtick = 0          # bumped when a G starts a new time slice
        self.inherits = 0           # Gs run from runnext in the time slice of the G before them
        self.syscalltick = 0
        self.sysmon_schedtick = 0   # p.sysmontick: what sysmon saw last
        self.sysmon_schedwhen = 0
        self.sysmon_syscalltick = 0
        self.sysmon_syscallwhen = 0
        self.goidcache = 0          # goids come in per-P batches of 16 (_GoidCacheBatch)
        self.goidcacheend = 0
        self.sudogcache = deque()   # free sudogs (acquireSudog, inline in chan.py): a deque, as a
                                    # list would realloc as it swings between 0 and 1


class Sudog:
    """A G waiting on a channel or semaphore (Go's sudog). Guarded by the lock of what it waits on."""

    __slots__ = ("g", "elem", "success", "c", "is_select", "case", "ticket", "acquiretime")

    def __init__(self, g=None, elem=None, c=None, is_select=False):
        # lean on purpose (one per blocking channel operation): `case` is set by select, `ticket`
        # and `acquiretime` by the semaphore and notifyList code that reads them
        self.g = g
        self.elem = elem
        self.success = False
        self.c = c
        self.is_select = is_select


def bootstrap_thread():
    """M0 holding P0: the single thread an allocation replay runs on (no scheduler)."""
    m, p = M(0), P(0)
    m.p, p.m, p.status = p, m, _Prunning
    return m, p
