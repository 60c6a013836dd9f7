"""Gradient clipping on loss-scaled gradients: every update shrunk to a sliver (AMP without ``unscale_``).

With a GradScaler, ``scaler.scale(loss).backward()`` leaves gradients 65536 times too large.
``clip_grad_norm_(model.parameters(), 1.0)`` called before ``scaler.unscale_(optimizer)`` always finds
them huge and cuts them to norm 1; ``scaler.step`` then divides by the scale, so each update is about
1/65536 of its intended size and the run does not move. The AMP docs' gradient-clipping example
calls ``scaler.unscale_(optimizer)`` first.

Two readings, judged at the end: the optimizer's own step rescaled the gradients by one factor below
1e-3 before using them (seen by checks/clip_order.py's step hooks), or the gradient norm the
optimizer received was the same tiny value, below 1e-3, at every sampled step (clipped to a constant,
then divided). A suspect: named as the cause of a run that does not learn.
"""

from __future__ import annotations

import math

from .torch_config import Suspect

TINY = 1e-3
MIN_TIMES = 2
MIN_SAMPLES = 5
CONSTANT = 0.01  # relative spread of the sampled gradient norms
EXPLAINS = ("update-ratio", "no-learning", "stalled", "stuck-at-chance", "vanishing-gradients", "frozen-parameters")


def scaled_clip_suspects(inside: list[float], grad_norms: list[float]) -> list[Suspect]:
    """A suspect when the gradients the updates used were clipped to a sliver."""
    shrunk = [f for f in inside if f < TINY]
    norms = [g for g in grad_norms if math.isfinite(g)]
    constant = (len(norms) >= MIN_SAMPLES and 0 < max(norms) < TINY
                and max(norms) - min(norms) <= CONSTANT * max(norms))
    if len(shrunk) < MIN_TIMES and not constant:
        return []
    how = (f"the gradients were scaled down by about {min(shrunk):.2g} before the update used them" if
           len(shrunk) >= MIN_TIMES else f"the gradient norm the optimizer received was {norms[-1]:.3g} at every "
           "sampled step")
    return [Suspect("scaled-clip", EXPLAINS,
                    f"{how}: gradient clipping applied to loss-scaled gradients (a GradScaler's scaler.scale(loss)"
                    ".backward() without scaler.unscale_(optimizer) before clip_grad_norm_) cuts them to max_norm, and "
                    "the scaler then divides by its scale, so every update is tens of thousands of times too small",
                    "Call scaler.unscale_(optimizer) before torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm),"
                    " then scaler.step(optimizer) and scaler.update().")]
