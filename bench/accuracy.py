"""Score traindoc's diagnoses against the hand-checked labels of bench/corpus.

    PYTHONPATH=src python bench/accuracy.py                 # markdown report
    PYTHONPATH=src python bench/accuracy.py --json          # machine-readable
    PYTHONPATH=src python bench/accuracy.py --corpus DIR    # another labelled corpus

Each labelled path (a file, or a directory such as a TensorBoard run folder) is read with
``traindoc.load`` and every run in it is diagnosed with ``traindoc.diagnose``; findings of all
runs in one file are pooled, because labels are per file (an appended-runs file holds several).

Counting (documented in docs/accuracy.md):
- an id is *reported* for a file when some finding has that id at warning or error, or at any
  severity if the id is info-level (its registered severity is info, or it is one of
  ``INFO_LEVEL_FALLBACK`` when the rule is not registered yet);
- TP: expected and reported; FN: expected, not reported; FP: reported, neither expected nor
  allowed;
- a healthy file has a *false alarm* when any warning or error is raised whose id is not in
  its ``allowed`` list;
- files marked ``uncertain`` are scored in a separate table and not in the headline numbers;
- a file that fails to load counts every expected id as FN and is listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus"
INFO_LEVEL_FALLBACK = frozenset({"late-start", "appended-runs"})
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


@dataclass
class Label:
    path: str
    expected: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    healthy: bool = False
    uncertain: bool = False
    reason: str = ""


@dataclass
class FileResult:
    label: Label
    findings: list[tuple[str, str]]  # (id, severity) pooled over the file's runs
    runs: int = 0
    error: str | None = None

    def reported(self, info_ids: frozenset[str]) -> set[str]:
        return {i for i, sev in self.findings if SEVERITY_RANK[sev] >= 2 or i in info_ids}

    def alarms(self) -> set[str]:
        return {i for i, sev in self.findings if SEVERITY_RANK[sev] >= 2}


def load_labels(corpus: Path) -> list[Label]:
    """Read labels.json: {relative path: {expected, allowed, healthy, reason, uncertain}}."""
    raw = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    out = []
    for path, entry in raw.items():
        out.append(Label(path=path, expected=list(entry.get("expected", [])), allowed=list(entry.get("allowed", [])),
                         healthy=bool(entry.get("healthy", False)), uncertain=bool(entry.get("uncertain", False)),
                         reason=entry.get("reason", "")))
    return out


def diagnose_with_library(path: Path) -> tuple[list[tuple[str, str]], int]:
    """Findings (id, severity) of every run found at ``path``, via the traindoc library."""
    import traindoc

    result = traindoc.load(path)
    if not result.runs and result.problems:
        raise result.problems[0]
    found = []
    for run in result.runs:
        for f in traindoc.diagnose(run):
            found.append((f.id, f.severity.label))
    return found, len(result.runs)


def info_level_ids() -> frozenset[str]:
    """Ids whose registered severity is info, plus the fallback set for unregistered ones."""
    try:
        from traindoc.findings import Severity
        from traindoc.rules import RULES
    except Exception:  # noqa: BLE001 - scoring must still run against a half-built library
        return INFO_LEVEL_FALLBACK
    registered = {k for k, spec in RULES.items() if spec.severity == Severity.INFO}
    unregistered = {i for i in INFO_LEVEL_FALLBACK if i not in RULES}
    return frozenset(registered | unregistered)


def run_corpus(corpus: Path, labels: Iterable[Label],
               diagnose: Callable[[Path], tuple[list[tuple[str, str]], int]] = diagnose_with_library) -> list[FileResult]:
    results = []
    for label in labels:
        try:
            found, n = diagnose(corpus / label.path)
            results.append(FileResult(label, found, n))
        except Exception as exc:  # noqa: BLE001 - every failure is reported per file, never fatal
            results.append(FileResult(label, [], 0, error=f"{type(exc).__name__}: {exc}"))
    return results


def score(results: list[FileResult], info_ids: frozenset[str]) -> dict:
    """Per-id TP/FP/FN with precision/recall, healthy false alarms, per-file lines."""
    per_id: dict[str, dict[str, int]] = {}

    def bump(i: str, key: str) -> None:
        per_id.setdefault(i, {"tp": 0, "fp": 0, "fn": 0})[key] += 1

    files, false_alarms = [], []
    for r in results:
        rep = r.reported(info_ids)
        exp, allowed = set(r.label.expected), set(r.label.allowed)
        for i in exp:
            bump(i, "tp" if i in rep else "fn")
        extra = sorted(rep - exp - allowed)
        for i in extra:
            bump(i, "fp")
        alarm = sorted(r.alarms() - allowed) if r.label.healthy else []
        if alarm:
            false_alarms.append({"path": r.label.path, "ids": alarm})
        files.append({"path": r.label.path, "healthy": r.label.healthy, "expected": sorted(exp),
                      "found": sorted({f"{i}({s})" for i, s in r.findings}), "missed": sorted(exp - rep),
                      "unexpected": extra, "runs": r.runs, "error": r.error,
                      "ok": not (exp - rep) and not extra and not alarm and r.error is None})
    table = {}
    for i, c in sorted(per_id.items()):
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        rc = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
        table[i] = {**c, "precision": p, "recall": rc}
    tp = sum(c["tp"] for c in per_id.values())
    fp = sum(c["fp"] for c in per_id.values())
    fn = sum(c["fn"] for c in per_id.values())
    healthy = [r for r in results if r.label.healthy]
    return {
        "files": len(results), "failing_files": sum(1 for r in results if not r.label.healthy),
        "healthy_files": len(healthy), "healthy_with_false_alarm": len(false_alarms),
        "false_alarms": false_alarms, "load_errors": [f for f in files if f["error"]],
        "micro": {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else None,
                  "recall": tp / (tp + fn) if tp + fn else None},
        "files_ok": sum(1 for f in files if f["ok"]), "per_id": table, "per_file": files,
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def markdown(title: str, s: dict) -> str:
    m = s["micro"]
    lines = [f"## {title}", "",
             f"{s['files']} files ({s['failing_files']} failing, {s['healthy_files']} healthy); "
             f"{s['files_ok']} fully correct. Micro precision {_pct(m['precision'])}, recall {_pct(m['recall'])} "
             f"(TP {m['tp']}, FP {m['fp']}, FN {m['fn']}). Healthy runs with a false alarm: "
             f"{s['healthy_with_false_alarm']}/{s['healthy_files']}.", "",
             "| id | TP | FP | FN | precision | recall |", "|---|---:|---:|---:|---:|---:|"]
    for i, c in s["per_id"].items():
        lines.append(f"| `{i}` | {c['tp']} | {c['fp']} | {c['fn']} | {_pct(c['precision'])} | {_pct(c['recall'])} |")
    if s["false_alarms"]:
        lines += ["", "False alarms on healthy runs:", ""]
        lines += [f"- `{fa['path']}`: {', '.join(fa['ids'])}" for fa in s["false_alarms"]]
    if s["load_errors"]:
        lines += ["", "Files that failed to load:", ""]
        lines += [f"- `{f['path']}`: {f['error']}" for f in s["load_errors"]]
    lines += ["", "| file | expected | found | verdict |", "|---|---|---|---|"]
    for f in s["per_file"]:
        exp = ", ".join(f["expected"]) or ("healthy" if f["healthy"] else "-")
        verdict = "ok" if f["ok"] else "; ".join(filter(None, [
            f"missed {', '.join(f['missed'])}" if f["missed"] else "",
            f"unexpected {', '.join(f['unexpected'])}" if f["unexpected"] else "",
            "load error" if f["error"] else "",
            "false alarm" if f["healthy"] and not f["unexpected"] and not f["error"] and not f["ok"] else ""]))
        lines.append(f"| `{f['path']}` | {exp} | {', '.join(f['found']) or '-'} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score traindoc diagnoses against a labelled corpus.")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder holding labels.json")
    ap.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    args = ap.parse_args(argv)
    if not (args.corpus / "labels.json").is_file():
        print(f"{args.corpus}: no labels.json (expected a labelled corpus folder)", file=sys.stderr)
        return 2
    labels = load_labels(args.corpus)
    info_ids = info_level_ids()
    results = run_corpus(args.corpus, labels)
    certain = [r for r in results if not r.label.uncertain]
    uncertain = [r for r in results if r.label.uncertain]
    report = {"certain": score(certain, info_ids), "uncertain": score(uncertain, info_ids),
              "info_level_ids": sorted(info_ids)}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print("# traindoc diagnosis accuracy\n")
        print(markdown("Labelled runs", report["certain"]))
        if uncertain:
            print(markdown("Uncertain labels (scored apart)", report["uncertain"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
