"""The contention report as rich tables: one log, or two side by side.

Columns follow Linux lockstat / `perf lock contention`: acquisitions, contended, contended %,
wait total / avg / p50 / p99 / max (over contended acquisitions), hold total / avg / max.
"""

from rich import box
from rich.console import Console
from rich.table import Table

from runtime.analysis.lockstat import sort_locks
from runtime.sizeclasses import CLASS_TO_SIZE


def make_console():
    """A terminal's own width; a pipe or file gets lines wide enough for the widest table."""
    import sys
    return Console(width=None if sys.stdout.isatty() else 200)


def fmt_ns(ns):
    """Virtual nanoseconds for a reader: 850ns, 1.25µs, 3.40ms, 1.20s."""
    if ns is None:
        return "-"
    for unit, scale in (("s", 1_000_000_000), ("ms", 1_000_000), ("µs", 1_000)):
        if abs(ns) >= scale:
            return f"{ns / scale:.2f}{unit}"
    return f"{ns}ns"


def _who_label(who, letter):
    return f"{letter}{who}" if who is not None else "(none)"


def _header(stats, label=""):
    run = stats.run.get("config", {})
    parts = [f"{k} {run[k]}" for k in ("workload", "procs", "seed", "mcentral") if k in run]
    if "lookahead_ns" in run:           # the contention figures depend on it (README)
        parts.append(f"lookahead {run['lookahead_ns']} ns")
    text = f"[bold]{label}{stats.path}[/bold]"
    if parts:
        text += " — " + ", ".join(parts)
    text += f"\n{stats.lines_read:,} events over {fmt_ns(stats.vt_end)} of virtual time"
    if stats.lines_skipped:
        shown = ", ".join(map(str, stats.bad_lines))
        more = ", ..." if stats.lines_skipped > len(stats.bad_lines) else ""
        text += f"; [yellow]{stats.lines_skipped:,} lines skipped (line {shown}{more})[/yellow]"
    return text


def _print_notes(console, stats, label=""):
    for note in stats.notes:
        console.print(f"[yellow]note{label}: {note}[/yellow]", soft_wrap=True)   # one line, for grep


def _lock_table(title, locks, top, class_columns=False):
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    if class_columns:
        for name in ("spanclass", "size", "scan"):
            table.add_column(name, justify="right")
    else:
        table.add_column("lock")
        table.add_column("kind")
    for name in ("acq", "contended", "cont%", "wait total", "avg", "p50", "p99", "max",
                 "hold total", "avg", "max"):
        table.add_column(name, justify="right")
    for lock in locks[:top]:
        if class_columns:
            sizeclass = (lock.spanclass or 0) >> 1
            first = [str(lock.spanclass), f"{CLASS_TO_SIZE[sizeclass]}B",
                     "noscan" if (lock.spanclass or 0) & 1 else "scan"]
        else:
            first = [lock.name, lock.kind]
        table.add_row(*first, f"{lock.acquisitions:,}", f"{lock.contended:,}", f"{lock.contended_pct:.2f}",
                      fmt_ns(lock.wait_ns_total), fmt_ns(lock.wait_ns_avg), fmt_ns(lock.wait_ns_p50),
                      fmt_ns(lock.wait_ns_p99), fmt_ns(lock.wait_ns_max), fmt_ns(lock.hold_ns_total),
                      fmt_ns(lock.hold_ns_avg), fmt_ns(lock.hold_ns_max))
    if len(locks) > top:
        table.caption = f"{len(locks) - top} more (--top N)"
    return table


def _who_table(title, rows, letter, top):
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    total = sum(w.wait_ns_total for w in rows) or 1
    for name in ("who", "contended", "wait total", "share", "max"):
        table.add_column(name, justify="right")
    if rows and rows[0].kinds:
        table.add_column("lock kinds")
    for w in rows[:top]:
        cells = [_who_label(w.who, letter), f"{w.contended:,}", fmt_ns(w.wait_ns_total),
                 f"{100 * w.wait_ns_total / total:.1f}%", fmt_ns(w.wait_ns_max)]
        if w.kinds:
            cells.append(w.kinds.replace(",", ", "))
        table.add_row(*cells)
    if len(rows) > top:
        table.caption = f"{len(rows) - top} more (--top N)"
    return table


def print_report(stats, by="lock", top=20, console=None):
    """One log's report."""
    console = console or make_console()
    console.print(_header(stats))
    _print_notes(console, stats)
    if by == "class":
        classes = sort_locks(stats.locks, "class")
        console.print(_lock_table("mcentral locks by span class", classes, top, class_columns=True))
    elif by in ("lock", "p"):
        console.print(_lock_table("Runtime locks, most waited-for first", sort_locks(stats.locks), top))
    console.print(_lock_table("By lock kind (every mcentral class together)", sort_locks(stats.kinds), top))
    if by == "g":
        console.print(_who_table("Who waited, by goroutine", stats.waited_by_g, "G", top))
        console.print(_who_table("Charged to the previous holder's goroutine (the unlocker, as Go's "
                                 "mutex profile charges it)", stats.charged_to_g, "G", top))
    else:
        console.print(_who_table("Who waited, by P", stats.waited_by_p, "P", top))
        console.print(_who_table("Charged to the previous holder's P (the unlocker, as Go's mutex "
                                 "profile charges it)", stats.charged_to_p, "P", top))
    if by == "p":
        console.print(_p_kind_table(stats.waited_by_p_kind, top))


def _p_kind_table(rows, top):
    table = Table(title="Who waited, by P and lock kind", box=box.SIMPLE_HEAD, title_justify="left")
    total = sum(w.wait_ns_total for w in rows) or 1
    for name in ("P", "kind", "contended", "wait total", "share", "max"):
        table.add_column(name, justify="right" if name not in ("kind",) else "left")
    for w in sorted(rows, key=lambda w: (str(w.who[0]), -w.wait_ns_total))[:top * 3]:
        p, kind = w.who
        table.add_row(_who_label(p, "P"), kind, f"{w.contended:,}", fmt_ns(w.wait_ns_total),
                      f"{100 * w.wait_ns_total / total:.1f}%", fmt_ns(w.wait_ns_max))
    return table


def print_side_by_side(a, b, by="lock", top=20, console=None):
    """Two logs' reports, lock by lock: A's figure beside B's."""
    console = console or make_console()
    console.print(_header(a, "A: "))
    console.print(_header(b, "B: "))
    _print_notes(console, a, " (A)")
    _print_notes(console, b, " (B)")
    if by == "class":
        rows = _pair(a.locks, b.locks, lambda l: l.kind == "mcentral")
        rows.sort(key=lambda pair: next(l.spanclass for l in pair if l is not None) or 0)
        title = "mcentral locks by span class, A | B"
    else:
        rows = _pair(a.locks, b.locks, lambda l: True)
        rows.sort(key=lambda pair: -max(l.wait_ns_total if l else 0 for l in pair))
        title = "Runtime locks, A | B (most waited-for first)"
    console.print(_pair_table(title, rows, top))
    kinds = _pair(a.kinds, b.kinds, lambda l: True)
    kinds.sort(key=lambda pair: -max(l.wait_ns_total if l else 0 for l in pair))
    console.print(_pair_table("By lock kind, A | B", kinds, top))
    if by == "g":
        console.print(_pair_who_table("Who waited, by goroutine, A | B", a.waited_by_g, b.waited_by_g, "G", top))
    else:
        console.print(_pair_who_table("Who waited, by P, A | B", a.waited_by_p, b.waited_by_p, "P", top))
        console.print(_pair_who_table("Charged to the previous holder's P, A | B", a.charged_to_p,
                                      b.charged_to_p, "P", top))


def _pair(locks_a, locks_b, keep):
    a = {l.name: l for l in locks_a if keep(l)}
    b = {l.name: l for l in locks_b if keep(l)}
    return [(a.get(name), b.get(name)) for name in sorted(a.keys() | b.keys())]


def _pair_table(title, pairs, top):
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("lock")
    columns = (("acq", lambda l: f"{l.acquisitions:,}"), ("cont%", lambda l: f"{l.contended_pct:.2f}"),
               ("wait total", lambda l: fmt_ns(l.wait_ns_total)), ("p50", lambda l: fmt_ns(l.wait_ns_p50)),
               ("p99", lambda l: fmt_ns(l.wait_ns_p99)), ("max", lambda l: fmt_ns(l.wait_ns_max)),
               ("hold total", lambda l: fmt_ns(l.hold_ns_total)))
    for name, _ in columns:
        table.add_column(f"{name} A", justify="right")
        table.add_column("B", justify="right", style="cyan")
    for la, lb in pairs[:top]:
        name = (la or lb).name
        cells = [name]
        for _, show in columns:
            cells += [show(la) if la else "-", show(lb) if lb else "-"]
        table.add_row(*cells)
    if len(pairs) > top:
        table.caption = f"{len(pairs) - top} more (--top N)"
    return table


def _pair_who_table(title, rows_a, rows_b, letter, top):
    a = {w.who: w for w in rows_a or ()}
    b = {w.who: w for w in rows_b or ()}
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("who", justify="right")
    for name in ("contended", "wait total"):
        table.add_column(f"{name} A", justify="right")
        table.add_column("B", justify="right", style="cyan")
    keys = sorted(a.keys() | b.keys(), key=lambda k: -max(x.wait_ns_total for x in (a.get(k), b.get(k)) if x))
    for key in keys[:top]:
        wa, wb = a.get(key), b.get(key)
        table.add_row(_who_label(key, letter),
                      f"{wa.contended:,}" if wa else "-", f"{wb.contended:,}" if wb else "-",
                      fmt_ns(wa.wait_ns_total) if wa else "-", fmt_ns(wb.wait_ns_total) if wb else "-")
    return table
