# Cython declarations for race.py (see setup.py): vector clocks and shadow words in C-typed loops.
# race.py stays plain Python.
import cython


@cython.locals(n=Py_ssize_t, i=Py_ssize_t)
cpdef vc_join(list into, list other)

@cython.locals(races=tuple, n=Py_ssize_t, prev=tuple, ptid=Py_ssize_t)
cpdef tuple _unordered(dict last, Py_ssize_t tid, list clock)


cdef class Shadow:
    cdef public dict last_read, last_write

    cpdef tuple read(self, Py_ssize_t tid, goid, epoch, frames, list clock)
    @cython.locals(races=tuple)
    cpdef tuple write(self, Py_ssize_t tid, goid, epoch, frames, list clock)
