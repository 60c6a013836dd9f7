"""Where a NaN came from: the first module whose output or gradient went NaN.

Nothing is ever run twice. During the user's own forward, a light hook on each submodule
keeps a reference to its output (no copy, no computation) and drops them all when the
forward ends. On the CPU, the model output is checked for NaN at the end of each forward
(free of any device sync); only when it holds a NaN are the kept outputs scanned, in call
order, for the first module that produced one. On an accelerator the output's NaN flag stays
on the device until the next batch read-back; once it (or the loss) shows a NaN, the
scan runs synchronously for a few steps, with gradient hooks on the outputs for a NaN made
in backward (tensor hooks: module backward hooks would warn about in-place ops).

Only NaN counts as the event: a -inf attention mask or a +inf padding value is legitimate
output, integer outputs cannot be NaN, and an overflow to inf shows up as a NaN loss.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from .gradients import Sample

FORWARD, BACKWARD, PARAMETER, LOSS, DATA = 1.0, 2.0, 3.0, 4.0, 5.0  # DATA: the batch fed to the model held NaN/Inf
FULL_MODE_STEPS = 3


def _tensors(obj: Any, depth: int = 0) -> list[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        return [obj]
    if depth > 3:
        return []
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o, depth + 1)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors(o, depth + 1)]
    logits = getattr(obj, "logits", None)  # HF ModelOutput-like objects
    return [logits] if isinstance(logits, torch.Tensor) else []


def _float_tensors(obj: Any) -> list[torch.Tensor]:
    return [t for t in _tensors(obj) if t.is_floating_point() and t.numel() and t.layout == torch.strided]


def _has_nan(obj: Any) -> bool:
    return any(bool(torch.isnan(t).any()) for t in _float_tensors(obj))


def _nonfinite(obj: Any) -> bool:
    return any(not bool(torch.isfinite(t).all()) for t in _float_tensors(obj))


# torch's own parameter-free modules that map finite inputs to finite outputs. A hook on a
# module costs torch's slow call path on every forward (about as much as a small layer's
# compute on the CPU), so they are not hooked: a NaN after one of them was made upstream
# (an overflow to Inf, which the scan follows back to the module that made it).
_FINITE_TO_FINITE = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.CELU, nn.SELU, nn.GELU, nn.SiLU, nn.Mish, nn.Sigmoid,
    nn.Tanh, nn.Hardtanh, nn.Hardsigmoid, nn.Hardswish, nn.Softsign, nn.Softplus, nn.Tanhshrink,
    nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.Identity, nn.Flatten, nn.Unflatten,
    nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
    nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d,
    nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d,
    nn.Sequential, nn.ModuleList, nn.ModuleDict,  # containers: their forward only chains children
)


def _cannot_make_nan(m: nn.Module) -> bool:
    return type(m) in _FINITE_TO_FINITE  # exact types: a subclass may add its own forward code


class NonfiniteProbe:
    """Finds the origin of the first NaN from the real forward's own outputs; reports it once."""

    def __init__(self, model: nn.Module, wrap: Callable, *, device_sync_free: bool,
                 params_of: Callable[[Any], list[tuple[str, torch.Tensor]]] | None = None) -> None:
        self.model = model
        self.wrap = wrap
        self.cpu = device_sync_free
        # A module's own parameters (a Keras layer keeps its weights elsewhere: the Keras
        # adapter passes its own accessor and calls the hooks from wrapped layer calls).
        self.params_of = params_of or (lambda m: list(m.named_parameters(recurse=False)))
        # Every submodule that can make a NaN, not only leaves: a module with children may make
        # it in its own forward code. Hooks fire as modules finish, children before parents, so
        # the first kept output with a NaN is the innermost module that made it.
        self.modules = [(n, m) for n, m in model.named_modules() if n and not _cannot_make_nan(m)]
        self.handles: list = []
        self.flags: list[torch.Tensor] = []  # device-side output-NaN flags awaiting read-back
        self.origin: tuple[str, float] | None = None  # (module, kind)
        self.origin_step: int | None = None
        self.origin_detail: str = ""
        self.step = 0
        self.full_steps_left = 0  # synchronous scan (accelerators) after a NaN loss or output
        self._depth = 0
        self._keep = False
        self._kept: list[tuple[str, nn.Module, tuple, Any]] = []
        self._grad_bad: dict[str, bool] = {}
        self._order: list[str] = []

    @property
    def full_mode(self) -> bool:
        return self.full_steps_left > 0

    # -- hooks -----------------------------------------------------------------------------
    def attach(self) -> None:
        self.handles.append(self.model.register_forward_pre_hook(self.wrap(self.forward_started)))
        self.handles.append(self.model.register_forward_hook(self.wrap(self.forward_ended)))
        for name, m in self.modules:
            # Not wrapped by the guard: a flag test and a list append cannot fail, and every
            # wrapper layer is paid on every module call of every step.
            self.handles.append(m.register_forward_hook(self.keeper(name)))

    def keeper(self, name: str):
        """The hook that keeps a reference to one submodule's output during the forward."""
        kept = self._kept

        def hook(mod: nn.Module, args: tuple, out: Any) -> None:
            if self._keep:
                kept.append((name, mod, args, out))
        return hook

    def forward_started(self, module: Any, args: tuple) -> None:
        """The model's forward begins (a forward pre-hook on the root, or the Keras adapter)."""
        if self.origin is None and torch.is_grad_enabled():
            self._depth = 1
            # On an accelerator the output's flag is only known at the next read-back: keeping
            # outputs there would raise peak memory for nothing, so only full mode keeps them.
            self._keep = self.cpu or self.full_mode
            self._kept.clear()

    def forward_ended(self, module: Any, args: tuple, out: Any) -> None:
        """The model's forward ended: on the CPU, a NaN in its output starts the scan."""
        if not self._depth:
            return
        self._depth = 0
        self._keep = False
        try:
            if self.origin is not None:
                return
            if (self.cpu and not self.full_mode and isinstance(out, torch.Tensor) and out.layout == torch.strided
                    and out.is_floating_point()):  # the usual case, without building lists
                if not torch.isfinite(out).all().item():  # one pass, as the NaN test alone was
                    if out.isnan().any().item():
                        self._scan(args)
                    return
                self._finite_out_step = self.step + 1
                return
            outs = _float_tensors(out)
            if self.cpu or self.full_mode:
                if any(bool(torch.isnan(t).any()) for t in outs) or self.full_mode:
                    self._scan(args)
                elif self.cpu and all(bool(torch.isfinite(t).all()) for t in outs):
                    self._finite_out_step = self.step + 1
            elif outs:
                self.flags.append(torch.stack([torch.isnan(t).any() for t in outs]).any().reshape(1).float())
        finally:
            self._kept.clear()  # the outputs belong to the user's graph: no reference survives the forward

    def _scan(self, root_args: tuple) -> None:
        """The first kept output holding a NaN names the origin; failing that, watch backward."""
        step = self.step + 1  # the step being computed
        kept = self._kept
        if _nonfinite(root_args):  # the batch itself: no module made the NaN, the data did
            self._set_origin(type(self.model).__name__, DATA, step, "the input batch held NaN/Inf")
            return
        for i, (name, mod, args, out) in enumerate(kept):
            if not _has_nan(out):
                continue
            if _nonfinite(args):
                # Fed Inf (an overflow upstream, then inf - inf here): the origin is the first
                # module that turned finite inputs into Inf, when there is one.
                up = next(((n, m, a) for n, m, a, o in kept[:i] if _nonfinite(o) and not _nonfinite(a)), None)
                if up is not None:
                    name, mod, args = up
            bad = [pn for pn, p in self.params_of(mod) if p.is_floating_point() and not bool(torch.isfinite(p).all())]
            if bad:
                self._set_origin(name, PARAMETER, step, f"parameter {name}.{bad[0]} is already non-finite")
            elif _nonfinite(args):
                self._set_origin(name, FORWARD, step, f"{type(mod).__name__} received non-finite inputs")
            else:
                self._set_origin(name, FORWARD, step, f"{type(mod).__name__} turned finite inputs into NaN/Inf")
            return
        up = next(((n, m) for n, m, a, o in kept if _nonfinite(o) and not _nonfinite(a)), None)
        if up is not None:  # an Inf made here became NaN in an unhooked module (inf - inf, 0 * inf)
            self._set_origin(up[0], FORWARD, step, f"{type(up[1]).__name__} turned finite inputs into Inf")
        elif self.full_mode:
            self._watch_backward()
        elif self.cpu:  # the output holds a NaN no submodule produced: the model's own forward did
            name = type(self.model).__name__
            self._set_origin(name, FORWARD, step, f"the forward of {name} itself (outside its submodules) made NaN")

    def _watch_backward(self) -> None:
        """Gradient hooks on this forward's outputs: the NaN may be made in backward."""
        self._grad_bad = {}
        self._order = []
        for name, _, _, out in self._kept:
            t = out if isinstance(out, torch.Tensor) else None
            if t is None or not t.is_floating_point() or not t.requires_grad or name in self._grad_bad:
                continue
            self._order.append(name)
            self._grad_bad[name] = False

            def on_grad(g: torch.Tensor, name: str = name) -> None:
                if not bool(torch.isfinite(g).all()):
                    self._grad_bad[name] = True
            t.register_hook(self.wrap(on_grad))

    _finite_out_step = -1  # the last step whose model output was all finite (CPU: known at once)

    def on_bad_loss(self, step: int) -> None:
        """The loss (or the output flag read back) went non-finite: scan the next few steps.

        When the model's output at that very step was all finite, the NaN/Inf was made after the
        model, by the loss itself (log of a probability of exactly 0, a division by zero) or by
        bad targets: naming a layer, or the NaN weights the next update leaves, would mislead."""
        if self.origin is None and self._finite_out_step == step:
            self._set_origin("loss", LOSS, step, "the loss was non-finite while the model's outputs were finite")
            return
        if self.origin is None and not self.full_mode:
            self.full_steps_left = FULL_MODE_STEPS

    def _set_origin(self, module: str, kind: float, step: int, detail: str) -> None:
        self.origin = (module, kind)
        self.origin_step = int(step)
        self.origin_detail = detail
        self.full_steps_left = 0
        self._grad_bad = {}

    def after_step(self, step: int) -> None:
        """End of an optimisation step: conclude a backward scan, count down full mode."""
        self.step = step
        if self.origin is None and self._grad_bad:
            bad = [i for i, n in enumerate(self._order) if self._grad_bad.get(n)]
            if bad and bad[-1] + 1 < len(self._order):
                # Backward runs last-to-first: the module after the last NaN gradient made it.
                name = self._order[bad[-1] + 1]
                self._set_origin(name, BACKWARD, step, f"backward of {name} turned finite gradients into NaN/Inf")
            self._grad_bad = {}
        if self.full_steps_left:
            self.full_steps_left -= 1

    def take(self) -> list[Sample]:
        out = [(("model_output_finite",), 1.0 - f) for f in self.flags]
        self.flags = []
        return out

    def close(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
        self._kept.clear()
        self._grad_bad = {}
