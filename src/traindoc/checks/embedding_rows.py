"""A frozen pretrained embedding filled one row off: every token is looked up with its neighbour's vector.

Pretrained word vectors are copied into an embedding matrix by the tokenizer's ids, which start
at 1 (0 is padding). Writing ``matrix[i - 1] = vectors[word]`` (or building the vocabulary from
0 while the tokenizer counts from 1) shifts every row: row 0, which no token uses, holds the first
word's vector, and the highest id's row stays all zeros. With the embedding frozen nothing can
repair it; the model sees each word through another word's features and fits poorly. The
evidence is in the matrix and the ids fed to it, before any step: id 0 never occurs, yet its row
is the one filled, while the row of the largest id in use is empty. Named when the run agrees
(the model did not fit its training data).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity

MIN_ROWS = 3


def shifted_rows(matrix: np.ndarray, ids: np.ndarray) -> dict | None:
    """The evidence of a one-row shift, or None: id 0 unused with a filled row, the top used id's row empty."""
    m = np.asarray(matrix, dtype="float64")
    ids = np.asarray(ids)
    if m.ndim != 2 or m.shape[0] < MIN_ROWS or ids.size == 0 or ids.dtype.kind not in "iu":
        return None
    used = np.unique(ids)
    if used.min() < 0 or used.max() >= m.shape[0] or 0 in used:
        return None
    norms = np.linalg.norm(m, axis=1)
    top = int(used.max())
    if not (norms[0] > 0 and norms[top] == 0):
        return None
    zero_used = int(np.sum(norms[used] == 0))
    return {"row0_norm": float(norms[0]), "top_id": top, "zero_rows_in_use": zero_used, "ids_in_use": int(used.size)}


def frozen_embeddings(model: Any) -> list[Any]:
    """The model's first layer when it is a frozen (non-trainable) Keras Embedding fed the model's inputs."""
    leaves = []
    stack = list(getattr(model, "layers", None) or [])
    while stack:
        lay = stack.pop(0)
        if getattr(lay, "layers", None):
            stack = list(lay.layers) + stack
        elif type(lay).__name__ != "InputLayer":
            leaves.append(lay)
    if not leaves or type(leaves[0]).__name__ != "Embedding" or getattr(leaves[0], "trainable", True):
        return []
    return leaves[:1]


def embedding_rows_finding(model: Any, ids: np.ndarray | None, poor_fit: bool, moved: str,
                           step: float) -> Finding | None:
    """stalled, with the shifted embedding as its cause, when the evidence holds and the run fit poorly."""
    if ids is None or not poor_fit:
        return None
    for layer in frozen_embeddings(model):
        try:
            import keras

            matrix = np.asarray(keras.ops.convert_to_numpy(layer.embeddings))
        except Exception:
            continue
        ev = shifted_rows(matrix, ids)
        if ev is None:
            continue
        from .structure import CAUSE

        return Finding(
            "stalled", Severity.WARNING,
            f"the frozen Embedding {layer.name} looks filled one row off: id 0 never occurs in the inputs but its row "
            f"holds a vector, while the row of the largest id in use ({ev['top_id']}) is all zeros; and {moved}",
            steps=[1.0, step], evidence={"subject": "embedding-rows", "layer": layer.name, **ev, CAUSE: True},
            causes=["the pretrained vectors were copied into the matrix with an off-by-one index (matrix[i - 1] = "
                    "vector for a tokenizer whose ids start at 1): each word is looked up with its neighbour's vector, "
                    "and the frozen embedding cannot correct it"],
            fixes=["Fill the embedding matrix by the tokenizer's own ids: matrix[i] = vectors[word] for word, i in "
                   "word_index.items() (row 0 stays zeros for padding), with input_dim = len(word_index) + 1."])
    return None
