"""stuck-at-chance on runs too short for the flat-loss test (3-5 evaluations): an accuracy at
1/k on its last evaluations with the loss at ln(k), or a loss at ln(k) to four digits; and the
short healthy runs beside them that start there and leave. Also a flat loss within 3% of ln(k)
named when an accuracy at 1/k corroborates the same k (and not when the accuracy is good)."""

from __future__ import annotations

import math
import warnings

from traindoc.rules import diagnose_run
from traindoc.run import Run


def _ids(cols: dict) -> set[str]:
    x = cols.pop("epoch")
    run = Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="epoch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {f.id for f in diagnose_run(run) if f.severity.label != "info"}


def test_binary_short_run_ending_at_half_and_ln2_is_stuck():
    cols = {"epoch": [1, 2, 3, 4, 5], "loss": [0.85, 0.80, 0.74, 0.72, 0.695],
            "val_loss": [0.79, 0.75, 0.73, 0.72, 0.705], "val_accuracy": [0.37, 0.47, 0.47, 0.5, 0.5]}
    assert "stuck-at-chance" in _ids(cols)


def test_many_classes_short_run_at_one_over_k_is_stuck():
    k = 300
    cols = {"epoch": [0, 1, 2, 3], "loss": [6.9, 5.78, 5.72, 5.69],
            "val_loss": [5.80, 5.74, 5.79, 5.73], "val_accuracy": [1 / k] * 4}
    assert "stuck-at-chance" in _ids(cols)


def test_loss_at_ln_k_to_four_digits_is_stuck():
    cols = {"epoch": [0, 1, 2], "loss": [2.1, 1.6, 1.4], "head_loss": [math.log(3) + 1e-6, math.log(3), math.log(3) + 3e-6],
            "head_accuracy": [0.0, 0.0, 0.0]}
    assert "stuck-at-chance" in _ids(cols)


def test_short_binary_run_that_learns_is_not_stuck():
    # Starts at chance, leaves it: accuracy 0.5 -> 0.8, loss well under ln 2 by the end.
    cols = {"epoch": [1, 2, 3, 4, 5], "loss": [0.69, 0.62, 0.55, 0.48, 0.43],
            "val_loss": [0.69, 0.64, 0.58, 0.52, 0.49], "val_accuracy": [0.5, 0.62, 0.7, 0.76, 0.8]}
    assert "stuck-at-chance" not in _ids(cols)


def test_accuracy_at_chance_with_a_loss_below_ln_k_is_not_stuck():
    # A loss far under ln 2 learnt something: one accuracy at 0.5 alone does not say chance.
    cols = {"epoch": [1, 2, 3, 4], "loss": [0.60, 0.45, 0.40, 0.38],
            "val_accuracy": [0.55, 0.52, 0.5, 0.5]}
    assert "stuck-at-chance" not in _ids(cols)


def test_loss_near_but_not_at_ln_k_is_not_matched_exactly():
    cols = {"epoch": [0, 1, 2], "loss": [1.12, 1.11, 1.105]}  # ln 3 = 1.0986: 0.6% off, and moving
    assert "stuck-at-chance" not in _ids(cols)


def _flat(level: float, n: int, seed: int, rel: float = 0.004):
    import numpy as np

    return list(level * (1 + rel * np.random.default_rng(seed).standard_normal(n)))


def test_loss_near_ln4_with_accuracy_at_a_quarter_is_stuck():
    # 0.8% under ln 4 (too loose for the loss alone) with a training accuracy at 1/4: chance.
    n = 20
    cols = {"epoch": list(range(n)), "loss": _flat(1.375, n, 0), "val_loss": _flat(1.355, n, 1, 0.001),
            "accuracy": [0.22, 0.31, 0.24, 0.29, 0.23, 0.30, 0.25, 0.27, 0.22, 0.28] * 2, "val_accuracy": _flat(0.31, n, 3, 0.04)}
    assert "stuck-at-chance" in _ids(cols)


def test_loss_near_ln4_with_accuracy_well_above_a_quarter_is_not_stuck():
    n = 20
    cols = {"epoch": list(range(n)), "loss": _flat(1.375, n, 0), "val_loss": _flat(1.355, n, 1, 0.001),
            "accuracy": _flat(0.45, n, 2, 0.05), "val_accuracy": _flat(0.47, n, 3, 0.02)}
    assert "stuck-at-chance" not in _ids(cols)


def test_test_accuracy_at_half_beside_a_test_loss_at_ln2_is_stuck_while_training_fits():
    # Four epochs: the training loss falls (rows memorised) while the held-out split shows both
    # readings of a binary model at chance, an accuracy of exactly 1/2 and a loss at ln 2.
    cols = {"epoch": [1, 2, 3, 4], "Train Loss": [0.413, 0.358, 0.132, 0.073],
            "Test Loss": [0.6935, 0.6937, 0.6945, 0.6958], "Test Accuracy": [0.5, 0.5, 0.5, 0.5]}
    assert "stuck-at-chance" in _ids(cols)


def test_test_accuracy_that_leaves_half_beside_a_falling_test_loss_is_not_stuck():
    cols = {"epoch": [1, 2, 3, 4], "Train Loss": [0.413, 0.358, 0.132, 0.073],
            "Test Loss": [0.69, 0.61, 0.52, 0.47], "Test Accuracy": [0.5, 0.66, 0.74, 0.79]}
    assert "stuck-at-chance" not in _ids(cols)


def test_held_out_loss_below_ln2_keeps_a_half_accuracy_from_being_chance():
    # The test loss fell well under ln 2: the predictions are better than a coin, whatever the
    # last two accuracies (a balanced binary set scored at a 0.5 threshold) say.
    cols = {"epoch": [1, 2, 3, 4], "Train Loss": [0.413, 0.358, 0.132, 0.073],
            "Test Loss": [0.69, 0.55, 0.48, 0.45], "Test Accuracy": [0.5, 0.5, 0.5, 0.5]}
    assert "stuck-at-chance" not in _ids(cols)
