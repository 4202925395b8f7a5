"""The checker's machine: a scenario's goroutines stepped one memory or sync operation at a time.

`gort check` runs a scenario thousands of times, so it does not go through the scheduler and trio:
each execution is a fresh Machine whose goroutines are coroutines that yield one request per
operation (the same shape as the runtime's Gs). At every step a Chooser (the explorer) picks which
goroutine performs its pending operation, or, under `tso`, which store buffer drains an entry; under
`go` it also picks which visible write a plain load reads. Happens-before is tracked with vector
clocks exactly as the Go memory model defines its edges, and every plain access is race-checked.
"""

from types import CoroutineType

from runtime.check import objects
from runtime.check.lastop import returns_after_request
from runtime.check.lazy import Lazy, value_of
from runtime.check.objects import (AADD, ACAS, ALOAD, ASTORE, ASWAP, CLOSE, COND_NOTIFY, COND_WAIT,
                                   DEFERRED, GO, GOSCHED, JOIN, LOAD, LOCK, OP_NAMES, PAR, RECV, RESUME,
                                   RLOCK, RUNLOCK, SELECT, SEND, START, STORE, SYNC_OPS, UNLOCK, WG_ADD,
                                   WG_WAIT, Join, ReplayMismatch, ScenarioPanic, SleepBlocked, Write)
from runtime.race import Access, Race, vc_join

RUN, FLUSH = 0, 1          # step kinds: a goroutine performs its request / a store buffer drains
_ALWAYS_ENABLED = frozenset((START, RESUME, DEFERRED, STORE, GOSCHED, PAR))
MODELS = ("sc", "tso", "go")
# What performing an operation raises on a scenario's bad argument (wg.add("1")): its panic
BAD_ARGUMENT = (TypeError, AttributeError, ValueError)


class Thread:
    """A goroutine of the scenario. Owned by the machine."""

    __slots__ = ("tid", "coro", "pending", "result", "vc", "done", "buffer", "lazies",
                 "last_load", "since", "created", "name", "deferred", "after", "join", "run_option",
                 "flush_option")

    def __init__(self, tid, coro, vc, created, name):
        self.tid = tid             # its clock slot, and its goroutine id (main is 1)
        self.coro = coro
        self.pending = (START,)
        self.result = None
        self.vc = vc
        self.done = False
        self.buffer = []           # TSO store buffer: (var, Write), oldest first (a few entries:
                                   # a list is cheaper to make than a deque, once per goroutine)
        self.lazies = []           # unresolved loads (`go` model)
        self.last_load = None      # (var, var.nwrites) of the last load, for spin detection
        self.since = 0             # step at which the pending request was made
        self.created = created     # frames of the `go` statement
        self.name = name
        self.deferred = []         # plain-call sync operations still to perform (see `inline`)
        self.after = None          # the request they stand before (None: the goroutine returned)
        self.join = None           # the rt.par this goroutine belongs to
        # Built once: options() is asked at every step. An option is (step kind, goroutine, key):
        # the key names it in every execution (an int: cheap to hash in the explorer's sleep sets).
        self.run_option = (RUN, self, 2 * tid + RUN)
        self.flush_option = (FLUSH, self, 2 * tid + FLUSH)


class Machine:
    """One execution of a scenario under one memory model, driven by a Chooser."""

    def __init__(self, model, chooser, max_steps=2000, trace=False, internal_files=(), known_races=None):
        if model not in MODELS:
            raise ValueError(f"unknown memory model {model!r} (models: {', '.join(MODELS)})")
        self.model = model
        self.tso = model == "tso"
        self.lazy_loads = model == "go"     # plain loads resolve when used (see lazy.py)
        self.chooser = chooser
        objects.reset_oids()      # the objects of this execution are numbered from 1
        self.max_steps = max_steps
        self.threads = []
        self.live = []            # the goroutines that have not returned, in creation order
        self.steps = 0
        self.races = []
        self.trace = [] if trace else None
        self.status = "ok"
        self.current = None
        self.internal_files = internal_files
        self.where_known = _WHERE.setdefault(internal_files, {})   # see where()
        self.known_races = set() if known_races is None else known_races
        self.pars_started = []    # the rt.par requests performed (CheckRuntime.check_awaited)
        self.requests = 0         # requests the goroutines yielded (against objects.issued)

    # --- goroutines ----------------------------------------------------------------------------

    def spawn(self, coro, parent, created, name):
        """The go statement: the new goroutine starts with its creator's clock (go ⇒ start)."""
        tid = len(self.threads) + 1
        vc = list(parent.vc) if parent is not None else [1]
        missing = tid + 1 - len(vc)
        if missing > 0:
            vc += [0] * missing
        vc[tid] = 1
        t = Thread(tid, coro, vc, created, name)
        self.threads.append(t)
        self.live.append(t)
        if parent is not None:
            parent.vc[parent.tid] += 1
        self.start(t, parent)
        return t

    def start(self, t, parent):
        """Run a new goroutine up to its first shared-memory operation now: what comes before
        it touches nothing shared, so it commutes with everything (a step fewer to explore).
        So does an rt.par there, with nothing in the store buffer: it is done at once too."""
        self.current = t
        self.advance(t, None)
        req = t.pending
        if req is not None and req[0] == PAR:
            self.par(t, req)
        self.current = parent

    def run(self, main_coro):
        """Run to the end of main (or a panic, deadlock, step limit); returns the status."""
        objects.running = self
        main = self.spawn(main_coro, None, [], "main")
        chooser = self.chooser
        ask_always = chooser.sees_all
        try:
            for option in chooser.replay_prefix(self):     # a known prefix: no options to compute
                self.step(option)
                self.steps += 1
            if self.steps > self.max_steps:
                self.status = "step limit"
            while not main.done and self.status == "ok":
                opts = self.options()
                if not opts:
                    self.status = self._stuck_status()
                    break
                if ask_always or len(opts) > 1:
                    self.step(opts[chooser.schedule(opts, self)])
                else:
                    self.step(opts[0])
                self.steps += 1
                if self.steps > self.max_steps:
                    self.status = "step limit"
            self._settle()
        finally:
            self._close_unfinished()
        return self.status

    def option(self, key):
        """The option named `key` (see Thread.run_option)."""
        t = self.threads[(key >> 1) - 1]
        return t.flush_option if key & 1 else t.run_option

    def options(self):
        """What may happen next: each goroutine that can perform its pending request, and (TSO)
        each store buffer that can drain its oldest entry."""
        opts = []
        for t in self.live:
            req = t.pending
            op = req[0]
            if op in _ALWAYS_ENABLED:
                opts.append(t.run_option)
            elif op == JOIN:                # rt.par's caller, most of the time
                if not req[1].running and req[1].complete():
                    opts.append(t.run_option)
            elif op == LOAD and (t.last_load is None or t.last_load[0] is not req[1]):
                opts.append(t.run_option)   # not a repeated load: it can't be spinning
            elif self.enabled(t):
                opts.append(t.run_option)
        if self.tso:
            for t in self.threads:
                if t.buffer:
                    opts.append(t.flush_option)
        return opts

    def _stuck_status(self):
        if any(self._spinning(t) for t in self.live):
            return "hangs"        # goroutines that spin forever on a value that never changes
        return "deadlock"         # fatal error: all goroutines are asleep - deadlock!

    def _settle(self):
        """At the end, every pending load takes a value: the outcome must be concrete."""
        for t in self.threads:
            while t.lazies:
                t.lazies[0].force()

    def _close_unfinished(self):
        """main returned (the program exits) or the execution stopped: drop the other goroutines."""
        for t in self.threads:
            if not t.done:
                _close(t.coro)
                if t.pending[0] == PAR:
                    for coro, _, _ in t.pending[1]:
                        _close(coro)
            if t.deferred:
                for req in t.deferred:
                    if req[0] == GO:
                        _close(req[1])
            # Break the goroutine's reference cycles, so refcounting frees the execution at once:
            # thousands of executions left to the cyclic GC cost a sixth of the time.
            t.run_option = t.flush_option = t.join = None
            if t.lazies:
                t.lazies.clear()

    def step(self, option):
        kind, t, _ = option
        if kind == FLUSH:
            self.flush_one(t)
            return
        self.current = t
        req = t.pending
        op = req[0]
        if op == LOAD:                 # the plain accesses first: they are most of the steps
            self.advance(t, self.load(t, req[1]))
        elif op == STORE:
            value = req[2]
            self.store(t, req[1], value.force() if type(value) is Lazy else value)
            self.advance(t, None)
        elif op == DEFERRED:
            self.run_deferred(t)
        elif op == PAR:
            self.par(t, req)
        else:
            try:
                result = self.perform(t, req)
            except ScenarioPanic as panic:
                self.advance(t, None, panic)
                return
            except BAD_ARGUMENT as err:
                self.advance(t, None, ScenarioPanic(f"{type(err).__name__}: {err}"))
                return
            self.advance(t, result)

    def par(self, t, req):
        """rt.par: start every function as a goroutine (go ⇒ start); t waits for them all."""
        while t.buffer:
            self.flush_one(t)
        self.pars_started.append(req)
        join = Join(t)
        for coro, created, name in req[1]:
            child = self.spawn(coro, t, created, name)
            child.join = join
            join.threads.append(child)
            join.running += not child.done
        t.pending = (JOIN, join)
        if self.trace is not None:
            self.record(t, "par", "", len(join.threads))

    def run_deferred(self, t):
        """One queued plain-call operation; or, after the last, the goroutine's end (its pending
        loads take their values then: as late as possible, so later writes are visible)."""
        if not t.deferred:
            self.finish(t)
            return
        req = t.deferred.pop(0)
        try:
            if req[0] == GO:       # the go statement: the new goroutine starts with t's clock
                while t.buffer:    # and sees t's earlier stores (go ⇒ start)
                    self.flush_one(t)
                self.spawn(req[1], t, req[2], req[3])
            else:
                self.sync_prelude(t)
                self.perform_sync(t, req[0], req[1], req)
        except ScenarioPanic as panic:
            self.status = f"panic: {panic}"
            self.finish(t)
            return
        except BAD_ARGUMENT as err:
            self.status = f"panic: {type(err).__name__}: {err}"
            self.finish(t)
            return
        if not t.deferred:
            if t.after is None:
                self.finish(t)
            else:
                t.pending, t.after = t.after, None

    def advance(self, t, result, exc=None):
        try:
            pending = t.coro.send(result) if exc is None else t.coro.throw(exc)
            if type(pending) is not tuple:       # asyncio.sleep, a Future, ...: not the machine's
                raise TypeError(f"awaited {pending!r}, not an rt operation: a scenario awaits only rt's")
            t.pending = pending
            self.requests += 1
            t.since = self.steps
            if t.deferred:
                t.after, t.pending = t.pending, (DEFERRED,)
        except StopIteration:
            if t.deferred or t.lazies:
                t.after, t.pending = None, (DEFERRED,)
            else:
                self.finish(t)
        except ScenarioPanic as panic:
            self.status = f"panic: {panic}"
            self.finish(t)
        except AssertionError as err:
            self.status = f"assertion failed: {err}" if str(err) else "assertion failed"
            self.finish(t)
        except (SleepBlocked, ReplayMismatch):
            raise
        except Exception as err:   # a bug in the scenario is a Go panic of that goroutine
            self.status = f"panic: {type(err).__name__}: {err}"
            self.finish(t)

    def finish(self, t):
        """A goroutine returns: its loads take values; its store buffer drains in later steps.
        Goroutine exit is no synchronization in Go, except through rt.par's join."""
        t.done = True
        t.pending = None
        self.live.remove(t)
        while t.lazies:
            t.lazies[0].force()
        if t.join is not None:
            vc_join(t.join.clock, t.vc)
            t.join.running -= 1

    # --- enabledness and footprints ----------------------------------------------------------

    def enabled(self, t):
        req = t.pending
        op = req[0]
        if op == LOAD or op == ALOAD:       # the common cases first: a load, the join
            last = t.last_load
            return last is None or not (last[0] is req[1] and last[0].nwrites == last[1]
                                        and last[2] == _location(t))
        obj = req[1] if len(req) > 1 else None
        if op == JOIN:
            return obj.complete()
        if op == STORE or op <= DEFERRED or op == GOSCHED:
            return True
        if op == LOCK:
            return obj.owner is None and obj.readers == 0
        if op == RLOCK:
            return obj.owner is None
        if op == WG_WAIT:
            return obj.count == 0
        if op == SEND:
            if obj.nil:
                return False
            return obj.closed or (len(obj.buf) < obj.cap_ if obj.cap_ else self._waiting(obj, RECV) is not None)
        if op == RECV:
            if obj.nil:
                return False
            return bool(obj.buf) or obj.closed or (not obj.cap_ and self._waiting(obj, SEND) is not None)
        if op == SELECT:
            if req[2]:
                return True
            for case in obj:
                if self._case_ready(t, *case):
                    return True
            return False
        if op == COND_WAIT:
            return req[2] < obj.notify_ticket
        return True

    def _case_ready(self, t, kind, ch, _value):
        """Whether t's select case could proceed now. On an unbuffered channel its partner is a
        goroutine waiting in the opposite operation, or in a select (without default) with the
        opposite case on that channel: two selects meet, as Go's blocked selects wait on every
        channel's queue."""
        if ch.nil:
            return False
        if kind == SEND:
            return ch.closed or (len(ch.buf) < ch.cap_ if ch.cap_ else self._partner(t, ch, RECV)[0] is not None)
        return bool(ch.buf) or ch.closed or (not ch.cap_ and self._partner(t, ch, SEND)[0] is not None)

    def _partner(self, t, ch, op):
        """The goroutine other than t that has waited longest to `op` on ch (unbuffered), either
        pending that operation or blocked in a select with such a case: (goroutine, that case's
        index, or None for a plain operation), or (None, None)."""
        best = bj = None
        for u in self.live:
            req = u.pending
            if u is t or req is None:
                continue
            if req[0] == op:
                if req[1] is not ch:
                    continue
                j = None
            elif req[0] == SELECT and not req[2]:
                for j, case in enumerate(req[1]):
                    if case[0] == op and case[1] is ch:
                        break
                else:
                    continue
            else:
                continue
            if best is None or u.since < best.since:
                best, bj = u, j
        return best, bj

    def _spinning(self, t):
        """A goroutine about to repeat its last load, at the same place in its code, of a variable
        nobody has written since, is spinning in a loop: it can only see something new after a
        write, so it waits for one (the repeated read would be a stuttering step)."""
        req = t.pending
        if req is None or (req[0] != LOAD and req[0] != ALOAD) or t.last_load is None:
            return False
        var, nwrites, where = t.last_load
        return var is req[1] and var.nwrites == nwrites and where == _location(t)

    def _waiting(self, ch, op):
        """The goroutine that has waited longest to `op` on ch (unbuffered rendezvous), or None.
        (A goroutine pending `op` can't be the one asking for its partner: it pends the other op.)"""
        best = None
        for u in self.live:
            req = u.pending
            if req is not None and req[0] == op and req[1] is ch:
                if best is None or u.since < best.since:
                    best = u
        return best

    def footprint(self, option):
        """What a step touches: [(object id, 'r'|'w'|'s')]. Steps with disjoint or read-only
        footprints commute; the exhaustive explorer's sleep sets rely on it."""
        kind, t, _ = option
        if kind == FLUSH:
            return [(t.buffer[0][0].oid, "w")]
        fp = [(lz.var.oid, "r") for lz in t.lazies] if t.lazies else []
        if t.buffer:
            fp += [(var.oid, "w") for var, _ in t.buffer]
        req = t.pending
        op = req[0]
        if op == DEFERRED:
            if not t.deferred:
                return fp
            req = t.deferred[0]
            op = req[0]
            if op == GO:
                return fp
        if op == PAR:
            return fp
        if op == LOAD:
            fp.append((req[1].oid, "r"))
        elif op == STORE:
            if self.model != "tso":
                fp.append((req[1].oid, "w"))
        elif op in SYNC_OPS:
            fp.append((req[1].oid, "s"))
            if op == RECV:
                fp += self._partner_reads(req[1])
        elif op == SELECT:
            fp += [(case[1].oid, "s") for case in req[1]]
            for kind, ch, _ in req[1]:
                if kind == RECV:                 # only a receive uses a sender's (pending) value
                    fp += self._partner_reads(ch)
                for u in self.live:          # a select it may complete: every channel of it
                    ureq = u.pending
                    if u is not t and ureq is not None and ureq[0] == SELECT and not ureq[2] \
                            and ch in [c[1] for c in ureq[1]]:
                        fp += [(c[1].oid, "s") for c in ureq[1]]
        return fp

    def _partner_reads(self, ch):
        """A receive from a goroutine waiting to send on ch uses the value it sends: a pending
        load of that goroutine's resolves in the receiver's step, which reads its variable."""
        reads = []
        for u in self.live:
            req = u.pending
            if req is None:
                continue
            if req[0] == SEND and req[1] is ch:
                values = (req[2],)
            elif req[0] == SELECT:
                values = [v for kind, c, v in req[1] if kind == SEND and c is ch]
            else:
                continue
            for v in values:
                if type(v) is Lazy and not v.resolved:
                    reads.append((v.var.oid, "r"))
        return reads

    def adds_no_option(self, option):
        """Whether taking `option` now leaves exactly the other options (those it does not
        disable): it is a goroutine's return or the drain of a store buffer's last entry, and
        there is no join, spinning load or step limit it could release. The exhaustive explorer
        skips such a step, without running it, when every other option would sleep after it."""
        if self.steps >= self.max_steps:
            return False                  # the step after it would end the execution
        kind, t, _ = option
        if kind == FLUSH:
            if len(t.buffer) != 1:
                return False              # t's buffer still drains afterwards: a new option
            return not any(self._released_by_flush(u, t) for u in self.live)
        if t is self.threads[0] or t.deferred:
            return False                  # main's return ends the execution
        req = t.pending
        op = req[0]
        if op == LOAD:                    # a concrete load (sc, tso) that is t's last operation
            if self.lazy_loads or not returns_after_request(t.coro):
                return False
        elif op == STORE:                 # a store to memory (sc, go) that is t's last operation
            if self.tso or t.lazies or type(req[2]) is Lazy or not returns_after_request(t.coro):
                return False
            if any(self._released_by_store(u, req[1]) for u in self.live):
                return False
        elif op != DEFERRED or t.after is not None:
            return False                  # not a goroutine's return
        join = t.join
        return join is None or join.running > 1 or any(u.buffer for u in join.threads)

    def drain_partner(self, option):
        """The key of the step that, taken right after `option`, ends a goroutine t quietly
        (tso): t's last load (read from its bytecode) and the drain of its one buffered store,
        in either order. Neither adds an option: no join or spinning load to release, no step
        limit. The explorer skips `option` unrun when that partner is the one option awake after
        it and every other sleeps after both (the execution would end sleep-set-blocked)."""
        if not self.tso or self.steps + 2 > self.max_steps:
            return None
        kind, t, _ = option
        if t is self.threads[0] or t.done or t.deferred or len(t.buffer) != 1 or t.pending[0] != LOAD:
            return None
        join = t.join
        if join is not None and join.running <= 1 and not any(u.buffer for u in join.threads if u is not t):
            return None                   # t's end and its drain complete the join
        var = t.buffer[0][0]
        if any(self._released_by_store(u, var) for u in self.live if u is not t):
            return None
        if not returns_after_request(t.coro):
            return None
        return t.flush_option[2] if kind == RUN else t.run_option[2]

    def never_wakes(self, option):
        """Whether `option`, once asleep, sleeps to the end of every execution that main can
        finish: a store into its goroutine's empty store buffer (tso) touches nothing shared,
        so no step depends on it and it never wakes; and main waits (through rt.par's joins)
        for that goroutine to return. Every such execution ends sleep-set-blocked, unless one
        ends abnormally first (a panic, a failed assertion, the step limit): the explorer
        skips the choices after which such an option sleeps, and explores again without
        skipping if the check sees an abnormal end (see Exhaustive.skip_doomed)."""
        kind, t, _ = option
        if not self.tso or kind != RUN or t.pending[0] != STORE or t.buffer:
            return False
        main = self.threads[0]
        while t is not main:
            if t.join is None:
                return False              # a goroutine of a go statement: main need not wait
            t = t.join.waiter
        return True

    def _released_by_store(self, u, var):
        """Whether a store to var may enable u's pending request (a spinning load of var)."""
        req = u.pending
        return (req[0] == LOAD or req[0] == ALOAD) and req[1] is var

    def _released_by_flush(self, u, flusher):
        """Whether the drain of flusher's last store may enable u's pending request."""
        req = u.pending
        op = req[0]
        if op == LOAD or op == ALOAD:
            return req[1] is flusher.buffer[0][0]    # a spinning load may see the write
        if op == JOIN:
            join = req[1]
            return not join.running and not any(c.buffer for c in join.threads if c is not flusher)
        return False

    # --- operations ----------------------------------------------------------------------------

    def tick(self, t):
        t.vc[t.tid] += 1
        return t.vc[t.tid]

    def sync_prelude(self, t):
        """Atomic writes and synchronization drain the store buffer (x86's XCHG and LOCK-prefixed
        instructions drain it; Go's atomic Store/Swap/Add/CAS, locks and channels are built on
        them; an atomic Load, a plain MOV, does not: see perform). They leave pending loads (`go`) pending:
        a load's visible writes are fixed by its own clock (the writes that happen after it are
        never visible, whatever synchronization follows), so resolving it later loses nothing
        and lets later independent stores go first across an unrelated sync operation; a value
        the operation uses (an atomic's or a send's argument) is forced where it is used."""
        while t.buffer:
            self.flush_one(t)
        t.last_load = None

    def perform(self, t, req):
        op = req[0]
        if op == LOAD:
            return self.load(t, req[1])
        if op == STORE:
            return self.store(t, req[1], value_of(req[2]))
        if op == START or op == GOSCHED:
            return None
        if op == RESUME:
            return t.result
        if op != ALOAD:            # amd64's atomic.Load is a plain MOV: no drain (tso)
            self.sync_prelude(t)
        return self.perform_sync(t, op, req[1], req)

    def perform_sync(self, t, op, obj, req):
        if op <= ACAS:
            return self.atomic(t, op, obj, req)
        if op <= RUNLOCK:
            return self.mutex(t, op, obj)
        if op <= WG_WAIT:
            return self.waitgroup(t, op, obj, req)
        if op == SELECT:
            return self.select(t, obj)
        if op == COND_WAIT:
            vc_join(t.vc, obj.clocks.pop(req[2]))  # the Signal/Broadcast that woke it ⇒ Wait returns
            self.tick(t)
            return None
        if op == COND_NOTIFY:
            # Signal: the longest waiter; Broadcast: every waiter so far; none: no edge at all.
            end = obj.wait_ticket if req[2] is None else min(obj.notify_ticket + 1, obj.wait_ticket)
            clocks = obj.clocks
            for ticket in range(obj.notify_ticket, end):
                clocks[ticket] = list(t.vc)
            obj.notify_ticket = max(obj.notify_ticket, end)
            self.tick(t)
            return None
        if op == JOIN:
            vc_join(t.vc, obj.clock)
            self.tick(t)
            if self.trace is not None:
                self.record(t, "join", "", None)
            return None
        return self.channel(t, op, obj, req)

    def load(self, t, var):
        tid, vc = t.tid, t.vc
        epoch = vc[tid] = vc[tid] + 1
        frames, location = self.where(t)
        races = var.shadow.read(tid, tid, epoch, frames, vc)
        if races:
            self.report_races(var, (tid, tid, epoch, frames, False), races)
        t.last_load = (var, var.nwrites, location)
        if self.lazy_loads:
            lazy = Lazy(self, t, var, tuple(vc), epoch)
            t.lazies.append(lazy)
            if self.trace is not None:
                self.record(t, "load", var.name, None)
            return lazy
        w = None
        if self.tso:
            for bvar, bw in reversed(t.buffer):
                if bvar is var:
                    w = bw
                    break
        if w is None:
            w = var.hist[-1]
        if self.trace is not None:
            self.record(t, "load", var.name, w.value)
        return w.value

    def resolve(self, lazy):
        """Give a pending load its value: one of the writes Go's memory model lets it observe."""
        t, var = lazy.thread, lazy.var
        visible = visible_writes(var.hist, t.tid, lazy.epoch, lazy.clock)
        w = visible[self.chooser.value(len(visible), self)] if len(visible) > 1 else visible[0]
        lazy.value, lazy.rf, lazy.resolved = w.value, w, True
        t.lazies.remove(lazy)
        if self.trace is not None:
            self.record(t, "resolve", var.name, w.value)

    def store(self, t, var, value):
        tid, vc = t.tid, t.vc
        epoch = vc[tid] = vc[tid] + 1
        frames = self.where(t)[0]
        races = var.shadow.write(tid, tid, epoch, frames, vc)
        if races:
            self.report_races(var, (tid, tid, epoch, frames, True), races)
        w = Write(value, tid, epoch, tuple(vc))
        t.last_load = None
        if self.tso:
            t.buffer.append((var, w))
        else:
            var.hist.append(w)
            var.nwrites += 1
        if self.trace is not None:
            self.record(t, "store", var.name, value)

    def flush_one(self, t):
        var, w = t.buffer.pop(0)
        var.hist.append(w)
        var.nwrites += 1
        if self.trace is not None:
            self.record(t, "flush", var.name, w.value)

    def atomic(self, t, op, var, req):
        """One sync/atomic operation, synchronizing as Go's race detector does: Load acquires
        (the store it observes ⇒ it); Store releases only (var.clock becomes the storer's clock,
        replacing the last one: a load observing it synchronizes with it alone); Add, Swap and a
        successful CompareAndSwap acquire then release; a failed CompareAndSwap only acquires."""
        old = var.value
        if op == ASTORE:
            self.tick(t)
            var.value, result = value_of(req[2]), None
            var.nwrites += 1
            var.clock = list(t.vc)               # release: replaces, observes nothing
        else:
            vc_join(t.vc, var.clock)             # acquire: the atomic write it observes
            self.tick(t)
            if op == ALOAD:
                t.last_load = (var, var.nwrites, _location(t))
                result = old
            else:
                if op == AADD:
                    var.value = result = old + value_of(req[2])
                elif op == ASWAP:
                    var.value, result = value_of(req[2]), old
                else:
                    result = old == value_of(req[2])
                    if result:
                        var.value = value_of(req[3])
                if op != ACAS or result:
                    var.nwrites += 1
                    var.clock = list(t.vc)       # release (after the acquire: includes it)
        self.record(t, OP_NAMES[op], var.name, var.value)
        return result

    def mutex(self, t, op, mu):
        if op == LOCK:
            mu.owner = t
            vc_join(t.vc, mu.clock)
            vc_join(t.vc, mu.rclock)
        elif op == RLOCK:
            mu.readers += 1
            vc_join(t.vc, mu.clock)
        elif op == UNLOCK:
            if mu.owner is None:
                raise ScenarioPanic("fatal error: sync: unlock of unlocked mutex")
            mu.owner = None
            mu.clock = list(t.vc)
        else:
            if mu.readers == 0:
                raise ScenarioPanic("fatal error: sync: RUnlock of unlocked RWMutex")
            mu.readers -= 1
            vc_join(mu.rclock, t.vc)
        self.tick(t)
        self.record(t, OP_NAMES[op], mu.name, None)

    def waitgroup(self, t, op, wg, req):
        if op == WG_ADD:
            delta = value_of(req[2])
            wg.count += delta
            if wg.count < 0:
                raise ScenarioPanic("sync: negative WaitGroup counter")
            if delta < 0:                        # Done ⇒ Wait returns; Add(+n) releases nothing
                vc_join(wg.clock, t.vc)          # (sync.WaitGroup.Add's race annotation)
        else:
            vc_join(t.vc, wg.clock)
        self.tick(t)
        self.record(t, OP_NAMES[op], wg.name, wg.count)

    def channel(self, t, op, ch, req):
        if op == CLOSE:
            if ch.nil:
                raise ScenarioPanic("close of nil channel")
            if ch.closed:
                raise ScenarioPanic("close of closed channel")
            ch.closed = True
            ch.close_clock = list(t.vc)
            self.tick(t)
            self.record(t, "close", ch.name, None)
            return None
        if op == SEND:
            return self._send(t, ch, value_of(req[2]))
        return self._recv(t, ch)

    def _send(self, t, ch, value):
        if ch.closed:
            raise ScenarioPanic("send on closed channel")
        if ch.cap_:
            slot = ch.slots[ch.sends % ch.cap_]
            vc_join(t.vc, slot)                  # the (k)-th receive ⇒ the (k+C)-th send
            vc_join(slot, t.vc)                  # this send ⇒ its receive
            ch.buf.append(value)
            ch.sends += 1
        else:
            receiver = self._waiting(ch, RECV)
            self._rendezvous(t, receiver)
            receiver.pending, receiver.result = (RESUME,), (value, True)
        self.tick(t)
        self.record(t, "send", ch.name, value)
        return None

    def _recv(self, t, ch):
        if ch.buf:
            slot = ch.slots[ch.recvs % ch.cap_]
            vc_join(t.vc, slot)
            vc_join(slot, t.vc)
            ch.recvs += 1
            result = (ch.buf.popleft(), True)
        elif not ch.cap_ and not ch.closed:
            sender = self._waiting(ch, SEND)
            self._rendezvous(t, sender)
            result = (value_of(sender.pending[2]), True)
            sender.pending, sender.result = (RESUME,), None
        else:
            vc_join(t.vc, ch.close_clock)         # close ⇒ a receive that returns because of it
            result = (ch.zero, False)
        self.tick(t)
        self.record(t, "recv", ch.name, result[0])
        return result

    def select(self, t, cases):
        """selectgo: one of the ready cases, chosen by the explorer (Go picks uniformly at random);
        none ready means the default case (-1). Returns (case index, value, ok)."""
        ready = [i for i, case in enumerate(cases) if self._case_ready(t, *case)]
        if not ready:
            return -1, None, False
        i = ready[self.chooser.value(len(ready), self)] if len(ready) > 1 else ready[0]
        kind, ch, value = cases[i]
        if not ch.cap_ and not ch.closed:
            u, j = self._partner(t, ch, RECV if kind == SEND else SEND)
            if j is not None:                    # the partner is a select: it completes too
                return i, *self._meet_select(t, ch, kind, value, u, j)
        if kind == SEND:
            self._send(t, ch, value_of(value))
            return i, None, True
        received, ok = self._recv(t, ch)
        return i, received, ok

    def _meet_select(self, t, ch, kind, value, u, j):
        """t's select case `kind` on unbuffered ch meets case j of u's blocked select: both
        complete (each after the other began); u resumes with (j, value, ok). Returns t's
        (value, ok)."""
        self._rendezvous(t, u)
        if kind == SEND:
            value = value_of(value)
            u.pending, u.result = (RESUME,), (j, value, True)
            self.tick(t)
            self.record(t, "send", ch.name, value)
            return None, True
        value = value_of(u.pending[1][j][2])
        u.pending, u.result = (RESUME,), (j, None, True)
        self.tick(t)
        self.record(t, "recv", ch.name, value)
        return value, True

    def _rendezvous(self, t, u):
        """An unbuffered pair: each side completes after the other began."""
        self.sync_prelude(u)
        vc_join(t.vc, u.vc)
        vc_join(u.vc, t.vc)
        u.vc[u.tid] += 1

    # --- races and traces ----------------------------------------------------------------------

    def report_races(self, var, access, races):
        """Report the races of a plain access (a shadow tuple) with earlier ones, each race once
        per check: the same variable, kinds and innermost code locations."""
        known = self.known_races
        a = _site(access)
        for prev in races:
            b = _site(prev)
            key = (var.name, a, b)
            if key in known or (var.name, b, a) in known:
                continue
            known.add(key)
            created = {u.tid: (u.created, u.done) for u in self.threads}
            self.races.append(Race(var.name, _as_access(access), _as_access(prev), created))

    def where(self, t):
        """Where a goroutine stands: its scenario frames, innermost first ([(code, line)], for
        race reports), and its innermost coroutine frame's (code, instruction) (for spinning)."""
        c = t.coro
        if type(c.cr_await) is not CoroutineType:    # the common case: one coroutine frame
            f = c.cr_frame
            code = f.f_code
            lasti = f.f_lasti
            # The same code and instruction recur in every execution: their frames are made once
            # (shared, never changed), without working out the line number again.
            known = self.where_known.get((id(code), lasti))
            if known is None or known[0] is not code:
                frames = [(code, f.f_lineno)] if code.co_filename not in self.internal_files else []
                known = self.where_known[(id(code), lasti)] = (code, (frames, (code, lasti)))
            return known[1]
        frames = []
        location = None
        internal = self.internal_files
        c = t.coro
        while type(c) is CoroutineType:
            f = c.cr_frame
            if f is None:
                break
            code = f.f_code
            location = f
            if code.co_filename not in internal:
                frames.append((code, f.f_lineno))
            c = c.cr_await
        frames.reverse()
        return frames, None if location is None else (location.f_code, location.f_lasti)

    def record(self, t, what, name, value):
        if self.trace is not None:
            self.trace.append((self.steps, t.tid, what, name, value))


def _close(coro):
    try:
        coro.close()
    except RuntimeError:      # a scenario `finally` that awaits: nothing to run it
        pass


# internal files -> {(id(code), offset) -> (code, Machine.where's answer for a goroutine suspended there)}
_WHERE = {}
def _location(t):
    """Where a goroutine stands: its innermost coroutine frame's code and instruction."""
    c = t.coro
    f = None
    while type(c) is CoroutineType:
        frame = c.cr_frame
        if frame is None:
            break
        f = frame
        c = c.cr_await
    return None if f is None else (f.f_code, f.f_lasti)


def _site(access):
    """A race key's half: the access's kind and innermost code location. The code object goes in
    by id: hashing a code object hashes its constants, a third of a race check's time (the
    scenario's code objects live as long as the check)."""
    frames = access[3]
    if not frames:
        return access[4], 0, 0
    code, line = frames[0]
    return access[4], id(code), line


def _as_access(entry):
    tid, goid, epoch, frames, is_write = entry
    return Access(tid, goid, epoch, frames, is_write)


def visible_writes(hist, tid, epoch, clock):
    """The writes a read may observe under Go's memory model: those that do not happen after the
    read, and are not overwritten by another write between them and the read in happens-before."""
    if len(hist) == 1:
        return hist               # the initial write alone
    candidates = []
    before = []                   # the candidates that happen before the read (the initial one does)
    n = len(clock)
    for w in hist:
        wclock = w.clock
        if tid < len(wclock) and epoch <= wclock[tid]:
            continue              # the write happens after the read
        candidates.append(w)
        wtid = w.tid
        if wtid < n and w.epoch <= clock[wtid]:
            before.append(w)
    if len(candidates) == 1:
        return candidates
    visible = []
    for w in candidates:
        wtid, wepoch = w.tid, w.epoch
        for w2 in before:         # overwritten: w happens before a later write that happens before the read
            if w2 is not w and wtid < len(w2.clock) and wepoch <= w2.clock[wtid]:
                break
        else:
            visible.append(w)
    return visible
