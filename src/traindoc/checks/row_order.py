"""Batch rows reordered inside ``forward``: each sample is scored against another sample's label.

An augmentation written into the model with the wrong axis (``torch.flip(x, dims=[0])`` on an
``(N, C, H, W)`` batch meant as a horizontal flip, a ``torch.roll`` or a shuffle over dim 0) does not
change any image: it changes their order. The loss then pairs row i's output with row i's label,
but row i's output was computed from another row, so on every such batch the labels are as good as
random. The batch handed to ``doc.step`` is the clean one, so the data checks see nothing wrong.

Seen on the first training forwards (gradients on, model in training mode), with hooks that read
what the model was given and what its first Linear/Conv layer receives: when that layer's input has
the model input's shape and holds exactly the same rows in another order, something inside
``forward`` reordered the batch. Named only when the run did not learn well (a deliberate reorder
that is undone before the output, as length-sorting for packed sequences, leaves the run healthy).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .loss_progress import loss_kept
from .structure import CAUSE, pair_first_layer_input

WATCH_FORWARDS = 16  # training forwards looked at, then the hooks go
MIN_ROWS = 4
MAX_FALL = 0.5  # the loss fell by less than this share of its start: the run did not learn well


def reordered(x: Any, seen: Any) -> str | None:
    """How ``seen`` holds the rows of ``x`` in another order ("reversed", "permuted"), or None."""
    import torch

    if seen is x or x.shape != seen.shape or x.dim() < 2 or x.shape[0] < MIN_ROWS or x.dtype != seen.dtype:
        return None
    with torch.no_grad():
        a, b = x.detach().reshape(x.shape[0], -1), seen.detach().reshape(x.shape[0], -1)
        if torch.equal(a, b):
            return None
        if torch.equal(a.flip(0), b):
            return "reversed"
        key = lambda t: t.double().sum(1) + (t.double() ** 2).sum(1) * 1e-3  # noqa: E731  a row's fingerprint
        ka, kb = key(a), key(b)
        if ka.unique().numel() < a.shape[0]:
            return None  # repeated rows: no unique matching
        ia, ib = ka.argsort(), kb.argsort()
        if torch.equal(a[ia], b[ib]):
            return "permuted"
    return None


class RowOrder:
    """The first training forwards: does the first weighted layer get the batch's rows in another order?"""

    def __init__(self) -> None:
        self.handles: list = []
        self.looked = 0
        self.moved: list[str] = []  # per reordered forward: how
        self.layer = ""

    def hook(self, model: Any, wrap: Any) -> None:
        def compare(x: Any, seen: Any) -> None:
            self.looked += 1
            how = reordered(x, seen)
            if how is not None:
                self.moved.append(how)
            if self.looked >= WATCH_FORWARDS:
                self.remove()

        hooked = pair_first_layer_input(model, wrap, compare)
        if hooked is not None:
            self.layer, self.handles = hooked

    def finding(self, losses: list[float], step: float) -> Finding | None:
        """Named at the end, when rows were reordered and the loss did not fall by half."""
        self.remove()
        if not self.moved or len(losses) < 8:
            return None
        kept = loss_kept(losses, 1 - MAX_FALL, part=8)
        if kept is None:
            return None
        first, last = kept
        how = max(set(self.moved), key=self.moved.count)
        order = "in reverse order" if how == "reversed" else "in another order"
        return Finding(
            "label-problem", Severity.WARNING,
            f"inside forward the batch's rows are reordered: {self.layer} received the rows {order} at "
            f"{len(self.moved)} of {self.looked} training forwards, so outputs and labels no longer pair up",
            evidence={"subject": "row-order", CAUSE: True, "layer": self.layer, "reordered": len(self.moved),
                      "looked": self.looked, "how": how, "loss_first": first, "loss_last": last},
            causes=["an operation on dim 0 (the batch axis) inside the model: torch.flip(x, dims=[0]) or a "
                    "roll/shuffle of the batch meant for the image axes reverses the order of the samples, so each "
                    "output is scored against another sample's label"],
            fixes=["Flip or shift the image axes, not the batch axis: torch.flip(x, dims=[3]) for a horizontal "
                   "flip of (N, C, H, W) images (dims=[-1]), or transforms.RandomHorizontalFlip per image; "
                   "reorder the labels with any reorder of the batch."],
            steps=[step])

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
