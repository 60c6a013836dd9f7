"""A cross-entropy below zero: the loss is not measuring what it should.

Why: every cross-entropy and negative log-likelihood is >= 0 when its inputs are what it expects
(log-probabilities for NLLLoss, labels in [0, 1] or one-hot rows for the binary and categorical
losses). A value below zero is never a training dynamic: ``nn.NLLLoss`` fed raw outputs instead of
``log_softmax`` (it then falls without bound, looking like fast learning), or targets outside
the loss's domain. One finding, at the first negative value, names the change.
"""

from __future__ import annotations

from ..findings import Finding, Severity

TOLERANCE = -1e-6  # float rounding of a loss at ~0 is not "negative"

# What a negative value means, per kind of loss ("ce"/"nll"/"bce"/"bce_logits" as checks.static.loss_kind
# names them; Keras' compiled losses map onto the same kinds).
_CAUSE_FIX = {
    "nll": ("NLLLoss expects log-probabilities; given raw outputs (no log_softmax) it rewards large "
            "outputs without bound",
            "apply log_softmax to the outputs before NLLLoss, or use CrossEntropyLoss on the raw outputs"),
    "ce": ("targets outside the loss's domain: soft or one-hot targets with negative entries, or not "
           "summing to 1",
           "give class ids, or target rows of non-negative probabilities that sum to 1"),
    "bce": ("targets outside [0, 1] (e.g. -1/+1 labels, or unscaled values) for a binary cross-entropy",
            "map the targets to 0 and 1 (e.g. (y + 1) / 2 for -1/+1 labels)"),
    "bce_logits": ("targets outside [0, 1] (e.g. -1/+1 labels, or unscaled values) for a binary "
                   "cross-entropy", "map the targets to 0 and 1 (e.g. (y + 1) / 2 for -1/+1 labels)"),
}


def negative_cross_entropy(kind: str | None, loss_name: str, value: float, step: int,
                           class_ids: bool = False) -> Finding | None:
    """The finding for a cross-entropy of kind ``kind`` that reached ``value`` < 0 at ``step``.

    ``class_ids``: every target seen was a class id within the outputs. A cross-entropy of such targets
    cannot go below zero, so neither the targets nor the loss's domain is at fault: the computed loss
    holds another term, with the wrong sign.
    """
    if kind not in _CAUSE_FIX or not value < TOLERANCE:
        return None
    if class_ids and kind == "ce":
        return Finding("loss-metric-mismatch", Severity.ERROR,
                       f"{loss_name} fell below zero ({value:.3g}) although every target is a class id within the "
                       "outputs: a term of the loss has the wrong sign",
                       steps=[float(step)], evidence={"subject": "loss.sign-of-a-term", "loss": value,
                                                      "loss_kind": kind, "cause": True,
                                                      "explains": ["divergence", "exploding-gradients"]},
                       causes=["a penalty or regulariser subtracted where it should be added (loss = ce - lam * "
                               "penalty, kept from a log-posterior written as likelihood minus penalty): a "
                               "cross-entropy of class ids is never below zero, and the subtracted term rewards "
                               "growing weights without bound"],
                       fixes=["Add the penalty: loss = ce + lam * penalty (print each term of the loss: the "
                              "cross-entropy alone stays >= 0)."])
    cause, fix = _CAUSE_FIX[kind]
    return Finding("label-problem", Severity.ERROR,
                   f"{loss_name} fell below zero ({value:.3g}): a cross-entropy cannot be negative",
                   steps=[float(step)], evidence={"subject": "loss", "loss": value, "loss_kind": kind, "cause": True},
                   causes=[cause, "a loss wrongly logged (a sign flipped, a regulariser subtracted)"],
                   fixes=[fix[0].upper() + fix[1:]])
