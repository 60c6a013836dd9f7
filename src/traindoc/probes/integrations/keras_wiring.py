"""Keras wiring mistakes that train silently: what compile and the layer graph say, read once.

- A hand-written loss declared ``def loss(y_pred, y_true)``: Keras always calls ``loss(y_true,
  y_pred)``, so the labels are clipped and logged as if they were predictions. The parameter names
  say so, and the loss itself confirms it: called as Keras calls it on the real targets and a
  half-way prediction it is far larger than with the two arguments the other way round.
- Token ids scaled like features before an ``Embedding`` (``ids / vocab_size``): the layer casts
  its input to integers, so fractional ids truncate (every id below the vocabulary size becomes 0).
- A Functional model whose output layer was called on the wrong tensor (``Dense(2)(inputs)``
  instead of ``(x)``): the hidden layers were built and called but never reach the outputs, so
  ``Model(inputs, outputs)`` leaves them out.

Nothing here runs the model: the loss is called on the sampled targets and a constant stand-in
prediction, the graph is only walked, the ids only read.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ...findings import Finding, Severity
from ...checks.model_view import nested_layers

PRED_NAMES = {"y_pred", "ypred", "pred", "preds", "prediction", "predictions", "y_hat", "yhat", "output", "outputs",
              "out", "logits", "y_prob", "probs", "probabilities", "y_predicted", "predicted", "scores", "y_out",
              "input", "yp", "y_p"}  # torch's loss(input, target) order carried over to Keras
TRUE_NAMES = {"y_true", "ytrue", "true", "target", "targets", "label", "labels", "y", "gt", "ground_truth", "truth",
              "y_actual", "actual", "y_target", "y_label", "y_labels", "yt", "y_t"}
SWAP_FACTOR = 1.5  # called as Keras calls it, the loss is this many times its value with the arguments swapped
LOSS_ROWS = 64
FRACTION_SHARE = 0.01  # this share of an Embedding's input values has a fractional part
MIN_IDS = 64


def _cause() -> str:
    from ...checks.structure import CAUSE

    return CAUSE


# ------------------------------------------------------------------ custom loss argument order

def _loss_callables(loss: Any) -> list[tuple[str, Any]]:
    """(name, function whose first two parameters receive y_true, y_pred) for each hand-written loss."""
    if isinstance(loss, dict):
        return [c for v in loss.values() for c in _loss_callables(v)]
    if isinstance(loss, (list, tuple)):
        return [c for v in loss for c in _loss_callables(v)]
    if loss is None or isinstance(loss, str):
        return []
    if _from_keras(type(loss)):
        fn = getattr(loss, "fn", None)  # LossFunctionWrapper around a user's function
        if fn is None or _from_keras(fn):
            return []
        return [(getattr(fn, "__name__", "loss"), fn)]
    if inspect.isfunction(loss) or inspect.ismethod(loss):
        return [] if _from_keras(loss) else [(loss.__name__, loss)]
    call = getattr(type(loss), "call", None)  # a keras.losses.Loss subclass: call(self, y_true, y_pred)
    if call is not None and hasattr(loss, "__call__"):
        return [(f"{type(loss).__name__}.call", getattr(loss, "call"))]
    return []


def _from_keras(obj: Any) -> bool:
    """Defined by Keras itself (its own losses take (y_true, y_pred) whatever the names)."""
    mod = getattr(obj, "__module__", "") or ""
    return mod.split(".")[0] in ("keras", "tf_keras", "tensorflow")


def _signature(name: str) -> str:
    """How the right declaration reads: a function, or a Loss subclass's call method."""
    if name.endswith(".call"):
        return "def call(self, y_true, y_pred)"
    return f"def {name}(y_true, y_pred)"


def _first_two(fn: Any) -> tuple[str, str] | None:
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return None
    return (params[0].name, params[1].name) if len(params) >= 2 else None


def _swap_ratio(fn: Any, y: np.ndarray) -> float | None:
    """fn(y_true, p) / fn(p, y_true) for a half-way prediction p; None when it cannot be told."""
    import keras
    import torch

    t = np.asarray(y, dtype="float32")[:LOSS_ROWS]
    if t.size == 0 or not np.isfinite(t).all():
        return None
    lo, hi = float(t.min()), float(t.max())
    if lo >= 0 and hi <= 1:  # probabilities, 0/1 or one-hot: the uninformed prediction
        width = t.shape[-1] if t.ndim > 1 and t.shape[-1] > 1 and np.allclose(t.sum(-1), 1) else None
        p = np.full_like(t, 1.0 / width if width else 0.5)
    else:
        p = np.full_like(t, float(t.mean()))
    with torch.no_grad():
        right = float(keras.ops.convert_to_numpy(keras.ops.mean(fn(keras.ops.convert_to_tensor(t),
                                                                   keras.ops.convert_to_tensor(p)))))
        other = float(keras.ops.convert_to_numpy(keras.ops.mean(fn(keras.ops.convert_to_tensor(p),
                                                                   keras.ops.convert_to_tensor(t)))))
    if not (np.isfinite(right) and np.isfinite(other)) or other <= 0:
        return None
    return right / other


def loss_arguments_finding(model: Any, targets: Any) -> Finding | None:
    """A hand-written loss whose parameters are named (prediction, label) while Keras passes (label, prediction)."""
    for name, fn in _loss_callables(getattr(model, "loss", None)):
        pair = _first_two(fn)
        if pair is None:
            continue
        first, second = (s.lower() for s in pair)
        if first not in PRED_NAMES or second not in TRUE_NAMES:
            continue
        ratio = None
        if targets is not None:
            try:
                ratio = _swap_ratio(fn, targets)
            except Exception:
                ratio = None  # shapes the stand-in cannot meet (class ids into a per-class loss): the names decide
        if ratio is not None and ratio < SWAP_FACTOR:
            continue  # symmetric (an MSE), or the body passes them on in the same swapped order: harmless
        how = (f"; on these targets and a half-way prediction it gives {ratio:.3g}x the value it gives with the "
               "arguments the other way round" if ratio is not None else "")
        return Finding("loss-metric-mismatch", Severity.WARNING,
                       f"the custom loss {name}({pair[0]}, {pair[1]}) takes the prediction first, but Keras calls a "
                       f"loss as loss(y_true, y_pred): inside it the labels are treated as predictions{how}",
                       steps=[1.0], evidence={"subject": "loss-arguments", _cause(): True, "loss": name,
                                              "parameters": list(pair), "swap_ratio": ratio,
                                              "explains": ["high-initial-loss", "stalled", "label-problem"]},
                       causes=[f"Keras passes the labels as the first argument: {pair[0]} holds y_true and {pair[1]} "
                               "holds y_pred, so the 0/1 labels are clipped and logged and the predictions are "
                               "scored as the targets; the loss starts far above chance and settles high although "
                               "accuracy may still rise"],
                       fixes=[f"Declare the custom loss with the argument order Keras uses: {_signature(name)} "
                              f"(swap the two parameter names, keep the body)."])
    return None


# ------------------------------------------------------------------ fractional ids into an Embedding

def input_embeddings(model: Any) -> list[Any]:
    """Embedding layers fed directly by the model's (single) input."""
    layers = [lay for lay in getattr(model, "layers", []) if type(lay).__name__ != "InputLayer"]
    if not layers:
        return []
    if type(model).__name__ == "Sequential":
        return [layers[0]] if type(layers[0]).__name__ == "Embedding" else []
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1:
        return []
    found = []
    for lay in layers:
        if type(lay).__name__ != "Embedding":
            continue
        for node in getattr(lay, "_inbound_nodes", []):
            if any(t is inputs[0] for t in getattr(node, "input_tensors", [])):
                found.append(lay)
                break
    return found


def fractional_ids_finding(model: Any, x: Any) -> Finding | None:
    """Float values with fractions fed to an Embedding: the layer truncates them to integer ids."""
    emb = input_embeddings(model)
    if not emb or x is None:
        return None
    a = np.asarray(x)
    if a.dtype.kind != "f" or a.size < MIN_IDS:
        return None
    a = a[np.isfinite(a)]
    if a.size < MIN_IDS:
        return None
    frac = np.abs(a - np.round(a)) > 1e-6
    share = float(frac.mean())
    if share < FRACTION_SHARE:
        return None
    lay = emb[0]
    vocab = getattr(lay, "input_dim", None)
    trunc = np.trunc(a)
    distinct_in, distinct_out = len(np.unique(np.round(a, 6))), len(np.unique(trunc))
    lo, hi = float(a.min()), float(a.max())
    scaled = vocab and hi <= 1.0 and lo >= 0.0
    why = (f"values in [{lo:.3g}, {hi:.3g}] look like ids divided by the vocabulary size ({vocab})" if scaled
           else f"values in [{lo:.3g}, {hi:.3g}] are not whole numbers")
    return Finding("no-learning", Severity.WARNING,
                   f"Embedding '{lay.name}' is fed fractional values ({share:.0%} of them; {why}): it casts its input "
                   f"to integers, so {distinct_in} distinct inputs become {distinct_out} token ids",
                   steps=[1.0], evidence={"subject": "embedding-input", _cause(): True, "layer": lay.name,
                                          "fraction_share": share, "min": lo, "max": hi, "distinct_in": distinct_in,
                                          "distinct_ids": distinct_out,
                                          "explains": ["stuck-at-chance", "stalled", "dead-relu", "no-learning"]},
                   causes=["an Embedding looks rows up by integer index; token ids scaled or normalised like numeric "
                           "features (ids / vocab_size, a StandardScaler over the id matrix) are truncated back to a "
                           "few ids (0 for every id below the divisor), so different texts look the same"],
                   fixes=["Feed the integer token ids unscaled: remove the division / normalisation for the id "
                          "columns (keras.Input(dtype='int32') makes a stray float visible); scale only numeric "
                          "features."])


# ------------------------------------------------------------------ Functional layers that never reach the output

def unused_layers(model: Any) -> list[Any]:
    """Layers with weights called downstream of the model's own inputs or layers that never reach its outputs."""
    if type(model).__name__ == "Sequential" or not getattr(model, "inputs", None):
        return []
    ops = list(getattr(model, "operations", None) or getattr(model, "layers", []))
    inside = {id(op) for op in ops}
    seen, dangling = set(), []
    stack = [op for op in ops if len(getattr(op, "_inbound_nodes", []) or []) <= 1]
    while stack:
        op = stack.pop()
        for node in getattr(op, "_outbound_nodes", []) or []:
            nxt = getattr(node, "operation", None)
            if nxt is None or id(nxt) in inside or id(nxt) in seen:
                continue
            seen.add(id(nxt))
            if len(getattr(nxt, "_inbound_nodes", []) or []) > 1:
                continue  # a layer shared with another graph: its other uses are not this model's
            if getattr(nxt, "trainable_weights", None):
                dangling.append(nxt)
            stack.append(nxt)
    return dangling


def unused_layers_finding(model: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """Layers built and called on this model's tensors but left out of it, on a run that fit poorly."""
    if not poor_fit:
        return None
    lost = unused_layers(model)
    weighted = [lay for lay in getattr(model, "layers", []) if getattr(lay, "trainable_weights", None)]
    if not lost or len(lost) * 2 < len(weighted):
        return None  # a few layers past a cut in a large graph (a truncated backbone): a choice, not the cause
    names = ", ".join(f"{type(lay).__name__} '{lay.name}'" for lay in lost[:4])
    out = [lay for lay in getattr(model, "layers", []) if type(lay).__name__ != "InputLayer"]
    last = out[-1].name if out else "the output layer"
    return Finding("stalled", Severity.WARNING,
                   f"{len(lost)} layer(s) with weights ({names}) were called on this model's tensors but never "
                   f"reach its outputs, so Model(inputs, outputs) left them out; the model trains only "
                   f"{len(out)} layer(s), and {moved}",
                   steps=[step], evidence={"subject": "unused-layers", _cause(): True,
                                           "unused": [lay.name for lay in lost], "model_layers": len(out),
                                           "explains": ["stuck-at-chance", "no-learning", "cannot-overfit-batch",
                                                        "stalled"]},
                   causes=["in the Functional API each layer call must take the previous layer's tensor; an output "
                           f"layer called on the inputs (or on an earlier tensor) bypasses the hidden layers: they "
                           "are unused and the model is far smaller than written (a linear model when no hidden "
                           "layer is left)"],
                   fixes=[f"Connect the output layer '{last}' to the last hidden tensor (outputs = Dense(...)(x), not "
                          "(inputs)), so the hidden layers are used; model.summary() then lists every layer."])


# ------------------------------------------------------------------ global pooling in a task decided by position

def global_pooling_layer(model: Any) -> Any:
    """The model's first global pooling layer (nested models included), or None."""
    found = nested_layers(model)
    return next((lay for lay in found if type(lay).__name__.startswith(("GlobalAveragePooling", "GlobalMaxPooling"))),
                None)


def pooled_position_check(model: Any, x: Any, y: Any, poor_fit: bool, moved: str, step: float) -> Finding | None:
    """checks/pooled_position.py for a Keras model with a global pooling layer."""
    from ...checks.pooled_position import pooled_position_finding

    lay = global_pooling_layer(model) if poor_fit else None
    if lay is None:
        return None
    from ...checks.linear_stack import hidden_dense_count

    if hidden_dense_count(model):
        return None  # no activation anywhere: the model is one linear map, named by linear-network, whatever the pooling
    convs = _convolutions_before(model, lay)
    spans = [int(c.kernel_size[0]) for c in convs]
    pointwise = ", ".join(f"{type(c).__name__} '{c.name}'" for c in convs) if spans and max(spans) == 1 else None
    return pooled_position_finding(f"{type(lay).__name__} '{lay.name}'", x, y, poor_fit, moved, step,
                                   flatten="Flatten()", pointwise=pointwise, span=max(spans, default=1))


def _convolutions_before(model: Any, pooling: Any) -> list:
    """The convolution layers listed before ``pooling`` (what shapes the picture the pooling averages)."""
    found = nested_layers(model)
    before = found[:found.index(pooling)] if pooling in found else []
    return [c for c in before if type(c).__name__.startswith("Conv") and isinstance(getattr(c, "kernel_size", None),
                                                                                    tuple)]
