"""Runtime locks held across virtual time (runtime/lock.py)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.lock import RuntimeLock
from runtime.runtime2 import M


def test_a_wait_is_charged_in_virtual_time_with_the_previous_owner():
    lock = RuntimeLock("sched", "x")
    a, b = M(0, now=100), M(1, now=150)
    lock.acquire(a)
    a.now += 5000                      # holds it until 5100
    lock.release(a)
    lock.acquire(b)                    # asked at 150: spins, sleeps, and is woken at 5100
    assert b.now == 5100 + lock.handoff_ns
    assert (lock.contended, lock.wait_ns, lock.prev_owner) == (1, 4950 + lock.handoff_ns, (0, None, None))


def test_an_m_earlier_in_virtual_time_does_not_wait_for_a_later_hold():
    """M1 runs after M0 in host order but asks before M0's hold began: no wait (lookahead)."""
    lock = RuntimeLock("mcentral", "mcentral[5] 16B noscan", section_ns=100)
    m0, m1 = M(0, now=4000), M(1, now=1000)
    lock.hold(m0)
    lock.acquire(m1)
    assert m1.now == 1000 and lock.contended == 0
    m1.now += 50
    lock.release(m1)
    assert lock.contended == 0


def test_a_later_hold_that_began_inside_an_earlier_one_is_counted_as_late_contention():
    lock = RuntimeLock("mcentral", "mcentral[5] 16B noscan", section_ns=100)
    m0, m1 = M(0, now=4000), M(1, now=3950)
    lock.hold(m0)                       # [4000, 4100), run first in host order
    lock.hold(m1)                       # [3950, 4050): m0 should have waited until 4050
    assert (lock.contended, lock.late_contended) == (1, 1)
    assert lock.wait_ns == lock.spin_round_ns   # m0 would have spun: freed at 4050, seen at its first look


def test_waiters_count_the_overlapping_waits():
    lock = RuntimeLock("mheap", "mheap")
    holder = M(0, now=0)
    lock.acquire(holder)
    holder.now = 10_000
    lock.release(holder)
    ms = [M(i, now=1000 * i) for i in range(1, 4)]
    seen = []
    for m in ms:                        # all asked while the holder held it
        lock.acquire(m)
        seen.append(lock.max_waiters)
        m.now += 100
        lock.release(m)
    assert lock.contended == 3
    assert seen[-1] == 2                # the third waited alongside the other two


class _Observer:
    def __init__(self):
        self.events = []

    def lock_acquired(self, lock, m, wait, waiters):
        self.events.append(("acq", m.id, wait, waiters))

    def lock_released(self, lock, m, hold):
        self.events.append(("rel", m.id, hold))


def test_the_observer_hears_contended_acquisitions_and_every_one_with_log_all():
    obs = _Observer()
    hot, heap = RuntimeLock("chan", "chan 0x1", section_ns=100), RuntimeLock("mheap", "mheap", section_ns=100)
    hot.observer = heap.observer = obs
    heap.log_all = True                 # a debug-level log: every acquisition
    a, b = M(0, now=0), M(1, now=10)
    hot.hold(a)                         # uncontended: silent
    heap.hold(a)                        # log_all: heard
    hot.hold(b)                         # contended: heard
    assert [e[0] for e in obs.events] == ["acq", "rel", "acq", "rel"]
    assert obs.events[2][1:3] == (1, hot.spin_round_ns)     # b spun: freed at 100, seen at its first look
    assert hot.acquisitions == 2 and heap.acquisitions == 1     # the lock counts them all anyway


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5000), st.integers(1, 400)), max_size=40),
       st.sampled_from(["sched", "mheap"]))
def test_holds_never_overlap_when_ms_run_in_virtual_time_order(ops, kind):
    """Acquisitions in non-decreasing virtual time (what the emulator guarantees within its
    lookahead) give disjoint holds, the time reserved for a waiter (from the release it waited
    for) included, on a lock where every waiter spins and on one where most sleep."""
    lock = RuntimeLock(kind, "s")
    ms = [M(i) for i in range(4)]
    t = 0
    intervals = []
    for mid, gap, hold in ops:
        t += gap
        m = ms[mid]
        if m.now > t:
            continue                    # this M is still busy: it asks later, out of order
        m.now = t
        lock.acquire(m)
        m.now += hold
        lock.release(m)
        intervals.append(tuple(lock.busy[-1][:2]))
    intervals.sort()
    for (s1, e1), (s2, e2) in zip(intervals, intervals[1:]):
        assert e1 <= s2


def _held(lock, m, until):
    lock.acquire(m)
    m.now = until
    lock.release(m)


def test_a_waiter_takes_a_lock_freed_within_its_spin_at_once():
    lock = RuntimeLock("mheap", "mheap")
    _held(lock, M(0, now=0), until=1000)
    lock.spin_round_ns, lock.spin_ns = 300, 1500
    b = M(1, now=200)
    lock.acquire(b)                       # 800 ns left: within its spin; lock2 looks at 500, 800, 1100
    assert b.now == 1100 and lock.wait_ns == 900


def test_a_waiter_whose_spin_runs_out_sleeps_and_is_woken():
    lock = RuntimeLock("mheap", "mheap")
    _held(lock, M(0, now=0), until=lock.spin_ns + 1000)
    b = M(1, now=500)
    lock.acquire(b)
    assert b.now == lock.spin_ns + 1000 + lock.handoff_ns


def test_only_the_spin_bits_holder_spins_but_on_sched_lock_every_waiter_does():
    """lock_spinbit.go: while one M spins for a lock, another that asks sleeps at once, so it pays
    its futex wake-ups even for holds about to end; sched.lock lets every waiter spin."""
    for kind, second_at in (("mcentral", 1000 + 500 + 100 + 500), ("sched", 200 + 1500)):
        lock = RuntimeLock(kind, kind)
        lock.handoff_ns, lock.spin_ns, lock.spin_round_ns = 500, 1500, 300
        _held(lock, M(0, now=0), until=1000)
        first, second = M(1, now=100), M(2, now=200)
        _held(lock, first, until=1600)        # spun from 100: looked at 400, 700, 1000
        assert lock.wait_ns == 900
        lock.acquire(second)                  # asked at 200 while first spun: sleeps, or spins to its osyield
        assert second.now == second_at, kind


def test_a_hold_found_late_is_counted_contended_once():
    """A hold found inside two later-recorded holds, or one whose acquisition already waited, is
    no second contention: contended never exceeds acquisitions."""
    lock = RuntimeLock("mheap", "mheap")
    _held(lock, M(0, now=1000), until=1100)
    _held(lock, M(1, now=900), until=1200)     # M0 ran ahead: it should have waited for M1
    _held(lock, M(2, now=850), until=1300)     # M1 and M0 should have waited for M2
    assert (lock.contended, lock.late_contended) == (2, 2)
    lock = RuntimeLock("mheap", "mheap")
    _held(lock, M(0, now=100), until=1000)
    _held(lock, M(1, now=500), until=1700)     # waits for M0: contended at acquire
    _held(lock, M(2, now=50), until=1100)      # M0 ran into it; M1 is counted already
    assert (lock.contended, lock.late_contended) == (2, 1)


def test_a_sleeper_is_woken_by_the_release_after_a_spinners_hold():
    """unlock2 wakes no sleeper while an M spins: the spinner takes the lock, and its release
    wakes the sleeper, which is charged to it."""
    lock = RuntimeLock("mheap", "mheap")
    lock.handoff_ns, lock.spin_ns, lock.spin_round_ns = 500, 1500, 300
    _held(lock, M(0, now=0), until=950)
    spinner, sleeper = M(1, now=100), M(2, now=200)
    _held(lock, spinner, until=1100)           # looks at 400, 700, 1000: takes it at 1000
    lock.acquire(sleeper)                      # asked while M1 spun: sleeps until M1's release
    assert sleeper.now == 1100 + 500 and lock.prev_owner == (1, None, None)


def test_an_m_that_asks_before_the_spinner_began_may_spin():
    lock = RuntimeLock("mheap", "mheap")
    lock.handoff_ns, lock.spin_ns, lock.spin_round_ns = 500, 1500, 300
    _held(lock, M(0, now=0), until=1000)
    _held(lock, M(1, now=600), until=1300)     # spins over [600, 1200)
    early = M(2, now=100)
    lock.acquire(early)                        # nobody spun at 100: it spins; M1 holds at its 3rd look
    assert early.now == 100 + 4 * 300          # its 4th look, as M1 releases (asleep: 1300 + 500)


def test_the_spin_is_four_procyields_and_an_osyield():
    from runtime.costs import CostModel
    lock = RuntimeLock("mheap", "mheap", costs=CostModel(procyield=1200, osyield=300))
    assert lock.spin_ns == 4 * 1200 + 300
    waits = []
    for end in (1300, 1600, 4900):
        lock = RuntimeLock("mheap", "mheap", costs=CostModel(procyield=1200, osyield=300))
        _held(lock, M(0, now=0), until=end)
        m = M(1, now=0)
        lock.acquire(m)
        waits.append(m.now)
    assert waits == [2400, 2400, 5100]         # a later release is never seen sooner


def test_more_ms_queued_than_holds_remembered_still_wait_in_turn():
    """Twenty Ms ask for a lock at the same time: each waits for the one before, though more
    holds are queued than the lock remembers at least."""
    for kind in ("sched", "mheap"):
        lock = RuntimeLock(kind, kind)
        spans = []
        for i in range(20):
            m = M(i, now=1000)
            lock.acquire(m)
            start = m.now
            m.now += 200
            lock.release(m)
            spans.append((start, m.now))
        spans.sort()
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:])), kind
