"""Run-level features: a fixed vector of named numbers read from a run's own curves.

For the run's main training loss (T), main held-out loss (V) and main task metric (M) - the
series ``Run.primary`` picks, prepared by ``rules._common.curve`` - this module measures how far
each moved, where its best fell, how it ended, how rough and spiky it is, in shares of its start
and in units of its own noise (the MAD of second differences of its block medians, which is
blind to slopes and curvature). A metric is turned "lower is better" first, so every "fall" is
an improvement. Pure numpy; a missing series gives zeros and its ``has_*`` flag at 0.

Every feature has a name and a one-line meaning (``FEATURES``); ``run_features`` returns the
values and the steps they came from, so a finding built on them can say where to look.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from traindoc.run import Role, Run, Series
from traindoc.stats import theil_sen
from traindoc.stats.core import jitter_sigma, rolling_median

# (name, meaning). The order is the vector's order; the committed coefficients follow it.
FEATURES: list[tuple[str, str]] = [
    ("t_points", "log10 of the training loss's finite points"),
    ("t_fall_end", "training loss fall start->end, share of the start (clipped to [-3, 1])"),
    ("t_fall_best", "training loss fall start->best, share of the start"),
    ("t_fall_end_noise", "training loss fall start->end in its own noise units (signed log1p)"),
    ("t_above_best_noise", "training loss end above its best, in noise units (log1p)"),
    ("t_best_at", "where the training loss's best falls, fraction of its step span"),
    ("t_late_slope", "training loss change over its late half (Theil-Sen), share of its range (+ is worse)"),
    ("t_late_consistency", "share of the late half's steps that move in the late slope's direction"),
    ("t_roughness", "training loss noise over its range"),
    ("t_spikes", "share of training-loss points more than 6 noise units above the rolling median"),
    ("t_spike_max", "largest training-loss spike above the rolling median, noise units (log1p)"),
    ("t_monotone", "share of training-loss steps that go down"),
    ("t_log_end_over_start", "outcome: log of the training loss's end over its start (losses > 0 only)"),
    ("v_points", "log10 of the held-out loss's finite points"),
    ("v_fall_end", "held-out loss fall start->end, share of the start"),
    ("v_fall_best", "held-out loss fall start->best, share of the start"),
    ("v_fall_end_noise", "held-out loss fall start->end in noise units (signed log1p)"),
    ("v_above_best_noise", "held-out loss end above its best, in noise units (log1p)"),
    ("v_above_best_share", "held-out loss end above its best, share of the best's distance to the start"),
    ("v_best_at", "where the held-out loss's best falls, fraction of its step span"),
    ("v_late_slope", "held-out loss change over its late half, share of its range (+ is worse)"),
    ("v_late_consistency", "share of the held-out late half's steps that move in its late slope's direction"),
    ("v_roughness", "held-out loss noise over its range"),
    ("v_spike_max", "largest held-out spike above the rolling median, noise units (log1p)"),
    ("gap_growth", "held-out minus training loss at the end, less its smallest value, over the held-out best"),
    ("m_gain_end", "task metric gain start->end (oriented), share of the start, clipped to [-3, 3]"),
    ("m_above_best_noise", "task metric end short of its best, in noise units (log1p)"),
    ("m_best_at", "where the task metric's best falls, fraction of its step span"),
    ("m_late_slope", "task metric change over its late half, share of its range (+ is worse)"),
    ("m_roughness", "task metric noise over its range"),
    ("m_from_floor", "task metric end above its chance/floor, share of the floor's distance to perfect"),
    ("at_ln_c", "training loss end within 5% of ln(C) for a known or inferred class count C"),
    ("has_val", "a held-out loss is logged"),
    ("has_metric", "a task metric is logged"),
    ("has_floor", "the task metric's chance or floor is known"),
]
NAMES = [n for n, _ in FEATURES]


@dataclass
class CurveStats:
    """The shape numbers of one oriented curve (lower is better), with the steps they came from."""

    name: str
    points: int
    start: float
    best: float
    end: float
    best_step: float
    end_step: float
    noise: float
    values: dict[str, float] = field(default_factory=dict)


def _slog1p(v: float) -> float:
    return float(math.copysign(math.log1p(abs(v)), v))


def _noise(y: np.ndarray) -> float:
    """``jitter_sigma`` (MAD of second differences; for 3 points the spread of the 2 steps), floored
    at 1e-3 of the range: a piecewise constant curve has no second-difference noise but is not
    infinitely precise."""
    s = jitter_sigma(y) if y.size >= 4 else float(np.std(np.diff(y))) if y.size >= 2 else 0.0
    big = float(np.max(np.abs(y))) if y.size else 1.0
    return max(s, 1e-3 * (float(np.ptp(y)) if y.size else 0.0), 1e-12 * max(1.0, big))


def curve_stats(s: Series, higher_is_better: bool = False) -> CurveStats | None:
    """Shape numbers of a series (at least 3 finite points), oriented so that lower is better."""
    from traindoc.rules._common import curve
    from traindoc.rules.outcome import end_level

    c = curve(s)
    if c.n < 3:
        return None
    sign = -1.0 if higher_is_better else 1.0
    x, y = c.xb, sign * c.yb  # block medians: <= 300 points, per-step noise averaged away
    n = y.size
    k = max(1, min(5, n // 5))
    start, end = float(np.median(y[:k])), end_level(y)  # the outcome's end: last point, or median of the last few
    ib = int(np.argmin(rolling_median(y, 3 if n >= 8 else 1)))
    best = min(float(y[ib]), end)
    span = float(x[-1] - x[0]) or 1.0
    noise = _noise(y)
    rng = float(np.ptp(y)) or noise
    base = abs(start) if start != 0 else 1.0
    half = y[n // 2:]
    xh = x[n // 2:]
    if half.size >= 3:
        slope, _ = theil_sen(xh, half)
        late = float(slope * (xh[-1] - xh[0]) / rng)
        d = np.diff(half)
        moving = d[d != 0]
        consistency = float(np.mean(np.sign(moving) == np.sign(slope))) if moving.size and slope != 0 else 0.5
    else:
        late, consistency = 0.0, 0.5
    w = 5 if n >= 10 else 3
    # Interior points only: at the edges the rolling median repeats its first or last full window,
    # so a steep start would read as a "spike" above it.
    up = ((y - rolling_median(y, w)) / noise)[w // 2:n - w // 2]
    d1 = np.diff(y)
    st = CurveStats(s.name, c.n, start, best, end, float(x[ib]), float(x[-1]), noise)
    st.values = {
        "points": math.log10(c.n),
        "fall_end": float(np.clip((start - end) / base, -3.0, 1.0)),
        "fall_best": float(np.clip((start - best) / base, -3.0, 1.0)),
        "fall_end_noise": _slog1p((start - end) / noise),
        "above_best_noise": math.log1p(max(0.0, (end - best) / noise)),
        "above_best_share": float(np.clip((end - best) / (start - best), 0.0, 5.0)) if start > best else 0.0,
        "best_at": float((x[ib] - x[0]) / span),
        "late_slope": float(np.clip(late, -2.0, 2.0)),
        "late_consistency": consistency,
        "roughness": float(min(noise / rng, 2.0)) if rng > 0 else 0.0,
        "spikes": float(np.sum(up > 6.0) / n),
        "spike_max": math.log1p(max(0.0, float(np.max(up)))) if up.size else 0.0,
        "monotone": float(np.mean(d1 < 0)) if d1.size else 0.0,
        "gain_end": float(np.clip((start - end) / base, -3.0, 3.0)),
    }
    return st


def _metric(run: Run) -> Series | None:
    for role in (Role.VAL_METRIC, Role.TRAIN_METRIC):
        s = run.primary(role)
        if s is not None and s.higher_is_better is not None:
            return s
    return None


@dataclass
class RunFeatures:
    """The vector (in ``NAMES`` order) and the curves it was read from."""

    values: dict[str, float]
    train: CurveStats | None = None
    val: CurveStats | None = None
    metric: CurveStats | None = None
    classes: int | None = None

    def vector(self) -> np.ndarray:
        return np.array([self.values[n] for n in NAMES], dtype=float)


def run_features(run: Run) -> RunFeatures:
    """Every feature of ``FEATURES`` for one run (zeros where a series is missing)."""
    from traindoc.rules._common import BOUNDED01, curve, normalised_metric
    from traindoc.rules.outcome import assess

    vals = {n: 0.0 for n in NAMES}
    ts = run.primary(Role.TRAIN_LOSS)
    vs = run.primary(Role.VAL_LOSS)
    ms = _metric(run)
    t = curve_stats(ts) if ts is not None else None
    v = curve_stats(vs) if vs is not None else None
    m = curve_stats(ms, bool(ms.higher_is_better)) if ms is not None else None
    for prefix, st in (("t", t), ("v", v)):
        if st is None:
            continue
        for key, val in st.values.items():
            if f"{prefix}_{key}" in vals:
                vals[f"{prefix}_{key}"] = val
    if t is not None and t.start > 0 and t.end > 0:
        vals["t_log_end_over_start"] = float(np.clip(math.log(t.end / t.start), -10.0, 5.0))
    vals["has_val"] = float(v is not None)
    if t is not None and v is not None and vs is not None and ts is not None:
        tc, vc = curve(ts), curve(vs)
        tv = np.interp(vc.xb, tc.xb, tc.smooth)  # training level at each held-out step
        gap = vc.yb - tv
        if gap.size >= 3 and v.best != 0:
            k = max(1, min(5, gap.size // 5))
            vals["gap_growth"] = float(np.clip((np.median(gap[-k:]) - np.min(rolling_median(gap, 3)))
                                               / abs(v.best), 0.0, 5.0))
    classes = None
    if m is not None and ms is not None:
        vals["has_metric"] = 1.0
        for key in ("gain_end", "above_best_noise", "best_at", "late_slope", "roughness"):
            vals[f"m_{key}"] = m.values[key]
        for mo in assess(run).metrics:
            if mo.series == ms.name and mo.floor is not None:
                top = normalised_metric(curve(ms), run)[1] if ms.metric in BOUNDED01 else 1.0  # perfect, own scale
                if top > mo.floor:
                    vals["has_floor"] = 1.0
                    vals["m_from_floor"] = float(np.clip((mo.end - mo.floor) / (top - mo.floor), -1.0, 1.0))
    if ts is not None and t is not None:
        from traindoc.rules.progress import inferred_classes

        cc = inferred_classes(run, curve(ts))
        if cc is not None:
            classes = cc.n
            vals["at_ln_c"] = float(abs(t.end - math.log(cc.n)) <= 0.05 * math.log(cc.n))
    return RunFeatures(vals, t, v, m, classes)



def feature_vector(run: Run) -> np.ndarray:
    """``run_features(run).vector()``."""
    return run_features(run).vector()
