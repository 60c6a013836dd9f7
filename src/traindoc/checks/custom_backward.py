"""A run that does not learn while a hand-written autograd.Function sits between the loss and the weights.

Why: a ``torch.autograd.Function`` defines its own ``backward``, and nothing checks it: one that returns
the local derivative without multiplying it by ``grad_output`` (the chain rule left out), that returns
the wrong input's gradient, or a constant, raises no error; every layer below it then gets a gradient
that does not follow the loss, and the loss stays flat. The graph of the first step names every such
Function (its backward node is a ``BackwardCFunction``), read by walking the loss's ``grad_fn`` links
once, with no computation; named only when the loss then did not fall, since a correct Function
(a straight-through estimator, a gradient-reversal layer, a fused op) trains like any other layer.
"""

from __future__ import annotations

from statistics import median_high
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MAX_NODES = 20000  # graph nodes walked at most
FLAT = 0.9  # the late loss at least this share of the early loss: no learning
MIN_LOSSES = 6


def custom_functions(loss: Any) -> list[str]:
    """The names of the hand-written autograd.Functions in the loss's graph (first step; no computation)."""
    import torch

    root = getattr(loss, "grad_fn", None)
    if root is None:
        return []
    custom = torch.autograd.function.BackwardCFunction
    names: list[str] = []
    seen: set[int] = set()
    stack = [root]
    while stack and len(seen) < MAX_NODES:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, custom):
            name = type(node).__name__
            name = name[:-len("Backward")] if name.endswith("Backward") else name
            if name not in names:
                names.append(name)
        stack.extend(n for n, _ in getattr(node, "next_functions", ()) or ())
    return names


def flat_loss(losses: list[float]) -> tuple[float, float] | None:
    """(early, late) loss when the run did not learn (the late loss at least FLAT of the early one), else None.

    The gate of the live suspicions that a healthy program can also show (a custom Function, packed
    steps that are mostly one vector, one very long last bag): named only on a run that failed."""
    if len(losses) < MIN_LOSSES:
        return None
    early = median_high(losses[:max(3, len(losses) // 10)])
    late = median_high(losses[-max(3, len(losses) // 5):])
    return (early, late) if early > 0 and late >= FLAT * early else None


def custom_backward_finding(names: list[str], losses: list[float], step: float) -> Finding | None:
    """no-learning naming the custom Functions when the loss did not fall."""
    flat = flat_loss(losses) if names else None
    if flat is None:
        return None
    early, late = flat
    shown = ", ".join(names[:3])
    return Finding(
        "no-learning", Severity.WARNING,
        f"the loss did not fall ({early:.3g} -> {late:.3g}) and the gradients pass through a hand-written "
        f"autograd.Function ({shown}): its backward decides every gradient below it",
        steps=[float(step)],
        evidence={"subject": "custom-backward", CAUSE: True, "functions": names[:10], "loss_early": early,
                  "loss_late": late, "explains": ["stuck-at-chance", "stalled", "cannot-overfit-batch"]},
        causes=["a custom backward that breaks the chain rule: it returns the local derivative without multiplying "
                "it by grad_output, returns the gradient of the wrong input, or a constant; nothing errors, but the "
                "layers below get gradients that do not follow the loss"],
        fixes=[f"Check {shown}.backward: it must return grad_output times the local derivative, one gradient per "
               "input of forward; torch.autograd.gradcheck(Fn.apply, (torch.randn(4, 3, dtype=torch.double, "
               "requires_grad=True),)) tests it against finite differences."])
