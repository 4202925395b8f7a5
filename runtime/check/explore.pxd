# Cython declarations for explore.py (see setup.py and machine.pxd): the exhaustive explorer's
# path and sleep sets in C-typed attributes. explore.py stays plain Python.
import cython

from runtime.check.machine cimport Machine


cpdef bint independent(list fp1, list fp2) except -1


cdef class Recorder:
    cdef public list choices


cdef class _Node:
    cdef public object keys, footprints, quiet, partners, doomed, sleep, choice, sleep_after
    cdef public list done
    cdef public Py_ssize_t index, n, position

    cpdef take(self, key)
    @cython.locals(after=dict, chosen=list)
    cpdef _sleep_set_after(self)
    @cython.locals(after=dict, awake=list, fp=list)
    cpdef bint blocked_after(self) except -1
    cpdef bint dooms(self) except -1


cdef class Exhaustive(Recorder):
    cdef public bint skip_doomed
    cdef public list path, log
    cdef public object sleep
    cdef public Py_ssize_t depth, skipped, doomed_skips, known

    @cython.locals(node=_Node, depth=Py_ssize_t, keys=list, sleep=object)
    cpdef Py_ssize_t schedule(self, list options, Machine machine) except -1
    @cython.locals(node=_Node)
    cpdef Py_ssize_t value(self, Py_ssize_t n, machine) except -1
    @cython.locals(node=_Node)
    cpdef bint backtrack(self) except -1
