"""With no class count in the log, the first loss is still judged against the first accuracy: the
wrong items cost at least loss / (1 - accuracy) each, and 12 nats or more each is a model that
starts confidently wrong. A one-line JSON of per-epoch lists ("train_losses", "train_accuracies")
is read as a loss and an accuracy."""

from __future__ import annotations

import json
from pathlib import Path

from traindoc.readers import read_file
from traindoc.rules import diagnose_run
from traindoc.rules.saturated_start import saturated_start_of

LATER = [1.41, 1.14, 0.88, 0.47, 0.25, 0.2, 0.16, 0.14, 0.13]
ACC = [0.59, 0.79, 0.82, 0.86, 0.91, 0.94, 0.96, 0.96, 0.96, 0.97]


def _history(path: Path, first_loss: float, first_acc: float = ACC[0]) -> Path:
    path.write_text(json.dumps({"train_losses": [first_loss] + LATER, "train_accuracies": [first_acc] + ACC[1:]}))
    return path


def _run(path: Path):
    (run,) = read_file(path)
    return run


def test_plural_accuracy_lists_are_read_as_accuracy(tmp_path):
    run = _run(_history(tmp_path / "training_metrics.json", 8.06))
    assert run.series["train_accuracies"].metric == "accuracy"


def test_a_first_loss_whose_wrong_items_cost_twenty_nats_is_a_high_initial_loss(tmp_path):
    run = _run(_history(tmp_path / "training_metrics.json", 8.06))
    found = [f for f in diagnose_run(run) if f.id == "high-initial-loss"]
    assert found and found[0].evidence["per_wrong_item_at_least"] > 19


def test_a_first_loss_at_a_fresh_classifier_level_is_left_alone(tmp_path):
    # 2.0 at 30% accuracy: under 3 nats per wrong item, where a fresh classifier of ~20 classes starts.
    assert saturated_start_of(_run(_history(tmp_path / "training_metrics.json", 2.0, 0.3))) is None


def test_a_high_loss_that_stays_high_is_not_a_start(tmp_path):
    path = tmp_path / "training_metrics.json"
    path.write_text(json.dumps({"train_losses": [8.0, 7.5, 7.9, 7.6], "train_accuracies": [0.5, 0.5, 0.5, 0.5]}))
    assert saturated_start_of(_run(path)) is None


def _heads(first_total: float, first_acc: float):
    """A segmentation log whose ``loss`` is the sum of five logged head losses (MMSegmentation's
    decode scales and auxiliary head), with the first decode head's pixel accuracy beside it."""
    from traindoc.run import Run

    x = [50, 100, 150, 200, 250, 300]
    s0 = [first_total * 0.49, 0.03, 0.004, 0.002, 0.0015, 0.0011]
    s1 = [first_total * 0.003, 1e-4, 0.0, 0.0, 0.0, 0.0]
    s2 = [first_total * 0.002, 1e-4, 0.0, 0.0, 0.0, 0.0]
    s3 = [first_total * 0.005, 1e-5, 0.0, 0.0, 0.0, 0.0]
    aux = [first_total - a - b - c - d for a, b, c, d in zip(s0, s1, s2, s3)][:1] + [0.02, 0.0034, 0.0018, 0.0016, 0.0019]
    total = [a + b + c + d + e for a, b, c, d, e in zip(s0, s1, s2, s3, aux)]
    cols = {"loss": total, "decode.loss_ce.s0": s0, "decode.loss_ce.s1": s1, "decode.loss_ce.s2": s2,
            "decode.loss_ce.s3": s3, "aux.loss_ce": aux,
            "decode.acc_seg.s0": [first_acc, 0.99, 1.0, 1.0, 1.0, 1.0]}
    return Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="step")


def test_a_loss_that_sums_five_heads_is_bounded_per_head():
    from traindoc.rules.loss_terms import summed_terms

    run = _heads(0.4318, 0.9812)  # 23 nats per wrong item for the sum: under 5 x 12
    assert summed_terms(run, run.series["loss"]) == 5
    assert summed_terms(run, run.series["aux.loss_ce"]) == 1
    assert saturated_start_of(run) is None


def test_a_summed_loss_far_beyond_its_terms_is_still_a_high_initial_loss():
    run = _heads(2.5, 0.98)  # 125 nats per wrong item: over 5 x 12 even for the sum of five heads
    ss = saturated_start_of(run)
    assert ss is not None and ss["summed_terms"] == 5


def test_a_loss_that_costs_as_much_per_wrong_item_at_the_end_is_on_another_scale(tmp_path):
    # 59 -> 2.0 while the accuracy climbs from 0.89 to 0.996: still 500+ nats per wrong item at the end,
    # a loss summed over the batch (or scaled by a constant), not a per-item cross-entropy
    path = tmp_path / "training_metrics.json"
    loss = [59.1, 13.4, 5.7, 3.1, 2.6, 2.3, 2.1, 2.05, 2.04, 2.04]
    acc = [0.894, 0.95, 0.97, 0.98, 0.99, 0.993, 0.995, 0.996, 0.996, 0.996]
    path.write_text(json.dumps({"train_losses": loss, "train_accuracies": acc}))
    assert saturated_start_of(_run(path)) is None
    # the same start with a loss that reaches a per-item level is a saturated start, even though at
    # 99.6% accuracy a loss of 0.1 still allows 25 nats per wrong item (a twentieth of the start)
    path.write_text(json.dumps({"train_losses": loss[:2] + [0.9, 0.5, 0.3, 0.2, 0.15, 0.12, 0.1, 0.1],
                                "train_accuracies": acc}))
    assert saturated_start_of(_run(path)) is not None
    # a loss still in the thousands at the end never reached a per-item scale
    path.write_text(json.dumps({"train_losses": [8117.0, 2481.0, 122.0, 37.0, 900.0, 2000.0, 1900.0, 1980.0],
                                "train_accuracies": [0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.41, 0.409]}))
    assert saturated_start_of(_run(path)) is None


def test_a_loss_beside_kl_and_triplet_terms_has_no_per_item_bound():
    from traindoc.run import Run

    x = list(range(1, 11))
    loss = [50.1, 15.9, 8.7, 3.6, 1.2, 0.5, 0.2, 0.1, 0.05, 0.04]
    cols = {"loss": loss, "acc": [0.913, 0.92, 0.93, 0.94, 0.95, 0.95, 0.96, 0.96, 0.96, 0.96]}
    plain = Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="step")
    assert saturated_start_of(plain) is not None
    cols.update(kl_loss=[0.5] * 10, triplet_loss=[0.3] * 10)
    run = Run.from_columns("r", "<t>", "t", {k: (x, v) for k, v in cols.items()}, axis="step")
    assert saturated_start_of(run) is None
