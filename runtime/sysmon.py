"""sysmon: the M without a P that preempts long-running Gs and retakes Ps from syscalls (proc.go).

It sleeps 20 us per round, doubling after 50 idle rounds up to 10 ms; it parks (sysmonwait) while
every P is idle. Each round runs `retake`: a P whose schedtick has not moved for forcePreemptNS
(10 ms) gets its G's preempt flag set (the G stops at its next safe point); a P whose G sits in a
syscall for more than one sysmon tick is taken and handed off when it has work or nothing spins.
`--schedtrace MS` lines are printed from here, as Go does.
"""

import sys

from runtime import proc
from runtime import runq as rq
from runtime.runtime2 import _Grunning, _Gsyscall, _Pidle, _Prunning


def start(sched):
    m = sched.newm(body=sysmon)
    m.is_sysmon = True
    sched.active.append(m)
    return m


async def sysmon(m):
    sched = proc.sched
    idle = 0
    delay = 0
    lasttrace = 0
    starttime = None
    next_snapshot = 0
    while True:
        if idle == 0:
            delay = 20_000
        elif idle > 50:
            delay *= 2
        if delay > 10_000_000:
            delay = 10_000_000
        m.now += delay
        await sched._switch(m)
        if sched.schedtrace_ns <= 0 and len(sched.pidle) == sched.gomaxprocs:
            sched.sysmonwait = True
            await sched._sleep_m(m)
            idle = 0
            continue
        if retake(sched, m):
            idle = 0
        else:
            idle += 1
        if sched.schedtrace_ns > 0 and lasttrace + sched.schedtrace_ns <= m.now:
            lasttrace = m.now
            if starttime is None:
                starttime = m.now
            print(schedtrace_line(sched, m.now - starttime), file=sys.stderr)
        if sched.on_tick is not None and m.now >= next_snapshot:
            next_snapshot = m.now + sched.snapshot_ns
            sched.on_tick(m)


def retake(sched, m):
    """Preempt Gs that ran 10 ms on one time slice; take Ps stuck in syscalls. Returns Ps taken."""
    now = m.now
    n = 0
    for p in sched.allp:
        if p.status != _Prunning:
            continue
        sysretake = False
        if p.sysmon_schedtick != p.schedtick:
            p.sysmon_schedtick = p.schedtick
            p.sysmon_schedwhen = now
        elif p.sysmon_schedwhen + proc.forcePreemptNS <= now:
            pm = p.m
            gp = pm.curg if pm is not None else None
            if gp is not None and gp.status == _Grunning:
                gp.preempt = True       # preemptone: honoured at the G's next safe point
            sysretake = True
        pm = p.m
        gp = pm.curg if pm is not None else None
        if gp is None or gp.status != _Gsyscall or pm.blocked_until is None:
            continue
        if not sysretake and p.sysmon_syscalltick != p.syscalltick:
            p.sysmon_syscalltick = p.syscalltick
            p.sysmon_syscallwhen = now
            continue
        if rq.runqsize(p) == 0 and sched.nmspinning + len(sched.pidle) > 0 \
                and p.sysmon_syscallwhen + 10_000_000 > now:
            continue
        # takeP + handoffp
        pm.p = None
        p.m = None
        p.status = _Pidle
        p.syscalltick += 1
        n += 1
        sched.handoffs += 1
        sched.handoffp(m, p)
    return n


def schedtrace_line(sched, now):
    """One GODEBUG=schedtrace line, in Go's format (`now`: ns since the first line)."""
    queues = " ".join(str(p.runqtail - p.runqhead) for p in sched.allp)
    ticks = " ".join(str(p.schedtick) for p in sched.allp)
    return (f"SCHED {now // 1_000_000}ms: gomaxprocs={sched.gomaxprocs} idleprocs={len(sched.pidle)} "
            f"threads={len(sched.allm)} spinningthreads={sched.nmspinning} needspinning=0 "
            f"idlethreads={len(sched.midle)} runqueue={len(sched.runq)} [ {queues} ] "
            f"schedticks=[ {ticks} ]")
