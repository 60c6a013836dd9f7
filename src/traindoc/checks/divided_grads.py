"""Gradients divided by one constant before the update (averaged twice): every step that many times too small.

A loop ported from code that summed the per-sample losses keeps ``p.grad /= len(xb)`` (or an optimizer
step that divides the gradients by the batch size) after the loss became a batch mean: the gradients are
averaged twice and the run moves batch-size times slower than planned. Seen by checks/clip_order.py's step
hooks: inside ``optimizer.step()`` every gradient was rescaled by one and the same factor, the update used
the rescaled ones, and the factor was the same at every watched step (clipping would vary with the norm).
Factors below ``scaled_clip.TINY`` belong to checks/scaled_clip.py. A suspect: named as the cause of a run
that does not learn.
"""

from __future__ import annotations

from .scaled_clip import EXPLAINS, MIN_TIMES, TINY
from .torch_config import Suspect

SHRUNK = 0.5  # a factor below this halves (or worse) every update
SAME = 0.01  # relative spread of the factors across steps


def divided_grad_suspects(inside: list[float], batch_sizes: list[float]) -> list[Suspect]:
    """A suspect when the update used gradients shrunk by one constant factor at every watched step."""
    fs = [f for f in inside if f == f]
    if len(fs) < MIN_TIMES or not TINY <= min(fs) or not max(fs) < SHRUNK or max(fs) - min(fs) > SAME * max(fs):
        return []
    by = 1.0 / fs[0]
    sizes = {round(b) for b in batch_sizes if b == b and b > 0}
    batch = any(abs(by - b) <= 0.02 * b for b in sizes)
    what = (f"the batch size ({by:.0f})" if batch else f"{by:.3g}")
    return [Suspect("divided-gradients", EXPLAINS,
                    f"every gradient was divided by {what} inside optimizer.step() before the update used it, at "
                    f"each of the {len(fs)} steps watched: gradients divided by the batch size (p.grad /= len(xb)) "
                    "on a loss that is already a batch mean are averaged twice, so every update is "
                    f"{by:.0f} times smaller than the learning rate means",
                    "Remove the division of the gradients: the mean loss (the default reduction) already averages "
                    "over the batch (keep it only with reduction='sum')."
                    )]
