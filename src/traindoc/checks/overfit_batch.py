"""Overfit one batch: the first debugging step. A sound model and loss drive one batch's loss near zero.

If no optimizer setting gets there within the step budget, the architecture, the loss wiring
or the labels are broken, whatever the full training curve looks like.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from ..findings import Finding, Severity
from ._torch import OptimizerFactory, as_float, default_optimizer, describe_optimizer, forward, fresh_copy, split_batch
from .result import Section

# Near zero: the loss fell to this share of where it started (or below an absolute floor).
REL_TARGET = 0.05
ABS_TARGET = 1e-3


def _attempt(model: torch.nn.Module, x: Any, y: Any, loss_fn: Callable, factory: OptimizerFactory,
             steps: int, target: float) -> dict[str, Any]:
    net = fresh_copy(model)
    net.train()
    opt = factory(net.parameters())
    name = describe_optimizer(opt)
    curve: list[float] = []
    for step in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(forward(net, x), y)
        value = as_float(loss)
        curve.append(value)
        if not math.isfinite(value) or value <= target:
            break
        loss.backward()
        opt.step()
    # Judge the fit without dropout noise: evaluation mode, same batch.
    net.eval()
    with torch.no_grad():
        final = as_float(loss_fn(forward(net, x), y))
    finite = [v for v in curve if math.isfinite(v)]
    if curve and math.isfinite(curve[-1]) and (not math.isfinite(final) or curve[-1] < final):
        final = curve[-1]  # batch-norm running statistics lag in eval mode: the training-mode loss counts too
    return {"optimizer": name, "steps": len(curve), "final_loss": final,
            "best_loss": min(finite) if finite else math.nan, "nonfinite": len(finite) < len(curve),
            "reached": math.isfinite(final) and final <= target, "curve": curve[:: max(1, len(curve) // 50)]}


def overfit_batch(model: torch.nn.Module, batch: Any, loss_fn: Callable,
                  optimizer_factory: OptimizerFactory | None = None, *, steps: int = 200) -> Section:
    """Train a copy of ``model`` on one batch with a few optimizer settings; pass if any nears zero loss."""
    x, y = split_batch(batch)
    with torch.no_grad():
        probe = fresh_copy(model)
        probe.train()  # as training sees it (batch-norm uses batch statistics)
        initial = as_float(loss_fn(forward(probe, x), y))
    target = max(REL_TARGET * initial, ABS_TARGET) if math.isfinite(initial) else ABS_TARGET
    factories: list[OptimizerFactory] = []
    if optimizer_factory is not None:
        factories.append(optimizer_factory)
    factories += [default_optimizer(1e-3), default_optimizer(1e-2)]
    attempts = []
    for factory in factories:
        result = _attempt(model, x, y, loss_fn, factory, steps, target)
        attempts.append(result)
        if result["reached"]:
            break
    batch_size = int(y.shape[0]) if getattr(y, "shape", None) else None
    data = {"initial_loss": initial, "target_loss": target, "step_budget": steps, "batch_size": batch_size,
            "attempts": attempts}
    lines = [f"{a['optimizer']}: {a['final_loss']:.4g} after {a['steps']} steps"
             + (" (reached)" if a["reached"] else "") + (" (non-finite)" if a["nonfinite"] else "") for a in attempts]
    winner = next((a for a in attempts if a["reached"]), None)
    if winner is not None:
        return Section("overfit-batch", True,
                       f"one batch fits: loss {initial:.4g} -> {winner['final_loss']:.4g} in {winner['steps']} steps "
                       f"with {winner['optimizer']}", lines, data)
    best = min((a["final_loss"] for a in attempts if math.isfinite(a["final_loss"])), default=math.nan)
    finding = Finding(
        id="cannot-overfit-batch", severity=Severity.ERROR,
        title=f"the model cannot fit one batch: best loss {best:.4g} from {initial:.4g} (needed <= {target:.3g})",
        steps=[0, float(max(a["steps"] for a in attempts))],
        evidence={"initial_loss": initial, "target_loss": target, "best_final_loss": best, "batch_size": batch_size,
                  "tried": [{"optimizer": a["optimizer"], "steps": a["steps"], "final_loss": a["final_loss"],
                             "nonfinite": a["nonfinite"]} for a in attempts]},
        causes=["the labels do not follow from the inputs (shuffled, misaligned or wrong targets)",
                "the model has too little capacity, or a bottleneck layer, for even one batch",
                "the model and loss are wired wrong: an activation on the output, softmax before a loss that "
                "applies it, a reshape that mixes samples",
                "parameters are not trained (frozen, detached, or missing from the optimizer)",
                "every learning rate tried is unworkable for this model"],
        fixes=["check that each target belongs to its input (print a few pairs)",
               "remove output activations and feed raw logits to the loss",
               "give the model more width or depth and try again on this one batch",
               "check that every parameter is in the optimizer and receives a gradient",
               "run the learning-rate range test and retry with the suggested rate"])
    return Section("overfit-batch", False, finding.title, lines, data, [finding])
