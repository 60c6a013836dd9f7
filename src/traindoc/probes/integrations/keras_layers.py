"""Keras layer probes: activation statistics and the NaN origin through wrapped layer calls.

Keras layers do not run through torch module hooks, so the watcher's activation and NaN-origin
probes see nothing of a Keras model. Keras looks ``call`` up on the layer instance at every
call, so an instance attribute that wraps it sees each layer's output during the real ``fit``;
removing the attribute restores the class method exactly. The wrappers only read outputs
(nothing returned differs, nothing is run twice):

- every training forward hands each layer's output to the watcher's NaN-origin probe (the
  same one torch models use: references kept for the forward only, the model's output checked
  at its end, the kept outputs scanned only when it holds a NaN);
- on sampled steps, scale, dead units and (for sigmoid/tanh hidden layers) the share of outputs
  at the activation's flat ends are computed on the device and read back once, at the batch's
  end. The output layer's saturation is confidence, not a problem, and is not measured.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

WINDOW = 4  # armed batches per dead-unit window (as the torch activation probe)
RELU_NAMES = {"relu", "relu6"}
SATURATING = {"sigmoid": (0.01, 0.99), "hard_sigmoid": (0.0, 1.0), "tanh": (-0.99, 0.99)}  # flat ends (exclusive)
# Layers whose output *is* their activation's output (a recurrent layer's tanh is not its output).
_ACTIVATED = {"Dense", "EinsumDense", "Activation", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D",
              "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose",
              "Conv3DTranspose"}
SAT_EXAMPLES = 8  # saturation is read from the first examples of the batch, as the torch probe does


def _act_name(layer: Any) -> str | None:
    if type(layer).__name__ == "ReLU":
        return "relu"
    fn = getattr(layer, "activation", None)
    name = getattr(fn, "__name__", None)
    return name.lower() if isinstance(name, str) else None


def _flat_layers(model: Any) -> list[Any]:
    out = []
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers") and type(layer).__name__ in ("Sequential", "Functional", "Model"):
            out.extend(_flat_layers(layer))
        else:
            out.append(layer)
    return out


def keras_params(layer: Any) -> list[tuple[str, torch.Tensor]]:
    """A Keras layer's weights as torch tensors (its own and its sublayers'), for the NaN origin."""
    out = []
    for w in getattr(layer, "weights", []):
        value = getattr(w, "value", w)
        if isinstance(value, torch.Tensor):
            out.append((str(getattr(w, "name", "weight")), value.detach()))
    return out


def is_training_call(kwargs: dict) -> bool:
    """A forward of ``fit``'s train step (evaluate and predict run with training=False, no grad)."""
    return bool(kwargs.get("training")) and torch.is_grad_enabled()


class KerasLayerProbe:
    """Wraps the ``call`` of the model and of each weighted or activation layer."""

    def __init__(self, model: Any, on_error: Callable[[Exception], None], nonfinite: Any = None) -> None:
        self.model = model
        # Every layer feeds the NaN origin (a weightless Lambda or custom layer may make the NaN);
        # the weighted and activation layers also give activation statistics.
        self.layers = _flat_layers(model)
        self.on_error = on_error
        self.nonfinite = nonfinite  # the watcher's NonfiniteProbe (None when it is off)
        self.armed = False
        self._fired: dict[str, torch.Tensor] = {}
        self._window = 0
        self._names: list[str] = []
        self._values: list[torch.Tensor] = []
        self._installed: list[Any] = []
        acting = [lay for lay in self.layers if lay.weights or _act_name(lay) is not None]
        self._types = {lay.name: type(lay).__name__ for lay in self.layers}
        self.output_layer = acting[-1].name if acting else None  # its saturation is confidence: not measured

    on_output: Callable[[Any], None] | None = None  # handed the model's output of the first training forward

    def install(self) -> None:
        if (self.nonfinite is not None or self.on_output is not None) and "call" not in self.model.__dict__:
            object.__setattr__(self.model, "call", self._wrap_model(self.model.call))
            self._installed.append(self.model)
        for layer in self.layers:
            if "call" in layer.__dict__:
                continue  # already wrapped by someone: leave it alone
            object.__setattr__(layer, "call", self._wrap(layer, layer.call))
            self._installed.append(layer)

    def remove(self) -> None:
        for layer in self._installed:
            layer.__dict__.pop("call", None)
        self._installed = []

    def _wrap_model(self, original: Callable) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            training = self.nonfinite is not None and is_training_call(kwargs)
            if training:
                self._safely(self.nonfinite.forward_started, self.model, args)
            out = original(*args, **kwargs)
            if training:
                self._safely(self.nonfinite.forward_ended, self.model, args, out)
            if self.on_output is not None and torch.is_grad_enabled() and getattr(out, "grad_fn", None) is not None:
                seen, self.on_output = self.on_output, None  # once: the first forward with a graph
                self._safely(seen, out)
            return out

        return call

    def _wrap(self, layer: Any, original: Callable) -> Callable:
        name = layer.name
        act = _act_name(layer)
        keep = self.nonfinite.keeper(name) if self.nonfinite is not None else None

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.first_input is None and args and layer.weights:
                try:
                    self._first_input(args[0])
                except Exception:  # this reading alone stops: the other layer probes go on
                    self.first_input = False
            out = original(*args, **kwargs)
            if keep is not None:
                self._safely(keep, layer, args, out)
            if self.armed and torch.is_grad_enabled() and (act is not None or layer.weights):
                self._safely(self._observe, name, act, out)
            return out

        return call

    first_input: Any = None  # the first weight layer's input in the first forward on real values (a few rows)

    def _first_input(self, x: Any) -> None:
        """Keep a few rows of what the first weight layer to run receives (the model may scale its raw batch in
        call() or a Lambda layer first: checks/input_norm.py); read once, on real values (not Keras' traces)."""
        if isinstance(x, torch.Tensor) and x.device.type != "meta" and x.dim() >= 1:
            self.first_input = x.detach()[:64].clone()
        elif not isinstance(x, torch.Tensor):
            self.first_input = False  # not a tensor (a dict of inputs): nothing to judge, stop looking

    def _safely(self, func: Callable, *args: Any) -> None:
        try:
            func(*args)
        except Exception as exc:  # a probe never breaks the user's forward
            self.on_error(exc)

    def _observe(self, name: str, act: str | None, out: Any) -> None:
        if not isinstance(out, torch.Tensor) or not out.is_floating_point() or out.dim() < 2 or not out.numel():
            return
        if out.device.type == "meta":
            return  # Keras traces shapes on meta tensors (building, compiling metrics): no values to read
        with torch.no_grad():
            o = out.detach()
            std, mean = torch.std_mean(o.float()) if o.numel() > 1 else (torch.zeros((), device=o.device), o.float())
            self._names += [f"act_mean/{name}", f"act_std/{name}"]
            self._values += [mean.reshape(()), std.reshape(())]
            if act in SATURATING and name != self.output_layer and self.layer_type(name) in _ACTIVATED:
                lo, hi = SATURATING[act]
                part = o[:SAT_EXAMPLES].float()
                self._names.append(f"sat_frac/{name}")
                self._values.append(((part <= lo) | (part >= hi)).float().mean().reshape(()))
            if act in RELU_NAMES:
                fired = o.reshape(-1, o.shape[-1]).amax(dim=0).gt(0)
                prev = self._fired.get(name)
                self._fired[name] = fired if prev is None or prev.shape != fired.shape else (prev | fired)

    def layer_type(self, name: str) -> str:
        return self._types.get(name, "")

    def take(self) -> dict[str, float]:
        """Statistics of the armed step just run, plus a dead-unit share each WINDOW armed
        steps, read back from the device in one transfer."""
        names, values = self._names, self._values
        self._names, self._values = [], []
        if names:
            self._window += 1
        if self._window >= WINDOW and self._fired:
            for name, fired in self._fired.items():
                names.append(f"dead_frac/{name}")
                values.append(1.0 - fired.float().mean())
            self._fired = {}
            self._window = 0
        if not names:
            return {}
        return dict(zip(names, torch.stack(values).float().cpu().tolist()))
