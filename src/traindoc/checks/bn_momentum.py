"""A Keras BatchNormalization given PyTorch's momentum (0.1): the moving statistics follow the last batches.

Why: in PyTorch ``BatchNorm(momentum=0.1)`` is the weight of the *new* batch; in Keras ``momentum`` is
the weight of the *old* moving statistics (default 0.99). Ported as ``momentum=0.1``, each update keeps
a tenth of the moving mean and variance, so at evaluation they are those of the epoch's last few
batches (often a small remainder batch). Training is untouched; the validation loss, computed with the
moving statistics, jumps from epoch to epoch. Read from the layers' config; named when the validation
loss jumped up repeatedly while the training loss moved smoothly.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .model_view import nested_layers
from .structure import CAUSE

MAX_MOMENTUM = 0.5  # a Keras moving-statistics momentum below this is the torch convention
JUMP = 1.2  # a validation loss this many times the epoch before's
MIN_JUMPS = 2  # at least this many jumps...
MIN_EPOCHS = 5


def low_momentum_norms(model: Any) -> list[tuple[str, float]]:
    """(name, momentum) of each BatchNormalization whose moving statistics keep less than half their past."""
    out = []
    for lay in nested_layers(model):
        m = getattr(lay, "momentum", None)
        if type(lay).__name__ == "BatchNormalization" and isinstance(m, (int, float)) and m < MAX_MOMENTUM:
            out.append((lay.name, float(m)))
    return out


def _jumps(values: list[float]) -> int:
    return sum(1 for a, b in zip(values, values[1:]) if a > 0 and b > JUMP * a)


def bn_momentum_finding(model: Any, history: list[dict], step: float) -> Finding | None:
    """oscillation: validation loss jumping under BatchNormalization layers with momentum < 0.5."""
    norms = low_momentum_norms(model)
    train = [h.get("loss") for h in history]
    val = [h.get("val_loss") for h in history]
    if not norms or len(history) < MIN_EPOCHS:
        return None
    if any(not isinstance(v, float) or not math.isfinite(v) for v in train + val):
        return None
    jumps = _jumps(val)
    if jumps < MIN_JUMPS or jumps <= 2 * _jumps(train):
        return None  # the validation loss moved no more erratically than training's
    shown = ", ".join(f"{n} (momentum={m:g})" for n, m in norms[:3])
    return Finding(
        "oscillation", Severity.WARNING,
        f"the validation loss jumped up by more than {JUMP - 1:.0%} in {jumps} of {len(val) - 1} epochs while the "
        f"training loss fell smoothly, under BatchNormalization layers {shown}: their moving mean and variance "
        "keep only a small share of the past, so evaluation uses the statistics of the last few batches",
        steps=[1.0, step],
        evidence={"subject": "batchnorm-momentum", "layers": [n for n, _ in norms], "momentum": norms[0][1],
                  "val_jumps": jumps, CAUSE: True, "explains": ["oscillation", "loss-spikes", "overfitting"]},
        causes=["BatchNormalization(momentum=0.1) written with PyTorch's convention (the new batch's weight); in "
                "Keras momentum is the old moving statistics' weight, so they follow the last batches"],
        fixes=["Use Keras' convention: BatchNormalization(momentum=0.9) (PyTorch's 0.1 is 1 - 0.9) or the default "
               "0.99, so the moving mean and variance average over many batches."])
