"""A first BatchNormalization used as the input scaler, whose moving statistics never reached the data's.

In training a BatchNormalization standardises each batch with that batch's own mean and variance,
so raw features of very different offsets (a pressure near 1013, a count near 6000) train well. At
validation and inference it uses its *moving* mean and variance instead; they start at 0 and 1 and
move towards the data's by ``1 - momentum`` per step (0.01 with Keras' default 0.99), so after a
few dozen steps they are still far from raw offsets. The validation rows then reach the network
unstandardised, and validation sits far behind training. What is seen: the layer's moving
statistics against the sampled training rows (the inputs as inference scales them), named only
when the run agrees, i.e. the validation loss ended far above the training loss.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..findings import Finding, Severity

MIN_ROWS = 64
OFF_MEAN = 3.0  # an input feature whose inference-time mean is this many of its stds away from 0...
OFF_SCALE = 10.0  # ...or whose inference-time std is this many times too large or too small
GAP = 2.0  # and the validation loss ended this many times the training loss


def first_batch_norm(model: Any) -> Any:
    """A Keras model's BatchNormalization when it is the first layer that changes the inputs, else None."""
    from .input_scalers import _PASS, _leaves
    from .model_view import is_keras

    if model is None or not is_keras(model):
        return None
    for lay in _leaves(model):
        kind = type(lay).__name__
        if kind in _PASS:
            continue
        return lay if kind == "BatchNormalization" else None
    return None


def _numpy(v: Any) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(v), dtype="float64").reshape(-1)


def inference_scaling(layer: Any, x: np.ndarray) -> dict | None:
    """How the layer's moving statistics scale the sampled inputs: per-feature mean and std after it."""
    if getattr(layer, "axis", -1) not in (-1, len(np.shape(x)) - 1):
        return None
    mm, mv = _numpy(layer.moving_mean), _numpy(layer.moving_variance)
    a = np.asarray(x, dtype="float64")
    if a.ndim < 2 or a.shape[-1] != mm.size:
        return None
    a = a.reshape(-1, mm.size)
    if len(a) < MIN_ROWS or not np.all(np.isfinite(a)):
        return None
    mu, sd = a.mean(0), a.std(0)
    denom = np.sqrt(mv + float(getattr(layer, "epsilon", 1e-3)))
    keep = sd > 1e-12
    if not keep.any():
        return None
    z = np.abs(mu - mm)[keep] / denom[keep]  # the feature's mean after the layer, at inference
    s = sd[keep] / denom[keep]  # and its std
    off = (z > OFF_MEAN * np.maximum(s, 1.0)) | (s > OFF_SCALE) | (s < 1 / OFF_SCALE)
    if not off.any():
        return None
    i = int(np.argmax(np.where(off, z / np.maximum(s, 1e-12), -np.inf)))
    features = np.flatnonzero(keep)
    return {"features_off": int(off.sum()), "features": int(keep.sum()), "feature": int(features[i]),
            "data_mean": float(mu[keep][i]), "data_std": float(sd[keep][i]), "moving_mean": float(mm[keep][i]),
            "moving_var": float(mv[keep][i]), "mean_after": float(z[i]), "std_after": float(s[i])}


def moving_stats_finding(model: Any, x: np.ndarray | None, train_loss: float | None, val_loss: float | None,
                         step: float) -> Finding | None:
    """unnormalized-input, with its cause, when the input BatchNorm's moving statistics miss the data and
    validation ended far behind training."""
    if x is None or train_loss is None or val_loss is None:
        return None
    if not (math.isfinite(train_loss) and math.isfinite(val_loss)) or not val_loss > GAP * max(train_loss, 1e-12):
        return None
    layer = first_batch_norm(model)
    if layer is None:
        return None
    got = inference_scaling(layer, x)
    if got is None:
        return None
    from .structure import CAUSE

    momentum = float(getattr(layer, "momentum", 0.99))
    return Finding(
        "unnormalized-input", Severity.WARNING,
        f"the first BatchNormalization ({layer.name}) scales the raw inputs, but after {int(step)} steps its moving "
        f"statistics are still far from the data's: feature {got['feature']} has mean {got['data_mean']:.4g} and std "
        f"{got['data_std']:.3g}, the moving mean is {got['moving_mean']:.4g} (variance {got['moving_var']:.3g}), so at "
        f"validation it leaves that feature {got['mean_after']:.3g} std off zero ({got['features_off']} of "
        f"{got['features']} features off); validation loss ended {val_loss:.3g}, {val_loss / max(train_loss, 1e-12):.3g}x "
        f"the training loss ({train_loss:.3g})",
        steps=[1.0, step],
        evidence={"subject": "batchnorm-moving-stats", "layer": layer.name, "momentum": momentum, **got,
                  "train_loss": train_loss, "val_loss": val_loss, CAUSE: True,
                  "explains": ["overfitting", "val-without-train", "both-rising", "stuck-at-chance", "divergence"]},
        causes=[f"a BatchNormalization used as the input scaler standardises each training batch with the batch's "
                f"own statistics, but validation and inference use its moving mean and variance, which move only "
                f"{1 - momentum:.2g} of the way per step (momentum {momentum:g}) from 0 and 1 towards raw offsets like "
                f"these: validation rows reach the network unscaled"],
        fixes=["Standardise the inputs before the model with the training set's mean and std (a StandardScaler "
               "fitted on the training rows, or a keras.layers.Normalization adapted on them) instead of a first "
               "BatchNormalization.",
               "Or, to keep it, give its moving statistics time to converge: BatchNormalization(momentum=0.9) for "
               "runs of few steps."])
