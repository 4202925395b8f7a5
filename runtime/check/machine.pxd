# Cython declarations for machine.py (see setup.py): C types for the attributes and locals of the
# hot path. machine.py stays plain Python and runs as such uncompiled; a new attribute of Thread or
# Machine must be declared here too.
import cython


cdef class Thread:
    cdef public Py_ssize_t tid, since
    cdef public object coro, pending, result, created, name, after, join, run_option, flush_option
    cdef public object last_load
    cdef public list vc, buffer, lazies, deferred
    cdef public bint done


cdef class Machine:
    cdef public str model
    cdef public bint tso, lazy_loads
    cdef public object chooser, trace, current, internal_files, known_races, status
    cdef public dict where_known
    cdef public Py_ssize_t max_steps, steps, requests
    cdef public list threads, live, races, pars_started

    @cython.locals(tid=Py_ssize_t, vc=list, missing=Py_ssize_t, t=Thread)
    cpdef Thread spawn(self, coro, Thread parent, created, name)
    @cython.locals(req=object)
    cpdef start(self, Thread t, Thread parent)
    @cython.locals(main=Thread, opts=list, ask_always=bint)
    cpdef run(self, main_coro)
    @cython.locals(t=Thread)
    cpdef option(self, Py_ssize_t key)
    @cython.locals(opts=list, t=Thread, req=tuple, op=Py_ssize_t)
    cpdef list options(self)
    @cython.locals(t=Thread)
    cpdef _settle(self)
    @cython.locals(t=Thread)
    cpdef _close_unfinished(self)
    @cython.locals(kind=Py_ssize_t, t=Thread, req=tuple, op=Py_ssize_t)
    cpdef step(self, tuple option)
    @cython.locals(child=Thread)
    cpdef par(self, Thread t, tuple req)
    cpdef run_deferred(self, Thread t)
    cpdef advance(self, Thread t, result, exc=*)
    cpdef finish(self, Thread t)
    @cython.locals(req=tuple, op=Py_ssize_t, last=tuple)
    cpdef bint enabled(self, Thread t) except -1
    @cython.locals(best=Thread, u=Thread)
    cpdef _waiting(self, ch, Py_ssize_t op)
    @cython.locals(kind=Py_ssize_t, t=Thread, fp=list, req=tuple, op=Py_ssize_t, u=Thread)
    cpdef list footprint(self, tuple option)
    @cython.locals(reads=list, u=Thread)
    cpdef list _partner_reads(self, ch)
    cpdef Py_ssize_t tick(self, Thread t) except -1
    cpdef sync_prelude(self, Thread t)
    @cython.locals(op=Py_ssize_t)
    cpdef perform(self, Thread t, tuple req)
    cpdef perform_sync(self, Thread t, Py_ssize_t op, obj, req)
    @cython.locals(tid=Py_ssize_t, vc=list, epoch=Py_ssize_t)
    cpdef load(self, Thread t, var)
    @cython.locals(tid=Py_ssize_t, vc=list, epoch=Py_ssize_t)
    cpdef store(self, Thread t, var, value)
    cpdef flush_one(self, Thread t)
    cpdef report_races(self, var, tuple access, tuple races)
    cpdef tuple where(self, Thread t)
    cpdef record(self, Thread t, what, name, value)


@cython.locals(f=object)
cpdef _location(Thread t)
cpdef tuple _site(tuple access)
@cython.locals(candidates=list, before=list, visible=list, n=Py_ssize_t, wtid=Py_ssize_t)
cpdef list visible_writes(list hist, Py_ssize_t tid, epoch, clock)
