"""Runtime-internal locks (Go's `mutex`, lock_spinbit.go) held across virtual time.

A critical section runs to its end without yielding, so a lock is modelled by the intervals of
virtual time during which it was held: an M that asks for it inside one of them waits until the
lock is free, and the wait is charged to its clock. That is what makes mheap and mcentral
contention visible without a trio call per lock. As in lock2 (lock_spinbit.go), a waiter spins
first (on sched.lock every waiter; on another lock only the M holding the spin bit), looking at the
lock after each procyield(30), four times, then once after an osyield, and takes a lock freed
meanwhile at its next look; otherwise it sleeps, and is woken (lock_handoff later) by the release
after which the lock is free. Not modelled: the LIFO order of sleepers, and an M barging in ahead
of a waiter that is waking or about to look (the lock is the waiter's from its release on).

The emulator runs one M at a time, but only approximately in virtual-time order (an M may run a
few microseconds ahead of the next, note.LOOKAHEAD_NS). Keeping the recent hold intervals, not only
the time the lock is next free, means an M that runs later in host order but earlier in virtual
time is not made to wait for holds that, in virtual time, happen after its own; the reverse case
(an M ran ahead and took the lock inside a hold that, in virtual time, began before its own) is
found at release and counted as contention, though that M's clock cannot be set back.
"""

from collections import deque

from runtime.costs import DEFAULT_COSTS

# The earliest virtual time at which an M other than the running one may still ask for a lock:
# the smallest clock among the other active Ms (the scheduler keeps it, note.MHandover). A newly
# woken M starts at or after its waker's clock, so an uncontended hold that ends by then can never
# be waited for and `hold` need not record it. Outside a run: record every hold. (A module global,
# not a class attribute: Python 3.11 looks those up fast.)
horizon = float("-inf")

_RECENT = 32   # contended acquisitions remembered to count overlapping waiters
_HOLDS = 16    # hold intervals remembered at least: more than one M can pack into the lookahead window
_MAX_HOLDS = 4096   # and at most (outside a run, where no horizon drops the old ones)


def _no_stack(m):
    return None


class RuntimeLock:
    """One runtime mutex: the mheap lock, an mcentral lock, sched.lock, a channel's lock.

    Owned by nobody; guarded by itself (its fields change only while the emulator runs the one M
    that acquires or releases it). Counts acquisitions, contention, wait and hold in virtual ns;
    `observer` (set by the scheduler's logger) hears about acquisitions (all of them for the mheap and
    mcentral locks, the contended ones for the others) and their releases; `waiters` at
    an acquisition counts the other Ms whose contended waits overlap it in virtual time, among the
    waits already recorded then (an M that runs later in host order, within the lookahead, may
    add an overlapping wait afterwards: the count can be low; late contention adds none).
    """

    __slots__ = ("kind", "name", "free_at", "acquired_at", "holder",
                 "acquired", "contended", "wait_ns", "held_ns", "observer", "handoff_ns",
                 "waits", "max_waiters", "max_wait_ns", "log_all", "logged", "busy", "held_from",
                 "check_overlap", "late_contended", "blocker", "blocker_stack", "max_held_ns",
                 "section_ns", "quick_holds", "spin_ns", "spin_round_ns", "spinning", "waited")

    def __init__(self, kind, name, costs=DEFAULT_COSTS, section_ns=0):
        self.kind = kind          # "mheap", "mcentral", "sched", "chan", ...
        self.name = name          # e.g. "mheap", "mcentral[5] 16B noscan"
        self.section_ns = section_ns  # the length of a `hold`: this lock's short critical section
        self.quick_holds = 0      # holds that took the uncontended path of `hold` (section_ns each)
        self.free_at = 0          # virtual ns at which the latest hold ends
        # [start, end, m, p, g, stack, contended] of recent holds, in host order; contended: its
        # acquisition waited, or was found to have run into another hold (counted once)
        self.busy = deque()
        self.blocker = None       # (m, p, g) of the hold an acquisition waited for: its prev_owner
        self.blocker_stack = None # that holder's workload stack, when an observer records stacks
        self.max_held_ns = 0      # longest hold through acquire/release
        self.held_from = 0        # start of the current hold, including a handoff reserved for it
        self.check_overlap = False  # asked before the latest recorded hold ended: see release
        self.late_contended = 0   # contention found at release, after the fact (see release)
        self.acquired_at = 0
        self.holder = None        # the M holding it, or None
        self.acquired = 0         # acquisitions through acquire (quick holds are counted apart)
        self.contended = 0
        self.wait_ns = 0
        self.held_ns = 0          # hold time through acquire/release
        self.observer = None
        self.handoff_ns = costs.lock_handoff   # a sleeping waiter's futex wake-up
        self.spin_round_ns = costs.procyield   # between a spinning waiter's looks: procyield(30)
        self.spin_ns = 4 * costs.procyield + costs.osyield     # its spin, before it sleeps
        self.spinning = (0, 0)    # the spin bit: an M spins for the lock over [from, until)
        self.waited = False       # the current holder's acquisition was contended
        self.waits = deque(maxlen=_RECENT)   # (asked_at, granted_at, m id) of contended acquisitions
        self.max_waiters = 0
        self.max_wait_ns = 0
        # Which acquisitions the observer hears about: the contended ones (and their releases); all
        # of them when the run sets log_all (a debug-level log). The lock's own counters keep
        # every acquisition, for the summary and the log's run_end.
        self.log_all = False
        self.logged = False

    def acquire(self, m):
        """lock(&l): wait (in virtual time) until the lock is free, then take it."""
        asked = m.now
        self.blocker = None
        self.check_overlap = asked < self.free_at
        freed = asked
        if self.check_overlap:
            spins = self._may_spin(asked)
            granted, freed = self._free_from(asked, spins)
            wait = granted - asked
            if wait and spins:
                self.spinning = (asked, min(asked + self.spin_ns, granted))
        else:
            wait = 0
        waiters = 0
        if wait > 0:
            m.now += wait
            self.contended += 1
            self.wait_ns += wait
            if wait > self.max_wait_ns:
                self.max_wait_ns = wait
            waiters = self._overlapping(asked, m.now, m.id)
            self.waits.append((asked, m.now, m.id))
        else:
            wait = 0
            waits = self.waits
            if waits and waits[-1][1] > asked:
                waiters = self._overlapping(asked, asked, m.id)
        self.acquired += 1
        self.holder = m
        self.acquired_at = m.now
        # the lock is the waiter's from the moment it was freed, while the waiter wakes up or
        # takes its next look at it (no other M barges in: see the module's comment)
        self.held_from = freed if wait else m.now
        self.waited = wait > 0
        if self.observer is not None and (wait or self.log_all):
            self.logged = True
            self.observer.lock_acquired(self, m, wait, waiters)

    def hold(self, m):
        """lock; section_ns of work; unlock: the lock's short critical section (sched.lock around
        a run-queue operation, a channel operation), with the uncontended case inline and cheap.

        The hottest callers (the M's loop, channel send/receive) inline the quick path themselves,
        since in CPython the call costs as much as the rest of the operation
        (`from runtime import lock as rlock`):

            now = m.now
            if lock.free_at > now or lock.log_all or now + lock.section_ns > rlock.horizon:
                lock.hold(m)
            else:
                m.now = lock.free_at = now + lock.section_ns
                lock.quick_holds += 1
        """
        start = m.now
        if self.free_at > start or self.log_all:
            self.acquire(m)
            m.now += self.section_ns
            self.release(m)
            return
        self.quick_holds += 1
        m.now = self.free_at = end = start + self.section_ns
        if end > horizon:                 # another M may still ask inside this hold
            self._remember([start, end, m, m.p, m.curg, None, False])

    @property
    def acquisitions(self):
        return self.acquired + self.quick_holds

    @property
    def hold_ns(self):
        return self.held_ns + self.quick_holds * self.section_ns

    @property
    def max_hold_ns(self):
        return max(self.max_held_ns, self.section_ns if self.quick_holds else 0)

    def _may_spin(self, t):
        """Whether an M asking at t spins (lock2): on sched.lock every M does; on others only the
        one holding the spin bit (no other M spins at t), the others sleep at once."""
        spin_from, spin_until = self.spinning
        return self.kind == "sched" or not spin_from <= t < spin_until

    def _spin_look(self, asked, free):
        """When an M that began to spin at `asked` sees a lock freed at `free` (within its spin):
        lock2 looks again after each procyield(30), four times, then once after an osyield."""
        rounds = -(-(free - asked) // self.spin_round_ns)
        return asked + rounds * self.spin_round_ns if rounds <= 4 else asked + self.spin_ns

    def _free_from(self, asked, spins):
        """When an M asking at `asked` gets the lock, and when it was freed for it (the end of the
        last hold before its own). The M waits out every hold that covers its next look (if it
        `spins`, after each procyield, until it would sleep) or, asleep, its wake-up: a hold that
        ends while it spins is seen at its next look; after a later one it was asleep, and it
        takes the lock a futex wake-up (handoff_ns) after the release that wakes it. Another M
        may take the lock and free it again before that look or wake-up (a spinner: unlock2
        wakes no sleeper while one spins): the lock is then free from that M's release."""
        t = freed = asked
        spin_until = asked + self.spin_ns if spins else asked
        asleep = False
        moved = True
        while moved:
            moved = False
            for start, end, hm, hp, hg, stack, _ in self.busy:
                if end > freed and (start < t or start == t < end):
                    if end > t or asleep and start <= freed:
                        # held at the M's look or wake-up, or taken at the release that was to
                        # wake it (by a spinner: no wake-up then): wait for this release
                        asleep = end > spin_until
                        t = end + self.handoff_ns if asleep else self._spin_look(asked, end)
                    freed = end
                    # the hold this acquisition ends up waiting for, and who held it (ids fixed
                    # at the hold: the objects are stored, their ids never change)
                    self.blocker = (hm.id, None if hp is None else hp.id, None if hg is None else hg.goid)
                    self.blocker_stack = stack
                    moved = True
        return t, freed

    def _count_late_contention(self, m, now):
        """Holds recorded earlier (in host order) that began inside this one, in virtual time: their
        Ms ran ahead within the lookahead and should have waited for us. Their clocks cannot be
        set back, but the contention is counted (contended, wait_ns, late_contended) and told to
        the observer (the log's lock_wait_late), charged to m, the holder they should have waited for."""
        start = self.held_from
        for hold in self.busy:
            s = hold[0]
            if start < s < now and not hold[6]:
                hold[6] = True
                seen = self._spin_look(s, now) if now - s <= self.spin_ns else now + self.handoff_ns
                wait = seen - s
                self.contended += 1
                self.late_contended += 1
                self.wait_ns += wait
                if wait > self.max_wait_ns:
                    self.max_wait_ns = wait
                if self.observer is not None:
                    self.observer.lock_waited_late(self, tuple(hold[:6]), wait, m)

    def _overlapping(self, asked, granted, mid):
        """Other Ms whose own wait for this lock overlaps [asked, granted]: the waiters at acquire."""
        n = 0
        for a, g, other in self.waits:
            if other != mid and a <= granted and g > asked:
                n += 1
        if n > self.max_waiters:
            self.max_waiters = n
        return n

    def release(self, m):
        """unlock(&l): the lock is free from the releasing M's current virtual time on."""
        now = m.now
        hold = now - self.acquired_at
        self.held_ns += hold
        if hold > self.max_held_ns:
            self.max_held_ns = hold
        if self.check_overlap:
            self._count_late_contention(m, now)
        observer = self.observer
        stack = None if observer is None else getattr(observer, "stack_of", _no_stack)(m)
        self._remember([self.held_from, now, m, m.p, m.curg, stack, self.waited])
        if now > self.free_at:
            self.free_at = now
        self.holder = None
        if self.logged:
            self.logged = False
            self.observer.lock_released(self, m, hold)

    def _remember(self, hold):
        """Record a hold; forget the oldest ones beyond _HOLDS that no M can still ask inside (they
        ended by the horizon): with more Ms queued on the lock than that, all their holds count."""
        busy = self.busy
        busy.append(hold)
        while len(busy) > _HOLDS and (busy[0][1] <= horizon or len(busy) > _MAX_HOLDS):
            busy.popleft()

    @property
    def prev_owner(self):
        """(m, p, g) ids of whom an acquisition waited for (the hold it queued behind), else of the
        last holder at its release (the latest hold recorded); None before the first release."""
        if self.blocker is not None:
            return self.blocker
        if not self.busy:
            return None
        _, _, m, p, g, _, _ = self.busy[-1]          # the latest hold recorded: its holder
        return (m.id, None if p is None else p.id, None if g is None else g.goid)
