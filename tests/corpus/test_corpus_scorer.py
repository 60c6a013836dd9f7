"""The scorer's arithmetic on a tiny made-up corpus, with a fake diagnose function."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_accuracy", ROOT / "bench" / "accuracy.py")
acc = importlib.util.module_from_spec(_spec)
sys.modules["bench_accuracy"] = acc
_spec.loader.exec_module(acc)

LABELS = [
    acc.Label("a.csv", expected=["overfitting"], allowed=["loss-spikes"]),
    acc.Label("b.csv", expected=["nonfinite", "divergence"]),
    acc.Label("c.csv", healthy=True, allowed=["loss-spikes"]),
    acc.Label("d.csv", healthy=True),
    acc.Label("e.csv", expected=["late-start"]),
    acc.Label("f.csv", expected=["stalled"]),
]
FINDINGS = {
    "a.csv": [("overfitting", "warning"), ("loss-spikes", "warning")],   # TP + allowed extra
    "b.csv": [("nonfinite", "error"), ("divergence", "info")],            # divergence only at info: FN
    "c.csv": [("loss-spikes", "warning"), ("stalled", "info")],           # allowed warning; info is no alarm
    "d.csv": [("overfitting", "warning")],                                # false alarm + FP
    "e.csv": [("late-start", "info")],                                    # info-level id: TP at info
}


def fake(path: Path):
    name = path.name
    if name == "f.csv":
        raise ValueError("unreadable")
    return FINDINGS[name], 1


def test_counts_precision_recall_and_false_alarms():
    results = acc.run_corpus(Path("/nowhere"), LABELS, diagnose=fake)
    s = acc.score(results, frozenset({"late-start"}))
    t = s["per_id"]
    assert (t["overfitting"]["tp"], t["overfitting"]["fp"], t["overfitting"]["fn"]) == (1, 1, 0)
    assert t["overfitting"]["precision"] == 0.5 and t["overfitting"]["recall"] == 1.0
    assert (t["divergence"]["tp"], t["divergence"]["fn"]) == (0, 1) and t["divergence"]["recall"] == 0.0
    assert t["divergence"]["precision"] is None
    assert (t["nonfinite"]["tp"], t["late-start"]["tp"]) == (1, 1)
    assert t["stalled"]["fn"] == 1 and "loss-spikes" not in t
    assert s["healthy_with_false_alarm"] == 1 and s["false_alarms"] == [{"path": "d.csv", "ids": ["overfitting"]}]
    assert s["micro"] == {"tp": 3, "fp": 1, "fn": 2, "precision": 0.75, "recall": 0.6}
    assert [f["path"] for f in s["load_errors"]] == ["f.csv"] and "unreadable" in s["load_errors"][0]["error"]
    assert s["files_ok"] == 3  # a, c, e


def test_info_level_id_not_counted_when_not_info_level():
    results = acc.run_corpus(Path("/nowhere"), [LABELS[4]], diagnose=fake)
    s = acc.score(results, frozenset())
    assert s["per_id"]["late-start"] == {"tp": 0, "fp": 0, "fn": 1, "precision": None, "recall": 0.0}


def test_cli_json_on_a_tiny_corpus(tmp_path):
    """End to end through the library: the CLI runs, emits JSON, and reports what it could not read."""
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01not a log")
    (tmp_path / "labels.json").write_text(json.dumps({"junk.bin": {"expected": ["nonfinite"], "reason": "x"}}))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "accuracy.py"), "--corpus", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["certain"]["per_id"]["nonfinite"]["fn"] == 1
    assert rep["certain"]["load_errors"][0]["path"] == "junk.bin"


def test_cli_rejects_a_folder_without_labels(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "accuracy.py"), "--corpus", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "labels.json" in out.stderr


def test_a_hanging_file_is_reported_not_waited_for():
    import time

    def slow(path: Path):
        if path.name == "slow.csv":
            time.sleep(5)
        return [("overfitting", "warning")], 1

    labels = [acc.Label("slow.csv", expected=["overfitting"]), acc.Label("fast.csv", expected=["overfitting"])]
    t0 = time.time()
    results = acc.run_corpus(Path("/nowhere"), labels, diagnose=slow, timeout=0.3)
    assert time.time() - t0 < 3
    assert "FileTimeout" in results[0].error and results[1].error is None
    s = acc.score(results, frozenset())
    assert s["per_id"]["overfitting"] == {"tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5}


# ------------------------------------------------------------------ INDEX.csv mode (real-log corpora)

def _case(accept: str, label: str = "") -> "acc.Case":
    kind = accept if accept in ("healthy", "ambiguous") else "problem"
    return acc.Case("c", Path("x"), (label or accept).split(";"), acc.parse_accept(accept) if kind == "problem" else [],
                    "dev", kind, "t")


def test_accept_groups_alternatives_and_info_exception():
    assert acc.parse_accept("a|b+c") == [{"a", "b"}, {"c"}]
    both = _case("appended-runs+both-rising|divergence")
    assert not acc.case_passes(both, [("both-rising", "warning")])  # the appended-runs group is unmatched
    assert acc.case_passes(both, [("both-rising", "warning"), ("appended-runs", "info")])
    over = _case("overfitting|loss-metric-mismatch")
    assert not acc.case_passes(over, [("overfitting", "info")])  # not an info-allowed id, no warning
    assert acc.case_passes(over, [("overfitting", "info"), ("loss-spikes", "warning")])
    assert acc.case_passes(_case("late-start"), [("late-start", "info")])  # info-allowed id alone
    assert not acc.case_passes(_case("late-start|overfitting"), [("overfitting", "info")])
    healthy = _case("healthy")
    assert acc.case_passes(healthy, [("loss-spikes", "info")])
    assert not acc.case_passes(healthy, [("loss-spikes", "warning")])


def test_a_group_listing_healthy_is_met_by_a_report_without_alarm():
    short = _case("too-short|healthy", "too-short")
    assert acc.case_passes(short, [])  # nothing raised: the labeller accepted a clean report
    assert acc.case_passes(short, [("loss-spikes", "info")])
    assert acc.case_passes(short, [("too-short", "info")])
    assert not acc.case_passes(short, [("overfitting", "warning")])  # an alarm the label does not accept
    both = _case("healthy|late-start+too-short", "late-start")
    assert not acc.case_passes(both, [])  # the too-short group still has to be named
    assert acc.case_passes(both, [("too-short", "info")])


def test_a_run_labelled_healthy_stays_healthy_when_its_accept_tolerates_an_id(tmp_path):
    index = _write_index(tmp_path, [("calm", "healthy", "healthy|oscillation")])
    (case,) = acc.load_index(index)
    assert case.kind == "healthy"  # scored as a healthy run, not as a problem to name
    assert acc.case_passes(case, [])
    assert acc.case_passes(case, [("oscillation", "warning")])  # the labeller tolerated this one
    assert not acc.case_passes(case, [("divergence", "error")])  # any other alarm is a false alarm
    s = acc.score_cases([case], {"calm": ([("divergence", "error")], None)})
    assert s["healthy_false_alarm"] == 1 and s["problems"] == 0


def _write_index(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    index = folder / "INDEX.csv"
    with index.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["case_id", "file", "label", "accept", "split"])
        for cid, label, accept in rows:
            w.writerow([cid, f"logs/{cid}.csv", label, accept, "dev"])
    return index


def test_score_cases_counts_named_alarms_and_sets_ambiguous_apart(tmp_path):
    index = _write_index(tmp_path, [("p1", "overfitting", "overfitting"), ("p2", "nonfinite", "nonfinite"),
                                    ("h1", "healthy", "healthy"), ("h2", "healthy", "healthy"),
                                    ("h3", "healthy", "healthy"), ("a1", "ambiguous", "ambiguous")])
    cases = acc.load_index(index, "t")
    results = {"p1": ([("overfitting", "warning")], None), "p2": ([("nonfinite", "info")], None),
               "h1": ([("loss-spikes", "warning")], None), "h2": ([], None), "h3": ([], "InputError: bad"),
               "a1": ([("overfitting", "warning")], None)}
    s = acc.score_cases(cases, results)
    assert (s["problems_named"], s["problems"], s["healthy_false_alarm"], s["healthy"], s["ambiguous"]) == (1, 2, 1, 3, 1)
    assert s["per_id"]["overfitting"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0}
    assert s["per_id"]["nonfinite"]["fn"] == 1 and s["per_id"]["loss-spikes"]["fp"] == 1
    assert s["precision"] == 0.5 and len(s["load_errors"]) == 1


def test_extra_index_refused_unless_its_labels_hash_matches(tmp_path, capsys):
    import hashlib

    index = _write_index(tmp_path / "realdev", [("h1", "healthy", "healthy")])
    ok, why = acc.labels_frozen(index)
    assert not ok and "LABELS.sha256" in why
    (index.parent / "LABELS.sha256").write_text("0" * 64 + "  INDEX.csv\n")
    assert not acc.labels_frozen(index)[0]
    (index.parent / "LABELS.sha256").write_text(hashlib.sha256(index.read_bytes()).hexdigest() + "  INDEX.csv\n")
    assert acc.labels_frozen(index) == (True, "")
    # Through main: a refused index is named and scores nothing.
    (index.parent / "LABELS.sha256").write_text("f" * 64 + "\n")
    assert acc.main(["--index", str(index), "--no-shared", "--split", "dev", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["refused"] and out["all"]["cases"] == 0
