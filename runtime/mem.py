"""The emulated OS memory the heap is built on (mem.go, mem_linux.go, malloc.go sysAlloc).

Address space goes None -> Reserved (sysReserve, PROT_NONE) -> Prepared (sysMap) -> Ready
(sysUsed). Arenas are 64 MiB, reserved at Go's classic hint 0x00c000000000 upward (the address
layout of a Go binary built with -race or GOEXPERIMENT=norandomizedheapbase64: deterministic).
"""

HEAP_ARENA_BYTES = 64 << 20
ARENA_HINT = 0x00C0 << 32          # arenaHints: i<<40 | 0x00c0<<32, i = 0 first


def align_up(n, a):
    return (n + a - 1) & ~(a - 1)


class OSMemory:
    """What the emulated OS has given the runtime. Guarded by the heap lock (only mheap.grow calls it)."""

    def __init__(self):
        self.next_hint = ARENA_HINT
        self.reserved = 0          # bytes in Reserved state or beyond
        self.mapped = 0            # bytes sysMap'ed (Prepared or Ready)
        self.arenas = []           # base addresses of reserved 64 MiB arenas

    def sysReserve(self, size):
        """mheap.sysAlloc: reserve whole 64 MiB-aligned arenas covering size bytes at the next hint."""
        size = align_up(size, HEAP_ARENA_BYTES)
        base = self.next_hint
        self.next_hint += size
        self.reserved += size
        self.arenas.extend(range(base, base + size, HEAP_ARENA_BYTES))
        return base, size

    def sysMap(self, base, size):
        """Reserved -> Prepared: the pages may now be used (and count in HeapSys, as released)."""
        self.mapped += size
