"""A small text file of final results loads as a run of one or two points per quantity and is judged
too-short, rather than refused (realdev rounds 28-31: speechsent ``log.txt``, tempforecast
``training_history.txt``, kidneyseg ``train_results.txt``). Configs, prose, consoles of start-up output
and unnamed numbers are still refused."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from traindoc.readers import load


def _cli(path):
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--fail-on", "never", str(path)],
                          capture_output=True, text=True, timeout=120, env=env)


def _speech_sentiment(path, train_acc: float, val_acc: float) -> None:
    """A script that writes its two final accuracies with ``print(..., file=f)``."""
    with open(path, "w") as f:
        print(f"Training accuracy: {train_acc}", file=f)
        print(f"Validation accuracy: {val_acc}", file=f)


def _forecaster(path, train: float, valid: float, lowest: float) -> None:
    """The command line, one result line in ``:.4e``, and the project's name, written on Windows."""
    with open(path, "w", newline="\r\n") as f:
        f.write("python train.py --model_fn ./model.pth --data_path ./weather.csv --learning_rate 0.01\n")
        f.write(f"train_loss={train:.4e} valid_loss={valid:.4e}, lowest_loss={lowest:.4e}\n\n\nTemperature-Forecast")


def _name_then_values(path, values: dict[str, list[float]]) -> None:
    """A dump writing each name on its line and its values tab-separated on the next (no final newline)."""
    parts = []
    for name, vals in values.items():
        parts.append(name)
        parts.append("\t".join(str(v) for v in vals))
    path.write_text("\n".join(parts))


def test_two_final_accuracies_load_as_a_one_point_run(tmp_path):
    path = tmp_path / "log.txt"
    _speech_sentiment(path, 0.8744588744588745, 0.862708719851577)
    (run,) = load(path).runs
    assert set(run.series) == {"training_accuracy", "validation_accuracy"}
    assert run.series["validation_accuracy"].values.tolist() == [0.862708719851577]
    assert "too-short" in _cli(path).stdout


def test_one_result_line_under_its_command_line(tmp_path):
    path = tmp_path / "training_history.txt"
    _forecaster(path, 1.0489e-02, 1.8394e-02, 1.7925e-02)
    (run,) = load(path).runs
    assert np.isclose(run.series["valid_loss"].values[0], 1.8394e-02)
    assert "learning_rate" not in run.series  # a setting from the command line is no result
    res = _cli(path)
    assert res.returncode == 0 and "too-short" in res.stdout


def test_names_over_their_values(tmp_path):
    path = tmp_path / "train_results.txt"
    _name_then_values(path, {"train_loss": [0.18586337767742775], "val_loss": [], "dice_metric": [1.5473, 0.53125]})
    (run,) = load(path).runs
    assert run.series["train_loss"].values.tolist() == [0.18586337767742775]
    assert run.series["dice_metric"].values.tolist() == [1.5473, 0.53125]


@pytest.mark.parametrize("name,text", [
    ("settings.txt", "lr: 0.001\nbatch_size: 32\nepochs: 10\nloss_weight: 0.5\n"),
    ("notes.txt", "We trained for 10 epochs and the loss reached 0.31 on the last day.\n"),
    ("numbers.txt", "0.31\n0.91\n"),
    ("RESULTS.md", "Training accuracy: 0.87\nValidation accuracy: 0.86\n"),
    # (start-up output around one evaluation line loads as one point: test_lone_metrics_line.py)
])
def test_what_is_no_results_file_is_still_refused(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    res = _cli(path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_three_values_of_one_quantity_are_no_final_results(tmp_path):
    from traindoc.readers._final import final_results
    path = tmp_path / "log.txt"
    path.write_text("val_loss: 0.5\ntrain_loss: 0.6\nval_loss: 0.4\ntrain_loss: 0.5\nval_loss: 0.3\n")
    assert final_results(path) is None
    path.write_text("val_loss: 0.5\ntrain_loss: 0.6\n")
    assert final_results(path) is not None
