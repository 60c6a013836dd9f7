"""Small helpers the active checks share: splitting batches, copying models, reading losses."""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Iterable

import torch

OptimizerFactory = Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer]

_INPUT_KEYS = ("input", "inputs", "x", "features", "image", "images", "pixel_values", "input_ids")
_TARGET_KEYS = ("target", "targets", "label", "labels", "y")


def split_batch(batch: Any) -> tuple[Any, Any]:
    """(inputs, targets) from a tuple/list batch or a dict batch with common key names."""
    if isinstance(batch, dict):
        x = next((batch[k] for k in _INPUT_KEYS if k in batch), None)
        y = next((batch[k] for k in _TARGET_KEYS if k in batch), None)
        if x is None or y is None:
            raise ValueError(f"batch dict needs an input key {_INPUT_KEYS} and a target key {_TARGET_KEYS}; got {sorted(batch)}")
        return x, y
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return batch[0], as_tensor(batch[1])
    raise ValueError(f"a batch must be (inputs, targets) or a dict; got {type(batch).__name__}")


def fresh_copy(model: torch.nn.Module) -> torch.nn.Module:
    """A copy, so a check never changes the user's model.

    Keras models are rebuilt from their config and given the same weights (clone_model +
    set_weights): a deep copy of a compiled Keras model goes through its serialisation, which
    warns about the optimizer and fails on custom losses.
    """
    from .model_view import is_keras

    if is_keras(model):
        import keras

        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        return clone
    return copy.deepcopy(model)


def forward(model: torch.nn.Module, x: Any) -> Any:
    if isinstance(x, dict):
        return model(**x)
    if not isinstance(x, torch.Tensor) and hasattr(x, "__array__"):
        x = torch.as_tensor(x)
    return model(x)


def as_tensor(value: Any) -> Any:
    """numpy targets (a Keras user's arrays) as torch tensors; anything else unchanged."""
    if not isinstance(value, torch.Tensor) and hasattr(value, "__array__"):
        return torch.as_tensor(value)
    return value


def keras_loss_fn(model: Any) -> Callable | None:
    """The loss a Keras model was compiled with, as a torch-ordered ``loss(outputs, targets)``."""
    loss = getattr(model, "loss", None)
    if loss is None or isinstance(loss, (list, tuple, dict)):
        return None
    import keras

    fn = keras.losses.get(loss) if isinstance(loss, str) else loss

    def compiled_loss(outputs: Any, targets: Any) -> Any:
        return fn(as_tensor(targets), outputs)

    compiled_loss.keras_loss = loss  # type: ignore[attr-defined]  (what the structure checks read)
    return compiled_loss


def as_float(loss: Any) -> float:
    try:
        return float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss)
    except (TypeError, ValueError, RuntimeError):
        return math.nan


def default_optimizer(lr: float) -> OptimizerFactory:
    return lambda params: torch.optim.Adam(params, lr=lr)


def optimizer_lr(factory: OptimizerFactory, model: torch.nn.Module) -> float | None:
    """The learning rate a user's optimizer factory sets, read from a throwaway copy."""
    try:
        opt = factory(fresh_copy(model).parameters())
        return float(opt.param_groups[0]["lr"])
    except Exception:
        return None


def describe_optimizer(opt: torch.optim.Optimizer) -> str:
    return f"{type(opt).__name__}(lr={opt.param_groups[0]['lr']:.3g})"


def set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    for group in opt.param_groups:
        group["lr"] = lr


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], cap: float | None = None) -> str:
    """A one-line curve; non-finite points print as '×', values above ``cap`` as the top block."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "×" * len(values)
    lo = min(finite)
    hi = min(max(finite), cap) if cap is not None else max(finite)
    span = (hi - lo) or 1.0
    out = []
    for v in values:
        if not math.isfinite(v):
            out.append("×")
        else:
            k = int(round((min(v, hi) - lo) / span * (len(SPARK) - 1)))
            out.append(SPARK[k])
    return "".join(out)
