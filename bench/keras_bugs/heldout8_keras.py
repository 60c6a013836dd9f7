"""An eighth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why an eighth set: held-out sets 1-7 have been run and studied (set 7 is development material now), so
they no longer measure bugs nobody tuned for. These programs were written without reading traindoc's
rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT8.sha256``) before traindoc was ever run on them; see ``HELDOUT8.md``. Run with
``bench/bench_keras_bugs.py --set heldout8``.

The set uses bug classes the earlier sets do not: a custom loss whose two arguments are named in the wrong
order, a label encoder fitted again for every data file, the label column left among the features, a
Functional model whose output is wired to the input, token ids scaled like features before an Embedding,
the CSV's row-number column read as a feature, log() of a count with zeros, a learning rate taken from a
log-space search without 10 ** ..., ReLU as the output of a classifier, and global pooling in a
task decided by position.

Same format as ``heldout7_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout6_keras import with_validation  # the sixth set's validation helper
from .heldout7_keras import net, tokens  # the seventh set's MLP and token sequences
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT8: list[Case] = []


def heldout8(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the eighth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT8.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split(out: dict, x: np.ndarray, y: np.ndarray, n_val: int = 128) -> dict:
    """Train on all but the first ``n_val`` rows, validate on those (the arrays given to ``compiled``)."""
    out["x"], out["y"] = x[n_val:], y[n_val:]
    return with_validation(out, x[:n_val], y[:n_val])


# ---------------------------------------------------------------- loss

def _bce_body(first, second):
    """A hand-written binary cross-entropy: ``second`` is read as the labels, ``first`` as the predictions."""
    p = ops.clip(first, 1e-7, 1.0 - 1e-7)
    return -ops.mean(second * ops.log(p) + (1.0 - second) * ops.log(1.0 - p))


def bce_arguments_swapped(y_pred, y_true):  # Keras calls loss(labels, predictions): the names are swapped
    return _bce_body(y_pred, y_true)


def bce_right_order(y_true, y_pred):
    return _bce_body(y_pred, y_true)


@heldout8("custom-loss-arguments-swapped", ("high-initial-loss", "loss-metric-mismatch", "label-problem"),
          ("high-initial-loss", "loss-metric-mismatch", "label-problem"),
          r"\(y_true, ?y_pred\)|argument(s)? (order|swapped|reversed)|(order|swap)\w* (of )?the (loss(.s)? )?arguments"
          r"|y_true (first|before y_pred)|custom loss.{0,60}(signature|argument)",
          "a hand-written binary cross-entropy written as def loss(y_pred, y_true): p = clip(y_pred); "
          "-mean(y_true * log(p) + ...) (the argument order of sklearn-style metrics); Keras calls a loss as "
          "loss(y_true, y_pred), so inside the function the 0/1 labels are clipped and logged and the predictions "
          "act as the targets: the first loss is ~4 instead of ln 2, and the loss settles more than ten times "
          "above the right one (a scaled absolute error against log(1e-7)) while accuracy still rises (SO-style 'custom "
          "loss in Keras gives strange large values'); fix: def loss(y_true, y_pred). No finding id names the "
          "argument order; the nearest symptoms are accepted and only advice naming the loss's arguments counts "
          "as the fix")
def _(fixed):
    x, y = _data.binary(seed=801)
    loss = bce_right_order if fixed else bce_arguments_swapped
    return compiled(net(1, "sigmoid"), loss, x, y.reshape(-1, 1), optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=6)


# ---------------------------------------------------------------- labels / data

@heldout8("label-encoder-refit-per-file", ("label-problem", "stalled", "cannot-overfit-batch", "overfitting",
                                           "loss-metric-mismatch"),
          ("label-problem", "stalled", "cannot-overfit-batch"),
          r"LabelEncoder|(one|same|single|shared|consistent) (label |class )?(encoder|encoding|mapping|label map)"
          r"|(encod|mapping|map)\w*.{0,40}(per|each|every|separately for) (file|split|chunk|site|part)"
          r"|(class|label) (id|index|indices|code)s?.{0,40}(inconsistent|differ|mismatch|shift)",
          "species names from four field-site files, each file's names turned into class ids by its own "
          "LabelEncoder / np.unique(return_inverse=True) inside the loading loop: two sites never recorded the "
          "first species, so in their files the second species becomes id 0 and the third id 1, and a third of "
          "all rows carry another class's id; the model cannot fit them and both losses stay high (SO-style "
          "'LabelEncoder gives different numbers for the same class in train and test / per file'); fix: fit "
          "one encoder on all names (or a fixed name -> id table) and apply it to every file")
def _(fixed):
    rng = np.random.default_rng(802)
    x, y = _data.classes(3, seed=802)
    names = np.array(["ash", "birch", "cedar"])[y]
    site = np.where(y == 0, rng.integers(0, 2, len(y)), rng.integers(0, 4, len(y)))  # sites 2, 3: no "ash"
    if fixed:
        codes = np.unique(names, return_inverse=True)[1]
    else:
        codes = np.zeros(len(y), dtype="int64")
        for s in range(4):
            rows = site == s
            codes[rows] = np.unique(names[rows], return_inverse=True)[1]
    order = rng.permutation(len(y))
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, codes, metrics=["accuracy"], epochs=8)
    return split(out, x[order], codes[order].astype("int64"))


@heldout8("label-column-left-in-features", ("label-problem",), ("label-problem",),
          r"\bleak(s|ed|age|ing)?\b|(label|target) (column|feature).{0,40}(input|feature|drop)|drop\w* the (label|target)"
          r"|(label|target)s? (is |are )?(among|in|part of|included in) the (inputs|features)",
          "a tabular classifier whose features are taken as X = df.values with the label column still in it "
          "(df.drop(columns='label') forgotten; y = df['label'] taken separately): one input column is the class id "
          "itself, so training and validation loss fall to ~0.01 and validation accuracy reaches 1.0, "
          "while the same model without the leak ends near 0.95 (SO-style 'my model gets 100% accuracy from the "
          "first epoch — too good to be true'); fix: drop the label column from the features. No finding id names "
          "a leak; label-problem is the nearest and only advice naming the leaked label column counts as the fix")
def _(fixed):
    x, y = _data.classes(3, seed=803)
    table = np.concatenate([x, y[:, None].astype("float32")], 1)  # the data frame, label last
    feats = table[:, :-1] if fixed else table
    out = compiled(net(3, "softmax", d=feats.shape[1]), "sparse_categorical_crossentropy", feats, y,
                   metrics=["accuracy"], epochs=8)
    return split(out, feats, y)


# ---------------------------------------------------------------- architecture

@heldout8("functional-output-wired-to-input", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          r"hidden layers?.{0,60}(unused|not used|skipped|bypass|not connected|disconnected|never (used|called))"
          r"|(output|last) layer.{0,60}(called on|applied to|wired to|connected to) (the )?inputs?"
          r"|no hidden layer|(model|network) (is|acts as|reduces to) (a |one )?(linear|logistic)",
          "a Functional-API classifier written x = Dense(32, 'relu')(inputs); x = Dense(32, 'relu')(x); "
          "outputs = Dense(2, 'softmax')(inputs) — the last line takes inputs instead of x, so Model(inputs, "
          "outputs) holds only the output layer: a linear softmax regression, which cannot separate an inner "
          "from an outer band of distance from the origin, and the loss falls only to ln 2 (SO-style 'Functional "
          "model summary shows fewer layers than I defined and it does not learn'); fix: outputs = Dense(2)(x)")
def _(fixed):
    x, y = rings(2, seed=804)
    inputs = keras.Input((_data.D,))
    h = layers.Dense(32, activation="relu")(inputs)
    h = layers.Dense(32, activation="relu")(h)
    outputs = layers.Dense(2, activation="softmax")(h if fixed else inputs)
    out = compiled(keras.Model(inputs, outputs), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- input preprocessing

@heldout8("token-ids-scaled-before-embedding", ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
          ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
          r"(token|word) ?(id|index|indices)|embedding.{0,60}(integer|\bint\b|index|indices|cast|truncat)"
          r"|(do not|don't|never) (scale|normali[sz]e|divide).{0,40}(id|token|index|embedding)",
          "a bag-of-words classifier Embedding(30, 8) -> GlobalAveragePooling1D -> Dense whose token-id matrix was "
          "'normalised to [0, 1]' by dividing by the vocabulary size, like the numeric inputs of an earlier model: "
          "the Embedding casts its float input to integers, every id below 30 / 30 truncates to 0, so each text "
          "is twelve copies of the same token and the loss stays at ln 2 (SO-style 'Embedding layer: should I "
          "normalise the input? model stuck at 50%'); fix: feed the integer ids unscaled")
def _(fixed):
    x, y = tokens(805, key=7)
    ids = x if fixed else (x / 30.0).astype("float32")
    model = keras.Sequential([keras.Input((x.shape[1],), dtype="int64" if fixed else "float32"),
                              layers.Embedding(30, 8), layers.GlobalAveragePooling1D(),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    return compiled(model, "binary_crossentropy", ids, y.reshape(-1, 1), optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=6)


@heldout8("csv-index-column-as-feature", ("unnormalized-input", "stuck-at-chance", "dead-relu", "stalled",
                                          "no-learning", "high-initial-loss"),
          ("unnormalized-input", "dead-relu", "stuck-at-chance", "high-initial-loss", "stalled"),
          r"index (column|col)|index_col|Unnamed|row (number|id|index)|(drop|remove)\w* (the )?(id|index)"
          r"|(column|feature) 0.{0,40}(index|row number|\bid\b)",
          "standardised tabular features saved with df.to_csv('data.csv') and read back with pd.read_csv without "
          "index_col=0: the saved row numbers (0 to 511) come back as an 'Unnamed: 0' column and are fed as the "
          "first feature; on its own scale that column drives the first layer, the first loss is ~12 and the "
          "units die, so both losses stay flat (SO-style 'pandas adds an Unnamed: 0 column and my model stopped "
          "learning'); fix: read with index_col=0 (or drop the column)")
def _(fixed):
    x, y = _data.classes(3, seed=806)
    feats = x if fixed else np.concatenate([np.arange(len(x), dtype="float32")[:, None], x], 1)
    out = compiled(net(3, "softmax", d=feats.shape[1]), "sparse_categorical_crossentropy", feats, y,
                   metrics=["accuracy"], epochs=8)
    return split(out, feats, y)


@heldout8("log-of-feature-with-zeros", ("nonfinite", "nonfinite-origin", "unnormalized-input"),
          ("nonfinite", "nonfinite-origin", "unnormalized-input"),
          r"log1p|log\(1 ?\+|\blog\((x|counts?|0|zero)|\blog of (a )?(zero|0)\b|(zero|0)s?.{0,40}(before|under|inside|in|"
          r"into) (the |a )?log\b|\blog\b.{0,30}(of|on) (a )?(zero|0)s?\b",
          "skewed count features (visits, purchases, returns per customer) log-transformed with np.log(counts) "
          "'to make them normal', where some customers have a count of 0: log(0) = -inf, the first batch holding "
          "such a row gives a NaN loss and NaN weights, and the loss is NaN from the first epoch (SO-style 'loss "
          "is nan after log-transforming my features'); fix: np.log1p(counts) (or log(counts + 1))")
def _(fixed):
    rng = np.random.default_rng(807)
    x, y = _data.classes(3, seed=807)
    counts = np.floor(np.exp(1.2 * x[:, :3] + 0.5) * rng.uniform(0.5, 1.0, size=(len(x), 3)))
    logged = np.log1p(counts) if fixed else np.log(counts)
    feats = np.concatenate([logged, x[:, 3:]], 1).astype("float32")
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", feats, y, metrics=["accuracy"], epochs=8)
    return split(out, feats, y)


# ---------------------------------------------------------------- learning rate

@heldout8("learning-rate-from-log-search", ("divergence", "lr-too-high", "both-rising", "stuck-at-chance",
                                            "high-initial-loss", "update-ratio", "dead-relu", "nonfinite",
                                            "exploding-gradients"),
          ("divergence", "lr-too-high", "both-rising", "update-ratio"),
          r"negative (learning.?rate|lr\b)|(learning.?rate|\blr\b).{0,40}(is negative|negative value|below zero|"
          r"< ?0|sign\b|10 ?\*\* ?|exponent|log.?space)",
          "the learning rate taken from a hyper-parameter search done in log space: trial values like "
          "log_lr = -2.5 are passed as Adam(learning_rate=log_lr) instead of 10 ** log_lr, so the rate is negative "
          "and every step climbs the loss: within the first epoch the softmax saturates on wrong classes, the loss "
          "sits near 10 and accuracy near chance (SO-style 'loss goes up instead of down with Adam / Optuna "
          "learning rate'); fix: Adam(learning_rate=10 ** log_lr)")
def _(fixed):
    x, y = _data.classes(3, seed=808)
    log_lr = -2.5
    opt = keras.optimizers.Adam(10.0 ** log_lr if fixed else log_lr)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                   metrics=["accuracy"], epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- output activation / loss

@heldout8("relu-output-categorical-ce", ("wrong-output-activation", "nonfinite", "nonfinite-origin", "loss-spikes",
                                         "dead-relu"),
          ("wrong-output-activation", "nonfinite", "nonfinite-origin"),
          r"activation=.softmax|softmax (output|activation)|(output|last|final) (layer|activation|unit)s?.{0,40}relu"
          r"|relu.{0,40}(on|at|in) the (output|last|final)",
          "a three-class classifier whose output layer repeats the hidden layers' activation, Dense(3, "
          "activation='relu'), under sparse_categorical_crossentropy: Keras' cross-entropy divides the outputs by "
          "their sum to get probabilities, a row whose three ReLU outputs are all 0 gives 0 / 0, and an epoch's "
          "loss is NaN (here the first) although accuracy still climbs (SO-style 'Keras loss nan with relu in last layer'); fix: "
          "activation='softmax' on the output layer")
def _(fixed):
    x, y = _data.classes(3, seed=809)
    return compiled(net(3, "softmax" if fixed else "relu"), "sparse_categorical_crossentropy", x, y,
                    metrics=["accuracy"], epochs=6)


# ---------------------------------------------------------------- architecture: pooling

def patch_images(seed: int, size: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Noise images with one bright 3x3 patch; the label says whether the patch lies in the left or right half.

    Patches keep a margin from the border, so a convolution sees the same local picture in both classes:
    only the position tells them apart.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(_data.N, size, size)).astype("float32")
    y = rng.integers(0, 2, size=_data.N)
    rows = rng.integers(1, size - 4, size=_data.N)
    cols = np.where(y == 0, rng.integers(1, 4, size=_data.N), rng.integers(size - 6, size - 3, size=_data.N))
    for i in range(_data.N):
        x[i, rows[i]:rows[i] + 3, cols[i]:cols[i] + 3] += 1.5
    return x[..., None], y.astype("int64")


@heldout8("global-pooling-loses-position", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          r"GlobalAveragePooling|global (average |max )?pool|\bFlatten\b|(position|location|spatial).{0,60}"
          r"(lost|discard|throw|averag|pool)|pool\w*.{0,60}(position|location|spatial)",
          "a small CNN, Conv2D(8, 3) -> GlobalAveragePooling2D -> Dense, copied from an image-classification "
          "template, for a task decided by where a bright patch lies (left or right half of the image): global "
          "average pooling throws away the position and the local pictures of both classes are the same, so the "
          "loss stays at ln 2 (SO-style 'CNN cannot learn the position of an object — stuck at 50%'); fix: "
          "Flatten (or a Dense over the feature map) instead of global pooling")
def _(fixed):
    x, y = patch_images(810)
    model = keras.Sequential([keras.Input(x.shape[1:]), layers.Conv2D(8, 3, activation="relu"),
                              layers.Flatten() if fixed else layers.GlobalAveragePooling2D(),
                              layers.Dense(16, activation="relu"), layers.Dense(2, activation="softmax")])
    out = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    return split(out, x, y)
