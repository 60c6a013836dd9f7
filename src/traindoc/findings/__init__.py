"""Findings: the output of rules, probes and checks alike."""

from .finding import Finding, Mark, Severity, too_short_to_judge, worst

__all__ = ["Finding", "Mark", "Severity", "too_short_to_judge", "worst"]
