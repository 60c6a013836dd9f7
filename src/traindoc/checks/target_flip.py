"""Dense targets that match their input only after flipping it: an augmentation applied to the input alone.

Segmentation-style targets (a mask, a per-position signal) have the input's layout: position i of
the target describes position i of the input. A random flip (or mirror) applied to the inputs and
not to their masks leaves a share of the rows where the mask matches the *mirrored* input much
better than the input itself, while the other rows match as they are. Correct data has almost no
row of the first kind (only symmetric rows, which match both ways alike). The watcher reads this
from the batches it already samples: per row, the correlation of the target with the input and
with the input flipped along its last axis (and, for images, its second-to-last).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MAX_ROWS = 256  # rows kept (from the first steps), at most 4096 values each
MIN_ROWS = 64
MARGIN = 0.3  # a row matches one way better by this much correlation
MIN_SHARE = 0.2  # of the rows on each side


class FlipSample:
    """Rows of (input, dense target) with the same layout, from sampled steps (on their device until the end)."""

    def __init__(self) -> None:
        self.xs: list = []
        self.ys: list = []
        self.rows = 0
        self.off = False

    @property
    def wants_rows(self) -> bool:
        return not self.off and self.rows < MAX_ROWS

    def add(self, inputs: Any, targets: Any) -> None:
        import torch

        if not self.wants_rows:
            return
        if not (isinstance(inputs, torch.Tensor) and isinstance(targets, torch.Tensor)) \
                or not inputs.is_floating_point() or not targets.is_floating_point() or targets.dim() < 2:
            self.off = True
            return
        x = inputs.detach()
        if x.dim() == targets.dim() + 1 and x.shape[1] == 1:
            x = x.squeeze(1)  # (batch, 1, ...) inputs and (batch, ...) masks
        if tuple(x.shape) != tuple(targets.shape) or x[0].numel() < 8 or x[0].numel() > 4096:
            self.off = True
            return
        self.xs.append(x.clone())
        self.ys.append(targets.detach().clone())
        self.rows += int(x.shape[0])

    def finding(self, step: float) -> Finding | None:
        import torch

        if self.off or self.rows < MIN_ROWS:
            return None
        x = torch.cat(self.xs).float().cpu().numpy()
        y = torch.cat(self.ys).float().cpu().numpy()
        axes = [-1] + ([-2] if x.ndim >= 3 else [])
        for axis in axes:
            as_is = _row_corr(x, y)
            flipped = _row_corr(np.flip(x, axis=axis), y)
            ok = np.isfinite(as_is) & np.isfinite(flipped)
            if ok.sum() < MIN_ROWS:
                continue
            better_flipped = float(np.mean(flipped[ok] > as_is[ok] + MARGIN))
            better_as_is = float(np.mean(as_is[ok] > flipped[ok] + MARGIN))
            if better_flipped < MIN_SHARE or better_as_is < MIN_SHARE:
                continue
            where = "last" if axis == -1 else "second-to-last"
            return Finding("label-problem", Severity.WARNING,
                           f"{better_flipped:.0%} of the sampled targets match their input only after flipping it "
                           f"along its {where} axis, while {better_as_is:.0%} match it as it is: the inputs were "
                           "flipped (augmented) without their targets",
                           steps=[step], evidence={"subject": "target-flip", CAUSE: True, "axis": axis,
                                                   "share_flipped": round(better_flipped, 3),
                                                   "share_as_is": round(better_as_is, 3), "rows": int(ok.sum())},
                           causes=["a random flip or mirror augmentation was applied to the inputs but not to their "
                                   "masks or per-position targets: on every flipped row the target points at the "
                                   "mirror position, so part of the labels are wrong and the loss stalls high"],
                           fixes=["Apply the same random transform to the input and its target (flip the mask "
                                  "together with its image/signal, with one random draw per sample)."])
        return None


def _row_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the same row of ``b`` (NaN for a constant row)."""
    a = a.reshape(a.shape[0], -1)
    b = b.reshape(b.shape[0], -1)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(all="ignore"):
        return np.where(den > 0, (a * b).sum(axis=1) / den, np.nan)
