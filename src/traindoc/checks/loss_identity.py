"""What the loss computes, recognised from the first step's loss, outputs, targets and output gradient.

Why: a hand-written loss hides its mistakes from every setting traindoc can read, yet the first
step already holds the evidence. The loss value and the gradient the loss sent back to the
output are compared with the standard losses recomputed on the same (detached) outputs and
targets, which costs one small reduction and runs nothing of the model:

* a loss that is exactly minus the cross-entropy (or MSE, L1, binary cross-entropy) of the outputs
  is a sign flipped (``-F.nll_loss(...)`` on log-probabilities): the optimiser climbs the loss,
  and the printed value falls below zero without bound while the predictions get worse;
* a loss that is the cross-entropy of the logits divided by T (a distillation temperature on the
  hard-label loss), seen in the gradient, which is (softmax(out / T) - onehot) / T: the gradient
  is T times smaller and the loss stays near ln(classes) until the logits grow T times larger;
* a loss that is an element-wise regression loss (MSE, L1, smooth L1) between every one of the K
  outputs and the row's class id (``F.mse_loss(out, y.float().unsqueeze(1))``): the id broadcasts
  across the K scores, each score is fitted to the id as a number, and the argmax carries nothing
  about the class; the loss falls (the id is partly predictable) while accuracy stays at chance.

A loss that matches neither (label smoothing, a weighted sum of terms, a loss divided by the
accumulation steps) is left alone: each reading must match to a fraction of a percent.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 8
MATCH = 1e-3  # relative agreement that says the loss *is* the recomputed one
MIN_LOSS = 1e-3  # a loss this close to 0 cannot show its sign
TEMPS = [1.5 * (1000 / 1.5) ** (i / 79) for i in range(80)]  # temperatures tried, 1.5 .. 1000
MIN_T = 2.0  # a fitted temperature below this is label smoothing or rounding, not a temperature
GRAD_FIT = 0.05  # relative residual of the gradient under the fitted temperature
PLAIN_MISFIT = 0.3  # and the plain cross-entropy's gradient must miss by this much


def _rows(outputs: Any, targets: Any) -> tuple[Any, Any] | None:
    """(N, C) scores and (N,) class ids, from per-row or per-position outputs; None otherwise."""
    import torch

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)) or not outputs.is_floating_point():
        return None
    if targets.is_floating_point() or outputs.dim() < 2 or outputs.dim() != targets.dim() + 1:
        return None
    if tuple(outputs.shape[:-1]) != tuple(targets.shape) and not (outputs.dim() == 2):
        return None
    o = outputs.detach().float().reshape(-1, outputs.shape[-1])
    y = targets.detach().long().reshape(-1)
    if o.shape[0] != y.shape[0] or o.shape[0] < MIN_ROWS or o.shape[1] < 2:
        return None
    if int(y.min()) < 0 or int(y.max()) >= o.shape[1]:
        return None  # padding (-100) or labels beyond the outputs: other checks name those
    return o, y


def standard_losses(outputs: Any, targets: Any) -> dict[str, float]:
    """The standard losses these outputs and targets can be scored with (mean reduction)."""
    import torch
    import torch.nn.functional as F

    found: dict[str, float] = {}
    with torch.no_grad():
        rows = _rows(outputs, targets)
        if rows is not None:
            found["cross-entropy"] = float(F.cross_entropy(*rows))
        elif isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor) and targets.is_floating_point() \
                and outputs.is_floating_point() and outputs.numel() == targets.numel() and outputs.numel() >= MIN_ROWS:
            o, y = outputs.detach().float().reshape(-1), targets.detach().float().reshape(-1)
            found["mean squared error"] = float(F.mse_loss(o, y))
            found["mean absolute error"] = float(F.l1_loss(o, y))
            if bool(((y >= 0) & (y <= 1)).all()):
                found["binary cross-entropy"] = float(F.binary_cross_entropy_with_logits(o, y))
    return found


def sign_flip_findings(value: float, outputs: Any, targets: Any) -> list[Finding]:
    """The loss is minus a standard loss of the outputs: gradient ascent."""
    if not math.isfinite(value) or value > -MIN_LOSS:
        return []
    for name, std in standard_losses(outputs, targets).items():
        if std > MIN_LOSS and abs(value + std) <= MATCH * max(1.0, std):
            return [Finding("divergence", Severity.ERROR,
                            f"the loss ({value:.4g}) is minus the {name} of the outputs ({std:.4g}): a sign is "
                            "flipped, so every step climbs the loss the model should descend (gradient ascent)",
                            evidence={"subject": "loss.sign", CAUSE: True, "loss": value, "recomputed": std,
                                      "standard_loss": name, "explains": ["label-problem"]},
                            causes=[f"a minus in front of a loss that is already positive (-F.nll_loss(log_softmax"
                                    f"(out), y), -criterion(out, y)): minimising the negative maximises the {name}, "
                                    "so the printed loss falls below zero without bound while the predictions get "
                                    "worse than chance"],
                            fixes=[f"Drop the minus sign: minimise the {name} itself (F.nll_loss(F.log_softmax(out, 1), "
                                   "y) or nn.CrossEntropyLoss()(out, y) for classes)."])]
    return []


def _fit_temperature(o: Any, y: Any, g: Any) -> tuple[float, float, float]:
    """(best T, its relative gradient residual, the plain cross-entropy's residual) for a mean-reduced loss."""
    import torch

    onehot = torch.nn.functional.one_hot(y, o.shape[1]).float()
    gn = g * o.shape[0]  # the per-row gradient of a mean over rows
    norm = float(gn.norm()) or 1.0

    def misfit(t: float) -> float:
        return float(((torch.softmax(o / t, dim=1) - onehot) / t - gn).norm()) / norm

    best = min(TEMPS, key=misfit)
    return best, misfit(best), misfit(1.0)


def temperature_findings(value: float, outputs: Any, targets: Any, grad: Any) -> list[Finding]:
    """The loss is the cross-entropy of outputs / T with T >= 2: a temperature on a hard-label loss."""
    import torch
    import torch.nn.functional as F

    rows = _rows(outputs, targets)
    if rows is None or not isinstance(grad, torch.Tensor) or grad.numel() != outputs.numel() or not math.isfinite(value):
        return []
    o, y = rows
    with torch.no_grad():
        g = grad.detach().float().reshape(o.shape)
        t, fit, plain = _fit_temperature(o, y, g)
        at_t = float(F.cross_entropy(o / t, y))
    if t < MIN_T or fit > GRAD_FIT or plain < PLAIN_MISFIT or abs(value - at_t) > 0.01 * max(1.0, at_t):
        return []
    c = o.shape[1]
    return [Finding("stuck-at-chance", Severity.WARNING,
                    f"the loss is the cross-entropy of the outputs divided by {t:.3g} (a temperature): its gradient "
                    f"is {t:.3g}x smaller than the cross-entropy's, so the loss stays near ln({c}) = {math.log(c):.3g} "
                    "until the logits grow that much larger",
                    evidence={"subject": "loss.temperature", CAUSE: True, "temperature": round(t, 3), "loss": value,
                              "gradient_misfit": round(fit, 4), "plain_misfit": round(plain, 4),
                              "explains": ["label-problem"]},
                    causes=[f"F.cross_entropy(logits / T, y) with T = {t:.3g}: a distillation temperature (meant only "
                            "for the soft teacher targets) applied to the hard-label loss flattens every prediction "
                            "and shrinks the gradient T times"],
                    fixes=["Use no temperature on the hard-label loss: F.cross_entropy(logits, y) (T = 1); keep T only "
                           "on the soft-target term, F.kl_div(F.log_softmax(s / T), F.softmax(t / T)) * T * T."])]


def _class_id_column(outputs: Any, targets: Any) -> tuple[Any, Any] | None:
    """(N, K) scores and the (N, 1) class ids as floats, when every target is a whole number in [0, K) and
    there is one target per row; None otherwise (one-hot rows, regression targets, per-position ids)."""
    import torch

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)) or not outputs.is_floating_point():
        return None
    if outputs.dim() != 2 or outputs.shape[1] < 2 or outputs.shape[0] < MIN_ROWS:
        return None
    if targets.numel() != outputs.shape[0] or targets.dim() > 2 or (targets.dim() == 2 and targets.shape[1] != 1):
        return None
    y = targets.detach().float().reshape(-1, 1)
    if not bool(torch.isfinite(y).all()) or not bool((y == y.round()).all()):
        return None
    if float(y.min()) < 0 or float(y.max()) >= outputs.shape[1] or int(torch.unique(y).numel()) < 2:
        return None
    return outputs.detach().float(), y


def class_ids_regressed_findings(value: float, outputs: Any, targets: Any) -> list[Finding]:
    """The loss is an element-wise regression loss between each of the K scores and the row's class id."""
    import torch
    import torch.nn.functional as F

    pair = _class_id_column(outputs, targets)
    if pair is None or not math.isfinite(value) or value <= MIN_LOSS:
        return []
    o, y = pair
    yy = y.expand_as(o)
    with torch.no_grad():
        named = {"mean squared error": float(F.mse_loss(o, yy)), "mean absolute error": float(F.l1_loss(o, yy)),
                 "smooth L1 (Huber) loss": float(F.smooth_l1_loss(o, yy))}
    k = o.shape[1]
    for name, std in named.items():
        # a mean, a sum, or a sum over the scores averaged over the rows: the same loss whatever its reduction
        if std > MIN_LOSS and min(abs(value - std * n) / (std * n) for n in (1, k, o.numel())) <= MATCH:
            return [Finding(
                "loss-metric-mismatch", Severity.WARNING,
                f"the loss ({value:.4g}) is the {name} between each of the {k} outputs and the row's class id "
                f"(0 to {k - 1}): the id is broadcast across the {k} scores and regressed as a number, so the "
                "argmax of the scores says nothing about the class",
                evidence={"subject": "loss.class-ids-regressed", CAUSE: True, "loss": value, "recomputed": std,
                          "standard_loss": name, "classes": k,
                          "explains": ["stuck-at-chance", "label-problem", "no-learning"]},
                causes=[f"a regression loss (the {name}) used for a classification: the class ids were turned into "
                        "floats and given a column axis so the shapes 'match' (F.mse_loss(out, y.float()"
                        ".unsqueeze(1))), and every score learns to predict the id itself; the loss falls because "
                        "the id is partly predictable while accuracy stays at chance"],
                fixes=["Use nn.CrossEntropyLoss() on the integer class ids and the raw scores (the logits), "
                       "not a squared error on the ids: criterion(out, y) with y of dtype long and shape (batch,).",
                       f"If a squared error is really wanted, compare the softmax with one-hot rows "
                       f"(F.one_hot(y, {k}).float()), never with the id itself."])]
    return []


def loss_identity_findings(loss: Any, outputs: Any, targets: Any, grad_summary: dict | None) -> list[Finding]:
    from ._torch import as_float

    value = as_float(loss)
    found = sign_flip_findings(value, outputs, targets)
    if not found:
        found = class_ids_regressed_findings(value, outputs, targets)
    if not found and grad_summary:
        found = temperature_findings(value, outputs, targets, grad_summary.get("grad"))
    if not found and grad_summary:
        from .loss_scale import loss_scale_findings  # (loss * 1024).backward() never divided back

        found = loss_scale_findings(value, outputs, targets, grad_summary.get("grad"))
    return found


MIN_BATCH = 8  # a division by fewer rows is as likely an accumulation count as a batch size


def _raw_step_loss(loss: Any, targets: Any, optimizer: Any) -> tuple[float, int] | None:
    """(the loss's value, the batch's rows) when a factor on the loss reaches the steps: a positive finite loss
    under an optimizer whose step is lr x gradient (``steps_by_raw_gradient``); None otherwise."""
    from ._torch import as_float
    from .torch_config import steps_by_raw_gradient

    if not steps_by_raw_gradient(optimizer):
        return None
    value = as_float(loss)
    if not math.isfinite(value) or value <= 0:
        return None
    return value, getattr(targets, "shape", (0,))[0] if getattr(targets, "dim", lambda: 0)() >= 1 else 0


def divided_by_batch_findings(loss: Any, outputs: Any, targets: Any, optimizer: Any) -> list[Finding]:
    """update-ratio when the loss is a standard mean loss of the outputs divided once more by the batch's rows
    (``F.cross_entropy(out, y) / len(y)``), under a non-adaptive optimizer.

    The mean already divides by the rows; a second division makes the loss and every gradient batch-size times
    smaller, and plain SGD (whose step is lr x gradient) then takes steps that many times too short. Adam-family
    optimizers divide each step by the gradient's own size, so the same loss trains normally there."""
    read = _raw_step_loss(loss, targets, optimizer)
    if read is None or read[1] < MIN_BATCH:
        return []
    value, rows = read
    for name, std in standard_losses(outputs, targets).items():
        if std > MIN_LOSS and abs(value * rows - std) <= MATCH * max(1.0, std):
            opt = type(optimizer).__name__
            return [Finding(
                "update-ratio", Severity.WARNING,
                f"the loss ({value:.4g}) is the {name} of the outputs ({std:.4g}) divided by the batch's {rows} rows "
                f"once more: under {opt} every step is {rows}x too short",
                evidence={"subject": "loss.divided-by-batch", CAUSE: True, "loss": value, "recomputed": std,
                          "rows": int(rows), "standard_loss": name,
                          "explains": ["no-learning", "stalled", "stuck-at-chance", "update-ratio", "late-start"]},
                causes=[f"the {name} is already the mean over the batch (reduction='mean'); dividing it by the batch "
                        "size again (loss / len(y), or / batch_size) divides every gradient by the batch size too, "
                        "so a learning rate tuned for the mean loss barely moves the weights"],
                fixes=["Drop the second division: loss = F.cross_entropy(out, y) (already averaged), or sum with "
                       "reduction='sum' and divide once; or raise the learning rate by the batch size."])]
    return []


MAX_FACTOR = 64  # a whole multiple up to this: an accumulation count or a hand-set weight, not a sum over the rows


def multiplied_loss_factor(loss: Any, outputs: Any, targets: Any, optimizer: Any) -> tuple[str, int] | None:
    """(standard loss, k) when the loss is exactly k times a standard mean loss of the outputs (k a whole number,
    2..MAX_FACTOR, not the batch's row count), under a non-adaptive optimizer; else None.

    The mirror of ``divided_by_batch_findings``: a gradient-accumulation recipe divides the batch loss by the
    accumulation steps, and multiplying by them instead (or a loss weight meant for another term) makes every
    gradient k times larger; plain SGD (step = lr x gradient) then steps as if the rate were k times higher.
    Adam-family optimizers divide by the gradient's own size, so the factor cancels there. The caller names it
    only when step symptoms follow (a ``Suspect``)."""
    read = _raw_step_loss(loss, targets, optimizer)
    if read is None:
        return None
    value, rows = read
    for name, std in standard_losses(outputs, targets).items():
        if not std > MIN_LOSS:
            continue
        k = round(value / std)
        if 2 <= k <= MAX_FACTOR and k != rows and abs(value - k * std) <= MATCH * max(1.0, k * std):
            return name, int(k)
    return None
