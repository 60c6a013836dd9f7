"""What a rule or probe reports: a named problem with evidence a person can check."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered so ``max()`` gives the worst. A healthy run has nothing above INFO."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected info, warning or error)") from None


@dataclass
class Mark:
    """Where a report should draw the finding on a curve (not part of the JSON contract)."""

    kind: str  # "point", "span", "line"
    series: str | None
    start: float
    end: float | None = None
    label: str = ""


@dataclass
class Finding:
    """One diagnosis. ``id`` is a stable id from FINDINGS.md; causes and fixes are ranked."""

    id: str
    severity: Severity
    title: str
    series: list[str] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)  # [first, last] step the evidence covers
    evidence: dict[str, Any] = field(default_factory=dict)
    causes: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    # Is this normal? "normal", "worth a look" or "problem" (see verdict.py); None = implied by severity.
    verdict: str | None = None
    verdict_reason: str = ""
    # The step at which traindoc.watch first raised it (steps[0] is where the evidence starts);
    # None for a log diagnosed after the fact.
    detected_step: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``traindoc diagnose --json``."""
        return {
            "id": self.id,
            "severity": self.severity.label,
            "title": self.title,
            "series": list(self.series),
            "steps": [_plain(s) for s in self.steps],
            "evidence": _plain(self.evidence),
            "causes": list(self.causes),
            "fixes": list(self.fixes),
            "verdict": self.resolved_verdict(),
            "verdict_reason": self.verdict_reason,
            **({"detected_step": int(self.detected_step)} if self.detected_step is not None else {}),
        }

    def resolved_verdict(self) -> str:
        """The verdict a reader should show: the rule's own, else the one its severity implies."""
        from .verdict import finding_verdict

        return finding_verdict(self).value


def _plain(value: Any) -> Any:
    """Turn numpy scalars/arrays and non-finite floats into JSON-safe values."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf", "-inf": JSON has no spelling for them
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def worst(findings: list[Finding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)


def too_short_to_judge(findings: list[Finding]) -> bool:
    """Nothing above info, but the rules said there is too little data: not a clean bill of health."""
    sev = worst(findings)
    return (sev is None or sev < Severity.WARNING) and any(f.id == "too-short" for f in findings)
