"""Inputs scaled twice: arrays already scaled, fed to a model whose own first layers scale them again.

``Rescaling(1/255)`` as a model's first layer is right for raw 0-255 pixels, and a Normalization
adapted on raw features is right for raw features. When the loading code has scaled the arrays
already (divided by 255, standardised), the model's layers scale them a second time: pixels in
[0, 0.004], or every feature squeezed near one constant (a Normalization adapted on raw values
of mean 130 and std 70 turns [0, 1] into about [-1.86, -1.84]). The first layer's output then
barely depends on the input and training stalls near chance. Seen from the arrays given to
``fit``: the model's own scaling layers shrink their spread many times over, into a band so
narrow that no standardised input looks like it.

The mirror image is a scaling layer that multiplies where it was meant to divide: ``Rescaling``
multiplies by its ``scale``, so ``Rescaling(255)`` written for "scale the 0-255 pixels" sends values
up to 65,025 into the first layer (and a Normalization built with ``invert=True`` multiplies by the
std). Seen the same way: the scaling layers widen the spread many times over, to far beyond the
unit scale any standardised or [0, 1] input has. Both are read as ratios of the same features'
spread before and after the model's own scaling, so they do not depend on the data's units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity

SPREAD = 0.025  # after the model's scaling, the typical feature's std is below this...
SHRINK = 10.0  # ...at least this many times below its std in the arrays given to fit
SCALED = 10.0  # which already lie within [-10, 10]: scaled or standardised, not raw counts or 0-255 pixels


def _kinds(model: Any) -> list[tuple[str, str]]:
    """(name, class name) of the model's leading scaling layers."""
    from .input_scalers import _leaves, input_scaler

    scaler = input_scaler(model)
    if scaler is None or scaler.batch_norm or not scaler.layers:
        return []
    return [(lay.name, type(lay).__name__) for lay in _leaves(model) if lay.name in scaler.layers]


def scaled_twice_finding(model: Any, raw: np.ndarray | None) -> Finding | None:
    """unnormalized-input, with its cause, when the model's scaling squeezes already-scaled inputs.

    ``raw``: sampled rows of the arrays given to fit (rows by features); the model's scaling layers
    are applied to them here, in inference mode.
    """
    from .input_scalers import input_scaler

    layers = _kinds(model)
    if not layers or raw is None or len(raw) < 2:
        return None
    a = np.asarray(raw, dtype="float64").reshape(len(raw), -1)
    if not np.all(np.isfinite(a)):
        return None
    try:
        b = np.asarray(input_scaler(model).apply(np.asarray(raw, dtype="float32")), dtype="float64").reshape(len(a), -1)
    except Exception:
        return None
    if b.shape != a.shape or not np.all(np.isfinite(b)):
        return None
    before, after = a.std(0), b.std(0)
    varying = before > 1e-12
    if varying.sum() < 1:
        return None
    spread, shrink = float(np.median(after[varying])), float(np.median(before[varying] / np.maximum(after[varying], 1e-30)))
    if shrink > 0 and 1 / shrink >= SHRINK and spread > SCALED:
        return _finding("scaled-up", layers, a, b, spread, 1 / shrink)
    if not (spread < SPREAD and shrink >= SHRINK) or float(np.max(np.abs(a))) > SCALED:
        return None
    return _finding("scaled-twice", layers, a, b, spread, shrink)


# (subject, only Rescaling layers) -> (cause, fix)
_TEXTS = {
    ("scaled-twice", True): (
        "the loading code already scaled the values (pixels divided by 255 into [0, 1]) and the model's Rescaling "
        "layer scales them again: the first layer's output barely depends on the input",
        "Scale once: feed the raw values (0-255) to the model that rescales them, or remove its Rescaling layer and "
        "keep the loading code's /255."),
    ("scaled-twice", False): (
        "the arrays were already scaled, and the model's own scaling layers (a Normalization adapted on the raw "
        "values) scale them again with the raw values' mean and std: every input ends up near the same constant",
        "Scale once: adapt the Normalization layer on the same arrays that are given to fit (or feed it the raw "
        "values), and drop the scaling done before the model."),
    ("scaled-up", True): (
        "Rescaling multiplies by its scale (output = input * scale + offset): Rescaling(255) multiplies the pixels "
        "by 255 where dividing them by 255 into [0, 1] was meant, and the first layer sees values in the tens of "
        "thousands",
        "Divide instead of multiplying: layers.Rescaling(1./255) brings 0-255 pixels into [0, 1] "
        "(Rescaling(1./127.5, offset=-1) into [-1, 1])."),
    ("scaled-up", False): (
        "the model's scaling layers multiply by the spread instead of dividing by it (a Normalization built with "
        "invert=True, or given the variance where the std was meant): the inputs leave them wider than they came in",
        "Scale the inputs down to unit spread: a Normalization adapted on the training arrays without invert=True, "
        "or divide by the std (pixels: Rescaling(1./255) into [0, 1])."),
}


def _finding(subject: str, layers: list[tuple[str, str]], a: np.ndarray, b: np.ndarray, spread: float,
             ratio: float) -> Finding:
    """unnormalized-input naming the model's scaling layers, ``ratio`` times narrower (twice) or wider (up)."""
    from .structure import CAUSE

    names = ", ".join(f"{name} ({kind})" for name, kind in layers)
    raw_lo, raw_hi, lo, hi = float(a.min()), float(a.max()), float(b.min()), float(b.max())
    cause, fix = _TEXTS[subject, {kind for _, kind in layers} == {"Rescaling"}]
    if subject == "scaled-twice":
        title = (f"inputs are scaled twice: the arrays given to fit already span [{raw_lo:.3g}, {raw_hi:.3g}], and "
                 f"the model's {names} scales them again into [{lo:.3g}, {hi:.3g}]: each feature's spread shrinks "
                 f"{ratio:.3g}x, to a std of {spread:.2g}")
    else:
        title = (f"the model's own scaling inflates its inputs: the arrays given to fit span [{raw_lo:.3g}, "
                 f"{raw_hi:.3g}], and {names} turns them into [{lo:.3g}, {hi:.3g}]: each feature's spread grows "
                 f"{ratio:.3g}x, to a std of {spread:.3g}")
    key = "shrink" if subject == "scaled-twice" else "growth"
    return Finding("unnormalized-input", Severity.WARNING, title,
                   evidence={"subject": subject, "layers": [name for name, _ in layers], "raw_min": raw_lo,
                             "raw_max": raw_hi, "min": lo, "max": hi, "feature_std": spread, key: ratio, CAUSE: True},
                   causes=[cause], fixes=[fix])
