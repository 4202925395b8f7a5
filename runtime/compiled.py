"""Which modules setup.py compiles with Cython, and the guard that keeps an edit from being ignored.

An editable install compiles them in place: a .so beside each .py, which Python imports first. An
edited .py (or .pxd) would then silently not run. So when any compiled module is older than its
sources, all of them run from their .py (they use each other's C types, so they go together),
with a one-line warning naming the command that compiles them again. GORT_PURE=1 runs every .py
uncompiled (to debug, or to compare the two).
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
}
COMPILED_SOURCES = tuple(COMPILED.values())


class SourceWhenStale:
    """A meta path finder: the plain-Python modules where the compiled ones are stale or unwanted."""

    stale_modules = None       # worked out once, at the first import of a compiled module

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in COMPILED:
            return None
        if not os.environ.get("GORT_PURE") and not cls.stale():
            return None                 # the usual finders load the compiled module
        return importlib.util.spec_from_file_location(name, os.path.join(ROOT, COMPILED[name]))

    @classmethod
    def stale(cls):
        if cls.stale_modules is None:
            cls.stale_modules = [name for name, source in COMPILED.items()
                                 if _older_than_sources(os.path.join(ROOT, source))]
            if cls.stale_modules:
                print(f"gort: {', '.join(cls.stale_modules)} changed since compiled; running the compiled "
                      f"modules uncompiled (`pip install -e .` compiles them again)", file=sys.stderr)
        return cls.stale_modules


def _older_than_sources(source):
    """Whether the module compiled from `source` (x.py) is older than x.py or x.pxd. False when
    it is not compiled at all."""
    base = source[:-3]
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if os.path.exists(base + suffix):
            built = os.path.getmtime(base + suffix)
            break
    else:
        return False
    return any(os.path.getmtime(p) > built for p in (source, base + ".pxd") if os.path.exists(p))


def is_compiled(module):
    """Whether a module of COMPILED runs compiled (its file is an extension module)."""
    return not module.__file__.endswith(".py")


def install():
    if SourceWhenStale not in sys.meta_path:
        sys.meta_path.insert(0, SourceWhenStale)
