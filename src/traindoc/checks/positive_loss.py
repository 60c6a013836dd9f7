"""Losses that take the log of the prediction need a positive output.

Keras' ``poisson`` loss is ``y_pred - y_true * log(y_pred + eps)``: a linear (or tanh, ELU...)
output predicts negative rates at initialisation, and the log of a negative number is NaN from
the first batch. The change is the output activation (exponential or softplus), not the learning
rate or gradient clipping that a NaN's generic advice suggests. Called by checks/structure.py
for the losses whose kind model_view.py does not list.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from .model_view import LossView, OutputView

LOG_PREDICTION_LOSSES = {"poisson"}  # Keras names (function or class, lower-cased) taking log(y_pred)
# Output activations whose range reaches below zero (a negative predicted rate is a NaN loss).
CAN_BE_NEGATIVE = {"linear", "tanh", "elu", "selu", "leaky_relu", "gelu", "silu", "swish"}


def positive_output_findings(out: OutputView, loss: LossView) -> list[Finding]:
    """A log-of-prediction loss on an output that can be negative: name the activation to use."""
    if out.framework != "keras" or loss.name.lower().replace("_", "") not in LOG_PREDICTION_LOSSES:
        return []
    if out.activation not in CAN_BE_NEGATIVE:
        return []
    from .structure import CAUSE

    units = out.units if out.units is not None else "?"
    return [Finding(
        "wrong-output-activation", Severity.WARNING,
        f"{out.spelled()} under {loss.name}: the loss takes log(prediction), and a {out.activation} output "
        "can be negative",
        evidence={"subject": out.layer, CAUSE: True, "activation": out.activation, "units": out.units,
                  "loss": loss.name},
        causes=[f"the {loss.name} loss needs a positive predicted rate; log of a negative prediction is NaN from "
                "the first batch, so the run fails whatever the learning rate"],
        fixes=[f"Give the output a positive activation: Dense({units}, activation='exponential') (the usual "
               "log link for counts) or activation='softplus'.",
               "Or keep the output linear as a log-rate and use the loss on its exponential."])]
