"""The loss against the axes it works over: what it normalises, compares or smooths.

A loss is computed over one axis of the output (the class axis of a softmax, the vector of a
cosine, the columns of a regression target). Five silent bugs come from that axis or what follows the output, and each is
visible before any step, from the model's output shape, the compiled loss and a sample of
targets:

- a normalisation layer after the softmax output (BatchNormalization "everywhere"): the loss gets
  re-centred values, not probabilities;
- a softmax over an axis that is not the one the loss takes the classes from (``Softmax(axis=1)``
  on a (batch, height, width, classes) segmenter): it normalises down the image, not over classes;
- a cosine-similarity loss over a single value: the cosine of two numbers is only their sign;
- targets with more columns than the output has units: the loss broadcasts one prediction
  against every column, so the model learns their average;
- label smoothing so strong that the true class's target is barely above the others': the best
  possible loss sits at the chance level, so nothing in the loss says which class is right.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from .model_view import BINARY_CE, CATEGORICAL_CE, REGRESSION, SPARSE_CE, LossView, OutputView

if TYPE_CHECKING:
    from .structure import Targets

SMOOTHING_HIGH = 0.5  # label smoothing at or above this moves half the target off the true class
_COSINE = ("cosine_similarity", "cosinesimilarity", "cosine_proximity", "cosineembeddingloss")


def _finding(id: str, sev: Severity, title: str, why: str, fixes: list[str], subject: str, **evidence) -> Finding:
    from .structure import CAUSE

    return Finding(id, sev, title, evidence={"subject": subject, CAUSE: True, **evidence}, causes=[why], fixes=fixes)


def layer_after_output(out: OutputView | None, loss: LossView | None) -> list[Finding]:
    """A normalisation layer after a softmax or sigmoid output: the probabilities are re-centred and re-scaled."""
    if out is None or out.after is None or out.activation not in ("softmax", "sigmoid"):
        return []
    if loss is not None and loss.from_logits:
        return []
    what = "sum to 1 and stay in [0, 1]" if out.activation == "softmax" else "stay in [0, 1]"
    return [_finding("wrong-output-activation", Severity.ERROR,
                     f"{out.after} after the {out.activation} output layer ({out.spelled()}): the loss gets "
                     f"re-centred, re-scaled values instead of probabilities",
                     f"a {out.after} shifts and scales the {out.activation}'s outputs (to mean 0 and unit variance "
                     f"over the batch), so they can be negative and no longer {what}; the cross-entropy on them is "
                     "mis-scaled and the model hardly learns",
                     [f"Remove the {out.after} after the output layer: the {out.activation} must be the model's last "
                      "operation (normalise hidden layers only)."], out.after_layer or out.layer,
                     after=out.after, activation=out.activation)]


def softmax_axis(out: OutputView | None, loss: LossView | None) -> list[Finding]:
    """A softmax output normalised over another axis than the one the loss reads classes from."""
    if out is None or loss is None or out.framework != "keras" or out.activation != "softmax":
        return []
    if out.axis is None or out.rank is None or out.rank < 3 or loss.kind not in (SPARSE_CE, CATEGORICAL_CE):
        return []
    class_axis = loss.axis - out.rank if loss.axis >= 0 else loss.axis
    if out.axis == class_axis:
        return []
    shown = out.axis + out.rank
    return [_finding("wrong-output-activation", Severity.ERROR,
                     f"Softmax(axis={shown}) normalises over axis {shown} of a {out.rank}-axis output, but "
                     f"{loss.name} takes the classes from axis {loss.axis} ({out.units} classes)",
                     "the probabilities sum to 1 along the wrong axis (down the image rows or the time steps), not "
                     "over the classes, so each position's class scores are not a distribution and the loss "
                     "rescales them (channels-first code carried into a channels-last model?)",
                     [f"Use Softmax(axis={loss.axis}) (or activation='softmax' on the last layer): the class axis "
                      "of a Keras output is the last one."], out.layer, softmax_axis=shown, rank=out.rank,
                     loss=loss.name)]


def cosine_over_one(out: OutputView | None, loss: LossView | None, targets: "Targets | None") -> list[Finding]:
    """A cosine-similarity loss on a one-number output: only the sign of the prediction counts."""
    if loss is None or loss.name.lower().replace("_", "").replace(" ", "") not in {c.replace("_", "") for c in _COSINE}:
        return []
    units = out.units if out is not None else None
    width = targets.width if targets is not None else None
    if units != 1 and not (units is None and width == 1):
        return []
    subject = out.layer if out is not None else "loss"
    # The loss, not the output layer, is what does not fit the target: it can fall while the error does not.
    return [_finding("loss-metric-mismatch", Severity.ERROR,
                     f"{loss.name} on a one-value output: the cosine of two numbers is +1 or -1, only their signs",
                     "cosine similarity compares directions of vectors; over a single value every prediction with the "
                     "target's sign scores a perfect -1, so the loss ignores how far the prediction is (it goes "
                     "negative and flat while the error stays large)",
                     ["For a regression use a distance: loss='mse' (mean_squared_error) or 'mae'.",
                      "Keep cosine_similarity only for vector outputs (embeddings), over an axis of several values."],
                     subject, loss=loss.name, units=units)]


def targets_broadcast(out: OutputView | None, loss: LossView | None, targets: "Targets | None") -> list[Finding]:
    """Targets with several columns against a one-unit output: the loss broadcasts instead of failing."""
    if out is None or loss is None or targets is None or out.units != 1 or targets.width < 2:
        return []
    if loss.kind not in (REGRESSION, BINARY_CE) or targets.n < 8:
        return []
    if out.rank != 2:
        # Only a known (batch, 1) output: a Keras (batch, steps, 1) output is squeezed to meet (batch, steps)
        # targets, and a torch output's shape is not known here (a one-channel Conv1d squeezed in forward).
        return []
    w = targets.width
    layer = f"Dense({w})" if out.framework == "keras" else f"nn.Linear(..., {w})"
    return [_finding("label-problem", Severity.ERROR,
                     f"the targets have {w} columns but the output has 1 unit: {loss.name} broadcasts the one "
                     f"prediction against all {w} target columns",
                     "the shapes (batch, 1) and (batch, {0}) broadcast without an error, so one output is fitted to "
                     "{0} different targets at once and can only learn their average".format(w),
                     [f"Give the model one output per target column: make the last layer {layer}"
                      + (" with activation='sigmoid'." if loss.kind == BINARY_CE else "."),
                      "Or, if only one column is the target, pass just that column as y."],
                     "target-shape", target_columns=w, units=1, loss=loss.name)]


def smoothing_too_high(out: OutputView | None, loss: LossView | None) -> list[Finding]:
    """Label smoothing so strong that the smoothed target is nearly uniform: the loss cannot go below chance."""
    if loss is None or loss.label_smoothing < SMOOTHING_HIGH:
        return []
    if loss.kind == BINARY_CE:
        k = 2
    elif loss.kind in (CATEGORICAL_CE, SPARSE_CE) and out is not None and (out.units or 0) >= 2:
        k = int(out.units)
    else:
        return []
    s = loss.label_smoothing
    true, other = 1.0 - s + s / k, s / k
    floor = -(true * math.log(true) + (k - 1) * other * math.log(other)) if other > 0 else 0.0
    chance = math.log(k)
    return [_finding("label-problem", Severity.WARNING,
                     f"label_smoothing={s:g} turns each target into {true:.2g} for the true class and {other:.2g} for "
                     f"each other: the best possible loss is {floor:.3g}, {floor / chance:.0%} of the chance level "
                     f"ln({k}) = {chance:.3g}",
                     "label smoothing moves that share of the target off the true class and spreads it over all "
                     "classes; at this strength the targets are almost uniform, so the loss stays near chance and "
                     "the predicted probabilities say little, whatever the accuracy does",
                     [f"Use a small smoothing: label_smoothing=0.1 (0.05-0.2 is usual; it is the share moved off the "
                      "true class, not the confidence kept)."], "label-smoothing", label_smoothing=s, classes=k,
                     loss_floor=floor, chance=chance)]


def loss_shape_findings(out: OutputView | None, loss: LossView | None, targets: "Targets | None") -> list[Finding]:
    """Every check of this module, in order of how directly it explains a failed run."""
    return (layer_after_output(out, loss) + softmax_axis(out, loss) + cosine_over_one(out, loss, targets) + targets_broadcast(out, loss, targets)
            + smoothing_too_high(out, loss))
