"""The learning rate at its floor for most of the run: a decay (or a warm-up written backwards) that ended early.

``LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=64)`` meant as a warm-up (the factors in the
wrong order), or a decay whose horizon (``total_iters``, ``T_max``, ``step_size``) is a fraction of the run,
drops the rate a hundredfold in the first steps and leaves it there: the run goes on at a rate too small to
learn, and the loss creeps. A decay that reaches its floor near the end of the run is normal; this one reached
it before half of the run, never rose, and the loss at the end is still more than half its starting value.

The same course comes from a decay factor read the wrong way round: Keras' ``ExponentialDecay(decay_rate=...)``
and PyTorch's ``ExponentialLR(gamma=...)`` / ``StepLR(gamma=...)`` take the share of the rate KEPT per period,
so 0.01 meant as "lose 1%" divides the rate by 100 each period.

Read at the end of a ``watch`` run (and of a Keras ``fit``, by the callback) from the recorded rate at the
sampled steps and the loss.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .loss_progress import loss_kept
from .structure import CAUSE

DROP = 30.0  # the floor against the starting rate
BY = 0.5  # the floor reached within this share of the run
UNLEARNT = 0.5  # the final loss still above this share of the first


def rate_and_loss(series: dict) -> tuple[list[float], list[float], list[float], list[float]] | None:
    """(rate steps, rates, loss steps, losses) of a live run's recorded ``lr`` and ``train_loss``, or None."""
    lr, loss = series.get("lr"), series.get("train_loss")
    if lr is None or loss is None:
        return None
    return list(lr.steps), list(lr.values), list(loss.steps), list(loss.values)


def lr_floor_finding(lr_steps: list[float], lrs: list[float], loss_steps: list[float], losses: list[float],
                     last_step: float, keras: bool = False) -> Finding | None:
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
        causes=[_KERAS_CAUSE if keras else _TORCH_CAUSE],
        fixes=_KERAS_FIXES if keras else _TORCH_FIXES,
        steps=[floor_at])


_TORCH_CAUSE = ("the schedule reached its floor early and the rest of the run trained at a rate too small to learn: a "
                "warm-up written backwards (LinearLR with start_factor above end_factor, so the rate decays during the "
                "warm-up), a decay horizon (total_iters, T_max, step_size) far shorter than the run, or a gamma read "
                "as the share lost (ExponentialLR/StepLR keep gamma of the rate each period: 0.01 divides it by 100)")
_TORCH_FIXES = ["If it was meant as a warm-up, swap the factors: LinearLR(optimizer, start_factor=0.01, end_factor=1.0, "
                "total_iters=...); otherwise set the decay's horizon to the run's length (total_iters / T_max = the "
                "number of scheduler steps in the run), and give gamma as the share kept (0.99, not 0.01)."]
_KERAS_CAUSE = ("the schedule reached its floor early and the rest of the run trained at a rate too small to learn: "
                "ExponentialDecay's decay_rate is the share of the rate kept every decay_steps (lr * decay_rate ** "
                "(step / decay_steps)), so 0.01 meant as 'lose 1%' divides the rate by 100 each period; or a "
                "decay_steps (CosineDecay, PolynomialDecay) far shorter than the run")
_KERAS_FIXES = ["Give decay_rate as the fraction of the rate kept per period (decay_rate=0.99 to lose 1%), and size "
                "decay_steps to the run (epochs x steps per epoch for a decay that ends with the run)."]
