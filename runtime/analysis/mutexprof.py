"""The log's lock contention as a pprof mutex profile, shaped like Go's (`go tool pprof` reads it).

Go's mutex profile has sample types contentions/count and delay/nanoseconds, and charges each
wait to the stack of the goroutine that unlocked (semrelease1 / unlock2 record the unlocker's
stack). Here the unlocker is the previous holder named in lock_acquire (prev_m, prev_g); its stack
is the one its own lock_acquire of that lock logged, the last one before the wait. A leaf frame
`runtime.unlock [LOCK]` keeps the locks apart in `-top`; the workload frames ("file:line func",
innermost first) are its callers. With charge="waiter" the waiting goroutine's own stack is used
instead (what a block profile would show).
"""

from runtime.analysis.events import EventReader
from runtime.analysis.profile import Profile

_UNKNOWN_HOLDER = "(holder's stack not in the log)"


def parse_frame(frame):
    """'file:line func' -> (func, file, line); anything else becomes a frame named by itself."""
    if isinstance(frame, str):
        where, _, function = frame.partition(" ")
        filename, colon, line = where.rpartition(":")
        if colon and line.isdigit() and function:
            return function, filename, int(line)
        return frame, "", 0
    return str(frame), "", 0


def build_mutex_profile(log_path, charge="holder"):
    """(Profile, EventReader, contentions) for the log at log_path."""
    reader = EventReader(log_path)
    profile = Profile([("contentions", "count"), ("delay", "nanoseconds")], ("contentions", "count"))
    last_acquire = {}          # lock -> (m, g, stack) of its latest logged acquisition
    contentions = 0
    vt_end = 0
    for ev in reader:
        vt_end = max(vt_end, ev["vt"])
        if ev["event"] == "lock_wait_late":       # found at the holder's release: charged to it
            _add_contention(profile, ev, ev.get("stack") if charge == "waiter" else _holder_stack(ev, None))
            contentions += 1
            continue
        if ev["event"] != "lock_acquire":
            continue
        lock, stack = ev["lock"], ev.get("stack") if isinstance(ev.get("stack"), list) else []
        if ev["wait_ns"] > 0:
            _add_contention(profile, ev, stack if charge == "waiter" else _holder_stack(ev, last_acquire.get(lock)))
            contentions += 1
        last_acquire[lock] = (ev.get("m"), ev.get("g"), stack)
    reader.check_something_read()
    profile.duration_ns = vt_end
    return profile, reader, contentions


def _add_contention(profile, ev, frames):
    """One contention of ev's lock, ev["wait_ns"] long, with `frames` under runtime.unlock."""
    leaf = profile.location(f"runtime.unlock [{ev['lock']}]", "runtime/lock_spinbit.go", 0)
    ids = [leaf] + [profile.location(*parse_frame(f)) for f in frames or ()]
    profile.add(ids, (1, ev["wait_ns"]), labels=(("kind", ev["kind"]),))


def _holder_stack(ev, last):
    """The previous holder's stack: from the event itself (holder_stack), else from the log's
    record of its acquisition of this lock."""
    if isinstance(ev.get("holder_stack"), list):
        return ev["holder_stack"]
    if last is not None and last[0] == ev.get("prev_m") and last[1] == ev.get("prev_g"):
        return last[2]
    holder = ev.get("prev_g")
    return [f"{_UNKNOWN_HOLDER} G{holder}" if holder is not None else _UNKNOWN_HOLDER]
