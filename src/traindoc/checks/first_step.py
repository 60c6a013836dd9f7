"""Checks on the first step ``watch`` sees: the loss, outputs and targets the loop already has in hand.

Nothing here runs the model: each check reads values the training step computed anyway (the
loss, the output, the targets, the input shapes a recurrent layer was called with) and a few
cheap reductions over one batch, once.

* the loss equals a cross-entropy normalised over the batch axis (``log_softmax(out, dim=0)``);
* class weights that grow with the class's frequency (counts passed where inverse counts belong);
* a recurrent or attention layer that reads dim 1 as the batch while the batch sits on dim 0
  (``batch_first=False`` fed ``(batch, time, feature)``), or the reverse.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_ROWS = 8  # fewer rows than this cannot tell two normalisation axes apart
MATCH = 1e-3  # relative agreement that says the loss *is* the wrong-axis cross-entropy
APART = 0.05  # and the right-axis one differs by more than this
MIN_WEIGHT_RATIO = 2.0  # class weights spanning less than this are a mild adjustment, not a bug
MIN_FREQ_RATIO = 2.0  # and the classes must be imbalanced for the ordering to matter


def _float(loss: Any) -> float | None:
    from ._torch import as_float

    v = as_float(loss)
    return v if math.isfinite(v) else None


def softmax_axis_findings(loss: Any, outputs: Any, targets: Any, loss_fn: Any = None) -> list[Finding]:
    """The step's loss is exactly the cross-entropy with the softmax over dim 0 (the samples), not dim 1."""
    import torch
    import torch.nn.functional as F

    if not (isinstance(outputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return []
    if outputs.dim() != 2 or targets.dim() != 1 or targets.is_floating_point() or not outputs.is_floating_point():
        return []
    b, c = outputs.shape
    if b < MIN_ROWS or c < 2 or targets.shape[0] != b or getattr(loss_fn, "weight", None) is not None:
        return []
    value = _float(loss)
    if value is None:
        return []
    with torch.no_grad():
        o, y = outputs.detach().float(), targets.detach().long()
        if int(y.min()) < 0 or int(y.max()) >= c:
            return []
        right = float(F.cross_entropy(o, y))
        wrong = float(F.nll_loss(F.log_softmax(o, dim=0), y))
    scale = max(1.0, abs(wrong))
    if abs(value - wrong) > MATCH * scale or abs(value - right) <= APART * max(1.0, abs(right)):
        return []
    return [Finding("wrong-output-activation", Severity.ERROR,
                    f"the loss ({value:.4g}) is the cross-entropy with the softmax taken over the batch (dim 0), "
                    f"not over the {c} classes (dim 1, which would give {right:.4g})",
                    evidence={"subject": "loss", CAUSE: True, "loss": value, "over_dim0": wrong, "over_dim1": right,
                              "batch": b, "classes": c},
                    causes=[f"log_softmax/softmax with dim=0 normalises each class's scores across the {b} samples "
                            f"of the batch, so the loss starts near ln({b}) = {math.log(b):.3g} instead of "
                            f"ln({c}) = {math.log(c):.3g} and is lowered by ranking samples against each other, "
                            "not by picking each sample's class"],
                    fixes=["Normalise over the class axis: F.log_softmax(out, dim=1) (or dim=-1), or drop it and "
                           "use nn.CrossEntropyLoss on the raw outputs."])]


def class_weight_findings(loss_fn: Any, targets: Any) -> list[Finding]:
    """Class weights that rise with the class's frequency: the majority is weighted most, rare classes vanish."""
    import torch

    w = getattr(loss_fn, "weight", None)
    if not isinstance(w, torch.Tensor) or w.dim() != 1 or w.numel() < 2 or not isinstance(targets, torch.Tensor):
        return []
    if targets.dim() != 1 or targets.is_floating_point() or targets.numel() < 4 * w.numel():
        return []
    y = targets.detach().long().cpu()
    if int(y.min()) < 0 or int(y.max()) >= w.numel():
        return []
    counts = torch.bincount(y, minlength=w.numel()).double()
    weights = w.detach().double().cpu()
    seen = counts > 0
    if int(seen.sum()) < 2 or not bool((weights[seen] > 0).all()):
        return []
    c, ws = counts[seen], weights[seen]
    if float(ws.max() / ws.min()) < MIN_WEIGHT_RATIO or float(c.max() / c.min()) < MIN_FREQ_RATIO:
        return []
    # The most frequent class is weighted most: the weights follow the counts (one batch is too small
    # to rank the rare classes among themselves, so only the majority's place is read).
    if int(torch.argmax(c)) != int(torch.argmax(ws)):
        return []
    share = (c / c.sum()).tolist()
    shown = ", ".join(f"{v:.3g}" for v in weights.tolist()[:6])
    return [Finding("class-imbalance", Severity.WARNING,
                    f"the loss's class weights ({shown}) grow with the class frequencies: the most common class "
                    "is weighted most",
                    evidence={"subject": "loss.weight", CAUSE: True, "weights": weights.tolist()[:20],
                              "batch_shares": [round(s, 3) for s in share][:20]},
                    causes=["class weights are meant to up-weight rare classes; weights proportional to the class "
                            "counts do the opposite, so the model learns to predict the majority class and its "
                            "accuracy only reflects that class's share"],
                    fixes=["Use inverse-frequency weights: weight = counts.sum() / (num_classes * counts) (or pass "
                           "1 / counts), not the counts themselves."])]


RNN_TYPES = ("RNN", "LSTM", "GRU", "MultiheadAttention")


def record_rnn_inputs(model: Any, wrap: Any) -> tuple[dict[str, tuple], list]:
    """One-shot forward pre-hooks on recurrent/attention layers: each records its first input's shape."""
    from torch import nn

    shapes: dict[str, tuple] = {}
    handles: list = []
    for name, m in model.named_modules():
        if not isinstance(m, (nn.RNNBase, nn.MultiheadAttention)):
            continue

        def hook(mod, args, _name=name):
            x = args[0] if args else None
            if hasattr(x, "shape") and hasattr(x, "dim") and x.dim() == 3:
                shapes.setdefault(_name, (tuple(int(s) for s in x.shape), bool(getattr(mod, "batch_first", False)),
                                          type(mod).__name__))

        handles.append(m.register_forward_pre_hook(wrap(hook)))
    return shapes, handles


def rnn_layout_findings(shapes: dict[str, tuple], targets: Any) -> list[Finding]:
    """A layer reads dim 1 (or 0) as the batch while the batch of targets sits on the other one."""
    b = getattr(targets, "shape", None)
    if not b or len(b) != 1:  # one label per sequence: per-step labels may be time-major themselves
        return []
    b = int(b[0])
    out = []
    for name, (shape, batch_first, kind) in shapes.items():
        d0, d1 = shape[0], shape[1]
        if d0 == d1:
            continue
        if not batch_first and d0 == b and d1 != b:
            msg = (f"{kind} '{name}' has batch_first=False, so it reads dim 1 as the batch, but its input is "
                   f"{shape} with the {b} samples on dim 0")
            why = (f"the layer steps through the {b} samples of the batch as if they were time steps and treats "
                   f"the {d1} time steps as separate sequences: each output mixes different samples and no longer "
                   "belongs to its own label")
            fix = f"Build it with batch_first=True: nn.{kind}(..., batch_first=True) (or feed x.transpose(0, 1))."
        elif batch_first and d1 == b and d0 != b:
            msg = (f"{kind} '{name}' has batch_first=True, so it reads dim 0 as the batch, but its input is {shape} "
                   f"with the {b} samples on dim 1")
            why = ("the layer runs across the samples of the batch as if they were time steps, so each output mixes "
                   "different samples and no longer belongs to its own label")
            fix = f"Drop batch_first=True (time-major input), or feed x.transpose(0, 1) to nn.{kind}."
        else:
            continue
        out.append(Finding("label-problem", Severity.WARNING, msg,
                           evidence={"subject": name, CAUSE: True, "input_shape": list(shape),
                                     "batch_first": batch_first, "batch": b},
                           causes=[why], fixes=[fix]))
    return out
