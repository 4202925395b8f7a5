"""Run queues: each P's 256-slot ring plus runnext, and the global queue (Go's proc.go runq*).

The local ring's tail is written only by its owner P; other Ps advance its head when they steal.
The emulator runs one M at a time, so Go's load-acquire/CAS dance becomes plain assignments; the
order of operations and the batch sizes are Go's.
"""

from runtime.runtime2 import RUNQ_SIZE, _Gsyscall, _Pidle, _Prunning

_MASK = RUNQ_SIZE - 1
stealTries = 4


def runqsize(p):
    return p.runqtail - p.runqhead + (p.runnext is not None)


def runqput(sched, p, gp, next):
    """Put gp on p's queue; with next, into runnext, kicking the old runnext to the tail."""
    if next:
        old = p.runnext
        p.runnext = gp
        if old is None:
            return
        gp = old
    h = p.runqhead
    t = p.runqtail
    if t - h < RUNQ_SIZE:
        p.runq[t & _MASK] = gp
        p.runqtail = t + 1
        return
    runqputslow(sched, p, gp, h, t)


def runqputslow(sched, p, gp, h, t):
    """The ring is full: move half of it (128) plus gp to the global queue, as one batch."""
    n = (t - h) // 2
    q = p.runq
    batch = [q[(h + i) & _MASK] for i in range(n)]
    for i in range(n):
        q[(h + i) & _MASK] = None
    p.runqhead = h + n
    batch.append(gp)
    m = p.m if p.m is not None else sched.curm
    sched.lock.acquire(m)
    m.now += sched.costs.sched_lock_hold
    sched.runq.extend(batch)
    sched.lock.release(m)


def runqget(p):
    """The head of p's ring (runnext is taken by the caller first; it inherits the time slice)."""
    h = p.runqhead
    i = h & _MASK
    gp = p.runq[i]
    p.runq[i] = None
    p.runqhead = h + 1
    return gp


def globrunqput(sched, gp):
    """Put gp at the tail of the global queue; sched.lock must be held."""
    sched.runq.append(gp)


def globrunqput_locked(sched, m, gp):
    """lock(&sched.lock); globrunqput(gp); unlock(&sched.lock) (Gosched, preemption)."""
    sched.lock.hold(m)
    sched.runq.append(gp)


def globrunqget(sched, m, p, n, held=False):
    """globrunqgetbatch(n) under sched.lock (taken here unless the caller `held` it already): the
    first G to run, the rest onto p's ring."""
    if not held:
        sched.lock.hold(m)
    q = sched.runq
    size = len(q)
    if size == 0:
        return None
    n = min(n, size, size // sched.gomaxprocs + 1)
    gp = q.popleft()
    runqputbatch(sched, p, q, n - 1)
    return gp


def runqputbatch(sched, p, q, n):
    """Move the first n Gs of the global queue `q` onto p's ring (runqputbatch); those that do
    not fit go back to the global queue through runqput's slow path."""
    h = p.runqhead
    t = p.runqtail
    ring = p.runq
    while n and t - h < RUNQ_SIZE:
        ring[t & _MASK] = q.popleft()
        t += 1
        n -= 1
    p.runqtail = t
    for _ in range(n):
        runqput(sched, p, q.popleft(), False)


def runqgrab(victim, steal_runnext):
    """Take half (rounded up) of victim's ring, or its runnext when the ring is empty."""
    h = victim.runqhead
    n = victim.runqtail - h
    n = n - n // 2
    if n == 0:
        if steal_runnext and victim.runnext is not None:
            gp = victim.runnext
            victim.runnext = None
            return [gp]
        return []
    q = victim.runq
    batch = []
    for i in range(n):
        j = (h + i) & _MASK
        batch.append(q[j])
        q[j] = None
    victim.runqhead = h + n
    return batch


async def runqsteal(sched, m, p, victim, steal_runnext):
    """Steal from victim into p's ring; returns one G to run, or None."""
    if steal_runnext and victim.runqtail == victim.runqhead and victim.runnext is not None:
        vm = victim.m
        if victim.status == _Prunning and vm is not None and (vm.curg is None or vm.curg.status != _Gsyscall):
            # usleep(3): give the victim a chance to run its runnext itself
            m.now += 3000
            if m.now > sched.limit:
                await sched._switch(m)
    batch = runqgrab(victim, steal_runnext)
    if not batch:
        return None
    m.now += sched.costs.steal
    sched.steals += 1
    sched.stolen += len(batch)
    if sched.log is not None:
        sched.log.event("steal", m.now, m=m.id, p=p.id, victim=victim.id, n=len(batch))
    gp = batch.pop()
    for g in batch:
        runqput(sched, p, g, False)
    return gp


async def stealwork(sched, m, p):
    """4 rounds over all other Ps in a random coprime order; the last round may take runnext."""
    allp = sched.allp
    nprocs = len(allp)
    if nprocs == 1:
        return None
    m.now += sched.costs.spin
    rng = sched.rng
    coprimes = sched.coprimes
    for i in range(stealTries):
        last = i == stealTries - 1
        r = rng.getrandbits(32)
        pos = r % nprocs
        inc = coprimes[r // nprocs % len(coprimes)]
        for _ in range(nprocs):
            victim = allp[pos]
            pos = (pos + inc) % nprocs
            if victim is p:
                continue
            if last and sched.timers and sched.timers[0][0] <= m.now:
                sched.runtimers(m)
                if p.runnext is not None or p.runqtail != p.runqhead:
                    gp = p.runnext
                    if gp is not None:
                        p.runnext = None
                        return gp
                    return runqget(p)
            if victim.status != _Pidle:
                gp = await runqsteal(sched, m, p, victim, last)
                if gp is not None:
                    return gp
    return None
