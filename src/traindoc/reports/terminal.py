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

from ..findings import Finding, RunVerdict, Severity, run_verdict, too_short_to_judge
from ..run import Run

WIDTH = 80
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
MAX_CAUSES = 3
MAX_FIXES = 3


def use_color(stream: IO | None = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def term_width(stream: IO | None = None) -> int:
    """The width to write for: COLUMNS when set, the terminal's width on a TTY, else 80; never over 100.

    Pipes and files get 80 so that what is pasted into an issue reads the same as the screen.
    """
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) >= 20:
        return min(int(env), 100)
    stream = stream or sys.stdout
    if getattr(stream, "isatty", lambda: False)():
        try:
            cols = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            cols = 0
        # Some pseudo-terminals report 0 columns: fall back to 80.
        return min(cols, 100) if cols >= 40 else WIDTH
    return WIDTH


def make_console(stream: IO | None = None) -> Console:
    color = use_color(stream)
    return Console(file=stream or sys.stdout, width=term_width(stream), color_system="auto" if color else None, markup=color,
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


def display_path(path: str) -> str:
    """A path as a person would type it: relative to the working directory when under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return rel if not rel.startswith("..") else path


def finding_lines(f: Finding, width: int, color: bool, seen: dict[tuple, str] | None = None) -> list[str]:
    """The lines of one finding; the first carries the severity label and id.

    ``seen`` maps causes and fixes already printed (by their text) to the run they were printed
    under, so fifty runs with the same finding print its advice once.
    """
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
    if f.verdict_reason:  # the seeds' question, answered where the rule weighed it
        normal = f"is this normal? {f.resolved_verdict()}: {f.verdict_reason}"
        out += [escape(x) if color else x for x in _wrap(normal, width, pad, pad + "  ")]
    advice = (tuple(f.causes[:MAX_CAUSES]), tuple(f.fixes[:MAX_FIXES]))
    if seen is not None and any(advice) and advice in seen:
        msg = f"causes and fixes: as for {f.id} in {seen[advice]} above"
        return out + [escape(x) if color else x for x in _wrap(msg, width, pad, pad + "  ")]
    for name, items, limit in (("likely causes", f.causes, MAX_CAUSES), ("what to do", f.fixes, MAX_FIXES)):
        if not items:
            continue
        out.append(pad + name + ":")
        for i, item in enumerate(items[:limit], 1):
            out += [escape(x) if color else x for x in _wrap(f"{i}. {item}", width, pad + "  ", pad + "     ")]
    return out


def render(results: list[tuple[Run, list[Finding]]], stream: IO | None = None, brief: bool = False) -> None:
    """One run: its findings in full. Several: a summary table, then details of runs with problems."""
    console = make_console(stream)
    color = use_color(stream)
    width = min(console.width, 100)
    many = len(results) > 1
    if many:
        from .summary import ordered, render_summary

        render_summary(results, console, color)
        if brief:
            return
        # Broken runs in full; runs worth a look with one line per finding (the table said the rest).
        shown = [(run, fs, verdict.value == "broken") for run, fs, verdict in ordered(results)
                 if verdict.value in ("broken", "worth a look")]
        if shown:
            console.print()
            console.print("Details of the runs that need a look:" if not color
                          else "[bold]Details of the runs that need a look:[/bold]")
            console.print()
    else:
        shown = [(run, fs, True) for run, fs in results]
    seen: dict[tuple, str] = {}
    for run, findings, full in shown:
        render_run(console, color, width, run, findings, seen if many else None, full)


def render_run(console: Console, color: bool, width: int, run: Run, findings: list[Finding],
               seen: dict[tuple, str] | None, full: bool = True) -> None:
    """Header, notes, one-line verdict and every finding of one run."""
    lines = _wrap(run.name, width, "", "  ")
    console.print(f"[bold]{escape(lines[0])}[/bold]" if color else lines[0])
    for extra in lines[1:]:
        console.print(f"[dim]{escape(extra)}[/dim]" if color else extra)
    # The path on a line of its own, never broken, so it can be copied.
    console.print(f"[dim]  {escape(run.format)}:[/dim]" if color else f"  {run.format}:", end="")
    path = display_path(run.source)
    # Too long for the header line: its own line, indented while it fits (a path over 80 is never broken).
    sep = " " if len(run.format) + len(path) + 4 <= width else ("\n  " if len(path) + 2 <= width else "\n")
    console.print(sep + (f"[dim]{escape(path)}[/dim]" if color else path), overflow="ignore", crop=False)
    for note in run.meta.notes:
        for x in _wrap(f"note: {note}", width, "  ", "    "):
            console.print(escape(x) if color else x)
    ordered_findings = sorted(findings, key=lambda f: -int(f.severity))
    # The one-line verdict agrees with the summary table's (run_verdict), never "healthy" over more.
    verdict = run_verdict(findings)
    info = f" ({len(findings)} note(s) below)" if findings else ""
    # A warning whose rule judged it "worth a look" (not a problem) leaves the run unbroken: the line
    # then says there is a warning, never "no warnings or errors".
    loud = sum(1 for f in findings if f.severity >= Severity.WARNING)
    if verdict is RunVerdict.TOO_EARLY or (too_short_to_judge(findings) and verdict is not RunVerdict.BROKEN):
        # Not enough data is not a clean bill of health: say so rather than "healthy".
        msg = ("  too short to judge: no warnings or errors in the steps logged" if not loud else
               f"  too short to judge, and {loud} warning(s) worth a look below")
        console.print(f"[yellow]{escape(msg)}[/yellow]" if color else msg)
    elif verdict is RunVerdict.HEALTHY:
        msg = f"  healthy: no warnings or errors{info}" if not loud else f"  healthy: {loud} warning(s) below judged normal"
        console.print(f"[green]{escape(msg)}[/green]" if color else msg)
    elif verdict is RunVerdict.WORTH_A_LOOK:
        msg = (f"  worth a look: no warnings or errors, but {len(findings)} note(s) below worth reading" if not loud
               else f"  worth a look: {loud} warning(s) below, none judged a problem")
        console.print(f"[yellow]{escape(msg)}[/yellow]" if color else msg)
    for f in ordered_findings:
        lines = finding_lines(f, width, color, seen)
        if not full:  # the headline only: severity, id and title
            lines = lines[:len(_wrap(f"{f.severity.label.upper():<7} {f.id}: {f.title}", width, "  ", "      "))]
        for line in lines:
            console.print(line)
        if seen is not None and full:
            seen.setdefault((tuple(f.causes[:MAX_CAUSES]), tuple(f.fixes[:MAX_FIXES])), run.name)
    console.print()
