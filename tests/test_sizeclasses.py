"""The size classes, computed by Go's own generator algorithm, against the real tables."""

import json
import re
import subprocess

import pytest
from hypothesis import given, strategies as st

from runtime import sizeclasses as sc
from tests.conftest import REFERENCE

TABLE = json.loads((REFERENCE / "sizeclasses.json").read_text()) if REFERENCE.exists() else None
needs_table = pytest.mark.skipif(TABLE is None, reason="../shared/reference/sizeclasses.json not present")


@needs_table
def test_classes_row_by_row():
    assert sc.NUM_SIZE_CLASSES == 68
    for row in TABLE["classes"]:
        c = row["class"]
        assert sc.CLASS_TO_SIZE[c] == row["size"], row
        assert sc.CLASS_TO_NPAGES[c] == row["pages"], row
        assert sc.span_nelems(c, noscan=True) == row["nelems_noscan_1_27"], row
        assert sc.span_nelems(c, noscan=False) == row["nelems_scan_1_27"], row
        assert sc.uses_inline_mark_bits(row["size"]) == row["uses_inline_mark_bits"], row
        assert sc.heap_bits_in_span(row["size"]) == row["heap_bits_in_span"], row


@needs_table
def test_lookup_tables_match_go():
    assert list(sc.SIZE_TO_CLASS8) == TABLE["size_to_class"]["SizeToSizeClass8"]
    assert list(sc.SIZE_TO_CLASS128) == TABLE["size_to_class"]["SizeToSizeClass128"]


def test_tables_match_the_go_source(go):
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    src = open(f"{goroot}/src/internal/runtime/gc/sizeclasses.go").read()

    def table(name):
        body = re.search(name + r" = \[[^\]]*\]\w+ ?\{([^}]*)\}", src).group(1)
        return [int(x) for x in body.replace(",", " ").split()]

    assert table("SizeClassToSize") == list(sc.CLASS_TO_SIZE)
    assert table("SizeClassToNPages") == list(sc.CLASS_TO_NPAGES)
    assert table("SizeToSizeClass8") == list(sc.SIZE_TO_CLASS8)
    assert table("SizeToSizeClass128") == list(sc.SIZE_TO_CLASS128)


@given(st.integers(min_value=1, max_value=sc.MAX_SMALL_SIZE))
def test_size_to_class_is_the_smallest_class_that_fits(n):
    c = sc.size_to_class(n)
    assert sc.CLASS_TO_SIZE[c] >= n
    assert sc.CLASS_TO_SIZE[c - 1] < n


def test_span_tail_waste_is_at_most_an_eighth():
    for c in range(1, sc.NUM_SIZE_CLASSES):
        span = sc.CLASS_TO_NPAGES[c] * sc.PAGE_SIZE
        assert span % sc.CLASS_TO_SIZE[c] <= span // 8


def test_special_classes():
    assert sc.TINY_SIZE_CLASS == 2 and sc.TINY_SPAN_CLASS == 5
    assert sc.NUM_SPAN_CLASSES == 136
    assert sc.MAX_SMALL_SCAN_SIZE == 32760
