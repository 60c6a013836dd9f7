"""One continuous score for "held-out performance got worse after its best while training kept improving".

The trend rules of ``generalization`` each read one shape (a significant trend after the best, a
step that held, a climb at every evaluation, ...), and a noisy short curve that a person calls
overfitting at a glance can fail all of them. This score reads what they share, on any run's own
numbers, the same way on 7 evaluations as on thousands (5-6 are ``few_evals_overfit``'s and
``ended_above_best``'s: a noise scale read from three or four second differences is too often far
too small):

- the held-out error is the validation loss, or 1 - a bounded validation score (accuracy), read in
  log terms (a rise is a ratio, so losses on any scale compare);
- ``rise``: how far the held-out error stands above its best level, read twice and the smaller
  taken, so the worsening must last: the median of all evaluations after the best and the median
  of the last third of them (the lower of the last two, where the third is under three). The best level is the lowest of a running median of
  three, so a single lucky evaluation is not the reference;
- ``support``: the evaluations after the best, a tenth of the run and two at least; a rise over
  the last two evaluations of a 47-evaluation run is a final bump, not a turn;
- ``noise``: the run's own evaluation noise, from its second differences (a trend, falling or
  rising, is not noise; white noise of sd s gives second differences of sd s*sqrt(6)), combined
  with a tolerance of 3% (``TOLERANCE``): what the labellers call "a few percent above its
  minimum" is noise whatever the curve's jitter;
- a value repeated on the next rows is one evaluation (``distinct_evaluations``): a logger that
  copies the last validation result until the next one would otherwise shrink the noise scale;
- on a flat noisy curve the lowest of n evaluations sits about sqrt(2 ln n) noise units below the
  rest; that depth is taken off, so the score means the same on 6 evaluations as on 600:

    score = rise / hypot(noise, TOLERANCE) - sqrt(2 ln n)

It counts only where training kept improving since the held-out best (its level per evaluation
interval fell 5% or more and ended below where it began: ``ended_above_best.training_fell_since``);
without that widening gap a held-out error going up is not memorisation. Nor where the learning
rate ended 20% or more above its value at the best (``rate_rose_since``): a warm-up still climbing
or a restarted schedule raises the held-out loss by itself.

Calibration (``bench/overfit_score_distributions.py --until 0b9c7f88``, rounds 1-64 and the shared
dev split, a file scored by its highest run; ``--prefixes`` for the healthy files cut at 40/60/80%
and logged half as often). The selection rule, fixed before the choice: the loosest threshold on a
grid of 0.5 that adds at most one healthy false alarm per 300 healthy files on dev and stands 0.25
or more above every healthy file and healthy prefix not already alarmed by another rule.

| threshold | 0.01 | 0.5 | 1.0 | 1.5 | 2 | 3 | 5 | 10 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| files labelled overfitting reaching it (of 223; 165 scored) | 56 | 47 | 42 | 38 | 35 | 29 | 24 | 14 |
| healthy files (of 838; 183 scored) | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 0 |
| other-problem files (of 678; 121 scored) | 1 | 1 | 1 | 1 | 1 | 1 | 0 | 0 |

The one healthy file above 0 is already a false alarm of the trend rules; the highest other healthy
files score -0.21, -0.76, -0.85, and the highest healthy prefix not already alarmed 0.39 (of 429
scored variants). The rule gives 1.0. Without the learning-rate reading a healthy detector's prefix
cut inside its warm-up scored 2.03; that reading costs three labelled files (0.5 or more), all named
by the trend rules already. Of the labelled files the trend rules miss, one reaches 1.0.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..findings import Finding, Mark
from ..run import Role, Run
from ._common import Curve, curve, fmt, loss_curve, make, unit

TOLERANCE = 0.03  # log terms: a held-out error 3% above its best is within what a person calls noise
# Evaluations: a noise scale from the median of fewer than five second differences is too often far too
# small (with three, one time in eight under 40% of the truth), and 5-6 evaluations are the few-evals rules'.
MIN_EVALS = 7
MIN_AFTER = 2  # evaluations after the best
MAX_READ = 2000  # a longer curve is read as its block medians
SUPPORT = 0.1  # the evaluations after the best: a tenth of the run at least (and MIN_AFTER)
LR_ROSE = 1.2  # the learning rate at the end, this far above its value at the held-out best
THRESHOLD = 1.0  # chosen on the calibration set (module docstring)


def held_out_error(run: Run) -> tuple[Curve, np.ndarray, np.ndarray, str] | None:
    """The held-out error curve of a run: its validation loss, else a validation metric read as an
    error to minimise (``generalization.val_metric_as_error``). Returns (curve, x, error, kind)."""
    v = loss_curve(run, Role.VAL_LOSS, MIN_EVALS)
    if v is not None:
        x, y = (v.x, v.y) if v.n <= MAX_READ else (v.xb, v.yb)
        return v, x, y, "loss"
    if loss_curve(run, Role.VAL_LOSS, 1) is not None:
        return None
    from .generalization import val_metric_as_error

    vm = val_metric_as_error(run)
    if vm is None or vm[0].n < MIN_EVALS:
        return None
    c, x, y, _ = vm
    return c, x, y, "metric"


def distinct_evaluations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The evaluations that are new: a value repeated exactly on the next rows is a stale copy (a
    logger writing the last validation result on every epoch between evaluations), not another
    evaluation. Kept, the copies would count as evaluations and their zero steps would shrink the
    noise scale."""
    if y.size < 2:
        return x, y
    keep = np.concatenate([[True], y[1:] != y[:-1]])
    return x[keep], y[keep]


def noise_of(ly: np.ndarray) -> float:
    """The evaluation noise of a log curve, robust to its trend: the median absolute second
    difference over its normal-theory value (0.6745 * sqrt(6) for white noise of sd 1)."""
    if ly.size < 3:
        return 0.0
    return float(np.median(np.abs(np.diff(ly, n=2)))) / (0.6745 * math.sqrt(6.0))


def _running_median3(a: np.ndarray) -> np.ndarray:
    """Each point replaced by the median of it and its two neighbours (the ends kept)."""
    b = a.copy()
    if a.size >= 3:
        b[1:-1] = np.median(np.stack([a[:-2], a[1:-1], a[2:]]), axis=0)
    return b


def rise_score(x: np.ndarray, y: np.ndarray) -> dict | None:
    """The score of a held-out error curve alone (positive values) with its parts, or None when it
    cannot be read: too short, not positive, or too few evaluations after its best."""
    n = int(y.size)
    if n < MIN_EVALS or not np.all(np.isfinite(y)) or not np.all(y > 0):
        return None
    ly = np.log(y)
    ib = int(np.argmin(ly))
    after = ly[ib + 1:]
    if after.size < max(MIN_AFTER, math.ceil(SUPPORT * n)):
        return None  # a worsening over the last evaluations of a long run is a final bump, not a turn
    k = max(2, int(math.ceil(after.size / 3)))
    # The level it stayed at: the median of the last ones, or the lower of two (the median of two
    # is their mean, which one upward spike of a small validation set carries).
    end = float(np.median(after[-k:])) if k >= 3 else float(np.min(after[-k:]))
    held = float(np.median(after))
    # The best level is read through a running median of three, so one lucky evaluation is not it.
    best = float(np.min(_running_median3(ly)))
    rise = min(end, held) - best
    sigma = noise_of(ly)
    scale = math.hypot(sigma, TOLERANCE)
    depth = math.sqrt(2.0 * math.log(n))
    return {"score": rise / scale - depth, "best_index": ib, "best_step": float(x[ib]), "best": float(y[ib]),
            "best_level": float(math.exp(best)), "end": float(math.exp(end)),
            "rise_pct": round(100.0 * math.expm1(rise), 2), "noise_pct": round(100.0 * math.expm1(sigma), 2),
            "rise_in_noise": round(rise / scale, 2), "min_depth": round(depth, 2), "evals": n,
            "evals_after_best": int(after.size)}


def rate_rose_since(run: Run, step: float) -> bool:
    """Whether the learning rate ended ``LR_ROSE`` times or more above where it stood at ``step``
    (a warm-up still climbing, a cyclic or restarted schedule): a higher rate raises the loss on
    held-out and training data alike, so a held-out rise over that stretch is the schedule's."""
    s = run.primary(Role.LR)
    if s is None:
        return False
    c = curve(s)
    if c.n < 2 or not np.all(np.isfinite(c.y)):
        return False
    at = float(np.interp(step, c.x, c.y))
    return at > 0 and float(c.y[-1]) >= LR_ROSE * at


def overfit_score(run: Run) -> dict | None:
    """The score of a run with its parts (the numbers a finding quotes), or None where it cannot be
    read. ``score`` is 0 when training did not keep improving since the held-out best."""
    from .ended_above_best import training_fell_since

    held = held_out_error(run)
    t = loss_curve(run, Role.TRAIN_LOSS, 2)
    if held is None or t is None or not np.all(t.y > 0):
        return None
    v, x, y, kind = held
    x, y = distinct_evaluations(x, y)
    r = rise_score(x, y)
    if r is None:
        return None
    fell, t_best, t_end = training_fell_since(t, x, r["best_index"])
    lr_rose = rate_rose_since(run, r["best_step"])
    r.update({"unit": unit(v), "last_step": float(x[-1]), "val_series": v.name, "train_series": t.name,
              "held_out": kind, "train_at_best": t_best, "train_at_end": t_end, "train_kept_falling": fell,
              "raw_score": round(r["score"], 3), "lr_rose_since_best": lr_rose})
    if not fell or lr_rose:
        r["score"] = 0.0
    r["score"] = round(r["score"], 3)
    return r


def score_overfitting(run: Run, causes: list[str], fixes_for: Callable[[str, float], list[str]]) -> Finding | None:
    """The overfitting finding of a run whose score reaches ``THRESHOLD``, or None."""
    r = overfit_score(run)
    if r is None or r["score"] < THRESHOLD:
        return None
    step, u = r["best_step"], r["unit"]
    what = "error (1 - score)" if r["held_out"] == "metric" else ""
    return make("overfitting", f"{r['val_series']}{' ' + what if what else ''} was best at {fmt(r['best'])} "
                f"({u} {fmt(step)}); the {r['evals_after_best']} evaluations since stayed {r['rise_pct']:.0f}% above its best "
                f"level, ending at {fmt(r['end'])} ({r['rise_in_noise']:.1f} units of its noise), while "
                f"{r['train_series']} fell {fmt(r['train_at_best'])} -> {fmt(r['train_at_end'])}",
                series=[r["train_series"], r["val_series"]], steps=[step, r["last_step"]],
                evidence={k: v for k, v in r.items() if k not in ("best_index", "unit", "last_step")}
                | {"judged_on": "overfitting score: the held-out rise after its best in units of its own noise"},
                causes=causes, fixes=fixes_for(u, step),
                marks=[Mark("point", r["val_series"], step, label="best held-out value")])
