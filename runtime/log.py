"""The run log: structlog events rendered as JSON lines by orjson, virtual time only.

Schema: docs/log-schema.md (the one place that documents it). Every line starts with `vt` then
`event`. Callers on hot paths check `log.debug_enabled` (a plain attribute) before building a debug
event, so a run at the default level pays nothing for them; `event` also drops, cheaply, any event
above the chosen level.

Whole lines only, even when the run is interrupted: an event is rendered to one complete
`...\\n` bytes object before anything is written; lines wait in a user-space list and reach the
file only through `os.write` of whole lines, with SIGINT and SIGTERM blocked for the duration of
that write. A signal therefore lands between two lines, never inside one, and the handler that the
run installs (see `deliver_signals_as_interrupt`) raises at a line boundary so that `close()` writes
what is pending. Even a SIGKILL leaves a file that ends at a line boundary (at most the pending
lines are lost).
"""

import os
import signal
import struct

import orjson
import structlog

from runtime.errors import UserError

LEVELS = {"debug": 10, "info": 20, "off": 100}

# Events written only at --log-level debug; every other event is info (docs/log-schema.md).
DEBUG_EVENTS = frozenset({"go_create", "go_run", "go_park", "go_ready", "go_exit", "span_refill",
                          "syscall_enter", "syscall_exit", "hb"})

_FLUSH_BYTES = 1 << 16
_ORJSON_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_dumps = orjson.dumps


# ---- the structlog pipeline: event dict -> (vt, event first) -> one JSON line ----

def vt_and_event_first(_logger, _method, event_dict):
    """structlog puts `event` last; the schema wants `vt` and `event` to open every line."""
    return {"vt": event_dict["vt"], "event": event_dict["event"]} | event_dict


def render_json_line(_logger, _method, event_dict):
    """orjson, newline included; goid-keyed dicts (vector clocks) allowed."""
    return orjson.dumps(event_dict, option=_ORJSON_OPTIONS)


PROCESSORS = [vt_and_event_first, render_json_line]


class _EventLogger(structlog.BoundLoggerBase):
    """The leanest structlog wrapper: one method, no level dispatch (RunLog filters levels)."""

    def write(self, name, vt, fields):
        return self._proxy_to_logger("write_line", name, vt=vt, **fields)


class _LineSink:
    """Where rendered lines wait, then reach the file whole. Owned by one RunLog; no lock."""

    __slots__ = ("fd", "pending", "pending_bytes")

    def __init__(self, fd):
        self.fd = fd
        self.pending = []
        self.pending_bytes = 0

    def write_line(self, line):
        self.pending.append(line)          # one bytecode: a signal lands before or after it
        self.pending_bytes += len(line)
        if self.pending_bytes >= _FLUSH_BYTES:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        chunk = memoryview(b"".join(self.pending))
        blocked = _block_signals()
        try:
            while chunk:
                chunk = chunk[os.write(self.fd, chunk):]
            self.pending.clear()
            self.pending_bytes = 0
        finally:
            _unblock_signals(blocked)


def _block_signals():
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    except ValueError:      # not the main thread: signals are not delivered here anyway
        return None


def _unblock_signals(previous):
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class RunLog:
    """One run's JSON-lines log. Owned by the run; the emulator runs one M at a time, so no lock.

    The pipeline is structlog's: PROCESSORS turn an event dict into a line for a logger (the
    sink); `self.logger` is that pipeline as a structlog logger (same bytes, no level filter).
    `event` does the last processor's work inline on a dict built in schema order: through the
    BoundLogger an event cost ~11 us on alloc_churn, this way ~1 us, and the log must stay under
    25% of a run's time.
    """

    def __init__(self, path, level="info"):
        if level not in LEVELS:
            raise ValueError(f"unknown log level {level!r}")
        self.path = path
        self.level = level
        self.debug_enabled = LEVELS[level] <= LEVELS["debug"]
        self.info_enabled = LEVELS[level] <= LEVELS["info"]
        self._sink = None
        self._write = None
        self.logger = None
        if self.info_enabled:
            fd = _open_for_writing(path)
            self._sink = _LineSink(fd)
            self._write = self._sink.write_line
            self.logger = structlog.wrap_logger(self._sink, wrapper_class=_EventLogger,
                                                processors=PROCESSORS, cache_logger_on_first_use=True)

    def event(self, name, vt, **fields):
        """Write one event: {"vt": vt, "event": name, ...fields} on its own line."""
        if self._write is not None and (self.debug_enabled or name not in DEBUG_EVENTS):
            self._write(_dumps({"vt": vt, "event": name, **fields}, option=_ORJSON_OPTIONS))

    def flush(self):
        """Write the pending lines (whole) to the file."""
        if self._sink is not None:
            self._sink.flush()

    def close(self):
        if self._sink is not None:
            self._sink.flush()
            os.close(self._sink.fd)
            self._sink = None
            self._write = None
            self.logger = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _open_for_writing(path):
    """The log file's descriptor, or a UserError naming the path (a missing directory, a
    directory, no permission: the user's mistake, not a traceback)."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as err:
        raise UserError(f"cannot write log {path}: {err.strerror}") from None


class RunInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: the run stops, closes its log and prints the summary so far."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


pending_signal = [0]   # a signal number the run should stop for at its next safe point; 0: none


def deliver_signals_as_interrupt(on_first=None):
    """Make SIGINT and SIGTERM stop the run cleanly; returns a restore().

    The first signal is only recorded (`pending_signal`, then `on_first()`: the scheduler makes
    its running M hand over at once); the scheduler raises RunInterrupted at that hand-over, a
    clean point, so trio and the log are never interrupted halfway.
    A second signal (a goroutine that never reaches a scheduling point) raises at once. The run
    closes its RunLog in a `finally`, so a `kill` writes the pending lines and the summary.
    """
    pending_signal[0] = 0

    def handler(signum, _frame):
        if pending_signal[0]:
            raise RunInterrupted(signum)
        pending_signal[0] = signum
        if on_first is not None:
            on_first()

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}

    def restore():
        pending_signal[0] = 0
        for sig, old in previous.items():
            signal.signal(sig, old)
    return restore


def check_interrupt():
    """Raise RunInterrupted if a signal is pending (the scheduler calls it at its safe points)."""
    signum = pending_signal[0]
    if signum:
        pending_signal[0] = 0
        raise RunInterrupted(signum)


# ---- malloc_sample: which allocations are logged, decided as Go's MemProfileRate does ----

MEM_PROFILE_RATE = 512 * 1024

# runtime/fastlog2table.go, verbatim: log2(1 + i/32) for i in 0..32 as Go's generator rounds them
_FASTLOG_NUM_BITS = 5
_FLOAT64 = struct.Struct("<d")
_FASTLOG2_TABLE = [
    0, 0.0443941193584535, 0.08746284125033943, 0.12928301694496647, 0.16992500144231248,
    0.2094533656289499, 0.24792751344358555, 0.28540221886224837, 0.3219280948873623,
    0.3575520046180837, 0.39231742277876036, 0.4262647547020979, 0.4594316186372973,
    0.4918530963296748, 0.5235619560570128, 0.5545888516776374, 0.5849625007211563,
    0.6147098441152082, 0.6438561897747247, 0.6724253419714956, 0.7004397181410922,
    0.7279204545631992, 0.7548875021634686, 0.7813597135246596, 0.8073549220576042,
    0.8328900141647417, 0.8579809951275721, 0.8826430493618412, 0.9068905956085185,
    0.9307373375628862, 0.9541963103868752, 0.9772799234999164, 1,
]


def fastlog2(x):
    """runtime.fastlog2: table lookup on the top 5 mantissa bits, linear in the next 20."""
    bits = int.from_bytes(_FLOAT64.pack(x), "little")     # math.Float64bits
    exponent = ((bits >> 52) & 0x7FF) - 1023
    index = (bits >> (52 - _FASTLOG_NUM_BITS)) % (1 << _FASTLOG_NUM_BITS)
    scale = (bits >> (52 - _FASTLOG_NUM_BITS - 20)) % (1 << 20)
    low, high = _FASTLOG2_TABLE[index], _FASTLOG2_TABLE[index + 1]
    return float(exponent) + low + (high - low) * float(scale) * (1.0 / (1 << 20))


def fastexprand(rng, mean):
    """runtime.fastexprand: an exponential variate with this mean, from 26 random bits."""
    if mean > 0x7000000:
        mean = 0x7000000
    elif mean == 0:
        return 0
    random_bit_count = 26
    q = rng.getrandbits(random_bit_count) + 1      # cheaprandn(1<<26) + 1
    qlog = min(fastlog2(float(q)) - random_bit_count, 0.0)
    return int(qlog * (-0.6931471805599453 * float(mean))) + 1


def next_sample(rng, rate=MEM_PROFILE_RATE):
    """runtime.nextSample: bytes to allocate before the next heap-profile sample."""
    if rate == 0:
        return (1 << 63) - 1
    if rate == 1:
        return 0
    return fastexprand(rng, rate)


class MemProfileSampler:
    """Decides which mallocs become `malloc_sample` events: Go's mcache.nextSample countdown.

    One per P (like the mcache field it models), so owned by that P; no lock. `rng` is the run's
    seeded random.Random, so the same seed samples the same allocations.
    """

    __slots__ = ("next_sample", "rate", "rng")

    def __init__(self, rng, rate=MEM_PROFILE_RATE):
        self.rng = rng
        self.rate = rate
        self.next_sample = next_sample(rng, rate)

    def sampled(self, elemsize):
        """mallocgc's tail: count the slot down; True when this allocation is to be sampled."""
        self.next_sample -= elemsize
        if self.next_sample >= 0:
            return False
        self.next_sample = next_sample(self.rng, self.rate)   # profilealloc
        return True
