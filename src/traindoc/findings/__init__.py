"""Findings: the output of rules, probes and checks alike."""

from .finding import Finding, Mark, Severity, too_short_to_judge, worst
from .verdict import RunVerdict, Verdict, finding_verdict, run_verdict

__all__ = ["Finding", "Mark", "RunVerdict", "Severity", "Verdict", "finding_verdict", "run_verdict",
           "too_short_to_judge", "worst"]
