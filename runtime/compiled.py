"""Which modules setup.py compiles with Cython, and the guard that keeps an edit from being ignored.

An editable install compiles them in place: a .so beside each .py, which Python imports first. An
edited .py (or .pxd) would then silently not run, so a compiled module older than its sources is
skipped: the .py runs, with a one-line warning naming the command that recompiles. GORT_PURE=1
runs every .py uncompiled (to debug, or to compare the two).
"""

import importlib.machinery
import importlib.util
import os
import sys

# module -> its source, relative to the project root (setup.py compiles these)
COMPILED = {
    "runtime.race": "runtime/race.py",
    "runtime.check.machine": "runtime/check/machine.py",
    "runtime.check.explore": "runtime/check/explore.py",
}
COMPILED_SOURCES = tuple(COMPILED.values())


class SourceWhenStale:
    """A meta path finder: the plain-Python module where the compiled one is stale or unwanted."""

    warned = set()

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in COMPILED or not path:
            return None
        source = os.path.join(path[0], name.rpartition(".")[2] + ".py")
        if not os.environ.get("GORT_PURE") and not cls._stale(source, name):
            return None                 # the usual finders load the compiled module
        return importlib.util.spec_from_file_location(name, source)

    @classmethod
    def _stale(cls, source, name):
        base = source[:-3]
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if os.path.exists(base + suffix):
                built = os.path.getmtime(base + suffix)
                break
        else:
            return False                # not compiled: nothing to bypass
        newest = max(os.path.getmtime(p) for p in (source, base + ".pxd") if os.path.exists(p))
        if newest <= built:
            return False
        if name not in cls.warned:
            cls.warned.add(name)
            print(f"gort: {name} changed since it was compiled; running it uncompiled "
                  f"(`pip install -e .` compiles it again)", file=sys.stderr)
        return True


def is_compiled(module):
    """Whether a module of COMPILED runs compiled (its file is an extension module)."""
    return not module.__file__.endswith(".py")


def install():
    if SourceWhenStale not in sys.meta_path:
        sys.meta_path.insert(0, SourceWhenStale)
