"""Contention recording (Go's mprof.go, for locks): the run log's lock events, and the ranking of
the most contended runtime locks for the summary.

The observer hears every acquisition of the allocator's locks and every contended acquisition of
the others (RuntimeLock decides); it writes `lock_acquire` with the previous owner and the current
G's workload stack, and `lock_release` with the hold time; and `lock_wait_late` for contention the
lock finds only at a release (an M that ran ahead). Counting is done by the locks themselves.
"""

import re

from runtime.traceback import frames_from_coro, frames_from_stack, stack_strings

_SPANCLASS = re.compile(r"mcentral\[(\d+)\]")


class LockObserver:
    """Writes lock events to the run log. Owned by the run; called on the one running M."""

    def __init__(self, log):
        self.log = log

    def lock_acquired(self, lock, m, wait, waiters):
        log = self.log
        if log is None:
            return
        g = m.curg
        prev = lock.prev_owner or (None, None, None)
        fields = _wait_fields(lock, m, m.p, g, wait, prev, waiters)
        fields["stack"] = current_stack(g)
        if wait and lock.blocker_stack is not None:
            fields["holder_stack"] = lock.blocker_stack      # whom Go's mutex profile charges
        log.event("lock_acquire", m.now, **fields)

    def lock_waited_late(self, lock, hold, wait, holder):
        """A hold that began inside `holder`'s, found at holder's release: its M ran ahead and
        should have waited `wait` ns (RuntimeLock._count_late_contention). Logged as
        lock_wait_late at the time it would have got the lock, charged to the holder."""
        log = self.log
        if log is None:
            return
        start, _, m, p, g, stack = hold
        hp, hg = holder.p, holder.curg
        prev = (holder.id, None if hp is None else hp.id, None if hg is None else hg.goid)
        fields = _wait_fields(lock, m, p, g, wait, prev)
        fields["stack"] = stack or []
        fields["holder_stack"] = self.stack_of(holder)
        log.event("lock_wait_late", start + wait, **fields)

    def stack_of(self, m):
        """The workload stack of the G on M `m` (recorded with each hold, for holder_stack)."""
        return current_stack(m.curg) if self.log is not None else None

    def lock_released(self, lock, m, hold):
        log = self.log
        if log is None:
            return
        p = m.p
        g = m.curg
        log.event("lock_release", m.now, m=m.id, p=None if p is None else p.id,
                  g=None if g is None else g.goid, kind=lock.kind, lock=lock.name, hold_ns=hold)


def _wait_fields(lock, m, p, g, wait, prev, waiters=0):
    """The fields lock_acquire and lock_wait_late share: who waited, for what, behind whom."""
    fields = {"m": m.id, "p": None if p is None else p.id, "g": None if g is None else g.goid,
              "kind": lock.kind, "lock": lock.name, "wait_ns": wait, "waiters": waiters,
              "prev_m": prev[0], "prev_p": prev[1], "prev_g": prev[2]}
    if lock.kind == "mcentral":
        mo = _SPANCLASS.search(lock.name)
        fields["spanclass"] = int(mo.group(1)) if mo else None
    return fields


_stack_strings = {}   # frames -> their "file:line func" strings: a workload has few distinct stacks


def current_stack(g):
    """The workload frames of G `g` now, innermost first: its chain of coroutine frames (cheap:
    one frame per awaiting workload function); the live Python stack when it has none. Plain
    (non-async) workload functions between two coroutine frames are not in the chain."""
    frames = frames_from_coro(g.coro) if g is not None else None
    if not frames:
        frames = frames_from_stack(1)
    key = tuple(frames)
    strings = _stack_strings.get(key)
    if strings is None:
        strings = _stack_strings[key] = stack_strings(frames)
    return strings


def most_contended(locks, n=5):
    """Locks ranked by total wait, merged by name; (name, kind, acquisitions, contended, wait_ns,
    hold_ns, max_waiters)."""
    merged = {}
    for lock in locks:
        if lock.acquisitions == 0:
            continue
        row = merged.setdefault(lock.name, [lock.kind, 0, 0, 0, 0, 0])
        row[1] += lock.acquisitions
        row[2] += lock.contended
        row[3] += lock.wait_ns
        row[4] += lock.hold_ns
        row[5] = max(row[5], lock.max_waiters)
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1][3], -kv[1][2], kv[0]))
    return [(name, *row) for name, row in ranked[:n] if row[2] > 0]


def contention_by_kind(locks):
    """kind -> (acquisitions, contended, wait_ns)."""
    out = {}
    for lock in locks:
        row = out.setdefault(lock.kind, [0, 0, 0])
        row[0] += lock.acquisitions
        row[1] += lock.contended
        row[2] += lock.wait_ns
    return out
