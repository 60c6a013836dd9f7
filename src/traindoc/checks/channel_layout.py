"""Channels-first images fed to a channels-last convolution (Keras' default ``data_format``).

Why: images from PyTorch loaders or many saved arrays are (N, C, H, W); Keras' Conv2D reads
(N, H, W, C) unless told otherwise, so it takes the 1-4 colour planes as the image height and the
width as channels. Nothing fails (or a "negative dimension" error appears only with larger kernels):
the kernels slide over colour and width, and accuracy suffers ("Conv2D input shape (3, 32, 32)").
The shape gives it away: a tiny "height" of 1-4 with the width equal to the channel count (a square
image, channels first) is what a real channels-last image almost never looks like.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MAX_PLANES = 4  # grey, RGB or RGBA planes
MIN_SIDE = 8  # an image side; a channels-last tensor with this many channels and a height of <= 4 is implausible


def _first_conv(model: Any) -> Any:
    """The first 2-D convolution of a Keras model, if no layer before it reshapes or permutes the input."""
    for layer in getattr(model, "layers", []):
        kind = type(layer).__name__
        if kind in ("Conv2D", "SeparableConv2D", "DepthwiseConv2D"):
            return layer
        if kind in ("Permute", "Reshape", "Flatten", "Dense", "Lambda") or hasattr(layer, "layers"):
            return None  # the input is rearranged (or hidden in a sub-model) before any convolution
    return None


def channels_first_finding(model: Any, x: Any, step: float = 1.0) -> Finding | None:
    """label-problem when (N, C, H, W) images reach a channels-last Conv2D."""
    shape = tuple(np.shape(x))
    if len(shape) != 4:
        return None
    _, a, b, c = shape
    if not (1 <= a <= MAX_PLANES and b == c and b >= MIN_SIDE):
        return None
    conv = _first_conv(model)
    if conv is None or getattr(conv, "data_format", "channels_last") != "channels_last":
        return None
    return Finding(
        "label-problem", Severity.WARNING,
        f"images of shape {shape[1:]} reach {type(conv).__name__} '{conv.name}' with data_format='channels_last': "
        f"they look channels-first ({a} planes of {b}x{c})",
        evidence={"subject": "channels-first-input", CAUSE: True, "input_shape": list(shape[1:]),
                  "layer": conv.name},
        causes=[f"Conv2D reads (height, width, channels): it takes the {a} colour planes as the image height and "
                f"the {c} columns as channels, so its kernels slide over colour and width instead of the image"],
        fixes=["Move the channel axis last: x = np.transpose(x, (0, 2, 3, 1)) (and keras.Input((H, W, C)))",
               "or build the convolutions with data_format='channels_first'."],
        steps=[float(step)])
