# Cython declarations for mspan.py (see setup.py and runtime/compiled.py): the span's allocation
# fields as C integers for the malloc fast path. mspan.py stays plain Python.
import cython


cdef class MSpan:
    cdef public unsigned long long allocCache
    cdef public Py_ssize_t freeindex, nelems, allocCount, elemsize, allocCountBeforeCache, npages, spanclass
    cdef public object base, allocBits, gcmarkBits, sweepgen, state, needzero, limit, large

    cpdef refillAllocCache(self, Py_ssize_t whichByte)
    @cython.locals(sfreeindex=Py_ssize_t, snelems=Py_ssize_t, aCache="unsigned long long",
                   bitIndex=Py_ssize_t, result=Py_ssize_t)
    cpdef Py_ssize_t nextFreeIndex(self) except? -1


cpdef Py_ssize_t ctz64(x) except? -1
