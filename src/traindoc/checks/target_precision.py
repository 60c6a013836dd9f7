"""Regression targets far smaller than the output's own scale: the model cannot get below its noise.

An untrained network outputs values of order 0.1-1, and each optimizer step moves them by about
the learning rate. Targets of order 1e-3 (returns as fractions, probabilities of rare events) sit
far below both: the loss falls from the output's initial scale and looks like learning, but it
ends many times above the targets' own variance, i.e. worse than predicting their mean. That
ending is the evidence (a run that fits tiny targets well is left alone); the fix is to
standardise the targets, not to tune the optimiser.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..findings import Finding, Severity

MIN_ROWS = 64
SMALL = 0.05  # target std at most this share of the output's scale (1 when unmeasured)
WORSE = 10.0  # and the final loss this many times what predicting the targets' mean would give
_SQUARED = ("mse", "mean_squared_error", "meansquarederror")
_ABSOLUTE = ("mae", "mean_absolute_error", "meanabsoluteerror")


def _mean_baseline(name: str, y: np.ndarray) -> float | None:
    """The loss of predicting the best constant: the variance for a squared error, the mean absolute deviation."""
    key = name.lower().replace(" ", "_")
    if key in _SQUARED:
        return float(np.var(y))
    if key in _ABSOLUTE:
        return float(np.mean(np.abs(y - np.median(y))))
    return None


def _output_reference(output_scale: float | None) -> float:
    """The output's measured scale when it is a usable one, else 1 (an untrained network's outputs are of order 1)."""
    return output_scale if output_scale is not None and math.isfinite(output_scale) and output_scale > 0 else 1.0


def _standardise(mean: float, std: float) -> str:
    """The recipe of every target-scale fix here: standardise the targets and undo it on the predictions."""
    return (f"train on (y - {mean:.3g}) / {std:.3g} (a StandardScaler on y) and map the predictions back "
            f"(pred * {std:.3g} + {mean:.3g}).")


def _regression_column(loss_view: Any, targets: Any, last_loss: float | None) -> np.ndarray | None:
    """The sampled targets as one finite column under a regression loss that ended finite; None otherwise."""
    from .model_view import REGRESSION

    if loss_view is None or loss_view.kind != REGRESSION or targets is None or last_loss is None:
        return None
    y = np.asarray(targets, dtype="float64")
    if y.ndim != 2 or y.shape[1] != 1 or len(y) < MIN_ROWS or not np.all(np.isfinite(y)) or not math.isfinite(last_loss):
        return None
    return y


def _judged(loss_view: Any, targets: Any, last_loss: float | None) -> tuple[np.ndarray, float, float, float] | None:
    """(targets, loss of predicting their mean, their mean, their std) for a regression judged at its end."""
    y = _regression_column(loss_view, targets, last_loss)
    if y is None:
        return None
    baseline = _mean_baseline(loss_view.name, y)
    mean, std = float(np.mean(y)), float(np.std(y))
    if baseline is None or not baseline > 0 or not std > 0:
        return None
    return y, baseline, mean, std


def tiny_target_finding(loss_view: Any, targets: Any, output_scale: float | None, last_loss: float | None,
                        step: float) -> Finding | None:
    """label-problem, with its fix, when tiny regression targets ended far worse than their own mean."""
    judged = _judged(loss_view, targets, last_loss)
    if judged is None:
        return None
    _, baseline, mean, std = judged  # the targets themselves are read through their summary
    reference = _output_reference(output_scale)
    if std > SMALL * reference or last_loss < WORSE * baseline:
        return None
    from .structure import CAUSE

    shown = f"the untrained model outputs ~{output_scale:.2g}" if output_scale is not None else "outputs start near 1"
    return Finding(
        "label-problem", Severity.WARNING,
        f"regression targets are tiny (mean {mean:.3g}, std {std:.3g}) while {shown}: the {loss_view.name} ended at "
        f"{last_loss:.3g}, {last_loss / baseline:.3g}x what predicting their mean gives ({baseline:.3g})",
        steps=[1.0, step],
        evidence={"subject": "target-tiny-scale", "target_mean": mean, "target_std": std, "output_scale": output_scale,
                  "loss_end": last_loss, "mean_baseline": baseline, "loss": loss_view.name, CAUSE: True,
                  "explains": ["no-learning", "stalled", "loss-plateau"]},
        causes=[f"targets {reference / std:.3g}x smaller than the output's scale: every step moves the outputs by "
                "more than the whole signal, so the model ends noisier than a constant; the falling loss only "
                "shows the outputs shrinking from their initial scale"],
        fixes=["Standardise the target: " + _standardise(mean, std),
               "Or express the target in a larger unit (basis points, percent) so it is of order 1."])


OFFSET = 10.0  # a target mean this many spreads from 0 (and this many times the output's scale): an offset unit


def offset_target_finding(loss_view: Any, targets: Any, output_scale: float | None, last_loss: float | None,
                          step: float) -> Finding | None:
    """high-initial-loss, with its fix, when regression targets sit far from 0 against their spread (a unit with an
    offset: kelvin, a year, a pressure in hPa) and the run ended far worse than predicting their mean.

    The outputs start near 0 and move by about the learning rate per step: the whole run is spent climbing
    towards the offset, and the loss, dominated by it, says nothing about the signal (the spread around it)."""
    judged = _judged(loss_view, targets, last_loss)
    if judged is None:
        return None
    _, baseline, mean, std = judged  # the targets themselves are read through their summary
    reference = _output_reference(output_scale)
    if abs(mean) < OFFSET * std or abs(mean) < OFFSET * reference or last_loss < WORSE * baseline:
        return None
    from .structure import CAUSE

    return Finding(
        "high-initial-loss", Severity.WARNING,
        f"regression targets sit at an offset: mean {mean:.4g}, {abs(mean) / std:.0f}x their spread (std {std:.3g}); "
        f"the {loss_view.name} ended at {last_loss:.3g}, {last_loss / baseline:.3g}x what predicting their mean gives "
        f"({baseline:.3g})",
        steps=[1.0, step],
        evidence={"subject": "target-offset", "target_mean": mean, "target_std": std, "output_scale": output_scale,
                  "loss_end": last_loss, "mean_baseline": baseline, "loss": loss_view.name, CAUSE: True,
                  "explains": ["no-learning", "stalled", "update-ratio", "late-start", "high-initial-loss"]},
        causes=["the target is in a unit with a large offset (kelvin rather than degrees from a reference, a year, "
                "an absolute pressure): the outputs start near 0 and each step moves them by about the learning rate, "
                "so the run is spent reaching the offset and the loss, dominated by it, never gets to the signal"],
        fixes=[f"Centre and scale the target: train on (y - {mean:.4g}) / {std:.3g} (a StandardScaler on y, or degrees "
               f"from a reference in a unit of the spread) and map the predictions back (pred * {std:.3g} + "
               f"{mean:.4g}).", f"Or start the output layer's bias at the targets' mean ({mean:.4g})."])


LARGE = 100.0  # targets' RMS this many times the output's scale: a tenth of the unconditional bar (structure.py)
BEHIND = 2.0  # and the final loss at least this many times what predicting their mean gives


def large_target_finding(loss_view: Any, targets: Any, output_scale: float | None, last_loss: float | None,
                         step: float) -> Finding | None:
    """high-initial-loss, with its fix, when regression targets are hundreds of times the output's scale and the run
    ended worse than predicting their mean.

    The static check (checks/structure.py ``target_scale``) names targets 1000x the output's scale from their
    size alone. Between 100x and 1000x an output moving by about the learning rate per step may or may not reach
    them in the steps the run has: the run's own ending decides. A training loss still at twice the loss of
    predicting the targets' mean or above means the outputs never even reached the targets' level, the scale the
    targets are in is what held them back, and the fix is to scale the targets, not to train longer."""
    judged = _judged(loss_view, targets, last_loss)
    if judged is None:
        return None
    y, baseline, mean, std = judged
    rms = float(np.sqrt(np.mean(np.square(y))))
    reference = max(output_scale if output_scale is not None and math.isfinite(output_scale) else 0.0, 1.0)
    if rms < LARGE * reference or last_loss < BEHIND * baseline:
        return None
    from .structure import CAUSE

    return Finding(
        "high-initial-loss", Severity.WARNING,
        f"regression targets sit at {rms:.3g} (mean {mean:.3g}, std {std:.3g}), {rms / reference:.0f}x the output's "
        f"scale: the {loss_view.name} ended at {last_loss:.3g}, {last_loss / baseline:.3g}x what predicting their "
        f"mean gives ({baseline:.3g})",
        steps=[1.0, step],
        evidence={"subject": "target-large-scale", "target_rms": rms, "target_mean": mean, "target_std": std,
                  "output_scale": output_scale, "loss_end": last_loss, "mean_baseline": baseline,
                  "loss": loss_view.name, CAUSE: True,
                  "explains": ["no-learning", "stalled", "update-ratio", "late-start", "loss-plateau"]},
        causes=["the targets are in a unit far larger than the output's scale (basis points, cents, raw counts): the "
                "outputs start near 0 and each step moves them by about the learning rate, so the whole run is spent "
                "climbing towards the targets and it ended no better than predicting their mean"],
        fixes=["Scale the targets: " + _standardise(mean, std),
               "Or express the target in a unit of order 1 (percent instead of basis points, thousands instead of "
               "units)."])


def blown_by_large_targets_finding(targets: Any, regression: bool, losses: list[float], step: float) -> Finding | None:
    """high-initial-loss, with its fix, when a regression's loss went non-finite and its targets are hundreds of
    times the output's scale (about 1 for an untrained network).

    Below the unconditional bar (1000x, checks/structure.py ``target_scale``) large targets may still train; a run
    that blew up to Inf/NaN says they did not: the first squared errors are of the order of the targets' square,
    their gradients move the output layer by hundreds per step and the updates overshoot until the weights
    overflow. Lowering the rate only slows the climb; scaling the targets removes it. A few wild targets (far
    values) are another reading (``target_outliers``), not this."""
    if not regression or targets is None or getattr(targets, "far", 0) or not getattr(targets, "std", 0) > 0:
        return None
    if all(math.isfinite(v) for v in losses):
        return None
    rms = float(targets.rms)
    if not rms >= LARGE:
        return None
    from .structure import CAUSE

    mean, std = float(targets.mean), float(targets.std)
    at = next((i for i, v in enumerate(losses) if not math.isfinite(v)), len(losses))
    return Finding(
        "high-initial-loss", Severity.WARNING,
        f"regression targets sit at {rms:.3g} (mean {mean:.3g}, std {std:.3g}), ~{rms:.0f}x an untrained output's "
        f"scale, and the loss went non-finite (after {at} finite readings)",
        steps=[step],
        evidence={"subject": "target-large-scale", "target_rms": rms, "target_mean": mean, "target_std": std,
                  "finite_readings": at, CAUSE: True,
                  "explains": ["nonfinite", "nonfinite-origin", "divergence", "exploding-gradients", "lr-too-high"]},
        causes=["the targets are in a large unit (nanometres, cents, raw counts): the first squared errors are of the "
                f"order of {rms ** 2:.1g}, their gradients move the output layer by hundreds per step and the updates "
                "overshoot until the weights overflow to Inf/NaN"],
        fixes=["Scale the targets: " + _standardise(mean, std),
               "Or express the target in a unit of order 1; lowering the learning rate only delays the blow-up."])
