"""Timers (Go's time.go), in one heap ordered by (when, seq) (Go keeps one heap per P).

Expired timers run at schedule() on whichever M looks (checkTimers) and in stealWork's last round;
their callbacks ready Gs (sleep) or send on channels (time.After). When every M is idle, the last
one to go idle blocks until the next timer (Go's netpoll(delay)), so virtual time jumps forward.
"""

import heapq


class Timers:
    """The timer part of Sched (mixed into proc.Sched; same owner, no lock)."""

    __slots__ = ()

    def addtimer(self, when, fn, arg):
        self.curm.now += self.costs.timer
        self.timerseq += 1
        heapq.heappush(self.timers, (when, self.timerseq, fn, arg))
        poller = self.poller
        if poller is not None and when < poller.now:
            poller.now = max(when, poller.blocked_until or 0, self.curm.now)  # wakeNetPoller
            self._set_limit(self.curm)
        return self.timerseq

    def deltimer(self, seq):
        for i, t in enumerate(self.timers):
            if t[1] == seq:
                self.timers[i] = self.timers[-1]
                self.timers.pop()
                heapq.heapify(self.timers)
                return True
        return False

    def runtimers(self, m):
        """Run every timer due at m's clock (checkTimers); their callbacks ready Gs."""
        timers = self.timers
        while timers and timers[0][0] <= m.now:
            when, _, fn, arg = heapq.heappop(timers)
            m.now += self.costs.timer
            fn(arg, when, m)

    async def netpoll_until_timer(self, m):
        """The last M to go idle blocks until the next timer fires (netpoll(delay))."""
        self.poller = m
        when = self.timers[0][0]
        m.blocked_until = m.now
        if when > m.now:
            m.now = when
        await self._switch(m)
        self.poller = None
        m.blocked_until = None
        p = self.pidleget(m)
        if p is not None:
            self.acquirep(m, p)

