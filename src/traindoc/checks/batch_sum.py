"""A loss that sums over the batch instead of averaging: the same rows given twice give twice the loss.

Keras expects a loss to return one value per sample and averages them itself; a user's loss (a
``keras.losses.Loss`` subclass, a plain function) whose ``call`` returns ``ops.sum(...)`` over the whole
batch hands back one scalar that Keras leaves as it is. The loss and every gradient are then the batch size
times the mean's, and a learning rate picked for a mean loss is that many times too large.

The test needs no model call: the loss alone is evaluated on a few sampled target rows and a constant
prediction of the output's shape, once as they are and once with every row repeated twice. A mean (any
per-sample loss Keras averages) gives the same value both times; a sum gives exactly twice. Named only
as the cause of step symptoms the run shows (divergence, non-finite values, spikes), through
``checks.torch_config.attribute``. The watcher asks the same of a torch ``loss_fn`` on the first step's
detached outputs and targets (``torch_sums_over_batch``), a torch loss with ``reduction='sum'`` being
named from its attribute already.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

ROWS = 16  # sampled target rows the loss is evaluated on
MIN_ROWS = 4
DOUBLED = 0.01  # relative tolerance on the ratio 2 (a sum) of the repeated batch's loss to the batch's


def loss_label(loss: Any) -> str:
    """The name a finding gives a user's loss: its function or class name, "function" for a lambda (``<lambda>``
    would read as markup in the text)."""
    name = getattr(loss, "__name__", None) or type(loss).__name__
    return "function" if name.startswith("<") else name


def _value(loss: Any, y: np.ndarray, p: np.ndarray) -> float | None:
    """The loss Keras would report for (y, p): a per-sample vector is averaged as Keras does, so only a loss that
    already reduced over the batch itself keeps its sum; None when it is not finite (no verdict on it)."""
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
        with warnings.catch_warnings(), _torch_rng_kept():
            warnings.simplefilter("ignore")
            one = _value(loss, y, p)
            two = _value(loss, np.concatenate([y, y]), np.concatenate([p, p]))
    except Exception:
        return False
    return one is not None and two is not None and one > 0 and abs(two / one - 2.0) <= DOUBLED


def _torch_rng_kept() -> Any:
    """A context that leaves torch's CPU random stream as it was (Keras' torch backend draws from it), so a
    custom loss that samples does not shift the user's stream; a no-op where torch is not installed."""
    import contextlib

    try:
        import torch
    except ImportError:
        return contextlib.nullcontext()
    return torch.random.fork_rng(devices=[])


MAX_VALUES = 1_000_000  # outputs of the sampled rows larger than this are not copied (a language model's logits)


def torch_sums_over_batch(loss_fn: Any, outputs: Any, targets: Any) -> bool:
    """The torch twin of ``sums_over_batch``, on the first step's detached outputs and targets.

    A loss module with weights of its own (a perceptual loss holding a network) is not called: that would be a
    forward pass of that network, nor one with buffers (running state); a module is called through a copy, so
    state it keeps in attributes is not advanced. The call runs inside ``torch.random.fork_rng`` so a loss that
    samples leaves the random streams as they were; any failure answers False."""
    import torch

    if loss_fn is None or not callable(loss_fn) or getattr(loss_fn, "reduction", None) == "sum":
        return False
    if isinstance(loss_fn, torch.nn.Module) and (any(True for _ in loss_fn.parameters())
                                                 or any(True for _ in loss_fn.buffers())):
        return False  # weights (a network inside) or buffers (running state) the calls could use or advance
    if not isinstance(outputs, torch.Tensor) or not isinstance(targets, torch.Tensor):
        return False
    if outputs.dim() < 1 or targets.dim() < 1 or outputs.shape[0] != targets.shape[0] or outputs.shape[0] < MIN_ROWS:
        return False
    o, y = outputs.detach()[:ROWS], targets.detach()[:ROWS]
    if o.numel() > MAX_VALUES or not o.is_floating_point():
        return False
    devices = [o.device.index or 0] if o.device.type == "cuda" else []
    try:  # the loss's own warnings (a broadcast) were the user's to see at their call: not repeated here
        if isinstance(loss_fn, torch.nn.Module):  # a copy: a counter the module keeps (an annealing step) stays put
            import copy

            loss_fn = copy.deepcopy(loss_fn)
        with torch.no_grad(), torch.random.fork_rng(devices=devices), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            one = loss_fn(o, y)
            two = loss_fn(torch.cat([o, o]), torch.cat([y, y]))
        one, two = float(one), float(two)
    except Exception:
        return False
    return math.isfinite(one) and math.isfinite(two) and one > 0 and abs(two / one - 2.0) <= DOUBLED
