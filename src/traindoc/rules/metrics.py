"""Metrics: the loss against the task metric, accuracy against balanced metrics, impossible values."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run, Series
from ..run.roles import is_loss_component
from ..stats import Trend, theil_sen, trend
from ..stats.counts import eval_set_size
from ..stats.per_eval import levels_at
from ._common import MIN_POINTS, cross_entropy_like, curve, fmt, loss_curve, make, normalised_metric
from ._loss_accuracy import loss_accuracy_pairs, markov_shortfall, same_group, summed_loss
from .loss_terms import term_of_a_loss
from .metric_conventions import agreements, convention, pixel_accuracy
from .unmoved_val_loss import unmoved_val_loss
from .registry import rule
from .softmax_twice import softmax_twice_of
from .zero_loss import zero_loss_of

_SPLITS = ((Role.TRAIN_LOSS, Role.TRAIN_METRIC), (Role.VAL_LOSS, Role.VAL_METRIC))
# Class-balanced readings of the same predictions. Dice/IoU (the canonical "iou") is the F1 of the
# foreground pixels: 99% pixel accuracy beside a dice of 0.45 is the background-majority trap.
_BALANCED = {"balanced_accuracy", "f1", "recall", "auc", "iou"}


def _first_nonfinite_step(c) -> float | None:
    """The step of a loss series' first NaN/Inf, None when it has none."""
    s = c.series
    if s.n_nonfinite == 0:
        return None
    bad = ~np.isfinite(s.values)
    return float(s.steps[int(np.argmax(bad))])


@rule("loss-metric-mismatch", family="metrics", severity=Severity.WARNING,
      title="The loss improves while the task metric does not (or the reverse)")
def loss_metric_mismatch(run: Run):
    from .bounded_logits import bounded_logits

    bl = bounded_logits(run)  # a loss floor set by the head: the cause, named ahead of any trend
    if bl is not None:
        yield bl
        return
    for loss_role, metric_role in _SPLITS:
        lc = loss_curve(run, loss_role)
        if lc is None:
            continue
        cut = _first_nonfinite_step(lc)
        for s in run.by_role(metric_role):
            # read in its own convention: direction (an "acc_error" falls as it improves) and scale
            # (a fraction or a 0-100 score divided to [0, 1]; an error or a distance unbounded)
            conv = convention(s, run)
            if conv.higher_is_better is None or s.metric in ("perplexity",) or not same_group(run, lc.series, s):
                continue  # (another fold's or model's metric says nothing of this loss)
            mc = curve(s)
            if cut is not None:
                # Once the loss is NaN/Inf the model is broken (``nonfinite`` names it): the metric's
                # values from there on (accuracy at chance) say nothing of what the loss optimises.
                keep = mc.x < cut
                mc = replace(mc, x=mc.x[keep], y=mc.y[keep], memo={}) if keep.sum() else None
            if mc is None or mc.n < MIN_POINTS:
                continue
            lo, hi = mc.span
            m = (lc.x >= lo) & (lc.x <= hi)
            if m.sum() < MIN_POINTS:
                continue
            lt = trend(lc.x[m], lc.y[m])
            bounded = conv.bounded
            y = mc.y / conv.divisor if bounded else mc.y
            mt = trend(mc.x, y)
            sign = 1.0 if conv.higher_is_better else -1.0
            gain = sign * (mt.end - mt.start)
            gain_rel = gain if bounded else gain / (abs(mt.start) or 1.0)
            # Only clear, significant, opposite trends over a long enough span count. A metric that
            # merely stays flat while the loss falls is a stalled run, or accuracy pinned at the
            # majority share on imbalanced data (`misleading-accuracy`): not this finding.
            long_enough = mc.n >= 8 and (hi - lo) >= 0.3 * (lc.span[1] - lc.span[0])
            if not long_enough:
                continue
            need = 0.05 if bounded else 0.1
            if bounded and (items := eval_set_size(y)) is not None:
                # a share of N items moves in steps of 1/N: a change of one item or less is no move
                need = max(need, 1.0 / items + 1e-9)
            metric_improves = sign * mt.z > 0 and mt.p < 0.01 and gain_rel > need
            metric_worsens = sign * mt.z < 0 and mt.p < 0.01 and -gain_rel > need
            if lt.falling(0.01, 0.2) and metric_worsens and not traded_off(run, s):
                title = (f"{lc.name} fell {abs(lt.rel_change):.0%} while {s.name} got worse "
                         f"({fmt(mt.start)} -> {fmt(mt.end)})")
                causes = ["the loss optimises something the metric does not reward (class weights, label smoothing,"
                          " an auxiliary term dominating)", "the metric is computed wrongly (argmax over the wrong "
                          "axis, thresholds, labels misaligned with predictions)", "the model grows confident on "
                          "examples it already gets right"]
            elif (bound := _accuracy_floor(run, s, lc, m, y, lt, metric_improves)) is not None:
                title = (f"{lc.name} fell to {fmt(bound['loss_end'])} while {s.name} stayed flat at "
                         f"{fmt(bound['accuracy'])}: a cross-entropy that low means at least "
                         f"{bound['accuracy_at_least']:.0%} accuracy")
                causes = ["the metric is computed on something else than the loss: a stale or wrong model at "
                          "evaluation, predictions and labels misaligned, argmax over the wrong axis",
                          "the accuracy is never updated (a metric object not reset or not fed)"]
            elif (flat := _metric_never_moved(run, s, y, lc.y[m], lt, bounded, conv.higher_is_better)) is not None:
                title = (f"{lc.name} fell {flat['loss_fall']:.0%} while {s.name} never moved from "
                         f"{fmt(flat['metric_level'] * conv.divisor)} ({mc.n} evaluations within "
                         f"{fmt(flat['metric_spread'] * conv.divisor)})")
                causes = ["the metric is computed on something else than the loss: another split, a stale model at "
                          "evaluation, predictions and labels misaligned, argmax over the wrong axis",
                          "the loss does not measure the task the metric scores (a wrong target, a leak, a term that "
                          "dominates it)", "the metric is never updated (an object not reset or not fed)"]
            elif opposite_fires(s, (op := opposite_reading(run, lc, s))):
                title = (f"{lc.name} kept improving after {s.name} reached its best ({fmt(op['loss_at_best'])} -> "
                         f"{fmt(op['loss_end'])} from step {fmt(op['best_at'])}) while {s.name} got worse, "
                         f"{fmt(op['metric_best'])} -> {fmt(op['metric_end'])} over the last third "
                         f"({op['below_best']:.0f}x its noise under its best)")
                causes = ["the loss optimises something the metric does not reward: a surrogate or auxiliary term, class "
                          "weights, label smoothing, a reconstruction target that is not the task",
                          "the metric is computed wrongly or on something else (a stale model, another split, "
                          "predictions and labels misaligned)",
                          "the model grows confident on the examples it already gets right while it loses others"]
            elif metric_improves and lt.rising(0.01, 0.1):
                title = f"{s.name} improved while {lc.name} rose {lt.rel_change:.0%}"
                causes = ["the logged loss is not the one being optimised, or includes a growing regulariser",
                          "over-confident wrong predictions inflate the loss while accuracy improves (calibration)"]
                t = loss_curve(run, Role.TRAIN_LOSS) if loss_role == Role.VAL_LOSS else None
                if t is not None and trend(t.x, t.y).falling(0.01, 0.2):
                    # The training loss falls meanwhile: the model grows over-confident as it starts to
                    # overfit; its held-out mistakes cost more while it still gets more right.
                    causes = [f"the model grows over-confident as it overfits ({t.name} keeps falling): its wrong "
                              f"held-out answers cost more and more while it still gets more of them right"] + \
                        causes[:1]
            else:
                continue
            yield make("loss-metric-mismatch", title, series=[lc.name, s.name], steps=[lo, hi],
                       evidence={"loss_start": lt.start, "loss_end": lt.end, "loss_trend_p": lt.p,
                                 "metric_start": mt.start, "metric_end": mt.end, "metric_trend_p": mt.p,
                                 **({"metric_scale": conv.scale} if conv.scale else {})},
                       causes=causes, fixes=["compute the metric by hand on one batch and compare", "check that the "
                                             "loss and the metric see the same predictions and labels",
                                             "log the loss components separately"])
            return
    still = unmoved_val_loss(run)
    if still is not None:
        yield still
        return
    sm = softmax_twice_of(run)
    if sm is not None:
        yield _softmax_twice_finding(sm)
        return
    zl = zero_loss_of(run)
    if zl is not None:
        yield _zero_loss_finding(zl)
        return
    under = under_markov_floor(run)
    if under is not None:
        yield _markov_finding(under)


# The accuracy's median shortfall under 1 - CE / ln 2 over the second half of its evaluations
# (``bench/metric_chance_distributions.py``): at most 0.22 on the dev split's healthy runs (a
# segmentation's mean class accuracy; 0.16 for a multi-label eval accuracy beside a per-label
# loss), 0.6-1.0 where the labellers saw the loss and the accuracy contradict each other.
MARKOV_SHORTFALL = 0.4
MARKOV_SHARE = 0.8  # ... and under the floor at this share of those evaluations or more


def under_markov_floor(run: Run) -> dict | None:
    """A top-1 accuracy far under the floor that the cross-entropy of its own split guarantees."""
    if not cross_entropy_like(run):
        return None
    for loss, acc, _ in loss_accuracy_pairs(run):
        if summed_loss(run, loss.series) is not None:
            continue  # a sum of terms or another objective: no cross-entropy floor
        ms = markov_shortfall(loss, acc, run)
        if ms is not None and ms["shortfall"] >= MARKOV_SHORTFALL and ms["share_below"] >= MARKOV_SHARE:
            return ms | {"loss_first": float(loss.y[0])}
    return None


SCALED_START = 0.1 * math.log(2)  # a per-sample cross-entropy of an untrained model is about ln(classes) >= ln 2


def _markov_finding(ms: dict):
    """loss-metric-mismatch for an accuracy the loss beside it rules out."""
    title = (f"{ms['accuracy']} was {ms['accuracy_half']:.1%} (median of the second half of its {ms['evaluations']} "
             f"evaluations) while {ms['loss']} was {fmt(ms['loss_half'])}: a cross-entropy that low means at least "
             f"{ms['floor_half']:.1%} accuracy on the same predictions (1 - loss / ln 2)")
    causes = ["the accuracy is not computed on the predictions the loss is: another split or domain, a stale "
              "or different model at evaluation, predictions and labels misaligned (shuffled apart, argmax over "
              "the wrong axis)",
              "the logged loss is not a per-sample cross-entropy: divided by a constant (batch size, sequence "
              "length, number of labels) or reduced over the wrong axis",
              "not a classification cross-entropy beside a classification accuracy: a multi-label task whose "
              "accuracy is exact match over all labels while the loss is per label, or a regression's hit rate "
              "named accuracy; then the floor does not apply and the run may be fine"]
    fixes = ["compute the accuracy and the loss by hand on one batch, from the same predictions",
             "check that the metric and the loss see the same split and the same model",
             "print the loss's reduction: a per-sample mean cross-entropy of a random model is ln(classes)"]
    if ms.get("loss_first", math.inf) < SCALED_START:
        # Already far under ln 2 at its first point, before any learning: the number itself is scaled down,
        # and if the loss that is differentiated is the scaled one, every step shrinks by the same factor.
        causes = [f"{causes[1]}: it starts at {fmt(ms['loss_first'])}, far under the ln 2 = 0.693 or more of an "
                  "untrained model, so the loss is divided by something large; if that is the loss you call "
                  "backward() on, every gradient and step shrinks by the same factor (a loss divided by the dataset "
                  "size trains thousands of times too slowly)", causes[0], causes[2]]
        fixes = ["remove the extra division (a mean loss already averages over the batch), or raise the learning "
                 "rate by the same factor", fixes[0], fixes[2]]
    f = make("loss-metric-mismatch", title, series=[ms["loss"], ms["accuracy"]], steps=ms["steps"],
             evidence={**ms, "judged_on": "accuracy under the loss's floor"}, causes=causes, fixes=fixes)
    f.verdict = "problem"
    f.verdict_reason = "the loss and the accuracy cannot describe the same predictions"
    return f


def _cause_finding(d: dict, title: str, judged_on: str, causes: list[str], fixes: list[str]):
    """A mismatch whose cause the curves name (a loss floor, a loss at zero): the cause leads."""
    return make("loss-metric-mismatch", title, series=[d["series"], d["metric"]], steps=d["steps"],
                evidence={**d, "judged_on": judged_on}, causes=causes, fixes=fixes)


def _zero_loss_finding(zl: dict):
    """A loss at ~0 from the start beside a held-out accuracy at chance or below."""
    return _cause_finding(
        zl, f"{zl['series']} was at most {fmt(zl['loss_max'])} from its first logged step ({zl['points']} points) "
            f"while {zl['metric']} averaged {zl['accuracy']:.1%}: a cross-entropy that low means every training "
            f"item is right before training, so the loss does not measure the task", "loss at zero",
        ["the targets leak into the inputs (the label is a feature, or the model sees the answer)",
         "the loss is computed on the wrong tensors (targets against themselves, a detached or constant output), "
         "or on a constant label", "the training set is not the task the held-out set measures"],
        ["compute the loss by hand on one batch of a fresh model: it should be near ln(classes)",
         "check a few (input, label) pairs from the training loader by eye"])


def _softmax_twice_finding(sm: dict):
    """The loss on the double-softmax floor: the cause is known, so it leads. Where the writer
    itself computes the loss on probabilities, the model is fine and the fix is the framework's."""
    if sm.get("writer_cause"):
        return _cause_finding(
            sm, f"{sm['series']} never went below {fmt(sm['floor'])} = ln(e + {sm['classes'] - 1}) - 1 (lowest "
                f"{fmt(sm['loss_min'])}) while {sm['metric']} reached {sm['accuracy_end']:.1%}: "
                f"{sm['writer_cause']}, so this loss does not measure the fit", "loss floor",
            [f"{sm['writer_cause']} (a softmax applied twice inside the framework, not in your model)"],
            ["upgrade the framework (Ultralytics 8.3.39 or later) to get a validation loss that measures the fit",
             f"judge validation by {sm['metric']}, not by {sm['series']}; do not early-stop or pick checkpoints "
             "on this loss"])
    return _cause_finding(
        sm, f"{sm['series']} never went below {fmt(sm['floor'])} = ln(e + {sm['classes'] - 1}) - 1 (lowest "
            f"{fmt(sm['loss_min'])}) while {sm['metric']} reached {sm['accuracy_end']:.1%}: the floor of a softmax "
            f"applied twice over {sm['classes']} classes, so the loss does not measure the fit", "loss floor",
        ["the model already outputs probabilities (a softmax layer, or an eval-mode head that returns them) and the "
         "loss applies softmax again (CrossEntropyLoss / from_logits=True on probabilities)"],
        ["feed raw logits to the loss: drop the final softmax, or use NLLLoss on log-probabilities (Keras: "
         "from_logits=False when the model ends in softmax)",
         "compute the loss by hand on one batch of a trained model: a right answer should cost ~0"])


# A metric that never moved: all its evaluations within this much of its [0, 1] scale ...
NEVER_MOVED_SPREAD = 0.05
# ... at or below this level (a metric that starts high has little room to improve: a fine-tune's
# accuracy flat at 0.91 while its loss halves is healthy; on the dev split the healthy runs whose
# metric stayed flat beside a loss that halved sat at 0.548 or higher, the labelled mismatches at
# 0.00-0.10: accuracy at zero or chance, Dice at zero) ...
NEVER_MOVED_LEVEL = 0.3
NEVER_MOVED_LOSS_FALL = 0.5  # ... while the loss of its own split fell by half or more


def _metric_never_moved(run: Run, s: Series, y: np.ndarray, loss_y: np.ndarray, lt: Trend, bounded: bool,
                        higher: bool | None) -> dict | None:
    """A [0, 1] task metric that stayed where it started, low, while the loss of the same split fell by
    half: whatever the loss optimises does not reach what the metric scores.

    Not a metric exactly 0 at every evaluation (the outcome assessment reads those, with the head and
    size-slice cases), nor one beside a metric of the same kind and split that moved: a size slice
    (mAP_small) or one head's metric that stays low while its sibling rises is a hard slice or a head
    problem (`no-learning`), and the evaluator itself works."""
    if not bounded or not higher or y.size < 5 or float(np.min(y)) < -0.01 or float(np.max(y)) > 1.01:
        return None
    if float(np.ptp(y)) > NEVER_MOVED_SPREAD or float(np.median(y)) > NEVER_MOVED_LEVEL or not np.any(y):
        return None
    for o in run.by_role(s.role):
        if o is not s and o.metric == s.metric:
            oy = o.values[np.isfinite(o.values)]
            if oy.size and float(np.ptp(oy / convention(o, run).divisor)) > 2 * NEVER_MOVED_SPREAD:
                return None
    k = max(1, loss_y.size // 10)
    first, last = float(np.median(loss_y[:k])), float(np.median(loss_y[-k:]))
    if first <= 0 or not lt.falling(0.01, NEVER_MOVED_LOSS_FALL):
        return None
    fall = 1.0 - last / first
    if fall < NEVER_MOVED_LOSS_FALL:
        return None
    return {"loss_fall": fall, "metric_level": float(np.median(y)), "metric_spread": float(np.ptp(y))}


def _accuracy_floor(run: Run, s, lc, m, y, lt, metric_improves: bool) -> dict | None:
    """An accuracy flat far below what the cross-entropy beside it guarantees.

    A sample whose true class gets probability > 1/2 is classified correctly, and its
    cross-entropy is < ln 2; by Markov's inequality at most CE/ln 2 of the samples can have a
    larger one, so accuracy >= 1 - mean CE / ln 2 whatever the class count. A loss that fell 50%+
    to 0.10 (accuracy >= 86%) beside an accuracy sitting flat at 0.17 cannot describe the same
    predictions. Label smoothing or mixup only raise the loss (a weaker floor); a loss with other
    terms (triplet, centre, a regulariser) may weight its cross-entropy below 1, so it has no floor
    (``_loss_accuracy.summed_loss``)."""
    if s.metric != "accuracy" or metric_improves or not cross_entropy_like(run) or not lt.falling(0.01, 0.5):
        return None
    if summed_loss(run, lc.series) is not None:
        return None  # the floor is a cross-entropy's: a loss with other terms has none
    half = y[y.size // 2:]
    if half.size < 3 or float(np.ptp(half)) > 0.05:
        return None
    acc = float(np.median(half))
    loss_end = float(np.median(lc.y[m][-max(3, int(m.sum()) // 10):]))
    if loss_end <= 0:
        return None
    floor = 1.0 - loss_end / np.log(2.0)
    if acc > floor - 0.3:
        return None
    return {"loss_end": loss_end, "accuracy": acc, "accuracy_at_least": round(floor, 3)}


def _tail01(c, run: Run | None = None) -> float:
    y, _ = normalised_metric(c, run)
    return float(np.median(y[-max(1, min(3, y.size)):]))


def _majority_gap(acc: float, bal: float, metric: str | None) -> bool:
    """Accuracy far above a class-balanced reading of the same predictions. At 80% accuracy a gap of a
    quarter already says the majority carries it. Below that, a gap of 0.4 or more with the balanced
    metric at 0.4 or less says the same (accuracy 0.78 beside a five-class macro-F1 of 0.23: most
    predictions are one class).

    Mean IoU sits far below pixel accuracy in healthy segmentation (0.55 beside 0.83 a third into a
    healthy MMSegmentation run), so it needs more: a model that labels every pixel with the majority
    class scores that class's share as its IoU and 0 for every other class, a mean IoU of the pixel
    accuracy over the class count, at most half of it. A mean IoU no higher than that (with a
    rounding allowance of 0.02) is what a majority-only segmenter logs."""
    if metric == "iou":
        return acc >= 0.8 and bal <= acc / 2 + 0.02 and acc - bal >= 0.25
    if acc >= 0.8 and bal <= 0.6 and acc - bal >= 0.25:
        return True
    return metric != "iou" and bal <= 0.4 and acc - bal >= 0.4


_LEARNED_GAIN = 0.10  # absolute rise of a balanced metric (0-1 scale) over the run ...
_LEARNED_RATIO = 1.5  # ... and to this multiple of its first value: the minority classes are being learned


def _minority_learned(c, run: Run | None = None) -> bool:
    """A class-balanced metric that ends well above where it started (by 0.10 at least, and 1.5x its
    first value): the model learned to find the rarer classes during the run. A majority-class
    predictor keeps such a metric at its floor (recall or F1 of the minority near 0, mean IoU near the
    majority share over the class count) however long it trains, so "predicts the majority class" does
    not describe this run; a gap to accuracy that remains is how strict the metric is (mean IoU sits far
    below pixel accuracy in healthy segmentation; one class's recall below overall accuracy).

    Where it ends is the median of its last three values or, for a metric still climbing, the robust
    line through all of them (Theil-Sen, within the values seen) at the last evaluation: on a steady
    climb (a churn model's recall 0.27 -> 0.33 -> 0.34 -> 0.44 four epochs in) the median of the last
    three lags a step behind, while a line fit to every point is not moved by one lucky evaluation (a
    recall stuck near 0 with one 0.3 keeps a flat line)."""
    y, _ = normalised_metric(c, run)
    if y.size < 2:
        return False
    start, end = float(y[0]), _tail01(c, run)
    if y.size >= 3:
        x = np.asarray(c.x, dtype=float)
        slope, icpt = theil_sen(x, y)
        end = max(end, min(float(np.max(y)), icpt + slope * float(x[-1])))
    return end - start >= _LEARNED_GAIN and end >= _LEARNED_RATIO * start


def one_class_for_all(run: Run, acc, metrics) -> dict | None:
    """Binary precision, recall and accuracy of one split that together say every item got the same
    prediction, at each of the last 3+ evaluations and at half of them or more.

    An identity, not a statistic: with recall 1 (no positive missed) precision equals accuracy
    only when no negative was predicted negative, so every item was predicted positive and the
    accuracy is the positive share (precision = accuracy < 1). With recall 0 and precision 0 no
    item was predicted positive and the accuracy is the negative share."""
    def same(name: str):
        got = [m for m in metrics if m.role == acc.role and m.metric == name]
        return got[0] if got else None

    p, r = same("precision"), same("recall")
    if p is None or r is None:
        return None
    steps = np.intersect1d(np.intersect1d(curve(acc).x, curve(p).x), curve(r).x)
    if steps.size < 3:
        return None

    def at(s):
        c = curve(s)
        y, _ = normalised_metric(c, run)
        return y[np.searchsorted(c.x, steps)]

    a, pr, rc = at(acc), at(p), at(r)
    tol = 1e-3
    all_pos = (np.abs(rc - 1.0) <= 1e-6) & (np.abs(pr - a) <= tol) & (a < 1.0 - tol)
    all_neg = (rc <= 1e-6) & (pr <= 1e-6) & (a > tol) & (a < 1.0 - tol)
    for hit, which in ((all_pos, "positive"), (all_neg, "negative")):
        if hit[-3:].all() and hit.mean() >= 0.5:
            return {"predicted": which, "accuracy": float(np.median(a[-3:])), "evaluations": int(hit.sum()),
                    "of": int(hit.size), "precision": p.name, "recall": r.name, "from_step": float(steps[hit][0])}
    return None


# What a majority-class reading of an accuracy says, in the words every such finding shares.
_IMBALANCE = "heavy class imbalance: predicting the majority class already scores high"
_BALANCED_METRICS = "report balanced accuracy, macro F1 or per-class recall"
_REWEIGHT = "re-weight the loss by class frequency or re-sample the data"


@rule("misleading-accuracy", family="metrics", severity=Severity.WARNING,
      title="High accuracy but a low class-balanced metric: majority-class predictions")
def misleading_accuracy(run: Run):
    metrics = [s for r in (Role.VAL_METRIC, Role.TRAIN_METRIC) for s in run.by_role(r) if len(curve(s).y)]
    accs = [s for s in metrics if s.metric == "accuracy"]
    bals = [s for s in metrics if s.metric in _BALANCED]
    for a in accs:
        one = one_class_for_all(run, a, metrics)
        if one is not None:
            yield make("misleading-accuracy", f"{a.name} {one['accuracy']:.1%} is the share of one class: every item "
                       f"was predicted {one['predicted']} at {one['evaluations']} of {one['of']} evaluations "
                       f"({one['recall']} {'1' if one['predicted'] == 'positive' else '0'}, {one['precision']} "
                       f"{'= accuracy' if one['predicted'] == 'positive' else '0'})",
                       series=[a.name, one["precision"], one["recall"]], steps=[one["from_step"], float(curve(a).x[-1])],
                       evidence=one,
                       causes=["the model collapsed to one class (the majority, or the one the loss favours)",
                               "class imbalance, or a classification threshold beyond every score",
                               "on a tiny validation set: the model memorised the training set and does not separate "
                               "new items at all"],
                       fixes=["look at the predicted scores on the validation set: are they all on one side?",
                              "re-weight or re-sample the classes; check the decision threshold",
                              _BALANCED_METRICS])
            return
    for a in accs:
        for b in sorted(bals, key=lambda s: (s.role != a.role, s.name)):
            if b.role != a.role:
                continue
            acc, bal = _tail01(curve(a), run), _tail01(curve(b), run)
            if _majority_gap(acc, bal, b.metric) and not _minority_learned(curve(b), run):
                yield make("misleading-accuracy", f"{a.name} is {acc:.1%} but {b.name} only {bal:.1%}: the model may "
                           "predict the majority class", series=[a.name, b.name],
                           steps=[float(curve(a).x[-1])], evidence={"accuracy": acc, b.metric or "balanced": bal},
                           causes=[_IMBALANCE, "the minority classes are not learned"],
                           fixes=[_BALANCED_METRICS, _REWEIGHT, "check the label distribution (`traindoc check`)"])
                return
    whole = all_pixels_right(run, accs)
    if whole is not None:
        a, share, n = whole
        top = convention(a, run).divisor  # 100 in percent, 1 as a fraction
        yield make("misleading-accuracy", f"{a.name} is exactly {fmt(top)} at {share:.0%} of its {n} evaluations: "
                   "every pixel of every batch right means the masks hold one class, so the accuracy is that "
                   "class's share and says nothing of the rest",
                   series=[a.name], steps=[float(curve(a).x[0]), float(curve(a).x[-1])],
                   evidence={"exactly_perfect_share": share, "evaluations": n, "judged_on": "pixel accuracy at 100%"},
                   causes=["the masks hold (almost) only background: empty or unreadable annotation files, label "
                           "values the loader maps to the ignore index or to 0", "the foreground is so rare that a "
                           "model predicting background everywhere is right on every pixel of most batches"],
                   fixes=["plot a few masks from the training loader: do they show the objects?",
                          "count the pixels per class over the training set",
                          "judge the run by per-class IoU / Dice (mIoU, mDice), not pixel accuracy"])
        return
    agree = agreement_at_chance(run, accs)
    if agree is not None:
        a, b, acc, k = agree
        yield make("misleading-accuracy", f"{a.name} is {acc:.1%} but {b.name} is {fmt(round(k, 3))}, its value for "
                   "predictions that ignore the input: the accuracy is the share of the class predicted",
                   series=[a.name, b.name], steps=[float(curve(a).x[-1])],
                   evidence={"accuracy": acc, "agreement": k, "agreement_chance": 0.0,
                             "judged_on": "chance-corrected agreement at chance"},
                   causes=["the model predicts one class (the majority) for (nearly) every item",
                           _IMBALANCE],
                   fixes=["look at the predicted classes on the validation set: are they all one class?",
                          _REWEIGHT, _BALANCED_METRICS])


# A pixel accuracy exactly at its maximum (within float rounding) at this share of its evaluations or more.
# Every pixel of every batch right happens when the masks hold one class; a segmenter of real objects
# misses a few boundary pixels in every batch (on the dev split: healthy pixel accuracies never at 100,
# the three labelled background-only runs at 100 on 83-100% of their evaluations).
ALL_PIXELS_SHARE = 0.5


def all_pixels_right(run: Run, accs) -> tuple | None:
    """(series, share, evaluations) of a pixel accuracy at exactly 100% at half its 3+ evaluations or more."""
    for a in accs:
        if not pixel_accuracy(a):
            continue
        y = curve(a).y
        if y.size < 3:
            continue
        top = convention(a, run).divisor
        share = float(np.mean(np.abs(y - top) <= 1e-4 * top))
        if share >= ALL_PIXELS_SHARE:
            return a, share, int(y.size)
    return None


# A chance-corrected agreement (MCC, Cohen's kappa) is 0 for predictions independent of the labels.
# Within this of 0 over its last evaluations, beside an accuracy at HIGH_ACCURACY or more, the accuracy
# is the share of the class predicted (a constant predictor scores the majority share, nothing more).
AGREEMENT_AT_CHANCE = 0.05
HIGH_ACCURACY = 0.6


def agreement_at_chance(run: Run, accs) -> tuple | None:
    """(accuracy series, agreement series, accuracy, agreement) for an accuracy of the same split
    well above a coin's while the MCC or kappa beside it sits at 0."""
    for b, role in agreements(run):
        y = b.values[np.isfinite(b.values)]
        if not y.size:
            continue
        k = float(np.median(y[-3:]))
        if abs(k) > AGREEMENT_AT_CHANCE:
            continue
        for a in accs:
            if a.role == role and (acc := _tail01(curve(a), run)) >= HIGH_ACCURACY and acc <= 1.0:
                return a, b, acc, k
    return None


@rule("metric-out-of-range", family="metrics", severity=Severity.WARNING,
      title="A metric outside its possible range: a logging bug")
def metric_out_of_range(run: Run):
    for s in run.series.values():
        if s.metric is None or s.metric == "loss" or s.role not in (Role.TRAIN_METRIC, Role.VAL_METRIC):
            continue
        y = s.values[np.isfinite(s.values)]
        if not y.size:
            continue
        # The range in the metric's own convention (percent or fraction, a rate or an error of a
        # quantity, a score on 0-100): never one borrowed from another convention.
        conv = convention(s, run)
        lo_b, hi_b = conv.lo, conv.hi
        if lo_b is None and hi_b is None:
            continue
        # Float rounding is no logging bug: a soft F1 computed as 1 - loss in float32 lands at -7e-6. A
        # ten-thousandth of the scale leaves a hundredfold margin on both sides: on the real-log dev split
        # the smallest real overshoot is 1.2% (an accuracy of 1.012) and rounding stays under 1e-5.
        tol = 1e-4 * max(1.0, abs(hi_b or 0.0))
        bad = np.zeros(y.size, dtype=bool)
        if lo_b is not None:
            bad |= y < lo_b - tol
        if hi_b is not None:
            bad |= y > hi_b + tol
        if not bad.any() or term_of_a_loss(run, s):
            continue  # "Rec." + "KL" = "Total Loss": a loss term whose short name spells a metric
        steps = s.steps[np.isfinite(s.values)][bad]
        worst = float(y[bad][np.argmax(np.abs(y[bad]))])
        rng = f"[{fmt(lo_b) if lo_b is not None else '-inf'}, {fmt(hi_b) if hi_b is not None else 'inf'}]"
        yield make("metric-out-of-range", f"{s.name} reaches {fmt(worst)}, outside its possible range {rng}",
                   series=[s.name], steps=[float(steps[0]), float(steps[-1])],
                   evidence={"metric": s.metric, "range": rng, "out_of_range_points": int(bad.sum()),
                             "points": int(y.size), "worst": worst, **({"scale": conv.scale} if conv.scale else {})},
                   causes=["a summed metric not divided by the count (per-batch sums, drop_last mismatch)",
                           "percent and fraction mixed in one series", "a metric averaged over the wrong axis"],
                   fixes=["divide by the number of samples actually seen", "log one scale (0-1) consistently"],
                   marks=[Mark("point", s.name, float(steps[0]), label="out of range")])


def noise_units(y: np.ndarray) -> float:
    """The point-to-point noise of a series: the robust spread (1.4826 MAD) of its successive changes over
    sqrt(2), the standard deviation of one point around a smooth curve. A change of exactly 0 measures
    no noise (a row logged twice, a metric of a small set that stayed on its step), so it is left out:
    otherwise a series that repeats its values would have no noise and any move would be many units.
    Never 0: at least a thousandth of the series' range."""
    d = np.diff(y)
    d = d[d != 0]
    sd = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / np.sqrt(2.0) if d.size else 0.0
    return max(sd, 1e-3 * float(np.ptp(y)) if y.size else 0.0, 1e-12)


def opposite_reading(run: Run, lc, s: Series) -> dict | None:
    """How far the loss ``lc`` and the metric ``s`` moved, each in its own noise units and oriented so that +
    is better: the loss from its start to its last third, the metric from its start and from its best
    to its last third. Read on the metric's evaluations (block medians of a dense series), with the
    loss's median level in each interval that ends at one; None where there are too few."""
    from .outcome import task_head

    conv = convention(s, run)
    if conv.higher_is_better is None:
        return None
    if is_loss_component(lc.name):
        return None  # one part of a composite loss (a detector's box loss) says nothing of the whole task's metric
    head = task_head(s.name)
    if head is not None and task_head(lc.name) != head:
        return None  # a mask or keypoint head's metric beside another head's loss (the box loss of a pose model)
    mc = curve(s)
    cut = _first_nonfinite_step(lc)
    x, y = np.asarray(mc.xb, dtype=float), np.asarray(mc.yb, dtype=float)
    if cut is not None:
        keep = x < cut
        x, y = x[keep], y[keep]
    if x.size < 8:
        return None
    lv = levels_at(lc.x, lc.y, x)
    ok = np.isfinite(lv) & np.isfinite(y)
    x, y, lv = x[ok], y[ok], lv[ok]
    if x.size < 8:
        return None
    m = y if conv.higher_is_better else -y
    ll = -lv
    k = max(1, x.size // 10)
    third = x.size // 3
    sl, sm = noise_units(ll), noise_units(m)
    m_start, m_end = float(np.median(m[:k])), float(np.median(m[-third:]))
    l_start, l_end = float(np.median(ll[:k])), float(np.median(ll[-third:]))
    # how far below its best the metric ended, on its own scale: a share of items on [0, 1] (a percent
    # divided by 100), anything unbounded relative to the size of its best
    r3 = _rolling3(m)
    ib = int(np.argmax(r3[:x.size - third]))  # the metric's best before its last third
    best = float(r3[ib])
    late = m[-third:]
    l_at_best = float(np.median(ll[max(0, ib - 1):ib + 2]))
    return {"n": int(x.size), "loss_gain": (l_end - l_start) / sl, "metric_worse": (m_start - m_end) / sm,
            "below_best": (best - m_end) / sm, "late_share": float(np.mean(late < best - 2 * sm)),
            "loss_gain_after_best": (l_end - l_at_best) / sl, "best_at": float(x[ib]), "end_at": float(x[-1]),
            "drop": (best - m_end) / conv.divisor if conv.bounded else (best - m_end) / (abs(best) or 1.0),
            "metric_best": best if conv.higher_is_better else -best,
            "metric_end": m_end if conv.higher_is_better else -m_end,
            "loss_at_best": -l_at_best, "loss_end": -l_end}


# A loss that keeps improving while the task metric of the same split gives back its best. Each read in
# its own noise units (``noise_units``), so a noisy small validation set needs a larger move:
OPPOSITE_LOSS_GAIN = 3.0  # the loss improved by this many noise units from its start, and again after the metric's best
OPPOSITE_BELOW_BEST = 3.0  # the metric's last third ended this many noise units under its best ...
OPPOSITE_LATE_SHARE = 0.8  # ... with this share of its last-third evaluations 2 noise units or more under it
OPPOSITE_DROP = 0.03  # and 3 points of a share (or 3% of an unbounded metric's best) or more: not a rounding step
# Precision and recall trade off against each other by their threshold: either may fall while the loss improves.
_TRADE_OFF = frozenset({"precision", "recall"})


def traded_off(run: Run, s: Series) -> bool:
    """``s`` is a precision (a recall) whose split logs a recall (a precision) that ended higher than it
    started: moving the threshold or the class balance moves one against the other, so either may fall
    while the predictions improve."""
    if s.metric not in _TRADE_OFF:
        return False
    other = ({"precision", "recall"} - {s.metric}).pop()
    for o in run.by_role(s.role):
        if o.metric == other and same_group(run, s, o):
            y = curve(o).y
            if y.size >= 2 and float(np.median(y[-max(1, y.size // 3):])) > float(np.median(y[:max(1, y.size // 10)])):
                return True
    return False


def opposite_fires(s: Series, r: dict | None) -> bool:
    """A reading of ``opposite_reading`` that says the loss and the metric went opposite ways. Never for a
    precision or a recall: each trades off against the other (and a detector's against its confidence
    threshold), so either may give back its best while the predictions improve."""
    return (r is not None and s.metric not in _TRADE_OFF and r["loss_gain"] >= OPPOSITE_LOSS_GAIN
            and r["loss_gain_after_best"] >= OPPOSITE_LOSS_GAIN and r["below_best"] >= OPPOSITE_BELOW_BEST
            and r["late_share"] >= OPPOSITE_LATE_SHARE and r["drop"] >= OPPOSITE_DROP)


def _rolling3(y: np.ndarray) -> np.ndarray:
    """The rolling median of three (the ends kept): one lucky evaluation is not a best."""
    if y.size < 3:
        return y
    mid = np.median(np.stack([y[:-2], y[1:-1], y[2:]]), axis=0)
    return np.concatenate([y[:1], mid, y[-1:]])
