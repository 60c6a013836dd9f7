"""JSON histories in the shapes people save them, written by the real writers (pandas ``to_json`` in
each orientation, ``json.dump`` of the dicts and lists a training loop builds): each is read as the
same curves (``readers/keras_history.py``). Controls: a JSON document naming no loss or metric and a
config file stay refused in one line."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from traindoc.readers import load, reader_for
from traindoc.run import Role

N = 15


def _h() -> dict[str, list[float]]:
    d = [0.3 + 1.7 * math.exp(-i / 5) for i in range(N)]
    return {"loss": d, "accuracy": [0.5 + 0.03 * i for i in range(N)], "val_loss": [v + 0.2 for v in d],
            "val_accuracy": [0.45 + 0.03 * i for i in range(N)]}


def _check(path, loss="loss", val="val_loss", first_x=0):
    assert reader_for(path).NAME == "keras_history"
    (run,) = load(path).runs
    s, v = run.series[loss], run.series[val]
    assert s.role == Role.TRAIN_LOSS and v.role == Role.VAL_LOSS
    assert len(s) == N and s.steps[0] == first_x and np.all(np.diff(s.steps) > 0)
    assert s.values[0] == pytest.approx(2.0) and v.values[-1] == pytest.approx(_h()["val_loss"][-1])
    return run


@pytest.mark.parametrize("orient", ["records", "index", "split", "columns", "table"])
def test_pandas_to_json_every_orientation(tmp_path, orient):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "history.json"
    pd.DataFrame(_h()).to_json(path, orient=orient)
    _check(path)


def test_one_object_per_epoch_key(tmp_path):
    path = tmp_path / "metrics.json"
    h = _h()
    json.dump({f"epoch_{i + 1}": {"train_loss": h["loss"][i], "val_loss": h["val_loss"][i]} for i in range(N)},
              path.open("w"), indent=2)
    _check(path, "train_loss", first_x=1)


def test_lists_grouped_by_split(tmp_path):
    path = tmp_path / "history.json"
    h = _h()
    json.dump({"train": {"loss": h["loss"], "acc": h["accuracy"]}, "val": {"loss": h["val_loss"], "acc": h["val_accuracy"]}},
              path.open("w"))
    run = _check(path, "train/loss", "val/loss")
    assert run.series["val/acc"].role == Role.VAL_METRIC


def test_rows_with_objects_per_split(tmp_path):
    path = tmp_path / "log.json"
    h = _h()
    json.dump([{"epoch": i + 1, "train": {"loss": h["loss"][i]}, "val": {"loss": h["val_loss"][i]}} for i in range(N)],
              path.open("w"))
    _check(path, "train/loss", "val/loss", first_x=1)


def test_step_value_pairs(tmp_path):
    path = tmp_path / "curves.json"
    h = _h()
    json.dump({"train_loss": [[100 * i, h["loss"][i]] for i in range(N)],
               "val_loss": [[100 * i, h["val_loss"][i]] for i in range(N)]}, path.open("w"))
    run = _check(path, "train_loss")
    assert run.series["train_loss"].steps[-1] == 100 * (N - 1)


def test_json_without_a_loss_or_metric_is_refused_in_one_line(tmp_path):
    path = tmp_path / "points.json"
    json.dump([{"x": i, "y": i * i} for i in range(20)], path.open("w"))
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_a_config_with_a_loss_setting_is_not_a_history(tmp_path):
    path = tmp_path / "config.json"
    json.dump({"model": {"layers": 4, "loss": "cross_entropy"}, "train": {"lr": 0.001, "epochs": 10}}, path.open("w"))
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_a_list_of_records_cut_while_written_keeps_its_complete_objects(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "history.json"
    pd.DataFrame(_h()).to_json(path, orient="records")
    text = path.read_text()
    path.write_text(text[: len(text) * 2 // 3])
    (run,) = load(path).runs
    assert 5 <= len(run.series["loss"]) < N and run.series["loss"].values[0] == pytest.approx(2.0)
    assert any("not valid JSON" in n and "complete per-epoch objects" in n for n in run.meta.notes)


# ---------------------------------------------------------------- keys that name only a split
def test_lists_keyed_by_split_in_a_file_named_for_the_loss(tmp_path):
    """``json.dump({"train": train_losses, "val": val_losses}, open("losses.json", "w"))``."""
    h = _h()
    path = tmp_path / "losses.json"
    path.write_text(json.dumps({"train": h["loss"], "val": h["val_loss"]}))
    _check(path, loss="train_loss")
    (run,) = load(path).runs
    assert any("only a split" in n for n in run.meta.notes)


def test_per_epoch_objects_keyed_by_split_in_hash_order(tmp_path):
    """One object per epoch under its number, written in a hash order (a Julia ``Dict``, a Python
    ``set`` of epochs): read in epoch order, the split keys named by the file."""
    h = _h()
    order = [7, 2, 11, 0, 5, 14, 9, 1, 3, 13, 6, 10, 4, 12, 8]
    path = tmp_path / "losses.json"
    path.write_text(json.dumps({str(e): {"val": h["val_loss"][e], "train": h["loss"][e]} for e in order}))
    (run,) = load(path).runs
    s = run.series["val_loss"]
    assert s.role is Role.VAL_LOSS and list(s.steps) == list(range(N)) and np.allclose(s.values, h["val_loss"])
    assert np.allclose(run.series["train_loss"].values, h["loss"])


@pytest.mark.parametrize("name", ["results.json", "val_loss.json"])
def test_split_keys_in_a_file_whose_name_names_no_quantity_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text(json.dumps({"train": _h()["loss"], "val": _h()["val_loss"]}))
    assert reader_for(path) is None or reader_for(path).NAME != "keras_history"


@pytest.mark.parametrize("case", ["ddpm_mnist_json_100ep", "vitaudio_json_flat_ln24k"])
def test_the_realdev_files_keyed_by_split(case):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench/corpus/realdev/logs/generic_json" / case / "losses.json"
    if not path.exists():
        pytest.skip("realdev corpus not present")
    (run,) = load(path).runs
    assert {"train_loss", "val_loss"} <= set(run.series) and np.all(np.diff(run.series["val_loss"].steps) > 0)
