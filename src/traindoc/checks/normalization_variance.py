"""A Keras ``Normalization`` layer given the standard deviation where it takes the variance.

Why: ``Normalization(mean=m, variance=v)`` divides by sqrt(v). Passing ``variance=X.std(0)`` (the
statistic people compute for standardising by hand) divides each feature by the root of its std, so
a column of std 2e4 keeps a spread of ~140 and one of std 0.1 is blown up threefold: the inputs stay
on unrelated scales behind a layer that looks right. Read from the layer's own mean and variance and
the sampled training rows: the variance it holds matches the data's std, not its variance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MATCH = 0.25  # the layer's variance within this relative distance of the data's std...
MISS = 0.5  # ...and at least this far from the data's variance
MIN_ROWS = 32


def leading_layer(model: Any) -> Any:
    """The model's first layer that computes something (an InputLayer only declares the shape), or None."""
    return next((layer for layer in getattr(model, "layers", []) or [] if type(layer).__name__ != "InputLayer"), None)


def _first_normalization(model: Any) -> Any:
    """The Normalization the inputs meet first, or None when another layer comes before it."""
    layer = leading_layer(model)
    return layer if type(layer).__name__ == "Normalization" else None


def std_as_variance_finding(model: Any, x: Any) -> Finding | None:
    """unnormalized-input when a leading Normalization's variance equals the sampled inputs' std per feature."""
    layer = _first_normalization(model)
    if layer is None or getattr(layer, "invert", False):
        return None
    try:
        import keras

        var = np.asarray(keras.ops.convert_to_numpy(layer.variance), dtype=np.float64).reshape(-1)
        a = np.asarray(x, dtype=np.float64)
    except Exception:
        return None
    if a.ndim < 2 or a.shape[0] < MIN_ROWS or a.shape[-1] != var.size or var.size < 2:
        return None
    a = a.reshape(-1, var.size)
    std = a.std(axis=0)
    judged = (std > 0) & (np.abs(np.log(np.maximum(std, 1e-30))) >= np.log(2.0))  # std and variance differ 2x+
    if judged.sum() < 2:
        return None
    like_std = np.abs(var - std) <= MATCH * std
    unlike_var = np.abs(var - std ** 2) >= MISS * std ** 2
    hit = judged & like_std & unlike_var
    if hit.sum() < max(2, 0.5 * judged.sum()):
        return None
    spread = std[hit] / np.sqrt(var[hit])
    return Finding(
        "unnormalized-input", Severity.WARNING,
        f"Normalization '{layer.name}' holds each feature's standard deviation as its variance: {int(hit.sum())} of "
        f"{var.size} features come out with spreads from {spread.min():.3g} to {spread.max():.3g} instead of 1",
        evidence={"subject": f"normalization-variance:{layer.name}", CAUSE: True, "exact": True, "features": int(hit.sum()),
                  "spread_after": [round(float(s), 4) for s in spread[:10]]},
        causes=["keras.layers.Normalization(mean=..., variance=...) divides by the square root of variance; given "
                "the std (X.std(0)), it divides each feature by the root of its std, so the features keep "
                "unrelated scales"],
        fixes=["Pass the variance: Normalization(mean=X.mean(0), variance=X.var(0)) (the std squared), or let "
               "the layer compute both with norm.adapt(X)."])
