"""Compiles the hot modules (runtime/compiled.py lists them) with Cython.

`gort check` runs a scenario thousands of times per second and a workload mallocs millions of
times; compiled, with the C types their .pxd files declare, the checker runs 35-42% fewer
instructions per execution and a small malloc 2.5x fewer. `gort analyze` scans a log with
yyjson (vendored C) through a Cython-only module, three times DuckDB's read of the same columns. The .py files stay plain Python: with
GORT_PURE=1 at install (or when no C compiler is found) they are not compiled, and with
GORT_PURE=1 at run time they run uncompiled (runtime/compiled.py).
"""

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES

from setuptools import Extension, setup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))    # the build runs from a bare environment
from runtime.compiled import COMPILED_SOURCES, NATIVE, ROOT, pure_requested  # noqa: E402


def extensions():
    if pure_requested():
        remove_compiled()
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:            # a build without its build requirements (--no-build-isolation)
        return []
    native = [Extension(name, [source for source in sources if not source.endswith(".h")], extra_compile_args=["-O3"])
              for name, sources in NATIVE.items()]
    modules = cythonize(list(COMPILED_SOURCES) + native, language_level=3, quiet=True)
    for module in modules:
        module.optional = True     # no C compiler: a warning, and the plain-Python modules run
    return modules


def remove_compiled():
    """An install asked to be plain Python leaves no module compiled by an earlier one in place."""
    for source in COMPILED_SOURCES + tuple(sources[0] for sources in NATIVE.values()):
        for suffix in EXTENSION_SUFFIXES:
            path = os.path.join(ROOT, os.path.splitext(source)[0] + suffix)
            if os.path.exists(path):
                os.remove(path)


setup(ext_modules=extensions())
