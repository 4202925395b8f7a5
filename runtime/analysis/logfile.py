"""Opening a run log: plain, or gzipped (found by its first bytes, whatever its name), read as far
as it is readable.

Python's gzip module raises at the end of a gzipped log that was cut short (a run killed while
its log was being compressed, a copy that stopped), losing what it had decompressed in that read.
A log is read here through zlib directly instead: a cut or damaged stream just ends, after what
could be decompressed before the damage (all but the output of its last byte), and every reader
(the scan, the exports, run_end's tail) sees the same lines.
"""

import io
import zlib

_GZIP_MAGIC = b"\x1f\x8b"
_READ_BYTES = 1 << 14       # compressed bytes per read: at most 16 MB decompressed (1032:1)


def is_gzip(path):
    try:
        with open(path, "rb") as f:
            return f.read(2) == _GZIP_MAGIC
    except OSError:
        return False


def open_log(path):
    """The log as a binary file object, decompressed when it is gzip (not seekable then)."""
    if not is_gzip(path):
        return open(path, "rb")
    return io.BufferedReader(GunzipToEnd(open(path, "rb")), buffer_size=1 << 20)


class GunzipToEnd(io.RawIOBase):
    """The decompressed bytes of a gzip file (members one after another), ending where the data
    can no longer be decompressed rather than raising. Owned by its reader; no lock."""

    def __init__(self, raw):
        self._raw = raw
        self._gunzip = zlib.decompressobj(wbits=31)
        self._out = memoryview(b"")
        self._ended = False

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._out and not self._ended:
            self._out = memoryview(self._decompress_more())
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _decompress_more(self):
        data = self._raw.read(_READ_BYTES)
        if not data:
            self._ended = True
            return b""
        state = self._gunzip.copy()
        try:
            return self._decompress(data)
        except zlib.error:      # damaged here: again byte by byte, to keep all that comes before
            self._gunzip = state
            out = []
            for i in range(len(data)):
                try:
                    out.append(self._decompress(data[i:i + 1]))
                except zlib.error:
                    break
            self._ended = True
            return b"".join(out)

    def _decompress(self, data):
        out = self._gunzip.decompress(data)
        while self._gunzip.eof and self._gunzip.unused_data:     # the next member begins
            rest = self._gunzip.unused_data
            self._gunzip = zlib.decompressobj(wbits=31)
            out += self._gunzip.decompress(rest)                # (not gzip: zlib.error)
        return out

    def close(self):
        self._raw.close()
        super().close()
