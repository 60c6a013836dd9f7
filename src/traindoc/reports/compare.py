"""What changed between a run and its baseline: curves, final metrics, findings.

The question after a change to the code or the config is "did it get better, and did it
fix the problem?"; this answers it from the two runs' shared series (final and best value,
with the direction that is better) and the findings each one has that the other lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..findings import Finding, run_verdict
from ..run import MEASURED_ROLES, Role, Run
from .summary import arrow, best, fmt_num, last_finite, lower_is_better

# Series worth comparing, in the order a person reads them; layer statistics are left out.
_ROLES = MEASURED_ROLES + (Role.LR, Role.GRAD_NORM)


@dataclass
class SeriesChange:
    name: str
    direction: str  # "↑", "↓" or "" when unknown
    base_final: float | None
    final: float | None
    base_best: float | None
    best: float | None
    better: bool | None  # is the run's best better than the baseline's? None when it cannot say


@dataclass
class Comparison:
    run: Run
    baseline: Run
    verdict: str
    base_verdict: str
    series: list[SeriesChange]
    added: list[Finding]  # in the run, not in the baseline
    removed: list[Finding]  # in the baseline, gone from the run


def compare(run: Run, findings: list[Finding], baseline: Run, base_findings: list[Finding]) -> Comparison:
    changes = []
    for s in run.series.values():
        b = baseline.series.get(s.name)
        if b is None or s.role not in _ROLES:
            continue
        bb, rb = best(b), best(s)
        better = None
        if bb is not None and rb is not None and s.role not in (Role.LR, Role.GRAD_NORM) and rb != bb:
            better = (rb < bb) if lower_is_better(s) else (rb > bb)
        changes.append(SeriesChange(s.name, arrow(s), last_finite(b), last_finite(s), bb, rb, better))
    changes.sort(key=lambda c: (_ROLES.index(run.series[c.name].role), c.name))
    ids, base_ids = {f.id for f in findings}, {f.id for f in base_findings}
    return Comparison(run, baseline, run_verdict(findings).value, run_verdict(base_findings).value, changes,
                      [f for f in findings if f.id not in base_ids], [f for f in base_findings if f.id not in ids])


def _delta(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return ""
    if a == 0:
        return "" if b == 0 else "new"
    return f"{(b - a) / abs(a) * 100:+.0f}%"


def to_json(c: Comparison) -> dict:
    return {"run": c.run.name, "baseline": c.baseline.name, "verdict": c.verdict, "baseline_verdict": c.base_verdict,
            "series": [{"name": s.name, "direction": s.direction, "baseline_final": s.base_final, "final": s.final,
                        "baseline_best": s.base_best, "best": s.best, "better": s.better} for s in c.series],
            "findings_added": [f.id for f in c.added], "findings_removed": [f.id for f in c.removed]}


def render_comparison(c: Comparison, console: Console, color: bool) -> None:
    """A header with both verdicts, a table of shared curves, then findings added and removed."""
    console.print(f"{escape(c.run.name)}  vs baseline  {escape(c.baseline.name)}", soft_wrap=False, overflow="fold")
    console.print(f"verdict: {c.base_verdict} -> {c.verdict}")
    if c.series:
        table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1),
                      header_style="bold" if color else "")
        table.add_column("series", no_wrap=True, overflow="ellipsis", max_width=28)
        for col in ("base final", "final", "base best", "best", "change"):
            table.add_column(col, justify="right", no_wrap=True)
        for s in c.series:
            change = _delta(s.base_best, s.best)
            if s.better is not None:
                change = f"{change} {'better' if s.better else 'worse'}"
            table.add_row(escape(s.name + s.direction), fmt_num(s.base_final), fmt_num(s.final),
                          fmt_num(s.base_best), fmt_num(s.best), change)
        console.print()
        console.print(table, soft_wrap=False)
    else:
        console.print("no series in common to compare")
    console.print()
    for label, items in (("new findings", c.added), ("gone since the baseline", c.removed)):
        if not items:
            console.print(f"{label}: none")
            continue
        console.print(f"{label}:")
        for f in items:
            console.print(f"  {f.severity.label:<7} {escape(f.id)}: {escape(f.title)}", overflow="fold")
