"""Small helpers the active checks share: splitting batches, copying models, reading losses."""

from __future__ import annotations

import contextlib
import copy
import math
from typing import Any, Callable, Iterable, Iterator

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


def last_module_run(model: torch.nn.Module, inputs: Any) -> str | None:
    """The name of the leaf module whose forward ran last on ``inputs``: the module that produces the output.

    Why: the last *registered* module may never run (``self.softmax = nn.Softmax(1)`` kept for inference
    while ``forward`` returns the logits). Run on a copy in eval mode without gradients and with the
    random state restored, so nothing of the user's model or RNG changes; None when it cannot run.
    """
    names: list[str] = []
    try:
        twin = copy.deepcopy(model)
        handles = [m.register_forward_hook(lambda mod, a, out, _n=n: names.append(_n))
                   for n, m in twin.named_modules() if n and not any(True for _ in m.children())]
        state = torch.random.get_rng_state()
        try:
            twin.eval()
            with torch.no_grad():
                twin(*inputs) if isinstance(inputs, (tuple, list)) else twin(inputs)
        finally:
            torch.random.set_rng_state(state)
            for h in handles:
                h.remove()
    except Exception:  # noqa: BLE001 - a model this cannot run: fall back to the last registered module
        return None
    return names[-1] if names else None


def fresh_copy(model: torch.nn.Module) -> torch.nn.Module:
    """A copy, so a check never changes the user's model.

    Keras models are rebuilt from their config and given the same weights (clone_model +
    set_weights): a deep copy of a compiled Keras model goes through its serialisation, which
    warns about the optimizer and fails on custom losses. A model that cannot be rebuilt (a
    Lambda layer, a subclassed model without a config) raises here; ``scratch`` handles it.
    """
    from .model_view import is_keras

    if is_keras(model):
        import keras

        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        return clone
    return copy.deepcopy(model)


@contextlib.contextmanager
def scratch(model: torch.nn.Module) -> Iterator[torch.nn.Module]:
    """A model a check may train: a copy, or a Keras model itself with every variable put back.

    A Keras model that ``clone_model`` cannot rebuild is trained in place and restored through
    its weights (every variable's value, then no gradients left behind), never through
    serialisation; torch modules are always deep-copied.
    """
    from .model_view import is_keras

    if not is_keras(model):
        yield copy.deepcopy(model)
        return
    try:
        clone = fresh_copy(model)
    except Exception:
        clone = None
    if clone is not None:
        yield clone
        return
    variables = list(model.variables)
    saved = [v.numpy().copy() for v in variables]
    training = model.training
    try:
        yield model
    finally:
        for v, value in zip(variables, saved):
            v.assign(value)
        for p in model.parameters():
            p.grad = None
        model.train(training)


def forward(model: torch.nn.Module, x: Any, training: bool | None = None) -> Any:
    """``model(x)``; ``training`` is passed to a Keras model's call, whose mode (BatchNormalization's batch
    statistics, Dropout) follows that argument, not torch's ``train()``: a subclassed model that hands its
    ``training`` on to its layers gets None otherwise, and runs them in inference mode."""
    if training is not None:
        from .model_view import is_keras

        if is_keras(model):
            return model(**x, training=training) if isinstance(x, dict) else model(as_tensor(x), training=training)
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
        value = fn(as_tensor(targets), outputs)
        # A loss given by name resolves to a function that reduces only the last axis (one value per
        # sample); compile() averages over the batch, and so must every check that reads one number.
        return value.mean() if getattr(value, "ndim", 0) else value

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
        with scratch(model) as net:
            opt = factory(net.parameters())
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
