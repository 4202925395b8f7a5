"""pprof's profile.proto, written by hand: just the messages and wire types a mutex profile needs.

Field numbers from github.com/google/pprof/proto/profile.proto. Protobuf wire format: a key is
varint(field << 3 | wire type); wire type 0 is a varint, 2 a length-delimited payload (strings,
sub-messages, packed repeated varints).
"""

import gzip


def _varint(n):
    n &= (1 << 64) - 1                   # int64 values are encoded as their two's complement
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _int(field, n):
    return _varint(field << 3) + _varint(n) if n else b""


def _bytes(field, payload):
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _packed(field, numbers):
    return _bytes(field, b"".join(_varint(n) for n in numbers)) if numbers else b""


class Profile:
    """A pprof profile under construction: strings, functions and locations interned as added."""

    def __init__(self, sample_types, period_type, period=1, duration_ns=0):
        self.strings = {"": 0}
        self.functions = {}       # (name, file) -> id
        self.locations = {}       # (function id, line) -> id
        self.samples = {}         # (location ids, labels) -> [values]
        self.sample_types = [(self._s(t), self._s(u)) for t, u in sample_types]
        self.period_type = (self._s(period_type[0]), self._s(period_type[1]))
        self.period = period
        self.duration_ns = duration_ns

    def _s(self, text):
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def location(self, function, filename, line):
        fid = self.functions.setdefault((function, filename), len(self.functions) + 1)
        return self.locations.setdefault((fid, line), len(self.locations) + 1)

    def add(self, location_ids, values, labels=()):
        """Add values to the sample with this stack (leaf first) and labels."""
        key = (tuple(location_ids), tuple(labels))
        total = self.samples.get(key)
        if total is None:
            self.samples[key] = list(values)
        else:
            for i, v in enumerate(values):
                total[i] += v

    def encode(self):
        msg = bytearray()
        for t, u in self.sample_types:
            msg += _bytes(1, _int(1, t) + _int(2, u))
        for (locations, labels), values in self.samples.items():
            body = _packed(1, locations) + _packed(2, values)
            for key, value in labels:
                body += _bytes(3, _int(1, self._s(key)) + _int(2, self._s(value)))
            msg += _bytes(2, body)
        msg += _bytes(3, _int(1, 1) + _int(5, self._s("gort")) + _int(7, 1) + _int(8, 1) + _int(9, 1))
        for (fid, line), lid in self.locations.items():
            msg += _bytes(4, _int(1, lid) + _int(2, 1) + _bytes(4, _int(1, fid) + _int(2, line)))
        for (name, filename), fid in self.functions.items():
            msg += _bytes(5, _int(1, fid) + _int(2, self._s(name)) + _int(3, self._s(name)) + _int(4, self._s(filename)))
        for text in self.strings:          # dicts keep insertion order: index order
            msg += _bytes(6, text.encode())
        msg += _int(10, self.duration_ns)
        msg += _bytes(11, _int(1, self.period_type[0]) + _int(2, self.period_type[1]))
        msg += _int(12, self.period)
        return bytes(msg)

    def write_gzip(self, path):
        """gzip with no name and mtime 0, so the same log gives the same bytes."""
        with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out:
            out.write(self.encode())
