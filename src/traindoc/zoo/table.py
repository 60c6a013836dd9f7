"""Plain-text tables for ``traindoc zoo``: one row per case, then the totals."""

from __future__ import annotations

from typing import Sequence

from ..findings import Severity
from .repairs import RepairReport
from .runner import CaseReport


def _grid(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*[str(c) for c in r]) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "NO")


def zoo_table(reports: list[CaseReport]) -> str:
    """case | expected | found | detected | cause named | twin clean."""
    rows = []
    for r in reports:
        # Warnings and errors, plus info-level findings the case expects (late-start is info by design).
        shown = [f.id for f in r.faulty.findings if f.severity >= Severity.WARNING or f.id in r.case.expect]
        found = ", ".join(dict.fromkeys(shown)) or "(nothing)"
        twin = None if r.fixed is None else r.fixed.clean
        twin_txt = _yes(twin) if r.fixed is None or r.fixed.clean else "NO: " + ", ".join(x.id for x in r.fixed.problems)
        rows.append([r.case.name, " | ".join(r.case.expect), found, _yes(bool(r.detected)), _yes(r.cause_named), twin_txt])
    text = _grid(["case", "expected (any of)", "traindoc found (warning/error)", "detected", "cause named", "fixed twin clean"], rows)
    return text + "\n" + zoo_totals(reports)


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


def repair_table(reports: list[RepairReport]) -> str:
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
    text = _grid(["case", "repair applied (finding)", "edits the bug", "finding cleared", "final loss",
                  "success"], rows)
    attempted = [r for r in reports if r.attempted]
    ok = sum(r.success for r in attempted)
    on_cause = sum(r.success and r.fixes_the_bug for r in attempted)
    return text + f"\n\nrepairs attempted {len(attempted)}/{len(reports)}, succeeded {ok}/{len(attempted)} " \
                  f"({ok}/{len(reports)} of all cases); succeeded by editing what the fixed twin fixes " \
                  f"{on_cause}/{len(reports)}"
