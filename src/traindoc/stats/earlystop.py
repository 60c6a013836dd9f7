"""Overfitting onset after Prechelt's early-stopping criteria.

GL(t) = 100 * (E_val(t) / E_best(t) - 1) is the generalisation loss: how far validation
loss sits above the best seen so far, in percent. UP_s counts successive strips in which
validation got worse. Together they separate a real turn from a transient spike that
recovers: a spike raises GL for a moment, a turn keeps it up to the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .core import jitter_sigma, rolling_median


@dataclass(frozen=True)
class Overfit:
    best_step: float  # restore the checkpoint from here
    best_value: float
    onset_step: float  # first step after the best from which validation stays worse
    final_gl: float  # GL at the end, percent
    rises: int  # successive strips (UP) that got worse after the best
    points_after: int


def overfit_onset(x: np.ndarray, y: np.ndarray, gl_threshold: float = 5.0, size_sigmas: float = 4.0,
                  trend_p: float = 0.05) -> Overfit | None:
    """The turn of a validation-loss curve, or None when it has not (yet) turned for good.

    The curve is lightly smoothed (rolling median over 3-5 points) so one noisy evaluation
    neither creates nor hides a turn; the best step reported is the raw minimum. The rise must be
    ``size_sigmas`` units of the curve's jitter and its trend significant at ``trend_p``: a caller
    holding independent evidence (training still falling hard) may trade size for significance.
    """
    n = y.size
    if n < 5 or np.any(y <= 0):
        return None
    w = 3 if n < 30 else 5 if n < 200 else max(5, (n // 40) | 1)
    sm = rolling_median(y, w)
    if w == 3:
        # On a short curve the first evaluation is its own level (the median of y0, y0, y1): the
        # fast first fall must not be flattened into the minimum that follows it.
        sm[0] = y[0]
    ib = int(np.argmin(sm))
    after = n - 1 - ib
    if after < max(3, int(0.15 * n)):
        return None
    best = float(sm[ib])
    gl = 100.0 * (sm / np.minimum.accumulate(sm) - 1.0)
    tail = gl[-max(2, after // 3):]
    final_gl = float(np.median(tail))
    # Noise guard: the rise must stand clear of the curve's own evaluation-to-evaluation jitter
    # (relative, from the whole curve's differences), and the points after the best must trend up.
    k = max(2, after // 3)
    rise = float(np.log(np.median(sm[-k:]) / best))
    sigma = jitter_sigma(np.log(y))
    if final_gl < gl_threshold or rise < size_sigmas * sigma:
        return None
    from .exact import EXACT_MAX_N, rise_p_exact
    from .trend import mann_kendall

    seg = y[ib:]
    if seg.size <= EXACT_MAX_N:
        # A handful of evaluations after the best: the normal approximation cannot reach 5% on
        # four or five points however clean the climb; the exact one-sided test can. The size
        # guards above (GL and the rise in units of the curve's own jitter) still apply.
        if rise_p_exact(seg) > trend_p:
            return None
    else:
        z, p = mann_kendall(seg)
        if (z <= 0 or p > trend_p) and not _stepped_and_stayed(seg, best, sigma):
            return None
    # Onset: the last time GL was below half the threshold before it stayed above.
    above = gl[ib:] > gl_threshold / 2.0
    stay = np.flatnonzero(~above)
    onset_i = ib + (int(stay[-1]) + 1 if stay.size else 0)
    onset_i = min(max(onset_i, ib), n - 1)
    strips = max(1, after // 4)
    seg = sm[ib:]
    ups = sum(1 for k in range(strips, seg.size, strips) if seg[k] > seg[k - strips])
    raw_best = ib
    lo, hi = max(0, ib - w), min(n, ib + w + 1)
    raw_best = lo + int(np.argmin(y[lo:hi]))
    return Overfit(float(x[raw_best]), float(y[raw_best]), float(x[onset_i]), final_gl, ups, after)


def _stepped_and_stayed(seg: np.ndarray, best: float, sigma: float) -> bool:
    """Validation jumped above its best and stayed there: a step, then a plateau (training loss
    at ~0 leaves nothing to learn, so validation freezes at its worse level). A trend test misses
    it (the plateau may even drift down a little); the evidence is that nearly every evaluation
    of the later half sits well clear of the best, by four units of the curve's own jitter."""
    late = seg[seg.size // 2:]
    if late.size < 5:
        return False
    return float(np.mean(late > best * math.exp(4.0 * sigma))) >= 0.9


def stopped_after_turn(x: np.ndarray, y: np.ndarray, max_after: int = 4) -> Overfit | None:
    """The early-stopping pattern on a short curve: validation fell, bottomed 2-4 evaluations
    before the end and every later evaluation is clearly worse; the run then stopped.

    ``overfit_onset`` cannot decide this: a trend test on 3-5 points cannot reach 5%. The size of
    the rise is judged instead against the curve's own upward bumps while it was still falling
    (each point's excess over the running minimum, in log units), so a noisy plateau, whose
    bumps are as large as its "rise", is left alone. The caller must also see training improve
    over the same evaluations (a widening gap) before calling it overfitting.
    """
    n = y.size
    if n < 6 or n > 40 or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    ib = int(np.argmin(y))
    after = n - 1 - ib
    if not 2 <= after <= max_after:
        return None
    best = float(y[ib])
    later = y[ib + 1:]
    ly = np.log(y[: ib + 1])
    bumps = ly - np.minimum.accumulate(ly)
    sigma = float(np.sqrt(np.mean(bumps ** 2)))
    rise = float(np.log(np.median(later[-2:]) / best))
    # Prechelt's GL of 5% is for long curves; three worse evaluations must be larger and clear of noise.
    if rise < max(4.0 * sigma, np.log(1.15)) or float(np.min(later[-2:])) < best * 1.10:
        return None
    # The curve before the best may fall without a bump (sigma 0); the later evaluations show the
    # noise too: one that falls back by half the rise or more in a single evaluation is a noisy
    # level around a lucky low point (a small validation set), not a turn that stopped the run.
    falls = -np.diff(np.log(later))
    if falls.size and float(falls.max()) >= 0.5 * rise:
        return None
    # The best is the minimum, picked out of the noise: left out (as `rise_after_best` leaves it out
    # of its trend test), a lone low dip in a noisy plateau is seen for what it is: the run ends no
    # 15% above the lowest earlier evaluation, and had held that level (three evaluations or more
    # within the same 15%) before the dip. A turn after a fall (few evaluations at the level before
    # the best) or after a slow approach (the end well above every earlier point) is still one.
    end = float(np.median(later[-2:]))
    if ib > 0 and end < 1.15 * float(np.min(y[:ib])) and int(np.sum(y[:ib] <= 1.15 * end)) >= 3:
        return None
    gl = 100.0 * (later / best - 1.0)
    return Overfit(float(x[ib]), best, float(x[ib + 1]), float(np.median(gl[-2:])), int(np.sum(np.diff(later) > 0)) + 1,
                   after)


def rank_turn(x: np.ndarray, y: np.ndarray, p_max: float = 0.05, gl_threshold: float = 5.0) -> Overfit | None:
    """A short validation curve (4-12 evaluations) whose last m >= 2 evaluations are its m largest,
    each above the one before: an exact rank test that needs no noise estimate.

    Under the null of a curve whose evaluations are exchangeable (noise about a flat level), every
    ordering is equally likely, and the chance that the last m are the m largest in increasing order
    is (n - m)! / n!: 1/20 for the last two of five, 1/120 for the last three of six. A healthy curve
    that still falls makes that ordering rarer still, so the test is conservative for it. The size is
    Prechelt's: the last evaluation at least ``gl_threshold`` percent above the best before the rise.
    """
    n = y.size
    if n < 4 or n > 12 or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    m = 0
    for k in range(1, n):
        tail, head = y[n - k:], y[: n - k]
        if np.all(np.diff(tail) > 0) and tail[0] > head.max():
            m = k
        else:
            break
    if m < 2 or math.factorial(n - m) / math.factorial(n) > p_max:
        return None
    ib = int(np.argmin(y[: n - m]))
    best = float(y[ib])
    gl = 100.0 * (float(y[-1]) / best - 1.0)
    if gl < gl_threshold:
        return None
    return Overfit(float(x[ib]), best, float(x[n - m]), gl, m, n - 1 - ib)


def rise_after_best(x: np.ndarray, y: np.ndarray, p_max: float = 0.01, gl_threshold: float = 5.0,
                    max_n: int = 60) -> Overfit | None:
    """A short noisy curve (8-60 evaluations) whose evaluations after its best trend up, tested
    without the best itself.

    ``overfit_onset`` asks the rise to stand four units of the curve's jitter clear of its best,
    a guard against the best being a lucky low point picked out of the noise. Leaving the best
    out of the trend test removes that selection instead: the evaluations after it are tested on
    their own (exact Kendall test up to 12 points, Mann-Kendall beyond), at ``p_max``. The size
    is Prechelt's generalisation loss on the median of the last third. The caller must hold
    independent evidence of memorisation (the training loss still falling clearly since the best).
    """
    n = y.size
    if n < 8 or n > max_n or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None
    ib = int(np.argmin(y))
    after = n - 1 - ib
    if after < max(5, int(0.15 * n)):
        return None
    from .exact import rise_p

    seg = y[ib + 1:]
    p = rise_p(seg)
    k = max(2, after // 3)
    gl = 100.0 * (float(np.median(y[-k:])) / float(y[ib]) - 1.0)
    if p > p_max or gl < gl_threshold:
        return None
    ups = int(np.sum(np.diff(seg) > 0))
    return Overfit(float(x[ib]), float(y[ib]), float(x[ib + 1]), gl, ups, after)
