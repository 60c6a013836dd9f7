"""stuck-at-chance from the held-out loss: every third of the validation loss within 15% of ln(k)
beside a validation accuracy near 1/k, k from the log or from both first losses at ln(k); a
classifier whose validation loss leaves ln(k), or whose accuracy is well clear of chance, or whose
first training loss says another k, is left alone."""

from __future__ import annotations

import math
import warnings

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules.chance_heldout import held_out_at_chance
from traindoc.run import Run


def _run(cols: dict) -> Run:
    x = cols.pop("epoch")
    return Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="epoch")


def _cols(val_loss_end: float, acc_end: float, train_first: float, n: int = 30, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    ln4 = math.log(4)
    val = list(ln4 + 0.005 + (val_loss_end - ln4) * (1 - np.exp(-np.arange(n) / 4)) + 0.02 * rng.standard_normal(n))
    val[0] = ln4 + 0.005
    train = list(train_first * (0.6 / train_first) ** (np.arange(n) / (n - 1)))  # training keeps fitting
    acc = list(np.clip(0.25 + (acc_end - 0.25) * (1 - np.exp(-np.arange(n) / 4)) + 0.04 * rng.standard_normal(n), 0, 1))
    return {"epoch": list(range(1, n + 1)), "train/loss": train, "val/loss": val, "val_accuracy": acc}


def _ids(run: Run) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_validation_loss_held_at_ln4_with_accuracy_near_chance_is_stuck():
    run = _run(_cols(val_loss_end=1.28, acc_end=0.42, train_first=1.40))
    hit = held_out_at_chance(run)
    assert hit is not None and hit["classes"] == 4 and hit["series"] == "val/loss"
    assert "stuck-at-chance" in _ids(run)


def test_validation_loss_that_leaves_ln_k_is_not_stuck():
    run = _run(_cols(val_loss_end=0.70, acc_end=0.42, train_first=1.40))
    assert held_out_at_chance(run) is None


def test_accuracy_well_clear_of_chance_is_not_stuck():
    run = _run(_cols(val_loss_end=1.28, acc_end=0.70, train_first=1.40))
    assert held_out_at_chance(run) is None


def test_first_training_loss_off_ln_k_leaves_k_unmatched():
    # The first validation loss comes after a first epoch: ln 4 there is a coincidence when the
    # first training loss says otherwise (1.9, near ln 7).
    run = _run(_cols(val_loss_end=1.28, acc_end=0.42, train_first=1.95))
    assert held_out_at_chance(run) is None


def test_training_fit_beside_held_out_chance_leads_the_causes():
    # The training loss fell 1.40 -> 0.60 while validation stayed at chance: what the model learns on
    # the training rows does not carry over, so the causes lead with the data, not the step size.
    run = _run(_cols(val_loss_end=1.28, acc_end=0.42, train_first=1.40))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = next(f for f in diagnose_run(run) if f.id == "stuck-at-chance")
    assert "train/loss fell" in f.causes[0] and "val/loss stayed at chance" in f.causes[0]
    assert "under ln(4)" in f.title


def _pinned_run(val_acc, train_acc, loss=None):
    from traindoc.run import Run

    n = len(val_acc)
    x = list(range(1, n + 1))
    cols = {"val_acc": val_acc, "train_acc": train_acc,
            "loss": loss if loss is not None else list(300000 * np.exp(-np.arange(n) / 30) + 60000)}
    return Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="epoch")


def test_held_out_accuracy_pinned_at_one_tenth_while_training_accuracy_climbs_is_chance():
    # A summed loss (hundreds of thousands) names no k; the two accuracies still do: the held-out one
    # sits on 1/10 within sampling noise at every evaluation while the training one climbs to 0.67.
    from traindoc.rules.chance_heldout import held_out_accuracy_pinned
    from traindoc.rules import diagnose_run

    rng = np.random.default_rng(0)
    run = _pinned_run(list(0.1 + rng.normal(0, 0.002, 40)), list(np.linspace(0.13, 0.67, 40)))
    st = held_out_accuracy_pinned(run)
    assert st is not None and st["classes"] == 10
    assert "stuck-at-chance" in {f.id for f in diagnose_run(run)}


def test_held_out_accuracy_that_wanders_around_one_quarter_is_not_pinned():
    from traindoc.rules.chance_heldout import held_out_accuracy_pinned

    rng = np.random.default_rng(1)
    run = _pinned_run(list(0.25 + rng.normal(0, 0.03, 40)), list(np.linspace(0.3, 0.9, 40)))
    assert held_out_accuracy_pinned(run) is None


def test_a_plateau_at_one_quarter_with_training_accuracy_beside_it_is_not_pinned():
    # A 4-class model whose training accuracy stays near its held-out one: a weak model, not a
    # memorising one; the held-out accuracy alone does not say chance.
    from traindoc.rules.chance_heldout import held_out_accuracy_pinned

    rng = np.random.default_rng(2)
    run = _pinned_run(list(0.25 + rng.normal(0, 0.002, 40)), list(0.3 + rng.normal(0, 0.01, 40)))
    assert held_out_accuracy_pinned(run) is None
