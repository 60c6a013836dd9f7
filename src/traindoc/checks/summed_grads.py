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
Added after set 20's Huber-on-raw-counts program was told this wrongly (its gradient keeps one direction and grows
with the weights about t/3-fold): the same premise (batch gradients aligned to a quarter or more) says the sum at
step 2, step 1's gradient plus a second one of about its size, is at least ~1.25 G_1; a gradient that grows with the
weights is at step 2 about step 1's gradient again (1.04 there).
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding, Severity
from ..run import Run

SERIES = "grad_step_change"  # D_t, over the parameters the optimizer steps
NORM = "grad_applied_norm"  # G_t, the same parameters' gradient norm at the sampled step
BEFORE = "grad_applied_before"  # G_(t-1), at the step before (at the first pair, step 2: G_1)
FIRST_STEP = 10  # the first sampled step at which the sum holds enough gradients to tell
GROWTH_PER_STEP = 0.25  # G_t >= t/4 x G_1 at that first step (batch gradients aligned to a quarter or more)
LATER_GROWTH = 4.0  # G_t >= 4 G_1 at the confirming step
MAX_CHANGE = 0.4  # D_t <= 0.4 G_t: the step's change is a small share of the applied gradient
SECOND_STEP = 1.25  # G_2 >= 1.25 G_1: the sum at step 2 is step 1's gradient plus a second, aligned one


def summed_gradients(run: Run) -> list[Finding]:
    ch, now, before = (run.series.get(n) for n in (SERIES, NORM, BEFORE))
    if ch is None or now is None or before is None or len(ch) < 3 or len(now) != len(ch) or len(before) != len(ch):
        return []
    if float(ch.steps[0]) != 2 or not np.isfinite(before.values[0]) or before.values[0] <= 0:
        return []  # the first pair (steps 1 and 2) gives the first step's applied gradient, G_1
    g1 = float(before.values[0])
    if not float(now.values[0]) >= SECOND_STEP * g1:
        return []  # step 2 applied about step 1's gradient again, not step 1's plus a new batch's
    pairs = [(float(s), float(g), float(d)) for s, g, d in zip(ch.steps, now.values, ch.values)
             if float(s) >= FIRST_STEP and np.isfinite(g) and np.isfinite(d)]
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
        series=[NORM, SERIES], steps=[1.0, last[0]],
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
