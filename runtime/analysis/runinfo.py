"""The run's identity from its first and last lines: run_start's config, run_end's totals.

Both sit at the ends of the file, so they are read directly instead of by a scan (a gzipped log
has no end to seek to: it is decompressed on the way to its tail).
"""

import os

import orjson

from runtime.analysis.logfile import open_log

TAIL_BYTES = 1 << 20


def read_run_info(path, tail=None):
    """{"config", "versions", "status", "totals"} from run_start / run_end, where present. `tail`:
    the file's last TAIL_BYTES (at least), when a scan kept them (a gzipped log is otherwise
    decompressed a second time to reach its end)."""
    info = {}
    with open_log(path) as f:
        first = f.readline()
        tail = (_tail(f, first) if tail is None else tail).split(b"\n")
    start = _event(first)
    if start.get("event") == "run_start":
        for key in ("config", "versions"):
            if isinstance(start.get(key), dict):
                info[key] = start[key]
    for line in reversed(tail):
        end = _event(line)
        if end.get("event") == "run_end":
            info["status"] = end.get("status")
            if isinstance(end.get("totals"), dict):
                info["totals"] = end["totals"]
            if isinstance(end.get("locks"), list):
                info["locks"] = [lock for lock in end["locks"] if _lock_totals_ok(lock)]
            break
    return info


def _tail(f, first):
    """The last TAIL_BYTES of the file (at least); `first`, its first line, was read already."""
    if f.seekable():
        f.seek(max(0, os.fstat(f.fileno()).st_size - TAIL_BYTES))
        return f.read()
    tail = first
    while chunk := f.read(TAIL_BYTES):
        tail = tail[-TAIL_BYTES:] + chunk
    return tail


def _lock_totals_ok(lock):
    return (isinstance(lock, dict) and isinstance(lock.get("kind"), str) and isinstance(lock.get("name"), str)
            and all(isinstance(lock.get(k), int) and lock[k] >= 0
                    for k in ("acquisitions", "contended", "wait_ns", "hold_ns")))


def _event(line):
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
