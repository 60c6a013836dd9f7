"""Weights stored in bfloat16 or float16 and stepped directly: most updates round back to the same value.

``model.to(torch.bfloat16)`` (or ``model.half()``) "to save memory" makes the optimizer write its
updates into 16-bit weights. bfloat16 keeps 8 significant bits, so a step smaller than about 1/256 of
a weight rounds away; with a usual learning rate most steps change nothing and the loss stays flat,
with no error. Mixed precision keeps float32 weights and runs the forward pass under ``autocast``.

Seen on the first optimizer steps, only when some trained parameters are 16-bit floats: the optimizer's
own step hooks copy a few of those weights before the step and compare after it, counting elements that
had a non-zero gradient and did not change. Named at the end when most of them did not and the run did
not learn well. The counts stay on the weights' device until then, so the step hooks never wait for a GPU.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .loss_progress import loss_kept
from .structure import CAUSE

OBSERVE_STEPS = 20
MAX_ELEMENTS = 1 << 16  # elements copied per step at most
LOST_SHARE = 0.5  # of elements with a gradient, the share whose update rounded away
MAX_FALL = 0.5  # the loss fell by less than this share of its start


class LowPrecisionSteps:
    """Early optimizer steps on 16-bit weights: how many updates round back to the old value?"""

    def __init__(self) -> None:
        self.handles: list = []
        self.steps = 0
        self.pre: list | None = None
        self.counts: list = []  # (elements with a gradient, of them unchanged) per watched step, device tensors
        self.dtype = ""

    def attach(self, optimizer: Any, wrap: Any) -> None:
        import torch

        if optimizer is None or not hasattr(optimizer, "register_step_pre_hook"):
            return
        low = [p for g in getattr(optimizer, "param_groups", []) for p in g.get("params", [])
               if getattr(p, "dtype", None) in (torch.bfloat16, torch.float16)]
        if not low:
            return
        self.params = low
        self.dtype = str(low[0].dtype).replace("torch.", "")
        self.handles = [optimizer.register_step_pre_hook(wrap(self._pre)),
                        optimizer.register_step_post_hook(wrap(self._post))]

    params: list = []

    def _pre(self, optimizer, args, kwargs) -> None:
        self.pre = None
        if self.steps >= OBSERVE_STEPS:
            return
        self.steps += 1
        picked, total = [], 0
        for p in self.params:
            if p.grad is None or p.grad.is_sparse or total + p.numel() > MAX_ELEMENTS:
                continue
            picked.append((p, p.detach().clone(), p.grad.detach().ne(0)))
            total += p.numel()
        self.pre = picked or None

    def _post(self, optimizer, args, kwargs) -> None:
        if not self.pre:
            return
        for p, before, moved in self.pre:
            self.counts.append((moved.sum(), (moved & p.detach().eq(before)).sum()))
        self.pre = None

    def totals(self) -> tuple[int, int]:
        """(elements with a gradient, of them unchanged) over the watched steps: the one device sync."""
        with_grad = sum(int(g) for g, _ in self.counts)
        return with_grad, sum(int(u) for _, u in self.counts)

    def finding(self, losses: list[float], step: float) -> Finding | None:
        self.remove()
        with_grad, unchanged = self.totals()
        if with_grad == 0 or len(losses) < 8:
            return None
        share = unchanged / with_grad
        kept = loss_kept(losses, 1 - MAX_FALL, part=8)
        if share < LOST_SHARE or kept is None:
            return None
        first, last = kept
        bits = 8 if self.dtype == "bfloat16" else 11
        return Finding(
            "update-ratio", Severity.WARNING,
            f"the weights are {self.dtype}: {share:.0%} of the weight updates on the first {self.steps} steps "
            "rounded back to the old value",
            evidence={"subject": "low-precision-weights", CAUSE: True, "dtype": self.dtype, "lost_share": share,
                      "steps": self.steps, "loss_first": first, "loss_last": last},
            causes=[f"the model's weights were cast to {self.dtype} (model.to(torch.{self.dtype})): it keeps {bits} "
                    f"significant bits, so a step smaller than about 1/{2 ** bits} of a weight is rounded away and "
                    "most updates change nothing"],
            fixes=[f"Keep the weights in float32 (float32 master weights) and run the forward pass under "
                   f"torch.autocast(device_type, dtype=torch.{self.dtype}) for mixed precision."],
            steps=[step])

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
