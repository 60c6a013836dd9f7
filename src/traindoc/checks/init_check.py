"""Initialisation check: activation and gradient scale through depth at step 0.

With a sound variance-scaling init each weighted layer keeps the signal's scale (gain near 1)
and all units in a layer differ. A layer that multiplies the scale by >10 or <0.1, a collapse
or blow-up across the depth, identical units (constant init), or first-layer gradients orders
of magnitude below the last layer's all mean the starting point is poor, even when batch-norm
hides it from the loss.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import nn

from ..findings import Finding, Severity
from ._torch import as_float, forward, fresh_copy, split_batch
from .result import Section

LAYER_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
GAIN_HIGH, GAIN_LOW = 10.0, 0.1
DEPTH_HIGH, DEPTH_LOW = 1e3, 1e-3
GRAD_RATIO_LOW = 1e-3
SYMMETRY = 1e-4  # across-unit spread below this share of the scale: the units are copies of each other


def _rms(t: torch.Tensor) -> float:
    t = t.detach().float()
    return float(t.pow(2).mean().sqrt()) if t.numel() else math.nan


def _unit_spread(out: torch.Tensor) -> float:
    """Mean over samples of the std across units (features/channels), relative to the scale."""
    o = out.detach().float()
    if o.dim() < 2 or o.shape[1] < 2:
        return math.nan
    flat = o.transpose(0, 1).reshape(o.shape[1], -1) if o.dim() > 2 else o.t()
    spread = float(flat.std(dim=0).mean())
    scale = _rms(o)
    return spread / scale if scale > 0 else 0.0


def _sample_spread(out: torch.Tensor) -> float:
    """Mean over units of the std across the samples of the batch, relative to the scale."""
    o = out.detach().float()
    if o.dim() < 1 or o.shape[0] < 2:
        return math.nan
    scale = _rms(o)
    return float(o.std(dim=0).mean()) / scale if scale > 0 else 0.0


def _bypassed(row: dict[str, Any], later: list[dict[str, Any]]) -> bool:
    """A layer whose output is exactly zero while a later layer's output still varies with the input.

    Its weights were zeroed on purpose (a residual branch's last layer, zero_init_residual): the
    signal reaches the later layers round it, so it is neither a collapse nor a symmetric init.
    (Behind a zeroed plain layer the later ones output only their biases, the same for every sample.)
    """
    return row["out_rms"] == 0.0 and any(math.isfinite(r["sample_spread"]) and r["sample_spread"] > SYMMETRY
                                         for r in later)


def init_check(model: nn.Module, batch: Any, loss_fn: Callable) -> Section:
    """One forward and backward pass on a copy; per-layer scale, gain, unit spread and gradient size."""
    x, y = split_batch(batch)
    net = fresh_copy(model)
    net.train()
    names = {m: n for n, m in net.named_modules()}
    layers: list[dict[str, Any]] = []

    def hook(module, inputs, output):
        if isinstance(output, torch.Tensor) and inputs and isinstance(inputs[0], torch.Tensor):
            inp = inputs[0]
            layers.append({"layer": names.get(module, type(module).__name__), "type": type(module).__name__,
                           "in_rms": _rms(inp), "out_rms": _rms(output), "unit_spread": _unit_spread(output),
                           "sample_spread": _sample_spread(output),
                           "nonfinite": not bool(torch.isfinite(output.detach()).all()), "module": module})

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, LAYER_TYPES)]
    try:
        loss = loss_fn(forward(net, x), y)
        if isinstance(loss, torch.Tensor) and loss.requires_grad and math.isfinite(as_float(loss)):
            loss.backward()
    finally:
        for h in handles:
            h.remove()
    if not layers:
        return Section("init", None, "no Linear or Conv layers to check")
    for row in layers:
        w = row.pop("module").weight
        row["weight_rms"] = _rms(w)
        row["grad_rms"] = _rms(w.grad) if w.grad is not None else math.nan
        row["gain"] = row["out_rms"] / row["in_rms"] if row["in_rms"] > 0 else math.nan
    problems: list[str] = []
    for i, row in enumerate(layers[:-1] if len(layers) > 1 else layers):
        if _bypassed(row, layers[i + 1:]):
            continue  # a zero-initialised residual branch: silent at first by design, the signal goes round it
        if row["nonfinite"]:
            problems.append(f"{row['layer']}: non-finite activations at step 0")
        elif math.isfinite(row["gain"]) and row["gain"] > GAIN_HIGH:
            problems.append(f"{row['layer']}: multiplies the activation scale by {row['gain']:.3g}")
        elif math.isfinite(row["gain"]) and row["gain"] < GAIN_LOW:
            problems.append(f"{row['layer']}: shrinks the activation scale by {row['gain']:.3g}")
        elif math.isfinite(row["unit_spread"]) and row["unit_spread"] < SYMMETRY:
            problems.append(f"{row['layer']}: all units output the same value (symmetric initialisation)")
    first, last = layers[0], layers[-1]
    depth_ratio = last["out_rms"] / first["out_rms"] if first["out_rms"] > 0 else math.nan
    if len(layers) > 2 and math.isfinite(depth_ratio) and not (DEPTH_LOW <= depth_ratio <= DEPTH_HIGH):
        problems.append(f"activation scale changes {depth_ratio:.2g}x from {first['layer']} to {last['layer']}")
    grad_ratio = first["grad_rms"] / last["grad_rms"] if last["grad_rms"] and last["grad_rms"] > 0 else math.nan
    if len(layers) > 2 and math.isfinite(grad_ratio) and grad_ratio < GRAD_RATIO_LOW:
        problems.append(f"first-layer gradients are {grad_ratio:.2g}x the last layer's")
    lines = [f"{r['layer']:>12} {r['type']:<8} out rms {r['out_rms']:.3g}  gain {r['gain']:.3g}  "
             f"grad rms {r['grad_rms']:.3g}" for r in layers]
    data = {"layers": layers, "depth_ratio": depth_ratio, "grad_ratio_first_last": grad_ratio}
    if not problems:
        return Section("init", True, f"activation and gradient scales stay in range over {len(layers)} layers", lines, data)
    finding = Finding(
        id="poor-initialization", severity=Severity.WARNING,
        title=f"poor initialisation: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
        steps=[0, 0],
        evidence={"problems": problems, "layers": [{k: v for k, v in r.items()} for r in layers],
                  "depth_ratio": depth_ratio, "grad_ratio_first_last": grad_ratio},
        causes=["weights initialised at the wrong scale for the layer width (too large or too small)",
                "constant or zero initialisation: units stay identical and learn the same thing",
                "saturating activations (sigmoid/tanh) stacked deep, shrinking gradients layer by layer",
                "batch-norm renormalising activations that the initialisation let explode"],
        fixes=["use He (Kaiming) initialisation for ReLU layers, Xavier/Glorot for tanh/sigmoid; biases at 0",
               "never initialise weights to a constant",
               "prefer ReLU-family activations in deep nets",
               "remove batch-norm for a run to see whether it hides exploding activations"])
    return Section("init", False, finding.title, lines, data, [finding])
