"""A framework-neutral view of a model's output layer and its loss, for the structure checks.

torch modules and Keras models hide their last layer and loss in different places (a Keras
model shows Sequential/Functional containers; its loss is whatever ``compile`` was given).
This module reads both into two small records, so one set of checks (checks/structure.py)
judges output activation vs loss vs targets for either framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Loss kinds: what the loss expects of the output and of the targets.
SPARSE_CE = "sparse_ce"  # class ids, one output per class
CATEGORICAL_CE = "categorical_ce"  # one-hot (or probability) targets, one output per class
BINARY_CE = "bce"  # targets in [0, 1], one output per independent yes/no
NLL = "nll"  # log-probabilities in, class ids as targets
REGRESSION = "regression"

_KERAS_LOSSES = {
    "sparse_categorical_crossentropy": SPARSE_CE, "sparsecategoricalcrossentropy": SPARSE_CE,
    "categorical_crossentropy": CATEGORICAL_CE, "categoricalcrossentropy": CATEGORICAL_CE,
    "binary_crossentropy": BINARY_CE, "binarycrossentropy": BINARY_CE,
    "binary_focal_crossentropy": BINARY_CE, "binaryfocalcrossentropy": BINARY_CE,
    "categorical_focal_crossentropy": CATEGORICAL_CE, "categoricalfocalcrossentropy": CATEGORICAL_CE,
    "mse": REGRESSION, "mean_squared_error": REGRESSION, "meansquarederror": REGRESSION,
    "mae": REGRESSION, "mean_absolute_error": REGRESSION, "meanabsoluteerror": REGRESSION,
    "huber": REGRESSION, "huber_loss": REGRESSION, "log_cosh": REGRESSION, "logcosh": REGRESSION,
    "mean_squared_logarithmic_error": REGRESSION, "msle": REGRESSION, "meansquaredlogarithmicerror": REGRESSION,
}
_TORCH_KINDS = {"ce": (SPARSE_CE, True), "nll": (NLL, True), "bce_logits": (BINARY_CE, True),
                "bce": (BINARY_CE, False), "regression": (REGRESSION, False)}
ACTIVATION_NAMES = {"softmax", "sigmoid", "relu", "relu6", "tanh", "softplus", "log_softmax", "elu", "selu",
                    "gelu", "hard_sigmoid", "exponential", "linear", "leaky_relu", "silu", "swish"}


@dataclass
class LossView:
    kind: str | None
    from_logits: bool
    name: str
    framework: str
    label_smoothing: float = 0.0  # share of the target moved off the true class (0: none)
    axis: int = -1  # the axis a Keras cross-entropy takes the classes from

    @property
    def categorical(self) -> bool:
        return self.kind in (SPARSE_CE, CATEGORICAL_CE)


@dataclass
class OutputView:
    """The layer that produces the model output: its activation and width."""

    framework: str
    layer: str  # the layer's name in the model
    activation: str  # 'linear' when there is none
    units: int | None
    axis: int | None = None  # the axis a softmax output normalises over (-1: the last), when known
    rank: int | None = None  # the output's number of axes, batch included, when known
    after: str | None = None  # a normalisation layer placed after the output layer (its class name)
    after_layer: str | None = None  # and its name in the model
    seen: bool = False  # the activation was read from the output values (applied in call/forward, no layer)

    def spelled(self) -> str:
        """How the user wrote it: ``Dense(1, activation='softmax')`` or ``Linear(.., 1) + Softmax``."""
        if self.seen:
            where = "call()" if self.framework == "keras" else "forward"
            return f"a {self.units}-unit output with a {self.activation} applied in {where}"
        if self.framework == "keras":
            u = self.units if self.units is not None else "?"
            act = "" if self.activation == "linear" else f", activation='{self.activation}'"
            return f"Dense({u}{act})"
        return f"a {self.units}-unit output" + ("" if self.activation == "linear" else f" + {self.activation}")


def is_keras(model: Any) -> bool:
    return any(c.__module__.startswith("keras") and c.__name__ in ("Model", "Layer") for c in type(model).__mro__)


def nested_layers(model: Any) -> list[Any]:
    """Every layer of a Keras model, nested models' layers included (its top-level layers as a fallback)."""
    try:
        return list(model._flatten_layers(include_self=False, recursive=True))
    except Exception:
        return list(getattr(model, "layers", []))


def has_sublayers(layer: Any) -> bool:
    """Whether a Keras layer holds layers of its own (a nested model or block), not a leaf layer."""
    try:
        return bool(list(layer._flatten_layers(include_self=False, recursive=False)))
    except Exception:
        return bool(getattr(layer, "layers", None))


def compiled_metric_objects(model: Any) -> list[Any]:
    """What a Keras model's ``compile(metrics=...)`` was given, flattened (strings or metric objects)."""
    if not is_keras(model):
        return []
    user = getattr(getattr(model, "_compile_metrics", None), "_user_metrics", None)
    if isinstance(user, dict):
        user = [m for v in user.values() for m in (v if isinstance(v, (list, tuple)) else [v])]
    return list(user) if isinstance(user, (list, tuple)) else []


def compiled_metrics(model: Any) -> list[str]:
    """The metric names a Keras model was compiled with (lower case; empty for torch or when unknown)."""
    names = []
    for m in compiled_metric_objects(model):
        name = m if isinstance(m, str) else getattr(m, "name", None) or getattr(m, "__name__", None)
        if name:
            names.append(str(name).lower())
    return names


def _keras_loss_config(loss: Any) -> dict:
    if isinstance(loss, str):
        return {}
    try:
        return dict(loss.get_config() or {})
    except Exception:
        return {}


def _keras_loss_name(loss: Any) -> tuple[str, bool]:
    if isinstance(loss, str):
        return loss, False
    cfg = _keras_loss_config(loss)
    fn = getattr(loss, "fn", None)
    name = getattr(fn, "__name__", None) or cfg.get("name") or getattr(loss, "__name__", None) \
        or type(loss).__name__
    return str(name), bool(cfg.get("from_logits", False))


def _wrapped_keras_kind(loss: Any, logits: bool) -> tuple[str | None, bool]:
    """The kind of a user's own Keras loss function that only calls one known Keras loss on its
    arguments (``def loss(y, p): return keras.losses.binary_crossentropy(y, p, from_logits=True)``), read
    from the names its code refers to; ``from_logits=True`` when that keyword is passed a constant True."""
    from .static import _TRANSFORMS

    code = getattr(getattr(loss, "fn", loss), "__code__", None)
    names = set(getattr(code, "co_names", ()) or ())
    if not names or names & _TRANSFORMS:
        return None, logits
    kinds = {_KERAS_LOSSES[n] for n in names if n in _KERAS_LOSSES}
    if len(kinds) != 1:
        return None, logits
    consts = getattr(code, "co_consts", ()) or ()
    keyword = any(isinstance(c, tuple) and "from_logits" in c for c in consts) or "from_logits" in names
    return kinds.pop(), logits or (keyword and True in consts and False not in consts)


def _smoothing(loss: Any) -> float:
    """A loss's label smoothing (Keras config or torch attribute); 0 when it has none."""
    value = _keras_loss_config(loss).get("label_smoothing", getattr(loss, "label_smoothing", 0.0))
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    return v if 0.0 <= v <= 1.0 else 0.0


def loss_view(loss: Any, model: Any = None) -> LossView | None:
    """The loss a model trains with: a torch loss, a Keras loss, or (``loss=None``) the one a Keras model was compiled with."""
    if loss is None and model is not None and is_keras(model):
        loss = getattr(model, "loss", None)
    if loss is None or isinstance(loss, (list, tuple, dict)):
        return None  # several outputs: judged per output by nobody yet
    from .static import loss_kind

    torch_kind = loss_kind(loss)
    if torch_kind is not None:
        kind, logits = _TORCH_KINDS[torch_kind]
        return LossView(kind, logits, type(loss).__name__ if not callable(loss) or hasattr(loss, "forward")
                        else getattr(loss, "__name__", str(loss)), "torch", _smoothing(loss), 1)
    name, logits = _keras_loss_name(loss)
    kind = _KERAS_LOSSES.get(name.lower().replace(" ", ""))
    if kind is None:
        kind, logits = _wrapped_keras_kind(loss, logits)
    axis = _keras_loss_config(loss).get("axis", -1)
    return LossView(kind, logits, name, "keras", _smoothing(loss), axis if isinstance(axis, int) else -1)


def _activation_name(fn: Any) -> str:
    if fn is None:
        return "linear"
    name = getattr(fn, "__name__", None) or type(fn).__name__
    name = name.lower()
    return name if name in ACTIVATION_NAMES else ("linear" if name in ("identity", "none") else name)


def _keras_units(layer: Any) -> int | None:
    units = getattr(layer, "units", None)
    if isinstance(units, int):
        return units
    try:
        shape = layer.output.shape
        return int(shape[-1]) if shape[-1] is not None else None
    except Exception:
        return None


def output_view(model: Any, output_module: str | None = None) -> OutputView | None:
    """The output layer of a torch or Keras model, or None when it cannot be told (several outputs)."""
    if is_keras(model):
        return _keras_output(model)
    return _torch_output(model, output_module)


def _keras_output(model: Any) -> OutputView | None:
    layers = [lay for lay in getattr(model, "layers", []) if type(lay).__name__ not in ("InputLayer", "Dropout")]
    if not layers or len(getattr(model, "outputs", None) or [None]) > 1:
        return None
    last = layers[-1]
    kind = type(last).__name__
    if kind in _NORM_LAYERS and len(layers) > 1 and type(layers[-2]).__name__ not in _NORM_LAYERS:
        # A normalisation layer after the output layer: judge the layer before it, and say what follows it.
        inner = _keras_output(_Layers(layers[:-1], getattr(model, "outputs", None)))
        if inner is not None:
            inner.after, inner.after_layer = kind, last.name
        return inner
    if kind in ("Sequential", "Functional") or hasattr(last, "layers") and kind not in ("Dense",):
        return _keras_output(last) if hasattr(last, "layers") else None
    if kind == "Softmax":
        act = "softmax"
    elif kind == "Activation":
        act = _activation_name(getattr(last, "activation", None))
    elif kind in ("ReLU", "LeakyReLU", "ELU", "PReLU"):
        act = kind.lower() if kind != "LeakyReLU" else "leaky_relu"
    else:
        act = _activation_name(getattr(last, "activation", None))
    units = _keras_units(last)
    rank = _keras_rank(model)
    axis = None
    if act == "softmax":  # a Softmax layer names its axis; activation='softmax' is over the last one
        axis = getattr(last, "axis", -1) if kind == "Softmax" else -1
        axis = axis if isinstance(axis, int) else None
        if axis is not None and rank is not None and axis >= 0:
            axis -= rank  # counted from the end, as a Keras loss's axis is
    if kind in ("Softmax", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU") and len(layers) > 1:
        units = _keras_units(layers[-2]) or units
        return OutputView("keras", layers[-2].name, act, units, axis, rank)
    return OutputView("keras", last.name, act, units, axis, rank)


_NORM_LAYERS = ("BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization")


class _Layers:
    """The leading layers of a model, seen as a model (for the layer before a trailing normalisation)."""

    def __init__(self, layers: list, outputs: Any) -> None:
        self.layers, self.outputs = layers, None
        self.output = getattr(layers[-1], "output", None)


def _keras_rank(model: Any) -> int | None:
    for get in (lambda: model.outputs[0], lambda: model.output, lambda: model.layers[-1].output):
        try:
            return len(get().shape)
        except Exception:
            continue
    return None


_TORCH_ACTS = {"Softmax": "softmax", "Sigmoid": "sigmoid", "ReLU": "relu", "ReLU6": "relu6", "Tanh": "tanh",
               "Softplus": "softplus", "LogSoftmax": "log_softmax", "Hardtanh": "tanh", "LeakyReLU": "leaky_relu"}


def _torch_output(model: Any, output_module: str | None) -> OutputView | None:
    try:
        named = [(n, m) for n, m in model.named_modules() if n and not any(True for _ in m.children())]
    except Exception:
        return None
    if not named:
        return None
    if output_module is not None:
        idx = next((i for i, (n, _) in enumerate(named) if n == output_module), len(named) - 1)
        named = named[:idx + 1]
    name, last = named[-1]
    act = _TORCH_ACTS.get(type(last).__name__, "linear")
    units = None
    for _, m in reversed(named):
        width = getattr(m, "out_features", None) or getattr(m, "out_channels", None)
        if isinstance(width, int):
            units = width
            break
    return OutputView("torch", name, act, units)
