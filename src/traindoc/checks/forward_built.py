"""A layer built inside ``forward``: a new module with fresh random weights at every call.

``out = nn.Linear(32, 3)(h)`` written in ``forward`` (instead of ``self.head = nn.Linear(32, 3)``
in ``__init__``) makes a new layer on each call: it is not among the model's modules, the optimizer
never holds its weights, and every step predicts through another random projection, so the loss
stays at chance. The symptoms say only "no learning". The watcher sees it without an extra pass:
during the first two forward passes of the model (with gradients on), a global module forward hook
notes every module with trainable weights of its own that runs inside the model's forward but is not
one of its registered modules; when the two passes ran different objects of that kind, and their
weights are in no optimizer param group, the layer is built in ``forward``. The first pass's
modules are held until the second is seen (so a freed module's id cannot be reused), then released.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from ..findings import Finding, Severity

PASSES = 2  # forward passes compared


def _own_trainable(module: nn.Module) -> list[torch.Tensor]:
    return [p for p in module._parameters.values() if isinstance(p, torch.Tensor) and p.requires_grad]


class ForwardBuilt:
    """Root hooks that bracket the model's forward and a global hook that records foreign layers inside it."""

    def __init__(self, model: nn.Module, optimizer: Any, on_found: Callable[[Finding], None],
                 wrap: Callable[[Callable], Callable]) -> None:
        self.model = model
        self.optimizer = optimizer
        self.on_found = on_found
        self.wrap = wrap
        self.registered = {id(m) for m in model.modules()}
        self.passes: list[list[nn.Module]] = []
        self.current: list[nn.Module] | None = None
        self.handles: list[Any] = []
        self.global_handle: Any = None

    def attach(self) -> None:
        self.handles = [self.model.register_forward_pre_hook(self.wrap(self._enter)),
                        self.model.register_forward_hook(self.wrap(self._leave))]

    def _enter(self, module: nn.Module, args: Any) -> None:
        if self.current is not None or not torch.is_grad_enabled():
            return  # a nested call of the model itself, or an evaluation pass
        self.current = []
        if self.global_handle is None:
            from torch.nn.modules.module import register_module_forward_hook

            self.global_handle = register_module_forward_hook(self.wrap(self._seen))

    def _seen(self, module: nn.Module, args: Any, out: Any) -> None:
        if self.current is not None and id(module) not in self.registered and _own_trainable(module):
            if not any(m is module for m in self.current):
                self.current.append(module)

    def _leave(self, module: nn.Module, args: Any, out: Any) -> None:
        if self.current is None:
            return
        ran, self.current = self.current, None
        self.passes.append(ran)
        if not ran or len(self.passes) >= PASSES:
            self.remove()  # no foreign layer in a pass: nothing to compare
            if ran:
                self._judge()
            self.passes = []

    def _judge(self) -> None:
        first, second = self.passes[0], self.passes[-1]
        in_opt = {id(p) for g in getattr(self.optimizer, "param_groups", []) or [] for p in g.get("params", [])}
        new = [m for m in second if not any(m is old for old in first)
               and not any(id(p) in in_opt for p in _own_trainable(m))]
        if not first or not new:
            return
        self.on_found(built_in_forward_finding(new))

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
        if self.global_handle is not None:
            self.global_handle.remove()
            self.global_handle = None


def built_in_forward_finding(mods: list[nn.Module]) -> Finding:
    from .structure import CAUSE

    kinds = sorted({type(m).__name__ for m in mods})
    n = sum(p.numel() for m in mods for p in _own_trainable(m))
    desc = ", ".join(f"nn.{k}" for k in kinds[:3])
    return Finding(
        "frozen-parameters", Severity.WARNING,
        f"a new {desc} is created inside forward() at every call: its {n} weights start afresh each step and no "
        "optimizer trains them",
        evidence={"subject": "forward-built-layer", CAUSE: True, "layers": kinds, "parameters": n,
                  "how": "a different module object with trainable weights ran in each forward pass, "
                         "not registered in the model and in no optimizer param group"},
        causes=["a layer constructed in forward() (nn.Linear(...)(h)) is a new module with new random weights on "
                "every call: it is not among model.parameters(), so the optimizer never sees it and each step "
                "predicts through a fresh random projection"],
        fixes=[f"Create the layer once in __init__ (self.layer = {desc.split(',')[0]}(...)) and only call it in "
               "forward; build the optimizer from model.parameters() afterwards."])
