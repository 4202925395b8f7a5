"""Pictures of a run log (matplotlib, Agg): lock wait over virtual time per lock kind, heap in use.

One engine scan fetches the contended acquisitions and the heap snapshots; numpy bins the waits.
"""

import matplotlib

matplotlib.use("Agg")   # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from runtime.analysis import engine  # noqa: E402
from runtime.analysis.schema import VALID_SQL  # noqa: E402
from runtime.errors import UserError  # noqa: E402

BINS = 200

_SQL = """
SELECT event, kind, vt, wait_ns, HeapInuse FROM {source}
WHERE coalesce({valid}, false)
  AND ((event IN ('lock_acquire', 'lock_wait_late') AND wait_ns > 0)
       OR (event = 'heap_snapshot' AND HeapInuse IS NOT NULL))
"""


def load_series(path, con=None):
    """(waits {kind: (vt array, wait array)}, heap (vt array, bytes array), vt_end)."""
    engine.check_readable(path)
    con = con or engine.connect()
    names = ("vt", "event", "kind", "lock", "wait_ns", "hold_ns", "HeapInuse")
    end = engine.with_long_lines([path], lambda: engine.run_query(
        con, f"SELECT max(vt), count(*) FROM {engine.source(path, names)} WHERE coalesce({VALID_SQL}, false)",
        path)[0])
    source = engine.source(path, names)
    if not end[1]:
        raise UserError(f"{path} has no readable event: not a gort run log")
    cols = engine.run_query(con, _SQL.format(source=source, valid=VALID_SQL), path, "fetchnumpy")
    event = np.asarray(cols["event"], dtype=object)
    vt = np.asarray(cols["vt"], dtype=np.int64)
    kinds = np.asarray(cols["kind"], dtype=object)
    is_wait = event != "heap_snapshot"
    waits = {}
    for kind in sorted(set(kinds[is_wait])):
        pick = is_wait & (kinds == kind)
        waits[kind] = (vt[pick], np.asarray(cols["wait_ns"][pick], dtype=np.int64))
    snap = event == "heap_snapshot"
    heap = (vt[snap], np.asarray(cols["HeapInuse"][snap], dtype=np.int64))
    return waits, heap, int(end[0] or 0)


def plot_run(path, out_path, title=None):
    """Write the two-panel PNG; returns the kinds plotted."""
    waits, (heap_vt, heap_bytes), vt_end = load_series(path)
    span = max(vt_end, 1)
    edges = np.linspace(0, span, BINS + 1)
    centers_ms = (edges[:-1] + edges[1:]) / 2 / 1e6
    bin_ns = span / BINS
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True, constrained_layout=True)
    for kind, (vt, wait) in waits.items():
        # a wait ends at vt; spread over bins by its end time (bins are much wider than waits)
        summed, _ = np.histogram(vt, bins=edges, weights=wait)
        top.plot(centers_ms, summed / bin_ns, label=f"{kind} ({wait.size:,} waits, {wait.sum() / 1e6:.2f} ms)")
    top.set_ylabel("Ms waiting (wait ns per ns)")
    top.set_title(title or f"Lock wait over virtual time — {path}")
    if waits:
        top.legend(loc="upper right")
    else:
        top.text(0.5, 0.5, "no contended lock acquisition in this log", ha="center", transform=top.transAxes)
    if heap_vt.size:
        bottom.step(heap_vt / 1e6, heap_bytes / (1 << 20), where="post", color="tab:green")
    else:
        bottom.text(0.5, 0.5, "no heap_snapshot in this log", ha="center", transform=bottom.transAxes)
    bottom.set_ylabel("heap in use (MiB)")
    bottom.set_xlabel("virtual time (ms)")
    bottom.set_title("Heap in use (HeapInuse from heap_snapshot)")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    fig.savefig(out_path, dpi=100)
    plt.close(fig)
    return list(waits)
