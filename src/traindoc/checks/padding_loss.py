"""Padding scored as a class: a per-token CrossEntropyLoss that nothing tells to skip the padded positions.

Why: sequences are padded to one length, and a tagger's or seq2seq model's targets get a tag at every
position, padding included. Unless the loss ignores it (``ignore_index`` = the padding tag, or targets
of -100 there), the mean loss is mostly "predict padding where the input is padding": it falls fast,
accuracy looks high, and the real tokens are learned slowly (a frequent forum question: "loss is low
but the predictions are bad; should padding be in the loss?"). It is visible from the first step:
the inputs hold a padding id in a run at the end (or start) of each row, the targets at exactly those
positions are one tag, and a mean-reduced CrossEntropyLoss/NLLLoss in the loss has another ignore_index.
A loss with ``reduction='none'`` (masked by hand) or no loss module at all is left alone.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .loss_wiring import loss_modules
from .structure import CAUSE

MIN_PAD_SHARE = 0.2  # padding must be at least this share of the target positions to matter
MIN_ROWS = 8


def _pad_id(model: Any) -> int:
    """The padding id the model's embedding declares, else 0 (the usual convention)."""
    from torch import nn

    for m in getattr(model, "modules", lambda: [])():
        if isinstance(m, nn.Embedding) and m.padding_idx is not None:
            return int(m.padding_idx)
    return 0


def _edge_runs(mask: Any) -> bool:
    """Whether every row's padding is one run touching the row's end (or its start)."""
    import torch

    rev = torch.flip(mask, [1])
    tail = torch.cumprod(rev.int(), 1).sum(1)  # length of the run of padding at the end of each row
    head = torch.cumprod(mask.int(), 1).sum(1)
    count = mask.sum(1)
    return bool(((tail == count) | (head == count)).all())


def padded_targets_findings(model: Any, loss_fn: Any, inputs: Any, targets: Any) -> list[Finding]:
    """label-problem when a mean cross-entropy scores padded positions whose targets are one padding tag."""
    import torch

    if not (isinstance(inputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        return []
    if inputs.is_floating_point() or targets.is_floating_point() or inputs.dim() != 2:
        return []
    if targets.shape != inputs.shape and not (targets.dim() == 1 and targets.numel() == inputs.numel()):
        return []
    if inputs.shape[0] < MIN_ROWS or inputs.shape[1] < 2:
        return []
    ces = [m for m in loss_modules(loss_fn) if type(m).__name__ in ("CrossEntropyLoss", "NLLLoss")
           and getattr(m, "reduction", "mean") == "mean"]
    if not ces:
        return []
    with torch.no_grad():
        x, y = inputs.detach(), targets.detach().reshape(inputs.shape)
        pad = _pad_id(model)
        mask = x == pad
        share = float(mask.float().mean())
        if share < MIN_PAD_SHARE or not _edge_runs(mask):
            return []
        tags = torch.unique(y[mask])
        if tags.numel() != 1:
            return []
        tag = int(tags[0])
    if any(getattr(m, "ignore_index", None) == tag for m in ces):
        return []
    name = type(ces[0]).__name__
    return [Finding(
        "label-problem", Severity.WARNING,
        f"{name} scores the padding: {share:.0%} of the target positions are padding (input id {pad}), all "
        f"tagged {tag}, and the loss does not ignore them",
        evidence={"subject": "padding-in-loss", CAUSE: True, "pad_id": pad, "pad_tag": tag,
                  "pad_share": round(share, 4), "loss": name},
        causes=["padded positions are trained as real tokens of tag " f"{tag}: most of the mean loss is 'predict "
                "padding on padding', which is easy, so the loss looks low while the real tokens are learned "
                "slowly and the accuracy is inflated by the padding"],
        fixes=[f"Leave the padding out of the loss: {name}(ignore_index={tag}) if tag {tag} is only used for "
               "padding, or set the targets at the padded positions to -100 (the default ignore_index).",
               "Count accuracy on the real tokens only (mask = inputs != pad)."])]
