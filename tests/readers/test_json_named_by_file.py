"""JSON written with ``json.dump`` whose keys name nothing a rule knows, in a file named for what they
are (``losses.json`` of a CycleGAN: ``{"L_G": [...], "L_D": [...]}``), and a JSON of final evaluation
numbers only (no epoch, no curve): both read, the second as a run with nothing to judge."""

from __future__ import annotations

import json

import numpy as np
import pytest

from traindoc import diagnose
from traindoc.readers import load, reader_for
from traindoc.run import Role


def _dump(path, obj) -> None:
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=2)


def test_lists_under_unnamed_keys_in_a_losses_file_are_losses(tmp_path):
    g = (2.7 * np.exp(-np.arange(30) / 10) + 1).tolist()
    d = (0.6 + 0.05 * np.sin(np.arange(30))).tolist()
    path = tmp_path / "losses.json"
    _dump(path, {"L_G": g, "L_C": [x * 3 for x in g], "L_D": d})
    (run,) = load(path).runs
    assert {run.series[k].role for k in ("L_G", "L_C", "L_D")} == {Role.TRAIN_LOSS}
    assert np.allclose(run.series["L_D"].values, d) and list(run.series["L_D"].steps) == list(range(30))


def test_beside_keys_that_name_losses_an_unnamed_key_stays_what_it_is(tmp_path):
    """{train_losses, val_losses, tokens_seen}: the token count is no loss."""
    path = tmp_path / "losses.json"
    _dump(path, {"train_losses": [10.5, 7.0, 5.6, 4.9], "val_losses": [10.4, 7.0, 5.8, 5.0],
                 "track_tokens_seen": [1024, 11264, 21504, 31744]})
    (run,) = load(path).runs
    assert run.series["track_tokens_seen"].role == Role.OTHER
    assert run.series["val_losses"].role == Role.VAL_LOSS


def test_the_same_lists_in_a_file_named_for_nothing_are_not_claimed(tmp_path):
    path = tmp_path / "data.json"
    _dump(path, {"L_G": [2.6, 1.5, 1.2], "L_D": [0.3, 0.2, 0.25]})
    assert reader_for(path) is None


def test_a_final_metrics_json_is_a_run_with_no_curve_and_says_too_short(tmp_path):
    path = tmp_path / "metrics.json"
    _dump(path, {"Precision": 0.84375, "Recall": 1.0, "Mean_IoU": 0.876, "mAP": 0.9908})
    (run,) = load(path).runs
    assert not run.series and any("final values only" in n for n in run.meta.notes)
    assert any("Precision=0.8438" in n for n in run.meta.notes)
    assert [f.id for f in diagnose(run)] == ["too-short"]


@pytest.mark.parametrize("doc", [
    {"loss_weight": 1.0, "batch_size": 32, "seed": 0, "epochs": 100},  # a config: mostly settings
    {"train_runtime": 120.5, "train_loss": 0.41, "train_samples_per_second": 88.1},  # the Trainer's all_results.json
])
def test_settings_or_a_trainer_summary_are_not_final_metrics(tmp_path, doc):
    path = tmp_path / "results.json"
    _dump(path, doc)
    assert reader_for(path) is None or reader_for(path).NAME != "keras_history"
