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

    def to_text(self, width: int | None = None) -> str:
        """What ``traindoc check`` prints: each section's outcome, then each problem with its causes
        and fixes, wrapped to ``width`` (the terminal's, 80 when piped)."""
        import textwrap

        from ..reports.terminal import term_width

        width = width or term_width()
        out: list[str] = []

        def say(text: str, first: str = "", rest: str = "       ") -> None:
            out.extend(textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                                     break_long_words=False, break_on_hyphens=False) or [first])

        printed: list[tuple[str, str]] = []
        for s in self.sections:
            say(f"[{_MARK[s.ok]}] {s.name}: {s.summary}")
            for line in s.lines:
                say(line, "       ", "         ")
            printed.append((s.summary, s.name))
        problems = self.findings
        if problems:
            out.append("")
        for f in problems:
            # A section whose summary is this very title already said it: do not print the line twice.
            where = next((name for summary, name in printed if f.title and f.title in summary), None)
            head = f"the {where} check above" if where else f.title
            say(f"{f.severity.label.upper()} {f.id}: {head}", "", "    ")
            for c in f.causes[:3]:
                say(f"cause: {c}", "    ", "           ")
            for x in f.fixes[:3]:
                say(f"fix:   {x}", "    ", "           ")
        return "\n".join(out)

    def __str__(self) -> str:
        # print(traindoc.check(...)) reads like the CLI, not like a dataclass of LR-sweep arrays
        return self.to_text()


_MARK = {True: "ok  ", False: "FAIL", None: "skip"}
