"""Does the model standardise its own inputs? A BatchNorm as the first layer is an input scaler.

Raw features fed into ``nn.Sequential(nn.BatchNorm1d(d), ...)`` are fine in training mode: the
layer standardises each batch before anything else sees it, so calling those inputs unnormalised
is a false alarm. The same layer in eval mode with running statistics never updated (mean 0,
variance 1: ``model.eval()`` left on, ``model.train()`` never called) passes the raw values
straight through; then the inputs really are unnormalised, and the fix is the mode, not a scaler.
Shared by ``check``'s data section and the live watcher's unnormalized-input rule.
"""

from __future__ import annotations

from typing import Any

NORMALISES = "normalises"  # the first layer standardises the inputs (train mode, or learned running stats)
INPUT_NORM_SERIES = "input_norm_layer"  # the watcher's record: 1 the model scales its inputs, 0 eval-untouched
EVAL_UNTOUCHED = "eval-untouched"  # a first BatchNorm in eval mode whose running stats were never updated

# What the unnormalized-input finding says when the cause is the mode.
EVAL_CAUSE = ("the model's first layer is a BatchNorm left in eval mode (model.eval() without model.train()): "
              "it uses its initial running statistics (mean 0, variance 1) instead of the batch's, so the raw "
              "inputs reach the network unscaled")
EVAL_FIX = ("Call model.train() before the training loop (and model.eval() only around evaluation), so the "
            "first BatchNorm standardises each batch and updates its running statistics.")


def _first_leaf(model: Any) -> Any:
    """The first module without children, in registration order (the input end of a Sequential)."""
    for m in model.modules():
        if not any(True for _ in m.children()):
            return m
    return None


def input_norm_state(model: Any, inputs: Any = None) -> str | None:
    """NORMALISES, EVAL_UNTOUCHED, or None (no input BatchNorm, not a torch model, unreadable).

    ``inputs``: a batch; when given, the BatchNorm must take its channel count (a layer registered
    first but applied later, to hidden features, is not the input scaler).
    """
    try:
        from torch.nn.modules.batchnorm import _BatchNorm
    except Exception:
        return None
    if not hasattr(model, "modules"):
        return None
    try:
        first = _first_leaf(model)
        if not isinstance(first, _BatchNorm):
            return None
        shape = getattr(inputs, "shape", None)
        if shape is not None and (len(shape) < 2 or int(shape[1]) != first.num_features):
            return None
        if first.training and first.track_running_stats is not False:
            return NORMALISES
        if first.training:  # no running statistics: batch statistics in either mode
            return NORMALISES
        rm, rv = first.running_mean, first.running_var
        if rm is None or rv is None:
            return NORMALISES
        untouched = bool((rm == 0).all()) and bool((rv == 1).all())
        return EVAL_UNTOUCHED if untouched else NORMALISES
    except Exception:
        return None
