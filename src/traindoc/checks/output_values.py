"""The output's activation read from its values, for an activation the model's modules do not show.

Why: a PyTorch ``forward`` that ends ``return F.relu(self.head(h))`` or ``torch.sigmoid(z)`` has a
``Linear`` as its last module, so the structural check (checks/static.py) sees a linear output; the
bug (a ReLU on a regression output with negative targets, a sigmoid before ``BCEWithLogitsLoss`` or
``CrossEntropyLoss``) is then visible only in the numbers the loss is given. The watcher keeps, on
sampled steps, the smallest and largest output, the share of outputs that are exactly 0, and the
share of targets below 0 and above 1 (a few reductions on the device, no read-back) and judges
them once at the end:

* a linear layer's output is never exactly 0 and takes both signs; outputs that never go below 0
  while a real share of them sit at exactly 0 come from a ReLU;
* logits that stay inside [0, 1] over a whole run were squashed: a trained logit goes negative
  for the negative class and above 1 when confident.

Only a regression loss (against its targets) and a with-logits classification loss are judged, and
only when no structural finding already named the output.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_VALUES = 64  # outputs (and targets) seen before judging
MIN_BATCHES = 3  # sampled steps: one batch can sit on one side by chance
ZERO_SHARE = 0.05  # a linear output is never exactly 0; a ReLU output is, for a real share of rows
NEGATIVE_SHARE = 0.10  # targets below 0 that a non-negative output can never reach
ABOVE_SHARE = 0.25  # targets above 1 that a [0, 1] output can never reach
EDGE = 0.98  # an output this close to its batch's largest (smallest) value sits at the bound
EDGE_SHARE = 0.05  # outputs at each end of a bounded head (a scaled tanh pins a real share at +-B)
SYMMETRIC = 0.1  # |lowest| and highest output within this share of each other: a bound of +-B
OUT_OF_REACH = 2.0  # mean |target| this many times the bound B: typical targets cannot be reached


class OutputBounds:
    """Running range of a torch model's outputs and of its targets, over sampled steps."""

    def __init__(self) -> None:
        self.lo: Any = None
        self.hi: Any = None
        self.zeros: Any = None
        self.neg: Any = None
        self.above: Any = None
        self.values = 0
        self.targets = 0
        self.batches = 0
        self.kind: str | None = None
        self.off = False
        self.on_grid: dict[str, bool] = {}  # per 16-bit dtype: every output so far lay on its grid
        self.varied = False  # some sampled step's outputs took several values
        self.t_sum: Any = None  # running sum, sum of squares, sum of |t| and max |t| of regression targets
        self.t_sq: Any = None
        self.t_abs: Any = None
        self.t_max: Any = None
        self.at_top: Any = None  # outputs at their batch's top / bottom edge (a saturated bounded head)
        self.at_bottom: Any = None

    def add(self, outputs: Any, targets: Any, loss_kind: str | None) -> None:
        import torch

        if self.off:
            return
        if loss_kind not in ("regression", "bce_logits", "ce") or not isinstance(outputs, torch.Tensor) \
                or not outputs.is_floating_point() or outputs.numel() == 0:
            self.off = True
            return
        self.kind = loss_kind
        with torch.no_grad():
            o = outputs.detach()
            lo, hi, zeros = o.amin(), o.amax(), (o == 0).sum()
            self.lo = lo if self.lo is None else torch.minimum(self.lo, lo)
            self.hi = hi if self.hi is None else torch.maximum(self.hi, hi)
            self.zeros = zeros if self.zeros is None else self.zeros + zeros
            if loss_kind == "regression" and isinstance(targets, torch.Tensor) and targets.is_floating_point() \
                    and targets.numel() == o.numel():
                t = targets.detach()
                neg, above = (t < 0).sum(), (t > 1).sum()
                self.neg = neg if self.neg is None else self.neg + neg
                self.above = above if self.above is None else self.above + above
                td = t.double()
                stats = (td.sum(), (td * td).sum(), td.abs().sum(), td.abs().amax())
                if self.t_sum is None:
                    self.t_sum, self.t_sq, self.t_abs, self.t_max = stats
                else:
                    self.t_sum, self.t_sq = self.t_sum + stats[0], self.t_sq + stats[1]
                    self.t_abs, self.t_max = self.t_abs + stats[2], torch.maximum(self.t_max, stats[3])
                self.targets += int(t.numel())
                top, bottom = self._edges(o)
                self.at_top = top if self.at_top is None else self.at_top + top
                self.at_bottom = bottom if self.at_bottom is None else self.at_bottom + bottom
            self._grid(o)
        self.values += int(o.numel())
        self.batches += 1

    def finding(self, step: float, loss_name: str, named: bool) -> Finding | None:
        """The verdict at the end; ``named``: a finding already named the output (nothing to add)."""
        if self.off or named or self.lo is None or self.values < MIN_VALUES or self.batches < MIN_BATCHES:
            return None
        lo, hi = float(self.lo), float(self.hi)
        if lo < 0:
            return self._symmetric_bound(step, loss_name, lo, hi)  # nothing bounds them from below at 0
        zero_share = float(self.zeros) / self.values
        ev = {"subject": "output-values", CAUSE: True, "output_min": lo, "output_max": hi,
              "zero_share": round(zero_share, 3), "batches": self.batches, "loss": loss_name}
        if self.kind in ("bce_logits", "ce"):
            return self._squashed_logits(step, loss_name, hi, ev) if hi <= 1.0 else None
        if self.targets < MIN_VALUES or self.neg is None:
            return None
        neg, above = float(self.neg) / self.targets, float(self.above) / self.targets
        ev.update(targets_below_0=round(neg, 3), targets_above_1=round(above, 3))
        if zero_share >= ZERO_SHARE and neg >= NEGATIVE_SHARE:
            return _finding(step, "ReLU", f"{zero_share:.0%} of the outputs are exactly 0 and none is negative, "
                            f"while {neg:.0%} of the targets are below 0", loss_name, ev)
        if hi <= 1.0 and (neg >= NEGATIVE_SHARE or above >= ABOVE_SHARE):
            where = f"{above:.0%} of the targets are above 1" if above >= ABOVE_SHARE else \
                f"{neg:.0%} of the targets are below 0"
            return _finding(step, "sigmoid", f"every output lies in [0, 1] while {where}", loss_name, ev)
        return None

    @staticmethod
    def _edges(o: Any) -> tuple[Any, Any]:
        """How many outputs sit at the batch's top and bottom edge (within EDGE of its extremes), counted only
        when the batch's outputs take both signs (on the device, no read-back)."""
        hi, lo = o.amax(), o.amin()
        both = (hi > 0) & (lo < 0)
        return ((o >= EDGE * hi) & both).sum(), ((o <= EDGE * lo) & both).sum()

    def _symmetric_bound(self, step: float, loss_name: str, lo: float, hi: float) -> Finding | None:
        """wrong-output-activation when a regression output is held inside +-B (a scaled tanh: a real share pinned
        at each end) while the targets lie typically OUT_OF_REACH times beyond B: the targets' units or the bound."""
        if self.kind != "regression" or self.at_top is None or self.targets < MIN_VALUES or hi <= 0:
            return None
        bound = max(hi, -lo)
        if abs(hi + lo) > SYMMETRIC * bound:
            return None  # not a symmetric bound (a linear output drifting, a ReLU shifted)
        top, bottom = float(self.at_top) / self.values, float(self.at_bottom) / self.values
        mean_abs = float(self.t_abs) / self.targets
        ratio = mean_abs / bound
        if top < EDGE_SHARE or bottom < EDGE_SHARE or ratio < OUT_OF_REACH:
            return None
        t_max = float(self.t_max)
        ev = {"subject": "output-bound", CAUSE: True, "output_min": lo, "output_max": hi, "at_top": round(top, 3),
              "at_bottom": round(bottom, 3), "target_mean_abs": mean_abs, "target_max_abs": t_max,
              "ratio": ratio, "batches": self.batches, "loss": loss_name}
        radians = abs(bound - math.pi) < 0.02 * math.pi and 90.0 <= t_max <= 360.0
        fixes = ([f"The output's range is radians (+-pi) and the targets are in degrees (up to {t_max:.3g}): "
                  "convert the targets with np.deg2rad (or torch.deg2rad) before training, and read predictions in "
                  "radians."] if radians else [])
        fixes += [f"Rescale the targets into the output's range (convert their units, or divide them by {ratio:.3g} "
                  "or more) and map the predictions back; or remove the bound on the output (a linear head) if "
                  "the targets really are that large."]
        units = " (radians against degrees)" if radians else ""
        return Finding("wrong-output-activation", Severity.WARNING,
                       f"the regression output is bounded at +-{bound:.3g} ({top:.0%} and {bottom:.0%} of the outputs "
                       f"sit at the two ends) while the targets lie far beyond that range (mean |target| {mean_abs:.3g}, "
                       f"{ratio:.3g}x the bound, up to {t_max:.3g}): they are in other units than the output{units}",
                       steps=[step], evidence=ev,
                       causes=["a bounded activation on the output (a scaled tanh, a hardtanh, a clamp) can produce "
                               f"only values within +-{bound:.3g}; targets far outside it are unreachable, so the "
                               "units saturate at the bound, their gradient vanishes and the loss stays high"],
                       fixes=fixes)

    def _grid(self, o: Any) -> None:
        """Which 16-bit float the outputs were computed in: their dtype, or (cast back to float32 after an
        autocast region) every value lying exactly on that dtype's grid, which a float32 layer's outputs never
        do once they vary (checked over every sampled step)."""
        import torch

        from .half_output import half_name

        native = half_name(o.dtype)
        if native is not None:
            self.on_grid = {k: k == native and self.on_grid.get(k, True) for k in ("float16", "bfloat16")}
            self.varied = True
            return
        if o.dtype != torch.float32:
            self.on_grid = {}
            return
        for name, dt in (("float16", torch.float16), ("bfloat16", torch.bfloat16)):
            if self.on_grid.get(name, not self.batches):
                self.on_grid[name] = bool((o.to(dt).float() == o).all())
        self.varied = self.varied or int(o.unique().numel()) >= 4

    def half_finding(self, step: float, nonfinite: bool) -> Finding | None:
        """A regression output computed in float16/bfloat16 (autocast around the output layer)."""
        from .half_output import half_output_finding

        # bfloat16 values also lie on the float16 grid: the coarser one first
        half = next((k for k in ("bfloat16", "float16") if self.on_grid.get(k)), None) if self.varied else None
        if self.off or half is None or self.t_sum is None or self.targets < MIN_VALUES:
            return None
        n = self.targets
        mean = float(self.t_sum) / n
        spread = max(float(self.t_sq) / n - mean * mean, 0.0) ** 0.5
        return half_output_finding(half, self.kind == "regression", float(self.t_max), float(self.t_abs) / n,
                                   spread, nonfinite, step)

    def _squashed_logits(self, step: float, loss_name: str, hi: float, ev: dict) -> Finding:
        what = "BCEWithLogitsLoss applies its own sigmoid" if self.kind == "bce_logits" else \
            "CrossEntropyLoss applies its own log-softmax"
        return Finding("wrong-output-activation", Severity.WARNING,
                       f"the logits given to {loss_name} never leave [0, 1] (largest {hi:.3g}) over {self.batches} "
                       "sampled steps: the output is squashed (a sigmoid or softmax) before a loss that expects raw "
                       "logits", steps=[step], evidence=ev,
                       causes=[f"{what}; outputs already squashed into [0, 1] (torch.sigmoid / F.softmax at the end "
                               "of forward, or an nn.Sigmoid) become logits that can never be negative or large, so "
                               "the predicted probabilities stay near the middle and the gradients shrink"],
                       fixes=["Remove the sigmoid/softmax at the end of forward and pass the raw logits to the loss "
                              "(apply it only at inference).",
                              "Or keep the sigmoid and use nn.BCELoss (less stable numerically)."
                              if self.kind == "bce_logits" else
                              "Or keep the softmax and use nn.NLLLoss on its log (torch.log_softmax)."])


def _finding(step: float, act: str, seen: str, loss_name: str, ev: dict) -> Finding:
    bound = "no negative value" if act == "ReLU" else "only values in [0, 1]"
    return Finding("wrong-output-activation", Severity.WARNING,
                   f"a {act} on the regression output: {seen}", steps=[step], evidence={**ev, "activation": act},
                   causes=[f"the output passes through a {act} (F.relu / torch.sigmoid at the end of forward, or an "
                           f"activation module) before {loss_name}; it can produce {bound}, so the targets outside "
                           "its range are unreachable and the loss stays high"],
                   fixes=["Remove the activation after the last layer: a regression output is linear (return "
                          "self.head(h) as it is).",
                          "If the targets really are bounded, scale them into the activation's range instead."])
