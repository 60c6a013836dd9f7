"""A loss that sums over the batch instead of averaging: the same rows given twice give twice the loss.

Keras expects a loss to return one value per sample and averages them itself; a user's loss (a
``keras.losses.Loss`` subclass, a plain function) whose ``call`` returns ``ops.sum(...)`` over the whole
batch hands back one scalar that Keras leaves as it is. The loss and every gradient are then the batch size
times the mean's, and a learning rate picked for a mean loss is that many times too large.

The test needs no model call: the loss alone is evaluated on a few sampled target rows and a constant
prediction of the output's shape, once as they are and once with every row repeated twice. A mean (any
per-sample loss Keras averages) gives the same value both times; a sum gives exactly twice. Named only
as the cause of step symptoms the run shows (divergence, non-finite values, spikes), through
``checks.torch_config.attribute``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

ROWS = 16  # sampled target rows the loss is evaluated on
MIN_ROWS = 4
DOUBLED = 0.01  # relative tolerance on the ratio 2 (a sum) of the repeated batch's loss to the batch's


def _value(loss: Any, y: np.ndarray, p: np.ndarray) -> float | None:
    import keras

    v = loss(y, p)
    v = np.asarray(keras.ops.convert_to_numpy(v), dtype="float64")
    v = float(v.mean()) if v.size else math.nan  # a per-sample vector: Keras averages it
    return v if math.isfinite(v) else None


def sums_over_batch(loss: Any, targets: Any, row_shape: tuple | None) -> bool:
    """True when ``loss`` on the sampled rows repeated twice is twice its value on the rows (a sum over the batch).

    Built-in losses named by string are means by construction and are not evaluated; any failure (a loss
    that needs other inputs, a shape it rejects) answers False."""
    if loss is None or isinstance(loss, str) or not callable(loss) or targets is None or not row_shape:
        return False
    try:
        y = np.asarray(targets, dtype="float32")[:ROWS]
        if y.ndim < 1 or len(y) < MIN_ROWS or not np.all(np.isfinite(y)):
            return False
        p = np.full((len(y), *row_shape), 0.5, dtype="float32")
        one = _value(loss, y, p)
        two = _value(loss, np.concatenate([y, y]), np.concatenate([p, p]))
    except Exception:
        return False
    return one is not None and two is not None and one > 0 and abs(two / one - 2.0) <= DOUBLED
