"""Every weight pinned inside one bound: a weight clipping (a WGAN critic's ``p.data.clamp_(-c, c)``) left in.

A training loop adapted from a WGAN critic keeps ``for p in model.parameters(): p.data.clamp_(-0.01,
0.01)`` after each ``optimizer.step()``. A classifier's weights are then held in a box far too small:
the activations and logits stay tiny and the loss cannot leave chance. Nothing errors.

Read once at the end of the run from the weights themselves: across the trained tensors the largest
magnitude is one and the same value, and a good share of all elements sit exactly on it, which no
optimizer produces on its own. A suspect: named as the cause of a run that does not learn.
"""

from __future__ import annotations

from typing import Any

from .torch_config import Suspect

MIN_TENSORS = 2
SAME = 1e-6  # relative spread of the per-tensor maxima that says one bound holds them all
ON_BOUND = 0.1  # share of all elements exactly on the bound
EXPLAINS = ("stuck-at-chance", "no-learning", "stalled", "update-ratio", "vanishing-gradients", "frozen-parameters")


def clamp_suspects(model: Any) -> list[Suspect]:
    """A suspect when every trained tensor's largest magnitude is the same bound and many elements sit on it."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad and p.is_floating_point() and p.numel() >= 8]
    if len(params) < MIN_TENSORS:
        return []
    with torch.no_grad():
        tops = [float(p.detach().abs().max()) for p in params]
        c = max(tops)
        if not c > 0 or min(tops) < c * (1 - SAME):
            return []
        on = sum(int((p.detach().abs() >= c * (1 - SAME)).sum()) for p in params)
    total = sum(p.numel() for p in params)
    if on < ON_BOUND * total:
        return []
    return [Suspect("weight-clamp", EXPLAINS,
                    f"every weight and bias is held inside [-{c:.3g}, {c:.3g}]: {on / total:.0%} of them sit exactly on "
                    "that bound, the mark of a weight clipping (p.data.clamp_(-c, c) after each step, a WGAN critic's) "
                    "left in the loop; the activations and logits stay too small to learn",
                    "Remove the weight clamp from the training loop (it belongs to a WGAN critic only); use weight "
                    "decay or gradient clipping if the weights need to be held in check.")]
