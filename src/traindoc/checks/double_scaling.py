"""Inputs scaled twice: arrays already in [0, 1] fed to a model that divides by 255 itself.

``Rescaling(1/255)`` as a model's first layer is right for raw 0-255 pixels. When the loading
code has divided by 255 already, the layer divides again and the network sees values in
[0, 0.004]: its first layer's output is nearly constant (the bias dominates) and training stalls
near chance. Seen from the arrays given to ``fit``: inputs within [-1, 1], a leading Rescaling
that shrinks them a hundredfold or more, and what reaches the first weight layer is tiny.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity

SHRINK = 0.01  # a Rescaling scale at or below this is meant for raw 0-255 (or larger) values
TINY = 0.02  # the scaled inputs' largest magnitude below this: the network sees next to nothing
RAW_UNIT = 1.0  # the arrays given to fit already lie within [-1, 1]


def rescaling_factor(model: Any) -> tuple[str, float] | None:
    """(layer name, overall scale) of the leading Rescaling layers of a Keras model; None without one."""
    from .input_scalers import input_scaler, _leaves

    scaler = input_scaler(model)
    if scaler is None or scaler.batch_norm or not scaler.layers:
        return None
    lead = [lay for lay in _leaves(model) if lay.name in scaler.layers and type(lay).__name__ == "Rescaling"]
    if not lead:
        return None
    factor = 1.0
    for lay in lead:
        try:
            factor *= float(np.asarray(lay.scale).reshape(-1)[0])
        except (TypeError, ValueError, IndexError):
            return None
    return lead[0].name, factor


def scaled_twice_finding(model: Any, raw_lo: float, raw_hi: float, lo: float, hi: float) -> Finding | None:
    """unnormalized-input, with its cause, when [0, 1] inputs meet a model that divides by 255 again.

    ``raw_lo``/``raw_hi``: the range of the arrays given to fit; ``lo``/``hi``: after the model's scalers.
    """
    if not all(np.isfinite(v) for v in (raw_lo, raw_hi, lo, hi)) or raw_hi <= raw_lo:
        return None
    got = rescaling_factor(model)
    if got is None:
        return None
    name, factor = got
    if not (0 < abs(factor) <= SHRINK) or max(abs(raw_lo), abs(raw_hi)) > RAW_UNIT or max(abs(lo), abs(hi)) >= TINY:
        return None
    from .structure import CAUSE

    inverse = 1 / abs(factor)
    return Finding(
        "unnormalized-input", Severity.WARNING,
        f"inputs are scaled twice: the arrays given to fit already lie in [{raw_lo:.3g}, {raw_hi:.3g}], and the "
        f"model's {name} multiplies them by {factor:.3g} again, so the network sees values in [{lo:.3g}, {hi:.3g}]",
        evidence={"subject": "scaled-twice", "layer": name, "scale": factor, "raw_min": raw_lo, "raw_max": raw_hi,
                  "min": lo, "max": hi, CAUSE: True},
        causes=[f"the loading code already divided by {inverse:.4g} (pixels in [0, 1]) and the model's Rescaling "
                f"layer divides by {inverse:.4g} again: the first layer's output barely depends on the input"],
        fixes=[f"Divide by {inverse:.4g} once: drop the /{inverse:.4g} in the loading code (feed the raw 0-255 "
               f"values) or remove the model's Rescaling layer."])
