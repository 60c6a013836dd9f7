"""A stage column that changes where the epoch starts over joins the stages into one run; the same stage
launched again is still another run."""

from __future__ import annotations

import csv

from traindoc import diagnose
from traindoc.readers import load


def _write(path, blocks):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["stage", "epoch", "train_loss", "val_loss", "val_accuracy"])
        loss = 1.0
        for stage, epochs in blocks:
            for e in range(1, epochs + 1):
                loss *= 0.95
                w.writerow([stage, e, round(loss, 4), round(loss + 0.05, 4), round(1.2 - loss, 4)])


def test_stages_counting_their_own_epochs_are_one_run(tmp_path):
    path = tmp_path / "training_log.csv"
    _write(path, [(1, 5), (2, 15)])
    result = load(path)
    assert len(result.runs) == 1
    run = result.runs[0]
    assert list(run.series["train_loss"].steps) == list(range(1, 21))
    assert any("next stage of the same training" in n for n in run.meta.notes)
    assert not any(f.id == "appended-runs" for f in diagnose(run))


def test_a_stage_launched_again_is_still_another_run(tmp_path):
    path = tmp_path / "training_log.csv"
    _write(path, [(1, 12), (2, 8), (2, 12)])
    runs = load(path).runs
    assert len(runs) == 2
    assert len(runs[0].series["train_loss"]) == 20 and len(runs[1].series["train_loss"]) == 12
    assert any(f.id == "appended-runs" for f in diagnose(runs[1]))
