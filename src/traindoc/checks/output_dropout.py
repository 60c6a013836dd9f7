"""Dropout applied to the model's output: the predictions themselves are zeroed at random.

Why: dropout belongs between hidden layers. As the last module (an ``nn.Sequential`` whose
"Linear + Dropout" block was repeated for the output layer, or ``return self.drop(self.out(h))``)
it sets a share p of the predictions to 0 and scales the rest by 1/(1-p) at every training step:
the training loss keeps a floor set by the dropped predictions however well the model fits, and
the logits of a classifier are zeroed the same way. Seen on the first forward pass with
gradients: one-shot hooks on the dropout modules and on the model; the model's output *is* the
tensor a dropout module (in training mode, p > 0) returned.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


class OutputDropout:
    """Whether the first training forward's output is a dropout module's output."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple[str, float]] = {}
        self.found: tuple[str, float] | None = None
        self.handles: list = []

    def hook(self, model: Any, wrap: Any) -> None:
        import torch
        from torch import nn

        drops = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.modules.dropout._DropoutNd)]
        if not drops:
            return

        def drop_hook(mod, args, out, _name=None):
            if torch.is_grad_enabled() and mod.training and float(mod.p) > 0 and isinstance(out, torch.Tensor):
                self.seen[id(out)] = (_name, float(mod.p))

        def root_hook(mod, args, out):
            if not torch.is_grad_enabled():
                return
            if isinstance(out, torch.Tensor) and id(out) in self.seen:
                self.found = self.seen[id(out)]
            self.seen = {}
            self.remove()

        for name, m in drops:
            self.handles.append(m.register_forward_hook(wrap(lambda mod, a, o, _n=name: drop_hook(mod, a, o, _n))))
        self.handles.append(model.register_forward_hook(wrap(root_hook)))

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def findings(self, regression: bool) -> list[Finding]:
        if self.found is None:
            return []
        name, p = self.found
        self.found = None
        what = "predictions" if regression else "logits"
        return [Finding("stalled", Severity.WARNING,
                        f"the model's output comes straight from dropout '{name}' (p={p:g}): in training {p:.0%} of "
                        f"the {what} are set to 0 and the rest scaled by {1 / (1 - p):.3g}",
                        evidence={"subject": "output-dropout", CAUSE: True, "module": name, "p": p},
                        causes=["a dropout module after the output layer (the hidden 'Linear + Dropout' block "
                                "repeated for the last layer): the training loss keeps a floor set by the dropped "
                                f"{what} however well the model fits, and evaluation (dropout off) disagrees with "
                                "training"],
                        fixes=[f"Remove the dropout after the output layer ('{name}'): end the model with the last "
                               "Linear; keep dropout between hidden layers only."])]
