"""A cross-entropy that cannot fall below ln(e + k - 1) - 1: a softmax applied twice.

When a model already outputs probabilities (a softmax layer, or an eval-mode head that returns
them) and the loss applies softmax again (``CrossEntropyLoss`` on probabilities), every item's
loss is ``log(sum_j exp(p_j)) - p_true``. That lies between ``ln(e + k - 1) - 1`` (the true class
at probability 1) and one more than it (the true class at 0), whatever the weights do. A model
right on nearly every item then logs a loss stuck at that floor (0.313 for 2 classes, 0.744 for 4,
1.461 for 10), where a plain cross-entropy at the same accuracy would be near 0. The loss no longer
measures the fit, and its gradients shrink with it.

Evidence, per split (a loss beside a top-1 accuracy at the same evaluations), for the class count
the log states or else the one the curve fits: every point within [floor, floor + 1] and no accuracy
below 0.8 / k (that says there are more classes); at the end,
a median accuracy of 85%+ and a loss no more than 1.2 x the error rate above the floor; where the
accuracy moved, the loss moving about one-for-one with the error rate; and the floor at least twice
the loss a calibrated model of that accuracy would log, so a binary model at 90% (whose honest
loss is 0.33, next to the 2-class floor) is never called. Where the run states a label smoothing
(``label_smoothing``, HF's ``label_smoothing_factor``), an honest loss cannot go below the entropy of
the smoothed targets either (0.325 for 2 classes at 0.2), so that entropy counts as the honest loss
too: a smoothed binary model at 99% is not mistaken for one on the 2-class floor.

Some writers compute the validation loss on probabilities themselves: Ultralytics' classify head
returns softmax outputs in eval mode and, before 8.3.39, its validator fed them to the cross-entropy
(ultralytics/ultralytics#16428, fixed by #17851). There the user's model and loss are right and the
fix is the framework's, so the finding says so (``writer_cause``).
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..run import Role, Run
from ._common import cross_entropy_like, curve, normalised_metric

MAX_K = 1000
_SPLITS = ((Role.TRAIN_LOSS, Role.TRAIN_METRIC), (Role.VAL_LOSS, Role.VAL_METRIC))
# Formats whose own validation loss is a cross-entropy of softmax outputs (see the module docstring).
_VAL_ON_PROBABILITIES = {"ultralytics": "Ultralytics before 8.3.39 computes the classify val/loss on softmax outputs"}
_TOP_K = re.compile(r"top_?[2-9]|acc(uracy)?_?[2-9]\b|acc[2-9]")  # top-5 accuracy is no top-1 rate


def floor_of(k: int) -> float:
    """The least cross-entropy a k-class model can log when softmax is applied to probabilities."""
    return math.log(math.e + k - 1) - 1.0


def _calibrated_loss(a: float, k: int) -> float:
    """The cross-entropy of a calibrated k-class model right on a share ``a`` of the items (errors
    spread over the other classes): what a plain loss would log at that accuracy."""
    e = 1.0 - a
    return (-a * math.log(a) if a > 0 else 0.0) + (e * math.log((k - 1) / e) if e > 0 else 0.0)


def smoothed_floor(k: int, eps: float) -> float:
    """The least cross-entropy an honest k-class model can log under label smoothing ``eps``: the
    entropy of the smoothed target (1 - eps + eps/k on the true class, eps/k on each other)."""
    if not 0 < eps < 1:
        return 0.0
    hi, lo = 1.0 - eps + eps / k, eps / k
    return -hi * math.log(hi) - (k - 1) * lo * math.log(lo)


def label_smoothing_of(hparams: object) -> float:
    """The label smoothing a run's hyper-parameters state (any key ending in label_smoothing or
    label_smoothing_factor, top level or dotted); 0 when none."""
    if not isinstance(hparams, dict):
        return 0.0
    for key, value in hparams.items():
        if isinstance(value, dict):
            inner = label_smoothing_of(value)
            if inner:
                return inner
            continue
        leaf = str(key).rsplit(".", 1)[-1].lower()
        if leaf in ("label_smoothing", "label_smoothing_factor"):
            try:
                eps = float(value)
            except (TypeError, ValueError):
                continue
            if 0 < eps < 1:
                return eps
    return 0.0


def _joint(loss, metric) -> tuple[np.ndarray, np.ndarray] | None:
    """(loss, accuracy in [0, 1]) at the evaluations both logged, 3 or more."""
    lc, mc = curve(loss), curve(metric)
    a, _ = normalised_metric(mc)
    at = {float(x): float(y) for x, y in zip(lc.x, lc.y)}
    pts = [(at[float(x)], float(v)) for x, v in zip(mc.x, a) if float(x) in at]
    if len(pts) < 3:
        return None
    arr = np.array(pts)
    return arr[:, 0], arr[:, 1]


def _fits(L: np.ndarray, A: np.ndarray, k: int, smoothing: float = 0.0) -> bool:
    """Whether a loss/accuracy pair follows the floor of k classes (see the module docstring)."""
    f = floor_of(k)
    if not (np.all(L >= 0.997 * f) and np.all(L <= f + 1.02)):
        return False
    if float(np.min(A)) < 0.8 / k:
        return False  # an accuracy below chance for k classes says there are more than k
    w = max(3, L.size // 4)
    le, ae = L[-w:], A[-w:]
    a = float(np.median(ae))
    if a < 0.85 or not np.all(le <= f + 1.2 * (1.0 - ae) + 0.005 + 0.002 * f):
        return False
    if float(np.ptp(A)) >= 0.05:
        slope = float(np.polyfit(1.0 - A, L, 1)[0])
        if not 0.5 <= slope <= 2.0:
            return False
    return f >= 2.0 * max(_calibrated_loss(a, k), smoothed_floor(k, smoothing))


def softmax_twice_of(run: Run) -> dict | None:
    """The first split whose loss sits on the double-softmax floor, with its class count."""
    if not cross_entropy_like(run):
        return None
    known = run.meta.num_classes
    smoothing = label_smoothing_of(run.meta.hparams)
    ks = [known] if known and 2 <= known <= MAX_K else range(2, MAX_K + 1)
    for loss_role, metric_role in _SPLITS:
        for ls in run.by_role(loss_role):
            for ms in run.by_role(metric_role):
                if ms.metric != "accuracy" or _TOP_K.search(ms.name.lower()):
                    continue
                j = _joint(ls, ms)
                if j is None or not np.all(np.isfinite(j[0])) or not np.all((j[1] >= 0) & (j[1] <= 1)):
                    continue
                L, A = j
                # Floors grow with k: none above the lowest loss can fit (keeps the search short).
                top = math.exp(min(float(np.min(L)) / 0.997, 50.0) + 1.0) - math.e + 1.0
                k = next((k for k in ks if k <= top and _fits(L, A, k, smoothing)), None)
                if k is None:
                    continue
                return {"series": ls.name, "metric": ms.name, "classes": k, "floor": floor_of(k),
                        "classes_from": "the log" if known else "the curve (the class count that fits it)",
                        "loss_min": float(np.min(L)), "loss_end": float(L[-1]), "accuracy_end": float(A[-1]),
                        "evaluations": int(L.size), "steps": [float(curve(ls).x[0]), float(curve(ls).x[-1])],
                        "writer_cause": _VAL_ON_PROBABILITIES.get(run.format, "") if loss_role is Role.VAL_LOSS else ""}
    return None
