"""Score traindoc's diagnoses against the hand-checked labels of bench/corpus.

    PYTHONPATH=src python bench/accuracy.py                 # markdown report
    PYTHONPATH=src python bench/accuracy.py --json          # machine-readable
    PYTHONPATH=src python bench/accuracy.py --corpus DIR    # another labelled corpus

Over an INDEX.csv corpus (the shared real-log corpus, or one in the same format):

    PYTHONPATH=src python bench/accuracy.py --split dev      # /work/shared/corpus, dev split
    PYTHONPATH=src python bench/accuracy.py --split test     # report only; never tune on it
    PYTHONPATH=src python bench/accuracy.py --index PATH/INDEX.csv --split all

scored with exactly the corpus README's rule (see ``case_passes``). When ``--split dev`` and
bench/corpus/realdev/INDEX.csv exists, it is scored too, but only if the SHA-256 of that
INDEX.csv matches bench/corpus/realdev/LABELS.sha256 (labels frozen before any rule ran).

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


class FileTimeout(Exception):
    """A file took longer than --timeout to load and diagnose (a hang is a result too)."""


def _with_timeout(seconds: float, func: Callable, *args):
    """Run func(*args), raising FileTimeout after ``seconds`` (POSIX main thread only; else no limit)."""
    import signal
    import threading

    if not seconds or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        return func(*args)

    def on_alarm(_sig, _frame):
        raise FileTimeout(f"no result within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return func(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_corpus(corpus: Path, labels: Iterable[Label],
               diagnose: Callable[[Path], tuple[list[tuple[str, str]], int]] = diagnose_with_library,
               timeout: float = 0) -> list[FileResult]:
    results = []
    for label in labels:
        try:
            found, n = _with_timeout(timeout, diagnose, corpus / label.path)
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
             f"{s['healthy_with_false_alarm']}/{s['healthy_files']}; files that failed to load: "
             f"{len(s['load_errors'])}.", "",
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


# ---------------------------------------------------------------- INDEX.csv corpora (real logs)

SHARED_INDEX = Path("/work/shared/corpus/INDEX.csv")
REALDEV_INDEX = HERE / "corpus" / "realdev" / "INDEX.csv"
# The corpus README: these ids may be reported at info severity and still name the problem.
INFO_OK = frozenset({"appended-runs", "late-start", "too-short", "loss-spikes"})


@dataclass
class Case:
    """One row of an INDEX.csv: a log file and what a person saw in its numbers."""

    case_id: str
    path: Path
    label: list[str]
    groups: list[set[str]]  # accept: '+' joins groups that must all match, '|' alternatives
    split: str
    kind: str  # "healthy", "ambiguous" or "problem"
    source: str  # which index it came from
    fmt: str = ""
    evidence: str = ""


def parse_accept(text: str) -> list[set[str]]:
    """'a|b+c' -> [{'a', 'b'}, {'c'}]."""
    return [{i.strip() for i in g.split("|") if i.strip()} for g in text.split("+") if g.strip()]


def load_index(index: Path, source: str = "") -> list[Case]:
    """Every row of an INDEX.csv, its file resolved beside the index."""
    import csv

    with index.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    need = {"case_id", "file", "label", "accept", "split"}
    if rows and not need <= set(rows[0]):
        raise ValueError(f"{index}: expected columns {', '.join(sorted(need))}")
    return [make_case(r["case_id"], index.parent / r["file"], r["label"], r["accept"], r["split"].strip(),
                      source or str(index), r.get("format", ""), r.get("evidence", "")) for r in rows]


def make_case(case_id: str, path: Path, label_text: str, accept_text: str, split: str = "dev",
              source: str = "", fmt: str = "", evidence: str = "") -> Case:
    """One labelled case from its label and accept fields (the corpus README's meaning of both)."""
    accept = accept_text.strip()
    label = [i for i in label_text.split(";") if i]
    kind = accept if accept in ("healthy", "ambiguous") else "problem"
    if label == ["healthy"]:
        # A run labelled healthy is scored as healthy even when its accept also tolerates an id
        # (`healthy|oscillation`): an alarm of another id on it is a false alarm, not a miss.
        kind = "healthy"
    groups = parse_accept(accept) if kind != "ambiguous" and accept != "healthy" else []
    return Case(case_id, path, label, groups, split, kind, source, fmt, evidence)


def labels_frozen(index: Path) -> tuple[bool, str]:
    """Whether index matches the SHA-256 in LABELS.sha256 beside it (``sha256sum`` line or bare hex)."""
    import hashlib

    hash_file = index.parent / "LABELS.sha256"
    if not hash_file.is_file():
        return False, f"{hash_file} missing"
    want = {tok.lower() for line in hash_file.read_text(encoding="utf-8").splitlines()
            for tok in line.split()[:1] if len(tok) == 64}
    got = hashlib.sha256(index.read_bytes()).hexdigest()
    if got not in want:
        return False, f"{index} has SHA-256 {got[:12]}..., not the one frozen in {hash_file.name}"
    return True, ""


def case_passes(case: Case, findings: list[tuple[str, str]]) -> bool:
    """The corpus README's rule.

    Problem: every '+' group is matched by a reported id, and some finding is a warning or error
    - unless each group was matched by an INFO_OK id, which may stand at info. A group that lists
    `healthy` as an alternative is also met by a report with nothing at warning or error.
    Healthy: nothing at warning or error, but for ids its accept tolerates.
    """
    if case.kind == "healthy":  # ids its accept tolerates (`healthy|late-start`) are no alarm
        tolerated = set().union(*case.groups) if case.groups else set()
        return not any(SEVERITY_RANK[sev] >= 2 and i not in tolerated for i, sev in findings)
    alarm = any(SEVERITY_RANK[sev] >= 2 for _, sev in findings)
    ids = {i for i, _ in findings}

    def clean_ok(group: set[str]) -> bool:
        # A labeller who lists `healthy` among a group's alternatives (`too-short|healthy`) accepts a
        # report that raises nothing, which is exactly what a healthy case passes on.
        return "healthy" in group and not alarm

    if not case.groups or not all(g & ids or clean_ok(g) for g in case.groups):
        return False
    return alarm or all(g & ids & INFO_OK or clean_ok(g) for g in case.groups)


def reported_ids(findings: list[tuple[str, str]]) -> set[str]:
    """Ids that count as reported for per-finding scores: warning and above, or an INFO_OK id at info."""
    return {i for i, sev in findings if SEVERITY_RANK[sev] >= 2 or i in INFO_OK}


def score_cases(cases: list[Case], results: dict[str, tuple[list[tuple[str, str]], str | None]]) -> dict:
    """Problems named, healthy runs with a false alarm, per-finding precision/recall, per-case lines.

    Per finding id: TP when a problem case's label or accept set holds it and it was reported;
    FN when a problem case's *label* holds it and it was not; FP when reported on a case whose
    label and accept set do not hold it (every alarm on a healthy run is an FP of its id).
    """
    per_id: dict[str, dict[str, int]] = {}

    def bump(i: str, key: str) -> None:
        per_id.setdefault(i, {"tp": 0, "fp": 0, "fn": 0})[key] += 1

    lines = []
    scored = [c for c in cases if c.kind != "ambiguous"]
    for c in cases:
        found, err = results[c.case_id]
        ok = case_passes(c, found) and err is None
        rep = reported_ids(found)
        lines.append({"case": c.case_id, "source": c.source, "kind": c.kind, "format": c.fmt,
                      "accept": "+".join("|".join(sorted(g)) for g in c.groups) or c.kind,
                      "found": sorted({f"{i}({s})" for i, s in found}), "pass": ok, "error": err})
        if c.kind == "ambiguous":
            continue
        allowed = (set(c.label) | set().union(*c.groups)) if c.kind == "problem" else set().union(*c.groups)
        if c.kind == "problem":
            for i in c.label:
                bump(i, "tp" if i in rep else "fn")
            for i in (rep & allowed) - set(c.label):
                bump(i, "tp")
        for i in rep - allowed:
            bump(i, "fp")
    table = {}
    for i, k in sorted(per_id.items()):
        p = k["tp"] / (k["tp"] + k["fp"]) if k["tp"] + k["fp"] else None
        r = k["tp"] / (k["tp"] + k["fn"]) if k["tp"] + k["fn"] else None
        table[i] = {**k, "precision": p, "recall": r}
    problems = [ln for ln in lines if ln["kind"] == "problem"]
    healthy = [ln for ln in lines if ln["kind"] == "healthy"]
    amb = [ln for ln in lines if ln["kind"] == "ambiguous"]
    named = sum(ln["pass"] for ln in problems)
    # A healthy log that fails to load raised no alarm; it is counted apart, with the load errors.
    alarms = sum(not ln["pass"] and not ln["error"] for ln in healthy)
    # Case-level precision: of the runs flagged (some warning/error), how many were problem runs.
    flagged_problem = sum(any(SEVERITY_RANK[s] >= 2 for _, s in results[c.case_id][0]) for c in scored
                          if c.kind == "problem")
    return {"cases": len(cases), "problems": len(problems), "problems_named": named,
            "recall": named / len(problems) if problems else None,
            "healthy": len(healthy), "healthy_false_alarm": alarms,
            "false_alarm_rate": alarms / len(healthy) if healthy else None,
            "precision": flagged_problem / (flagged_problem + alarms) if flagged_problem + alarms else None,
            "micro": _micro(per_id),
            "ambiguous": len(amb), "load_errors": [ln for ln in lines if ln["error"]],
            "per_id": table, "per_case": lines}


def _micro(per_id: dict[str, dict[str, int]]) -> dict:
    tp, fp, fn = (sum(k[key] for k in per_id.values()) for key in ("tp", "fp", "fn"))
    return {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / (tp + fn) if tp + fn else None}


def diagnose_cases(cases: list[Case], timeout: float,
                   diagnose: Callable[[Path], tuple[list[tuple[str, str]], int]] = diagnose_with_library
                   ) -> dict[str, tuple[list[tuple[str, str]], str | None]]:
    out = {}
    for c in cases:
        try:
            found, _ = _with_timeout(timeout, diagnose, c.path)
            out[c.case_id] = (found, None)
        except Exception as exc:  # noqa: BLE001 - a failure is that case's result, never fatal
            out[c.case_id] = ([], f"{type(exc).__name__}: {exc}")
    return out


def index_markdown(title: str, s: dict, per_case: bool) -> str:
    lines = [f"## {title}", "",
             f"- problems named: **{s['problems_named']}/{s['problems']}** (recall {_pct(s['recall'])})",
             f"- healthy with a false alarm: **{s['healthy_false_alarm']}/{s['healthy']}** "
             f"(rate {_pct(s['false_alarm_rate'])}); run-level precision {_pct(s['precision'])} "
             "(flagged runs that are problem runs)",
             f"- per-finding micro precision {_pct(s['micro']['precision'])}, recall {_pct(s['micro']['recall'])} "
             f"(TP {s['micro']['tp']}, FP {s['micro']['fp']}, FN {s['micro']['fn']})",
             f"- ambiguous (not scored): {s['ambiguous']}; load errors: {s['load_errors'] if isinstance(s['load_errors'], int) else len(s['load_errors'])}", "",
             "| finding | TP | FP | FN | precision | recall |", "|---|---:|---:|---:|---:|---:|"]
    for i, k in s["per_id"].items():
        lines.append(f"| `{i}` | {k['tp']} | {k['fp']} | {k['fn']} | {_pct(k['precision'])} | {_pct(k['recall'])} |")
    if per_case:
        lines += ["", "| case | expected | found | result |", "|---|---|---|---|"]
        for ln in sorted(s["per_case"], key=lambda ln: (ln["pass"], ln["kind"], ln["case"])):
            res = "error: " + ln["error"] if ln["error"] else ("ok" if ln["pass"] else
                  ("not scored" if ln["kind"] == "ambiguous" else
                   "FALSE ALARM" if ln["kind"] == "healthy" else "MISSED"))
            if ln["kind"] == "ambiguous" and not ln["error"]:
                res = "not scored"
            lines.append(f"| `{ln['case']}` | {ln['accept']} | {', '.join(ln['found']) or '-'} | {res} |")
    return "\n".join(lines) + "\n"


def _case_ids_at(index: Path, rev: str) -> set[str]:
    """case_ids an INDEX.csv held at a git revision (none when it did not exist there), so that a
    batch added since can be scored on its own: its first, untouched figures."""
    import csv
    import io
    import subprocess

    root = subprocess.run(["git", "-C", str(index.parent), "rev-parse", "--show-toplevel"], capture_output=True,
                          text=True, check=True).stdout.strip()
    rel = index.resolve().relative_to(Path(root).resolve()).as_posix()
    got = subprocess.run(["git", "-C", root, "show", f"{rev}:{rel}"], capture_output=True, text=True)
    if got.returncode != 0:
        return set()
    return {r["case_id"] for r in csv.DictReader(io.StringIO(got.stdout))}


def index_main(args: argparse.Namespace) -> int:
    """Score INDEX.csv corpora per split; the per-case table only for dev (never read test cases)."""
    sources: list[tuple[str, Path]] = []
    extra = args.index or []
    if not args.no_shared:
        sources.append(("shared", SHARED_INDEX))
    for p in extra:
        sources.append((p.parent.name, p))
    if not args.no_shared and args.split in ("dev", "all") and REALDEV_INDEX.is_file() and REALDEV_INDEX not in extra:
        sources.append(("realdev", REALDEV_INDEX))
    cases: list[Case] = []
    refused = []
    for name, index in sources:
        if not index.is_file():
            print(f"{index}: no such INDEX.csv", file=sys.stderr)
            return 2
        if index != SHARED_INDEX:
            ok, why = labels_frozen(index)
            if not ok:
                refused.append(f"{name}: refused ({why})")
                continue
        try:
            rows = load_index(index, name)
        except (ValueError, KeyError, OSError) as exc:
            print(f"{index}: {exc}", file=sys.stderr)
            return 2
        if args.since and index != SHARED_INDEX:
            old = _case_ids_at(index, args.since)
            rows = [c for c in rows if c.case_id not in old]
        if args.until and index != SHARED_INDEX:
            then = _case_ids_at(index, args.until)
            rows = [c for c in rows if c.case_id in then]
        cases += [c for c in rows if args.split == "all" or c.split == args.split]
    results = diagnose_cases(cases, args.timeout)
    report = {"split": args.split, "refused": refused, "all": score_cases(cases, results)}
    by_source = sorted({c.source for c in cases})
    if len(by_source) > 1:
        report["by_source"] = {src: score_cases([c for c in cases if c.source == src], results)
                               for src in by_source}
    show_cases = args.split == "dev"
    if not show_cases:  # per-case lines of the test split are not for reading
        for part in [report["all"], *report.get("by_source", {}).values()]:
            part.pop("per_case")
            part["load_errors"] = len(part["load_errors"])
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"# traindoc accuracy on real logs: split {args.split}\n")
    for r in refused:
        print(f"- {r}")
    print(index_markdown(f"All sources ({', '.join(by_source)})", report["all"], per_case=show_cases))
    for src, s in report.get("by_source", {}).items():
        print(index_markdown(f"Source {src}", s, per_case=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score traindoc diagnoses against a labelled corpus.")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder holding labels.json")
    ap.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    ap.add_argument("--only", metavar="PREFIX", help="score only labelled paths starting with PREFIX (e.g. public/)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per file before it counts as failed")
    ap.add_argument("--split", choices=("dev", "test", "all"),
                    help="score the INDEX.csv corpora (shared real logs, realdev when frozen) on this split")
    ap.add_argument("--index", type=Path, action="append",
                    help="another INDEX.csv corpus to score with --split (needs LABELS.sha256 beside it)")
    ap.add_argument("--no-shared", action="store_true", help="with --index: leave out the shared corpus")
    ap.add_argument("--since", metavar="REV", help="score only the INDEX.csv rows added after git revision REV "
                    "(a new batch of realdev logs on its own; the shared corpus is left out)")
    ap.add_argument("--until", metavar="REV", help="score only the INDEX.csv rows that existed at git revision REV, "
                    "with the shared corpus (the dev set as it was, so a blind batch added since stays unread)")
    args = ap.parse_args(argv)
    if args.since:
        args.no_shared = True
        args.index = args.index or [REALDEV_INDEX]
    if args.split or args.index:
        args.split = args.split or "all"
        return index_main(args)
    if not (args.corpus / "labels.json").is_file():
        print(f"{args.corpus}: no labels.json (expected a labelled corpus folder)", file=sys.stderr)
        return 2
    labels = load_labels(args.corpus)
    if args.only:
        labels = [lab for lab in labels if lab.path.startswith(args.only)]
    info_ids = info_level_ids()
    results = run_corpus(args.corpus, labels, timeout=args.timeout)
    certain = [r for r in results if not r.label.uncertain]
    uncertain = [r for r in results if r.label.uncertain]
    report = {"certain": score(certain, info_ids), "uncertain": score(uncertain, info_ids),
              "by_origin": {o: score([r for r in certain if r.label.path.startswith(o + "/")], info_ids)["micro"]
                            for o in sorted({r.label.path.split("/", 1)[0] for r in certain})},
              "info_level_ids": sorted(info_ids)}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print("# traindoc diagnosis accuracy\n")
        print(markdown("Labelled runs", report["certain"]))
        print("By origin (certain labels): " + "; ".join(
            f"{o}: precision {_pct(m['precision'])}, recall {_pct(m['recall'])} (TP {m['tp']}, FP {m['fp']}, FN {m['fn']})"
            for o, m in report["by_origin"].items()) + "\n")
        print("Info-level ids (count at any severity): " + ", ".join(f"`{i}`" for i in report["info_level_ids"]) + "\n")
        if uncertain:
            print(markdown("Uncertain labels (scored apart)", report["uncertain"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
