# Cython declarations for mcache.py (see setup.py): the per-P cache's fields for the malloc path.
from runtime.mspan cimport MSpan


cdef class MCache:
    cdef public list alloc
    cdef public object tiny, heap, p
    cdef public Py_ssize_t tinyoffset, tinyAllocs, nextSample
