"""One input-scale verdict for ``check`` and live probes: are the inputs far from zero mean, unit scale?

Shared so both say the same about the same data. Constant and nearly-constant features (the
zero border of an image, a padding column) are ignored when comparing feature scales: they carry
no signal and a spread of zero would make any ratio infinite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MEAN_LIMIT = 10.0  # a mean beyond this is a raw, unshifted scale
STD_HIGH, STD_LOW = 20.0, 1e-3
RANGE_LIMIT = 1e3
FEATURE_SCALE_RATIO = 1e3  # largest / smallest spread among the features that vary
NEAR_CONSTANT = 1e-3  # a feature whose spread is below this share of the median spread is ignored


@dataclass
class InputScale:
    """Summary of an input sample and the reasons (if any) to call it unnormalised."""

    mean: float
    std: float
    min: float
    max: float
    feature_scale_ratio: float | None = None
    ignored_constant: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def judge(mean: float, std: float, lo: float, hi: float, feature_std: np.ndarray | None = None) -> InputScale:
    """The verdict from running totals (``feature_std``: per-feature spread of 2-D inputs, or None)."""
    out = InputScale(mean, std, lo, hi)
    if abs(mean) > MEAN_LIMIT:
        out.reasons.append(f"mean {mean:.3g}")
    if std > STD_HIGH or std < STD_LOW:
        out.reasons.append(f"std {std:.3g}")
    if hi - lo > RANGE_LIMIT:
        out.reasons.append(f"range [{lo:.3g}, {hi:.3g}]")
    if feature_std is not None and feature_std.size > 1:
        fs = np.asarray(feature_std, dtype=float)
        fs = fs[np.isfinite(fs) & (fs > 0)]
        if fs.size > 1:
            med = float(np.median(fs))
            varying = fs[fs >= NEAR_CONSTANT * med]
            out.ignored_constant = int(feature_std.size - varying.size)
            if varying.size > 1:
                ratio = float(varying.max() / varying.min())
                out.feature_scale_ratio = ratio
                if ratio > FEATURE_SCALE_RATIO:
                    out.reasons.append(f"feature scales differ {ratio:.2g}x")
    return out


def input_scale(x: np.ndarray) -> InputScale | None:
    """Judge one array of inputs (rows = samples); None when it holds no finite floats."""
    a = np.asarray(x)
    if a.dtype.kind != "f" or a.size == 0:
        return None
    a = a.astype(np.float64, copy=False)
    fin = a[np.isfinite(a)]
    if not fin.size:
        return None
    feature_std = None
    if a.ndim == 2 and a.shape[0] > 1:
        feature_std = np.nanstd(np.where(np.isfinite(a), a, np.nan), axis=0)
    return judge(float(fin.mean()), float(fin.std()), float(fin.min()), float(fin.max()), feature_std)


def std_from_sums(n: int, total: np.ndarray, total_sq: np.ndarray) -> np.ndarray:
    """Per-feature spread from running sums (what a streaming reader keeps)."""
    m = total / max(n, 1)
    return np.sqrt(np.clip(total_sq / max(n, 1) - m * m, 0.0, None))


__all__ = ["InputScale", "judge", "input_scale", "std_from_sums", "MEAN_LIMIT", "FEATURE_SCALE_RATIO"]
