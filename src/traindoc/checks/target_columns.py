"""Several regression targets on very different scales under one loss: the large one takes the model.

Why: one ``nn.MSELoss`` over an (N, K) target adds the columns' squared errors. A price in
thousands next to a 1-5 rating, each centred but not scaled, makes the price's error ~1000 times
the rating's: the shared layers serve the price and the rating is fitted far worse. The watcher
keeps per-column sums of the targets and of the squared errors of the outputs the loop already
computed (on the device, a few numbers per sampled step) and judges at the end: columns whose
spreads differ by 10x or more, and the small column explained far worse than the large one
(1 - R², from the last third of the samples). Only a torch regression loss module (nn.MSELoss,
L1Loss, HuberLoss...) is judged, which cannot weight its columns; a hand-written loss may, and a
column that is noisier by nature is fitted worse whatever its weight.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

SCALE_RATIO = 10.0  # column spreads this many times apart
WORSE = 2.0  # the smallest column's unexplained share at least this many times the largest's
MIN_UNEXPLAINED = 0.1  # and at least this much (a column fitted to R2 0.95 is fine)
MIN_SAMPLES = 6
MAX_COLUMNS = 64


class TargetColumns:
    """Per-column target sums and squared errors of sampled steps (regression, (N, K) targets)."""

    def __init__(self) -> None:
        self.stats: list = []  # per sample: (count, sum y, sum y^2, sum err^2) per column, on the device
        self.off = False

    def add(self, targets: Any, outputs: Any, loss_kind: str | None = None) -> None:
        import torch

        if self.off:
            return
        if loss_kind != "regression" or not (isinstance(targets, torch.Tensor) and isinstance(outputs, torch.Tensor)) or \
                not targets.is_floating_point() or targets.dim() != 2 or not 2 <= targets.shape[1] <= MAX_COLUMNS \
                or tuple(outputs.shape) != tuple(targets.shape):
            self.off = True
            return
        with torch.no_grad():
            y, o = targets.detach().double(), outputs.detach().double()
            n = torch.full((y.shape[1],), float(y.shape[0]), dtype=torch.float64, device=y.device)
            self.stats.append(torch.stack([n, y.sum(0), y.square().sum(0), (o - y).square().sum(0)]))

    def finding(self, step: float) -> Finding | None:
        import torch

        if self.off or len(self.stats) < MIN_SAMPLES:
            return None
        s = torch.stack(self.stats).cpu()  # (samples, 4, K)
        self.stats = []
        tot = s.sum(0)
        n, sy, syy = tot[0], tot[1], tot[2]
        var = (syy / n - (sy / n) ** 2).clamp_min(0)
        std = var.sqrt()
        if bool((std <= 0).any()):
            return None
        late = s[-max(2, len(s) // 3):].sum(0)
        unexplained = (late[3] / late[0]) / var  # 1 - R2 per column, late in the run
        big, small = int(std.argmax()), int(std.argmin())
        ratio = float(std[big] / std[small])
        u_big, u_small = float(unexplained[big]), float(unexplained[small])
        if ratio < SCALE_RATIO or u_small < MIN_UNEXPLAINED or u_small < WORSE * u_big:
            return None
        share = float(var[big] / var.sum())
        return Finding("label-problem", Severity.WARNING,
                       f"the {var.numel()} regression targets differ {ratio:.3g}x in scale (std {float(std[big]):.3g} in "
                       f"column {big}, {float(std[small]):.3g} in column {small}) under one loss: column {big} holds "
                       f"{share:.1%} of the target variance, and column {small} is fitted far worse (R2 "
                       f"{1 - u_small:.2f} against {1 - u_big:.2f})",
                       steps=[step], evidence={"subject": "target-columns", CAUSE: True, "std": [round(float(v), 4)
                                                                                            for v in std[:20]],
                                               "r2_late": [round(float(1 - u), 3) for u in unexplained[:20]]},
                       causes=["a squared (or absolute) error summed over target columns of different units: the "
                               "large column's error dominates the gradient, so the shared layers fit it and "
                               "neglect the small one"],
                       fixes=["Standardise each target column: y = (y - mean) / std per column (undo it on the "
                              "predictions), or weight each column's loss by 1 / its variance."])
