"""A training set that is a few rows repeated: the model memorises them and validation stays behind.

A batching loop that slices the same rows every time (``x[0:32]`` where ``x[i:i + 32]`` was
meant), a generator that yields one batch forever, an ``np.tile`` or a join that multiplies
rows: the training array holds many exact copies of few rows. With continuous features two
different samples practically never agree in every value, so exact copies are the evidence.
Alone that is not a failure (oversampling repeats rows on purpose); it is named when the run
agrees: the validation loss ended far above the training loss, the memorisation it causes.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..findings import Finding, Severity

MIN_ROWS = 64
DISTINCT_SHARE = 0.5  # fewer distinct rows than this share of the sampled rows: the data is mostly copies
GAP = 3.0  # and the validation loss ended this many times the training loss


def distinct_rows(x: np.ndarray) -> tuple[int, int] | None:
    """(sampled rows, distinct rows) for continuous float inputs; None for discrete ones (ids, counts, pixels)."""
    a = np.asarray(x)
    if a.dtype.kind != "f" or a.ndim < 1 or len(a) < MIN_ROWS:
        return None
    a = a.reshape(len(a), -1)
    fin = a[np.isfinite(a)]
    if fin.size == 0 or np.mean(np.mod(fin, 1) != 0) < 0.5:
        return None  # mostly whole numbers: copies can be honest (categories, counts, 0-255 pixels)
    keys = {hashlib.blake2b(np.ascontiguousarray(r).tobytes(), digest_size=16).digest() for r in a}
    return len(a), len(keys)


def repeated_rows_finding(x: np.ndarray | None, train_loss: float | None, val_loss: float | None,
                          step: float) -> Finding | None:
    """overfitting, with its cause, when most sampled training rows are copies and validation ended far behind."""
    if x is None or train_loss is None or val_loss is None:
        return None
    counted = distinct_rows(x)
    if counted is None:
        return None
    rows, distinct = counted
    if distinct >= DISTINCT_SHARE * rows or not (val_loss > GAP * max(train_loss, 1e-12)):
        return None
    from .structure import CAUSE

    return Finding(
        "overfitting", Severity.WARNING,
        f"the training rows repeat: only {distinct} distinct rows among {rows} sampled (each seen ~{rows / distinct:.1f} "
        f"times), and the validation loss ended at {val_loss:.3g}, {val_loss / max(train_loss, 1e-12):.3g}x the "
        f"training loss ({train_loss:.3g})",
        steps=[1.0, step], evidence={"subject": "repeated-rows", "rows": rows, "distinct": distinct,
                                     "train_loss": train_loss, "val_loss": val_loss, CAUSE: True,
                                     "explains": ["overfitting"]},
        causes=["the training array is a few rows copied many times (a batching loop that slices the same rows each "
                "time, a generator that yields one batch, a tile or a join that multiplies rows): the model "
                "memorises those rows and learns little that carries over"],
        fixes=["Check how the training array is built: a loop that slices x[0:32] instead of x[i:i + 32], or a "
               "generator that repeats one batch; train on all the distinct rows (np.unique(x, axis=0) shows how "
               "few there are)."])
