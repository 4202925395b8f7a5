"""Which modules setup.py compiles with Cython, and the guard that keeps an edit from being ignored.

An editable install compiles them in place: a .so beside each .py, which Python imports first. An
edited .py (or .pxd) would then silently not run. So in a source checkout (a git clone), when any
compiled module is older than its sources, or only some are compiled, all of them run from their
.py (they use each other's C types, so they go together), with a one-line warning naming the
command that compiles them again. (An installed wheel is left alone: unpacking it may leave a .py
a moment newer than its .so.) GORT_PURE=1 runs every .py uncompiled (to debug, or to compare).
"""

import importlib.machinery
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# module -> its source, relative to the project root (setup.py compiles these)
COMPILED = {
    "runtime.race": "runtime/race.py",
    "runtime.check.machine": "runtime/check/machine.py",
    "runtime.check.explore": "runtime/check/explore.py",
    "runtime.mspan": "runtime/mspan.py",
    "runtime.mcache": "runtime/mcache.py",
    "runtime.malloc": "runtime/malloc.py",
}
COMPILED_SOURCES = tuple(COMPILED.values())

# Cython-only modules, which have no plain-Python twin: module -> its sources. Where one is not
# built (no C compiler), is stale, or GORT_PURE is set, native() gives None and its caller takes
# its own uncompiled way.
NATIVE = {
    "runtime.analysis.lockscan": ("runtime/analysis/lockscan.pyx", "runtime/analysis/yyjson/yyjson.c",
                                  "runtime/analysis/yyjson/yyjson.h"),
}


class SourceWhenStale:
    """A meta path finder: the plain-Python modules where the compiled ones are stale or unwanted."""

    stale_modules = None       # worked out once, at the first import of a compiled module

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in COMPILED:
            return None
        if not pure_requested() and not cls.stale():
            return None                 # the usual finders load the compiled module
        return importlib.util.spec_from_file_location(name, os.path.join(ROOT, COMPILED[name]))

    @classmethod
    def stale(cls):
        """The compiled modules that can't be used (worked out once): those older than their
        sources; or, when only some modules are compiled (a build that failed half way), those."""
        if cls.stale_modules is None:
            cls.stale_modules = _stale_modules() if os.path.isdir(os.path.join(ROOT, ".git")) else []
            if cls.stale_modules:
                print(f"gort: {', '.join(cls.stale_modules)} changed since compiled, or not all are compiled; "
                      f"running them uncompiled (`pip install -e .` compiles them again)", file=sys.stderr)
        return cls.stale_modules


def pure_requested():
    """GORT_PURE set (to anything but 0): run, or install, the plain-Python modules."""
    return os.environ.get("GORT_PURE", "") not in ("", "0")


def _stale_modules():
    built = {name: _built_time(os.path.join(ROOT, source)) for name, source in COMPILED.items()}
    if all(time is None for time in built.values()):
        return []                       # not compiled at all: nothing to bypass
    if any(time is None for time in built.values()):
        return sorted(name for name, time in built.items() if time is not None)
    return [name for name, source in COMPILED.items() if _newest_source(os.path.join(ROOT, source)) > built[name]]


def native(name):
    """The compiled module `name` of NATIVE, or None when it can't be used (said once, when stale)."""
    if pure_requested():
        return None
    sources = [os.path.join(ROOT, source) for source in NATIVE[name]]
    built = _built_time(sources[0])
    if built is None:
        return None
    if os.path.isdir(os.path.join(ROOT, ".git")) and max(map(os.path.getmtime, sources)) > built:
        return _without(name, "changed since compiled")
    try:
        return importlib.import_module(name)
    except ImportError as err:          # a broken build: a truncated .so, a missing symbol
        return _without(name, f"does not load ({err})")


def _without(name, why):
    """None, after saying once why the compiled module can't be used."""
    if name not in _native_said:
        _native_said.add(name)
        print(f"gort: {name} {why}; running without it (`pip install -e .` compiles it again)", file=sys.stderr)
    return None


_native_said = set()


def _built_time(source):
    """The modification time of the module compiled from `source` (x.py or x.pyx), or None."""
    base = os.path.splitext(source)[0]
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if os.path.exists(base + suffix):
            return os.path.getmtime(base + suffix)
    return None


def _newest_source(source):
    base = os.path.splitext(source)[0]
    return max(os.path.getmtime(p) for p in (source, base + ".pxd") if os.path.exists(p))


def is_compiled(module):
    """Whether a module of COMPILED runs compiled (its file is an extension module)."""
    return not module.__file__.endswith(".py")


def install():
    if SourceWhenStale not in sys.meta_path:
        sys.meta_path.insert(0, SourceWhenStale)
