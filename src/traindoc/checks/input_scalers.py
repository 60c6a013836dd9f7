"""The inputs as the model's first layers see them: a Keras model may scale its own inputs.

``keras.layers.Normalization`` (adapted to the training data) or ``Rescaling(1/255)`` as the
first layers make raw arrays the right thing to pass to ``fit``: judging the raw arrays' scale
would be a false alarm. So the input-scale verdict is taken after those layers, applied to the
sampled rows in inference mode (the model's weights and state are untouched). A Normalization
layer that was never adapted (mean 0, variance 1, none given) is the identity: the raw values
pass through, and the fix is ``adapt``, not a scaler of one's own. A leading BatchNormalization
standardises each training batch itself (as checks/input_norm.py says for torch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

_PASS = ("InputLayer", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast",
         "RandomBrightness", "RandomCrop", "GaussianNoise", "Dropout")  # identity at inference: looked through
_SCALERS = ("Normalization", "Rescaling")

NOT_ADAPTED_CAUSE = ("the model's Normalization layer ({names}) was never adapted: without adapt() it keeps mean 0 "
                     "and variance 1 and passes the raw inputs through unchanged")
NOT_ADAPTED_FIX = ("Call adapt on the training inputs before fit: norm.adapt(x_train) (or build it with the "
                   "training mean= and variance=), so the layer standardises each feature.")


@dataclass
class InputScaler:
    """The model's own leading scaling layers, as a function on a batch of inputs."""

    apply: Callable[[Any], np.ndarray]
    layers: list[str] = field(default_factory=list)
    not_adapted: list[str] = field(default_factory=list)  # Normalization layers still at mean 0, variance 1
    batch_norm: bool = False  # a BatchNormalization first: it standardises each training batch itself


def _leaves(model: Any) -> list[Any]:
    out = []
    for lay in getattr(model, "layers", None) or []:
        out.extend(_leaves(lay) if getattr(lay, "layers", None) else [lay])
    return out


def _not_adapted(layer: Any) -> bool:
    if getattr(layer, "input_mean", None) is not None or getattr(layer, "input_variance", None) is not None:
        return False
    try:
        import keras

        mean = np.asarray(keras.ops.convert_to_numpy(layer.mean))
        var = np.asarray(keras.ops.convert_to_numpy(layer.variance))
    except Exception:
        return False
    return bool(np.all(mean == 0) and np.all(var == 1))


def input_scaler(model: Any) -> InputScaler | None:
    """The leading Normalization / Rescaling / BatchNormalization layers of a Keras model; None when it has none."""
    from .model_view import is_keras

    if model is None or not is_keras(model):
        return None
    lead: list[Any] = []
    not_adapted: list[str] = []
    for lay in _leaves(model):
        kind = type(lay).__name__
        if kind in _PASS:
            continue
        if kind == "BatchNormalization":
            return InputScaler(lambda x: np.asarray(x), [lay.name], batch_norm=True) if not lead else \
                _scaler(lead, not_adapted)
        if kind not in _SCALERS:
            break
        lead.append(lay)
        if kind == "Normalization" and _not_adapted(lay):
            not_adapted.append(lay.name)
    return _scaler(lead, not_adapted) if lead else None


def _scaler(lead: list[Any], not_adapted: list[str]) -> InputScaler:
    def apply(x: Any) -> np.ndarray:
        import keras
        import torch

        a = np.asarray(x)
        if a.dtype.kind not in "biuf":
            return a
        with torch.no_grad():
            out = keras.ops.convert_to_tensor(a.astype("float32"))
            for lay in lead:
                out = lay(out, training=False) if "training" in _call_args(lay) else lay(out)
            return np.asarray(keras.ops.convert_to_numpy(out))

    return InputScaler(apply, [lay.name for lay in lead], not_adapted)


def _call_args(layer: Any) -> tuple[str, ...]:
    import inspect

    try:
        return tuple(inspect.signature(layer.call).parameters)
    except (TypeError, ValueError):
        return ()
