"""The seeds' question, answered: is this normal? One verdict per finding, one per run.

A severity says how loud to be; a verdict says what a person should conclude. They usually
agree, but not always: a validation spike that recovered is worth recording (info) and is
*normal*; a late start is info and *worth a look*.
"""

from __future__ import annotations

from enum import Enum
from typing import Iterable

from .finding import Finding, Severity


class Verdict(str, Enum):
    """Per finding: is what it describes normal for training?"""

    NORMAL = "normal"
    WORTH_A_LOOK = "worth a look"
    PROBLEM = "problem"


class RunVerdict(str, Enum):
    """Per run: the one-word answer a summary table shows."""

    HEALTHY = "healthy"
    WORTH_A_LOOK = "worth a look"
    BROKEN = "broken"
    TOO_EARLY = "too early to tell"


def finding_verdict(finding: Finding) -> Verdict:
    """The finding's own verdict when its rule set one, else the one its severity implies."""
    if finding.verdict:
        return Verdict(finding.verdict)
    return Verdict.PROBLEM if finding.severity >= Severity.WARNING else Verdict.WORTH_A_LOOK


def run_verdict(findings: Iterable[Finding]) -> RunVerdict:
    """Broken when any finding is a problem; too early when the rules said so and nothing worse."""
    findings = list(findings)
    verdicts = {finding_verdict(f) for f in findings}
    if Verdict.PROBLEM in verdicts:
        return RunVerdict.BROKEN
    if any(f.id == "too-short" for f in findings):
        return RunVerdict.TOO_EARLY
    if Verdict.WORTH_A_LOOK in verdicts:
        return RunVerdict.WORTH_A_LOOK
    return RunVerdict.HEALTHY
