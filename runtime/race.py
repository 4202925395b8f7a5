"""Happens-before with vector clocks, and data-race reports in the shape of Go's race detector.

As ThreadSanitizer does for `go build -race`: every goroutine has a vector clock, every sync
object holds one (release joins the goroutine's clock into it, acquire joins it back), and every
plain access is checked against the last accesses of the variable by each other goroutine. Two
accesses race when at least one is a write and neither happens before the other.
"""

REPORT_RULE = "=" * 18


def vc_join(into, other):
    """into := into ⊔ other (element-wise max), growing `into` as needed."""
    n = len(into)
    if not n:                        # a fresh sync object's clock: a copy
        into.extend(other)
        return
    if len(other) > n:
        into.extend(other[n:])       # (into's missing entries are 0: other's are the maximum)
    i = 0
    for x in other:
        if x > into[i]:
            into[i] = x
        i += 1


def happened_before(tid, epoch, clock):
    """Whether event `epoch` of goroutine slot `tid` happens before a point whose clock is `clock`."""
    return tid < len(clock) and epoch <= clock[tid]


class Access:
    """One recorded access: who (goroutine slot and goid), when (epoch), where (frames)."""

    __slots__ = ("tid", "goid", "epoch", "frames", "is_write", "is_atomic")

    def __init__(self, tid, goid, epoch, frames, is_write, is_atomic=False):
        self.tid = tid
        self.goid = goid
        self.epoch = epoch
        self.frames = frames          # [(code object, line)], innermost first
        self.is_write = is_write
        self.is_atomic = is_atomic

    def kind(self, previous=False):
        word = ("Atomic write" if self.is_atomic else "Write") if self.is_write else \
               ("Atomic read" if self.is_atomic else "Read")
        return word.lower() if previous else word


class Shadow:
    """The shadow state of one plain variable: each goroutine's last read and last write.

    Owned by the variable; touched only by the one goroutine running at a time. An access is
    kept as a tuple (tid, goid, epoch, frames, is_write), and becomes an Access only when it is
    reported: most accesses race with nothing, or with what was reported already.
    """

    __slots__ = ("last_read", "last_write")

    def __init__(self):
        self.last_read = {}
        self.last_write = {}

    def read(self, tid, goid, epoch, frames, clock):
        """Record a read by goroutine slot `tid` (whose clock is `clock`); return the earlier
        writes it races with (an empty tuple, not a new list, in the common no-race case)."""
        races = _unordered(self.last_write, tid, clock) if self.last_write else ()
        self.last_read[tid] = (tid, goid, epoch, frames, False)
        return races

    def write(self, tid, goid, epoch, frames, clock):
        """Record a write; return the earlier reads and writes it races with."""
        races = _unordered(self.last_write, tid, clock) if self.last_write else ()
        if self.last_read:
            races += _unordered(self.last_read, tid, clock)
        self.last_write[tid] = (tid, goid, epoch, frames, True)
        return races


def _unordered(last, tid, clock):
    """The accesses in `last` (one per goroutine) by others that do not happen before `clock`."""
    races = ()
    n = len(clock)
    for prev in last.values():
        ptid = prev[0]
        if ptid != tid and (ptid >= n or prev[2] > clock[ptid]):
            races += (prev,)
    return races


class Race:
    """A reported race: the current access, the earlier one, and where both goroutines began."""

    __slots__ = ("var", "current", "previous", "created")

    def __init__(self, var, current, previous, created):
        self.var = var
        self.current = current
        self.previous = previous
        self.created = created        # goid -> (frames where it was created, finished?)

    def key(self):
        """Races are reported once per pair of code locations and kinds (in either order)."""
        a = (self.current.kind(), _innermost(self.current.frames))
        b = (self.previous.kind(), _innermost(self.previous.frames))
        return (self.var, (a, b) if a <= b else (b, a))

    def to_dict(self):
        return {"var": self.var,
                "access": {"kind": self.current.kind(), "goroutine": self.current.goid,
                           "frames": [list(f) for f in describe_frames(self.current.frames)]},
                "previous": {"kind": self.previous.kind(), "goroutine": self.previous.goid,
                             "frames": [list(f) for f in describe_frames(self.previous.frames)]}}


def _innermost(frames):
    """An access's innermost frame as (func, file, line): comparable and cheap to hash (a code
    object's repr is neither cheap nor the same from one load of a scenario to the next)."""
    return describe_frames(frames[:1])[0] if frames else ("", "", 0)


def _who(goid):
    return "main goroutine" if goid == 1 else f"goroutine {goid}"


def frame_name(code):
    """A Python function named as Go names its functions (main.main.func1 -> main.main.p0)."""
    return "main." + code.co_qualname.replace(".<locals>", "").replace("<lambda>", "func1")


def describe_frames(frames):
    """Frames as recorded ((code, line), or (code or func name, file, line)) -> (func, file, line)."""
    out = []
    for f in frames:
        if len(f) == 2:
            code, line = f
            out.append((frame_name(code), code.co_filename, line))
        else:
            func, file, line = f
            out.append((func if isinstance(func, str) else frame_name(func), file, line))
    return out


def _stack(frames):
    lines = []
    for func, file, line in describe_frames(frames):
        lines.append(f"  {func}()")
        lines.append(f"      {file}:{line}")
    return lines


def format_race(race):
    """A race as Go's race detector prints it (variables named instead of addressed)."""
    cur, prev = race.current, race.previous
    lines = [REPORT_RULE, "WARNING: DATA RACE", f"{cur.kind()} at {race.var} by {_who(cur.goid)}:"]
    lines += _stack(cur.frames)
    lines += ["", f"Previous {prev.kind(previous=True)} at {race.var} by {_who(prev.goid)}:"]
    lines += _stack(prev.frames)
    for goid in (cur.goid, prev.goid):
        if goid != 1 and goid in race.created:
            frames, finished = race.created[goid]
            lines += ["", f"Goroutine {goid} ({'finished' if finished else 'running'}) created at:"]
            lines += _stack(frames)
    lines.append(REPORT_RULE)
    return "\n".join(lines)


def format_races(races):
    text = "\n".join(format_race(r) for r in races)
    return text + ("\n" if races else "") + f"Found {len(races)} data race(s)"
