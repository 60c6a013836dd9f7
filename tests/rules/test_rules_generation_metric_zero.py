"""A generation metric (BLEU, ROUGE) exactly 0 at every one of 5+ evaluations beside losses that fall
steadily but by less than 20% (an early seq2seq run: 6.1 -> 5.1 over five evaluations). Exactly 0 at
every evaluation is no slow start: nothing the model generates shares an n-gram with the references,
while the loss says it changes (loss-metric-mismatch). Controls: BLEU that is 0 at the first
evaluations and then scores; BLEU at 0 beside losses that do not fall at all; a held-out loss that
stays put while the training loss falls (the task was never learned: no-learning)."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

EVALS = 5


def _run(bleu, eval_loss, train_loss) -> Run:
    run = Run(name="r", source="r", format="test")
    e = np.arange(1, EVALS + 1, dtype=float) * 20
    t = np.arange(1, 2 * EVALS + 1, dtype=float) * 10
    run.add(Series.named("loss", t, np.asarray(train_loss, float)))
    run.add(Series.named("eval_loss", e, np.asarray(eval_loss, float)))
    run.add(Series.named("eval_bleu", e, np.asarray(bleu, float)))
    return run


def _ids(run: Run) -> set[str]:
    return {f.id for f in diagnose_run(run)}


STEADY_VAL = [6.07, 5.59, 5.31, 5.16, 5.11]
STEADY_TRAIN = np.linspace(6.7, 5.6, 2 * EVALS) + 0.1 * np.tile([1, -1], EVALS)


def test_bleu_zero_throughout_beside_steadily_falling_losses_is_a_mismatch():
    assert "loss-metric-mismatch" in _ids(_run([0.0] * EVALS, STEADY_VAL, STEADY_TRAIN))


def test_bleu_that_leaves_zero_is_not():
    assert "loss-metric-mismatch" not in _ids(_run([0.0, 0.0, 1.2, 3.5, 6.1], STEADY_VAL, STEADY_TRAIN))


def test_bleu_zero_beside_losses_that_do_not_fall_is_not_a_mismatch():
    flat_val = [6.07, 6.11, 6.05, 6.09, 6.06]
    flat_train = 6.3 + 0.1 * np.tile([1, -1], EVALS)
    assert "loss-metric-mismatch" not in _ids(_run([0.0] * EVALS, flat_val, flat_train))


def test_bleu_zero_with_a_flat_held_out_loss_is_no_learning():
    flat_val = [6.07, 6.11, 6.05, 6.09, 6.06]
    ids = _ids(_run([0.0] * EVALS, flat_val, STEADY_TRAIN))
    assert "no-learning" in ids and "loss-metric-mismatch" not in ids
