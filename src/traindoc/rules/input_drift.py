"""Inputs whose spread drifts during training while the training loss climbs: the stored data changes.

A model trains on a fixed data set: every batch is a random draw from the same rows, so the
spread of the batches (``watch()``'s per-batch input std) wanders around one level for the whole
run, augmentation included (fresh noise on a copy each time has the same strength every epoch).
A spread that trends one way across the run means the rows themselves are changing: noise or an
augmentation written in place into the stored tensors (``sample += noise`` on a view, a transform
that edits the array it was given), or a normalisation applied in place at every access (``x /= 255``
in ``__getitem__``). Each epoch then trains on data further from the labels it was paired with,
and the training loss climbs back up even at a constant learning rate.

Read: a monotone trend in the log of the input std (Mann-Kendall at 1% over 8+ sampled batches),
a change from the first quarter to the last of four or more units of its own batch-to-batch
jitter, and a training loss climbing from its minimum (``_loss_climbs``) as the independent
witness. All are judged on the run's own noise, so they hold on 8 samples as on 800.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding, Severity
from ..run import Role, Run
from ..stats import mann_kendall, trend
from ..stats.core import jitter_sigma, tail_level
from ._common import loss_curve

MIN_SAMPLES = 8
TREND_P = 0.01
SIZE_SIGMAS = 4.0


def _loss_climbs(t) -> dict | None:
    """The training loss rising from its (smoothed) minimum over the last quarter of the run or more:
    a rank trend at 1% on the points after the minimum and an end level 10% above it. The level test
    of ``rising_after_min`` (3 units of the per-point noise) is left out: here the loss is the second
    witness beside the drift, and a per-batch loss over a few dozen rows is too noisy for it."""
    ib, nb = t.ibest, t.yb.size
    if nb < 8 or nb - ib < max(4, nb // 4):
        return None
    tr = trend(t.xb[ib + 1:], t.yb[ib + 1:])
    end = tail_level(t.yb[ib:], 0.2)
    if not (tr.z > 0 and tr.p < TREND_P) or end < 1.1 * t.best:
        return None
    return {"best": t.best, "end": end}


def input_drift(run: Run) -> Finding | None:
    """The finding of inputs whose spread drifted while the training loss rose, or None."""
    s = run.series.get("input_std")
    if s is None or len(s.values) < MIN_SAMPLES:
        return None
    x, v = np.asarray(s.steps, dtype=float), np.asarray(s.values, dtype=float)
    ok = np.isfinite(v) & (v > 0)
    x, v = x[ok], v[ok]
    if v.size < MIN_SAMPLES:
        return None
    y = np.log(v)
    z, p = mann_kendall(y)
    k = max(2, y.size // 4)
    first, last = float(np.median(y[:k])), float(np.median(y[-k:]))
    if p >= TREND_P or np.sign(z) != np.sign(last - first) or abs(last - first) < SIZE_SIGMAS * jitter_sigma(y):
        return None
    t = loss_curve(run, Role.TRAIN_LOSS)
    rise = _loss_climbs(t) if t is not None else None
    if rise is None:
        return None
    grew = last > first
    ratio = float(np.exp(last - first))
    return Finding(
        "label-problem", Severity.WARNING,
        f"the inputs' spread {'grew' if grew else 'shrank'} steadily during training (batch std x{ratio:.3g} from the "
        f"first quarter of the run to the last) while {t.name} climbed from {rise['best']:.3g} to {rise['end']:.3g}: "
        f"the stored data changes as it is read",
        series=["input_std", t.name], steps=[float(x[0]), float(x[-1])],
        evidence={"subject": "input-drift", "input_std_first": float(np.exp(first)), "input_std_last": float(np.exp(last)),
                  "trend_p": float(p), "samples": int(y.size), "train_loss_best": rise["best"],
                  "train_loss_end": rise["end"]},
        causes=["noise or an augmentation written in place into the stored data set (sample += noise on a view of "
                "the dataset's tensor, a transform that edits the array it is given): every epoch adds to the last, "
                "so the rows drift away from their labels",
                "a normalisation applied in place at every access (x /= 255 or x -= mean in __getitem__)"],
        fixes=["augment a copy, never the stored rows: x = self.x[i] + noise (or self.x[i].clone()), not "
               "self.x[i] += noise; normalise once, before training, not in place in __getitem__"])
