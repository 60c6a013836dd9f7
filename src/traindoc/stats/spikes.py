"""Spikes judged against local noise, not absolute values.

The curve (log-loss when positive, so a spike is a ratio and LM-scale losses near ln(50257)
behave like a 0.5 loss) is compared with a rolling median; residuals are scaled by a local
robust noise estimate (MAD), so a jump of 0.1 is a spike on a smooth curve and noise on a
jumpy one. Long curves are handled at full resolution in O(n): the baseline is computed on
block medians and interpolated back. Each spike is classified by how it recovers: fast,
slowly, or not at all (measured against the level *before* the spike, which the rolling
baseline would otherwise follow upward).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .core import MAD_TO_SIGMA, noise_sigma, rolling_median

MAX_BLOCKS = 2000


@dataclass(frozen=True)
class Spike:
    start: float  # first step above threshold
    peak_step: float
    end: float  # last step above threshold
    peak: float  # value at the peak
    before: float  # level before the spike
    z: float  # robust z score at the peak
    ratio: float  # peak / level before (or 1 + excess / the curve's range when values are not positive)
    recovery: str  # "fast", "slow", "none", "pending" (too close to the end to tell)
    recovery_steps: float | None
    points: int = 1  # points above the threshold: a lone outlier batch has 1


def _block_view(y: np.ndarray, b: int) -> tuple[np.ndarray, np.ndarray]:
    m = y.size // b
    centers = np.arange(m) * b + (b - 1) / 2.0
    return np.median(y[: m * b].reshape(m, b), axis=1), centers


def _chunk_level(a: np.ndarray, size: int) -> np.ndarray:
    """Median of ``a`` over chunks of ``size`` points, interpolated back: a local level at O(n) cost."""
    n = a.size
    m = max(1, n // size)
    size = n // m
    med = np.median(a[: m * size].reshape(m, size), axis=1)
    if m == 1:
        return np.full(n, float(np.median(a)))
    centers = np.arange(m) * size + (size - 1) / 2.0
    return np.interp(np.arange(n, dtype=float), centers, med)


def _trailing(centered: np.ndarray, w: int) -> np.ndarray:
    """Median of the ``w`` points *before* each point, from a centred rolling median.

    A spike is judged against the recent past: a centred median would already contain the
    raised points of a jump that does not come back down, and would hide it.
    """
    half = w // 2
    out = np.empty_like(centered)
    out[half + 1:] = centered[: centered.size - half - 1]
    out[: half + 1] = centered[0]
    return out


def _baseline_and_scale(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Trailing baseline, local noise scale, and how many leading points have no past to judge by."""
    n = t.size
    b = max(1, n // MAX_BLOCKS)
    if b == 1:
        w = 5 if n < 60 else min(41, max(7, (n // 25) | 1))
        centered = rolling_median(t, w)
        r = t - centered
        if n < 200:
            scale = np.full(n, max(MAD_TO_SIGMA * float(np.median(np.abs(r))), 0.5 * noise_sigma(t)))
        else:
            scale = MAD_TO_SIGMA * _chunk_level(np.abs(r), 4 * w)
        return _trailing(centered, w), scale, w
    ym, centers = _block_view(t, b)
    w = min(41, max(7, (ym.size // 25) | 1))
    idx = np.arange(n, dtype=float)
    cm = rolling_median(ym, w)
    r = t - np.interp(idx, centers, cm)
    am, _ = _block_view(np.abs(r), b)
    scale = np.interp(idx, centers, MAD_TO_SIGMA * rolling_median(am, min(am.size | 1, 8 * w + 1)))
    blk = np.minimum(np.arange(n) // b, ym.size - 1)
    return _trailing(cm, w)[blk], scale, w * b


def value_range(y: np.ndarray) -> float:
    """The span of a curve's values, 5th to 95th percentile: the scale of a series that is not positive
    (a Gaussian NLL crossing zero), where a ratio of two values means nothing. A spike's height and an
    end-versus-start change are read in these units there, as they are read against the distance to
    zero (a ratio) on a positive loss."""
    f = y[np.isfinite(y)]
    if f.size == 0:
        return 0.0
    lo, hi = np.percentile(f, [5, 95])
    return float(hi - lo)


def spike_free_range(y: np.ndarray, hot: np.ndarray) -> float:
    """The scale of a curve that is not positive: ``value_range`` of its points that stand no spike above
    their local level (``hot`` marks those that do). On ten points one spike of 100x would be its own 95th
    percentile and shrink itself to "twice the range". The one measure both a spike's height (``Spike.ratio``)
    and the rules' size floors read on such a curve."""
    return value_range(y[~hot] if int((~hot).sum()) >= 3 else y)


@dataclass(frozen=True)
class SpikeScan:
    """What ``scan_spikes`` saw: the spikes, and the scale they were measured in."""
    spikes: list[Spike]
    positive: bool  # heights are ratios to the level before (log-space); else read in ``span`` units
    span: float  # the curve's range without its spike points (``spike_free_range``); 0.0 when positive


def detect_spikes(x: np.ndarray, y: np.ndarray, z_threshold: float = 6.0, min_ratio: float = 1.1,
                  max_spikes: int = 200, per_step: bool = True) -> list[Spike]:
    """Upward spikes of a lower-is-better curve (finite, ordered by step); ``scan_spikes`` without the scale."""
    return scan_spikes(x, y, z_threshold, min_ratio, max_spikes, per_step).spikes


def scan_spikes(x: np.ndarray, y: np.ndarray, z_threshold: float = 6.0, min_ratio: float = 1.1,
                max_spikes: int = 200, per_step: bool = True) -> SpikeScan:
    """Upward spikes of a lower-is-better curve (finite, ordered by step), with the scale they are read in.

    ``per_step`` (the series' axis is optimiser steps) lets a lone outlier batch on a long curve
    be ignored; on a per-epoch curve every point is an average, so a one-point spike is real.
    """
    n = y.size
    positive = bool(n and np.all(y > 0))
    if n < 8:
        return SpikeScan([], positive, 0.0)
    t = np.log(y) if positive else y
    base, scale, lead = _baseline_and_scale(t)
    spread = float(np.median(np.abs(t - np.median(t)))) * MAD_TO_SIGMA
    floor = max(1e-3 if positive else 1e-9 + 1e-3 * spread, 0.02 * spread)
    scale = np.maximum(scale, floor)
    # The first points have no full trailing window: judge them against the expanding median of
    # the points before them (from the third point on), so an explosion in the first steps is seen.
    early = min(lead, n, 300)
    for i in range(2, early):
        base[i] = np.median(t[:i])
    r = t - base
    z = r / scale
    z[:2] = 0.0
    if per_step and positive and n > 1 and t[1] - t[0] >= math.log(10.0):
        # A per-step curve's second point an order of magnitude over the first (1.8 -> 2688 -> 17282):
        # the blow-up of the first update, which the guard above would hide and whose level before
        # would then be read as the blown-up points' own median (x245 where it was x9600).
        base[1] = t[0]
        r[1] = t[1] - t[0]
        z[1] = r[1] / scale[1]
    if not per_step:
        # A per-epoch curve's second point is an average too: judged against the first alone, it
        # is a spike only when it at least doubles (a 5x validation blow-up in epoch 2 is an event
        # a person sees; a fall from the start never is).
        base[1] = t[0]
        r[1] = t[1] - t[0]
        z[1] = r[1] / scale[1] if (not positive or r[1] >= math.log(2.0)) else 0.0
    min_excess = math.log(min_ratio) if positive else 0.0
    hot = (z > z_threshold) & (r > min_excess)
    if not per_step and positive and n < 60:
        # A short per-epoch curve's own noise estimate is inflated by the very spike it should
        # reveal (ten points, one of them 6x): a tripling of an epoch average is an effect size
        # that speaks for itself once it also stands 3 noise units clear.
        hot |= (r >= math.log(3.0)) & (z > z_threshold / 2.0)
    if positive:
        # An order of magnitude over the local level speaks for itself once it stands 3 noise units
        # clear: a loss that alternates between 5 and 100 inflates its own noise estimate (each jump
        # is "noise" to the next) until a 70x jump scores under 6. Lone points on long per-step
        # curves are still judged as outlier batches below. Only when the jump is also a tenth of
        # where the loss started: 0.02 -> 0.2 after a start at 15 is invisible on the run's scale.
        start = float(np.median(y[:3]))
        hot |= (r >= math.log(10.0)) & (z > z_threshold / 2.0) & (y - np.exp(base) >= 0.1 * start)
    if not hot.any():
        return SpikeScan([], positive, 0.0 if positive else value_range(y))
    span = 0.0 if positive else spike_free_range(y, hot)
    idx = np.flatnonzero(hot)
    gap = max(2, n // 2000)
    cuts = np.flatnonzero(np.diff(idx) > gap)
    groups = np.split(idx, cuts + 1)
    spikes: list[Spike] = []
    fast_pts = max(5, n // 100)
    for g in groups[:max_spikes]:
        i0, i1 = int(g[0]), int(g[-1])
        ip = int(g[np.argmax(z[g])])
        if per_step and n >= 200 and z[ip] < 2 * z_threshold:
            # On per-step curves a lone point is an outlier batch, not a spike: a spike lasts.
            lo, hi = max(0, ip - 2), min(n, ip + 3)
            if int(np.sum(z[lo:hi] > z_threshold / 2)) < 2:
                continue
        # A spike enters abruptly: its jump dwarfs the usual point-to-point moves. A steady
        # rise (overfitting, divergence) has no such jump and is left to the trend rules.
        lo = max(1, i0 - 3 * lead)
        typical = float(np.median(np.abs(np.diff(t[lo - 1:i0])))) if i0 - lo >= 2 else 0.0
        if t[ip] - t[i0 - 1] < 4.0 * typical:
            continue
        pre_lo = max(0, i0 - 3 * fast_pts)
        pre = float(np.median(t[pre_lo:i0])) if i0 > pre_lo else float(base[i0])
        excess = t[ip] - pre
        if excess <= 0:
            continue
        # Recovered once back within 30% of the excess over the pre-spike level (and noise).
        thresh = pre + max(0.3 * excess, 2.0 * float(scale[ip]))
        after = t[ip + 1:]
        back = np.flatnonzero(after <= thresh)
        if back.size:
            # Require it to stay back: the median of the next few points must also be below.
            k = int(back[0])
            steps_to = float(x[ip + 1 + k] - x[ip])
            recovery = "fast" if k + 1 <= fast_pts else "slow"
            post = after[k:k + fast_pts]
            if np.median(post) > thresh:
                recovery = "slow" if k + fast_pts < after.size else "pending"
        else:
            steps_to = None
            recovery = "none" if after.size >= 3 else "pending"
        # Log-space values of 1e300-scale losses overflow exp(): cap (a ratio of e^700 says enough).
        # Not positive: a ratio of two values means nothing (-1.75 -> 0.53 crosses zero), so the jump is
        # read against the curve's own range, as a positive loss's is against its distance to zero.
        ratio = float(math.exp(min(excess, 700.0))) if positive else 1.0 + float(excess) / max(span, 1e-12)
        before = float(math.exp(min(pre, 700.0))) if positive else pre
        spikes.append(Spike(float(x[i0]), float(x[ip]), float(x[i1]), float(y[ip]), before, float(z[ip]), ratio,
                            recovery, steps_to, int(g.size)))
    return SpikeScan(spikes, positive, span)
