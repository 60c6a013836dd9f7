"""A validation loss that never falls while the model plainly learns.

When the training loss halves and a bounded task metric climbs a quarter of its range or more, the
loss that scores the same kind of predictions on held-out data falls too, at least early on: a model
that gets that much more right is less wrong on average. A held-out loss whose lowest point stays
within 10% of its first level over the whole run is measuring something else: probabilities passed
where logits were expected (a sigmoid or softmax applied twice pins a cross-entropy near its chance
level, ln 2 for a binary mask), another head or target, or an accumulator never reset.

The metric is the held-out one; a run that logs its task metrics without a split word beside a
``val`` loss and no held-out metric (``acc``, ``diceScore`` computed in the evaluation loop) is read
with those. Judged on levels, not a trend: a loss that fell and then rose back, or that climbed from
the first evaluation (overfitting), does not qualify; its last third stays within 10% of its start.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding
from ..run import Role, Run
from ..run.roles import name_tokens
from ..stats import trend
from ._common import BOUNDED01, MIN_POINTS, curve, fmt, loss_curve, make, normalised_metric

METRIC_GAIN = 0.25  # on the 0-1 scale, first evaluations to the last third
LOSS_SHARE = 0.1  # "never fell": the lowest point within this share of the first level
TRAIN_FALL = 0.5  # the training loss fell at least this share: the model does learn
MIN_EVALS = 8

_TRAIN_WORDS = {"train", "training", "trn", "tr"}  # a metric named for the training split


def _candidate_metrics(run: Run):
    held = [s for s in run.by_role(Role.VAL_METRIC) if s.metric in BOUNDED01 and s.higher_is_better]
    if held:
        return held
    return [s for s in run.by_role(Role.TRAIN_METRIC)
            if s.metric in BOUNDED01 and s.higher_is_better and not _TRAIN_WORDS & set(name_tokens(s.name))]


def unmoved_val_loss(run: Run) -> Finding | None:
    v = loss_curve(run, Role.VAL_LOSS, MIN_EVALS)
    t = loss_curve(run, Role.TRAIN_LOSS, MIN_POINTS)
    if v is None or t is None:
        return None
    first = float(np.median(v.y[:3]))
    lowest = float(np.min(v.y))
    late = float(np.median(v.y[-max(3, v.n // 3):]))
    if first <= 0 or lowest < (1.0 - LOSS_SHARE) * first or late > (1.0 + LOSS_SHARE) * first:
        return None  # it fell, or it climbed (overfitting from the first evaluation names that)
    tt = trend(t.x, t.y)
    if not tt.falling(0.01, TRAIN_FALL):
        return None
    for s in _candidate_metrics(run):
        mc = curve(s)
        if mc.n < MIN_EVALS:
            continue
        y, _ = normalised_metric(mc)
        mt = trend(mc.x, y)
        # Gain from the first evaluations to the last third: a metric that climbs in the first tenth of a
        # long run has Theil-Sen ends that hide most of the climb.
        gain = float(np.median(y[-max(3, mc.n // 3):])) - float(np.median(y[:3]))
        if not (mt.z > 0 and mt.p < 0.01 and gain >= METRIC_GAIN):
            continue
        title = (f"{v.name} never fell from its start ({fmt(first)}, lowest {fmt(lowest)}, last {fmt(float(v.y[-1]))}) "
                 f"while {s.name} rose {fmt(float(mc.y[0]))} -> {fmt(float(mc.y[-1]))} and {t.name} fell "
                 f"{-tt.rel_change:.0%}: the held-out loss does not measure what the metric scores")
        return make("loss-metric-mismatch", title, series=[v.name, s.name, t.name], steps=[v.span[0], v.span[1]],
                    evidence={"val_loss_first": first, "val_loss_lowest": lowest, "val_loss_last": float(v.y[-1]),
                              "metric_start": mt.start, "metric_end": mt.end, "metric_trend_p": mt.p,
                              "train_loss_fall": -tt.rel_change},
                    causes=["the validation loss is computed on other outputs than the metric: probabilities "
                            "passed where logits are expected (a sigmoid or softmax applied twice keeps a "
                            "cross-entropy near its chance level), another head, or another target",
                            "the validation loss is accumulated over the wrong axis or never reset between "
                            "evaluations"],
                    fixes=["compute the validation loss by hand on one batch from the same outputs the metric "
                           "uses, and compare", "pass logits to losses that apply their own sigmoid or softmax "
                           "(BCEWithLogitsLoss, CrossEntropyLoss, from_logits=True)"])
    return None
