"""The race detector inside the emulated runtime (`gort run --race`): Go's race.go + ThreadSanitizer.

Every goroutine carries a vector clock (`G.vc`, goid -> epoch); every synchronization object has one
here. The runtime's primitives call in at the points where Go's runtime calls `raceacquire`,
`racerelease`, `racereleasemerge`, `racesync` and `racenotify`, so the happens-before edges are
exactly the Go memory model's: go ⇒ start; send ⇒ its receive completes; unbuffered receive ⇒ its
send completes; the k-th receive ⇒ the (k+C)-th send completes (per-slot clocks, as racenotify);
close ⇒ a receive that returns because of it; Unlock ⇒ the next Lock (RUnlock ⇒ Lock, Unlock ⇒
RLock); Done ⇒ Wait returns; Once's f ⇒ every Do returns; Signal/Broadcast ⇒ the Wait it wakes;
atomics synchronize through the variable. Plain `rt.var` accesses are checked against each other
goroutine's last read and write of the variable (shadow cells), and a race is reported at once in
the race detector's format, as TSan does: one race per access, the variable's shadow reset after it,
each pair of stacks once.

`enabled` is the running process's RaceRuntime, or None: the hooks cost one global load when off.
"""

import sys

from runtime import proc
from runtime.race import Access, Race, format_race
from runtime.traceback import frames_from_stack

enabled = None


def _join(into, other):
    for k, v in other.items():
        if v > into.get(k, 0):
            into[k] = v


class _Shadow:
    """A plain variable's last read and last write by each goroutine."""

    __slots__ = ("reads", "writes", "nwrites")

    def __init__(self):
        self.reads = {}
        self.writes = {}
        self.nwrites = 0


class RaceRuntime:
    """ThreadSanitizer's state for one emulated process. Owned by the process; the emulator runs
    one G at a time, so no lock."""

    def __init__(self, out=None, log=None, report=True):
        self.out = out if out is not None else sys.stderr
        self.report = report    # False: track happens-before for the log's hb events only
        self.log = log if log is not None and log.debug_enabled else None
        self.clocks = {}        # sync object (or (chan, slot)) -> clock
        self.shadows = {}       # Var -> _Shadow
        self.chanx = {}         # chan -> [sendx, recvx]: which buffer slot a send or receive uses
        self.reported = set()
        self.count = 0
        self.allgs = {}         # goid -> live G: "Goroutine N (running|finished)"
        self.sites = {}         # goid -> its go statement (func, file, line)

    # --- clocks -------------------------------------------------------------------------------------

    @staticmethod
    def _tick(g):
        g.vc[g.goid] = g.vc.get(g.goid, 0) + 1

    def gostart(self, parent, g):
        """The go statement ⇒ the start of the new goroutine."""
        g.vc = dict(parent.vc) if parent is not None and parent.vc is not None else {}
        g.vc[g.goid] = 1
        self.sites[g.goid] = g.gopc
        if parent is not None:
            self._tick(parent)
        self._hb(g, "go", None, parent.goid if parent is not None else None)

    def acquire(self, g, obj):
        c = self.clocks.get(obj)
        if c:
            _join(g.vc, c)
        self._hb(g, "acquire", obj)

    def acquire_once(self, g, obj):
        """acquire of a clock no later acquisition reads (a Cond wait ticket's): dropped after."""
        self.acquire(g, obj)
        self.clocks.pop(obj, None)

    def release(self, g, obj):
        """racereleasemerge: the object's clock gains g's."""
        c = self.clocks.get(obj)
        if c is None:
            self.clocks[obj] = dict(g.vc)
        else:
            _join(c, g.vc)
        self._tick(g)
        self._hb(g, "release", obj)

    def release_store(self, g, obj):
        """racerelease of a Mutex: the object's clock becomes g's."""
        self.clocks[obj] = dict(g.vc)
        self._tick(g)
        self._hb(g, "release", obj)

    def acquire_release(self, g, obj):
        self.acquire(g, obj)
        self.release(g, obj)

    def sync(self, g1, g2):
        """racesync: an unbuffered pair, each side completing after the other began."""
        _join(g1.vc, g2.vc)
        _join(g2.vc, g1.vc)
        self._tick(g1)
        self._tick(g2)

    # --- channels (chan.go's racesync / racenotify) ------------------------------------------------

    def _slot(self, c, which):
        x = self.chanx.get(c)
        if x is None:
            x = self.chanx[c] = [0, 0]
        i = x[which]
        x[which] += 1
        return (c, i % c.dataqsiz)

    def chan_handoff(self, c, sender, receiver):
        """A value passed straight from a sender to a receiver (either one was waiting)."""
        if c.dataqsiz == 0:
            self.sync(sender, receiver)
            return
        slot = self._slot(c, 1)          # through the slot at recvx; sendx follows it
        self.chanx[c][0] += 1
        self.acquire_release(sender, slot)
        self.acquire_release(receiver, slot)

    def chan_send_buf(self, c, g):
        self.acquire_release(g, self._slot(c, 0))

    def chan_recv_buf(self, c, g):
        self.acquire_release(g, self._slot(c, 1))

    def chan_close(self, c, g):
        self.release(g, (c, "close"))

    def chan_recv_closed(self, c, g):
        self.acquire(g, (c, "close"))

    # --- plain memory ----------------------------------------------------------------------------------

    def access(self, g, var, is_write, value=None):
        """A plain read or write of a shared variable by g: check it, record it."""
        self._tick(g)
        epoch = g.vc[g.goid]
        frames = frames_from_stack(1)
        access = Access(g.goid, g.goid, epoch, frames, is_write)
        sh = self.shadows.get(var)
        if sh is None:
            sh = self.shadows[var] = _Shadow()
        vc = g.vc
        for prev in list(sh.writes.values()) + (list(sh.reads.values()) if is_write else []):
            if prev.goid != g.goid and vc.get(prev.tid, 0) < prev.epoch:
                # TSan's DoReportRace: the first racing access found is reported, and the
                # variable's shadow is reset (the racing access is not recorded either), so the
                # rest of this access's races and the ones it would cause go unreported.
                sh.reads.clear()
                sh.writes.clear()
                self._report(var, access, prev)
                break
        else:
            if is_write:
                sh.writes[g.goid] = access
            else:
                sh.reads[g.goid] = access
        if is_write:
            sh.nwrites += 1
        if self.log is not None:
            vt, mid, pid = _where()
            self.log.event("hb", vt, m=mid, p=pid, g=g.goid, op="write" if is_write else "read", var=var.name,
                           value=_jsonable(value), clock=_clock(vc), rf=f"{var.name}#{sh.nwrites}")

    def _report(self, var, access, prev):
        if not self.report:
            return
        # TSan's HandleRacyStacks: once per unordered pair of stacks, whatever the variable (a
        # stack is its PCs: a read and a write on one line are different instructions).
        key = frozenset(((access.is_write, tuple(access.frames)), (prev.is_write, tuple(prev.frames))))
        if key in self.reported:
            return
        self.reported.add(key)
        self.count += 1
        created = {goid: ([self.sites[goid]], goid not in self.allgs)
                   for goid in (access.goid, prev.goid) if self.sites.get(goid) is not None}
        self.out.write(format_race(Race(var.name, access, prev, created)) + "\n")
        self.out.flush()

    def _hb(self, g, op, obj, other=None):
        if self.log is not None:
            vt, mid, pid = _where()
            self.log.event("hb", vt, m=mid, p=pid, g=g.goid, op=op, obj=_name(obj), clock=_clock(g.vc),
                           **({"parent": other} if other is not None else {}))

    def summary(self):
        return f"Found {self.count} data race(s)"


def _where():
    """(vt, m, p) of the running M, for a log event."""
    m = proc.sched.curm
    if m is None:                 # main's creation, before M0 runs
        return 0, 0, 0
    return m.now, m.id, None if m.p is None else m.p.id


def _jsonable(value):
    return value if isinstance(value, (int, float, str, bool, type(None))) else repr(value)


def _clock(vc):
    return {str(k): v for k, v in sorted(vc.items())}


def _name(obj):
    """A sync object's name in hb events: deterministic (its emulated address, never id())."""
    if obj is None:
        return None
    if isinstance(obj, tuple):
        return f"{_name(obj[0])}[{obj[1]}]"
    name = getattr(obj, "name", None)
    if name:
        return name
    for inner in (obj, getattr(obj, "w", None), getattr(obj, "m", None), getattr(obj, "notify", None)):
        addr = getattr(inner, "addr", None)
        if isinstance(addr, int):
            return f"{type(obj).__name__} {addr:#x}"
    return type(obj).__name__
