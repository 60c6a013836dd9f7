"""A counter glued to its abbreviation with its total after it, as a hand-written f-string prints it
(``print(f"[Fold {k}] Head E{e}/{n}: train_loss={loss:.4f}")``): read as the epoch counter, so the
epochs are one curve, and cross-validation folds (the counter starting over) are separate runs, never
a resume spike. Controls: a number glued to a word with no total after it ("resnet50", "conv1") is
no counter, and "E1/6" inside a longer word is left alone."""

from __future__ import annotations

import contextlib
import math

from traindoc.readers import load
from traindoc.readers.text.parser import unglue_counters
from traindoc.rules import diagnose_run


def _folds(path, folds: int, epochs: int) -> None:
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for k in range(folds):
            print(f"=== Training fold {k} ===")
            for e in range(1, epochs + 1):
                loss = 4.0 * math.exp(-e / 4) + 0.3 + 0.02 * k
                print(f"[Fold {k}] E{e}/{epochs}: train_loss={loss:.4f} val_loss={loss + 0.2:.4f}")
        print("CV val_loss per fold: [0.51, 0.53, 0.55] mean: 0.53")


def test_glued_epoch_counter_gives_one_curve_per_fold(tmp_path):
    path = tmp_path / "train_history.txt"
    _folds(path, 3, 12)
    runs = load(path).runs
    assert len(runs) == 3
    for run in runs:
        s = run.series["train_loss"]
        assert s.axis == "epoch" and list(s.steps) == list(range(1, 13))


def test_folds_are_appended_runs_not_a_resume_spike(tmp_path):
    path = tmp_path / "train_history.txt"
    _folds(path, 3, 12)
    ids = {f.id for run in load(path).runs for f in diagnose_run(run)}
    assert "appended-runs" in ids and "resume-spike" not in ids


def test_unglue_only_counters_with_a_total():
    assert unglue_counters("[Fold 0] Head E1/6: loss=1") == "[Fold 0] Head Epoch 1/6: loss=1"
    assert unglue_counters("It200/5000 loss 3.1") == "Iter 200/5000 loss 3.1"
    assert unglue_counters("resnet50 conv1 loss 0.5/1") == "resnet50 conv1 loss 0.5/1"
    assert unglue_counters("FILE1/6 and x.E1/6") == "FILE1/6 and x.E1/6"
