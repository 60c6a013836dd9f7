"""Overfit one batch: the first debugging step. A sound model and loss drive one batch's loss near zero.

If no optimizer setting gets there within the step budget, the architecture, the loss wiring
or the labels are broken, whatever the full training curve looks like.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from ..findings import Finding, Severity
from ._torch import OptimizerFactory, as_float, as_tensor, default_optimizer, describe_optimizer, forward, scratch, split_batch
from .result import Section

# Near zero: the loss fell to this share of where it started (or below an absolute floor).
REL_TARGET = 0.05
ABS_TARGET = 1e-3
# Not every sound model can reach near zero (a tiny network, a noisy regression): it passes when the
# loss at least halves, or when it does as well as a closed-form linear fit of the same batch.
REL_DROP = 0.5
LINEAR_SLACK = 1.1


def _attempt(model: torch.nn.Module, x: Any, y: Any, loss_fn: Callable, factory: OptimizerFactory,
             steps: int, target: float) -> dict[str, Any]:
    with scratch(model) as net:
        return _train(net, x, y, loss_fn, factory, steps, target)


def _train(net: torch.nn.Module, x: Any, y: Any, loss_fn: Callable, factory: OptimizerFactory,
           steps: int, target: float) -> dict[str, Any]:
    net.train()
    opt = factory(net.parameters())
    name = describe_optimizer(opt)
    curve: list[float] = []
    for step in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(forward(net, x, training=True), y)
        value = as_float(loss)
        curve.append(value)
        if not math.isfinite(value) or value <= target:
            break
        loss.backward()
        opt.step()
    # Judge the fit without dropout noise: evaluation mode, same batch.
    net.eval()
    with torch.no_grad():
        final = as_float(loss_fn(forward(net, x, training=False), y))
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
    x = as_tensor(x)
    with torch.no_grad(), scratch(model) as probe:
        probe.train()  # as training sees it (batch-norm uses batch statistics)
        initial = as_float(loss_fn(forward(probe, x, training=True), y))
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
    linear = _linear_reference(x, y, loss_fn, initial)
    data["linear_fit_loss"] = linear
    if math.isfinite(best) and math.isfinite(initial) and initial > 0 and best <= REL_DROP * initial:
        return Section("overfit-batch", True, f"the loss on one batch fell {initial:.4g} -> {best:.4g} "
                       f"(not near zero, but more than halved: the model learns this batch)", lines, data)
    if math.isfinite(best) and linear is not None and best <= LINEAR_SLACK * linear:
        return Section("overfit-batch", True, f"the loss on one batch fell {initial:.4g} -> {best:.4g}, as low as a "
                       f"closed-form linear fit of the batch ({linear:.4g}): the model fits what it can express",
                       lines, data)
    finding = Finding(
        id="cannot-overfit-batch", severity=Severity.ERROR,
        title=f"the model cannot fit one batch: best loss {best:.4g} from {initial:.4g} (needed <= {target:.3g}, "
              f"or half the start" + (f", or a linear fit's {linear:.3g}" if linear is not None else "") + ")",
        steps=[0, float(max(a["steps"] for a in attempts))],
        evidence={"initial_loss": initial, "target_loss": target, "linear_fit_loss": linear, "best_final_loss": best, "batch_size": batch_size,
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


def _linear_reference(x: Any, y: Any, loss_fn: Callable, initial: float) -> float | None:
    """The loss of a least-squares linear map from the flattened inputs to the targets (regression only).

    It says what a model that can express at least a linear function should reach on this batch;
    for class-id targets (integers) a least-squares fit is not a fair reference, so it is skipped.
    """
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor) or not y.is_floating_point():
        return None
    try:
        n = x.shape[0]
        a = torch.cat([x.reshape(n, -1).double(), torch.ones(n, 1, dtype=torch.float64)], dim=1)
        t = y.reshape(n, -1).double()
        coef = torch.linalg.lstsq(a, t, rcond=None).solution if a.shape[0] > a.shape[1] else torch.linalg.pinv(a) @ t
        pred = (a @ coef).to(y.dtype).reshape(y.shape)
        value = as_float(loss_fn(pred, y))
    except Exception:
        return None
    return value if math.isfinite(value) and value < initial else None
