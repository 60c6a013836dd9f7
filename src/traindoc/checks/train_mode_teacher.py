"""A frozen network used by the loss (a distillation teacher) left in training mode: its dropout is on.

Distillation computes soft targets with a trained teacher under ``torch.no_grad()``. ``no_grad`` turns
off gradients, not dropout: without ``teacher.eval()`` every batch's targets come from a different
random subset of the teacher's units, and the student chases that noise. Nothing errors.

Found from the loss function handed to ``watch`` (a module, or a function's closure, a bound
method's object or a ``functools.partial``'s arguments): a module that is not part of the model, whose
parameters all have ``requires_grad=False`` and which holds dropout with p > 0. Hooks on those dropout
layers confirm one runs in training mode during training; then it is named, as a label problem (the targets
are noisy), with the one-line fix.
"""

from __future__ import annotations

import functools
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


def _reachable(loss_fn: Any) -> list[Any]:
    """Objects one step away from the loss: the loss module itself, its closure, bound self, partial args."""
    out = [loss_fn]
    fn = loss_fn.func if isinstance(loss_fn, functools.partial) else loss_fn
    if isinstance(loss_fn, functools.partial):
        out += [*loss_fn.args, *loss_fn.keywords.values()]
    out += [c.cell_contents for c in (getattr(fn, "__closure__", None) or ()) if _filled(c)]
    own = getattr(fn, "__self__", None)
    if own is not None:
        out += [own, *vars(own).values()] if hasattr(own, "__dict__") else [own]
    elif hasattr(loss_fn, "__dict__") and not callable(getattr(loss_fn, "forward", None)):
        out += list(vars(loss_fn).values())  # a plain callable object holding the teacher
    return out


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def frozen_with_dropout(loss_fn: Any, model: Any) -> tuple[str, list] | None:
    """A frozen module with dropout (p > 0) reachable from the loss and not part of the model, with its dropouts."""
    from torch import nn

    inside = {id(m) for m in model.modules()}
    for obj in _reachable(loss_fn):
        if not isinstance(obj, nn.Module) or id(obj) in inside or obj is loss_fn:
            continue
        params = list(obj.parameters())
        drops = [m for m in obj.modules() if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0]
        if params and drops and not any(p.requires_grad for p in params):
            return type(obj).__name__, drops
    return None


class TrainModeTeacher:
    """Hooks the dropout layers of the frozen module the loss uses; records whether they ran in training mode."""

    def __init__(self) -> None:
        self.handles: list = []
        self.kind = ""
        self.ran_training = 0

    def hook(self, loss_fn: Any, model: Any, wrap: Any) -> None:
        found = frozen_with_dropout(loss_fn, model) if loss_fn is not None else None
        if found is None:
            return
        self.kind, drops = found

        def post(mod, args, out):
            if mod.training:
                self.ran_training += 1
                self.remove()

        self.handles = [d.register_forward_hook(wrap(post)) for d in drops]

    def finding(self, step: float) -> Finding | None:
        self.remove()
        if not self.ran_training:
            return None
        return Finding(
            "label-problem", Severity.WARNING,
            f"the frozen {self.kind} the loss runs (a teacher giving the targets) is in training mode: its dropout "
            "is active, so each batch's targets are noisy",
            evidence={"subject": "teacher-train-mode", CAUSE: True, "module": self.kind},
            causes=["torch.no_grad() switches off gradients, not dropout: without teacher.eval() the teacher's "
                    "soft targets come from a different random subset of its units at every call"],
            fixes=["Call teacher.eval() once before distilling (and again after any model.train() that reaches "
                   "it), so its dropout is off."],
            steps=[step])

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
