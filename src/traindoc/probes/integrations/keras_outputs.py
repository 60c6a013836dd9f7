"""A multi-output Keras model whose loss weights starve one output: that head never trains.

``compile(loss_weights=[...])`` matches the weights to ``model.outputs`` by position. Weights
written in another order than the outputs (meant as {category: 1, price: 0.01} on outputs
[price, category]) give the classification head 1% of a loss that the regression already
dwarfs: its share of the total is a fraction of a percent, so the gradient ignores it, the total
loss falls (the other output learns) and that output's own loss and metric stay where they
began. Keras logs each output's unweighted loss (``<name>_loss``) per epoch, so each output's
weighted share of the total is known; the weights are read from the compile config.
"""

from __future__ import annotations

import math
from typing import Any

from ...findings import Finding, Severity

STARVED_SHARE = 0.01  # an output whose weighted loss is below this share of the total in the first epoch...
WEIGHT_GAP = 10.0  # ...with a loss weight at least this many times below the largest one...
BARELY_FELL = 0.25  # ...and whose own loss fell by less than this share: that head did not train
_ACCURACY = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")


def loss_weights(model: Any) -> dict[str, float] | None:
    """The compiled loss weight of each output, by output name; None for one output or no weights."""
    names = list(getattr(model, "output_names", None) or [])
    if len(names) < 2:
        return None
    weights = None
    try:
        weights = (model.get_compile_config() or {}).get("loss_weights")
    except Exception:
        weights = None
    if weights is None:
        weights = getattr(getattr(model, "_compile_loss", None), "_user_loss_weights", None)
    if isinstance(weights, dict):
        out = {n: weights.get(n, 1.0) for n in names}
    elif isinstance(weights, (list, tuple)) and len(weights) == len(names):
        out = dict(zip(names, weights))
    else:
        return None
    try:
        return {n: float(w) for n, w in out.items()}
    except (TypeError, ValueError):
        return None


class OutputShares:
    """Each output's unweighted loss per epoch, for the starved-output judgement at train end."""

    def __init__(self) -> None:
        self.weights: dict[str, float] | None = None
        self.losses: dict[str, list[float]] = {}
        self.metrics: dict[str, list[float]] = {}
        self.off = False

    def begin(self, model: Any) -> None:
        self.weights = loss_weights(model)

    def epoch(self, logs: dict[str, Any]) -> None:
        if not self.weights:
            return
        for name in self.weights:
            value = _number(logs.get(f"{name}_loss"))
            if value is not None:
                self.losses.setdefault(name, []).append(value)
            acc = next((k for k in (f"{name}_{m}" for m in _ACCURACY) if k in logs), None)
            if acc is not None and _number(logs[acc]) is not None:
                self.metrics.setdefault(name, []).append(_number(logs[acc]))  # type: ignore[arg-type]

    def finding(self, step: float) -> Finding | None:
        w = self.weights
        if not w or len(self.losses) != len(w) or any(len(v) < 2 for v in self.losses.values()):
            return None
        epochs = min(len(v) for v in self.losses.values())
        shares = []
        for e in range(epochs):
            total = sum(w[n] * self.losses[n][e] for n in w)
            if not (total > 0 and math.isfinite(total)):
                return None
            shares.append({n: w[n] * self.losses[n][e] / total for n in w})
        top = max(w.values())
        totals = [sum(w[n] * self.losses[n][e] for n in w) for e in (0, epochs - 1)]
        if totals[1] > (1.0 - BARELY_FELL) * totals[0]:
            return None  # the total did not fall either: no output learned, another cause
        for name in w:
            own = self.losses[name]
            if w[name] * WEIGHT_GAP > top or shares[0][name] >= STARVED_SHARE or own[0] <= 0:
                continue
            fell = 1.0 - own[-1] / own[0]
            if fell >= BARELY_FELL:
                continue
            return _starved(name, w, shares, own, self.metrics.get(name), fell, step)
        return None


def _starved(name: str, w: dict[str, float], shares: list[dict[str, float]], own: list[float],
             metric: list[float] | None, fell: float, step: float) -> Finding:
    from ...checks.structure import CAUSE

    order = ", ".join(w)
    given = ", ".join(f"{w[n]:g}" for n in w)
    values = list(reversed(list(w.values()))) if len(w) == 2 else list(w.values())  # two outputs: swapped
    meant = ", ".join(f"'{n}': {v:g}" for n, v in zip(w, values))
    share = shares[0][name]
    moved = f"{name}_loss went {own[0]:.3g} -> {own[-1]:.3g} ({fell:.0%} lower)"
    if metric:
        moved += f" and its accuracy ended at {metric[-1]:.3g}"
    return Finding(
        "loss-metric-mismatch", Severity.WARNING,
        f"output '{name}' gets loss weight {w[name]:g} (the largest is {max(w.values()):g}): its weighted loss was "
        f"{share:.2%} of the total in the first epoch, so its head hardly trains while the total loss falls; {moved}",
        steps=[1.0, step],
        evidence={"subject": "loss-weights", "output": name, "loss_weights": w, "first_share": share,
                  "own_loss": own[:50], "metric": (metric or [])[:50], CAUSE: True},
        causes=[f"loss_weights are matched to the model's outputs by position, and the outputs are ordered "
                f"[{order}]: loss_weights=[{given}] give '{name}' almost nothing, so the gradient ignores it (weights "
                "written in another order than the outputs?)"],
        fixes=[f"Give the loss weights as a dict keyed by output name, e.g. loss_weights={{{meant}}} (or list them "
               f"in the order of model.output_names: [{order}]), so '{name}' gets a weight that lets it train."])


def _number(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _head(model: Any, name: str) -> tuple[str, int | None] | None:
    """The activation name and width of the layer that produces the output ``name``."""
    try:
        layer = model.get_layer(name)
    except Exception:
        return None
    act = getattr(getattr(layer, "activation", None), "__name__", None) or "linear"
    units = getattr(layer, "units", None)
    return act, int(units) if isinstance(units, int) else None


def _fits(kind: str | None, head: tuple[str, int | None]) -> bool | None:
    """Whether a loss of this kind can train an output of this activation and width (None: unknown)."""
    from ...checks.model_view import BINARY_CE, CATEGORICAL_CE, REGRESSION, SPARSE_CE

    act, units = head
    if kind in (SPARSE_CE, CATEGORICAL_CE):
        return None if units is None else units >= 2 and act in ("softmax", "linear")
    if kind == BINARY_CE:
        return act in ("sigmoid", "linear")
    if kind == REGRESSION:
        return act != "softmax" and act != "sigmoid"
    return None


def swapped_losses_finding(model: Any) -> Finding | None:
    """loss-metric-mismatch when a multi-output model's list of losses fits its outputs only in another order.

    ``compile(loss=[a, b])`` pairs the losses with ``model.outputs`` by position; a list written in another order
    (the order of a CSV's columns) gives a cross-entropy to a one-unit linear head and a squared error to the
    softmax head. Judged from each output layer's activation and width against each loss's kind."""
    from itertools import permutations

    from ...checks.model_view import loss_view
    from ...checks.structure import CAUSE

    names = list(getattr(model, "output_names", None) or [])
    losses = getattr(model, "loss", None)
    if len(names) < 2 or len(names) > 4 or not isinstance(losses, (list, tuple)) or len(losses) != len(names):
        return None
    heads = [_head(model, n) for n in names]
    views = [loss_view(loss) for loss in losses]
    if any(h is None for h in heads) or any(v is None or v.kind is None for v in views):
        return None

    def fits(order: tuple[int, ...]) -> list[bool | None]:
        return [_fits(views[j].kind, heads[i]) for i, j in enumerate(order)]

    given = fits(tuple(range(len(names))))
    if None in given or all(given):
        return None
    good = [p for p in permutations(range(len(names))) if all(v is True for v in fits(p))]
    if len(good) != 1:
        return None  # no order fits, or several do: not a question of order
    order = good[0]
    shown = lambda j: views[j].name  # noqa: E731
    given_text = ", ".join(f"'{n}' <- {shown(j)}" for j, n in enumerate(names))
    want = "[" + ", ".join(shown(j) for j in order) + "]"
    keyed = "{" + ", ".join(f"'{n}': {shown(j)!r}" for n, j in zip(names, order)) + "}"
    return Finding(
        "loss-metric-mismatch", Severity.ERROR,
        f"the losses are listed in another order than the outputs: {given_text} (by position); each loss fits the "
        "other head",
        evidence={"subject": "loss-order", CAUSE: True, "outputs": names, "losses": [shown(j) for j in range(len(names))],
                  "explains": ["no-learning", "stalled", "loss-metric-mismatch", "label-problem",
                               "wrong-output-activation", "stuck-at-chance"]},
        causes=["compile(loss=[...]) pairs the losses with model.outputs by position: written in the order of the "
                "data's columns rather than the order of the outputs, the losses are swapped between the heads, so "
                "a cross-entropy trains a one-value linear head and a distance trains the softmax head"],
        fixes=[f"List the losses in the order of the outputs (model.output_names): loss={want}, or key them by "
               f"output name: loss={keyed}."])


def nothing_trainable_finding(model: Any) -> Finding | None:
    """frozen-parameters when fit() trains a model with weights of which none is trainable.

    ``model.trainable = False`` (or every layer frozen) is read by fit as "update nothing": the loss and metrics
    are computed and the weights never change. It is not an inference switch (that is ``training=False`` in a call,
    or predict()), and a whole model frozen before fit is almost always that mix-up or a freeze left in."""
    from ...checks.structure import CAUSE

    weights = list(getattr(model, "weights", None) or [])
    if not weights or list(getattr(model, "trainable_weights", None) or []):
        return None
    whole = getattr(model, "trainable", True) is False
    how = "model.trainable is False" if whole else "every layer is frozen (trainable=False)"
    return Finding(
        "frozen-parameters", Severity.ERROR,
        f"fit() trains a model with no trainable weight: {how}, so none of its {len(weights)} weight tensor(s) "
        "will change",
        evidence={"subject": "nothing-trainable", CAUSE: True, "weights": len(weights), "model_trainable": not whole,
                  "explains": ["no-learning", "stalled", "stuck-at-chance", "cannot-overfit-batch", "update-ratio"]},
        causes=["trainable = False freezes the weights (it is not a switch to inference mode as model.eval() is in "
                "PyTorch): compile and fit then update nothing"],
        fixes=["Set model.trainable = True (or the layers to train) before compile(); for inference use "
               "model.predict(x) or model(x, training=False), which do not freeze anything."])


# Keras's names for the KL divergence, underscores dropped (``kl_divergence``, ``KLDivergence``, ``kld``)
_DISTRIBUTION_LOSSES = frozenset({"kldivergence", "kld", "kullbackleiblerdivergence"})


def class_ids_to_distribution_loss(model: Any, y: Any) -> Finding | None:
    """label-problem when a loss that compares probability rows (KLDivergence) gets one class-id column for a
    softmax output of several classes: each row is read as a one-value "distribution", clipped to [eps, 1]."""
    import numpy as np

    from ...checks.structure import CAUSE

    loss = getattr(model, "loss", None)
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or type(loss).__name__
    key = str(name).lower().replace(" ", "")
    if key.replace("_", "") not in _DISTRIBUTION_LOSSES:
        return None
    try:
        outs = list(getattr(model, "output_names", None) or [])
    except Exception:
        outs = []
    layers = list(getattr(model, "layers", None) or [])
    if not outs and layers:
        outs = [layers[-1].name]  # a Sequential not yet built has no output_names: its last layer is the output
    head = _head(model, outs[0]) if len(outs) == 1 else None
    if head is None or head[1] is None or head[1] < 2 or head[0] != "softmax":
        return None
    a = np.asarray(y, dtype="float64")
    a = a.reshape(len(a), -1) if a.ndim > 1 else a.reshape(-1, 1)
    if a.shape[1] != 1 or len(a) < 8 or not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
        return None
    if a.min() < 0 or a.max() >= head[1] or len(np.unique(a)) < 2:
        return None
    k = head[1]
    return Finding(
        "label-problem", Severity.ERROR,
        f"{name} is given one class id per row (values {int(a.min())}..{int(a.max())}) for a softmax over {k} "
        "classes: it compares probability distributions, one per row",
        evidence={"subject": "distribution-targets", CAUSE: True, "loss": str(name), "classes": k,
                  "explains": ["stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                               "loss-metric-mismatch"]},
        causes=["KL divergence expects each target row to be a probability distribution over the classes; a column "
                "of class ids is clipped to [1e-7, 1] and read as a one-value distribution, so the loss says nothing "
                "about which class is right"],
        fixes=["Use loss='sparse_categorical_crossentropy' for class ids (the same gradients as a KL divergence "
               f"against one-hot rows), or pass one-hot rows: keras.utils.to_categorical(y, {k})."])
