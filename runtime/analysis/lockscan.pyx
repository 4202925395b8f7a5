# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The contention report's scan of a JSON-lines log, compiled: yyjson parses each line, C tallies it.

DuckDB's read_json needs 0.5 s of two cores for just the report's eight columns of a 249 MB log
(a per-key lookup for every key of every line), more than the whole report may take; parsed here
by yyjson (vendored in yyjson/, the parser DuckDB itself uses), one pass on both cores reads
660-990 MB/s. Owned by one thread: each of compiledscan's worker threads feeds its own LockScan
with whole-line chunks, without the GIL; compiledscan merges them. No lock.

A line counts when it is what events.valid_event accepts (the rule every tool applies): a JSON
object with an integer vt >= 0 and a string event whose first letter is a-z; lock events with a
string kind and lock and an integer wait_ns (hold_ns for lock_release) >= 0. A p or prev_p that is
not an integer reads as none. Blank lines are no lines; every other line is read or skipped.
"""

from libc.stdint cimport int32_t, int64_t, uint64_t, INT64_MAX
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memchr, memcmp, memcpy, memset

cdef extern from "yyjson/yyjson.h" nogil:
    ctypedef struct yyjson_alc:
        pass
    ctypedef struct yyjson_doc:
        pass
    ctypedef struct yyjson_val:
        pass
    ctypedef struct yyjson_read_err:
        unsigned int code
    unsigned int YYJSON_READ_ERROR_MEMORY_ALLOCATION
    ctypedef struct yyjson_obj_iter:
        pass
    bint yyjson_alc_pool_init(yyjson_alc *alc, void *buf, size_t size)
    yyjson_doc *yyjson_read_opts(char *dat, size_t len, unsigned int flg, const yyjson_alc *alc, yyjson_read_err *err)
    void yyjson_doc_free(yyjson_doc *doc)
    yyjson_val *yyjson_doc_get_root(yyjson_doc *doc)
    bint yyjson_is_obj(yyjson_val *val)
    bint yyjson_is_str(yyjson_val *val)
    bint yyjson_is_uint(yyjson_val *val)
    bint yyjson_is_sint(yyjson_val *val)
    uint64_t yyjson_get_uint(yyjson_val *val)
    int64_t yyjson_get_sint(yyjson_val *val)
    const char *yyjson_get_str(yyjson_val *val)
    size_t yyjson_get_len(yyjson_val *val)
    yyjson_obj_iter yyjson_obj_iter_with(yyjson_val *obj)
    yyjson_val *yyjson_obj_iter_next(yyjson_obj_iter *iter)
    yyjson_val *yyjson_obj_iter_get_val(yyjson_val *key)

cdef enum:
    POOL_BYTES = 1 << 16        # yyjson's memory for one line; a longer line gets its own
    BAD_LINES_KEPT = 5
    # what an event's name makes of it
    OTHER = 0
    WAIT_EVENT = 1              # lock_acquire, lock_wait_late: carry wait_ns
    RELEASE_EVENT = 2           # lock_release: carries hold_ns

# --by g: the contended waits of a G (or charged to a previous holder G) are tallied in cells of
# their own, told apart by these event ids (interned strings have ids >= 0), with the kinds of
# lock as bits: the first 64 kinds seen (more set kinds_overflow, and the caller counts otherwise)
cdef int32_t WAITED_BY_G = -2, CHARGED_TO_G = -3


cdef struct Str:
    # an interned string (an event, kind or lock name)
    uint64_t hash
    char *bytes
    size_t len
    char role                   # OTHER, WAIT_EVENT or RELEASE_EVENT


cdef struct Cell:
    # the events of one (event, kind, lock, p, prev_p): ids of interned strings, -1 for none
    uint64_t hash
    int32_t event
    int32_t kind
    int32_t lock
    int64_t p                   # 0 where p_none: the line had no integer p
    int64_t prev_p
    char p_none
    char prev_p_none
    int64_t n
    int64_t contended
    int64_t wait_total
    int64_t wait_max
    int64_t hold_total
    int64_t hold_max
    int64_t vt_max
    int64_t *waits              # the contended waits (wait_ns > 0), for the percentiles
    int64_t nwaits
    int64_t waits_cap
    uint64_t kinds              # --by g cells: the kinds waited on, a bit each (kind_bits)


cdef struct Line:
    # the fields of one line the report reads (strings point into yyjson's document)
    yyjson_val *vt
    yyjson_val *event
    yyjson_val *kind
    yyjson_val *lock
    yyjson_val *p
    yyjson_val *prev_p
    yyjson_val *wait_ns
    yyjson_val *hold_ns
    yyjson_val *g
    yyjson_val *prev_g


cdef inline uint64_t _mix(uint64_t h) noexcept nogil:
    h ^= h >> 33
    h *= 0xff51afd7ed558ccdULL
    h ^= h >> 33
    return h


cdef inline uint64_t _hash_bytes(const char *s, size_t n) noexcept nogil:
    cdef uint64_t h = 14695981039346656037ULL
    cdef size_t i
    for i in range(n):
        h = (h ^ <unsigned char>s[i]) * 1099511628211ULL
    return h


cdef inline bint _count(yyjson_val *v, int64_t *out) noexcept nogil:
    """A JSON integer >= 0 (that fits an int64) into out."""
    if v == NULL:
        return False
    if yyjson_is_uint(v):
        if yyjson_get_uint(v) > <uint64_t>INT64_MAX:
            return False
        out[0] = <int64_t>yyjson_get_uint(v)
        return True
    if yyjson_is_sint(v) and yyjson_get_sint(v) >= 0:
        out[0] = yyjson_get_sint(v)
        return True
    return False


cdef inline int64_t _int_or_none(yyjson_val *v, char *none) noexcept nogil:
    """An integer that fits an int64, or 0 with none set."""
    none[0] = 0
    if v != NULL:
        if yyjson_is_sint(v):
            return yyjson_get_sint(v)
        if yyjson_is_uint(v) and yyjson_get_uint(v) <= <uint64_t>INT64_MAX:
            return <int64_t>yyjson_get_uint(v)
    none[0] = 1
    return 0


cdef inline bint _is_blank(const char *s, size_t n) noexcept nogil:
    cdef size_t i
    for i in range(n):      # what bytes.strip() strips: space, \t, \n, \r, \v, \f
        if s[i] != b' ' and not (b'\t' <= s[i] <= b'\r'):
            return False
    return True


cdef class LockScan:
    """Tallies of the lines fed to it: lock cells (with their waits), lines read and skipped."""

    # interned strings: open addressing over ids; each one's bytes in their own allocation
    cdef Str *strs
    cdef int32_t nstrs, strs_cap
    cdef int64_t *str_slots
    cdef uint64_t str_mask
    # cells: open addressing over their indices
    cdef Cell *cell_array
    cdef int64_t ncells, cells_cap
    cdef int64_t *cell_slots
    cdef uint64_t cell_mask
    cdef void *pool
    cdef yyjson_alc alc
    cdef bint by_g
    cdef int32_t kind_bits[64]      # the string id of the kind each bit stands for
    cdef int nkind_bits
    cdef public bint kinds_overflow

    def __cinit__(self, bint by_g=False):
        self.by_g = by_g
        self.strs_cap = 64
        self.strs = <Str *>malloc(self.strs_cap * sizeof(Str))
        self.str_mask = 255
        self.str_slots = _slots_for(NULL, 0, 0, self.str_mask)
        self.cells_cap = 256
        self.cell_array = <Cell *>malloc(self.cells_cap * sizeof(Cell))
        self.cell_mask = 1023
        self.cell_slots = _slots_for(NULL, 0, 0, self.cell_mask)
        self.pool = malloc(POOL_BYTES)
        if (self.strs == NULL or self.str_slots == NULL or self.cell_array == NULL or self.cell_slots == NULL
                or self.pool == NULL):
            raise MemoryError()
        yyjson_alc_pool_init(&self.alc, self.pool, POOL_BYTES)

    def __dealloc__(self):
        cdef int32_t i
        cdef int64_t c
        if self.strs != NULL:
            for i in range(self.nstrs):
                free(self.strs[i].bytes)
        if self.cell_array != NULL:
            for c in range(self.ncells):
                free(self.cell_array[c].waits)
        free(self.strs)
        free(self.str_slots)
        free(self.cell_array)
        free(self.cell_slots)
        free(self.pool)

    def feed(self, const unsigned char[::1] chunk):
        """Scan whole lines (the last may lack its newline): (lines, skipped, up to 5 line
        numbers of skipped lines, 1-based within the chunk)."""
        cdef const char *data = <const char *>&chunk[0] if chunk.shape[0] else NULL
        cdef size_t size = chunk.shape[0], start = 0, end
        cdef const char *newline
        cdef int64_t lines = 0, skipped = 0
        cdef int64_t bad[BAD_LINES_KEPT]
        cdef int result
        with nogil:
            while start < size:
                newline = <const char *>memchr(data + start, b'\n', size - start)
                end = <size_t>(newline - data) if newline != NULL else size
                lines += 1
                if not _is_blank(data + start, end - start):
                    result = self._line(data + start, end - start)
                    if result < 0:
                        with gil:
                            raise MemoryError()
                    if result == 0:
                        if skipped < BAD_LINES_KEPT:
                            bad[skipped] = lines
                        skipped += 1
                start = end + 1
        return lines, skipped, [bad[i] for i in range(min(skipped, BAD_LINES_KEPT))]

    cdef int _line(self, const char *text, size_t n) noexcept nogil:
        """Tally one line: 1 read, 0 skipped, -1 out of memory."""
        cdef yyjson_doc *doc = NULL
        cdef yyjson_read_err err
        cdef int result
        cdef size_t first = 0
        while text[first] == b' ' or text[first] == b'\t' or text[first] == b'\r':
            first += 1                # (a line that is not blank has something else)
        if text[first] != b'{':       # no JSON object: not worth parsing (a tail of NUL bytes)
            return 0
        err.code = YYJSON_READ_ERROR_MEMORY_ALLOCATION
        if n <= POOL_BYTES // 8:      # yyjson takes a few times the line's size from the pool
            doc = yyjson_read_opts(<char *>text, n, 0, &self.alc, &err)
        if doc == NULL and err.code == YYJSON_READ_ERROR_MEMORY_ALLOCATION:    # long, or too big for the pool
            doc = yyjson_read_opts(<char *>text, n, 0, NULL, NULL)
        if doc == NULL:
            return 0
        result = self._event(yyjson_doc_get_root(doc))
        yyjson_doc_free(doc)
        return result

    cdef int _event(self, yyjson_val *root) noexcept nogil:
        cdef Line f
        cdef int64_t vt, value = 0, p, prev_p
        cdef char p_none, prev_p_none
        cdef int32_t event, kind = -1, lock = -1
        cdef int64_t *waits
        cdef char role
        cdef Cell *cell
        if not yyjson_is_obj(root):
            return 0
        _fields(root, &f)
        if not _count(f.vt, &vt) or f.event == NULL or not yyjson_is_str(f.event) or yyjson_get_len(f.event) == 0:
            return 0
        if not (b'a' <= yyjson_get_str(f.event)[0] <= b'z'):
            return 0
        event = self._intern(yyjson_get_str(f.event), yyjson_get_len(f.event))
        if event < 0:
            return -1
        role = self.strs[event].role
        if role != OTHER:
            if f.kind == NULL or not yyjson_is_str(f.kind) or f.lock == NULL or not yyjson_is_str(f.lock):
                return 0
            if not _count(f.wait_ns if role == WAIT_EVENT else f.hold_ns, &value):
                return 0
            kind = self._intern(yyjson_get_str(f.kind), yyjson_get_len(f.kind))
            lock = self._intern(yyjson_get_str(f.lock), yyjson_get_len(f.lock))
            if kind < 0 or lock < 0:
                return -1
            p = _int_or_none(f.p, &p_none)
            prev_p = _int_or_none(f.prev_p, &prev_p_none)
            cell = self._cell(event, kind, lock, p, p_none, prev_p, prev_p_none)
        else:
            cell = self._cell(event, -1, -1, 0, True, 0, True)
        if cell == NULL:
            return -1
        cell.n += 1
        if vt > cell.vt_max:
            cell.vt_max = vt
        if role == RELEASE_EVENT:
            cell.hold_total += value
            if value > cell.hold_max:
                cell.hold_max = value
        elif role == WAIT_EVENT and value > 0:
            cell.contended += 1
            cell.wait_total += value
            if value > cell.wait_max:
                cell.wait_max = value
            if cell.nwaits == cell.waits_cap:
                waits = <int64_t *>realloc(cell.waits, (cell.waits_cap * 2 or 16) * sizeof(int64_t))
                if waits == NULL:
                    return -1
                cell.waits = waits
                cell.waits_cap = cell.waits_cap * 2 or 16
            cell.waits[cell.nwaits] = value
            cell.nwaits += 1
            if self.by_g and (self._tally_g(WAITED_BY_G, kind, f.g, value) < 0
                              or self._tally_g(CHARGED_TO_G, kind, f.prev_g, value) < 0):
                return -1
        return 1

    cdef int _tally_g(self, int32_t side, int32_t kind, yyjson_val *g_value, int64_t wait) noexcept nogil:
        cdef char g_none
        cdef int64_t g = _int_or_none(g_value, &g_none)
        cdef Cell *cell = self._cell(side, -1, -1, g, g_none, 0, True)
        cdef int bit = 0
        if cell == NULL:
            return -1
        while bit < self.nkind_bits and self.kind_bits[bit] != kind:
            bit += 1
        if bit == self.nkind_bits:
            if bit == 64:
                self.kinds_overflow = True
            else:
                self.kind_bits[bit] = kind
                self.nkind_bits += 1
        if bit < 64:
            cell.kinds |= (<uint64_t>1) << bit
        cell.contended += 1
        cell.wait_total += wait
        if wait > cell.wait_max:
            cell.wait_max = wait
        return 1

    cdef int32_t _intern(self, const char *s, size_t n) noexcept nogil:
        """The id of string s (added on first sight), or -1 out of memory."""
        cdef uint64_t h = _hash_bytes(s, n), slot = h & self.str_mask
        cdef int32_t id
        cdef int64_t *slots
        cdef Str *strs
        while self.str_slots[slot]:
            id = self.str_slots[slot] - 1
            if self.strs[id].len == n and memcmp(self.strs[id].bytes, s, n) == 0:
                return id
            slot = (slot + 1) & self.str_mask
        if self.nstrs == self.strs_cap:
            strs = <Str *>realloc(self.strs, self.strs_cap * 2 * sizeof(Str))
            if strs == NULL:
                return -1
            self.strs = strs
            self.strs_cap *= 2
        id = self.nstrs
        self.strs[id].bytes = <char *>malloc(n + 1)
        if self.strs[id].bytes == NULL:
            return -1
        memcpy(self.strs[id].bytes, s, n)
        self.strs[id].len = n
        self.strs[id].hash = h
        self.strs[id].role = _role(s, n)
        self.nstrs += 1
        self.str_slots[slot] = id + 1
        if <uint64_t>self.nstrs * 2 > self.str_mask:       # keep the table at most half full
            slots = _slots_for(&self.strs[0].hash, sizeof(Str), self.nstrs, self.str_mask * 2 + 1)
            if slots == NULL:
                return -1
            free(self.str_slots)
            self.str_slots = slots
            self.str_mask = self.str_mask * 2 + 1
        return id

    cdef Cell *_cell(self, int32_t event, int32_t kind, int32_t lock, int64_t p, char p_none, int64_t prev_p,
                     char prev_p_none) noexcept nogil:
        """The cell of this key (added on first sight), or NULL out of memory."""
        cdef uint64_t h = _cell_hash(event, kind, lock, p + p_none, prev_p + prev_p_none), slot = h & self.cell_mask
        cdef int64_t index
        cdef int64_t *slots
        cdef Cell *cell
        while self.cell_slots[slot]:
            cell = &self.cell_array[self.cell_slots[slot] - 1]
            if (cell.event == event and cell.lock == lock and cell.p == p and cell.prev_p == prev_p
                    and cell.kind == kind and cell.p_none == p_none and cell.prev_p_none == prev_p_none):
                return cell
            slot = (slot + 1) & self.cell_mask
        if self.ncells == self.cells_cap:
            cell = <Cell *>realloc(self.cell_array, self.cells_cap * 2 * sizeof(Cell))
            if cell == NULL:
                return NULL
            self.cell_array = cell
            self.cells_cap *= 2
        index = self.ncells
        self.ncells += 1
        cell = &self.cell_array[index]
        memset(cell, 0, sizeof(Cell))
        cell.hash, cell.event, cell.kind, cell.lock = h, event, kind, lock
        cell.p, cell.p_none, cell.prev_p, cell.prev_p_none = p, p_none, prev_p, prev_p_none
        self.cell_slots[slot] = index + 1
        if <uint64_t>self.ncells * 2 > self.cell_mask:     # keep the table at most half full
            slots = _slots_for(&self.cell_array[0].hash, sizeof(Cell), self.ncells, self.cell_mask * 2 + 1)
            if slots == NULL:
                return NULL
            free(self.cell_slots)
            self.cell_slots = slots
            self.cell_mask = self.cell_mask * 2 + 1
        return cell

    def cells(self):
        """The cells as tuples (event, lock, p, prev_p, kind, n, contended, wait_total, wait_max,
        hold_total, hold_max, vt_max, waits as bytes of native int64s); none is None."""
        out = []
        cdef int64_t i
        cdef Cell *c
        for i in range(self.ncells):
            c = &self.cell_array[i]
            if c.event < 0:
                continue
            out.append((self._str(c.event), self._str(c.lock), None if c.p_none else c.p,
                        None if c.prev_p_none else c.prev_p, self._str(c.kind),
                        c.n, c.contended, c.wait_total, c.wait_max, c.hold_total, c.hold_max, c.vt_max,
                        (<char *>c.waits)[:c.nwaits * sizeof(int64_t)] if c.nwaits else b""))
        return out

    def by_g_cells(self):
        """--by g: ("waited" or "charged", g, contended, wait_total, wait_max, kinds) tuples,
        kinds a bit mask over kind_names()."""
        out = []
        cdef int64_t i
        cdef Cell *c
        for i in range(self.ncells):
            c = &self.cell_array[i]
            if c.event == WAITED_BY_G or c.event == CHARGED_TO_G:
                out.append(("waited" if c.event == WAITED_BY_G else "charged", None if c.p_none else c.p,
                            c.contended, c.wait_total, c.wait_max, c.kinds))
        return out

    def kind_names(self):
        """The kind of lock each bit of a by_g_cells mask stands for."""
        return [self._str(self.kind_bits[bit]) for bit in range(self.nkind_bits)]

    cdef object _str(self, int32_t id):
        if id < 0:
            return None
        return self.strs[id].bytes[:self.strs[id].len].decode("utf-8", "surrogateescape")


cdef int64_t *_slots_for(const uint64_t *first_hash, size_t stride, int64_t n, uint64_t mask) noexcept nogil:
    """An open-addressing table of mask + 1 slots over n entries (slot = index + 1; 0: empty),
    each entry's hash `stride` bytes after the one before; or NULL out of memory."""
    cdef int64_t *slots = <int64_t *>calloc(mask + 1, sizeof(int64_t))
    cdef int64_t i
    cdef uint64_t slot
    if slots == NULL:
        return NULL
    for i in range(n):
        slot = (<const uint64_t *>(<const char *>first_hash + i * stride))[0] & mask
        while slots[slot]:
            slot = (slot + 1) & mask
        slots[slot] = i + 1
    return slots


cdef inline uint64_t _cell_hash(int32_t event, int32_t kind, int32_t lock, int64_t p, int64_t prev_p) noexcept nogil:
    return _mix(<uint64_t>event * 31 + <uint64_t>kind * 1000003 + (<uint64_t>lock << 20)
                ^ _mix(<uint64_t>p * 0x9e3779b97f4a7c15ULL + <uint64_t>prev_p))


cdef inline char _role(const char *s, size_t n) noexcept nogil:
    if n == 12 and memcmp(s, b"lock_acquire", 12) == 0:
        return WAIT_EVENT
    if n == 14 and memcmp(s, b"lock_wait_late", 14) == 0:
        return WAIT_EVENT
    if n == 12 and memcmp(s, b"lock_release", 12) == 0:
        return RELEASE_EVENT
    return OTHER


cdef inline void _fields(yyjson_val *obj, Line *f) noexcept nogil:
    """The report's fields of an object, each NULL when absent (the last of a repeated key)."""
    cdef yyjson_obj_iter it = yyjson_obj_iter_with(obj)
    cdef yyjson_val *key
    cdef const char *name
    cdef size_t n
    f.vt = f.event = f.kind = f.lock = f.p = f.prev_p = f.wait_ns = f.hold_ns = f.g = f.prev_g = NULL
    key = yyjson_obj_iter_next(&it)
    while key != NULL:
        name = yyjson_get_str(key)
        n = yyjson_get_len(key)
        if n == 2 and name[0] == b'v' and name[1] == b't':
            f.vt = yyjson_obj_iter_get_val(key)
        elif n == 5 and memcmp(name, b"event", 5) == 0:
            f.event = yyjson_obj_iter_get_val(key)
        elif n == 4 and memcmp(name, b"kind", 4) == 0:
            f.kind = yyjson_obj_iter_get_val(key)
        elif n == 4 and memcmp(name, b"lock", 4) == 0:
            f.lock = yyjson_obj_iter_get_val(key)
        elif n == 1 and name[0] == b'p':
            f.p = yyjson_obj_iter_get_val(key)
        elif n == 1 and name[0] == b'g':
            f.g = yyjson_obj_iter_get_val(key)
        elif n == 6 and memcmp(name, b"prev_p", 6) == 0:
            f.prev_p = yyjson_obj_iter_get_val(key)
        elif n == 6 and memcmp(name, b"prev_g", 6) == 0:
            f.prev_g = yyjson_obj_iter_get_val(key)
        elif n == 7 and memcmp(name, b"wait_ns", 7) == 0:
            f.wait_ns = yyjson_obj_iter_get_val(key)
        elif n == 7 and memcmp(name, b"hold_ns", 7) == 0:
            f.hold_ns = yyjson_obj_iter_get_val(key)
        key = yyjson_obj_iter_next(&it)
