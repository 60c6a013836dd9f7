"""The many-runs view of ``traindoc diagnose``: one table row per run, worst first.

Fifty runs of full details are a thousand lines nobody reads; the table answers "which of
these are broken, and how" in one screen, and the details that follow only cover problems.
Key numbers come from the curves (final training loss, best validation value) so a person
can tell two "healthy" runs apart.
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..findings import Finding, RunVerdict, run_verdict
from ..run import Role, Run, Series

# Worst first in the table; the style of each verdict on a terminal.
_ORDER = {RunVerdict.BROKEN: 0, RunVerdict.WORTH_A_LOOK: 1, RunVerdict.TOO_EARLY: 2, RunVerdict.HEALTHY: 3}
_STYLE = {RunVerdict.BROKEN: "bold red", RunVerdict.WORTH_A_LOOK: "yellow", RunVerdict.TOO_EARLY: "dim",
          RunVerdict.HEALTHY: "green"}


def fmt_num(v: float | None) -> str:
    """Four significant digits; integers as integers; '-' for nothing."""
    if v is None:
        return "-"
    if not math.isfinite(v):
        return str(v)
    if float(v).is_integer() and abs(v) < 1e7:
        return str(int(v))
    return f"{v:.4g}"


def last_finite(s: Series | None) -> float | None:
    if s is None:
        return None
    vals = s.values[s.finite]
    return float(vals[-1]) if len(vals) else None


def lower_is_better(s: Series) -> bool:
    """Losses and metrics like WER are lower-is-better; an unknown metric is assumed to be a score."""
    if s.role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        return True
    return s.higher_is_better is False


def best(s: Series | None) -> float | None:
    """The best finite value: the minimum of a loss or an error rate, the maximum of a score."""
    if s is None:
        return None
    vals = s.values[s.finite]
    if not len(vals):
        return None
    return float(vals.min() if lower_is_better(s) else vals.max())


def arrow(s: Series) -> str:
    """The direction that is better, as a reader needs it next to a metric's name."""
    if s.role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        return "↓"
    if s.role in (Role.TRAIN_METRIC, Role.VAL_METRIC) and s.higher_is_better is not None:
        return "↑" if s.higher_is_better else "↓"
    return ""


def key_numbers(run: Run, val_width: int = 16) -> tuple[str, str]:
    """(final training loss, best validation value with its name and direction)."""
    train = run.primary(Role.TRAIN_LOSS)
    val = run.primary(Role.VAL_METRIC) or run.primary(Role.VAL_LOSS)
    val_text = "-"
    if val is not None and best(val) is not None:
        # The last part of the name is the metric (metrics/mAP50(B) -> mAP50(B)).
        value = fmt_num(best(val))
        name = _shorten(val.name.split("/")[-1], max(4, val_width - len(value) - 2))
        val_text = f"{value} {name}{arrow(val)}"
    return fmt_num(last_finite(train)), val_text


def worst_finding(findings: list[Finding]) -> Finding | None:
    """The finding that sets the run's verdict: highest severity, problems before notes."""
    if not findings:
        return None
    rank = {"problem": 0, "worth a look": 1, "normal": 2}
    return min(findings, key=lambda f: (rank[f.resolved_verdict()], -int(f.severity)))


def ordered(results: list[tuple[Run, list[Finding]]]) -> list[tuple[Run, list[Finding], RunVerdict]]:
    """Runs worst first (stable within a verdict, so the reading order of the folder holds)."""
    rows = [(run, fs, run_verdict(fs)) for run, fs in results]
    return sorted(rows, key=lambda r: _ORDER[r[2]])


def _shorten(text: str, width: int) -> str:
    """Keep both ends of a long run name (the distinguishing part is often at the end)."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[: keep // 2] + "…" + text[len(text) - (keep - keep // 2):]


def summary_table(results: list[tuple[Run, list[Finding]]], width: int, color: bool) -> Table:
    """A table that fits ``width`` columns: run names are shortened in the middle, not wrapped."""
    rows = ordered(results)
    tails = [run.name.rsplit("/", 1)[-1] for run, _, _ in rows if "/" in run.name]
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1), header_style="bold" if color else "")
    table.add_column("run", no_wrap=True, overflow="ellipsis")
    table.add_column("verdict", no_wrap=True)
    table.add_column("worst finding", no_wrap=True, overflow="ellipsis")
    table.add_column("loss↓", justify="right", no_wrap=True)
    table.add_column("best val", no_wrap=True, overflow="ellipsis")
    cells = []
    for run, findings, verdict in rows:
        wf = worst_finding(findings)
        loss, val = key_numbers(run)
        label = "too early" if verdict is RunVerdict.TOO_EARLY else verdict.value
        # "x/trainer_state.json", "y/trainer_state.json": the folder is what tells them apart.
        name = run.name
        if "/" in name and tails.count(name.rsplit("/", 1)[-1]) > 1:
            name = name.rsplit("/", 1)[0]
        cells.append((name, label, wf.id if wf else "-", loss, val, verdict))
    # The run name gets what the other columns leave, so the numbers never fall off the screen.
    val_w = min(16, max(len(c[4]) for c in cells))
    heads = {1: "verdict", 2: "worst finding", 3: "loss↓"}
    others = sum(max([len(c[i]) for c in cells] + [len(h)]) for i, h in heads.items()) + val_w + 8
    name_w = max(8, min(max(len(c[0]) for c in cells), width - others))
    for name, verdict, wf, loss, val, v in cells:
        shown = f"[{_STYLE[v]}]{escape(verdict)}[/]" if color else verdict
        table.add_row(escape(_shorten(name, name_w)), shown, escape(wf), loss, escape(val))
    return table


def counts_line(results: list[tuple[Run, list[Finding]]]) -> str:
    """'55 runs: 3 broken, 5 worth a look, 40 healthy, 7 too early to tell'."""
    n = {v: 0 for v in RunVerdict}
    for _, fs in results:
        n[run_verdict(fs)] += 1
    parts = [f"{n[v]} {v.value}" for v in (RunVerdict.BROKEN, RunVerdict.WORTH_A_LOOK, RunVerdict.HEALTHY,
                                            RunVerdict.TOO_EARLY) if n[v]]
    return f"{len(results)} runs: " + ", ".join(parts)


def render_summary(results: list[tuple[Run, list[Finding]]], console: Console, color: bool) -> None:
    table = summary_table(results, min(console.width, 100), color)
    if color:
        console.print(table, soft_wrap=False)
    else:  # plain text: no padding blanks at line ends in what gets pasted into an issue
        with console.capture() as cap:
            console.print(table, soft_wrap=False)
        console.print("\n".join(line.rstrip() for line in cap.get().splitlines()), soft_wrap=True)
    console.print()
    console.print(counts_line(results))
