"""Gradient clipping that runs after ``optimizer.step()``: the update used the unclipped gradients.

Why: ``clip_grad_norm_`` rescales ``p.grad`` in place; only a step taken afterwards uses the
clipped values. Called after ``step()`` (or inside a custom step, after the update), it changes
gradients nobody reads again, so the spikes it was meant to tame go through unchanged. Seen on a
few early optimizer steps, with the optimizer's own step hooks and a forward pre-hook (copies of
a few small gradients, weights and optimizer buffers; nothing the loop uses is touched):

* the gradients left after the step (or found again before the next forward pass) are the ones
  the step saw, all scaled by one factor below 1: something rescaled them after the update;
* and the update itself was made with the unscaled ones: SGD's weight change or momentum buffer,
  or Adam's first moment, agrees with the gradients before the rescale, not after.

Clipping before the step (between ``backward()`` and ``step()``) leaves the gradients as the
step found them. Named once it happened on two observed steps.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

OBSERVE_STEPS = 30  # optimizer steps watched at the start of training, then the hooks go
MAX_ELEMENTS = 1 << 17  # gradient elements copied per step at most
MAX_TENSORS = 16  # and this many parameter tensors (each costs a read of its norm on the first steps)
SAME_FACTOR = 1e-3  # relative spread of the per-tensor factors that says one factor scaled them all
BELOW = 0.999  # a factor below this is a rescale
MIN_TIMES = 2


class ClipOrder:
    """Early optimizer steps: were the gradients rescaled after the update used them?"""

    def __init__(self) -> None:
        self.handles: list = []
        self.steps = 0
        self.times = 0
        self.factors: list[float] = []
        self.pre: list | None = None  # per watched tensor: (param, grad copy, weight copy, buffer copy or None)
        self.held: list | None = None  # after the step: (grad tensor, its norm) to look at again later
        self.opt: Any = None
        self.inside: list[float] = []  # factors of rescales inside step() that the update then used
        # A subclass whose step() calls super().step() runs the step hooks again inside: only the outer call looks.
        self.depth = 0

    def attach(self, optimizer: Any, model: Any, wrap: Any) -> None:
        if optimizer is None or not hasattr(optimizer, "register_step_pre_hook"):
            return
        self.opt = optimizer
        self.handles = [optimizer.register_step_pre_hook(wrap(self._pre)),
                        optimizer.register_step_post_hook(wrap(self._post)),
                        model.register_forward_pre_hook(wrap(self._again))]

    def _buffer(self, p: Any) -> Any:
        st = self.opt.state.get(p, {}) if self.opt is not None else {}
        for key in ("momentum_buffer", "exp_avg"):
            b = st.get(key)
            if b is not None and hasattr(b, "clone"):
                return b.detach().clone()
        return None

    def _pre(self, optimizer, args, kwargs) -> None:
        self.depth += 1
        if self.depth > 1:
            return  # the inner step of an optimizer subclass: the outer call already looked
        self._again()  # a step with no forward pass in between (accumulation loops) still looks first
        self.pre = None
        if self.steps >= OBSERVE_STEPS:
            return  # done watching; the hooks are removed at the end (never from inside a hook's own call)
        self.steps += 1
        picked, total = [], 0
        for g in optimizer.param_groups:
            for p in g["params"]:
                if p.grad is None or p.grad.is_sparse or total + p.numel() > MAX_ELEMENTS or len(picked) >= MAX_TENSORS:
                    continue
                picked.append((p, g, p.grad.detach().clone(), p.detach().clone(), self._buffer(p)))
                total += p.numel()
        self.pre = picked or None

    def _post(self, optimizer, args, kwargs) -> None:
        import torch

        self.depth = max(0, self.depth - 1)
        if self.depth:
            return
        if not self.pre:
            return
        pre, self.pre = self.pre, None
        with torch.no_grad():
            grads = [p.grad for p, *_ in pre]
            if any(g is None for g in grads):
                return
            factor = _one_factor([g0 for _, _, g0, _, _ in pre], grads)
            if factor is not None:  # rescaled inside step(): which gradients did the update use?
                if _update_used_old(optimizer, pre, self._buffer):
                    self._seen(factor)
                else:
                    self.inside.append(factor)  # the update used the shrunk ones (checks/scaled_clip.py)
                return
            self.held = [(g, g.detach().norm()) for g in grads]

    def _again(self, *args: Any) -> None:
        import torch

        if args:  # a forward pass: no step is in progress (one that raised left depth behind)
            self.depth = 0
        if self.held is None or self.steps > OBSERVE_STEPS:
            return
        held, self.held = self.held, None
        with torch.no_grad():
            now = [g.detach().norm() for g, _ in held]
            ratios = [float(a / b) if float(b) > 0 else None for a, (_, b) in zip(now, held)]
        if any(r is None or r != r for r in ratios) or not ratios:
            return  # a norm of 0 or NaN (gradients zeroed in place, or non-finite): nothing to read
        lo, hi = min(ratios), max(ratios)
        if 0 < lo and hi < BELOW and hi - lo <= SAME_FACTOR * hi:
            self._seen(hi)

    def _seen(self, factor: float) -> None:
        self.times += 1
        self.factors.append(factor)

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
        self.held = self.pre = None

    def finding(self, step: float) -> Finding | None:
        if self.times < MIN_TIMES:
            return None
        f = min(self.factors)
        return Finding("exploding-gradients", Severity.WARNING,
                       f"the gradients were rescaled after optimizer.step() had used them ({self.times} of the first "
                       f"{self.steps} steps, by factors down to {f:.3g}): the clipping comes too late, and every "
                       "update was made with the unclipped gradients",
                       steps=[step], evidence={"subject": "clip-after-step", CAUSE: True, "times": self.times,
                                               "steps_watched": self.steps, "smallest_factor": f,
                                               "explains": ["loss-spikes", "divergence", "oscillation"]},
                       causes=["clip_grad_norm_ / clip_grad_value_ called after optimizer.step() (or inside a custom "
                               "step, after the update): it rescales gradients that are never used again, so large "
                               "gradients still move the weights in full"],
                       fixes=["Clip between loss.backward() and optimizer.step(): loss.backward(); "
                              "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm); optimizer.step() (with a "
                              "GradScaler, scaler.unscale_(optimizer) first)."])


def _one_factor(before: list, after: list) -> float | None:
    """The single factor c < 1 with after = c * before for every tensor, else None."""
    import torch

    import math

    factors = []
    for a, b in zip(before, after):
        na, nb = float(a.norm()), float(b.norm())
        if not (math.isfinite(na) and math.isfinite(nb)):
            return None  # NaN or inf gradients: other probes name those; no factor to read
        if na == 0:
            continue
        c = nb / na
        if not torch.allclose(b, a * c, rtol=1e-4, atol=1e-12 + 1e-6 * na):
            return None
        factors.append(c)
    if not factors:
        return None
    lo, hi = min(factors), max(factors)
    return hi if 0 < lo and hi < BELOW and hi - lo <= SAME_FACTOR * hi else None


def _update_used_old(optimizer: Any, pre: list, buffer_of: Any) -> bool:
    """Whether the step's update agrees with the gradients before the rescale, not with those after it."""
    import torch

    old_err = new_err = 0.0
    for p, group, g0, w0, b0 in pre:
        g1 = p.grad.detach()
        b1 = buffer_of(p)
        used = None
        if "betas" in group and b1 is not None:  # Adam family: exp_avg = beta1 * exp_avg + (1 - beta1) * g
            beta1 = float(group["betas"][0])
            prev = b0 if b0 is not None else torch.zeros_like(b1)
            used = (b1 - beta1 * prev) / (1 - beta1)
            wd = float(group.get("weight_decay", 0) or 0)
            if wd and not group.get("decoupled_weight_decay", type(optimizer).__name__ == "AdamW"):
                used = used - wd * w0
        elif "momentum" in group and "betas" not in group:  # SGD
            m, damp = float(group.get("momentum", 0) or 0), float(group.get("dampening", 0) or 0)
            if m and b1 is not None and not group.get("nesterov"):
                used = b1 if b0 is None else (b1 - m * b0) / (1 - damp if damp < 1 else 1)
            elif not m:
                lr = float(group["lr"])
                used = (w0 - p.detach()) / lr if lr else None
                if used is not None and group.get("maximize"):
                    used = -used
            wd = float(group.get("weight_decay", 0) or 0)
            if used is not None and wd:
                used = used - wd * w0
        if used is None:
            return False  # an optimizer whose update this cannot read: say nothing
        old_err += float((used - g0).norm())
        new_err += float((used - g1).norm())
    return old_err < 0.1 * new_err
