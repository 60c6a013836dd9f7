"""A gradient that is the running sum of every batch's gradient (accumulation whose sums are never reset).

Mechanism: with accumulation kept outside ``.grad`` (tensor hooks or ``register_post_accumulate_grad_hook``
adding each gradient to a sum and handing the sum on, buffers an optimizer wrapper never empties) the gradient
applied at step t holds all t batch gradients. ``optimizer.zero_grad()`` still runs, so the stale-gradient probe
sees nothing. What the watcher reads instead, at each sampled step and the step before it
(``GradientProbe.hold``): the applied gradient's norm G_t and its change from the step before, D_t = ||g_t -
g_(t-1)||. A fresh batch's gradient each step changes by about its own size (D_t/G_t near 1, over every healthy
program of the bug sets 0.3-2.5). A running sum changes by one batch's share while its norm grows with the number of
gradients it holds: early in training the batch gradients point the same way, so G_t reaches a good part of t
times the first step's gradient.

The test, stated before measuring: at the first sampled step t >= 10, G_t >= t/4 x G_1 and D_t <= 0.4 G_t; and at
one more sampled step, G_t >= 4 G_1 and D_t <= 0.4 G_t. A gradient that only grows smoothly (a loss whose
gradient keeps one direction, a slow divergence) fails the first condition: it has not grown t/4-fold by step 10.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding, Severity
from ..run import Run

SERIES = "grad_step_change"
FIRST_STEP = 10  # the first sampled step at which the sum holds enough gradients to tell
GROWTH_PER_STEP = 0.25  # G_t >= t/4 x G_1 at that first step (batch gradients aligned to a quarter or more)
LATER_GROWTH = 4.0  # G_t >= 4 G_1 at the confirming step
MAX_CHANGE = 0.4  # D_t <= 0.4 G_t: the step's change is a small share of the applied gradient


def summed_gradients(run: Run) -> list[Finding]:
    ch = run.series.get(SERIES)
    g = run.series.get("grad_norm")
    if ch is None or g is None or len(g) < 3 or len(ch) < 2:
        return []
    if float(g.steps[0]) > 1 or not np.isfinite(g.values[0]) or g.values[0] <= 0:
        return []
    g1 = float(g.values[0])
    norms = {float(s): float(v) for s, v in zip(g.steps, g.values)}
    pairs = [(float(s), norms[float(s)], float(v)) for s, v in zip(ch.steps, ch.values)
             if float(s) >= FIRST_STEP and float(s) in norms and np.isfinite(v) and np.isfinite(norms[float(s)])]
    if len(pairs) < 2:
        return []
    t, gt, dt = pairs[0]
    if not (gt >= GROWTH_PER_STEP * t * g1 and dt <= MAX_CHANGE * gt):
        return []
    more = [p for p in pairs[1:] if p[1] >= LATER_GROWTH * g1 and p[2] <= MAX_CHANGE * p[1]]
    if not more:
        return []
    last = more[-1]
    return [Finding(
        "grad-not-zeroed", Severity.ERROR,
        f"the applied gradient is a running sum: at step {t:g} it is {gt / g1:.3g}x the first step's and "
        f"changes by only {dt / gt:.0%} of its size from the step before",
        series=["grad_norm", SERIES], steps=[1.0, last[0]],
        evidence={"subject": "applied gradient", "first_grad_norm": g1, "step": t, "grad_norm": gt,
                  "change_from_previous_step": dt, "growth": gt / g1, "change_share": dt / gt,
                  "confirming_steps": [p[0] for p in more], "cause": True},
        causes=["Gradient accumulation whose running sums are never reset: tensor hooks (register_hook, "
                "register_post_accumulate_grad_hook) or buffers that add each batch's gradient to a sum and hand "
                "the sum on, so step t applies the sum of t gradients (optimizer.zero_grad() clears only .grad).",
                "The gradients are never zeroed between steps (zero_grad missing or called on another "
                "optimizer/model)."],
        fixes=["Reset (zero) the accumulated sums after every optimizer step, e.g. "
               "optimizer.register_step_post_hook(lambda *a: acc.reset()), or accumulate in .grad itself and call "
               "optimizer.zero_grad() after each step.",
               "Check that every gradient hook returns the batch's own gradient, not a running total."])]
