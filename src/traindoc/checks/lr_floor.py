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

from typing import Any

from ..findings import Finding, Severity
from .loss_progress import loss_kept
from .structure import CAUSE

DROP = 30.0  # the floor against the starting rate
BY = 0.5  # the floor reached within this share of the run
UNLEARNT = 0.5  # the final loss still above this share of the first
# A rate HALVED within the FIRST EPOCH of a run of at least EPOCHS epochs that goes on to its floor is a horizon
# counted in the wrong unit (epochs given where the schedule counts optimizer steps): an intended decay does not
# spend half the rate before the data was seen once. That timing is the evidence, so the loss need only show the
# run did not converge (it kept a tenth of its start).
EPOCHS = 3
UNLEARNT_FIRST_EPOCH = 0.1


def rate_and_loss(series: dict) -> tuple[list[float], list[float], list[float], list[float]] | None:
    """(rate steps, rates, loss steps, losses) of a live run's recorded ``lr`` and ``train_loss``, or None."""
    lr, loss = series.get("lr"), series.get("train_loss")
    if lr is None or loss is None:
        return None
    return list(lr.steps), list(lr.values), list(loss.steps), list(loss.values)


def adagrad_lr_decay(optimizer: Any) -> float | None:
    """torch Adagrad's ``lr_decay`` when set: the rate it applies is lr / (1 + lr_decay * (step - 1)), a decay
    the param group's ``lr`` (what is recorded) never shows."""
    if type(optimizer).__name__ != "Adagrad":
        return None
    groups = getattr(optimizer, "param_groups", None) or [{}]
    decay = groups[0].get("lr_decay", 0) if isinstance(groups[0], dict) else 0
    return float(decay) if isinstance(decay, (int, float)) and decay > 0 else None


def effective_rates(lr_steps: list[float], lrs: list[float], lr_decay: float) -> list[float]:
    """The rates an Adagrad with ``lr_decay`` actually applied at the recorded (1-based) steps."""
    return [v / (1.0 + lr_decay * max(s - 1.0, 0.0)) for s, v in zip(lr_steps, lrs)]


def lr_floor_finding(lr_steps: list[float], lrs: list[float], loss_steps: list[float], losses: list[float],
                     last_step: float, keras: bool = False, epoch_steps: float | None = None,
                     schedule: str | None = None, schedule_kept: float | None = None,
                     adagrad_decay: float | None = None) -> Finding | None:
    """lr-decay-too-fast when the rate fell ``DROP``-fold before ``BY`` of the run and the loss was not learnt.

    ``epoch_steps``: optimizer steps per epoch, when known; a rate halved within the first epoch of a run of
    ``EPOCHS`` or more is named as a horizon counted in epochs where the schedule counts steps. ``schedule``:
    the schedule as the user wrote it (``InverseTimeDecay(decay_steps=1)``), for the text; ``schedule_kept``: the
    share of the rate an ExponentialDecay keeps per period (under 0.5, that factor is the reading named first).
    ``adagrad_decay``: torch Adagrad's lr_decay; ``lrs`` are then the rates it applied (``effective_rates``), and
    that argument, a per-update decay read as a per-epoch factor, is the cause named."""
    if len(lrs) < 4 or len(losses) < 8 or not lrs[0] > 0 or last_step <= 0:
        return None
    if any(b > a * 1.0001 for a, b in zip(lrs, lrs[1:])):
        return None  # the rate rose somewhere (a warm-up, a cycle, a restart): not this
    floor_at = next((s for s, v in zip(lr_steps, lrs) if v <= lrs[0] / DROP), None)
    if floor_at is None or floor_at > BY * last_step:
        return None
    half_at = next((s for s, v in zip(lr_steps, lrs) if v <= lrs[0] / 2), floor_at)
    in_first = bool(epoch_steps) and half_at <= epoch_steps and last_step >= EPOCHS * epoch_steps
    kept = loss_kept(losses, UNLEARNT_FIRST_EPOCH if in_first else UNLEARNT, part=10, least=2)
    if kept is None:
        return None
    first, last = kept
    share = floor_at / last_step
    causes = [_KERAS_CAUSE if keras else _TORCH_CAUSE]
    fixes = list(_KERAS_FIXES if keras else _TORCH_FIXES)
    # a schedule that keeps under half the rate per period: the factor read backwards explains the early floor
    factor_backwards = schedule_kept is not None and schedule_kept < 0.5
    if in_first and not factor_backwards:  # the timing says which reading: a horizon in epochs, counted in steps
        what = schedule or ("the schedule" if keras else "the scheduler")
        causes.insert(0, f"{what} halved the rate within the first epoch (by step {half_at:.0f}, of "
                         f"{epoch_steps:.0f} per epoch): its horizon was given in epochs, but it counts optimizer "
                         "steps (batches)" + (", so decay_steps=1 decays at every batch" if keras and schedule and
                                              "decay_steps=1)" in schedule else ""))
        fixes.insert(0, (f"Count decay_steps in batches: decay_steps = steps per epoch ({epoch_steps:.0f}, "
                         "len(x_train) // batch_size) for a decay per epoch." if keras else
                         f"Count the horizon in scheduler steps: for a per-epoch decay call scheduler.step() once per "
                         f"epoch, or multiply the horizon by the steps per epoch ({epoch_steps:.0f})."))
        if keras and schedule and not schedule.startswith("ExponentialDecay"):  # no decay_rate read backwards here
            causes, fixes = causes[:1], fixes[:1]
    if adagrad_decay is not None:  # the decay is the optimizer's own argument: no scheduler to blame
        causes = [f"Adagrad(lr_decay={adagrad_decay:g}) divides the rate by 1 + lr_decay x step at EVERY update, "
                  f"not per epoch: by step {floor_at:.0f} the rate it applied was under 1/{DROP:.0f} of its start "
                  "(on top of Adagrad's own shrinking steps)"]
        fixes = ["Set lr_decay=0 (or about 1e-4); for a decay per epoch, use a scheduler stepped once per epoch, e.g. "
                 "ExponentialLR(optimizer, gamma=0.5)."]
    return Finding(
        "lr-decay-too-fast", Severity.WARNING,
        f"the learning rate fell from {lrs[0]:.3g} to {lrs[-1]:.3g} (/{lrs[0] / max(lrs[-1], 1e-300):.0f}) by step "
        f"{floor_at:.0f}, {share:.0%} of the run" + (" (halved within the first epoch)" if in_first else "") +
        f", and stayed there; the loss is still {last:.3g} from {first:.3g}",
        evidence={"subject": "lr-floor", CAUSE: True, "lr_start": lrs[0], "lr_end": lrs[-1], "floor_step": floor_at,
                  "run_share": share, "loss_first": first, "loss_last": last,
                  **({"epoch_steps": epoch_steps, "half_step": half_at} if in_first else {})},
        causes=causes, fixes=fixes, steps=[floor_at])


def keras_schedule(optimizer: Any) -> tuple[str | None, float | None]:
    """A Keras optimizer's learning-rate schedule as written (``InverseTimeDecay(decay_steps=1)``) and, for an
    ExponentialDecay, its decay_rate (the share kept per period); (None, None) when there is none."""
    sched = getattr(optimizer, "_learning_rate", None)
    get = getattr(sched, "get_config", None)
    if get is None or not callable(get):
        return None, None
    try:
        cfg = get()
    except Exception:
        return None, None
    if not isinstance(cfg, dict):
        return type(sched).__name__, None
    steps, rate = cfg.get("decay_steps"), cfg.get("decay_rate")
    kept = float(rate) if type(sched).__name__ == "ExponentialDecay" and isinstance(rate, (int, float)) else None
    return (f"{type(sched).__name__}(decay_steps={steps})" if steps is not None else type(sched).__name__), kept


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
