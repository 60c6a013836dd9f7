"""Do validation rows relate to their labels the way training rows do? A model-free cross-split test.

A validation set prepared by another pipeline than the training set (a tokenizer or vocabulary
fitted again on the validation texts, a scaler refitted on it, columns in another order) keeps
its labels but changes what its inputs mean. The network then fits training and sits at chance
on validation from the first epoch: on the curves that is indistinguishable from overfitting or
from labels that cannot be learned at all. One fact separates them without the network: a
simple linear model fitted on some sampled training rows predicts *other* training rows well
above chance, but validation rows only at chance. Inputs of token ids are read as bags of ids
(which ids occur, not where), numeric inputs as standardised features (with the training
statistics, as the model sees them).

Two causes give that picture, and a second fit tells them apart: validation rows re-encoded by
another pipeline still relate to *their own* labels consistently, so a linear model fitted on
half of the validation rows predicts the other half well; validation labels that belong to other
rows (``y_train[:n]`` passed as ``y_val``, a separate shuffle of x and y) relate to nothing, and
that fit sits at chance too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_TRAIN, MIN_VAL = 96, 48
MAX_BINS = 2048  # token ids beyond this share bins (a hashing trick keeps the cost fixed)
MAX_DIMS = 256  # wider numeric inputs are randomly projected to this many
Z_TRAIN = 3.0  # held-out training rows predicted this many standard errors above chance...
Z_GAP = 3.0  # ...and this many above the validation rows
AT_CHANCE = 0.05  # validation rows predicted no better than chance + this


def is_id_sequence(x: np.ndarray) -> bool:
    """Integer, non-negative rows of several positions: token ids (what an Embedding takes)."""
    a = np.asarray(x)
    return a.dtype.kind in "iu" and a.ndim == 2 and a.shape[1] >= 2 and a.size > 0 and int(a.min()) >= 0


def id_bags(x: np.ndarray, bins: int | None = None) -> np.ndarray:
    """Each row as counts of its ids (ids modulo ``bins``)."""
    a = np.asarray(x).astype("int64")
    k = bins or int(min(int(a.max()) + 1, MAX_BINS))
    out = np.zeros((len(a), k), dtype="float64")
    np.add.at(out, (np.repeat(np.arange(len(a)), a.shape[1]), (a % k).reshape(-1)), 1.0)
    return out


def features(train: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Both splits as features, built from the training split alone (bins, mean, std, projection)."""
    if is_id_sequence(train) and is_id_sequence(other):
        k = int(min(max(int(np.max(train)), int(np.max(other))) + 1, MAX_BINS))
        return id_bags(train, k), id_bags(other, k)
    a = np.asarray(train, dtype="float64").reshape(len(train), -1)
    b = np.asarray(other, dtype="float64").reshape(len(other), -1)
    if a.shape[1] != b.shape[1] or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    mean, std = a.mean(0), a.std(0)
    keep = std > 1e-12
    if not keep.any():
        return None
    a, b = (a[:, keep] - mean[keep]) / std[keep], (b[:, keep] - mean[keep]) / std[keep]
    if a.shape[1] > MAX_DIMS:
        proj = np.random.default_rng(0).normal(size=(a.shape[1], MAX_DIMS)) / math.sqrt(MAX_DIMS)
        a, b = a @ proj, b @ proj
    return a, b


def _ridge(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Weights of a ridge regression onto one-hot labels (with a bias column)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    t = np.eye(k)[y]
    lam = max(1e-3, 0.1 * float(np.trace(xb.T @ xb)) / xb.shape[1])
    return np.linalg.solve(xb.T @ xb + lam * np.eye(xb.shape[1]), xb.T @ t)


def _predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (np.hstack([x, np.ones((len(x), 1))]) @ w).argmax(1)


@dataclass
class SplitLink:
    train_rows: int
    val_rows: int
    held_out_accuracy: float  # training rows predicted by a model fitted on the other training rows
    val_accuracy: float  # validation rows predicted by a model fitted on all sampled training rows
    chance: float  # the validation majority share
    val_self_accuracy: float | None = None  # validation rows predicted by a model fitted on the other validation rows
    train_small_accuracy: float | None = None  # the same fit on as many training rows as there are validation rows

    @property
    def labels_unrelated(self) -> bool:
        """The validation labels do not even relate to the validation inputs: they belong to other rows.

        Judged against the same fit on as many training rows, so a split too small to fit is not taken
        for one whose labels relate to nothing."""
        v, t = self.val_self_accuracy, self.train_small_accuracy
        if v is None or t is None:
            return False
        p = self.chance
        se = math.sqrt(max(p * (1 - p), 1e-6) / self.val_rows)
        return t - p >= Z_TRAIN * se and v <= p + max(AT_CHANCE, 2 * se)

    @property
    def differs(self) -> bool:
        """Training rows carry their labels to held-out training rows, not to validation rows."""
        p = self.chance
        se_train = math.sqrt(max(p * (1 - p), 1e-6) / self.train_rows)
        pooled = (self.held_out_accuracy + self.val_accuracy) / 2
        se_gap = math.sqrt(max(pooled * (1 - pooled), 1e-6) * (1 / self.train_rows + 1 / self.val_rows))
        return (self.held_out_accuracy - p >= Z_TRAIN * se_train
                and self.held_out_accuracy - self.val_accuracy >= Z_GAP * se_gap
                and self.val_accuracy <= p + AT_CHANCE)


def prepared(train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray, val_y: np.ndarray) -> tuple | None:
    """(train features, val features, train ids, val ids, classes) for a cross-split fit; None when it cannot run."""
    ty, vy = np.asarray(train_y).reshape(-1), np.asarray(val_y).reshape(-1)
    if len(train_x) != len(ty) or len(val_x) != len(vy) or len(ty) < MIN_TRAIN or len(vy) < MIN_VAL:
        return None
    feats = features(np.asarray(train_x), np.asarray(val_x))
    if feats is None:
        return None
    a, b = feats
    k = int(max(ty.max(), vy.max())) + 1
    if k < 2 or k > 100:
        return None
    return a, b, ty, vy, k


def split_link(train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray, val_y: np.ndarray) -> SplitLink | None:
    """The cross-split test on sampled rows and class ids; None when it cannot be run."""
    ready = prepared(train_x, train_y, val_x, val_y)
    if ready is None:
        return None
    a, b, ty, vy, k = ready
    held = _two_fold(a, ty, k)
    val = float(np.mean(_predict(_ridge(a, ty, k), b) == vy))
    chance = float(np.bincount(vy, minlength=k).max() / len(vy))
    return SplitLink(len(a), len(b), held, val, chance, _two_fold(b, vy, k), _two_fold(a[:len(b)], ty[:len(b)], k))


def _two_fold(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """Accuracy of rows predicted by a ridge model fitted on the other half of the same rows."""
    half = len(x) // 2
    right = 0
    for fit, test in ((slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))):
        right += int(np.sum(_predict(_ridge(x[fit], y[fit], k), x[test]) == y[test]))
    return right / len(x)


def encoding_finding(link: SplitLink, val_losses: list[float], step: float):
    """label-problem: validation rows encoded differently, when the run agrees (validation never improved)."""
    from ..findings import Finding, Severity
    from .label_link import NEVER_BETTER

    if not link.differs or len(val_losses) < 3 or not all(math.isfinite(v) for v in val_losses):
        return None
    if min(val_losses) < NEVER_BETTER * val_losses[0]:
        return None  # validation improved at some point: it shares the training rows' encoding
    unrelated = link.labels_unrelated
    if unrelated:
        causes = [f"the validation labels do not belong to the validation rows: a model fitted on half of the "
                  f"validation rows predicts the other half at only {link.val_self_accuracy:.0%}, so the labels "
                  "relate to no input at all (y_val taken from another array such as y_train[:len(x_val)], x_val "
                  "and y_val shuffled or filtered separately)"]
        fixes = ["Pass the validation labels that belong to the validation inputs, split together with them: "
                 "validation_data=(x_val, y_val) from one train_test_split (or one permutation index for both)."]
    else:
        causes = ["the validation inputs were prepared by another pipeline than the training inputs: a tokenizer or "
                  "vocabulary fitted again on the validation texts (the same word gets another id), a scaler "
                  "refitted on them, or the columns in another order"]
        fixes = ["Fit the preprocessing once, on the training data, and apply that same fitted object to every "
                 "split: one tokenizer vocabulary (fit_on_texts on the training texts, texts_to_sequences for "
                 "both), one scaler, one column order."]
    return Finding(
        "label-problem", Severity.WARNING,
        f"the validation rows do not relate to their labels the way training rows do: a linear model fitted on "
        f"sampled training rows predicts held-out training rows at {link.held_out_accuracy:.0%} but validation rows "
        f"at {link.val_accuracy:.0%} (majority share {link.chance:.0%}), and the validation loss never improved "
        f"({val_losses[0]:.3g} -> {val_losses[-1]:.3g})",
        steps=[step], evidence={"subject": "validation-labels" if unrelated else "validation-encoding",
                                "held_out_accuracy": link.held_out_accuracy,
                                "val_accuracy": link.val_accuracy, "chance": link.chance,
                                "val_self_accuracy": link.val_self_accuracy,
                                "train_small_accuracy": link.train_small_accuracy,
                                "train_rows": link.train_rows, "val_rows": link.val_rows, "cause": True,
                                "explains": ["overfitting", "val-without-train", "both-rising"]},
        causes=causes, fixes=fixes)


def all_positions_filled(x: np.ndarray | None) -> bool:
    """Token-id rows none of which is padded (no 0 anywhere): every sequence was at least as long as the cut."""
    if x is None:
        return False
    a = np.asarray(x)
    return is_id_sequence(a) and len(a) >= MIN_VAL and not bool(np.any(a == 0))
