"""The learning rate at its floor for most of the run: a decay (or a warm-up written backwards) that ended early.

``LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=64)`` meant as a warm-up (the factors in the
wrong order), or a decay whose horizon (``total_iters``, ``T_max``, ``step_size``) is a fraction of the run,
drops the rate a hundredfold in the first steps and leaves it there: the run goes on at a rate too small to
learn, and the loss creeps. A decay that reaches its floor near the end of the run is normal; this one reached
it before half of the run, never rose, and the loss at the end is still more than half its starting value.

Read at the end of a ``watch`` run from the optimizer's recorded rate (param_groups[0]['lr'] at the sampled
steps) and the loss.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .loss_progress import loss_kept
from .structure import CAUSE

DROP = 30.0  # the floor against the starting rate
BY = 0.5  # the floor reached within this share of the run
UNLEARNT = 0.5  # the final loss still above this share of the first


def lr_floor_finding(lr_steps: list[float], lrs: list[float], loss_steps: list[float], losses: list[float],
                     last_step: float) -> Finding | None:
    """lr-decay-too-fast when the rate fell ``DROP``-fold before ``BY`` of the run and the loss was not learnt."""
    if len(lrs) < 4 or len(losses) < 8 or not lrs[0] > 0 or last_step <= 0:
        return None
    if any(b > a * 1.0001 for a, b in zip(lrs, lrs[1:])):
        return None  # the rate rose somewhere (a warm-up, a cycle, a restart): not this
    floor_at = next((s for s, v in zip(lr_steps, lrs) if v <= lrs[0] / DROP), None)
    if floor_at is None or floor_at > BY * last_step:
        return None
    kept = loss_kept(losses, UNLEARNT, part=10, least=2)
    if kept is None:
        return None
    first, last = kept
    share = floor_at / last_step
    return Finding(
        "lr-decay-too-fast", Severity.WARNING,
        f"the learning rate fell from {lrs[0]:.3g} to {lrs[-1]:.3g} (/{lrs[0] / max(lrs[-1], 1e-300):.0f}) by step "
        f"{floor_at:.0f}, {share:.0%} of the run, and stayed there; the loss is still {last:.3g} from {first:.3g}",
        evidence={"subject": "lr-floor", CAUSE: True, "lr_start": lrs[0], "lr_end": lrs[-1], "floor_step": floor_at,
                  "run_share": share, "loss_first": first, "loss_last": last},
        causes=["the schedule reached its floor early and the rest of the run trained at a rate too small to learn: "
                "a warm-up written backwards (LinearLR with start_factor above end_factor, so the rate decays "
                "during the warm-up) or a decay horizon (total_iters, T_max, step_size) far shorter than the run"],
        fixes=["If it was meant as a warm-up, swap the factors: LinearLR(optimizer, start_factor=0.01, "
               "end_factor=1.0, total_iters=...); otherwise set the decay's horizon to the run's length "
               "(total_iters / T_max = the number of scheduler steps in the run)."],
        steps=[floor_at])
