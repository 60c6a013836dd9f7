"""A recurrent layer handed a PackedSequence that holds only padding: the sequences were padded at the front.

Why: ``pack_padded_sequence(x, lengths, batch_first=True)`` keeps the first ``length`` positions of each
row, which is right only when the padding sits at the end. Rows padded at the front (``pad_sequences``'
default ``padding='pre'``, a collate that left-pads) then pack their padding and drop their words: the
recurrent layer never reads a word, every sequence looks alike, and the loss stays at chance. The packed
steps say so directly: nearly all of them are one and the same vector (the padding's embedding), where
real words give as many vectors as the vocabulary has words. A one-shot forward pre-hook reads the first
packed batch; nothing is copied. Sparse data can also pack mostly empty steps (event sequences with an
event at one step in twenty), so the model's input must show the front padding itself: most rows start
empty and end with content.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_STEPS = 32  # packed steps needed to judge
SAME_SHARE = 0.9  # at least this share of the packed steps equal to one vector: padding, not words
FRONT_SHARE = 0.5  # ... and at least this share of the input rows start empty and end with content


def record_packed_padding(model: Any, wrap: Any) -> tuple[dict[str, tuple[float, int]], list]:
    """One-shot forward pre-hooks on recurrent layers: for the first PackedSequence each receives, the share of its
    steps equal to its most common step vector (tried: the first step, and the zero vector) and the step count."""
    import torch
    from torch import nn

    seen: dict[str, tuple[float, int]] = {}
    handles: list = []
    for name, m in model.named_modules():
        if not isinstance(m, nn.RNNBase):
            continue

        def hook(mod, args, _name=name):
            if _name in seen or not args or not isinstance(args[0], nn.utils.rnn.PackedSequence):
                return
            data = args[0].data.detach()
            if data.dim() != 2 or data.shape[0] < MIN_STEPS or not data.is_floating_point():
                return
            with torch.no_grad():
                first = float((data == data[0]).all(1).float().mean())
                zero = float((data == 0).all(1).float().mean())
            seen[_name] = (max(first, zero), int(data.shape[0]))

        handles.append(m.register_forward_pre_hook(wrap(hook)))
    return seen, handles


def front_padded_share(x: Any) -> float:
    """The share of the (batch, steps[, features]) input rows whose first step is empty (all zero) and last is not."""
    import torch

    if not isinstance(x, torch.Tensor) or x.dim() < 2 or x.shape[0] == 0 or x.shape[1] < 2:
        return 0.0
    filled = (x != 0).reshape(x.shape[0], x.shape[1], -1).any(-1)
    return float((~filled[:, 0] & filled[:, -1]).float().mean())


def packed_padding_findings(seen: dict[str, tuple[float, int]], inputs: Any = None) -> list[Finding]:
    """label-problem when a recurrent layer's packed steps are nearly all one vector and the input rows are front-padded."""
    if not seen:
        return []
    front = front_padded_share(inputs)
    for name, (share, steps) in seen.items():
        if share < SAME_SHARE or front < FRONT_SHARE:
            continue
        return [Finding(
            "label-problem", Severity.WARNING,
            f"{share:.0%} of the {steps} packed steps the recurrent layer '{name}' read are one and the same vector "
            "(the padding): the packed sequences hold padding, not the words",
            evidence={"subject": f"packed-padding/{name}", CAUSE: True, "same_share": share, "steps": steps,
                      "front_padded_rows": front,
                      "explains": ["stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"]},
            causes=["pack_padded_sequence keeps the first `length` positions of each row, which holds the words only "
                    "when the padding is at the end; sequences padded at the front (pre-padding: Keras' "
                    "pad_sequences default padding='pre', a left-padding collate) pack their padding and drop their "
                    "words, so every sequence looks alike to the recurrent layer"],
            fixes=["Pad at the end (post-padding: pad_sequences(..., padding='post'), or right-pad in the collate) "
                   "before pack_padded_sequence, so the first `length` positions of each row are its words."])]
    return []
