"""Regression targets that never vary: nothing to learn, whatever the model does.

A regression loss on targets that are one value in every sampled batch is satisfied by a
constant prediction; the loss drops to ~0 at once and the run looks excellent. The usual cause is
a cast: fractions in [0, 1) loaded as integers (``torch.LongTensor(y)``, ``.long()``,
``astype(int)``) all become 0. The watcher keeps the smallest and largest target of the sampled
batches on the device (two running reductions, no read-back) and judges them once at the end.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_TARGETS = 64  # fewer targets than this can be one value by chance
MIN_BATCHES = 3


class TargetSpread:
    """Running min and max of the float targets of sampled steps under a regression loss."""

    def __init__(self) -> None:
        self.lo: Any = None
        self.hi: Any = None
        self.count = 0
        self.batches = 0
        self.off = False

    def add(self, targets: Any, loss_kind: str | None) -> None:
        import torch

        if self.off:
            return
        if loss_kind != "regression" or not isinstance(targets, torch.Tensor) or not targets.is_floating_point():
            self.off = True
            return
        if targets.numel() == 0:
            return
        with torch.no_grad():
            t = targets.detach()
            lo, hi = t.amin(), t.amax()
            self.lo = lo if self.lo is None else torch.minimum(self.lo, lo)
            self.hi = hi if self.hi is None else torch.maximum(self.hi, hi)
        self.count += int(targets.numel())
        self.batches += 1

    def finding(self, step: float) -> Finding | None:
        if self.off or self.lo is None or self.count < MIN_TARGETS or self.batches < MIN_BATCHES:
            return None
        lo, hi = float(self.lo), float(self.hi)
        if lo != hi:
            return None
        return Finding("label-problem", Severity.WARNING,
                       f"every regression target in {self.batches} sampled batches ({self.count} values) is exactly "
                       f"{lo:g}: the targets are constant, so there is nothing to learn",
                       steps=[step], evidence={"subject": "constant-targets", CAUSE: True, "value": lo,
                                               "targets": self.count, "batches": self.batches},
                       causes=["regression targets cast to an integer type (torch.LongTensor(y), .long(), "
                               "astype(int)) are truncated: every value in [0, 1) becomes 0; or the wrong column "
                               "was loaded. A constant prediction then fits, and the loss drops to ~0 at once"],
                       fixes=["Keep regression targets float: torch.tensor(y, dtype=torch.float32) (no .long() or "
                              ".int() on them), and check y.min(), y.max() before training."])
