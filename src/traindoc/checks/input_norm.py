"""Does the model standardise its own inputs? A BatchNorm as the first layer is an input scaler.

Raw features fed into ``nn.Sequential(nn.BatchNorm1d(d), ...)`` are fine in training mode: the
layer standardises each batch before anything else sees it, so calling those inputs unnormalised
is a false alarm. The same layer in eval mode with running statistics never updated (mean 0,
variance 1: ``model.eval()`` left on, ``model.train()`` never called) passes the raw values
straight through; then the inputs really are unnormalised, and the fix is the mode, not a scaler.
Shared by ``check``'s data section and the live watcher's unnormalized-input rule.
"""

from __future__ import annotations

from typing import Any

NORMALISES = "normalises"  # the first layer standardises the inputs (train mode, or learned running stats)
INPUT_NORM_SERIES = "input_norm_layer"  # the watcher's record: 1 the model scales its inputs, 0 eval-untouched
EVAL_UNTOUCHED = "eval-untouched"  # a first BatchNorm in eval mode whose running stats were never updated

# What the unnormalized-input finding says when the cause is the mode.
EVAL_CAUSE = ("the model's first layer is a BatchNorm left in eval mode (model.eval() without model.train()): "
              "it uses its initial running statistics (mean 0, variance 1) instead of the batch's, so the raw "
              "inputs reach the network unscaled")
EVAL_FIX = ("Call model.train() before the training loop (and model.eval() only around evaluation), so the "
            "first BatchNorm standardises each batch and updates its running statistics.")


def _first_leaf(model: Any) -> Any:
    """The first module without children, in registration order (the input end of a Sequential)."""
    for m in model.modules():
        if not any(True for _ in m.children()):
            return m
    return None


def input_norm_state(model: Any, inputs: Any = None) -> str | None:
    """NORMALISES, EVAL_UNTOUCHED, or None (no input BatchNorm, not a torch model, unreadable).

    ``inputs``: a batch; when given, the BatchNorm must take its channel count (a layer registered
    first but applied later, to hidden features, is not the input scaler).
    """
    try:
        from torch.nn.modules.batchnorm import _BatchNorm
    except Exception:
        return None
    if not hasattr(model, "modules"):
        return None
    try:
        first = _first_leaf(model)
        if not isinstance(first, _BatchNorm):
            return None
        shape = getattr(inputs, "shape", None)
        if shape is not None and (len(shape) < 2 or int(shape[1]) != first.num_features):
            return None
        if first.training and first.track_running_stats is not False:
            return NORMALISES
        if first.training:  # no running statistics: batch statistics in either mode
            return NORMALISES
        rm, rv = first.running_mean, first.running_var
        if rm is None or rv is None:
            return NORMALISES
        untouched = bool((rm == 0).all()) and bool((rv == 1).all())
        return EVAL_UNTOUCHED if untouched else NORMALISES
    except Exception:
        return None


# ---------------------------------------------------------------- what the first weight layer receives

# A model may standardise its own inputs inside forward / call(): ``(x - self.mean) / self.std`` with buffers, a
# Lambda layer, a subclassed model's call. The loader's batches are then raw and sound alike; the scale that
# matters is the one the first layer with weights receives. It is read where that layer is called during the
# user's own forward (a one-shot pre-hook for torch, the Keras layer wrapper), never by a forward of its own.

MAX_HOOKED = 4096  # modules with weights hooked for the one forward (a bigger model is not judged this way)
LAYER_EXAMPLES = 64  # rows of the layer's input read for its scale


def scale_reasons(t: Any) -> list[str] | None:
    """input_scale_reasons of a floating tensor (channels along dim 1, as the input probe reads a batch);
    None when it is not one (token ids, a tuple)."""
    import torch

    from ..stats.input_scale import feature_scale_ratio, input_scale_reasons

    if not isinstance(t, torch.Tensor) or not t.is_floating_point() or t.numel() < 2 or t.device.type == "meta":
        return None
    with torch.no_grad():
        x = t.detach()[:LAYER_EXAMPLES].float()
        x = x.reshape(-1, 1) if x.dim() == 1 else x
        chan = x.transpose(0, 1).reshape(x.shape[1], -1)
        chan_std = chan.std(dim=1) if chan.shape[1] > 1 else chan[:, 0].abs()
        std, mean = torch.std_mean(x)
        lo, hi = torch.aminmax(x)
        vals = torch.stack([mean, std, lo, hi]).cpu().tolist()
    if not all(v == v for v in vals):
        return None
    return input_scale_reasons(vals[0], vals[1], vals[2], vals[3], feature_scale_ratio(chan_std.cpu().tolist()))


def scaled_inside(model_input: Any, layer_input: Any) -> bool:
    """Whether the model's forward standardised its input before the first weight layer: the layer's input
    holds as many values as the model's input, is another tensor, and looks sound while the model's does not."""
    import torch

    if not isinstance(model_input, torch.Tensor) or not isinstance(layer_input, torch.Tensor):
        return False
    if layer_input is model_input or layer_input.dim() == 0 or model_input.dim() == 0 or not len(layer_input) or not len(model_input) or \
            layer_input.numel() // len(layer_input) != model_input.numel() // len(model_input):
        return False  # not a row-wise transform of the input (another input, a reshape to other rows)
    raw, seen = scale_reasons(model_input), scale_reasons(layer_input)
    return bool(raw) and seen == []


def _weighted_modules(model: Any) -> list:
    """The model's modules that hold weights of their own (the model itself apart)."""
    return [m for m in model.modules() if m is not model and any(True for _ in m.parameters(recurse=False))]


FIRST_INPUT_FORWARDS = 64  # root forwards FirstLayerInput waits for a training one (a model trained in eval mode)


class FirstLayerInput:
    """The first training forward's model input against what the first module with weights to run received.

    A model that only ever runs in eval mode (or without gradients) never gives it a training forward: after
    FIRST_INPUT_FORWARDS root forwards it gives up and removes its hooks, so it costs nothing later."""

    def __init__(self) -> None:
        self.handles: list = []
        self.scaled: bool | None = None  # None: not seen (yet)
        self.forwards = 0  # root forwards seen while waiting

    def hook(self, model: Any, wrap: Any) -> None:
        import torch

        mods = _weighted_modules(model)
        if not mods or len(mods) > MAX_HOOKED:
            return
        held: dict[str, Any] = {}

        def root_pre(mod: Any, args: tuple) -> None:
            self.forwards += 1
            if torch.is_grad_enabled() and mod.training and args and isinstance(args[0], torch.Tensor):
                held["x"] = args[0]
            elif self.forwards >= FIRST_INPUT_FORWARDS:
                self.remove()  # no training forward so far: give up (the hooks would run on every call)

        def layer_pre(mod: Any, args: tuple) -> None:
            x = held.pop("x", None)
            if x is None:
                return
            self.remove()  # the first weight layer to run in a training forward: read once
            self.scaled = scaled_inside(x, args[0] if args else None)

        self.handles = [model.register_forward_pre_hook(wrap(root_pre))]
        self.handles += [m.register_forward_pre_hook(wrap(layer_pre)) for m in mods]

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []


def torch_first_input(model: Any, x: Any) -> Any:
    """For ``check`` (before training): what the first module with weights receives when the model is called
    on ``x``, from a forward in eval mode without gradients that stops at that module (the RNG state, the
    modes and every buffer are left as they were). None when it cannot be read."""
    import torch

    class _Seen(BaseException):  # not an Exception: a user's ``try/except Exception`` in forward must not swallow it
        pass

    from .model_view import is_keras

    if is_keras(model):
        return _keras_first_input(model, x)
    if not isinstance(x, torch.Tensor) or not hasattr(model, "modules"):
        return None
    mods = _weighted_modules(model)
    if not mods or len(mods) > MAX_HOOKED:
        return None
    got: dict[str, Any] = {}

    def pre(mod: Any, args: tuple) -> None:
        if "x" not in got:  # the first weighted module reached; later ones (if the stop was caught) do not count
            got["x"] = args[0] if args else None
        raise _Seen

    modes = {m: m.training for m in model.modules()}
    handles = [m.register_forward_pre_hook(pre) for m in mods]
    try:
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            model.eval()
            device = next(model.parameters()).device
            model(x[:LAYER_EXAMPLES].to(device))
        return None  # the forward ran to its end (the stop was caught): what it read is not to be trusted
    except _Seen:
        pass
    except Exception:
        return None
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes.items():
            m.training = mode
    return got.get("x")


def _keras_first_input(model: Any, x: Any) -> Any:
    """torch_first_input for a Keras model: its layers' ``call`` wrapped for one inference call (training=False:
    no dropout draw, no moving-statistics update), restored after."""
    import torch

    from ..probes.integrations.keras_layers import _flat_layers

    layers = [lay for lay in _flat_layers(model) if "call" not in lay.__dict__]
    if not layers:
        return None
    got: dict[str, Any] = {}

    def wrapped(layer: Any, original: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if "x" not in got and layer.weights:  # built by now (a model not yet built is built by this call)
                got["x"] = args[0] if args else None
            return original(*args, **kwargs)
        return call

    for lay in layers:
        object.__setattr__(lay, "call", wrapped(lay, lay.call))
    try:
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            model(x[:LAYER_EXAMPLES], training=False)
    except Exception:
        return None
    finally:
        for lay in layers:
            lay.__dict__.pop("call", None)
    return got.get("x")
