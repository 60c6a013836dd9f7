"""The JSON contract of ``traindoc diagnose --json``: runs, each with its findings.

Only ``Finding.to_json`` decides a finding's shape, so the live watcher, the CLI and any
tool reading the output agree. Non-finite numbers become strings (JSON has none).
"""

from __future__ import annotations

import json
from typing import Iterable

from ..findings import Finding
from ..run import Run


def run_doc(run: Run, findings: Iterable[Finding]) -> dict:
    return {"source": run.source, "format": run.format, "name": run.name,
            "findings": [f.to_json() for f in findings]}


def to_doc(results: list[tuple[Run, list[Finding]]]) -> dict:
    return {"runs": [run_doc(run, findings) for run, findings in results]}


def dumps(results: list[tuple[Run, list[Finding]]], skipped: list[tuple[str, str]] | None = None) -> str:
    """``skipped``: the files a folder scan did not read, with why (top-level ``"skipped"``)."""
    doc = to_doc(results)
    if skipped is not None:
        doc["skipped"] = [{"path": p, "reason": r} for p, r in skipped]
    return json.dumps(doc, indent=2, allow_nan=False)
