"""A reinforcement-learning agent's value loss that explodes for one update and comes back.

The trend rules leave an agent's losses alone: a critic chases returns that move as the agent
improves, so its loss may rise for good reasons. One reason is plain to see in the log: when the
episode return jumps (the agent finds the reward), the value targets jump with it and the value
loss spikes by orders of magnitude for an update or two. That is learning, not instability.

What is left is a spike nothing in the returns explains: the value loss up 100x or more from the
update before and back down 10x or more after (``stats.excursions``, along the curve), at a row
where no episode return rose to a new best by a quarter of its range so far. A critic
update that large comes from one bad batch of targets or an update step too large (a policy update far outside
its trust region shows the same way); the agent may fall back and recover, or not notice.

Reported at info, worth a look: each such spike recovers. On the real-log dev split the healthy
agents' value-loss spikes are either under 15x or come with a jump of the return.
"""

from __future__ import annotations

import re

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats.excursions import excursions
from ._common import agent_scores, curve, fmt, make, reinforcement, unit

_CRITIC_LOSS = re.compile(r"(?<![a-z])(value|q|td|critic)_?(loss|error)")
UP = 100.0  # up from the update before ...
DOWN = 10.0  # ... and back down after
RETURN_JUMP = 0.25  # a rise of the return by this share of its range so far explains a spike


def _return_jumped(run: Run, step: float) -> bool:
    """An episode return rose to a new best, at ``step`` or the row before it, by RETURN_JUMP of its
    range so far (the agent found more reward and the value targets moved with it; climbing back
    after a fall is not that)."""
    for name in agent_scores(run):
        r = curve(run.series[name])
        i = int(np.searchsorted(r.x, step, side="right")) - 1  # the last row at or before the spike
        if r.n < 3 or i < 1:
            continue
        size = float(np.ptp(r.y[:i + 1]))
        for j in range(max(1, i - 1), i + 1):
            rise = float(r.y[j] - r.y[j - 1])
            if rise > 0 and rise >= RETURN_JUMP * size and r.y[j] >= float(np.max(r.y[:j])):
                return True
    return False


def _return_fall(run: Run, step: float) -> tuple[str, float, float] | None:
    """(name, before, after) when an episode return fell, at ``step`` or the row before it, by
    RETURN_JUMP of its range so far."""
    for name in agent_scores(run):
        r = curve(run.series[name])
        i = int(np.searchsorted(r.x, step, side="right")) - 1
        if r.n < 3 or i < 1:
            continue
        size = float(np.ptp(r.y[:i + 1]))
        j0 = max(0, i - 2)
        falls = -np.diff(r.y[j0:i + 1])
        k = int(np.argmax(falls))
        if float(falls[k]) > 0 and float(falls[k]) >= RETURN_JUMP * size:
            return name, float(r.y[j0 + k]), float(r.y[j0 + k + 1])
    return None


def agent_spike_finding(run: Run):
    """An info `loss-spikes` finding for an unexplained explosion of an agent's value loss, or None."""
    if not reinforcement(run):
        return None
    for s in run.by_role(Role.TRAIN_LOSS):
        if not _CRITIC_LOSS.search(s.name.lower()):
            continue
        c = curve(s)
        if c.n < 8 or not np.all(c.y > 0):
            continue
        sp = [e for e in excursions(c.x, c.y)
              if e.peak >= UP * e.left and e.peak >= DOWN * e.right and not _return_jumped(run, e.step)]
        if not sp:
            continue
        big = max(sp, key=lambda e: e.peak / e.left)
        u = unit(c)
        f = make("loss-spikes", f"{c.name} exploded x{big.peak / big.left:.3g} ({fmt(big.left)} -> {fmt(big.peak)} -> "
                 f"{fmt(big.right)}) at {u} {fmt(big.step)} with no jump of the episode return to explain it",
                 severity=Severity.INFO, series=[c.name], steps=[sp[0].step, sp[-1].step],
                 evidence={"count": len(sp), "largest_ratio": round(big.peak / big.left, 3), "min_up": UP,
                           "min_down": DOWN, "judged_on": "an agent's value loss, beside its episode return",
                           "spikes": [{"step": e.step, "value": e.peak, "before": e.left, "after": e.right}
                                      for e in sp[:20]]},
                 causes=["an update step too large for the critic (learning rate, or no gradient clipping)",
                         "a batch of extreme value targets (a rare huge reward, a bootstrapped target from a "
                         "diverged network)", "a policy update far outside its trust region (watch approx_kl and the "
                         "clip fraction at that row)"],
                 fixes=["clip the gradient norm (max_grad_norm) and the value loss (clip_range_vf)",
                        "lower the learning rate, or normalise the rewards and advantages",
                        "if the return fell at the same row, keep the checkpoint from before it"],
                 marks=[Mark("point", c.name, e.step, label=f"x{e.peak / e.left:.3g}") for e in sp[:20]])
        fell = _return_fall(run, big.step)
        if fell is not None:
            f.title += f"; {fell[0]} fell {fmt(fell[1])} -> {fmt(fell[2])} around it"
            f.evidence["return_fell"] = {"series": fell[0], "before": fell[1], "at": fell[2]}
        f.verdict = "worth a look"
        f.verdict_reason = ("the critic's loss exploded by two orders of magnitude or more and came back, with no jump "
                            "of the return (new rewards) to explain it: an update too large for the value network")
        return f
    return None
