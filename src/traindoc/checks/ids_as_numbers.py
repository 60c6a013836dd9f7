"""Token ids fed to a recurrent layer as one numeric feature, with no Embedding.

Why: "LSTM text classifier stuck at 50%" often comes down to word ids reshaped to (N, T, 1) and
passed to the LSTM as numbers: id 31 is read as slightly more than id 30, neighbouring ids mean
unrelated words, and the network cannot tell words apart. The input-scale check only says the values
are large, and its advice (standardise) does not help; an Embedding does. Ids look unlike a numeric
series: whole numbers over a wide range that jump from step to step with no relation to the previous
one, spread over the whole vocabulary (a count series such as daily sales is also whole numbers, but
each step follows the last, or the counts gather around their mean), so the check needs all of these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .structure import CAUSE

MIN_DISTINCT = 10  # distinct whole numbers before the values read as a vocabulary
MAX_STEP_CORR = 0.3  # |correlation| of consecutive steps below this: ids, not a series
MIN_SPREAD = 0.45  # std / mean at least this: ids spread over the vocabulary (counts of mean >= 5 spread less)
MIN_ROWS = 16
RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN")


def looks_like_ids(x: Any) -> dict | None:
    """Evidence when (N, T) or (N, T, 1) values are whole numbers >= 0, many distinct, unrelated step to step."""
    try:
        a = np.asarray(x, dtype="float64")
    except (TypeError, ValueError):
        return None
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim != 2 or a.shape[0] < MIN_ROWS or a.shape[1] < 4 or not np.isfinite(a).all():
        return None
    if a.min() < 0 or not np.array_equal(a, np.round(a)):
        return None
    distinct = len(np.unique(a))
    if distinct < MIN_DISTINCT:
        return None
    if a.std() < MIN_SPREAD * max(a.mean(), 1e-12):
        return None
    prev, nxt = a[:, :-1].reshape(-1), a[:, 1:].reshape(-1)
    if prev.std() == 0 or nxt.std() == 0:
        return None
    corr = float(np.corrcoef(prev, nxt)[0, 1])
    if not abs(corr) < MAX_STEP_CORR:
        return None
    return {"distinct": distinct, "max_id": int(a.max()), "step_corr": round(corr, 3)}


def ids_as_numbers_finding(layer: str, x: Any, keras: bool, step: float = 1.0) -> Finding | None:
    """unnormalized-input naming the Embedding when a recurrent first layer is fed token ids as numbers."""
    ev = looks_like_ids(x)
    if ev is None:
        return None
    vocab = ev["max_id"] + 1
    fix = (f"Feed the ids, shape (N, T), to an Embedding first: keras.layers.Embedding({vocab}, 32) before the "
           "recurrent layer (and keras.Input((T,)) instead of (T, 1))." if keras else
           f"Feed the ids as a LongTensor of shape (N, T) to nn.Embedding({vocab}, 32) and give the recurrent "
           "layer its output (input_size=32).")
    return Finding(
        "unnormalized-input", Severity.WARNING,
        f"{layer} is fed {ev['distinct']} distinct whole numbers (0 to {ev['max_id']}) as one feature: token ids "
        "read as quantities",
        evidence={"subject": "ids-as-numbers", CAUSE: True, "layer": layer, **ev},
        causes=["ids passed as numbers make id 31 'a little more' than id 30, although they name unrelated "
                "tokens; the recurrent layer cannot tell tokens apart, so the model stays near chance"],
        fixes=[fix, "Or one-hot encode the ids if the vocabulary is tiny."], steps=[float(step)])


def keras_first_recurrent(model: Any) -> Any:
    """The Keras model's first layer if it is recurrent (the raw inputs reach it directly)."""
    layers = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ != "InputLayer"]
    if layers and type(layers[0]).__name__ in RECURRENT:
        return layers[0]
    inner = getattr(layers[0], "layer", None) if layers else None  # Bidirectional(LSTM(...))
    return layers[0] if inner is not None and type(inner).__name__ in RECURRENT else None
