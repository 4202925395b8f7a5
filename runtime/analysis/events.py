"""Event by event reading of a run log, for the exports (trace, pprof) that need order and detail.

Streams the file (memory stays bounded) and applies the same rule as the engine's VALID_SQL: a
line is an event when it is a JSON object with an integer `vt` >= 0 and a string `event`, and
lock events carry their kind, lock and wait or hold. Other lines are counted and skipped.
"""

import orjson

from runtime.analysis.engine import BAD_LINES_SHOWN, check_readable, nothing_read
from runtime.analysis.logfile import open_log


def _is_count(value):
    """An integer >= 0 that fits the log's int64 (as the engine's BIGINT columns have it)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 63


def valid_event(value):
    """Whether a parsed line is an event the tools can use."""
    if not isinstance(value, dict) or not _is_count(value.get("vt")):
        return False
    event = value.get("event")
    if not isinstance(event, str) or not "a" <= event[:1] <= "z":
        return False
    if event in ("lock_acquire", "lock_wait_late"):
        return isinstance(value.get("kind"), str) and isinstance(value.get("lock"), str) and _is_count(value.get("wait_ns"))
    if event == "lock_release":
        return isinstance(value.get("kind"), str) and isinstance(value.get("lock"), str) and _is_count(value.get("hold_ns"))
    return True


class EventReader:
    """Iterate over a log's valid events in file order, counting (and locating) the skipped lines."""

    def __init__(self, path):
        check_readable(path)
        self.path = path
        self.lines_read = 0
        self.lines_skipped = 0
        self.bad_lines = []

    def __iter__(self):
        with open_log(self.path) as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError:
                    value = None
                if valid_event(value):
                    self.lines_read += 1
                    yield value
                else:
                    self.lines_skipped += 1
                    if len(self.bad_lines) < BAD_LINES_SHOWN:
                        self.bad_lines.append(number)

    def check_something_read(self):
        """After iterating: a UserError if nothing was an event."""
        if self.lines_read == 0:
            raise nothing_read(self.path, self.lines_skipped)

    def skipped_note(self):
        """One line for stderr about skipped lines, or None."""
        if not self.lines_skipped:
            return None
        more = ", ..." if self.lines_skipped > len(self.bad_lines) else ""
        return (f"{self.path}: {self.lines_skipped} unreadable lines skipped "
                f"(line {', '.join(map(str, self.bad_lines))}{more})")
