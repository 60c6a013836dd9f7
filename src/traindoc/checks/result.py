"""What an active check returns: its own short report plus the Findings it raised.

A check is an experiment (train on one batch, sweep the LR...): a person wants to see what was
tried and what came out even when nothing is wrong, so each check yields a Section; problems
become Findings with the stable ids of FINDINGS.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, Severity
from ..findings.finding import _plain


@dataclass
class Section:
    """One check's outcome. ``ok`` is None when the check could not run (with ``summary`` saying why)."""

    name: str
    ok: bool | None
    summary: str
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "summary": self.summary, "lines": list(self.lines),
                "data": _plain(self.data), "findings": [f.to_json() for f in self.findings]}


@dataclass
class CheckReport:
    """All sections of one ``check()`` call."""

    sections: list[Section] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Worst first; a structural or data cause leads the symptoms it explains (checks/structure.py)."""
        from .structure import lead_with_causes

        out = [f for s in self.sections for f in s.findings]
        out.sort(key=lambda f: -int(f.severity))
        return lead_with_causes(out)

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.findings]

    def problems(self) -> list[Finding]:
        """Findings at warning or error level (a healthy setup has none)."""
        return [f for f in self.findings if f.severity >= Severity.WARNING]

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"sections": [s.to_json() for s in self.sections], "findings": [f.to_json() for f in self.findings]}
