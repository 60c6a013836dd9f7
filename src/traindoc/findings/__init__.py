"""Findings: the output of rules, probes and checks alike."""

from .finding import Finding, Mark, Severity, worst

__all__ = ["Finding", "Mark", "Severity", "worst"]
