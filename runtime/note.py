"""How Ms take turns (Go's notes: notesleep/notewakeup), and which M runs next.

Ms are trio tasks, but exactly one is runnable at a time: the active M with the smallest (virtual
clock, id). It runs until its clock passes the next M's clock by LOOKAHEAD_NS, then hands over with
a trio-level reschedule of the next M's task (a few microseconds of host time, so it happens rarely
and never per G step). An M with nothing to do leaves the active set and parks (stopm, sysmonwait)
until something adds it back at a virtual time (startm: `activate`). trio's own task order never
decides anything: the same seed gives the same run.
"""

import trio

from runtime import lock
from runtime.log import check_interrupt, pending_signal
from runtime.panic import Exit
from runtime.runtime2 import M

LOOKAHEAD_NS = 5_000     # how far one M's clock may run ahead of the next M's before handing over
                         # (the default of `gort run --lookahead`; Sched.lookahead_ns)


class MHandover:
    """The part of Sched that runs Ms one at a time (mixed into proc.Sched; same owner, no lock)."""

    __slots__ = ()

    def newm(self, body=None, start=True):
        """A new M: a trio task that waits for its first turn, then runs `body` (schedule)."""
        m = M(len(self.allm), self.curm.now if self.curm is not None else 0)
        self.allm.append(m)
        if start:
            self.nursery.start_soon(self._mtask, m, body or self._mloop)
        return m

    async def _mtask(self, m, body):
        m.task = trio.lowlevel.current_task()
        try:
            if self.curm is not m:
                await self._park(m)
            await body(m)
        except Exit as e:
            if self.status is None:
                self.status = e.status
            self.vt_end = max(self.vt_end, m.now)
            self.nursery.cancel_scope.cancel()

    async def _park(self, m):
        m.parked = True
        await trio.lowlevel.wait_task_rescheduled(lambda _: trio.lowlevel.Abort.SUCCEEDED)

    def _resume(self, m):
        self.curm = m
        self._set_limit(m)
        if m.parked:
            m.parked = False
            trio.lowlevel.reschedule(m.task)
        # else: its task has not started yet; it will see curm is m and run

    def _set_limit(self, m):
        nxt = None
        for o in self.active:
            if o is not m and (nxt is None or o.now < nxt):
                nxt = o.now
        self.limit = float("inf") if nxt is None else nxt + self.lookahead_ns
        lock.horizon = float("inf") if nxt is None else nxt
        if pending_signal[0]:
            self.interrupt_soon()

    def interrupt_soon(self):
        """A signal is pending: the running M hands over at its next check of the limit, and
        _switch stops the run there. Virtual time need not move (a cost model of zeros)."""
        self.limit = float("-inf")

    def _pick(self):
        best = None
        for o in self.active:
            if best is None or (o.now, o.id) < (best.now, best.id):
                best = o
        return best

    async def _switch(self, m):
        """Let an M with an earlier clock run; return when m is again the earliest.

        A pending SIGINT/SIGTERM stops the run here, at a clean point: the signal sets the limit
        so that the running M comes here at once (interrupt_soon)."""
        if pending_signal[0]:
            check_interrupt()
        nxt = self._pick()
        if nxt is m:
            self._set_limit(m)
            return
        self.msteps += 1
        self._resume(nxt)
        await self._park(m)

    async def _sleep_m(self, m):
        """m leaves the active set (stopm, sysmonwait) and parks until something adds it back."""
        self.active.remove(m)
        nxt = self._pick()
        if nxt is None or all(o.is_sysmon for o in self.active):
            self.checkdead(m)
        self.msteps += 1
        self._resume(nxt)
        await self._park(m)

    def activate(self, m, at):
        """An idle M is woken at virtual time `at`; it continues from max(own clock, at)."""
        if m.now < at:
            m.now = at
        self.active.append(m)
        if m.now + self.lookahead_ns < self.limit:
            self.limit = m.now + self.lookahead_ns
            lock.horizon = m.now

