"""A bounded activation on the output layer of a Keras model whose loss takes logits (``from_logits=True``).

Why: logits must range over the whole real line. ``Dense(K, activation='relu')`` (the hidden layers'
line copied for the output) makes every logit >= 0, and an output unit whose input goes negative is
stuck at 0 with no gradient, so its class can never be raised or lowered again; ``tanh``, ``sigmoid`` or
``hard_sigmoid`` bound the logits to a narrow band, so the softmax can never become confident and the
loss has a floor. The loss's ``from_logits`` flag and the output layer's activation say it at once.
(PyTorch's activation/loss wiring is judged by checks/static.py.)
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .model_view import BINARY_CE, CATEGORICAL_CE, SPARSE_CE, LossView, OutputView
from .structure import CAUSE

BOUNDED = {"relu": "every logit is >= 0 and a unit that goes negative is stuck at 0 with no gradient",
           "relu6": "every logit is clipped to [0, 6] and a unit that goes negative is stuck at 0",
           "tanh": "every logit is squeezed into (-1, 1), so the softmax can never become confident",
           "sigmoid": "every logit is squeezed into (0, 1), so the softmax can never become confident (the right class "
                      "gets at most e / (e + K - 1)) and the loss has a floor",
           "hard_sigmoid": "every logit is squeezed into [0, 1], so the softmax can never become confident",
           "softsign": "every logit is squeezed into (-1, 1), so the softmax can never become confident"}


def bounded_logits_findings(out: OutputView | None, loss: LossView | None) -> list[Finding]:
    """wrong-output-activation for a relu/tanh/... output before a categorical loss with from_logits=True."""
    if out is None or loss is None or out.framework != "keras" or not loss.from_logits:
        return []
    if loss.kind not in (SPARSE_CE, CATEGORICAL_CE, BINARY_CE) or out.activation not in BOUNDED:
        return []
    if out.activation == "sigmoid" and loss.kind == BINARY_CE:
        return []  # a sigmoid twice: named by structure.output_findings as such
    units = out.units
    return [Finding(
        "wrong-output-activation", Severity.WARNING,
        f"{out.spelled()} before {loss.name}(from_logits=True): {BOUNDED[out.activation]}",
        evidence={"subject": out.layer, CAUSE: True, "activation": out.activation, "units": units,
                  "loss": loss.name, "from_logits": True},
        causes=["a loss with from_logits=True applies the softmax (or sigmoid) itself and expects raw scores over "
                f"the whole real line; activation='{out.activation}' on the output bounds them"],
        fixes=[f"Remove the activation on the output layer: Dense({units}) (a linear layer, raw logits) and keep "
               "from_logits=True."])]
