"""The data model and registry contracts everything else builds on."""

import subprocess
import sys

import numpy as np
import pytest

from traindoc.findings import Finding, Severity
from traindoc.run import Role, Run, Series, infer_role


@pytest.mark.parametrize("name,role", [
    ("loss", Role.TRAIN_LOSS), ("val_loss", Role.VAL_LOSS), ("eval_loss", Role.VAL_LOSS),
    ("train/loss", Role.TRAIN_LOSS), ("train_loss_step", Role.TRAIN_LOSS), ("total_loss", Role.TRAIN_LOSS),
    ("epoch_loss", Role.TRAIN_LOSS), ("val_acc", Role.VAL_METRIC), ("eval_accuracy", Role.VAL_METRIC),
    ("coco/bbox_mAP", Role.VAL_METRIC), ("lr-Adam", Role.LR), ("learning_rate", Role.LR),
    ("grad_norm", Role.GRAD_NORM), ("epoch", Role.OTHER), ("train_runtime", Role.OTHER),
    ("metrics/mAP50(B)", Role.VAL_METRIC), ("accuracy", Role.TRAIN_METRIC), ("gnorm", Role.GRAD_NORM),
    ("bbox/APs", Role.VAL_METRIC), ("lr-Adam-momentum", Role.OTHER), ("lr-SGD/pg1", Role.LR),
])
def test_roles_inferred_from_framework_names(name, role):
    assert infer_role(name).role == role


def test_lower_is_better_metrics_are_marked():
    assert infer_role("eval_wer").higher_is_better is False
    assert infer_role("val_acc").higher_is_better is True


def test_primary_loss_prefers_total_over_components():
    run = Run.from_columns("r", "x", "test", {
        "loss_cls": ([0, 1], [1.0, 0.5]), "loss": ([0, 1], [2.0, 1.0]), "loss_bbox": ([0, 1], [1.0, 0.5])})
    assert run.primary(Role.TRAIN_LOSS).name == "loss"


def test_series_keeps_nonfinite_and_summarises_finite_only():
    s = Series.named("loss", [0, 1, 2, 3], [1.0, float("nan"), float("inf"), 0.5])
    d = s.summary()
    assert d["nonfinite"] == 2 and d["min"] == 0.5 and d["max"] == 1.0 and len(s) == 4


def test_user_override_of_role():
    run = Run.from_columns("r", "x", "test", {"objective": ([0, 1], [1.0, 0.5])})
    assert run.series["objective"].role == Role.OTHER
    run.apply_overrides({"objective": "train_loss"})
    assert run.primary(Role.TRAIN_LOSS).name == "objective"


def test_finding_json_is_plain():
    f = Finding("nonfinite", Severity.ERROR, "NaN", ["loss"], [np.float64(3.0), 7.0],
                {"share": np.float32(0.5), "first": float("nan")})
    out = f.to_json()
    assert out["severity"] == "error" and out["steps"] == [3, 7] and out["evidence"]["first"] == "nan"
    assert set(out) == {"id", "severity", "title", "series", "steps", "evidence", "causes", "fixes",
                      "verdict", "verdict_reason"}


def test_cli_missing_path_is_one_line_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "traindoc", "show", str(tmp_path / "nope.csv")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "nope.csv" in proc.stderr and "Traceback" not in proc.stderr


def test_every_catalogued_finding_has_a_rule_and_a_page():
    """FINDINGS.md is the contract: each id is registered and documented (explain ID works)."""
    import re
    from pathlib import Path

    from traindoc.rules import RULES

    catalogue = Path(__file__).resolve().parents[2] / "shared" / "FINDINGS.md"
    if not catalogue.exists():
        pytest.skip("shared/FINDINGS.md is not beside this checkout")
    ids = set(re.findall(r"^\| `([a-z-]+)` \|", catalogue.read_text(), flags=re.M))
    assert len(ids) >= 37
    assert ids <= set(RULES), sorted(ids - set(RULES))
    for finding_id in ids:
        assert RULES[finding_id].doc_path.exists(), finding_id
