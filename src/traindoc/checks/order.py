"""Does the training loop reorder the data itself? The data check's batch-order verdict depends on it.

Batches read in the order a loader or array stores them are the order trained on only when
nothing reshuffles them: a DataLoader with a random (or shuffling distributed) sampler does, and
so does Keras ``fit`` on in-memory arrays (``shuffle=True`` is its default). Sorted data is then
no training problem, only a hazard for splits taken from its end.
"""

from __future__ import annotations

from typing import Any

from .model_view import is_keras


def loop_shuffles(model: Any, loader: Any, shuffle: bool | None = None) -> bool | None:
    """True / False when known (said by the caller, or read from the loader or framework), else None."""
    if shuffle is not None:
        return bool(shuffle)
    sampler = getattr(loader, "sampler", None)
    if sampler is not None and hasattr(loader, "batch_size"):
        name = type(sampler).__name__
        if name == "SequentialSampler":
            return False
        if hasattr(sampler, "shuffle"):  # DistributedSampler
            return bool(sampler.shuffle)
        return name in ("RandomSampler", "WeightedRandomSampler", "SubsetRandomSampler")
    if is_keras(model) and isinstance(loader, (list, tuple)):
        return True  # arrays handed to fit(x, y) are reshuffled every epoch unless shuffle=False
    return None
