"""A long, noisy run whose loss sits at ln(k) and whose accuracy sits at 1/k for the whole run is
stuck at chance, though too noisy for the flat-loss test; a run that learned a little (loss clearly
under ln k, or accuracy well above 1/k) is left alone."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from traindoc.readers import read_file
from traindoc.rules import diagnose_run
from traindoc.rules.chance_throughout import never_left_chance

K = 9
EPOCHS = 35


def _log(path: Path, loss, acc, val_loss, val_acc) -> Path:
    """A Keras CSVLogger-style file, one row per epoch."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "accuracy", "loss", "val_accuracy", "val_loss"])
        w.writerows([[i, *row] for i, row in enumerate(zip(acc, loss, val_acc, val_loss))])
    return path


def _noisy(level: float, spread: float, seed: int, drift: float = 0.0) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(level + drift * np.linspace(0, 1, EPOCHS) + rng.uniform(-spread, spread, EPOCHS))


def _found(path: Path) -> dict | None:
    (run,) = read_file(path)
    return never_left_chance(run)


def test_loss_at_ln_k_and_accuracy_at_one_over_k_all_run_is_stuck(tmp_path):
    ln = math.log(K)
    path = _log(tmp_path / "training_log.csv", _noisy(ln, 0.03, 1, -0.06), _noisy(1 / K + 0.03, 0.03, 2),
                _noisy(ln, 0.05, 3, 0.05), _noisy(1 / K + 0.01, 0.03, 4))
    found = _found(path)
    assert found and found["classes"] == K
    (run,) = read_file(path)
    assert "stuck-at-chance" in {f.id for f in diagnose_run(run)}


def test_a_loss_that_fell_clearly_under_ln_k_is_learning(tmp_path):
    ln = math.log(K)
    path = _log(tmp_path / "training_log.csv", _noisy(ln, 0.03, 1, -0.35), _noisy(1 / K + 0.03, 0.03, 2),
                _noisy(ln, 0.05, 3, -0.3), _noisy(1 / K + 0.01, 0.03, 4))
    assert _found(path) is None


def test_an_accuracy_well_above_chance_is_learning(tmp_path):
    ln = math.log(K)
    path = _log(tmp_path / "training_log.csv", _noisy(ln, 0.03, 1, -0.06), _noisy(1 / K, 0.03, 2, 0.3),
                _noisy(ln, 0.05, 3), _noisy(1 / K, 0.03, 4, 0.25))
    assert _found(path) is None


def test_too_few_evaluations_are_left_to_the_short_run_checks(tmp_path):
    ln = math.log(K)
    path = tmp_path / "training_log.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "accuracy", "loss"])
        w.writerows([[i, 1 / K + 0.01, ln * (1 + 0.01 * (-1) ** i)] for i in range(8)])
    assert _found(path) is None


def test_a_loss_in_the_hundreds_of_millions_names_no_class_count(tmp_path):
    # exp(2e8) overflows: the level is simply no ln(k).
    path = _log(tmp_path / "training_log.csv", _noisy(2e8, 1e6, 1), _noisy(0.5, 0.03, 2),
                _noisy(2e8, 1e6, 3), _noisy(0.5, 0.03, 4))
    assert _found(path) is None


def _acc_zero(path: Path, loss: list[float]) -> set[str]:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "loss", "acc"])
        w.writerows([[i + 1, v, 0] for i, v in enumerate(loss)])
    (run,) = read_file(path)
    return {f.id for f in diagnose_run(run) if f.severity.name in ("WARNING", "ERROR")}


def test_an_accuracy_of_zero_beside_a_loss_that_fell_16x_is_a_metric_not_a_class_share(tmp_path):
    ids = _acc_zero(tmp_path / "log.csv", list(0.003 * np.exp(-np.linspace(0, 2.8, 40))))
    assert "stuck-at-chance" not in ids and "loss-metric-mismatch" in ids


def test_an_accuracy_of_zero_beside_a_flat_loss_is_still_stuck(tmp_path):
    ids = _acc_zero(tmp_path / "log.csv", [2.3 + 0.002 * (-1) ** i for i in range(40)])
    assert "stuck-at-chance" in ids
