"""A validation set whose classes the training data lacks: a split cut from data sorted by label.

Keras' ``validation_split`` takes the last rows of the arrays *before* ``fit`` shuffles, so on
data stored in label order the validation set holds only the last classes, which training never
sees: validation accuracy near zero, a validation loss that only rises. Keras gives callbacks no
batches, so the model's ``test_step`` is wrapped for the first validation batches only (as
``train_step`` is for the training sample); each batch is seen on its way, never pulled.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...findings import Finding, Severity

VAL_BATCHES = 4
MIN_TRAIN, MIN_VAL = 64, 32  # rows needed on each side before two label distributions are compared
UNSEEN_VAL = 0.2  # a class holding this share of the validation labels...
UNSEEN_TRAIN = 0.02  # ...and less than this share of the training labels was never learned
SHIFT = 0.5  # and the two distributions differ by this much (total variation)


def class_ids(y: Any) -> np.ndarray | None:
    """Class ids from integer labels (one column) or one-hot rows; None for anything else."""
    a = np.asarray(y)
    if a.size == 0 or a.dtype.kind not in "biuf":
        return None
    a = a.reshape(len(a), -1)
    if a.shape[1] == 1:
        v = a[:, 0]
        if not np.all(np.isfinite(v)) or not np.all(np.mod(v, 1) == 0) or v.min() < 0:
            return None
        return v.astype("int64")
    if set(np.unique(a).tolist()) <= {0, 1} and np.all(a.sum(axis=1) == 1):
        return a.argmax(axis=1)
    return None


def split_finding(train_y: Any, val_y: Any, step: float) -> Finding | None:
    """Validation classes the training sample lacks, with the two distributions as evidence."""
    tr, va = class_ids(train_y), class_ids(val_y)
    if tr is None or va is None or tr.size < MIN_TRAIN or va.size < MIN_VAL:
        return None
    k = int(max(tr.max(), va.max())) + 1
    if k > 1000:
        return None
    pt = np.bincount(tr, minlength=k) / tr.size
    pv = np.bincount(va, minlength=k) / va.size
    shift = 0.5 * float(np.abs(pt - pv).sum())
    unseen = [c for c in range(k) if pv[c] >= UNSEEN_VAL and pt[c] < UNSEEN_TRAIN]
    if shift < SHIFT or not unseen:
        return None
    share = float(pv[unseen].sum())
    named = ", ".join(str(c) for c in unseen[:5])
    return Finding(
        "unshuffled-data", Severity.WARNING,
        f"the validation labels are mostly class(es) {named} ({share:.0%} of them), which make "
        f"{float(pt[unseen].sum()):.0%} of the training batches: the split was cut from data sorted by label",
        steps=[step], evidence={"subject": "validation-split", "train_share": {int(c): float(pt[c]) for c in range(k)
                                                                             if pt[c] > 0},
                                "val_share": {int(c): float(pv[c]) for c in range(k) if pv[c] > 0},
                                "shift": shift, "unseen_classes": unseen, "cause": True},
        causes=["the data is stored in label order and the validation rows were taken from its end: Keras' "
                "validation_split takes the last rows before fit shuffles, so training never sees those classes"],
        fixes=["Shuffle the arrays before fit (one permutation for x and y: p = np.random.permutation(len(x)); "
               "x, y = x[p], y[p]), or split with a stratified, shuffled split and pass validation_data."])


SORTED_SHARE = 0.75  # the sampled training class makes at most this share of the validation labels


def sorted_batches_finding(train_y: Any, val_y: Any, step: float) -> Finding | None:
    """unshuffled-data when every sampled training batch holds one class but the validation labels hold others:
    the training rows are sorted by label and fit serves them in that order (shuffle=False, an unshuffled
    generator); the training labels are not constant, only the first batches are."""
    tr, va = class_ids(train_y) if train_y is not None else None, class_ids(val_y) if val_y is not None else None
    if tr is None or va is None or tr.size < MIN_TRAIN or va.size < MIN_VAL:
        return None
    seen = np.unique(tr)
    if len(seen) != 1:
        return None
    c = int(seen[0])
    others = np.unique(va[va != c])
    share = float((va == c).mean())
    if not len(others) or share > SORTED_SHARE:
        return None
    named = ", ".join(str(int(k)) for k in others[:5])
    return Finding(
        "unshuffled-data", Severity.WARNING,
        f"the first {tr.size} training labels are all class {c}, while the validation labels hold class(es) {named} "
        f"as well ({c} is {share:.0%} of them): the training rows are sorted by label and fit serves them in that "
        "order, one class per batch",
        steps=[step], evidence={"subject": "sorted-batches", "cause": True, "class": c, "train_rows": int(tr.size),
                                "val_share": share, "val_classes": [int(k) for k in np.unique(va)][:20],
                                "explains": ["oscillation", "loss-spikes", "stalled", "overfitting",
                                             "stuck-at-chance"]},
        causes=["data stored in label order (files concatenated per class, rows sorted by label) and fit(shuffle=False)"
                " or a generator that does not shuffle: each stretch of batches pulls the model toward one class, so "
                "the loss swings with the order and the last classes seen win"],
        fixes=["Shuffle the training rows: model.fit(..., shuffle=True) (the default for arrays), or permute x and y "
               "together once (p = np.random.permutation(len(x)); x, y = x[p], y[p]); shuffle a generator or "
               "tf.data pipeline inside it.",
               f"If np.unique(y) of the whole training array is only {c}, the training labels themselves are wrong "
               "instead: check which array is passed as y."])


class ValidationSample:
    """The first validation batches' labels, seen through a wrapped ``test_step``."""

    def __init__(self) -> None:
        self.ys: list[np.ndarray] = []
        self.xs: list[np.ndarray] = []  # the same batches' inputs, for the train/validation scale check
        self.wrapped = False
        self.done = False

    def wrap(self, model: Any, host: Callable[[Any], Any], on_error: Callable[[Exception], None]) -> None:
        if "test_step" in model.__dict__:
            return
        import keras

        original = model.test_step

        def test_step(data: Any) -> Any:
            try:
                x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
                if y is None or isinstance(y, (dict, list, tuple)):
                    self.unwrap(model)
                else:
                    self.ys.append(np.asarray(host(y)))
                    if not isinstance(x, (dict, list, tuple)):
                        self.xs.append(np.asarray(host(x)))
                    if len(self.ys) >= VAL_BATCHES:
                        self.unwrap(model)
            except Exception as exc:
                self.unwrap(model)
                on_error(exc)
            return original(data)

        object.__setattr__(model, "test_step", test_step)
        self.wrapped = True

    def unwrap(self, model: Any) -> None:
        if self.wrapped:
            model.__dict__.pop("test_step", None)
            self.wrapped = False

    def inputs(self) -> np.ndarray | None:
        """The sampled validation inputs, one row per sample (None when they cannot be stacked)."""
        try:
            return np.concatenate([x.reshape(len(x), -1) for x in self.xs]) if self.xs else None
        except ValueError:
            return None

    def labels(self) -> np.ndarray | None:
        try:
            return np.concatenate([y.reshape(len(y), -1) for y in self.ys]) if self.ys else None
        except ValueError:
            return None
