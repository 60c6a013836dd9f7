"""Plain-text tables for ``traindoc zoo``: one row per case, then the totals."""

from __future__ import annotations

from typing import Sequence

from ..findings import Severity
from .repairs import RepairReport
from .runner import CaseReport


def _grid(header: Sequence[str], rows: list[Sequence[str]], width: int = 80) -> str:
    """A plain table that fits ``width`` columns: long cells wrap at word boundaries inside their column."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1), show_header=True, header_style="")
    for i, name in enumerate(header):
        # the case name never wraps (it is what you type to re-run one case); text columns fold
        table.add_column(name, no_wrap=i == 0, overflow="fold")
    for r in rows:
        table.add_row(*[str(c) for c in r])
    console = Console(width=width, color_system=None, highlight=False, emoji=False, markup=False)
    with console.capture() as cap:
        console.print(table)
    return "\n".join(line.rstrip() for line in cap.get().splitlines())


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "NO")


def zoo_table(reports: list[CaseReport], width: int = 80) -> str:
    """case | expected | found | detected | cause named | twin clean."""
    rows = []
    for r in reports:
        # Warnings and errors, plus info-level findings the case expects (late-start is info by design).
        shown = [f.id for f in r.faulty.findings if f.severity >= Severity.WARNING or f.id in r.case.expect]
        found = ", ".join(dict.fromkeys(shown)) or "(nothing)"
        twin = None if r.fixed is None else r.fixed.clean
        twin_txt = _yes(twin) if r.fixed is None or r.fixed.clean else "NO: " + ", ".join(x.id for x in r.fixed.problems)
        rows.append([r.case.name, " | ".join(r.case.expect), found, _yes(bool(r.detected)), _yes(r.cause_named), twin_txt])
    header = ["case", "expected (any of)", "found (warning/error)", "found?", "cause?", "twin clean"]
    natural = sum(max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))) + 2 * (len(header) - 1)
    text = _grid(header, rows, width) if natural <= width else _blocks(rows, width)
    return text + "\n" + zoo_totals(reports)


def _blocks(rows: list[list[str]], width: int) -> str:
    """The zoo table as one short block per case, for terminals too narrow for its columns.

    Finding ids are never broken mid-word (they are what ``traindoc explain`` takes).
    """
    import textwrap

    out = []
    for case, expected, found, detected, named, twin in rows:
        out.append(f"{case}  detected: {detected}  cause named: {named}  fixed twin clean: {twin.split(':')[0]}")
        for label, text in (("expected", expected), ("found", found), ("twin", twin if ":" in twin else "")):
            if text:
                out += textwrap.wrap(f"{label}: {text}", width, initial_indent="  ", subsequent_indent="    ",
                                     break_long_words=False, break_on_hyphens=False)
    return "\n".join(out)


def zoo_totals(reports: list[CaseReport]) -> str:
    n = len(reports)
    detected = sum(bool(r.detected) for r in reports)
    named = sum(r.cause_named for r in reports)
    twins = [r for r in reports if r.fixed is not None]
    clean = sum(r.fixed.clean for r in twins)
    out = f"\ndetected {detected}/{n}, cause named {named}/{n}"
    if twins:
        out += f", fixed twins clean {clean}/{len(twins)}"
    return out


def repair_table(reports: list[RepairReport], width: int = 80) -> str:
    rows = []
    for r in reports:
        steps = " -> ".join(f"{s['repair']} ({s['finding']})" for s in r.steps)
        if not steps:
            steps = f"none helped ({len(r.tried)} tried)" if r.tried else "(no mechanical repair)"
        after = r.after.result.final_loss() if r.after else None
        kept = bool(r.steps)
        rows.append([r.case.name, steps, _yes(r.fixes_the_bug) if kept else "-",
                     _yes(r.cleared) if kept else "-",
                     f"{r.before.result.final_loss():.3g} -> {after:.3g}" if after is not None else "-",
                     _yes(r.success) if r.attempted else "-"])
    text = _grid(["case", "repair applied (finding)", "edits bug", "cleared", "final loss", "success"], rows, width)
    attempted = [r for r in reports if r.attempted]
    ok = sum(r.success for r in attempted)
    on_cause = sum(r.success and r.fixes_the_bug for r in attempted)
    import textwrap

    totals = (f"repairs attempted {len(attempted)}/{len(reports)}, succeeded {ok}/{len(attempted)} "
              f"({ok}/{len(reports)} of all cases); succeeded by editing what the fixed twin fixes "
              f"{on_cause}/{len(reports)}")
    return text + "\n\n" + textwrap.fill(totals, width)
