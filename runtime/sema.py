"""The runtime semaphore behind sync.Mutex, RWMutex and WaitGroup (Go's sema.go), and notifyList.

251 semaRoots, chosen by (addr >> 3) % 251, each with its own lock (the contention shows as kind
"sema"). Each root keeps, per address, a FIFO of waiting sudogs (Go's treap of FIFOs); `lifo`
requeues a G that already waited at the front. `semrelease(handoff=True)` gives the count straight
to the first waiter and makes the releaser yield to it (goyield at its next safe point).
"""

from collections import deque

from runtime import proc
from runtime.chan import park
from runtime.lock import RuntimeLock
from runtime.proc import GOYIELD
from runtime.runtime2 import Sudog

semTabSize = 251


class SemaWord:
    """A uint32 semaphore word inside a sync object, with the address that picks its semaRoot."""

    __slots__ = ("sema", "addr")

    def __init__(self, addr):
        self.sema = 0
        self.addr = addr


class semaRoot:
    """One bucket of the semaphore table. `lock` guards `waiters` and `nwait`."""

    __slots__ = ("lock", "waiters", "nwait")

    def __init__(self, i, costs):
        self.lock = RuntimeLock("sema", f"semaRoot[{i}]", costs)
        self.waiters = {}     # addr -> deque of sudogs
        self.nwait = 0


def semroot(addr):
    sched = proc.sched
    table = sched.semtable
    i = (addr >> 3) % semTabSize
    root = table[i]
    if root is None:
        root = table[i] = semaRoot(i, sched.costs)
        sched.register_lock(root.lock)
    return root


def cansemacquire(w):
    if w.sema > 0:
        w.sema -= 1
        return True
    return False


async def semacquire(w, lifo, reason):
    """semacquire1: take one count of w, parking with `reason` until one is released."""
    if cansemacquire(w):
        return
    sched = proc.sched
    root = semroot(w.addr)
    while True:
        m = sched.curm
        m.now += sched.costs.sema
        root.lock.acquire(m)
        root.nwait += 1
        if cansemacquire(w):
            root.nwait -= 1
            root.lock.release(m)
            return
        sg = Sudog(m.curg, None, w)
        sg.ticket = 0
        sg.acquiretime = m.now
        q = root.waiters.get(w.addr)
        if q is None:
            q = root.waiters[w.addr] = deque()
        if lifo:
            q.appendleft(sg)
        else:
            q.append(sg)
        root.lock.release(m)
        await park(reason)
        if sg.ticket != 0 or cansemacquire(w):
            return


def semrelease(w, handoff=False):
    """semrelease1: add one count; wake the first waiter (and hand it the count with handoff)."""
    w.sema += 1
    sched = proc.sched
    root = semroot(w.addr)
    if root.nwait == 0:
        return
    m = sched.curm
    m.now += sched.costs.sema
    root.lock.acquire(m)
    q = root.waiters.get(w.addr)
    if not q:
        root.lock.release(m)
        return
    sg = q.popleft()
    if not q:
        del root.waiters[w.addr]
    root.nwait -= 1
    root.lock.release(m)
    if handoff and cansemacquire(w):
        sg.ticket = 1
    sched.goready(sg.g, m)
    if sg.ticket == 1:
        m.curg.preempt = GOYIELD


class notifyList:
    """sync.Cond's ticket list (sema.go notifyList*). `lock` guards it."""

    __slots__ = ("wait", "notify", "waiters", "lock")

    def __init__(self, addr):
        sched = proc.sched
        self.wait = 0          # next ticket to hand out
        self.notify = 0        # next ticket to be notified
        self.waiters = deque()  # (ticket, sudog)
        self.lock = RuntimeLock("sema", f"notifyList {addr:#x}", sched.costs)
        sched.register_lock(self.lock)

    def add(self):
        t = self.wait
        self.wait += 1
        return t

    async def wait_ticket(self, t, reason):
        sched = proc.sched
        m = sched.curm
        self.lock.acquire(m)
        if t < self.notify:        # already notified
            self.lock.release(m)
            return
        sg = Sudog(m.curg)
        sg.ticket = t
        self.waiters.append(sg)
        self.lock.release(m)
        await park(reason)

    def notify_one(self):
        if self.wait == self.notify:
            return
        sched = proc.sched
        m = sched.curm
        self.lock.acquire(m)
        t = self.notify
        if t == self.wait:
            self.lock.release(m)
            return
        self.notify = t + 1
        found = None
        for sg in self.waiters:
            if sg.ticket == t:
                found = sg
                break
        if found is not None:
            self.waiters.remove(found)
        self.lock.release(m)
        if found is not None:
            sched.goready(found.g, m)

    def notify_all(self):
        if self.wait == self.notify:
            return
        sched = proc.sched
        m = sched.curm
        self.lock.acquire(m)
        self.notify = self.wait
        woken = list(self.waiters)
        self.waiters.clear()
        self.lock.release(m)
        for sg in woken:
            sched.goready(sg.g, m)
