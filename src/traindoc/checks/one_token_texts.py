"""Token sequences in which every text is a single token: the tokenizer split on a separator the texts lack.

Why: a tokenizer written for comma-separated tags (``text.split(',')``) and reused on sentences, or a
vocabulary keyed by whole strings, turns each text into one "word". The padded id rows then hold one
id each, and nearly every training text has its own id: the model memorises the ids, and every
validation text is out of vocabulary. Read from the sampled training rows of a model that starts with
an Embedding: most rows hold one non-padding id, the rows have room for more, and the ids are
nearly as many as the rows; named when the validation loss never improved (nothing carries over).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .model_view import nested_layers
from .structure import CAUSE

MIN_ROWS = 64
ONE_TOKEN_SHARE = 0.9  # this share of the rows hold exactly one non-padding id
DISTINCT_SHARE = 0.5  # ...and there are at least this many distinct ids per row
MIN_STEPS = 4  # the rows have room for this many tokens
NO_GAIN = 0.9  # a validation loss that never fell below this share of its first reading


def _no_validation_gain(val_losses: list[float]) -> bool:
    """The validation loss never fell below NO_GAIN of its first reading (or ended above it)."""
    return len(val_losses) >= 3 and (min(val_losses) >= NO_GAIN * val_losses[0] or val_losses[-1] > val_losses[0])


def one_token_texts_finding(model: Any, x: Any, val_losses: list[float], step: float) -> Finding | None:
    """overfitting: the sampled id rows hold one token per text, nearly one id per text."""
    if x is None or not any(type(lay).__name__ == "Embedding" for lay in nested_layers(model)):
        return None
    ids = np.asarray(x)
    if ids.ndim != 2 or ids.shape[0] < MIN_ROWS or ids.shape[1] < MIN_STEPS or ids.dtype.kind not in "iu":
        return None
    filled = ids != 0
    per_row = filled.sum(axis=1)
    one = per_row == 1
    if one.mean() < ONE_TOKEN_SHARE:
        return None
    distinct = len(np.unique(ids[filled]))
    if distinct < DISTINCT_SHARE * ids.shape[0] or not _no_validation_gain(val_losses):
        return None
    return Finding(
        "overfitting", Severity.WARNING,
        f"{one.mean():.0%} of the sampled training texts are a single token (rows of {ids.shape[1]} positions hold "
        f"one id each) and there are {distinct} distinct ids for {ids.shape[0]} rows: each whole text became one "
        f"'word', which the model memorises while validation texts are out of vocabulary",
        steps=[1.0, step],
        evidence={"subject": "one-token-texts", "one_token_share": round(float(one.mean()), 3),
                  "distinct_ids": distinct, "rows": int(ids.shape[0]), CAUSE: True,
                  "explains": ["overfitting", "stuck-at-chance", "loss-metric-mismatch", "label-problem"]},
        causes=["the tokenizer splits on a separator the texts do not contain (text.split(',') on space-separated "
                "sentences), so each text is one token"],
        fixes=["Split the texts on the separator they use (text.split() for words, or TextVectorization's default "
               "whitespace split), so that each text becomes a sequence of word ids."])
