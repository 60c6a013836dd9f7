"""Keras optimizer settings that shrink every step far below what the method means, named on a poor fit.

Why: two settings people copy without their units make the optimizer nearly stand still, and the
curves only say "stuck":

- ``Adadelta()`` at Keras' default ``learning_rate=0.001``: the method (Zeiler 2012) has no rate, i.e.
  runs at 1.0; old Keras defaulted to 1.0, Keras 2.3+ / 3 to 0.001, so each step is a thousandth of
  the intended one;
- ``use_ema=True`` with ``ema_overwrite_frequency=k`` steps much shorter than the average's horizon
  1 / (1 - ema_momentum): every k steps the weights are replaced by an average that has moved only
  about k * (1 - momentum) of the way towards them, so training advances at that fraction of its pace.

Both are read from the optimizer itself; judged only when the run fit poorly (a run that learned
was fine with them).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE
from .torch_config import _num

ADADELTA_LOW = 0.01  # Adadelta at or below this rate: at least 100x below the method's 1.0
EMA_PACE = 0.1  # the weights move at k * (1 - momentum) of their pace: this or less is a crawl


def _opt(optimizer: Any) -> Any:
    return getattr(optimizer, "inner_optimizer", None) or optimizer


def adadelta_rate_finding(optimizer: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """update-ratio: Keras' Adadelta at a rate far below the method's 1.0, in a run that did not learn."""
    opt = _opt(optimizer)
    if not poor_fit or type(opt).__name__ != "Adadelta" or not type(opt).__module__.startswith("keras"):
        return None
    lr = _num(getattr(opt, "learning_rate", None))
    if lr is None or not 0 < lr <= ADADELTA_LOW:
        return None
    return Finding(
        "update-ratio", Severity.WARNING,
        f"Adadelta runs at learning_rate={lr:g}{' (Keras default)' if lr == 0.001 else ''}, {1.0 / lr:.0f}x below "
        f"the rate the method is meant for (1.0), and {moved}",
        steps=[1.0, step], evidence={"subject": "adadelta-rate", CAUSE: True, "learning_rate": lr,
                                     "explains": ["no-learning", "stalled", "stuck-at-chance", "update-ratio"]},
        causes=["Adadelta is sold as needing no learning rate (its paper uses an effective rate of 1.0, as old "
                "Keras did); Keras 3 keeps a learning_rate argument that defaults to 0.001, so every step is about "
                "a thousandth of what the method intends: the learning rate is far too low"],
        fixes=["Pass the method's rate: keras.optimizers.Adadelta(learning_rate=1.0)."])


def ema_overwrite_finding(optimizer: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """update-ratio: EMA weights written over the model every few steps, far inside the average's horizon."""
    opt = _opt(optimizer)
    if not poor_fit or not getattr(opt, "use_ema", False):
        return None
    every, momentum = _num(getattr(opt, "ema_overwrite_frequency", None)), _num(getattr(opt, "ema_momentum", None))
    if every is None or momentum is None or not every >= 1 or not 0 < momentum < 1:
        return None
    pace = every * (1.0 - momentum)
    if pace > EMA_PACE:
        return None
    horizon = 1.0 / (1.0 - momentum)
    return Finding(
        "update-ratio", Severity.WARNING,
        f"use_ema=True with ema_overwrite_frequency={every:g}: every {every:g} step(s) the weights are replaced by "
        f"their moving average (ema_momentum={momentum:g}, a horizon of about {horizon:.0f} steps), so they advance "
        f"at about {pace:.2g} of their pace, and {moved}",
        steps=[1.0, step], evidence={"subject": "ema-overwrite", CAUSE: True, "ema_overwrite_frequency": every,
                                     "ema_momentum": momentum, "pace": pace,
                                     "explains": ["no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                                  "frozen-parameters"]},
        causes=["ema_overwrite_frequency counts optimizer steps, not epochs: overwriting the weights with an "
                "exponential moving average that remembers ~1 / (1 - ema_momentum) steps undoes nearly every update, "
                "so the model stays near its initial weights"],
        fixes=["Leave ema_overwrite_frequency=None (the average is written over the weights once, at the end of "
               "fit), or set it to several times 1 / (1 - ema_momentum) steps; or drop use_ema."])


EPSILON_SHRINK = 0.1  # epsilon this large against the gradients' typical entry: steps at most a tenth of the rate's
EPSILON_FLOOR = 1e-3  # and never below this (the defaults are 1e-7 in Keras, 1e-8 in torch)
# Optimizers that divide each step by sqrt(running mean of g^2) + epsilon
DIVIDED = ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad")


def large_epsilon_finding(optimizer: Any, grad_rms: list[float], poor_fit: bool, moved: str,
                          step: float) -> Finding | None:
    """update-ratio: an adaptive optimizer's epsilon far above the gradients this run had, in a run that fit poorly.

    Adam's step is lr * m / (sqrt(v) + epsilon): the division by sqrt(v) is what makes the step about lr whatever
    the gradient's size. An epsilon well above |g| (read from the gradients of the first batches) replaces that
    division by a division by epsilon, so each step is about |g| / epsilon of what the learning rate says."""
    opt = _opt(optimizer)
    name = type(opt).__name__
    if not poor_fit or name not in DIVIDED or not grad_rms:
        return None
    eps = _num(getattr(opt, "epsilon", None))
    g = float(sorted(grad_rms)[len(grad_rms) // 2])
    if eps is None or not eps >= EPSILON_FLOOR or not g > 0:
        return None
    share = g / (g + eps)
    if share > EPSILON_SHRINK:
        return None
    return Finding(
        "update-ratio", Severity.WARNING,
        f"{name}(epsilon={eps:g}) is {eps / g:.0f}x the gradients' typical entry ({g:.2g} on the first batches): "
        f"every step is about {share:.1g} of what the learning rate says, and {moved}",
        steps=[1.0, step], evidence={"subject": "optimizer-epsilon", CAUSE: True, "epsilon": eps, "grad_rms": g,
                                     "step_share": share,
                                     "explains": ["no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                                  "lr-decay-too-fast"]},
        causes=[f"{name} divides each step by sqrt(v) + epsilon, where sqrt(v) is the gradient's running size: "
                f"with epsilon={eps:g} far above gradients of ~{g:.2g}, epsilon dominates the denominator and the "
                "step shrinks to lr * g / epsilon; the learning rate is in effect far too low (epsilon=1.0 or 0.1 "
                "is advice for large image networks with big gradients, not a general setting)"],
        fixes=[f"Leave epsilon at its default ({name}(learning_rate=..., epsilon=1e-07); torch eps=1e-8), or keep "
               f"it and raise the learning rate about {1 / share:.0f}x."])
