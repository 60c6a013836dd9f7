"""A metric judged in its own convention (rules.metric_conventions), and the readings that use it:

- metric-out-of-range: a fraction in percent shown by the run's other metrics (SQuAD's exact match
  beside its F1) or by float32 rounding at 100 is in range; an error of a quantity ("acc_error",
  "Mean Squared Error") has no upper bound; a fraction that climbs past 1 with nothing saying percent
  is still out of range;
- the cross-entropy floor (accuracy >= 1 - CE / ln 2) only for a plain cross-entropy: a loss beside a
  triplet term or two parts under one template gets none;
- misleading-accuracy: an MCC or kappa at 0 beside a high accuracy of the same split."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules._loss_accuracy import summed_loss
from traindoc.rules.metric_conventions import agreement_kind, convention
from traindoc.run import Run


def _run(n: int, **series) -> Run:
    e = np.arange(1, n + 1, dtype=float)
    return Run.from_columns("r", "r", "test", {k: (e, np.asarray(v, float)) for k, v in series.items()}, axis="epoch")


def _found(run: Run) -> dict:
    return {f.id: f for f in diagnose_run(run) if f.severity.label != "info"}


def _falling(n: int, start: float, end: float) -> np.ndarray:
    return start * (end / start) ** (np.arange(n) / (n - 1))


def test_squad_f1_in_percent_from_under_one_is_in_range_beside_its_exact_match():
    n = 10
    f1 = np.array([0.6, 12.0, 35.0, 52.0, 61.0, 66.0, 69.0, 71.0, 72.0, 72.5])
    em = f1 - 8.0
    em[0] = 0.2
    run = _run(n, train_loss=_falling(n, 3.0, 1.0), eval_loss=_falling(n, 2.5, 1.2), eval_f1=f1, eval_exact_match=em)
    assert convention(run.series["eval_f1"], run).divisor == 100.0
    assert "metric-out-of-range" not in _found(run)
    # The same F1 alone: a fraction that starts under 1 and climbs to 72 is a sum never divided.
    alone = _run(n, train_loss=_falling(n, 3.0, 1.0), eval_loss=_falling(n, 2.5, 1.2), eval_f1=f1)
    assert "metric-out-of-range" in _found(alone)


def test_percent_accuracy_with_float32_rounding_at_100_is_in_range():
    n = 12
    acc = np.array([87.3, 99.3] + [100.00000762939453] * (n - 2))
    run = _run(n, train_loss=_falling(n, 0.3, 0.01), train_acc=acc)
    assert "metric-out-of-range" not in _found(run)
    run = _run(n, train_loss=_falling(n, 0.3, 0.01), train_acc=np.concatenate([acc[:-1], [103.0]]))
    assert "metric-out-of-range" in _found(run)


def test_an_error_of_a_quantity_has_no_rate_range():
    n = 20
    rng = np.random.default_rng(1)
    run = _run(n, train_loss=_falling(n, 2.0, 0.5), acc_error=40 * rng.standard_normal(n),
               **{"Mean Squared Error": np.abs(rng.standard_normal(n)) + 0.5})
    assert convention(run.series["acc_error"], run).hi is None
    assert convention(run.series["Mean Squared Error"], run).hi is None
    assert "metric-out-of-range" not in _found(run)
    # a bare error rate is still a rate
    rate = _run(n, train_loss=_falling(n, 2.0, 0.5), val_error=np.linspace(0.6, 1.3, n))
    assert convention(rate.series["val_error"], rate).hi == 1.0
    assert "metric-out-of-range" in _found(rate)


def _floor_run(n: int, **extra) -> Run:
    rng = np.random.default_rng(0)
    acc = np.clip(0.27 + 0.03 * rng.standard_normal(n), 0.2, 0.33)
    acc[:5] = [0.12, 0.09, 0.15, 0.2, 0.26]
    return _run(n, loss=_falling(n, 0.5, 0.01), accuracy=acc, **extra)


def test_cross_entropy_floor_only_for_a_plain_cross_entropy():
    n = 40
    plain = _floor_run(n)
    assert summed_loss(plain, plain.series["loss"]) is None
    assert "1 - loss / ln 2" in _found(plain).get("loss-metric-mismatch", _NONE).title
    summed = _floor_run(n, triplet_loss=_falling(n, 0.3, 0.005))
    assert summed_loss(summed, summed.series["loss"]) == "triplet_loss"
    assert "1 - loss / ln 2" not in _found(summed).get("loss-metric-mismatch", _NONE).title
    # two parts under one name template, neither a total (torchreid's Loss_t beside Loss_x)
    parts = _run(4, Loss_t=[0.3, 0.2, 0.1, 0.05], Loss_x=[3.0, 2.0, 1.5, 1.2], Acc=[0.3, 0.5, 0.6, 0.7])
    assert summed_loss(parts, parts.primary(parts.series["Loss_t"].role)) is not None


class _NONE:
    title = ""


def test_mcc_at_zero_beside_high_accuracy_is_misleading():
    n = 8
    rng = np.random.default_rng(2)
    acc = 0.84 + 0.005 * rng.standard_normal(n)
    base = dict(train_loss=_falling(n, 0.6, 0.4), val_loss=0.45 + 0.01 * rng.standard_normal(n), val_acc=acc)
    run = _run(n, **base, val_mcc=0.01 * rng.standard_normal(n))
    assert agreement_kind("eval_matthews_correlation") == "mcc" and agreement_kind("val_kappa") == "kappa"
    assert "misleading-accuracy" in _found(run)
    learned = _run(n, **base, val_mcc=np.linspace(0.4, 0.6, n))
    assert "misleading-accuracy" not in _found(learned)
    # at a coin's accuracy the MCC at 0 says chance, not a misleading accuracy
    coin = _run(n, **{**base, "val_acc": 0.51 + 0.005 * rng.standard_normal(n)}, val_mcc=np.zeros(n))
    assert "misleading-accuracy" not in _found(coin)


def test_metric_that_never_moved_from_a_low_level_while_its_loss_halved_is_a_mismatch():
    # MNIST from scratch: the validation loss falls 4.6x, the validation accuracy (percent) stays at 10%.
    n = 30
    rng = np.random.default_rng(4)
    val_acc = 10.0 + 0.15 * rng.standard_normal(n)
    run = _run(n, train_loss=_falling(n, 3e5, 6e4), val_loss=_falling(n, 4.4e4, 9.5e3), val_acc=val_acc)
    found = _found(run)
    assert "never moved" in found["loss-metric-mismatch"].title
    # a fine-tune whose accuracy is already 0.91 at its first evaluation and stays there: healthy
    high = _run(n, train_loss=_falling(n, 0.5, 0.2), val_loss=_falling(n, 0.5, 0.2),
                val_acc=0.91 + 0.01 * rng.standard_normal(n))
    assert "never moved" not in _found(high).get("loss-metric-mismatch", _NONE).title


def test_pixel_accuracy_exactly_100_at_most_evaluations_is_misleading():
    n = 20
    loss = _falling(n, 0.2, 0.001)
    acc = np.full(n, 100.0)
    acc[[0, 4]] = [87.3, 99.33]
    run = _run(n, **{"decode.loss_ce": loss, "decode.acc_seg": acc})
    assert "every pixel of every batch" in _found(run)["misleading-accuracy"].title
    # a healthy segmenter misses a few pixels at every evaluation; an item accuracy at 1.0 is no pixel accuracy
    healthy = _run(n, **{"decode.loss_ce": loss, "decode.acc_seg": np.minimum(99.9, 50 + 50 * (1 - loss / 0.2))})
    assert "misleading-accuracy" not in _found(healthy)
    items = _run(n, train_loss=loss, train_acc=acc / 100.0)
    assert "misleading-accuracy" not in _found(items)


# --- one reading of a share's scale (metric_scale), used by convention() and normalised_metric() ---

def test_one_scale_reading_for_the_convention_and_the_normalised_values():
    from traindoc.rules._common import curve, normalised_metric
    from traindoc.rules.metric_conventions import metric_scale

    n = 8
    run = _run(n, loss=_falling(n, 2.0, 0.5),
               f1_score=[1.09, 1.08, 1.07, 1.06, 1.07, 1.05, 1.06, 1.07],  # a fraction past 1: no percent
               val_acc_percent=[0.0, 0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],  # the name says percent
               val_bleu=[0.0, 0.3, 0.9, 1.4, 1.8, 2.1, 2.3, 2.5])  # sacrebleu's 0-100
    for name, div, why in (("f1_score", 1.0, "0-1"), ("val_acc_percent", 100.0, "name"), ("val_bleu", 100.0, "0-100")):
        s = run.series[name]
        scale = metric_scale(s, run)
        assert scale.divisor == div and why in scale.why
        assert convention(s, run).divisor == div == normalised_metric(curve(s), run)[1]
        assert convention(s, run).scale == scale.why


def test_the_float_rounding_at_the_top_of_a_percent_scale_is_the_top():
    from traindoc.rules._common import curve, normalised_metric

    n = 6
    run = _run(n, loss=_falling(n, 1.0, 0.1), acc_seg=[87.3, 99.2, 100.0000076, 100.0, 100.0000076, 100.0])
    y01, div = normalised_metric(curve(run.series["acc_seg"]), run)
    assert div == 100.0 and float(np.max(y01)) == 1.0 and float(y01[0]) == 0.873


def test_a_percent_share_from_zero_is_read_by_the_runs_other_shares():
    from traindoc.rules._common import curve, normalised_metric

    n = 8
    noans = [0.03, 70.8, 65.8, 72.2, 75.0, 76.2, 70.0, 80.8]  # SQuAD 2's NoAns F1, in percent from ~0
    run = _run(n, loss=_falling(n, 3.0, 1.0), eval_noans_f1=noans, eval_exact=[0.0] + [60.0 + i for i in range(n - 1)])
    s = run.series["eval_noans_f1"]
    assert normalised_metric(curve(s), run)[1] == 100.0
    assert normalised_metric(curve(s))[1] == 1.0  # without the run, no sibling column to show the scale


# --- a term of a composite loss, not a parallel column (fold, model, data set, head) ---

def _fold_table(n: int, acc_fold1: np.ndarray) -> Run:
    return _run(n, fold1_loss=_falling(n, 0.7, 0.02), fold1_acc=acc_fold1,
                fold2_loss=_falling(n, 0.7, 0.02), fold2_acc=np.linspace(0.6, 0.99, n))


def test_per_fold_columns_are_no_terms_of_one_loss():
    from traindoc.rules._loss_accuracy import group_word, same_group

    n = 12
    run = _fold_table(n, np.linspace(0.6, 0.99, n))
    loss = run.series["fold1_loss"]
    assert group_word(run, loss) == "fold1"
    assert summed_loss(run, loss) is None
    assert same_group(run, loss, run.series["fold1_acc"]) and not same_group(run, loss, run.series["fold2_acc"])
    # a model's columns (its own accuracy beside its loss) are parallel too; parts of one loss are not
    models = _run(n, font_val_loss=_falling(n, 1.0, 0.1), font_val_acc=np.linspace(0.5, 0.9, n),
                  real_val_loss=_falling(n, 1.2, 0.2), real_val_acc=np.linspace(0.4, 0.8, n))
    assert summed_loss(models, models.series["font_val_loss"]) is None
    parts = _run(n, loss_ce=_falling(n, 2.0, 0.1), loss_pr=_falling(n, 1.0, 0.5), accuracy=np.linspace(0.3, 0.9, n))
    assert summed_loss(parts, parts.series["loss_ce"]) == "loss_pr"


def test_a_folds_accuracy_under_its_own_cross_entropy_floor_is_a_mismatch():
    n = 12
    stuck = 0.1 + 0.002 * (np.arange(n) % 2)  # fold 1's accuracy never leaves 0.1 while its loss falls to 0.02
    run = _fold_table(n, stuck)
    assert run.primary(run.series["fold1_loss"].role).name == "fold1_loss"
    assert summed_loss(run, run.series["fold1_loss"]) is None
    assert "loss-metric-mismatch" in _found(run)
    healthy = _fold_table(n, np.linspace(0.6, 0.99, n))
    assert "loss-metric-mismatch" not in _found(healthy)


def test_a_run_that_logs_a_margin_and_a_regulariser_has_no_cross_entropy_floor():
    # a re-identification log: train_loss beside "reg" and "mean_margin" columns, accuracy low by design
    n = 20
    cols = dict(train_loss=_falling(n, 0.455, 0.11), acc=np.linspace(0.01, 0.34, n))
    plain = _run(n, **cols)
    assert summed_loss(plain, plain.series["train_loss"]) is None
    assert "loss-metric-mismatch" in _found(plain)
    reid = _run(n, **cols, reg=np.zeros(n), mean_margin=np.linspace(-0.15, 0.3, n))
    assert summed_loss(reid, reid.series["train_loss"]) in ("reg", "mean_margin")
    assert "loss-metric-mismatch" not in _found(reid)
    # TensorBoard's hp_metric placeholder names no term of the loss
    tb = _run(n, **cols, hp_metric=np.zeros(n))
    assert summed_loss(tb, tb.series["train_loss"]) is None


def test_an_accuracy_move_under_one_item_of_its_evaluation_set_is_no_move():
    # six held-out items: the accuracy moves in steps of 1/6, and its fit line falls by one item
    n = 30
    sixths = np.array([4, 4, 3, 4, 4, 3, 4, 3, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 3, 3, 3, 3, 2, 3, 3, 3, 2, 3, 3, 1]) / 6
    run = _run(n, loss=_falling(n, 1.3, 0.4), val_loss=_falling(n, 1.3, 0.5), val_accuracy=sixths)
    assert "loss-metric-mismatch" not in _found(run)
    # the same fall over 60 items (steps of 1/60) is a real move of the accuracy
    sixtieths = np.round(np.linspace(0.5, 0.2, n) * 60) / 60
    run = _run(n, loss=_falling(n, 1.3, 0.4), val_loss=_falling(n, 1.3, 0.5), val_accuracy=sixtieths)
    assert "loss-metric-mismatch" in _found(run)


def test_metric_out_of_range_says_how_the_scale_was_read():
    n = 8
    run = _run(n, loss=_falling(n, 2.0, 0.5), f1_score=[1.09, 1.08, 1.07, 1.06, 1.07, 1.05, 1.06, 1.07],
               rms_error=[52.7, 52.0, 51.0, 50.5, 49.0, 48.0, 47.5, 46.2])
    f = _found(run)["metric-out-of-range"]
    assert f.series == ["f1_score"] and f.evidence["scale"] == "values on the 0-1 scale"
    from traindoc.rules.metric_conventions import metric_scale

    # an error of a quantity is no share: nothing divides it, however it sits in 0-100
    assert metric_scale(run.series["rms_error"], run).divisor == 1.0
