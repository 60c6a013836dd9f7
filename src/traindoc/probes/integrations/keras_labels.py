"""Keras misuse read from the compiled model against the batches ``fit`` was given (sampled once).

Each check here is a fact of the configuration against the data, not a guess from the curves:

- an accuracy that thresholds at 0.5 (binary accuracy) on labels that are not 0/1 (-1/+1 for a
  hinge loss): rows labelled -1 can never count as right, so the metric is wrong, not the model;
- labels repeated along the sequence axis for a model whose output is per position (no pooling):
  each position must predict the whole sequence's label alone;
- ``Embedding(mask_zero=True)`` on ids where 0 is a real token (it appears between other tokens,
  not only as leading or trailing padding): every occurrence of that token is masked out;
- an output bias that starts the predictions far from the label frequencies (log(neg/pos)
  written for log(pos/neg)): the first loss is far above a zero bias's;
- sample weights (``class_weight``) whose mean is far from 1 under plain SGD: the loss and every
  step are that many times larger (or smaller) than the learning rate says.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...findings import Finding, Severity
from .keras_config import _walk as _leaves

MIN_ROWS = 32  # fewer sampled rows than this say nothing about a label distribution
_THRESHOLD_ACC = ("accuracy", "acc", "binary_accuracy", "binaryaccuracy")
INTERIOR_ZERO_ROWS = 0.2  # this share of sequences with id 0 between other ids: 0 is a real token
BIAS_EXCESS = 1.0  # an initial output bias whose loss is this many nats above a zero bias's
MIN_BIAS = 1.0  # ...and that is this far from zero (a default zero bias is never judged)
WEIGHT_SCALE = 5.0  # a mean sample weight this many times above (or below) 1


def _cause() -> str:
    from ...checks.structure import CAUSE

    return CAUSE


def _values(history: list[dict], name: str) -> list[float]:
    return [h[name] for h in history if isinstance(h.get(name), float) and math.isfinite(h[name])]


def threshold_accuracy_names(model: Any, units: int | None) -> list[str]:
    """Logged names of compiled accuracies that threshold one output at 0.5 (binary accuracy)."""
    from ...checks.model_view import compiled_metric_objects

    names = []
    for m in compiled_metric_objects(model):
        if isinstance(m, str):
            if m.lower() in _THRESHOLD_ACC and (m.lower().startswith("binary") or units == 1):
                names.append(m)
        elif type(m).__name__ == "BinaryAccuracy" and float(getattr(m, "threshold", 0.5)) == 0.5:
            names.append(str(getattr(m, "name", "binary_accuracy")))
    return names


def label_coding_finding(model: Any, loss_view: Any, targets: Any, history: list[dict],
                         step: float) -> Finding | None:
    """loss-metric-mismatch: a 0.5-threshold accuracy on class labels that are not 0/1 (e.g. -1/+1).

    Binary accuracy compares each label with (output > 0.5), which is 0 or 1; a row labelled -1 (or
    2) can never match, so the metric is capped at the share of 0/1 rows whatever the model learns.
    Keras' hinge losses take 0/1 labels and convert them to -1/+1 themselves, which is why -1/+1
    labels are a common, silent mistake. Labels smoothed by hand (0.1/0.9) under a binary
    cross-entropy never equal 0 or 1 either: the accuracy reads 0. Labels outside [0, 1] under a
    cross-entropy are left to the label-range checks.
    """
    from ...checks.model_view import output_view

    if targets is None or loss_view is None or loss_view.categorical:
        return None
    y = np.asarray(targets, dtype="float64").reshape(len(targets), -1)
    out = output_view(model)
    units = out.units if out is not None else None
    if y.shape[1] != 1 or units != 1 or len(y) < MIN_ROWS or not np.all(np.isfinite(y)):
        return None
    values = set(np.unique(y).tolist())
    if len(values) != 2 or values <= {0.0, 1.0}:
        return None
    smoothed = all(0.0 < v < 1.0 for v in values)
    if loss_view.kind == "bce" and not smoothed:
        return None  # labels outside [0, 1] for a cross-entropy: the label-range checks name them
    if not smoothed and not all(float(v).is_integer() for v in values):
        return None
    names = threshold_accuracy_names(model, units)
    if not names:
        return None
    never = float(np.mean(~np.isin(y[:, 0], (0.0, 1.0))))
    lo, hi = sorted(values)
    which = "rows" if smoothed else f"rows labelled {lo if lo not in (0.0, 1.0) else hi:g}"
    seen = _values(history, names[0])
    shown = f" (it read {seen[0]:.3g} -> {seen[-1]:.3g})" if seen else ""
    hinge = "hinge" in loss_view.name.lower()
    fix = ("Keep the labels 0/1: Keras' hinge and squared_hinge losses convert 0/1 labels to -1/+1 themselves, and "
           "metrics=['accuracy'] then reads them correctly" if hinge else
           f"Keep the labels 0/1 and let the loss smooth them (BinaryCrossentropy(label_smoothing={2 * lo:.2g})), so "
           "the accuracy compares 0/1 labels" if smoothed else
           "Map the labels to 0/1 (e.g. (y + 1) / 2 for -1/+1 labels)")
    return Finding(
        "loss-metric-mismatch", Severity.WARNING,
        f"{names[0]}{shown} thresholds the output at 0.5 and compares it with labels coded {lo:g}/{hi:g}: the "
        f"{never:.0%} of {which} can never count as right, so the "
        f"accuracy is wrong whatever the model learns ({loss_view.name} is the loss that trains)",
        steps=[1.0, step],
        evidence={"subject": "label-coding", "metric": names[0], "labels": [lo, hi], "never_right": never,
                  "values": seen[-5:], "loss": loss_view.name, _cause(): True},
        causes=[f"binary accuracy counts a row as right when (output > 0.5) equals its label, 0 or 1; labels "
                f"{lo:g}/{hi:g} are another coding (-1/+1 is the hinge loss's), so the metric says nothing"],
        fixes=[fix + ("." if smoothed else ", or compute the accuracy on the sign of the output for -1/+1 labels (a "
                                           "custom metric).")])


def tiled_labels_finding(model: Any, targets: Any, inputs: Any) -> Finding | None:
    """label-problem: one label per sequence repeated over every position of a per-position output.

    A model with no pooling (Embedding -> Dense, or an RNN with return_sequences=True) predicts
    at each position; a shape error then tempts one to tile each sequence's label over the
    positions. Each position must then predict the whole sequence's label from its own token.
    Seen as: per-position targets that are constant along the position axis in every sampled row
    while they differ between rows, and an output with a position axis of the same length.
    """
    from ...checks.model_view import output_view

    y = np.asarray(targets)
    if y.ndim < 2 or len(y) < MIN_ROWS or y.dtype.kind not in "biuf":
        return None
    out = output_view(model)
    rank = out.rank if out is not None else None
    shape = np.asarray(inputs).shape if inputs is not None else ()
    broadcast = _broadcast_over_positions(model, y, shape) if y.ndim == 2 and rank == 3 else None
    if broadcast is not None:
        return broadcast
    y = y.reshape(y.shape[0], y.shape[1], -1)
    steps = y.shape[1]
    if steps < 2 or rank is None or rank < 3 or len(shape) < 2 or shape[1] != steps:
        return None
    if not np.all(y == y[:, :1, :]):
        return None  # some row's targets change along the positions: a real per-position task
    rows = y[:, 0, :]
    if len(np.unique(rows, axis=0)) < 2:
        return None  # constant targets are the constant-label check's
    return Finding(
        "label-problem", Severity.WARNING,
        f"each sequence's label is repeated over all {steps} positions and the model predicts at every position "
        f"(output rank {rank}): there is no pooling, so each position must predict the whole sequence's label from "
        "its own token",
        steps=[1.0],
        evidence={"subject": "tiled-labels", "positions": steps, "output_rank": rank, "rows": int(len(y)),
                  _cause(): True},
        causes=["the model has no GlobalAveragePooling1D / Flatten (or its last recurrent layer returns "
                "sequences), so its output is (batch, positions, units); labels were tiled over the positions to "
                "silence the shape error"],
        fixes=[f"Add GlobalAveragePooling1D() (or Flatten(), or an LSTM without return_sequences) before the Dense "
               f"layers so the model gives one output per sequence, and give one label per sequence (y of shape "
               f"(N, {y.shape[2]}) instead of (N, {steps}, {y.shape[2]}))."])


def _broadcast_over_positions(model: Any, y: np.ndarray, shape: tuple) -> Finding | None:
    """One target per sequence against an output per position: the loss broadcasts the target over them."""
    try:
        out_shape = tuple(model.output_shape)
    except Exception:
        return None
    steps = out_shape[1] if len(out_shape) == 3 else None
    if not isinstance(steps, int) or steps < 2 or len(shape) < 2 or shape[1] != steps or y.shape[1] != out_shape[2]:
        return None
    return Finding(
        "label-problem", Severity.WARNING,
        f"the model predicts at each of {steps} positions (output shape (None, {steps}, {out_shape[2]})) but each "
        f"sequence has one target of shape ({y.shape[1]},): the loss broadcasts it over the positions, so each position "
        "must predict the whole sequence's target from the sequence up to it",
        steps=[1.0],
        evidence={"subject": "tiled-labels", "positions": steps, "output_rank": 3, "rows": int(len(y)),
                  "broadcast": True, _cause(): True},
        causes=["the last recurrent layer returns sequences (return_sequences=True) or there is no pooling / Flatten "
                "before the Dense layers"],
        fixes=["Give the model one output per sequence: return_sequences=False on the last LSTM/GRU, or "
               "GlobalAveragePooling1D() (or Flatten()) before the Dense layers."])


def mask_zero_finding(model: Any, inputs: Any) -> Finding | None:
    """label-problem: ``Embedding(mask_zero=True)`` on ids where 0 is a real token, not padding.

    mask_zero reserves id 0 for padding and hides it from every later layer. Padding sits at the
    start or the end of a row; a 0 with real ids on both sides in many rows is a word (a
    vocabulary indexed from 0 with enumerate()), and the model never sees it.
    """
    embeds = [lay for lay in _leaves(model) if type(lay).__name__ == "Embedding" and getattr(lay, "mask_zero", False)]
    x = np.asarray(inputs) if inputs is not None else None
    if not embeds or x is None or x.ndim != 2 or x.shape[1] < 3 or len(x) < MIN_ROWS or x.dtype.kind not in "biuf":
        return None
    if not np.all(np.mod(x, 1) == 0) or x.min() < 0:
        return None
    nz = x != 0
    before = np.maximum.accumulate(nz, axis=1)  # a real id somewhere before this position
    after = np.maximum.accumulate(nz[:, ::-1], axis=1)[:, ::-1]  # ...and somewhere after it
    interior = (~nz) & before & after
    share = float(np.mean(interior.any(axis=1)))
    if share < INTERIOR_ZERO_ROWS:
        return None
    lay = embeds[0]
    dim = getattr(lay, "input_dim", None)
    vocab = int(x.max()) + 1
    return Finding(
        "label-problem", Severity.WARNING,
        f"{lay.name} has mask_zero=True, but id 0 is a real token here: it sits between other ids in {share:.0%} of "
        "the sampled sequences, so every occurrence of that token is masked out as padding and the model never sees it",
        steps=[1.0],
        evidence={"subject": "mask-zero", "layer": lay.name, "rows_with_inner_zero": share, "input_dim": dim,
                  "max_id": vocab - 1, _cause(): True},
        causes=["mask_zero=True reserves id 0 for padding, and the word index starts at 0 (built with enumerate()), so "
                "the first word of the vocabulary shares the padding id"],
        fixes=[f"Shift the token ids by one so that 0 is only padding (ids + 1, Embedding(input_dim={vocab + 1}, ..., "
               "mask_zero=True)), or set mask_zero=False when the sequences have no padding."])


def _bce(p: float, q: float) -> float:
    q = min(max(q, 1e-7), 1 - 1e-7)
    return -(p * math.log(q) + (1 - p) * math.log(1 - q))


def output_bias_finding(model: Any, loss_view: Any, targets: Any) -> Finding | None:
    """high-initial-loss: an output bias set far from the labels' log-odds (often its sign flipped).

    The bias of a sigmoid or softmax output is set to the label prior's log-odds so the first loss
    is the prior's entropy; written log(neg/pos) instead of log(pos/neg) it does the opposite and
    starts every prediction on the rare class. Judged from the bias alone (the weights of a fresh
    layer add little): its loss on the sampled labels against a zero bias's.
    """
    from ...checks.model_view import BINARY_CE, CATEGORICAL_CE, SPARSE_CE, output_view

    out = output_view(model)
    if out is None or loss_view is None or loss_view.kind not in (BINARY_CE, SPARSE_CE, CATEGORICAL_CE):
        return None
    layer = next((lay for lay in _leaves(model) if lay.name == out.layer), None)
    bias = getattr(layer, "bias", None)
    if bias is None or targets is None:
        return None
    try:
        b = np.asarray(getattr(bias, "numpy", lambda: bias)(), dtype="float64").reshape(-1)
    except Exception:
        import keras

        b = np.asarray(keras.ops.convert_to_numpy(bias), dtype="float64").reshape(-1)
    y = np.asarray(targets, dtype="float64")
    if len(y) < MIN_ROWS or not np.all(np.isfinite(y)) or not np.all(np.isfinite(b)):
        return None
    if loss_view.kind == BINARY_CE:
        if b.size != 1 or out.activation not in ("sigmoid", "linear") or \
                (out.activation == "linear" and not loss_view.from_logits):
            return None
        if not set(np.unique(y).tolist()) <= {0.0, 1.0}:
            return None
        p, bb = float(y.mean()), float(b[0])
        if not 0 < p < 1 or abs(bb) < MIN_BIAS:
            return None
        start, zero = _bce(p, 1 / (1 + math.exp(-bb))), math.log(2)
        if start < zero + BIAS_EXCESS:
            return None
        right = math.log(p / (1 - p))
        flipped = abs(bb + right) < 0.25 * abs(right)
        return _bias(out.layer, f"{bb:.3g}", f"Constant({right:.3g})", f"log(pos / neg) = log({p:.3g} / {1 - p:.3g})",
                     start, zero, flipped, {"bias": bb, "positives": p})
    if out.activation not in ("softmax", "linear") or (out.activation == "linear" and not loss_view.from_logits):
        return None
    k = b.size
    ids = y.reshape(len(y), -1)
    if ids.shape[1] == k and set(np.unique(ids).tolist()) <= {0.0, 1.0}:
        ids = ids.argmax(axis=1)
    elif ids.shape[1] == 1 and np.all(np.mod(ids, 1) == 0) and ids.min() >= 0 and ids.max() < k:
        ids = ids[:, 0].astype("int64")
    else:
        return None
    freq = np.bincount(ids.astype("int64"), minlength=k) / len(ids)
    if k < 2 or float(b.max() - b.min()) < MIN_BIAS:
        return None
    logq = b - b.max() - math.log(float(np.sum(np.exp(b - b.max()))))
    start, zero = float(-np.sum(freq * logq)), math.log(k)
    if start < zero + BIAS_EXCESS:
        return None
    right = np.log(np.maximum(freq, 1e-6))
    flipped = bool(np.corrcoef(b, right)[0, 1] < -0.5) if np.std(right) > 0 and np.std(b) > 0 else False
    return _bias(out.layer, np.array2string(b, precision=2), "Constant(log(class frequencies))",
                 "the log of each class's share of the labels", start, zero, flipped,
                 {"bias": b.tolist()[:20], "frequencies": freq.tolist()[:20]})


def _bias(layer: str, given: str, right: str, meaning: str, start: float, zero: float, flipped: bool,
          ev: dict) -> Finding:
    sign = " (the log-odds with its sign flipped: log(neg / pos) instead of log(pos / neg))" if flipped else ""
    return Finding(
        "high-initial-loss", Severity.WARNING,
        f"the output bias of {layer} starts at {given}{sign}: before any training it predicts the rare class for "
        f"every row, so the first loss is about {start:.3g} against {zero:.3g} for a zero bias",
        steps=[1.0],
        evidence={"subject": "output-bias", "layer": layer, "start_loss": start, "zero_bias_loss": zero,
                  "flipped": flipped, **ev, _cause(): True},
        causes=["the output bias was initialised to a constant that contradicts the label frequencies (meant as the "
                "prior's log-odds, which starts the model at the prior)"],
        fixes=[f"Initialise the output bias to {meaning}: bias_initializer={right}; or leave it at zero."])


def per_class_weights(w: np.ndarray, targets: Any) -> tuple[dict[int, float], dict[int, int]] | None:
    """({class: its weight}, {class: sampled rows}) when every row of a class has the same weight (class_weight)."""
    if targets is None:
        return None
    from .keras_split import class_ids

    ids = class_ids(targets)
    if ids is None or len(ids) != len(w):
        return None
    classes = np.unique(ids)
    given = {int(c): float(np.median(w[ids == c])) for c in classes}
    if not all(np.allclose(w[ids == c], given[int(c)]) for c in classes):
        return None
    return given, {int(c): int(np.sum(ids == c)) for c in classes}


def _balanced(counts: dict[int, int]) -> str:
    n, k = sum(counts.values()), len(counts)
    return "{" + ", ".join(f"{c}: {n / (k * m):.2g}" for c, m in counts.items()) + "}"


MIN_MINORITY = 3  # sampled rows of the rarest class before class weights are judged against the counts
SKEW = 3.0  # the commonest class has this many times the rows of the rarest...
FAVOUR = 2.0  # ...and this many times its weight: the weights favour the majority


def inverted_class_weight_finding(weights: Any, targets: Any, step: float) -> Finding | None:
    """class-imbalance: class weights that give the commonest class the largest weight (the inverse inverted).

    Class weights exist to lift rare classes; weights proportional to the class counts
    ({0: n_neg / n, 1: n_pos / n}, the frequencies instead of their inverse) push the model
    further towards the majority, so the rare class is never predicted.
    """
    if weights is None:
        return None
    w = np.asarray(weights, dtype="float64").reshape(-1)
    if len(w) < MIN_ROWS or not np.all(np.isfinite(w)) or np.any(w < 0):
        return None
    got = per_class_weights(w, targets)
    if got is None or len(got[0]) < 2:
        return None
    given, counts = got
    common, rare = max(counts, key=counts.get), min(counts, key=counts.get)
    if counts[rare] < MIN_MINORITY or counts[common] < SKEW * counts[rare]:
        return None
    if given[rare] <= 0 or given[common] < FAVOUR * given[rare]:
        return None
    order = sorted(counts, key=counts.get)
    if any(given[a] > given[b] for a, b in zip(order, order[1:])):
        return None  # not the counts' order: a deliberate weighting, not an inversion
    shown = ", ".join(f"{c}: {v:g}" for c, v in given.items())
    n = sum(counts.values())
    return Finding(
        "class-imbalance", Severity.WARNING,
        f"class_weight {{{shown}}} gives the commonest class ({common}, {counts[common] / n:.0%} of the sampled rows) "
        f"{given[common] / given[rare]:.3g}x the weight of the rarest ({rare}, {counts[rare] / n:.0%}): the weights "
        "follow the class frequencies instead of their inverse",
        steps=[1.0, step],
        evidence={"subject": "class-weights-inverted", "class_weight": given, "sampled_counts": counts,
                  _cause(): True, "explains": ["misleading-accuracy", "stuck-at-chance", "stalled"]},
        causes=["class weights computed as count_c / n (the frequencies) instead of n / count_c: the majority class is "
                "weighted up and the rare class down"],
        fixes=[f"Invert the class weights: w_c = n / (k * count_c), here about {_balanced(counts)}."])


_SCALE_FREE = ("adam", "adamw", "nadam", "adamax", "rmsprop", "adagrad", "adadelta", "adafactor", "lion", "lamb",
               "ftrl", "muon")


def sample_weight_finding(weights: Any, targets: Any, optimizer: str | None, lr: float | None,
                          step: float) -> Finding | None:
    """class-imbalance: sample (class) weights far from a mean of 1 under an optimizer whose step scales with them.

    ``class_weight`` multiplies each row's loss; with plain SGD the gradient and the step grow by
    the mean weight, so raw class counts as weights ({0: n_pos, 1: n_neg}) multiply the learning
    rate by tens or hundreds. Adaptive optimizers divide the scale out and are not judged.
    """
    if weights is None or optimizer is None or optimizer.lower() in _SCALE_FREE:
        return None
    w = np.asarray(weights, dtype="float64").reshape(-1)
    if len(w) < MIN_ROWS or not np.all(np.isfinite(w)) or np.any(w < 0):
        return None
    mean = float(w.mean())
    if not (mean >= WEIGHT_SCALE or 0 < mean <= 1 / WEIGHT_SCALE):
        return None
    per = ""
    suggestion = "w_c = n / (k * count_c)"
    got = per_class_weights(w, targets)
    if got is not None:
        given, counts = got
        per = " (class_weight " + ", ".join(f"{c}: {v:g}" for c, v in given.items()) + ")"
        suggestion += ", here about " + _balanced(counts) + " from the sampled labels"
    rate = f" ({lr:g})" if lr is not None else ""
    return Finding(
        "class-imbalance", Severity.WARNING,
        f"the sample weights{per} average {mean:.3g} per row: with {optimizer} every loss and step is {mean:.3g}x what "
        f"the learning rate{rate} says",
        steps=[1.0, step],
        evidence={"subject": "sample-weights", "mean_weight": mean, "optimizer": optimizer, "lr": lr,
                  _cause(): True, "explains": ["lr-too-high", "divergence", "loss-spikes", "no-learning", "dead-relu",
                                               "exploding-gradients", "update-ratio", "oscillation", "nonfinite"]},
        causes=["class weights on another scale (raw class counts, percentages, weights that do not sum to the "
                "number of rows) multiply the loss; plain SGD turns that into a step that many times larger"],
        fixes=[f"Normalise the class weights so they average to 1 over the rows: {suggestion} (or divide the learning "
               f"rate by {mean:.3g})."])


def keras_static_findings(model: Any, inputs: Any, targets: Any) -> list[Finding]:
    """The checks above that need no run, for ``traindoc.check`` on a compiled Keras model and one batch."""
    from ...checks.model_view import loss_view
    from .keras_loop import layer_after_output_finding

    lv = loss_view(None, model)
    x, y = _host_array(inputs), _host_array(targets)
    from ...checks.channel_layout import channels_first_finding
    from ...checks.target_leak import target_leak_finding

    makers = [lambda: layer_after_output_finding(model), lambda: channels_first_finding(model, x)]
    if y is not None:
        makers += [lambda: tiled_labels_finding(model, y, x), lambda: mask_zero_finding(model, x),
                   lambda: output_bias_finding(model, lv, y), lambda: label_coding_finding(model, lv, y, [], 0.0),
                   lambda: target_leak_finding(x, y)]
    found = []
    for make in makers:
        try:  # one check that cannot read this model or batch must not hide the others
            found.append(make())
        except Exception:
            continue
    return [f for f in found if f is not None]


def _host_array(t: Any) -> np.ndarray | None:
    """One array of inputs or targets; a dict, list or tuple (a multi-input model) is not judged."""
    from ...checks.structure import host_array

    return None if t is None or isinstance(t, (dict, list, tuple)) else host_array(t)


