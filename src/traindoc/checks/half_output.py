"""An output layer computed in 16-bit floats: targets past its range, or finer than its steps, cannot be fitted.

Why: mixed precision (Keras' ``mixed_float16``/``mixed_bfloat16`` policy, ``torch.autocast``) speeds
the hidden layers up, and both frameworks' guides keep the model's last layer (and the loss) in
float32. Applied to the output layer too, two things break, each read from numbers the run already
has (the output layer's dtype, the targets fit was given):

* float16's largest value is 65504: an output that must pass it (a count, an ``exponential``
  output) becomes inf and the loss NaN;
* bfloat16 keeps 8 significant bits (float16 11): near a target of 293 a bfloat16 output moves in
  steps of 2. When that step is a real share of the targets' spread, the regression stalls at a
  floor set by rounding, not by the model.
"""

from __future__ import annotations

import math

from ..findings import Finding, Severity
from .structure import CAUSE

F16_MAX = 65504.0
BITS = {"float16": 11, "bfloat16": 8}  # significant bits, the implicit one included
COARSE = 0.1  # a rounding step this share of the targets' spread (or more) sets the loss floor
FIX = ("Keep the output layer in float32: dtype='float32' on the last layer (Keras mixed precision), or run "
       "the output layer and the loss outside torch.autocast (cast the features with .float() first).")


def half_name(dtype: object) -> str | None:
    """'float16' or 'bfloat16' for a 16-bit float dtype (torch, Keras or numpy spelling), else None."""
    name = str(dtype).replace("torch.", "").lower()
    return name if name in BITS else None


def keras_output_dtype(model: object) -> str | None:
    """The compute dtype of a Keras model's last layer when it is a 16-bit float."""
    layers = [lay for lay in getattr(model, "layers", []) or [] if type(lay).__name__ not in ("InputLayer", "Dropout")]
    if not layers:
        return None
    policy = getattr(layers[-1], "dtype_policy", None)
    return half_name(getattr(policy, "compute_dtype", None))


def step_at(value: float, dtype: str) -> float:
    """The spacing of ``dtype``'s numbers near ``value``."""
    if value <= 0:
        return 0.0
    return 2.0 ** (math.floor(math.log2(value)) - (BITS[dtype] - 1))


def half_output_finding(dtype: str | None, regression: bool, abs_max: float, abs_mean: float, spread: float,
                        nonfinite: bool, step: float) -> Finding | None:
    """The verdict for an output computed in ``dtype``, given the targets' largest and typical magnitude and
    their spread (std), and whether the loss went NaN/Inf."""
    if dtype is None:
        return None
    ev = {"subject": "half-precision-output", CAUSE: True, "output_dtype": dtype, "targets_abs_max": abs_max}
    if dtype == "float16" and (abs_max > F16_MAX or nonfinite):
        past = f"targets reach {abs_max:.3g}, past" if abs_max > F16_MAX else "the loss went NaN/Inf; outputs past"
        return Finding("nonfinite-origin", Severity.ERROR,
                       f"the output layer computes in float16 ({past} float16's largest value, 65504)",
                       steps=[step], evidence=ev,
                       causes=["mixed precision applied to the output layer too: a prediction above 65504 (float16 "
                               "overflow) is inf, and the loss and then the weights become NaN"],
                       fixes=[FIX, "If the targets span orders of magnitude, also fit their log."])
    if not regression or spread <= 0:
        return None
    grain = step_at(abs_mean, dtype)
    if grain < COARSE * spread:
        return None
    return Finding("stalled", Severity.WARNING,
                   f"the regression output is computed in {dtype}: near the targets' size ({abs_mean:.3g}) it moves in "
                   f"steps of {grain:.3g}, against a target spread of {spread:.3g}",
                   steps=[step], evidence={**ev, "rounding_step": grain, "target_std": spread},
                   causes=[f"{dtype} keeps {BITS[dtype]} significant bits: the prediction and its gradient are rounded "
                           "that coarsely, so the loss stops at a floor set by rounding and wobbles around it"],
                   fixes=[FIX, "Or centre the targets (subtract their mean) so the output works near 0, where the "
                          "16-bit steps are fine."])
