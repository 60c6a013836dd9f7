"""The one rule engine: a registry of pure functions of a Run.

A rule declares its stable id, default severity, title and the series roles it needs, and
returns Findings. The same registry serves ``traindoc diagnose`` on logs and the live
watcher on a growing Run, so both give the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..findings import Finding, Severity
from ..run import Role, Run

RuleFunc = Callable[[Run], Iterable[Finding]]
DOCS_DIR = Path(__file__).parent / "docs"


@dataclass(frozen=True)
class RuleSpec:
    id: str
    family: str
    severity: Severity
    title: str
    needs: tuple[Role, ...]
    func: RuleFunc

    @property
    def doc_path(self) -> Path:
        return DOCS_DIR / f"{self.id}.md"

    def doc(self) -> str:
        """The rule's page (what it detects, why it matters, what it looks like, what to do)."""
        path = self.doc_path
        return path.read_text(encoding="utf-8") if path.exists() else f"# {self.id}\n\n{self.title}\n"


RULES: dict[str, RuleSpec] = {}


def rule(id: str, *, family: str, severity: Severity, title: str, needs: Iterable[Role] = ()) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function under a stable id."""

    def register(func: RuleFunc) -> RuleFunc:
        if id in RULES:
            raise ValueError(f"rule id {id!r} registered twice")
        RULES[id] = RuleSpec(id, family, severity, title, tuple(needs), func)
        return func

    return register
