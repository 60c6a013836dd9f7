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
