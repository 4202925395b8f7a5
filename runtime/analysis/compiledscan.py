"""The contention report's scan through the compiled LockScan (lockscan.pyx), on every core.

The log is read in chunks of whole lines; a pool of threads scans them, each thread into its own
LockScan, which drops the GIL while it parses. The cells of all the scanners are concatenated (the
report sums cells, so a (lock, P) pair split over two scanners adds up the same), the skipped
lines are located from each chunk's count, and the percentiles are taken over every contended
wait. Memory stays bounded: a few chunks in flight, plus one int64 per contended wait.
"""

import collections
import contextlib
import gc
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from runtime.analysis.engine import BAD_LINES_SHOWN
from runtime.analysis.logfile import open_log
from runtime.analysis.runinfo import TAIL_BYTES

CHUNK_BYTES = 8 << 20
_SLACK = 1 << 16        # room in a buffer for the line a chunk cut begins with
MAX_LINE_BYTES = 64 << 20   # gort writes no such line; a crash may leave megabytes of NUL bytes
THREADS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
PERCENTILES = (0.5, 0.99)


@dataclass
class ScanResult:
    """What one scan of a log found: its cells (of usable lines: LockScan.cells's tuples), the
    percentiles of the contended waits by (kind, lock) and by (kind, None), and the skipped lines."""
    cells: list
    percentiles: dict
    lines_skipped: int
    bad_lines: list
    tail: bytes | None      # the last TAIL_BYTES of a log that can't seek (gzip), for run_end
    by_g: list | None       # with by_g: (side, g, contended, total, max, kind names) tuples;
                            # None when a scanner met more kinds than it has bits for


def scan(lockscan, path, threads=None, by_g=False):
    """Scan the log at path with the compiled module `lockscan`, on `threads` threads (default:
    THREADS, a core each); with by_g, tally the contended waits by G too."""
    threads = threads or THREADS
    local = threading.local()
    scanners = []

    def feed(chunk):
        scanner = getattr(local, "scanner", None)
        if scanner is None:
            scanner = local.scanner = lockscan.LockScan(by_g)
            scanners.append(scanner)
        return scanner.feed(chunk)

    counts = []          # (lines, skipped, first bad line numbers within the chunk), in file order
    free_buffers = []    # buffers whose chunk has been scanned
    tail = None
    with ThreadPoolExecutor(threads) as pool, open_log(path) as f:
        pending = collections.deque()
        keep_tail = not f.seekable()
        for chunk, buffer in whole_line_chunks(f, free_buffers, _chunk_bytes(f, threads)):
            pending.append((pool.submit(feed, chunk), buffer))
            if keep_tail:
                tail = (tail or b"")[-TAIL_BYTES:] + bytes(chunk[-TAIL_BYTES:])
            if len(pending) > 2 * threads:
                future, done = pending.popleft()
                counts.append(future.result())
                if done is not None:
                    free_buffers.append(done)
        counts.extend(future.result() for future, _ in pending)
    rows = [row for scanner in scanners for row in scanner.cells()]
    with gc_paused():
        by_g_rows = _by_g_rows(scanners) if by_g else []
    scanners.clear()        # their waits are in rows now
    skipped, bad_lines = _skipped_lines(counts)
    return ScanResult(rows, percentiles(rows), skipped, bad_lines, tail, by_g_rows)


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection while many acyclic objects are made (a tally per goroutine,
    hundreds of thousands in a big log: the collector's passes cost a third of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _by_g_rows(scanners):
    if any(scanner.kinds_overflow for scanner in scanners):
        return None
    rows = []
    for scanner in scanners:
        names = scanner.kind_names()
        kinds_of = {}           # mask -> its kind names
        for side, g, contended, total, most, mask in scanner.by_g_cells():
            kinds = kinds_of.get(mask)
            if kinds is None:
                kinds = kinds_of[mask] = frozenset(name for bit, name in enumerate(names) if mask >> bit & 1)
            rows.append((side, g, contended, total, most, kinds))
    return rows


def _chunk_bytes(f, threads):
    """CHUNK_BYTES, or less for a small plain file: a chunk for each thread, and no 8 MiB buffer
    to fault in for a log of a few hundred KiB."""
    if not f.seekable():
        return CHUNK_BYTES
    return min(CHUNK_BYTES, max(os.fstat(f.fileno()).st_size // threads + 1, 1 << 16))


def whole_line_chunks(f, free_buffers, size):
    """The file's bytes in chunks that end at a newline (the last one wherever the file ends):
    (memoryview of the chunk, its buffer, or None when it is not one to reuse). The file is read
    into buffers, taken from `free_buffers` when there is one: a copy, or a fresh buffer's page
    faults, cost a third of the scan. A line longer than `size` makes a longer chunk, its buffer
    doubling as it is read; one longer than MAX_LINE_BYTES is passed over unread and stands as the
    one bad line b"\\0"."""
    carry = b""         # the start of the next line: no newline in it
    while carry is not None:
        buffer = free_buffers.pop() if free_buffers else None
        if buffer is None or len(buffer) < len(carry) + size:
            buffer = bytearray(len(carry) + size + _SLACK)
        if len(carry) > MAX_LINE_BYTES:
            carry = yield from _pass_over(f, buffer)
            continue
        buffer[:len(carry)] = carry
        end = cut = len(carry)
        # a chunk's size, doubled while no newline is found, up to one byte past the longest line
        limit = min(len(carry) + size, MAX_LINE_BYTES + 1)
        while cut <= len(carry):
            if end == limit:              # the buffer holds the start of one line only
                if end > MAX_LINE_BYTES:
                    break
                limit = min(limit * 2, MAX_LINE_BYTES + 1)
                if len(buffer) < limit:
                    buffer += bytearray(limit - len(buffer))
            got = f.readinto(memoryview(buffer)[end:limit])
            if not got:
                if end:
                    yield memoryview(buffer)[:end], None
                return
            cut = buffer.rfind(b"\n", end, end + got) + 1
            end += got
        else:
            carry = bytes(buffer[cut:end])
            yield memoryview(buffer)[:cut], (buffer if len(buffer) < 2 * size else None)
            continue
        carry = yield from _pass_over(f, buffer)


def _pass_over(f, buffer):
    """Read on to the end of a line too long to read, yielding it as the bad line b"\\0" and the
    whole lines read after it; returns the start of the next line, or None at the end of the file."""
    while got := f.readinto(buffer):
        newline = buffer.find(b"\n", 0, got)
        if newline >= 0:
            *lines, start = bytes(buffer[newline + 1:got]).split(b"\n")
            lines = [b"\0"] + [line if len(line) <= MAX_LINE_BYTES else b"\0" for line in lines]
            yield memoryview(b"\n".join(lines) + b"\n"), None
            return start
    yield memoryview(b"\0"), None
    return None


def _skipped_lines(counts):
    """(lines skipped, the first few of their line numbers in the file)."""
    before = skipped = 0
    located = []
    for lines, bad, first_bad in counts:
        skipped += bad
        located.extend(before + number for number in first_bad)
        before += lines
    return skipped, located[:BAD_LINES_SHOWN]


def percentiles(rows):
    """{(kind, lock): (p50, p99)} and {(kind, None): (p50, p99)} of the contended waits of the
    cells of wait events, nearest rank (the ceil(q*n)-th smallest, as DuckDB's quantile_disc)."""
    by_lock = collections.defaultdict(list)
    for event, lock, p, prev_p, kind, *_, waits in rows:
        if waits:
            by_lock[kind, lock].append(waits)
    by_kind = collections.defaultdict(list)
    out = {}
    for key, parts in by_lock.items():
        waits = np.frombuffer(b"".join(parts), dtype=np.int64)
        out[key] = _ranks(waits)
        by_kind[key[0]].append(waits)
    for kind, parts in by_kind.items():
        out[kind, None] = _ranks(np.concatenate(parts))
    return out


def _ranks(waits):
    ranks = [max(math.ceil(q * len(waits)), 1) - 1 for q in PERCENTILES]
    chosen = np.partition(waits, ranks)
    return tuple(int(chosen[rank]) for rank in ranks)
