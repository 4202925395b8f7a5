"""A run log as a Chrome Trace Event file (the JSON object format), for Perfetto and chrome://tracing.

Tracks: process 1 holds one thread per M, process 2 one per P, process 3 the heap counters.
- G runs: complete ("X") slices from go_run, or from syscall_exit (the G runs on after its
  syscall, with no go_run), to the G's park, exit, preemption, syscall or next go_run on that M,
  on the M's track and on the P's. After a syscall_exit with `handoff` the G runs on only if its
  M got a P again, and the event names the P it had (oldp), not the one it got: that run is kept
  once a later event of the G on that M names its P, and dropped if the G's next go_run comes
  first (it went to the global run queue) or the M runs another G with no event of it between.
- Lock waits (vt - wait_ns .. vt) and holds (lock_acquire .. its lock_release) on the M's track.
- Heap in use: counter ("C") events from heap_snapshot.
- Happens-before: each `hb` event is a 1 ns slice on its M, and each edge a flow arrow ("s" at
  the source, "f" with binding point "e" at the target): a write to the reads that read from it
  (`rf`), the releases of a sync object to its next acquire, a goroutine's go statement (its
  parent's latest hb event) to its start.
Timestamps are virtual time in microseconds (the format's unit), with ns precision.
"""

import orjson

from runtime.analysis.events import EventReader
from runtime.analysis.output import writing

PID_M, PID_P, PID_HEAP = 1, 2, 3
_ENDS_A_RUN = {"go_park", "go_exit", "preempt", "syscall_enter"}
_NO_G = object()


def _us(ns):
    return ns / 1000


class TraceWriter:
    """Turns events into trace events, written as they come. Owned by one export; no lock."""

    def __init__(self, out):
        self.out = out
        self.first = True
        self.named = set()          # (pid, tid) that have a thread_name record
        self.running = {}           # m -> (start vt, g, p)
        self.unsure = {}            # m -> g: a run begun at a handoff syscall_exit, its P not yet known
        self.holding = {}           # (m, lock) -> (acquire vt, kind, g)
        self.writes = {}            # hb write name ("x#3") -> (vt, m)
        self.releases = {}          # sync object -> [(vt, m)] of releases since its last acquire
        self.last_release = {}      # sync object -> (vt, m)
        self.last_hb_of_g = {}      # goid -> (vt, m) of its latest hb event
        self.flow_id = 0
        self.vt_end = 0
        self.counts = {"slices": 0, "counters": 0, "flows": 0}
        out.write(b'{"displayTimeUnit":"ns","traceEvents":[\n')
        for pid, name in ((PID_M, "Ms (OS threads)"), (PID_P, "Ps (processors)"), (PID_HEAP, "Heap")):
            self._emit({"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": name}})
            self._emit({"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": pid}})

    def _emit(self, record):
        if not self.first:
            self.out.write(b",\n")
        self.first = False
        self.out.write(orjson.dumps(record))

    def _thread(self, pid, tid):
        if (pid, tid) not in self.named:
            self.named.add((pid, tid))
            label = ("M" if pid == PID_M else "P") + str(tid)
            self._emit({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": label}})
            self._emit({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid, "args": {"sort_index": tid}})
        return tid

    def _slice(self, pid, tid, name, cat, start, end, args=None):
        record = {"ph": "X", "name": name, "cat": cat, "pid": pid, "tid": self._thread(pid, tid),
                  "ts": _us(start), "dur": _us(max(0, end - start))}
        if args:
            record["args"] = args
        self._emit(record)
        self.counts["slices"] += 1

    def add(self, ev):
        vt, name, m = ev["vt"], ev["event"], ev.get("m")
        self.vt_end = max(self.vt_end, vt)
        g = ev.get("g")
        if self.unsure:
            self._resolve(name, m, g, ev.get("p"))
        if isinstance(m, int) and (name == "go_run" or name in _ENDS_A_RUN or name == "syscall_exit"):
            self._end_run(m, vt)
            if name == "go_run":
                self.running[m] = (vt, g, ev.get("p"))
            elif name == "syscall_exit":            # exitsyscall: the G runs on, with no go_run
                self.running[m] = (vt, g, ev.get("p"))
                if ev.get("handoff") is True:
                    self.unsure[m] = g
        if name == "lock_acquire" and isinstance(m, int):
            self._lock_acquire(ev, vt, m)
        elif name == "lock_release" and isinstance(m, int):
            self._lock_release(ev, vt, m)
        elif name == "heap_snapshot":
            args = {k: ev[k] for k in ("HeapInuse", "HeapAlloc", "HeapSys") if isinstance(ev.get(k), int)}
            if args:
                self._emit({"ph": "C", "name": "heap", "pid": PID_HEAP, "tid": 0, "ts": _us(vt), "args": args})
                self.counts["counters"] += 1
        elif name == "hb" and isinstance(m, int):
            self._hb(ev, vt, m)

    def _resolve(self, name, m, g, p):
        """Settle the runs begun at a handoff syscall_exit (see the module's docstring)."""
        if name == "go_run":                        # the G went through a run queue: no run there
            for um, ug in list(self.unsure.items()):
                if ug == g:
                    del self.unsure[um]
                    self.running.pop(um, None)
        elif self.unsure.get(m, _NO_G) == g and g is not None and isinstance(p, int):
            del self.unsure[m]                      # the G runs on m, on P p
            start, g, _ = self.running[m]
            self.running[m] = (start, g, p)

    def _end_run(self, m, vt):
        run = self.running.pop(m, None)
        if run is None:
            return
        if self.unsure.pop(m, _NO_G) is not _NO_G:  # never seen running: it waited for a P
            return
        start, g, p = run
        args = {"g": g, "p": p}
        self._slice(PID_M, m, f"G{g}", "g_run", start, vt, args)
        if isinstance(p, int):
            self._slice(PID_P, p, f"G{g}", "g_run", start, vt, {"g": g, "m": m})

    def _lock_acquire(self, ev, vt, m):
        wait, lock = ev["wait_ns"], ev["lock"]
        if wait > 0:
            self._slice(PID_M, m, f"wait {lock}", "lock_wait", vt - wait, vt,
                        {"lock": lock, "kind": ev["kind"], "wait_ns": wait, "waiters": ev.get("waiters"),
                         "prev_m": ev.get("prev_m"), "prev_p": ev.get("prev_p"), "prev_g": ev.get("prev_g")})
        self.holding[m, lock] = (vt, ev["kind"], ev.get("g"))

    def _lock_release(self, ev, vt, m):
        lock = ev["lock"]
        held = self.holding.pop((m, lock), None)
        start = held[0] if held else vt - ev["hold_ns"]
        self._slice(PID_M, m, f"hold {lock}", "lock_hold", start, vt,
                    {"lock": lock, "kind": ev["kind"], "hold_ns": ev["hold_ns"], "g": ev.get("g")})

    def _hb(self, ev, vt, m):
        op = ev.get("op")
        label = f"hb {op or '?'} {ev.get('var') or ev.get('obj') or ''}".strip()
        self._slice(PID_M, m, label, "hb", vt, vt + 1,
                    {k: ev[k] for k in ("op", "var", "obj", "rf", "g", "parent", "value") if k in ev})
        here = (vt, m)
        for source in self._hb_sources(ev, op):
            self._flow(source, here, op)
        if op == "write" and isinstance(ev.get("rf"), str):
            self.writes[ev["rf"]] = here
        elif op == "release" and ev.get("obj") is not None:
            self.releases.setdefault(ev["obj"], []).append(here)
            self.last_release[ev["obj"]] = here
        if isinstance(ev.get("g"), int):
            self.last_hb_of_g[ev["g"]] = here

    def _hb_sources(self, ev, op):
        """The earlier hb events this one happens after, by the memory model's edges."""
        if op == "read" and isinstance(ev.get("rf"), str) and ev["rf"] in self.writes:
            return [self.writes[ev["rf"]]]                   # the write it read from
        if op == "acquire" and ev.get("obj") is not None:
            pending = self.releases.pop(ev["obj"], None)     # releases since the last acquire
            if pending:
                return pending
            last = self.last_release.get(ev["obj"])
            return [last] if last else []
        if op == "go" and ev.get("parent") in self.last_hb_of_g:
            return [self.last_hb_of_g[ev["parent"]]]         # the go statement
        return []

    def _flow(self, source, target, op):
        self.flow_id += 1
        (src_vt, src_m), (vt, m) = source, target
        self._emit({"ph": "s", "name": f"hb {op}", "cat": "hb", "id": self.flow_id, "pid": PID_M,
                    "tid": src_m, "ts": _us(src_vt)})
        self._emit({"ph": "f", "bp": "e", "name": f"hb {op}", "cat": "hb", "id": self.flow_id,
                    "pid": PID_M, "tid": m, "ts": _us(vt)})
        self.counts["flows"] += 1

    def close(self):
        for m in list(self.running):
            self._end_run(m, self.vt_end)
        for (m, lock), (start, kind, g) in list(self.holding.items()):
            self._slice(PID_M, m, f"hold {lock}", "lock_hold", start, self.vt_end,
                        {"lock": lock, "kind": kind, "g": g, "unreleased": True})
        self.holding.clear()
        self.out.write(b"\n]}\n")


def export_trace(log_path, out_path):
    """Write the Chrome trace of log_path to out_path; returns (reader, counts)."""
    reader = EventReader(log_path)
    events = iter(reader)
    first = next(events, None)
    if first is None:               # not a log: fail before the output is opened (and emptied)
        reader.check_something_read()
    with writing(out_path), open(out_path, "wb") as out:
        writer = TraceWriter(out)
        writer.add(first)
        for ev in events:
            writer.add(ev)
        writer.close()
    return reader, writer.counts
