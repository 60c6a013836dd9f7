"""The fifth bug-kinds dev set: classes that held-out set 18 (and sets 10-15) missed, each in programs of its own.

Why: a check fitted to the one held-out program of a class is worth nothing on the next blind set, so
each class handled in session 14 is written again here in other shapes (another loss spelling, another
model API, another depth or activation). Each buggy program has a fixed twin that must draw no warning.
It is a DEV set: checks are written against it. Run with ``bench/bench_keras_bugs.py --set devkinds5``.

The classes: class ids regressed by every one of K scores (an element-wise regression loss against one
id per row), a deep stack whose gradient shrinks layer after layer (saturating activations, or an
initialisation too small for the depth), convolutions given no activation (the stack is one linear
filter), and texts whose every word the vocabulary lookup misses (all inputs one id). ``ids`` and ``fix`` patterns were written before traindoc ran.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout_keras import compiled
from .keras_cases import Case

DEVKINDS5: list[Case] = []


def devkind5(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the fifth bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS5.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# Shared with the PyTorch programs.
IDS_REGRESSED = ("loss-metric-mismatch", "label-problem", "wrong-output-activation", "stuck-at-chance", "stalled",
                 "no-learning", "cannot-overfit-batch")
IDS_FIX = r"(sparse_categorical|cross[- ]?entropy)\w*.{0,60}(class|label|id)|(class|label) ids?.{0,60}cross[- ]?entropy"
DEEP_IDS = ("vanishing-gradients", "poor-initialization", "saturated-activation", "stuck-at-chance", "stalled",
            "no-learning", "cannot-overfit-batch")
ONE_ID_IDS = ("label-problem", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch")
ONE_ID_FIX = (r"(word|token)[- ]to[- ](index|id)|(every|each) word (must )?gets? its own id|vocabulary.{0,40}"
              r"(built|fit\w*) (from|on) the (words|texts)")
LINEAR_CONV_IDS = ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch")
LINEAR_CONV_FIX = (r"activation=.?relu.{0,60}conv|nn\.ReLU\(\).{0,40}conv|(no|without|missing) (an? )?activation.{0,60}"
                   r"conv|one linear (map|filter)")
DEEP_FIX = (r"relu (instead of|rather than|in place of) (the )?(sigmoid|tanh)|kaiming|he_normal|\bhe (init|initiali)|"
            r"xavier|glorot|calculate_gain")


@devkind5("dense-scores-mse-on-class-ids", IDS_REGRESSED, IDS_REGRESSED[:3], IDS_FIX,
          "a Sequential net ending in Dense(5) (linear scores, one per class) compiled with "
          "loss='mean_squared_error' and metrics=['accuracy'] and fit on the class ids as a float (N, 1) column "
          "(reshaped so that Keras stops complaining about the shapes): each id broadcasts against the five "
          "scores, so every score is fitted to the id as a number; fix: SparseCategoricalCrossentropy("
          "from_logits=True) on the integer ids")
def _(fixed):
    x, y = _data.classes(5, seed=5101)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu"), layers.Dense(5)])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True) if fixed else "mean_squared_error"
    target = y if fixed else y.astype("float32").reshape(-1, 1)
    return compiled(model, loss, x, target, metrics=["accuracy"], optimizer=keras.optimizers.Adam(3e-3), epochs=8)


class TanhTower(keras.Model):
    """Ten tanh Dense layers built in a loop, each with the given initialiser, then a softmax head."""

    def __init__(self, init, k: int = 3):
        super().__init__()
        self.body = [layers.Dense(20, activation="tanh", kernel_initializer=init) for _ in range(10)]
        self.head = layers.Dense(k, activation="softmax")

    def call(self, x):
        for lay in self.body:
            x = lay(x)
        return self.head(x)


@devkind5("ten-tanh-layers-small-normal-init", DEEP_IDS, DEEP_IDS[:6], DEEP_FIX,
          "a subclassed model of ten Dense(20, tanh) layers whose kernels are drawn from "
          "RandomNormal(stddev=0.05) (a value copied from a shallow example), trained with SGD(0.05) on three "
          "classes: each layer keeps about a fifth of the signal's scale, the first layers get almost no "
          "gradient and the loss stays near ln 3; fix: glorot_normal kernels (Xavier for tanh)")
def _(fixed):
    x, y = _data.classes(3, seed=5102)
    init = "glorot_normal" if fixed else keras.initializers.RandomNormal(stddev=0.05, seed=5102)
    return compiled(TanhTower(init), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.SGD(0.05), epochs=8)


def pulses(seed: int, length: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Sequences (N, length, 1) holding one pulse of total height 4: four ones in a row (1) or two spikes of 2
    three steps apart (0); both classes sum alike, so only the pulse's shape tells them apart."""
    rng = np.random.default_rng(seed)
    x = 0.1 * rng.normal(size=(_data.N, length)).astype("float32")
    y = rng.integers(0, 2, size=_data.N)
    for i in range(_data.N):
        p = int(rng.integers(5, length - 9))
        if y[i]:
            x[i, p:p + 4] += 1.0
        else:
            x[i, p] += 2.0
            x[i, p + 3] += 2.0
    return x[..., None], y.astype("float32").reshape(-1, 1)


@devkind5("conv1d-pair-without-activation", LINEAR_CONV_IDS, LINEAR_CONV_IDS, LINEAR_CONV_FIX,
          "a Sequential Conv1D(16, 3) -> Conv1D(16, 3) -> GlobalAveragePooling1D -> Dense(1, sigmoid) over "
          "24-step signals, the Conv1D layers written without activation= (linear by default): the stack is one "
          "linear filter and an average, which sees only each signal's total, equal in both classes; fix: "
          "activation='relu' on both Conv1D layers")
def _(fixed):
    x, y = pulses(seed=5107)
    act = "relu" if fixed else None
    model = keras.Sequential([keras.Input((24, 1)), layers.Conv1D(16, 3, activation=act),
                              layers.Conv1D(16, 3, activation=act), layers.GlobalAveragePooling1D(),
                              layers.Dense(1, activation="sigmoid")])
    return compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], optimizer=keras.optimizers.Adam(1e-2),
                    epochs=10)


def sentiment_words(seed: int, length: int = 9) -> tuple[list[list[str]], np.ndarray]:
    """Texts of filler words with one opinion word that decides the label (1: positive)."""
    rng = np.random.default_rng(seed)
    pos, neg = ["great", "lovely", "superb", "fine"], ["awful", "dull", "poor", "weak"]
    filler = ["the", "menu", "staff", "table", "room", "view", "price", "dish", "wine", "music", "night", "place"]
    texts, y = [], []
    for _ in range(_data.N):
        words = list(rng.choice(filler, size=length))
        good = rng.random() < 0.5
        words[int(rng.integers(0, length))] = str(rng.choice(pos if good else neg))
        texts.append(words)
        y.append(float(good))
    return texts, np.array(y, dtype="float32").reshape(-1, 1)


@devkind5("vocabulary-built-from-the-label-names", ONE_ID_IDS, ONE_ID_IDS, ONE_ID_FIX,
          "a restaurant-review classifier (Embedding -> GlobalAveragePooling1D -> Dense(1, sigmoid)) whose word "
          "index is built from the wrong list, {w: i + 2 for i, w in enumerate(class_names)} (the class names, "
          "not the texts): no review word is in it, every token is encoded as the out-of-vocabulary id 1 and all "
          "inputs are the same; fix: build the word index from the words of the training texts")
def _(fixed):
    texts, y = sentiment_words(seed=5109)
    source = sorted({w for t in texts for w in t}) if fixed else ["negative", "positive"]
    index = {w: i + 2 for i, w in enumerate(source)}
    x = np.array([[index.get(w, 1) for w in t] for t in texts], dtype="int32")
    model = keras.Sequential([keras.Input((x.shape[1],), dtype="int32"), layers.Embedding(len(index) + 2, 16),
                              layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    return compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], optimizer=keras.optimizers.Adam(1e-2),
                    epochs=8)


@devkind5("top-3-accuracy-on-three-classes", ("misleading-accuracy", "loss-metric-mismatch", "metric-out-of-range"),
          ("misleading-accuracy", "loss-metric-mismatch"), r"top[-_ ]?k|top[-_ ]?3|\bk ?= ?3\b|top-1",
          "a three-class classifier on one-hot labels compiled with loss='categorical_crossentropy' and "
          "metrics=[keras.metrics.TopKCategoricalAccuracy(k=3)] (the metric line shared with a 100-class "
          "project): every label is among the three highest scores, so the metric reads 1.0 from the first "
          "epoch; fix: metrics=['accuracy'] (top-1)")
def _(fixed):
    x, y = _data.classes(3, seed=5117)
    metric = "accuracy" if fixed else keras.metrics.TopKCategoricalAccuracy(k=3)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(24, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    return compiled(model, "categorical_crossentropy", x, _data.onehot(y, 3), metrics=[metric],
                    optimizer=keras.optimizers.Adam(1e-2), epochs=8)
