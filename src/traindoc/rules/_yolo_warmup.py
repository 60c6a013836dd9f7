"""Ultralytics / YOLOv5 warm-up: the epoch-mean training loss rising while the warm-up raises the rate.

Ultralytics and YOLOv5 warm the learning rate up per iteration over the first ``warmup_epochs``
(3 by default): the weight groups (``lr/pg1``, ``lr/pg2``; YOLOv5 ``x/lr1``, ``x/lr2``) climb from 0
to ``lr0``, while the bias group (``lr/pg0``, ``x/lr0``) falls from ``warmup_bias_lr`` (0.1) with SGD
and climbs with it under AdamW. A ``results.csv`` row holds the mean of each training loss over the
epoch. The model learns fastest in its first epochs, so in a healthy run those means fall, whatever
the starting weights: over the 99 healthy Ultralytics dev runs with a logged warm-up, the sum of the
training losses at its highest in the warm-up window (the climb and two epochs after it) stands at
most 2.6% above its first-epoch value, and its second-highest at most 1.7%. When it rises instead, epoch after epoch, as the rate
climbs, the warm-up's peak rate undoes what the model had: typically a fine-tune from weights that
were already good (a high first-epoch mAP or top-1), whose held-out metric drops in the same epochs.
The validation losses alone are no evidence: they bump in the warm-up epochs of healthy runs too.
"""

from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ..stats import noise_sigma

YOLO_FORMATS = ("ultralytics",)
RISE = 0.05  # the training loss above its first epoch: twice the largest rise of a healthy run's warm-up
NOISE_TIMES = 3.0  # ... and clear of the run's own epoch-to-epoch noise after the warm-up
MAX_LAG = 2  # epochs after the last rise of the rate in which its effect still shows in the epoch means


def _epoch_values(run: Run, role: Role) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for s in run.by_role(role):
        x, y = np.asarray(s.steps, float), np.asarray(s.values, float)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() >= 3 and s.axis == "epoch":
            out[s.name] = (x[ok], y[ok])
    return out


def warmup_end(run: Run) -> tuple[int, str] | None:
    """Index of the last epoch of the rate's opening climb and the LR series that shows it: the longest
    run of epoch-on-epoch rises from the first logged epoch among the run's LR groups (the bias group may
    fall meanwhile). None when no group climbs for two epochs or more."""
    best = None
    for name, (_, y) in _epoch_values(run, Role.LR).items():
        k = 0
        while k + 1 < y.size and y[k + 1] > y[k] * 1.0001 and y[k + 1] > 0:
            k += 1
        if k >= 2 and (best is None or k > best[0]):
            best = (k, name)
    return best


def warmup_worsened_of(run: Run) -> dict | None:
    """The summed training losses of a YOLO run rose from the first epoch through the warm-up, by 5% or
    more and by three times the run's own epoch-to-epoch noise, while the held-out task metric fell
    below its first-epoch value: the warm-up's rate damaged the model. See the module's text."""
    if run.format not in YOLO_FORMATS:
        return None
    ramp = warmup_end(run)
    if ramp is None:
        return None
    k, lr_name = ramp
    losses = _epoch_values(run, Role.TRAIN_LOSS)
    if not losses:
        return None
    n = min(y.size for _, y in losses.values())
    steps = next(iter(losses.values()))[0][:n]
    if any(not np.array_equal(x[:n], steps) for x, _ in losses.values()):
        return None  # the parts are not logged on the same epochs: no sum to read
    total = np.sum([y[:n] for _, y in losses.values()], axis=0)
    end = min(n, k + 1 + MAX_LAG)
    if end < 3 or not np.all(total[:end] > 0):
        return None
    window = total[:end]
    # The run's own epoch-to-epoch noise: after the climb when five epochs or more follow it, else over
    # the whole curve (first differences, blind to the climb's own slope); a run of four epochs has none.
    after = np.log(total[k + 1:]) if n - (k + 1) >= 5 else np.log(total)
    noise = float(noise_sigma(after)) if after.size >= 5 else 0.0
    bar = max(np.log1p(RISE), NOISE_TIMES * noise)
    above = np.log(window[1:] / window[0]) >= bar
    # Held, not one bumped epoch: two epoch means of the warm-up (or just after it) clear the bar.
    if int(above.sum()) < 2:
        return None
    peak_i = int(np.argmax(window[1:])) + 1
    rise = float(window[peak_i] / window[0] - 1.0)
    metric = _metric_drop(run, steps[0], steps[min(end, n) - 1])
    if metric is None:
        return None
    lr_x, lr_y = _epoch_values(run, Role.LR)[lr_name]
    return {"series": " + ".join(losses), "first_step": float(steps[0]), "first_loss": float(window[0]),
            "peak_step": float(steps[peak_i]), "peak_loss": float(window[peak_i]), "rise_pct": 100.0 * rise,
            "noise": noise, "lr_series": lr_name, "lr_first": float(lr_y[0]), "lr_peak": float(lr_y[k]),
            "lr_peak_step": float(lr_x[k]), **metric}


def _metric_drop(run: Run, first: float, last: float) -> dict | None:
    """The primary held-out metric (higher is better) at its lowest in the warm-up epochs, below its
    first-epoch value. None when no such metric is logged, or it did not fall."""
    s = run.primary(Role.VAL_METRIC)
    if s is None or s.higher_is_better is not True:
        return None
    x, y = np.asarray(s.steps, float), np.asarray(s.values, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x >= first) & (x <= last)
    x, y = x[ok], y[ok]
    if y.size < 2 or y[0] <= 0:
        return None
    j = int(np.argmin(y[1:])) + 1
    if y[j] >= y[0]:
        return None
    return {"metric": s.name, "metric_first": float(y[0]), "metric_low": float(y[j]), "metric_low_step": float(x[j])}
