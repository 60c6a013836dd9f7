"""The JSON contract of ``traindoc diagnose --json``: runs, each with its verdict, notes and findings.

The contract is written down as a JSON Schema in docs/diagnose.schema.json (tested).

Only ``Finding.to_json`` decides a finding's shape, so the live watcher, the CLI and any
tool reading the output agree. Non-finite numbers become strings (JSON has none).
"""

from __future__ import annotations

import json
from typing import Iterable

from ..findings import Finding, run_verdict
from ..run import Run


def run_doc(run: Run, findings: Iterable[Finding]) -> dict:
    from ..rules.outcome import assess

    findings = list(findings)
    return {"source": run.source, "format": run.format, "name": run.name,
            "verdict": run_verdict(findings).value, "notes": list(run.meta.notes),
            "findings": [f.to_json() for f in findings], "outcome": assess(run).to_json()}


def to_doc(results: list[tuple[Run, list[Finding]]], comparisons: list[dict] | None = None) -> dict:
    doc: dict = {"runs": [run_doc(run, findings) for run, findings in results]}
    if comparisons is not None:
        doc["comparisons"] = comparisons
    return doc


def dumps(results: list[tuple[Run, list[Finding]]], comparisons: list[dict] | None = None,
          skipped: list[tuple[str, str]] | None = None) -> str:
    """``skipped``: the files a folder scan did not read, with why (top-level ``"skipped"``)."""
    doc = to_doc(results, comparisons)
    if skipped is not None:
        doc["skipped"] = [{"path": p, "reason": r} for p, r in skipped]
    return json.dumps(doc, indent=2, allow_nan=False)
