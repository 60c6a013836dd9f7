"""One finding as short Markdown and as a table row: the shared wording of every publisher."""

from __future__ import annotations

from ..findings import Finding
from ..reports.terminal import format_evidence

COLUMNS = ["run", "id", "severity", "verdict", "title", "steps", "evidence", "first fix"]


def markdown(finding: Finding, run_name: str) -> str:
    lines = [f"**{finding.severity.label.upper()} {finding.id}** ({finding.resolved_verdict()}) in {run_name}: "
             f"{finding.title}"]
    ev = format_evidence(finding.evidence)
    if ev:
        lines.append(f"- evidence: {ev}")
    for i, fix in enumerate(finding.fixes[:3], 1):
        lines.append(f"- fix {i}: {fix}")
    lines.append(f"- more: `traindoc explain {finding.id}`")
    return "\n".join(lines)


def row(finding: Finding, run_name: str) -> list:
    steps = "-".join(f"{s:g}" for s in finding.steps[:2]) if finding.steps else ""
    return [run_name, finding.id, finding.severity.label, finding.resolved_verdict(), finding.title, steps,
            format_evidence(finding.evidence), finding.fixes[0] if finding.fixes else ""]


def onset(finding: Finding, default: float = 0.0) -> float:
    """The step a finding's evidence starts at, where a marker belongs."""
    return float(finding.steps[0]) if finding.steps else default
