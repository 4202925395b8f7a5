"""The run log: structlog events rendered as JSON lines by orjson, virtual time only.

Schema: docs/log-schema.md. Callers on hot paths check `log.debug_enabled` (a plain attribute)
before building a debug event, so a run at the default level pays nothing for them.
"""

import orjson
import structlog

LEVELS = {"debug": 10, "info": 20, "off": 100}


def _render(_logger, _method, event_dict):
    return orjson.dumps(event_dict) + b"\n"


class RunLog:
    """One run's JSON-lines log. Owned by the run; the emulator runs one M at a time, so no lock."""

    def __init__(self, path, level="info"):
        if level not in LEVELS:
            raise ValueError(f"unknown log level {level!r}")
        self.path = path
        self.level = level
        self.debug_enabled = LEVELS[level] <= LEVELS["debug"]
        self.info_enabled = LEVELS[level] <= LEVELS["info"]
        self._file = open(path, "wb") if self.info_enabled else None
        self._log = structlog.wrap_logger(
            structlog.BytesLogger(self._file), processors=[_render], cache_logger_on_first_use=True)

    def event(self, name, vt, **fields):
        """Write one event: {"vt": vt, "event": name, ...fields} on its own line."""
        if self._file is not None:
            self._log.msg(name, vt=vt, **fields)

    def close(self):
        if self._file is not None:
            self._file.flush()
            self._file.close()
            self._file = None
