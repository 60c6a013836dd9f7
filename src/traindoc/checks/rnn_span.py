"""A plain (Elman) recurrent layer over long sequences, in a run that fit poorly.

Why: a SimpleRNN (torch ``nn.RNN``) carries its state through ``tanh(W h + U x)``; the gradient from
the loss to an early step is a product of one Jacobian per later step, each usually below 1 in size,
so after a few dozen steps what happened early no longer reaches the loss (Bengio et al. 1994). LSTM
and GRU layers add a gated path that keeps the gradient. The layer and the sequence length are read
from the model; the finding is given only when the run fit poorly (a SimpleRNN over long windows
whose label sits in the last steps learns fine).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

LONG_STEPS = 30  # a plain RNN over this many steps or more: early steps' gradients shrink by ~0.8^30 ~ 1e-3


def _steps(layer: Any) -> int | None:
    try:
        shape = tuple(layer.input.shape)
    except Exception:
        return None
    if len(shape) != 3 or not isinstance(shape[1], int):
        return None
    return int(shape[1])


def _plain_rnns(model: Any) -> list[Any]:
    out = []
    for lay in getattr(model, "layers", []) or []:
        kind = type(lay).__name__
        if kind in ("Sequential", "Functional"):
            out += _plain_rnns(lay)
        elif kind == "SimpleRNN" or kind == "Bidirectional" and type(getattr(lay, "forward_layer", None)).__name__ \
                == "SimpleRNN":
            out.append(lay)
    return out


def long_simple_rnn_finding(model: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """vanishing-gradients: a Keras SimpleRNN run over LONG_STEPS or more time steps, in a run that fit poorly."""
    if not poor_fit:
        return None
    for lay in _plain_rnns(model):
        steps = _steps(lay)
        if steps is None or steps < LONG_STEPS:
            continue
        return Finding(
            "vanishing-gradients", Severity.WARNING,
            f"{type(lay).__name__} '{lay.name}' runs over {steps} time steps, and {moved}",
            steps=[step], evidence={"subject": "long-simple-rnn", CAUSE: True, "layer": lay.name, "time_steps": steps,
                                    "explains": ["stuck-at-chance", "no-learning", "stalled", "vanishing-gradients",
                                                 "overfitting"]},
            causes=[f"a plain SimpleRNN multiplies the gradient by one tanh Jacobian per step, so through {steps} "
                    "steps the gradient from the loss to the early steps vanishes: the layer cannot learn long-range "
                    "dependencies (what decides the label early in the sequence never reaches the loss)"],
            fixes=["Use a gated recurrent layer: LSTM or GRU (layers.LSTM(units) / layers.GRU(units) in place of "
                   "SimpleRNN), or shorten the sequences to the steps that matter."])
    return None
