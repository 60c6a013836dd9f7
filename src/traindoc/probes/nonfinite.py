"""Where a NaN/Inf came from: the first module whose output or gradient went non-finite.

Armed cheaply: one forward hook on the whole model checks its output each step (on the CPU
the check is free of any device sync; on an accelerator the flag stays on the device until
the next read-back). When the output is non-finite on the CPU, the same forward is replayed
at once, with a hook on every module, before the optimiser can spread the NaN into the
weights; the replay runs under no_grad with the RNG and the buffers (BatchNorm statistics)
restored, so training is unaffected. Elsewhere, once a non-finite loss is seen, full
per-module forward and backward hooks are switched on for a few steps.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import torch
from torch import nn

from .gradients import Sample
from .layers import leaf_modules

FORWARD, BACKWARD, PARAMETER = 1.0, 2.0, 3.0
FULL_MODE_STEPS = 3


def _tensors(obj: Any) -> list[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors(o)]
    return []


def _all_finite(obj: Any) -> bool:
    return all(bool(torch.isfinite(t).all()) for t in _tensors(obj) if t.is_floating_point())


class NonfiniteProbe:
    """Finds the origin of the first non-finite value; reports it once."""

    def __init__(self, model: nn.Module, wrap: Callable, *, replay: bool, device_sync_free: bool) -> None:
        self.model = model
        self.wrap = wrap
        self.replay_ok = replay
        self.cpu = device_sync_free
        self.modules = leaf_modules(model)
        self.handles: list = []
        self.full_handles: list = []
        self.full_steps_left = 0
        self._args: tuple | None = None
        self._kwargs: dict | None = None
        self.flags: list[torch.Tensor] = []  # device-side output-finite flags awaiting read-back
        self.origin: tuple[str, float] | None = None  # (module, kind)
        self.origin_step: float | None = None
        self.origin_detail: str = ""
        self.step = 0
        self._replaying = False
        self._first_bad: tuple[str, float, str] | None = None
        self.forward_start: float | None = None  # when the model's last forward began

    # -- armed mode: one hook on the model -------------------------------------------------
    def attach(self) -> None:
        self.handles.append(self.model.register_forward_pre_hook(self.wrap(self._pre), with_kwargs=True))
        self.handles.append(self.model.register_forward_hook(self.wrap(self._post)))

    def _pre(self, module: nn.Module, args: tuple, kwargs: dict) -> None:
        self.forward_start = time.perf_counter()
        if not self._replaying and self.origin is None:
            self._args, self._kwargs = args, kwargs

    def _post(self, module: nn.Module, args: tuple, out: Any) -> None:
        if self._replaying or self.origin is not None:
            return
        if self.cpu and type(out) is torch.Tensor:  # the common case, kept cheap
            if out.is_floating_point() and not torch.isfinite(out).all():
                self._on_bad_output()
            self._args = self._kwargs = None
            return
        outs = [t for t in _tensors(out) if t.is_floating_point()]
        if not outs:
            return
        if self.cpu:
            if not all(bool(torch.isfinite(t).all()) for t in outs):
                self._on_bad_output()
        else:
            flag = torch.stack([torch.isfinite(t).all() for t in outs]).all()
            self.flags.append(flag.reshape(1).float())
        self._args = self._kwargs = None

    def _on_bad_output(self) -> None:
        """The model's output is non-finite at this step: replay the forward to find where."""
        step = self.step + 1  # the step being computed
        if self.replay_ok and self._args is not None:
            found = self._replay(self._args, self._kwargs or {})
            if found is not None:
                self._set_origin(found[0], found[1], step, found[2])
                return
        self.start_full_mode()

    def _replay(self, args: tuple, kwargs: dict) -> tuple[str, float, str] | None:
        # The replay runs between the user's forward and backward: it must not touch any tensor
        # that forward saved. Buffers (BatchNorm statistics, masks) are swapped for copies during
        # the replay and the originals put back untouched.
        saved = []
        for mod in self.model.modules():
            for bname, buf in list(mod._buffers.items()):
                if buf is not None:
                    saved.append((mod, bname, buf))
                    mod._buffers[bname] = buf.detach().clone()
        self._first_bad = None
        hooks = [m.register_forward_hook(self._full_forward_hook(n)) for n, m in self.modules]
        self._replaying = True
        try:
            with torch.random.fork_rng(devices=[]), torch.no_grad():
                self.model(*args, **kwargs)
        finally:
            self._replaying = False
            for h in hooks:
                h.remove()
            for mod, bname, buf in saved:
                mod._buffers[bname] = buf
        return self._first_bad

    # -- full mode: every module, forward and backward -------------------------------------
    def _full_forward_hook(self, name: str):
        def hook(mod: nn.Module, args: tuple, out: Any) -> None:
            if self._first_bad is not None or _all_finite(out):
                return
            bad_params = [pn for pn, p in mod.named_parameters(recurse=False) if not bool(torch.isfinite(p).all())]
            if bad_params:
                self._first_bad = (name, PARAMETER, f"parameter {name}.{bad_params[0]} is already non-finite")
            elif _all_finite(args):
                self._first_bad = (name, FORWARD, f"{type(mod).__name__} turned finite inputs into NaN/Inf")
            else:
                self._first_bad = (name, FORWARD, f"{type(mod).__name__} received non-finite inputs")
        return hook

    def _full_backward_hook(self, name: str):
        def hook(mod: nn.Module, grad_input: tuple, grad_output: tuple) -> None:
            if self.origin is not None or self._first_bad is not None:
                return
            if _all_finite(grad_output) and not _all_finite(grad_input):
                self._first_bad = (name, BACKWARD, f"backward of {type(mod).__name__} turned finite gradients into NaN/Inf")
        return hook

    def start_full_mode(self) -> None:
        if self.full_handles or self.origin is not None:
            return
        self.full_steps_left = FULL_MODE_STEPS
        self._first_bad = None
        for name, m in self.modules:
            self.full_handles.append(m.register_forward_hook(self.wrap(self._full_forward_hook(name))))
            try:
                self.full_handles.append(m.register_full_backward_hook(self.wrap(self._full_backward_hook(name))))
            except Exception:
                pass

    def stop_full_mode(self) -> None:
        for h in self.full_handles:
            h.remove()
        self.full_handles = []

    def _set_origin(self, module: str, kind: float, step: float, detail: str) -> None:
        self.origin = (module, kind)
        self.origin_step = step
        self.origin_detail = detail
        self.stop_full_mode()

    def after_step(self, step: int) -> None:
        """End of an optimisation step: conclude full mode when it has seen something."""
        self.step = step
        if self.full_handles:
            if self._first_bad is not None:
                self._set_origin(self._first_bad[0], self._first_bad[1], step, self._first_bad[2])
            else:
                self.full_steps_left -= 1
                if self.full_steps_left <= 0:
                    self.stop_full_mode()

    def take(self) -> list[Sample]:
        out = [(("model_output_finite",), f) for f in self.flags]
        self.flags = []
        return out

    def close(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
        self.stop_full_mode()
        self._args = self._kwargs = None
