"""An mmcv ``*.log.json`` holding validation rows only (training rows not logged, or filtered out): the
rows sit at their epochs, not all at iteration 0 where no training iteration places them."""

from __future__ import annotations

import json

from traindoc.readers import load


def _lines(train: bool) -> str:
    rows = [{"env_info": "sys.platform: linux", "seed": 0}]
    for ep in range(1, 9):
        if train:
            rows += [{"mode": "train", "epoch": ep, "iter": it, "lr": 0.01, "loss": 1.0 / ep + it / 1000}
                     for it in (10, 20)]
        rows.append({"mode": "val", "epoch": ep, "iter": 18, "lr": 0.01, "accuracy_top-1": 80 + ep})
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_validation_only_rows_sit_at_their_epochs(tmp_path):
    path = tmp_path / "20230205_145641.log.json"
    path.write_text(_lines(train=False))
    run = load(path).runs[0]
    acc = run.series["val/accuracy_top-1"]
    assert list(acc.steps) == list(range(1, 9)) and acc.axis == "epoch"
    assert any("no training row" in n for n in run.meta.notes)


def test_with_training_rows_validation_stays_at_the_last_iteration_of_its_epoch(tmp_path):
    path = tmp_path / "20230205_145641.log.json"
    path.write_text(_lines(train=True))
    run = load(path).runs[0]
    assert run.series["val/accuracy_top-1"].axis == "step" and run.series["val/accuracy_top-1"].steps[0] == 20
    assert not any("no training row" in n for n in run.meta.notes)
