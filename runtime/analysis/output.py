"""Output files of the exports (trace, pprof, plot): never a half-written file left behind, and
never a file removed that the user had before."""

import os
from contextlib import contextmanager


@contextmanager
def writing(path):
    """Around the writing of `path`: if it fails, remove the file only when this write created it
    (a partial file); one that existed before (the user's own, /dev/null, a directory) stays."""
    existed = os.path.lexists(path)
    try:
        yield
    except BaseException:
        if not existed and os.path.isfile(path):
            os.unlink(path)
        raise
