"""select (Go's select.go selectgo): random poll order, lock order by channel address, three passes.

A select with one case is a channel operation, as Go compiles it. Pass 1 takes the first ready case
in a uniformly random permutation (inside-out Fisher-Yates with the emulator's seeded random
source); with none ready and a default, the default is chosen. Pass 2 enqueues a select sudog on
every channel and parks; the first waker wins (g.selectdone). Pass 3 dequeues the losers.
"""

from runtime import proc, racert
from runtime.chan import RECV, SEND, dequeue, park, safepoint
from runtime.panic import GoPanic
from runtime.runtime2 import Sudog, waitReasonSelect, waitReasonSelectNoCases



async def selectgo(cases, block):
    """Returns (case index, received value, ok); index -1 when the default case is chosen."""
    sched = proc.sched
    m = sched.curm
    if len(cases) == 1:
        # Go's compiler turns a one-case select into a channel operation (walk/select.go): a plain
        # send or receive (its wait reasons: chan send, chan receive (nil chan), ...), or with a
        # default selectnbsend/selectnbrecv, whose lock-free check fails without the channel lock.
        kind, c, v = cases[0]
        if block:
            if kind == RECV:
                v, ok = await c.recv(True)
                return 0, v, ok
            await c.send(v)
            return 0, None, True
        if c.nil or not c.closed and (
                (len(c.buf) == 0 if c.dataqsiz else not c.sendq) if kind == RECV else
                (len(c.buf) == c.dataqsiz if c.dataqsiz else not c.recvq)):
            m.now += sched.costs.atomic
            return await _done(-1, None, False)
    m.now += sched.costs.select
    rng = sched.rng
    pollorder = []
    for i, (_, c, _) in enumerate(cases):
        if c.nil:
            continue              # cases on nil channels are never ready
        j = rng.randrange(len(pollorder) + 1)
        if j == len(pollorder):
            pollorder.append(i)
        else:
            pollorder.append(pollorder[j])
            pollorder[j] = i
    if not pollorder:
        if not block:
            return -1, None, False
        # block forever: `select {}` is the compiler's block() ("select (no cases)"); cases on nil
        # channels only go through selectgo's park ("select")
        await park(waitReasonSelect if cases else waitReasonSelectNoCases)
    lockorder = sorted({cases[i][1].addr: cases[i][1] for i in pollorder}.values(), key=lambda c: c.addr)
    for c in lockorder:
        c.lock.acquire(m)
    m.now += sched.costs.chan_op      # pass 1 and the operation itself, under the channels' locks

    # pass 1: the first ready case in poll order
    for i in pollorder:
        kind, c, v = cases[i]
        if kind == RECV:
            sg = dequeue(c.sendq) if c.sendq else None
            if sg is not None:
                if c.dataqsiz == 0:
                    val = sg.elem
                else:
                    val = c.buf.popleft()
                    c.buf.append(sg.elem)
                sg.success = True
                if racert.enabled is not None:
                    racert.enabled.chan_handoff(c, sg.g, m.curg)
                _unlock(lockorder, m)
                sched.goready(sg.g, m)
                return await _done(i, val, True)
            if c.buf:
                val = c.buf.popleft()
                if racert.enabled is not None:
                    racert.enabled.chan_recv_buf(c, m.curg)
                _unlock(lockorder, m)
                return await _done(i, val, True)
            if c.closed:
                if racert.enabled is not None:
                    racert.enabled.chan_recv_closed(c, m.curg)
                _unlock(lockorder, m)
                return await _done(i, c.zero, False)
        else:
            if c.closed:
                _unlock(lockorder, m)
                raise GoPanic("send on closed channel")
            sg = dequeue(c.recvq) if c.recvq else None
            if sg is not None:
                sg.elem = v
                sg.success = True
                if racert.enabled is not None:
                    racert.enabled.chan_handoff(c, m.curg, sg.g)
                _unlock(lockorder, m)
                sched.goready(sg.g, m)
                return await _done(i, None, True)
            if len(c.buf) < c.dataqsiz:
                c.buf.append(v)
                if racert.enabled is not None:
                    racert.enabled.chan_send_buf(c, m.curg)
                _unlock(lockorder, m)
                return await _done(i, None, True)
    if not block:
        _unlock(lockorder, m)
        return -1, None, False

    # pass 2: wait on every channel
    gp = m.curg
    gp.selectdone = False
    gp.param = None
    sudogs = []
    for i in sorted(pollorder, key=lambda i: cases[i][1].addr):
        kind, c, v = cases[i]
        sg = Sudog(gp, v if kind == SEND else None, c, True)
        sg.case = i
        (c.recvq if kind == RECV else c.sendq).append(sg)
        sudogs.append(sg)
    _unlock(lockorder, m)
    await park(waitReasonSelect)

    # pass 3: dequeue the losers
    m = sched.curm
    winner = gp.param
    gp.param = None
    for c in lockorder:
        c.lock.acquire(m)
    m.now += sched.costs.chan_op      # pass 3: off the losing cases' queues, under their locks
    for sg in sudogs:
        if sg is not winner:
            q = sg.c.recvq if cases[sg.case][0] == RECV else sg.c.sendq
            try:
                q.remove(sg)
            except ValueError:
                pass
    _unlock(lockorder, m)
    kind = cases[winner.case][0]
    if kind == SEND:
        if not winner.success:
            raise GoPanic("send on closed channel")
        return winner.case, None, True
    if winner.success:
        return winner.case, winner.elem, True
    if racert.enabled is not None:
        racert.enabled.chan_recv_closed(winner.c, gp)
    return winner.case, winner.c.zero, False


def _unlock(lockorder, m):
    for c in reversed(lockorder):
        c.lock.release(m)


async def _done(i, val, ok):
    sched = proc.sched
    m = sched.curm
    if m.now > sched.limit or m.curg.preempt:
        await safepoint()
    return i, val, ok
