"""Channels (Go's chan.go): hchan with its ring buffer, FIFO wait queues of sudogs, and its lock.

Send and receive follow chansend/chanrecv case by case: a waiting partner is served directly (on a
buffered channel too), then the buffer, then the G parks on sendq/recvq. Closing wakes everyone.
A nil channel (NilChan) blocks forever; closing it panics. Blocking operations are coroutines
that yield their wait reason to the M (gopark); a non-blocking path yields only at a safe point
(a pending preemption, or the M's clock past its hand-over limit). send and the receives are
generator-based coroutines (types.coroutine) that yield to the M directly: `await ch.send(v)` then
costs one frame, not three (the operation's coroutine, park's and safepoint's).
"""

import types
from collections import deque

from runtime import lock as rlock
from runtime import proc, racert
from runtime.panic import GoPanic
from runtime.proc import SAFEPOINT
from runtime.runtime2 import (Sudog, _Grunnable, waitReasonChanReceive, waitReasonChanReceiveNilChan,
                              waitReasonChanSend, waitReasonChanSendNilChan)

hchanSize = 112    # unsafe.Sizeof(hchan{}) on amd64, Go 1.27


@types.coroutine
def park(reason):
    """gopark: hand the M the wait reason; resumes when a waker readies this G."""
    yield reason


@types.coroutine
def safepoint():
    yield SAFEPOINT


def dequeue(q):
    """waitq.dequeue: the first sudog whose G is still waiting (a select's losers are skipped)."""
    while q:
        sg = q.popleft()
        if sg.is_select:
            gp = sg.g
            if gp.selectdone:
                continue
            gp.selectdone = True
            gp.param = sg
        return sg
    return None


class Chan:
    """hchan: a channel. Shared by the Gs that use it; `lock` (hchan.lock) guards every field."""

    __slots__ = ("dataqsiz", "buf", "closed", "recvq", "sendq", "lock", "addr", "zero", "nil",
                 "elemsize", "__weakref__")

    def __init__(self, cap, addr, zero=None, elemsize=8, nil=False, site=None):
        self.dataqsiz = cap
        self.buf = deque()
        self.closed = False
        self.recvq = deque()
        self.sendq = deque()
        self.addr = addr
        self.zero = zero
        self.nil = nil
        self.elemsize = elemsize
        name = f"chan {addr:#x}" if site is None else f"chan {addr:#x} {site}"   # where it was made
        costs = proc.sched.costs
        self.lock = None if nil else rlock.RuntimeLock("chan", name, costs, section_ns=costs.chan_op)
        if not nil:
            proc.sched.register_lock(self.lock)

    def __len__(self):
        return len(self.buf)

    def cap(self):
        return self.dataqsiz

    def __repr__(self):
        return "<nil chan>" if self.nil else f"<chan {self.addr:#x} {len(self.buf)}/{self.dataqsiz}>"

    @types.coroutine
    def send(self, v):
        """ch <- v"""
        sched = proc.sched
        m = sched.curm
        # lock(&c.lock) ... unlock: the whole operation is one critical section of chan_op ns.
        # Only one M runs at a time, so the state changes below are atomic with respect to the
        # others; the lock models when this M may enter (contention) and for how long it holds it.
        lock = self.lock
        now = m.now
        if lock.free_at > now or lock.log_all or now + lock.section_ns > rlock.horizon:
            lock.hold(m)
        else:                                   # RuntimeLock.hold's quick path, inline
            m.now = lock.free_at = now + lock.section_ns
            lock.quick_holds += 1
        if self.closed:
            raise GoPanic("send on closed channel")
        q = self.recvq
        sg = (q.popleft() if not q[0].is_select else dequeue(q)) if q else None
        race = racert.enabled
        if sg is not None:
            sg.elem = v
            sg.success = True
            if race is not None:
                race.chan_handoff(self, m.curg, sg.g)
            gp = sg.g                           # goready(gp), inline when it is only this:
            p = m.p                             # into an empty runnext, no idle P to wake
            if p.runnext is None and not sched.pidle and not sched.debug:
                gp.status = _Grunnable
                now = m.now                     # not before it parked (an M may lag behind)
                gp.ready_at = now if now > gp.waitsince else gp.waitsince
                p.runnext = gp
            else:
                sched.goready(gp, m)
        elif self.dataqsiz and len(self.buf) < self.dataqsiz:
            self.buf.append(v)
            if race is not None:
                race.chan_send_buf(self, m.curg)
        else:
            # acquireSudog and releaseSudog, inline: a free sudog from this P's cache, back to
            # the same list once the G resumes (so a list never outgrows its P's peak of parked
            # operations). Every waker sets success; elem is the receiver's to overwrite.
            cache = m.p.sudogcache
            mysg = cache.pop() if cache else Sudog()
            mysg.g = m.curg
            mysg.elem = v
            mysg.c = self
            self.sendq.append(mysg)
            yield waitReasonChanSend
            ok = mysg.success
            cache.append(mysg)
            if not ok:
                raise GoPanic("send on closed channel")
            return
        if m.now > sched.limit or m.curg.preempt:
            yield SAFEPOINT

    @types.coroutine
    def recv(self, with_ok=False):
        """<-ch; with with_ok, `v, ok := <-ch` (chanrecv)."""
        sched = proc.sched
        m = sched.curm
        lock = self.lock
        now = m.now
        if lock.free_at > now or lock.log_all or now + lock.section_ns > rlock.horizon:
            lock.hold(m)
        else:                                   # RuntimeLock.hold's quick path, inline
            m.now = lock.free_at = now + lock.section_ns
            lock.quick_holds += 1
        buf = self.buf
        race = racert.enabled
        if self.closed and not buf:
            if race is not None:
                race.chan_recv_closed(self, m.curg)
            return (self.zero, False) if with_ok else self.zero
        q = self.sendq
        sg = (q.popleft() if not q[0].is_select else dequeue(q)) if q else None
        if sg is not None:
            if self.dataqsiz == 0:
                v = sg.elem                      # recvDirect from the sender
            else:
                v = buf.popleft()                # the head, and the sender's value to the tail
                buf.append(sg.elem)
            sg.success = True
            if race is not None:
                race.chan_handoff(self, sg.g, m.curg)
            gp = sg.g                           # goready(gp), inline when it is only this:
            p = m.p                             # into an empty runnext, no idle P to wake
            if p.runnext is None and not sched.pidle and not sched.debug:
                gp.status = _Grunnable
                now = m.now                     # not before it parked (an M may lag behind)
                gp.ready_at = now if now > gp.waitsince else gp.waitsince
                p.runnext = gp
            else:
                sched.goready(gp, m)
        elif buf:
            v = buf.popleft()
            if race is not None:
                race.chan_recv_buf(self, m.curg)
        else:
            cache = m.p.sudogcache             # acquireSudog, inline (see send)
            mysg = cache.pop() if cache else Sudog()
            mysg.g = m.curg
            mysg.c = self
            self.recvq.append(mysg)
            yield waitReasonChanReceive
            cache.append(mysg)
            if mysg.success:
                v = mysg.elem
                return (v, True) if with_ok else v
            if race is not None:
                race.chan_recv_closed(self, mysg.g)
            return (self.zero, False) if with_ok else self.zero
        if m.now > sched.limit or m.curg.preempt:
            yield SAFEPOINT
        return (v, True) if with_ok else v

    def recv2(self):
        """v, ok := <-ch"""
        return self.recv(True)

    def close(self):
        """close(ch): wake every waiting receiver (zero, false) and sender (they panic)."""
        sched = proc.sched
        m = sched.curm
        m.now += sched.costs.chan_op
        lock = self.lock
        lock.acquire(m)
        if self.closed:
            lock.release(m)
            raise GoPanic("close of closed channel")
        self.closed = True
        if racert.enabled is not None:
            racert.enabled.chan_close(self, m.curg)
        glist = []
        for q in (self.recvq, self.sendq):
            while q:
                sg = dequeue(q)
                if sg is None:
                    break
                if q is self.recvq:
                    sg.elem = self.zero
                sg.success = False
                glist.append(sg.g)
        lock.release(m)
        # Go collects them on a gList (a stack) and readies them as it pops: the last first, so
        # each takes runnext in turn and the first waiter ends up in it.
        for gp in reversed(glist):
            sched.goready(gp, m)

    def __aiter__(self):
        return self

    async def __anext__(self):
        """for v := range ch"""
        v, ok = await self.recv(True)
        if not ok:
            raise StopAsyncIteration
        return v

    # select cases
    def recv_case(self):
        return (RECV, self, None)

    def send_case(self, v):
        return (SEND, self, v)


RECV, SEND = 0, 1


class NilChan(Chan):
    """A nil channel (`var c chan T`): send and receive block forever, close panics, and select
    never picks its cases. Its own class, so that real channels' operations need not check."""

    __slots__ = ()

    def __init__(self):
        super().__init__(0, 0, nil=True)

    @types.coroutine
    def send(self, v):
        yield waitReasonChanSendNilChan

    @types.coroutine
    def recv(self, with_ok=False):
        yield waitReasonChanReceiveNilChan

    def close(self):
        raise GoPanic("close of nil channel")
