"""The cost model: how many virtual nanoseconds each runtime operation takes.

Defaults are plausible for a modern x86-64 machine running Go 1.27.3; the comment beside each says
where the figure comes from. `gort run --cost-model FILE` overrides any of them from a TOML or JSON
file of `name = ns` pairs; an unknown name or a non-integer value is an error, not a silent default.
"""

import json
import tomllib

from runtime.errors import UserError

# name -> (default ns, where the figure comes from)
COSTS = {
    # allocator
    "malloc_fast": (15, "native mallocgc small-object fast path, ~17 ns (BenchmarkMalloc8/16, go1.27.3 here)"),
    "malloc_tiny": (8, "tiny-block bump inside an existing 16-B block, a few instructions"),
    "next_free": (20, "mspan.nextFreeIndex: refill the 64-bit allocCache from allocBits"),
    "refill": (120, "mcache.refill: uncacheSpan + cacheSpan bookkeeping, excluding sweep and grow"),
    "mcentral_op": (40, "mcentral list push/pop under its lock (Go <= 1.14 mSpanList) or a spanSet CAS"),
    "sweep_span": (150, "mspan.sweep of one small span: swap mark bits, recount (mgcsweep.go)"),
    "span_init": (250, "mheap.initSpan + heap bits for a fresh span"),
    "alloc_span": (100, "mheap.allocSpan page-allocator search and bookkeeping"),
    "zero_page": (200, "memclrNoHeapPointers of one 8 KiB page at ~40 GB/s"),
    "heap_grow": (5000, "mheap.grow: sysMap (mmap MAP_FIXED) of a 4 MiB chunk, ~5 us"),
    "arena_reserve": (8000, "sysReserve of a 64 MiB arena + heapArena metadata"),
    "free_span": (100, "mheap.freeSpan: page-allocator free + stats"),
    # locks
    "osyield": (300, "osyield (sched_yield), lock2's last look before it sleeps, after 4 x procyield(30)"),
    "lock_handoff": (500, "unlock2Wake: futex wake of a waiter that slept in lock2, until it runs, ~0.5 us"),
    # scheduler
    "gosched": (90, "runtime.Gosched round trip, ~90 ns native (BenchmarkGosched-like loop)"),
    "goroutine_switch": (60, "gopark/goready context switch on one P (gogo + schedule)"),
    "newproc": (300, "go statement: newproc1 + G reuse, ~0.3 us"),
    "goexit": (100, "goexit0 + gfput"),
    "chan_op": (40, "uncontended buffered channel send or receive, ~30-50 ns"),
    "select": (120, "selectgo with a few cases: pollorder shuffle + lockorder sort"),
    "mutex_fast": (10, "sync.Mutex uncontended CAS lock or unlock"),
    "atomic": (5, "an atomic load/store/add (lock-prefixed instruction)"),
    "syscall": (300, "entersyscall/exitsyscall around a short syscall"),
    "steal": (200, "runqsteal: grab half a victim's ring"),
    "spin": (1000, "one spinning M's search round over all Ps before it parks"),
    "wake_m": (5000, "startm/notewakeup of a parked M (futex wake + thread schedule), ~5 us"),
    "sched_lock_hold": (50, "work under sched.lock (global run queue put/get)"),
    "timer": (50, "adding or running one timer"),
    "mem_access": (1, "a load or store of a shared variable"),
    "procyield": (300, "sync.Mutex spin round: procyield(30) = 30 PAUSE, ~10 ns each on recent x86"),
    "sema": (60, "semacquire1/semrelease1 slow path: semaRoot lock, treap insert or remove"),
}


class CostModel:
    """Virtual-ns cost of each runtime operation: one attribute per name in COSTS.

    Owned by the run (read-only after construction); no lock.
    """

    __slots__ = tuple(COSTS)

    def __init__(self, **overrides):
        for name, (default, _) in COSTS.items():
            setattr(self, name, default)
        for name, value in overrides.items():
            if name not in COSTS:
                raise UserError(f"unknown cost {name!r} (known: {', '.join(COSTS)})")
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise UserError(f"cost {name!r} must be a non-negative integer of ns, not {value!r}")
            setattr(self, name, value)

    def as_dict(self):
        return {name: getattr(self, name) for name in COSTS}

    @classmethod
    def load(cls, path):
        """A cost model from a TOML or JSON file of `name = ns` pairs (the rest keep their defaults)."""
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as err:
            raise UserError(f"cannot read cost model {path}: {err.strerror}") from None
        try:
            table = json.loads(raw) if str(path).endswith(".json") else tomllib.loads(raw.decode())
        except (ValueError, UnicodeDecodeError) as err:
            raise UserError(f"cost model {path} is not valid {'JSON' if str(path).endswith('.json') else 'TOML'}: {err}") from None
        if not isinstance(table, dict):
            raise UserError(f"cost model {path} must be a table of name = ns")
        return cls(**table)


DEFAULT_COSTS = CostModel()
