"""Keras layer probes: activation statistics and the NaN origin through wrapped layer calls.

Keras layers do not run through torch module hooks, so the watcher's activation and NaN-origin
probes see nothing of a Keras model. Keras looks ``call`` up on the layer instance at every
call, so an instance attribute that wraps it sees each layer's output during the real ``fit``;
removing the attribute restores the class method exactly. The wrapper only reads outputs
(no copies kept, nothing returned differs) and only on armed steps.
"""

from __future__ import annotations

from typing import Any, Callable

WINDOW = 4  # armed batches per dead-unit window (as the torch activation probe)
RELU_NAMES = {"relu", "relu6"}


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


class KerasLayerProbe:
    """Wraps the ``call`` of each weighted or activation layer; reads outputs on armed steps."""

    def __init__(self, model: Any, on_error: Callable[[Exception], None]) -> None:
        self.layers = [lay for lay in _flat_layers(model) if lay.weights or _act_name(lay)]
        self.on_error = on_error
        self.armed = False
        self.full = False  # after a non-finite loss: every step, until the origin is found
        self.origin: tuple[str, str] | None = None  # (layer, "output"|"weights")
        self._fired: dict[str, Any] = {}
        self._window = 0
        self._stats: dict[str, float] = {}
        self._installed: list[Any] = []

    def install(self) -> None:
        for layer in self.layers:
            if "call" in layer.__dict__:
                continue  # already wrapped by someone: leave it alone
            original = layer.call
            object.__setattr__(layer, "call", self._wrap(layer, original))
            self._installed.append(layer)

    def remove(self) -> None:
        for layer in self._installed:
            layer.__dict__.pop("call", None)
        self._installed = []

    def _wrap(self, layer: Any, original: Callable) -> Callable:
        name = layer.name
        act = _act_name(layer)

        def call(*args: Any, **kwargs: Any) -> Any:
            out = original(*args, **kwargs)
            if self.armed or (self.full and self.origin is None):
                try:
                    self._observe(name, act, layer, args, out)
                except Exception as exc:  # a probe never breaks the user's forward
                    self.on_error(exc)
            return out

        return call

    def _observe(self, name: str, act: str | None, layer: Any, args: tuple, out: Any) -> None:
        import torch

        if not isinstance(out, torch.Tensor) or not out.is_floating_point():
            return
        o = out.detach()
        if self.origin is None and not bool(torch.isfinite(o).all()):
            inp = args[0] if args else None
            inputs_ok = not isinstance(inp, torch.Tensor) or not inp.is_floating_point() or bool(
                torch.isfinite(inp.detach()).all())
            if inputs_ok:
                bad_w = any(not bool(torch.isfinite(torch.as_tensor(w.value)).all()) for w in layer.weights)
                self.origin = (name, "weights" if bad_w else "output")
        if not self.armed or o.dim() < 2:
            return
        self._stats[f"act_mean/{name}"] = float(o.mean())
        self._stats[f"act_std/{name}"] = float(o.std()) if o.numel() > 1 else 0.0
        if act in RELU_NAMES:
            fired = o.reshape(-1, o.shape[-1]).amax(dim=0).gt(0)
            prev = self._fired.get(name)
            self._fired[name] = fired if prev is None else (prev | fired)

    def take(self) -> dict[str, float]:
        """Statistics of the armed step just run, plus a dead-unit share each WINDOW armed steps."""
        stats, self._stats = self._stats, {}
        if stats:
            self._window += 1
        if self._window >= WINDOW and self._fired:
            for name, fired in self._fired.items():
                stats[f"dead_frac/{name}"] = 1.0 - float(fired.float().mean())
            self._fired = {}
            self._window = 0
        return stats
