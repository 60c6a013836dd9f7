"""A loss whose definition changes mid-run: a logged loss weight switched on (a domain-adversarial
``dann_lambda``) makes the loss step up by design, and a loss column that is 0.0 in every row beside
a climbing metric was never recorded. Neither is divergence nor a model that learns nothing; the same
curves without the weight, or with a metric that does not move, still are."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from traindoc.findings import Severity
from traindoc.readers import read_file
from traindoc.rules import diagnose_run
from traindoc.rules._loss_weights import settled_from, weight_step_between

RNG = np.random.default_rng(14)
EPOCHS = np.arange(1, 21)
# Falls for four epochs, then a term near ln 2 joins the loss and it sits there.
STEP_LOSS = np.concatenate([[0.115, 0.045, 0.028, 0.022], 0.70 + 0.004 * RNG.standard_normal(16)])
VAL_LOSS = 0.02 + 0.004 * RNG.random(20)


def _write(path: Path, cols: dict[str, np.ndarray]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", *cols])
        n = len(next(iter(cols.values())))
        w.writerows([[int(e), *(float(v[i]) for v in cols.values())] for i, e in enumerate(EPOCHS[:n])])
    return path


def _alarms(path: Path) -> tuple[set[str], list[str]]:
    (run,) = read_file(path)
    found = {f.id for f in diagnose_run(run) if f.severity >= Severity.WARNING}
    return found, run.meta.notes


def test_a_loss_step_when_a_loss_weight_switches_on_is_not_divergence(tmp_path):
    lam = np.concatenate([np.zeros(4), 0.3 * (1 - np.exp(-0.35 * np.arange(1, 17)))])
    found, notes = _alarms(_write(tmp_path / "history.csv", {"train_loss": STEP_LOSS, "val_loss": VAL_LOSS,
                                                              "dann_lambda": lam}))
    assert "divergence" not in found
    assert any("dann_lambda" in n for n in notes)


def test_the_same_step_without_a_weight_column_is_still_divergence(tmp_path):
    found, _ = _alarms(_write(tmp_path / "history.csv", {"train_loss": STEP_LOSS, "val_loss": VAL_LOSS}))
    assert "divergence" in found


def _cut(cols: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {k: v[:n] for k, v in cols.items()}


def test_a_loss_step_when_a_loss_weight_switches_on_is_no_spike_early_in_the_run(tmp_path):
    # The same run read at epoch 8: too short for divergence, the step read as a spike that never recovers.
    lam = np.concatenate([np.zeros(4), 0.3 * (1 - np.exp(-0.35 * np.arange(1, 17)))])
    cols = _cut({"train_loss": STEP_LOSS, "val_loss": VAL_LOSS, "dann_lambda": lam}, 8)
    found, notes = _alarms(_write(tmp_path / "history.csv", cols))
    assert not found
    assert any("dann_lambda" in n and "loss-spikes" in n for n in notes)
    # Control: the same eight epochs without the weight column, or with the weight switched on later.
    found, _ = _alarms(_write(tmp_path / "plain.csv", _cut({"train_loss": STEP_LOSS, "val_loss": VAL_LOSS}, 8)))
    assert "loss-spikes" in found
    late = np.concatenate([np.zeros(6), np.full(14, 0.3)])
    found, _ = _alarms(_write(tmp_path / "late.csv", _cut({"train_loss": STEP_LOSS, "val_loss": VAL_LOSS,
                                                           "dann_lambda": late}, 8)))
    assert "loss-spikes" in found


def test_the_step_is_still_divergence_when_the_weight_moved_elsewhere(tmp_path):
    # The weight switched on at epoch 12, long after the explosion at epoch 5: no excuse for it.
    lam = np.concatenate([np.zeros(11), np.full(9, 0.3)])
    found, _ = _alarms(_write(tmp_path / "history.csv", {"train_loss": STEP_LOSS, "val_loss": VAL_LOSS,
                                                          "dann_lambda": lam}))
    assert "divergence" in found


ZEROS = np.zeros(20)


def test_a_loss_logged_as_zero_beside_a_climbing_metric_is_not_no_learning(tmp_path):
    m = np.concatenate([[0.0], 0.12 + 0.18 * (1 - np.exp(-np.arange(19) / 6)) + 0.01 * RNG.standard_normal(19)])
    found, _ = _alarms(_write(tmp_path / "epoch_log.csv", {"box_loss": ZEROS, "cls_loss": ZEROS, "mAP50-95": m}))
    assert "no-learning" not in found


def test_a_loss_logged_as_zero_beside_a_flat_metric_is_still_no_learning(tmp_path):
    m = 0.2 + 0.01 * RNG.standard_normal(20)
    found, _ = _alarms(_write(tmp_path / "epoch_log.csv", {"box_loss": ZEROS, "cls_loss": ZEROS, "mAP50-95": m}))
    assert "no-learning" in found


def test_loss_weight_names_and_settling(tmp_path):
    beta = np.minimum(1.0, 0.1 * EPOCHS)
    path = _write(tmp_path / "log.csv", {"loss": 1.0 / EPOCHS, "beta": beta, "weight_decay": 0.01 * EPOCHS,
                                         "adam_beta1": 0.9 - 0.01 * EPOCHS, "fc_weight_mean": 0.1 * EPOCHS,
                                         "weights": 0.2 * EPOCHS})
    (run,) = read_file(path)
    assert settled_from(run) == ("beta", 10.0)  # beta reaches 1.0 at epoch 10; decay, Adam's beta1 and layer weights are no loss weights
    assert weight_step_between(run, 2.0, 3.0) is not None  # 0.2 -> 0.3
    assert weight_step_between(run, 12.0, 15.0) is None


def test_training_stepping_up_when_the_weight_switches_on_is_not_both_rising_or_stalled(tmp_path):
    # Validation a little worse after the switch too (the adversarial term costs some fit): still the
    # change of objective, not a model getting worse. The same curves with no weight logged are.
    lam = np.concatenate([np.zeros(4), np.full(4, 0.1)])
    val = np.array([0.032, 0.045, 0.0098, 0.0081, 0.0053, 0.027, 0.026, 0.0275])
    cols = {"train_loss": STEP_LOSS[:8], "val_loss": val}
    found, notes = _alarms(_write(tmp_path / "a.csv", cols | {"dann_lambda": lam}))
    assert not found & {"both-rising", "stalled", "divergence"}
    plain, _ = _alarms(_write(tmp_path / "b.csv", cols))
    assert plain & {"both-rising", "stalled", "divergence"}


def test_validation_climbing_beside_a_loss_never_recorded_is_not_val_without_train(tmp_path):
    m = np.concatenate([[0.0], 0.12 + 0.18 * (1 - np.exp(-np.arange(19) / 6)) + 0.005 * RNG.standard_normal(19)])
    found, _ = _alarms(_write(tmp_path / "epoch_log.csv", {"box_loss": ZEROS, "mAP50-95": m}))
    assert not found & {"val-without-train", "no-learning"}


def test_a_reconstruction_term_held_level_while_the_kl_weight_anneals_is_not_no_learning(tmp_path):
    # recon_loss falls for four epochs, then creeps up 2% as beta grows and eases once it holds.
    recon = np.concatenate([[236.0, 216.4, 213.9, 213.2], 213.0 + 0.25 * np.arange(16)])
    kld = 44.0 * np.exp(-EPOCHS / 12.0) + 16.0
    beta = np.minimum(1.0, 0.05 * EPOCHS)
    found, notes = _alarms(_write(tmp_path / "training_log.csv", {"recon_loss": recon, "kld": kld, "beta": beta}))
    assert "no-learning" not in found and any("recon_loss" in n and "beta" in n for n in notes)
    # The same term with no schedule logged reads as flat from the start.
    plain, _ = _alarms(_write(tmp_path / "plain.csv", {"recon_loss": recon, "kld": kld}))
    assert "no-learning" in plain


def test_a_total_loss_flat_under_an_annealed_weight_is_still_no_learning(tmp_path):
    loss = np.concatenate([[1.142, 1.058], 1.06 + 0.002 * RNG.standard_normal(18)])
    beta = np.minimum(1.0, 0.1 * (EPOCHS - 1))
    found, _ = _alarms(_write(tmp_path / "training_history.csv", {"loss": loss, "beta": beta}))
    assert "no-learning" in found


def test_a_live_run_diagnosed_as_it_grows_keeps_one_note_per_series_and_finding():
    # A loss that keeps rising while its weight keeps growing: every longer prefix names a new value.
    from traindoc.run import Run, Series

    x = np.arange(1, 41, dtype=float)
    weight = 0.02 * x
    loss = np.concatenate([np.geomspace(1.0, 0.2, 8), 0.2 + 0.05 * np.arange(32)])
    run = Run(name="live", source="live", format="test")
    for n in range(12, 41, 4):
        run.add(Series.named("train_loss", x[:n], loss[:n]))
        run.add(Series.named("kl_weight", x[:n], weight[:n]))
        diagnose_run(run)
    mine = [n for n in run.meta.notes if "kl_weight" in n]
    assert mine and len(mine) == len({(n.split(" ")[0], n.rsplit("so ", 1)[1]) for n in mine})
