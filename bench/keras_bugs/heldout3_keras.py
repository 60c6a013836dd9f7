"""A third held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a third set: the second held-out set has now been run and its misses studied, so it no longer
measures bugs nobody tuned for. These programs were written without reading traindoc's rules,
checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT3.sha256``) before traindoc was ever run on them; see ``HELDOUT3.md``. Run with
``bench/bench_keras_bugs.py --set heldout3``. They are kept for a later session's measurement.

Same format as ``heldout2_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True``
applies the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``)
that count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the
repair, and a finding counts as the right fix only when its id is one of them and its text matches
the ``fix`` regular expression. The ``about`` names the kind of public question each case is
modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT3: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"


def heldout3(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the third held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT3.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D,
        hidden_act: str | None = "relu", **kw) -> keras.Model:
    body = [layers.Dense(hidden, activation=hidden_act, **kw) for _ in range(depth)]
    return keras.Sequential([keras.Input((d,)), *body, layers.Dense(out, activation=act, **kw)])


def rings(k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k classes by distance band from the origin in 8-D: needs a non-linear model, learnable."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    r = np.linalg.norm(x, axis=1)
    y = np.digitize(r, np.quantile(r, np.linspace(0, 1, k + 1)[1:-1]))
    return x, y.astype("int64")


# ---------------------------------------------------------------- structure: output / loss

@heldout3("sigmoid-unit-categorical-ce", ("wrong-output-activation", "no-learning", "stalled", "stuck-at-chance",
                                          "frozen-parameters", "loss-metric-mismatch", "vanishing-gradients"),
          ("wrong-output-activation",),
          r"binary_crossentropy|binary cross.?entropy|categorical.{0,60}(one|single|1) (unit|output)"
          r"|(one|single|1) (unit|output).{0,60}categorical",
          "a binary task built as Dense(1, sigmoid) compiled with loss='categorical_crossentropy' (the loss "
          "name kept from a multi-class notebook): the loss rescales the outputs of each row to sum to 1, a "
          "single unit always becomes 1, the loss is exactly 0 from the first step and nothing learns "
          "(SO-style 'Keras loss is 0.0000 but accuracy stays at 50%'); fix: loss='binary_crossentropy'")
def _(fixed):
    x, y = _data.binary(seed=301)
    return compiled(net(1, "sigmoid"), "binary_crossentropy" if fixed else "categorical_crossentropy", x,
                    y.reshape(-1, 1), metrics=["accuracy"])


@heldout3("mape-with-zero-targets", ("label-problem", "high-initial-loss", "loss-metric-mismatch", "stalled",
                                     "no-learning", "loss-spikes"),
          ("label-problem", "high-initial-loss", "loss-metric-mismatch"),
          r"percentage|mape|zero.{0,40}(target|label)|(target|label).{0,60}(zero|near 0)"
          r"|mean_squared_error|mean_absolute_error|\bmse\b|\bmae\b",
          "a non-negative amount that is 0 on about half the rows (daily rainfall, sales) trained with "
          "loss='mean_absolute_percentage_error': every zero target divides by ~0 (Keras' epsilon), the loss is "
          "~1e7 and the fit is pulled toward predicting 0, so the MAE hardly improves (SO-style "
          "'MAPE loss huge / not decreasing, targets contain zeros'); fix: loss='mse'")
def _(fixed):
    x, y = _data.regression(seed=302)
    y = np.maximum(y, 0.0).astype("float32")  # a non-negative amount, zero on about half the rows
    return compiled(net(1, None), "mse" if fixed else "mean_absolute_percentage_error", x, y,
                    optimizer=keras.optimizers.Adam(3e-3), metrics=["mae"])


# ---------------------------------------------------------------- architecture

@heldout3("width-one-bottleneck", ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "dead-relu"),
          ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "dead-relu"),
          r"bottleneck|narrow|width|capacity|wider|(few|too small).{0,20}(units|neurons)|units=1|Dense\(1,",
          "an autoencoder-style 'compressed code' Dense(1, relu) in the middle of a five-class classifier: "
          "every class has to pass through one ReLU number, which can also die (SO-style "
          "'adding a small hidden layer makes accuracy drop / model stuck'); fix: a code of 16 units")
def _(fixed):
    x, y = _data.classes(5, seed=303)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(64, activation="relu"),
                              layers.Dense(16 if fixed else 1, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(5, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", x, y, optimizer=keras.optimizers.Adam(3e-3),
                    metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- optimisation

@heldout3("warmup-steps-never-end", ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "lr-too-high"),
          ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
          r"warm.?up|schedul|" + LR_FIX,
          "CosineDecay(0.0, decay_steps, warmup_target=1e-2, warmup_steps=100_000): the warm-up length was "
          "given in samples (or copied from a long ImageNet recipe), while the whole run has ~200 steps, so the "
          "learning rate never leaves ~1e-5 (SO-style 'learning-rate warm-up in Keras, model does not learn'); "
          "fix: warmup_steps of one epoch")
def _(fixed):
    x, y = _data.classes(4, seed=304)
    sched = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=2000, warmup_target=1e-2,
                                                   warmup_steps=16 if fixed else 100_000)
    return compiled(net(4, "softmax"), "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.Adam(sched), metrics=["accuracy"], epochs=12)


@heldout3("clipnorm-one-millionth", ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
          ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
          r"clip",
          "SGD(0.05, momentum=0.9, global_clipnorm=1e-6), the clip value mixed up with an epsilon: every "
          "gradient is rescaled to norm 1e-6, so each step is ~5e-8 and nothing moves (SO-style 'gradient "
          "clipping makes my model stop learning'); fix: global_clipnorm=1.0")
def _(fixed):
    x, y = _data.classes(3, seed=305)
    opt = keras.optimizers.SGD(0.05, momentum=0.9, global_clipnorm=1.0 if fixed else 1e-6)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- numerical

@heldout3("mixed-float16-raw-inputs", ("nonfinite", "nonfinite-origin", "unnormalized-input"),
          ("nonfinite", "nonfinite-origin", "unnormalized-input"),
          r"float16|half|mixed.?precision|overflow|normali[sz]|standardi[sz]|scal",
          "dtype='mixed_float16' layers (a memory-saving tip) fed raw sensor readings around 1e5: the first "
          "Dense layer's sums pass float16's maximum (65504), become inf and the loss is NaN (SO-style "
          "'mixed precision training gives nan loss'); fix: standardise the inputs before the float16 model")
def _(fixed):
    x, y = _data.classes(3, seed=306)
    raw = (1.2e5 + 3.0e4 * x).astype("float32")
    if fixed:
        raw = ((raw - raw.mean(0)) / raw.std(0)).astype("float32")
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu", dtype="mixed_float16"),
                              layers.Dense(32, activation="relu", dtype="mixed_float16"),
                              layers.Dense(3, activation="softmax", dtype="float32")])
    return compiled(model, "sparse_categorical_crossentropy", raw, y, optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"])


# ---------------------------------------------------------------- data and evaluation

@heldout3("standardised-along-rows", ("unnormalized-input", "stuck-at-chance", "stalled", "no-learning"),
          ("unnormalized-input",),
          r"axis|per (column|feature)|each (column|feature)|normali[sz]|standardi[sz]|scal",
          "features in mixed units (one in the thousands) standardised with x.mean(axis=1) / x.std(axis=1): each "
          "row is standardised against itself, the large column dominates every row and the others are squashed "
          "to nearly the same value (SO-style 'numpy normalise each feature: axis=0 or axis=1?'); fix: axis=0")
def _(fixed):
    x, y = _data.classes(3, seed=307)
    raw = np.concatenate([2000.0 + 300.0 * x[:, :1], x[:, 1:]], 1)
    ax = 0 if fixed else 1
    z = (raw - raw.mean(axis=ax, keepdims=True)) / raw.std(axis=ax, keepdims=True)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", z.astype("float32"), y,
                    metrics=["accuracy"], epochs=10)


@heldout3("validation-set-not-scaled", ("overfitting", "val-without-train", "unnormalized-input", "both-rising",
                                        "loss-metric-mismatch", "divergence"),
          ("overfitting", "val-without-train", "unnormalized-input"),
          r"(validation|val|test).{0,80}(scal|normali[sz]|standardi[sz]|preprocess|same (transform|mean))"
          r"|(scal|normali[sz]|standardi[sz]|preprocess).{0,80}(validation|val\b|test)",
          "the training features are standardised with a scaler fitted on them, but validation_data is passed "
          "as the raw readings: validation loss is far above training loss and climbs while training improves "
          "(SO-style 'validation accuracy stuck while training accuracy rises — forgot to transform the test "
          "set'); fix: apply the same scaler to the validation features")
def _(fixed):
    x, y = _data.classes(3, seed=308)
    raw = (40.0 + 12.0 * x).astype("float32")
    n_val = 128
    mean, std = raw[n_val:].mean(0), raw[n_val:].std(0)
    xv = (raw[:n_val] - mean) / std if fixed else raw[:n_val]
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", (raw[n_val:] - mean) / std, y[n_val:],
                   metrics=["accuracy"], epochs=10)
    out["fit"]["validation_data"] = (xv.astype("float32"), y[:n_val])
    return out


@heldout3("labels-shifted-by-header-row", ("label-problem", "stuck-at-chance", "stalled", "no-learning",
                                           "overfitting", "val-without-train", "cannot-overfit-batch"),
          ("label-problem",),
          r"label.{0,80}(align|match|order|pair|shift|offset|off.by.one|wrong|noise|random|mismatch|row)"
          r"|(align|match|order|pair|shift|offset|off.by.one|wrong|noise|random|mismatch).{0,80}label|header",
          "features and labels read from two files, one with a header row and one without: the labels are "
          "offset by one row (x[:-1] against y[1:]), so every row carries its neighbour's label (SO-style "
          "'pandas read_csv header=None, model accuracy at chance'); fix: read both with the same header "
          "setting so rows line up")
def _(fixed):
    x, y = _data.classes(3, seed=309)
    if not fixed:
        x, y = x[:-1], y[1:]
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    epochs=10, validation_split=0.2)
