"""Terminal output of ``traindoc diagnose``: per run, most severe first, 80 columns.

Each finding is a one-line verdict, then its evidence, ranked causes and fixes, indented
under it. A run with nothing above ``info`` is called healthy in one line. Styling (rich
markup) only when writing to a terminal and NO_COLOR is unset; otherwise plain text.
"""

from __future__ import annotations

import math
import os
import sys
import textwrap
from typing import IO

from rich.console import Console
from rich.markup import escape

from ..findings import Finding, Severity, too_short_to_judge
from ..findings import worst as worst_severity
from ..run import Run

WIDTH = 80
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
MAX_CAUSES = 3
MAX_FIXES = 3


def use_color(stream: IO | None = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def make_console(stream: IO | None = None) -> Console:
    color = use_color(stream)
    width = WIDTH
    if color:
        try:
            cols = os.get_terminal_size((stream or sys.stdout).fileno()).columns
        except (OSError, ValueError, AttributeError):
            cols = 0
        # Some pseudo-terminals report 0 columns: fall back to 80. Never wider than 100.
        width = min(cols, 100) if cols >= 40 else WIDTH
    # Without colour nothing is markup: text from files ("[/x]" in a path) prints as written.
    return Console(file=stream or sys.stdout, width=width, color_system="auto" if color else None, markup=color,
                   force_terminal=color, highlight=False, emoji=False, soft_wrap=True)


def _num(v) -> str:
    if isinstance(v, bool) or v is None:
        return str(v).lower() if isinstance(v, bool) else "-"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.4g}"
    return str(v)


def format_evidence(ev: dict, limit: int = 8) -> str:
    """Scalar evidence as ``key=value`` pairs (lists of records are counted, not dumped)."""
    parts = []
    for k, v in ev.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}:{_num(b)}" for a, b in v.items())
            parts.append(f"{k}=({v})")
        elif isinstance(v, (list, tuple)):
            if v and all(not isinstance(x, (dict, list, tuple)) for x in v) and len(v) <= 4:
                parts.append(f"{k}=[{', '.join(_num(x) for x in v)}]")
            else:
                parts.append(f"{k}: {len(v)} listed in --json")
        else:
            parts.append(f"{k}={_num(v)}")
        if len(parts) >= limit:
            break
    return "; ".join(parts)


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=True, break_on_hyphens=False) or [first.rstrip()]


def finding_lines(f: Finding, width: int, color: bool) -> list[str]:
    """The lines of one finding; the first carries the severity label and id."""
    label = f"{f.severity.label.upper():<7} {f.id}"
    head = _wrap(f"{label}: {f.title}", width, "  ", "      ")
    if color:
        first = head[0]
        styled = f"  [{_STYLE[f.severity]}]{escape(label)}[/]" + escape(first[2 + len(label):])
        head = [styled] + [escape(h) for h in head[1:]]
    out = list(head)
    pad = "      "
    steps = ""
    if f.steps:
        label = "step" if len(f.steps) == 1 or f.steps[0] == f.steps[-1] else "steps"
        steps = f"{label} " + "-".join(_num(s) for s in sorted(set(f.steps[:2]))) + "; "
    ev = format_evidence(f.evidence)
    if ev or steps:
        out += [escape(x) if color else x for x in _wrap(f"evidence: {steps}{ev}", width, pad, pad + "  ")]
    for name, items, limit in (("likely causes", f.causes, MAX_CAUSES), ("what to do", f.fixes, MAX_FIXES)):
        if not items:
            continue
        out.append(pad + name + ":")
        for i, item in enumerate(items[:limit], 1):
            out += [escape(x) if color else x for x in _wrap(f"{i}. {item}", width, pad + "  ", pad + "     ")]
    return out


def render(results: list[tuple[Run, list[Finding]]], stream: IO | None = None) -> None:
    console = make_console(stream)
    color = use_color(stream)
    width = min(console.width, 100)
    counts = {"error": 0, "warning": 0, "healthy": 0, "too short": 0}
    for run, findings in results:
        lines = _wrap(run.name, width, "", "  ")
        console.print(f"[bold]{escape(lines[0])}[/bold]" if color else lines[0])
        lines = lines[1:] + _wrap(f"{run.format}: {run.source}", width, "  ", "    ")
        for extra in lines:
            console.print(f"[dim]{escape(extra)}[/dim]" if color else extra)
        for note in run.meta.notes:
            for x in _wrap(f"note: {note}", width, "  ", "    "):
                console.print(escape(x) if color else x)
        worst = worst_severity(findings)
        ordered = sorted(findings, key=lambda f: -int(f.severity))
        if too_short_to_judge(findings):
            # Not enough data is not a clean bill of health: say so rather than "healthy".
            counts["too short"] += 1
            msg = "  not enough data to judge yet: no warnings or errors so far"
            console.print(f"[yellow]{escape(msg)}[/yellow]" if color else msg)
        elif worst is None or worst < Severity.WARNING:
            counts["healthy"] += 1
            info = f" ({len(findings)} note(s) below)" if findings else ""
            msg = f"  healthy: no warnings or errors{info}"
            console.print(f"[green]{escape(msg)}[/green]" if color else msg)
        else:
            counts["error" if worst == Severity.ERROR else "warning"] += 1
        for f in ordered:
            for line in finding_lines(f, width, color):
                console.print(line)
        console.print()
    if len(results) > 1:
        short = f", {counts['too short']} too short to judge" if counts["too short"] else ""
        console.print(f"{len(results)} runs: {counts['error']} with errors, {counts['warning']} with warnings, "
                      f"{counts['healthy']} healthy{short}")
