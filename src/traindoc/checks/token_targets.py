"""Targets that are tokens: one class id per position of a sequence (a language model, a tagger).

Why: the class-imbalance rule counts how often each label occurs and warns at a 10x skew. Word
and character frequencies are skewed by nature (Zipf), and so are tag sets ("O" outnumbers every
entity); weighting a language model's loss by inverse token frequency is no fix. Such targets are
recognised from what the loop already hands over: integer targets of shape (batch, positions)
scored by outputs of shape (batch, positions, classes), or a model whose input vocabulary (an
``nn.Embedding``) is its output classes, which is what a language model predicts.
"""

from __future__ import annotations

from typing import Any

PER_POSITION_SERIES = "target_per_position"  # 1.0: the labels are per-position tokens (watch records it once)


def per_position_targets(model: Any, targets: Any, outputs: Any) -> bool:
    """Whether the integer targets are one class per sequence position (or the model's own tokens)."""
    import torch
    from torch import nn

    if not isinstance(targets, torch.Tensor) or targets.is_floating_point() or targets.numel() == 0:
        return False
    if isinstance(outputs, torch.Tensor) and targets.dim() >= 2 and outputs.dim() == targets.dim() + 1 \
            and tuple(outputs.shape[:-1]) == tuple(targets.shape) and targets.shape[1] > 1:
        return True
    width = outputs.shape[-1] if isinstance(outputs, torch.Tensor) and outputs.dim() >= 2 else None
    if width is None or not isinstance(model, nn.Module):
        return False
    return any(isinstance(m, nn.Embedding) and m.num_embeddings == width for m in model.modules())
