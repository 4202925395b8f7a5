"""A synthetic run log that follows docs/log-schema.md: for tests and for `gort bench analyze`.

Not the emulator: a small stand-in for it that produces the same kinds of events through the same
pieces (runtime.lock.RuntimeLock for the mheap, mcentral and sched locks; runtime.log.RunLog to
write). Each M holds a P and steps its goroutines; the M with the earliest virtual clock always
moves next, so lock waits arise the way they do in the emulator: an M asks for a lock before the
holder's release time and waits until then (plus the futex hand-off).
"""

import heapq
import random

from runtime.costs import DEFAULT_COSTS
from runtime.lock import RuntimeLock
from runtime.log import MemProfileSampler, RunLog
from runtime.runtime2 import M, P
from runtime.sizeclasses import CLASS_TO_SIZE, make_spanclass, span_nelems

# Size classes a churn-like workload allocates from (8 B .. 1 KiB), weighted to the small end.
_WORKLOAD_CLASSES = (1, 2, 3, 4, 5, 6, 8, 10, 13, 17, 22, 30)
_FUNCTIONS = (("workloads/synth.py", 14, "worker"), ("workloads/synth.py", 31, "churn"),
              ("workloads/synth.py", 47, "build_tree"), ("workloads/synth.py", 62, "encode"))
_WAIT_REASONS = ("chan receive", "chan send", "sync.Mutex.Lock", "select", "sleep")


class G:
    """A synthetic goroutine: an id and the workload frames it allocates from."""

    __slots__ = ("goid", "stack", "hb_clock")

    def __init__(self, goid, stack):
        self.goid = goid
        self.stack = stack
        self.hb_clock = 0


def lock_name(spanclass):
    sizeclass, noscan = spanclass >> 1, spanclass & 1
    return f"mcentral[{spanclass}] {CLASS_TO_SIZE[sizeclass]}B {'noscan' if noscan else 'scan'}"


class LockEvents:
    """RuntimeLock observer that writes lock_acquire / lock_release as the schema says.

    Owned by the run; no lock. `waiters` comes from the lock (other Ms whose waits overlap).
    """

    def __init__(self, log):
        self.log = log
        self.spanclass = {}   # mcentral lock name -> its span class

    def lock_acquired(self, lock, m, wait, waiters=0):
        prev = lock.prev_owner or (None, None, None)
        g = m.curg
        fields = dict(kind=lock.kind, lock=lock.name, wait_ns=wait, waiters=waiters,
                      prev_m=prev[0], prev_p=prev[1], prev_g=prev[2])
        if lock.kind == "mcentral":
            fields["spanclass"] = self.spanclass[lock.name]
        fields["stack"] = g.stack if g is not None else []
        self.log.event("lock_acquire", m.now, **_where(m), **fields)

    def lock_released(self, lock, m, hold):
        self.log.event("lock_release", m.now, **_where(m), kind=lock.kind, lock=lock.name, hold_ns=hold)

    def lock_waited_late(self, lock, hold, wait, holder):
        start, _, m, p, g, _ = hold
        prev = _where(holder)
        fields = dict(kind=lock.kind, lock=lock.name, wait_ns=wait, waiters=0,
                      prev_m=prev["m"], prev_p=prev["p"], prev_g=prev["g"])
        if lock.kind == "mcentral":
            fields["spanclass"] = self.spanclass[lock.name]
        self.log.event("lock_wait_late", start + wait, m=m.id, p=None if p is None else p.id,
                       g=None if g is None else g.goid, **fields, stack=[])


def _where(m):
    mid, pid, goid = m.id, None if m.p is None else m.p.id, None if m.curg is None else m.curg.goid
    return {"m": mid, "p": pid, "g": goid}


class SynthRun:
    """The stand-in run: Ms with Ps stepping goroutines that allocate, park and ready."""

    def __init__(self, log, procs=4, seed=1, goroutines_per_p=4, costs=DEFAULT_COSTS):
        self.log = log
        self.rng = random.Random(seed)
        self.costs = costs
        self.procs = procs
        self.seed = seed
        self.observer = LockEvents(log)
        self.mheap_lock = self._lock("mheap", "mheap")
        self.sched_lock = self._lock("sched", "sched.lock")
        self.central = {}
        self.ms = []
        self.goid = 0
        self.heap_inuse = 0
        self.heap_sys = 0
        self.mallocs = 0
        self.next_snapshot = 0
        self.writes = 0
        self.last_write = None
        self.runq = {}
        self.samplers = {}
        for i in range(procs):
            m, p = M(i), P(i)
            m.p, p.m = p, m
            self.ms.append(m)
            self.runq[i] = [self._newg() for _ in range(goroutines_per_p)]
            self.samplers[i] = MemProfileSampler(self.rng)

    def _lock(self, kind, name):
        lock = RuntimeLock(kind, name, self.costs)
        lock.observer = self.observer
        return lock

    def _newg(self):
        self.goid += 1
        depth = self.rng.randint(1, 3)
        frames = self.rng.sample(_FUNCTIONS, depth)
        return G(self.goid, [f"{file}:{line} {fn}" for file, line, fn in frames])

    def _mcentral(self, spanclass):
        lock = self.central.get(spanclass)
        if lock is None:
            lock = self.central[spanclass] = self._lock("mcentral", lock_name(spanclass))
            self.observer.spanclass[lock.name] = spanclass
        return lock

    def start(self):
        self.log.event("run_start", 0, config={"workload": "synth", "procs": self.procs, "seed": self.seed,
                                               "mcentral": "locked", "log_level": self.log.level,
                                               "sample_rate": 512 * 1024},
                       cost_model=self.costs.as_dict(), versions={"gort": "0.1.0", "go": "1.27.3"})

    def run(self, steps):
        """Run about `steps` goroutine time slices in virtual-time order, then write run_end.

        Each pop of the clock heap does one thing (start a slice, one malloc, end the slice), so
        the Ms ask for locks in virtual-time order, as the emulator's M loop makes them do.
        """
        self.start()
        clock = [(m.now, m.id) for m in self.ms]
        heapq.heapify(clock)
        slices = 0
        while slices < steps:
            _, mid = heapq.heappop(clock)
            m = self.ms[mid]
            slices += self._step(m)
            heapq.heappush(clock, (m.now, mid))
        end = max(m.now for m in self.ms)
        locks = [self.mheap_lock, self.sched_lock, *(self.central[sc] for sc in sorted(self.central))]
        self.log.event("run_end", end, status=0,
                       totals={"goroutines": self.goid, "mallocs": self.mallocs, "heap_inuse": self.heap_inuse,
                               "vt_end": end},
                       locks=[{"kind": l.kind, "name": l.name, "acquisitions": l.acquisitions,
                               "contended": l.contended, "wait_ns": l.wait_ns, "hold_ns": l.hold_ns}
                              for l in locks])

    def _step(self, m):
        """Start a slice, do one malloc of it, or end it; returns 1 when a slice ended."""
        rng = self.rng
        if m.curg is None:
            self._start_slice(m)
            return 0
        if m.todo:
            m.todo -= 1
            self._malloc(m, rng.choice(_WORKLOAD_CLASSES), rng.random() < 0.5)
            m.now += rng.randint(50, 500)
            return 0
        self._end_slice(m, m.curg)
        m.curg = None
        return 1

    def _start_slice(self, m):
        runq = self.runq[m.p.id]
        if not runq:
            self._steal(m)
            if not runq:
                m.now += self.costs.spin
                return
        m.curg = runq.pop(0)
        m.todo = self.rng.randint(1, 6)
        if self.log.debug_enabled:
            self.log.event("go_run", m.now, **_where(m))

    def _end_slice(self, m, g):
        """The G parks, exits or goes back to its run queue (sometimes preempted)."""
        rng, log = self.rng, self.log
        if rng.random() < 0.3 and log.debug_enabled:      # same draws at every level
            self._hb(m, g)
        self._snapshot(m.now)
        choice = rng.random()
        if choice < 0.1:
            self._go_exit(m, g)
        elif choice < 0.35:
            self._park_and_ready(m, g)
        else:
            if choice > 0.97:
                log.event("preempt", m.now, **_where(m), target=g.goid, ran_ns=10_000_000)
            self.runq[m.p.id].append(g)

    def _malloc(self, m, sizeclass, noscan):
        """mallocgc of one object: a refill (mcentral lock, maybe mheap lock) once in a while."""
        size = CLASS_TO_SIZE[sizeclass]
        m.now += self.costs.malloc_fast
        self.mallocs += 1
        self.heap_inuse += size
        if self.rng.random() < 0.08:
            spanclass = make_spanclass(sizeclass, noscan)
            central = self._mcentral(spanclass)
            central.acquire(m)
            m.now += self.costs.refill + self.costs.sweep_span
            if self.rng.random() < 0.25:
                self._grow(m, spanclass)
            central.release(m)
            nelems = span_nelems(sizeclass, noscan)
            self.log.event("span_refill", m.now, **_where(m), spanclass=spanclass, sizeclass=sizeclass,
                           noscan=noscan, nelems=nelems, free=self.rng.randint(1, nelems))
        if self.samplers[m.p.id].sampled(size):
            self.log.event("malloc_sample", m.now, **_where(m), size=size, elemsize=size,
                           spanclass=make_spanclass(sizeclass, noscan), addr=0xC000000000 + self.mallocs * 16)

    def _grow(self, m, spanclass):
        """mcentral.grow -> mheap.allocSpan under the heap lock; mheap.grow now and then."""
        self.mheap_lock.acquire(m)
        m.now += self.costs.alloc_span + self.costs.span_init
        npages = 1
        if self.rng.random() < 0.1:
            m.now += self.costs.heap_grow
            self.heap_sys += 4 << 20
            self.log.event("heap_grow", m.now, **_where(m), npages=512, bytes=4 << 20, heap_sys=self.heap_sys)
        self.mheap_lock.release(m)
        self.log.event("span_grow", m.now, **_where(m), spanclass=spanclass, npages=npages,
                       base=0xC000000000 + self.mallocs * 8192)

    def _park_and_ready(self, m, g):
        """gopark g; a goroutine on another P readies it into the global run queue (sched.lock)."""
        log = self.log
        reason = self.rng.choice(_WAIT_REASONS)
        if log.debug_enabled:
            log.event("go_park", m.now, **_where(m), reason=reason)
        self.sched_lock.acquire(m)
        m.now += self.costs.sched_lock_hold
        self.sched_lock.release(m)
        target = self.rng.randrange(self.procs)
        self.runq[target].append(g)
        if log.debug_enabled:
            log.event("go_ready", m.now, **_where(m), target=g.goid)

    def _go_exit(self, m, g):
        log = self.log
        if log.debug_enabled:
            log.event("go_exit", m.now, **_where(m))
        self.heap_inuse -= self.heap_inuse // (2 * len(self.ms))   # its garbage is swept
        newg = self._newg()
        self.runq[m.p.id].append(newg)
        if log.debug_enabled:
            log.event("go_create", m.now, **_where(m), newg=newg.goid, parent_g=g.goid, fn=newg.stack[-1])

    def _steal(self, m):
        victim = max(self.runq, key=lambda pid: len(self.runq[pid]))
        n = len(self.runq[victim]) // 2
        if n:
            stolen, self.runq[victim] = self.runq[victim][:n], self.runq[victim][n:]
            self.runq[m.p.id].extend(stolen)
            self.log.event("steal", m.now, **_where(m), victim=victim, n=n)

    def _hb(self, m, g):
        """Memory-model events as the race runtime logs them: a write of x, then a release of mu
        by this G; the next G to do this acquires mu and reads x (the write it read from: rf)."""
        g.hb_clock += 1
        clock = {str(g.goid): g.hb_clock}
        where = _where(m)
        if self.last_write is not None:
            self.log.event("hb", m.now, **where, op="acquire", obj="mu", clock=clock)
            self.log.event("hb", m.now, **where, op="read", var="x", value=self.writes, clock=clock,
                           rf=self.last_write)
        self.writes += 1
        self.last_write = f"x#{self.writes}"
        self.log.event("hb", m.now, **where, op="write", var="x", value=self.writes, clock=clock,
                       rf=self.last_write)
        self.log.event("hb", m.now, **where, op="release", obj="mu", clock=clock)

    def _snapshot(self, now):
        while now >= self.next_snapshot:
            self.log.event("heap_snapshot", self.next_snapshot, HeapAlloc=self.heap_inuse,
                           HeapInuse=self.heap_inuse, HeapSys=self.heap_sys, HeapIdle=0,
                           HeapObjects=self.mallocs, Mallocs=self.mallocs, Frees=0)
            self.next_snapshot += 1_000_000


def write_log(path, steps=2000, procs=4, seed=1, level="info"):
    """Write a synthetic run log of about `steps` goroutine slices to path; returns path."""
    with RunLog(path, level) as log:
        SynthRun(log, procs=procs, seed=seed).run(steps)
    return path
