"""The runtime's central structures, as Go's runtime2.go names them: g, m, p.

The scheduler (proc.py) extends their use; the allocator needs only what is here: a P owns an
mcache and a page cache, an M holds a P and a virtual clock.
"""

# G states (runtime2.go)
_Gidle, _Grunnable, _Grunning, _Gsyscall, _Gwaiting = 0, 1, 2, 3, 4
_Gdead = 6
_Gpreempted = 9

# P states
_Pidle, _Prunning, _Psyscall_unused, _Pgcstop, _Pdead = 0, 1, 2, 3, 4


class M:
    """An emulated OS thread. Owned by its trio task; no lock (only that task touches it).

    `now` is the M's virtual clock in integer ns: every cost it pays is added here.
    """

    __slots__ = ("id", "now", "p", "curg", "spinning", "__dict__")

    def __init__(self, id, now=0):
        self.id = id
        self.now = now
        self.p = None
        self.curg = None
        self.spinning = False


class P:
    """A processor token: what an M must hold to run Go code and to allocate.

    Owned by the M that holds it; its mcache and page cache take no lock for that reason.
    """

    __slots__ = ("id", "status", "m", "mcache", "pcache", "__dict__")

    def __init__(self, id):
        self.id = id
        self.status = _Pidle
        self.m = None
        self.mcache = None
        self.pcache = None


def bootstrap_thread():
    """M0 holding P0: the single thread an allocation replay runs on (no scheduler)."""
    m, p = M(0), P(0)
    m.p, p.m, p.status = p, m, _Prunning
    return m, p
