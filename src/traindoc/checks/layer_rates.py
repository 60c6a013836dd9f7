"""Layer-wise learning rates in the wrong order: the first layers get the largest rate, the output layer the smallest.

Why: discriminative fine-tuning (ULMFiT's per-layer rates, layer-wise rate decay) gives the layers
near the output the largest rate, since they are new or must change most, and the early,
generic layers the smallest. The rates are usually built as a list (``[base / 10 ** i for i in
range(n)]``) and zipped with the layers; zipped from the input end instead of the output end, the
order flips: the pretrained first layer is pushed hardest and the new head barely moves, so the run
learns slowly or not at all. No recipe trains a network this way round, and the optimizer's
parameter groups show it before the first step: each group's rate against where its parameters sit
in the model (``model.parameters()`` lists them from input to output).

Read once from ``param_groups`` at ``watch()`` start.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE
from .torch_config import _groups, _num

SPREAD = 10.0  # the first layers' rate at least this many times the output layer's


def reversed_rates_finding(model: Any, optimizer: Any) -> Finding | None:
    """update-ratio when the groups' rates fall with depth from the input side to the output side."""
    order = {id(p): i for i, p in enumerate(model.parameters())} if hasattr(model, "parameters") else {}
    if not order:
        return None
    placed = []
    for g in _groups(optimizer):
        lr = _num(g.get("lr"))
        at = [order[id(p)] for p in g.get("params", []) if id(p) in order]
        if lr is None or not at or lr <= 0:
            continue
        placed.append((sum(at) / len(at), lr, max(at)))
    if len(placed) < 2 or len({lr for _, lr, _ in placed}) < 2:
        return None
    placed.sort()
    rates = [lr for _, lr, _ in placed]
    last_param = len(order) - 1
    if placed[-1][2] != last_param:
        return None  # the output layer is not in the last group: nothing to say about its rate
    if any(b > a for a, b in zip(rates, rates[1:])) or rates[0] < SPREAD * rates[-1]:
        return None
    text = ", ".join(f"{r:.3g}" for r in rates)
    return Finding(
        "update-ratio", Severity.WARNING,
        f"the parameter groups' learning rates fall from the input side to the output layer ({text}): the "
        f"output layer trains {rates[0] / rates[-1]:.0f}x slower than the first layers",
        evidence={"subject": "layer-rates-reversed", CAUSE: True, "rates_by_depth": rates},
        causes=["per-layer (discriminative) learning rates built in the wrong order: the list of rates zipped "
                "with the layers from the input end, so the pretrained first layers get the largest rate and the "
                "new head the smallest, and the head barely moves"],
        fixes=["Reverse the rates: the largest learning rate for the head (the new output layer), the smallest "
               "for the first pretrained layers."])
