# Cython declarations for malloc.py (see setup.py): mallocgc's fast path on C integers.
import cython

from runtime.mcache cimport MCache
from runtime.mspan cimport MSpan


@cython.locals(spc=Py_ssize_t, span=MSpan, result=Py_ssize_t)
cpdef mallocgc(MCache c, Py_ssize_t size, bint noscan, tuple _noscan_spc=*, tuple _scan_spc=*)
@cython.locals(spc=Py_ssize_t, header=Py_ssize_t)
cpdef mallocgc_sized(MCache c, Py_ssize_t size, bint noscan)
@cython.locals(result=Py_ssize_t)
cpdef mallocgc_span(MCache c, MSpan span, Py_ssize_t spc, Py_ssize_t header)
@cython.locals(cache="unsigned long long", theBit=Py_ssize_t, result=Py_ssize_t, freeidx=Py_ssize_t)
cpdef Py_ssize_t nextFreeFast(MSpan span) except? -2
@cython.locals(off=Py_ssize_t, span=MSpan, result=Py_ssize_t)
cpdef mallocgcTiny(MCache c, Py_ssize_t size)
