"""A second held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a second set: the first held-out set has been run and its misses studied, so it no longer
measures bugs nobody tuned for. These programs were written without reading traindoc's rules,
checks, probes or integrations, without reading any bench output, and frozen (``HELDOUT2.sha256``)
before traindoc was ever run on them; see ``HELDOUT2.md``. Run with
``bench/bench_keras_bugs.py --set heldout2``.

Same format as ``heldout_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True``
applies the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``)
that count as the right symptom. ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the
repair: a finding counts as the right fix only when its id is one of them and its text matches the
``fix`` regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT2: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"
NAN_INPUT_FIX = (r"\bnan\b.{0,80}(input|data|feature|batch)|(input|data|feature|batch).{0,80}\bnan\b"
                 r"|missing|imput|fillna")


def heldout2(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the second held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT2.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D,
        hidden_act: str | None = "relu", dropout: float = 0.0, **kw) -> keras.Model:
    body: list = []
    for _ in range(depth):
        body.append(layers.Dense(hidden, activation=hidden_act, **kw))
        if dropout:
            body.append(layers.Dropout(dropout))
    return keras.Sequential([keras.Input((d,)), *body, layers.Dense(out, activation=act, **kw)])


def circles(seed: int = 0, noise: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings in 2-D (inner = 1): no straight line separates them."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=_data.N)
    angle = rng.uniform(0, 2 * np.pi, size=_data.N)
    radius = np.where(y == 1, 0.5, 1.0) + noise * rng.normal(size=_data.N)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1) * 1.7
    return x.astype("float32"), y.astype("float32").reshape(-1, 1)


def counts(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative event counts whose log-rate is a smooth function of the features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    rate = np.exp(0.8 * np.tanh(x @ rng.normal(size=_data.D) / np.sqrt(_data.D)) + 1.0)
    return x, rng.poisson(rate).astype("float32").reshape(-1, 1)


# ---------------------------------------------------------------- structure: output activation / loss

@heldout2("poisson-linear-output", ("wrong-output-activation", "nonfinite", "nonfinite-origin"),
          ("wrong-output-activation", "nonfinite", "nonfinite-origin"),
          r"exponential|softplus|positive",
          "count data with loss='poisson' on a linear Dense(1): the Poisson loss takes log(prediction), "
          "so any negative prediction gives NaN from the first batch (SO-style 'Keras poisson loss is nan'; "
          "answers: give the output an exponential or softplus activation); fix: Dense(1, 'exponential')")
def _(fixed):
    x, y = counts(seed=101)
    return compiled(net(1, "exponential" if fixed else None), "poisson", x, y,
                    optimizer=keras.optimizers.Adam(3e-3), metrics=["mae"])


@heldout2("softmax-mse-integer-labels", ("wrong-output-activation", "label-problem", "stuck-at-chance", "stalled",
                                        "no-learning", "loss-metric-mismatch"),
          ("wrong-output-activation", "label-problem"),
          r"sparse_categorical|cross.?entropy|one.?hot|to_categorical|shape|broadcast",
          "three classes, Dense(3, softmax) compiled with loss='mse' and fed the integer class ids as a (N, 1) "
          "column: mse broadcasts the id against all three probabilities, so no output can match and "
          "accuracy stays at chance (SO-style 'Keras softmax + mean_squared_error, accuracy stuck at 33%'); "
          "fix: sparse_categorical_crossentropy")
def _(fixed):
    x, y = _data.classes(3, seed=102)
    if fixed:
        return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])
    return compiled(net(3, "softmax"), "mse", x, y.astype("float32").reshape(-1, 1), metrics=["accuracy"])


@heldout2("softmax-on-hidden-layer", ("stalled", "no-learning", "stuck-at-chance", "saturated-activation",
                                      "vanishing-gradients", "late-start"),
          ("stalled", "no-learning", "stuck-at-chance", "saturated-activation", "vanishing-gradients"),
          r"softmax.{0,60}(hidden|inner|intermediate)|(hidden|inner|intermediate).{0,60}softmax"
          r"|(use|switch to|with) relu|relu (hidden|in the hidden)",
          "activation='softmax' typed on the hidden Dense layers as well as the output (a copy-paste of the "
          "last line): each hidden layer's outputs sum to 1, so the next layer sees tiny, nearly equal "
          "inputs (SO-style 'network with softmax in hidden layers does not learn'); fix: relu hidden layers")
def _(fixed):
    x, y = _data.classes(4, seed=103)
    model = net(4, "softmax", depth=3, hidden_act="relu" if fixed else "softmax")
    return compiled(model, "sparse_categorical_crossentropy", x, y, optimizer=keras.optimizers.SGD(0.05),
                    metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- architecture and initialisation

@heldout2("no-hidden-activation", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          r"non.?linear|activation=.?relu|(add|use|missing|no) .{0,40}(relu|activation)|linear (model|layers|stack)",
          "a three-layer Dense network with no activation argument (Keras' default is linear) on two "
          "concentric rings: the stack is one linear map and cannot separate them (SO-style 'neural network "
          "cannot learn circles / XOR, accuracy 50%'); fix: activation='relu' on the hidden layers")
def _(fixed):
    x, y = circles(seed=105)
    model = net(1, "sigmoid", hidden=16, depth=3, d=2, hidden_act="relu" if fixed else None)
    return compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], epochs=12)


@heldout2("deep-tanh-tiny-init", ("vanishing-gradients", "poor-initialization", "stuck-at-chance", "stalled",
                                  "no-learning", "late-start"),
          ("vanishing-gradients", "poor-initialization"),
          r"initiali[sz]|\binit\b|glorot|xavier|he_normal|he_uniform|stddev",
          "eight tanh layers initialised with RandomNormal(stddev=0.01) ('small random numbers'): activations "
          "shrink layer by layer and the gradient reaching the first layers is ~0 (cs231n-style 'why not "
          "small random init for deep nets', SO 'deep network stuck at initial loss'); fix: glorot_uniform")
def _(fixed):
    x, y = _data.classes(3, seed=106)
    init = "glorot_uniform" if fixed else keras.initializers.RandomNormal(stddev=0.01, seed=1)
    model = net(3, "softmax", hidden=64, depth=8, hidden_act="tanh", kernel_initializer=init)
    return compiled(model, "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.SGD(0.05, momentum=0.9), metrics=["accuracy"], epochs=10)


@heldout2("batchnorm-with-batch-size-one", ("stuck-at-chance", "no-learning", "stalled", "vanishing-gradients"),
          ("stuck-at-chance", "no-learning", "stalled", "vanishing-gradients"),
          r"batch.?size|batch.?norm",
          "BatchNormalization after each hidden Dense, trained with batch_size=1 ('smaller batches generalise "
          "better'): a batch of one has zero variance, so every normalised unit is 0 and the output does not "
          "depend on the input (SO-style 'model with BatchNormalization does not learn with batch size 1'); "
          "fix: batch_size=32")
def _(fixed):
    x, y = _data.classes(3, seed=117)
    x, y = x[:256], y[:256]
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32), layers.BatchNormalization(),
                              layers.Activation("relu"), layers.Dense(32), layers.BatchNormalization(),
                              layers.Activation("relu"), layers.Dense(3, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=4,
                    batch_size=32 if fixed else 1)


@heldout2("dropout-point-nine", ("stalled", "no-learning", "stuck-at-chance", "val-without-train",
                                 "loss-metric-mismatch"),
          ("stalled", "no-learning", "stuck-at-chance", "val-without-train"),
          r"dropout",
          "Dropout(0.9) after every hidden layer, read as 'keep 90%' (the TF1 keep_prob habit): nine units in "
          "ten are dropped, training loss stays high while validation (no dropout) does better (SO-style "
          "'training loss higher than validation loss / model underfits with dropout'); fix: Dropout(0.1)")
def _(fixed):
    x, y = _data.classes(4, seed=107)
    model = net(4, "softmax", hidden=32, depth=2, dropout=0.1 if fixed else 0.9)
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=10,
                    validation_split=0.2)


# ---------------------------------------------------------------- optimisation

@heldout2("adam-epsilon-one", ("no-learning", "stalled", "update-ratio", "stuck-at-chance"),
          ("no-learning", "stalled", "update-ratio", "stuck-at-chance"),
          r"epsilon|learning.?rate|\blr\b",
          "Adam(learning_rate=1e-3, epsilon=1.0), the epsilon copied from a note for large image models: with "
          "small gradients the denominator is ~1, so each step is ~1e-3 x gradient and the loss barely moves "
          "(SO-style 'Adam epsilon 1.0 training very slow'); fix: the default epsilon")
def _(fixed):
    x, y = _data.classes(3, seed=108)
    opt = keras.optimizers.Adam(1e-3, epsilon=1e-7 if fixed else 1.0)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"], epochs=10)


@heldout2("plateau-mode-min-on-accuracy", ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio"),
          ("lr-decay-too-fast", "stalled", "no-learning"),
          r"mode|monitor|plateau|schedul|decay",
          "ReduceLROnPlateau(monitor='val_accuracy', mode='min', patience=1, factor=0.2): with mode='min' a "
          "rising accuracy counts as no improvement, so the learning rate is cut almost every epoch and "
          "training stops early (SO-style 'ReduceLROnPlateau reduces lr every epoch'); fix: mode='max'")
def _(fixed):
    x, y = _data.classes(5, seed=109)
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", mode="max" if fixed else "min",
                                           patience=1, factor=0.2, verbose=0)
    return compiled(net(5, "softmax", hidden=16), "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.Adam(2e-3), metrics=["accuracy"], epochs=14,
                    validation_split=0.2, callbacks=[cb])


@heldout2("full-batch-eight-steps", ("too-short", "stalled", "no-learning", "stuck-at-chance", "update-ratio"),
          ("too-short", "stalled", "no-learning", "stuck-at-chance", "update-ratio"),
          r"batch.?size|more (steps|updates|epochs|iterations)|train(ing)? (for )?longer"
          r"|(raise|increase|more) .{0,30}epochs|too few (steps|updates|epochs)",
          "fit(x, y, batch_size=len(x), epochs=8) so the whole set is one batch: eight optimizer steps in all "
          "at Adam(1e-3), and the model is still near its starting loss (SO-style 'Keras model not learning, "
          "batch_size equal to the data size'); fix: batch_size=32")
def _(fixed):
    x, y = _data.classes(3, seed=110)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"],
                    batch_size=32 if fixed else len(x))


# ---------------------------------------------------------------- numerical

def naive_binary_ce(y_true, y_pred):
    """Binary cross-entropy written out by hand, without the clipping Keras' own loss applies."""
    ops = keras.ops
    return -ops.mean(y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred), axis=-1)


@heldout2("hand-written-bce-log-zero", ("nonfinite", "nonfinite-origin", "divergence"),
          ("nonfinite", "nonfinite-origin"),
          r"epsilon|clip(ping)? (the )?(predictions|probabilities|outputs)|log\s?\(0|log of (zero|0)|from_logits"
          r"|binary_crossentropy|numerically stable",
          "a hand-written binary cross-entropy, -mean(y*log(p) + (1-y)*log(1-p)), on well-separated data: once "
          "a sigmoid output rounds to exactly 1.0 in float32, 0 * log(0) is NaN and the loss is NaN from then "
          "on (SO-style 'custom loss becomes nan after some epochs'); fix: keras' binary_crossentropy")
def _(fixed):
    rng = np.random.default_rng(111)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    y = (x @ rng.normal(size=_data.D) > 0).astype("float32").reshape(-1, 1)
    return compiled(net(1, "sigmoid"), "binary_crossentropy" if fixed else naive_binary_ce, x, y,
                    optimizer=keras.optimizers.Adam(2e-2), metrics=["accuracy"], epochs=15)


def sequences(seed: int = 0, steps: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sequences; the target is the mean of the last ten values (a short-memory regression)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, steps, 1)).astype("float32")
    return x, x[:, -10:, 0].mean(1, keepdims=True).astype("float32")


@heldout2("irnn-relu-exploding", ("exploding-gradients", "nonfinite", "nonfinite-origin", "divergence",
                                  "loss-spikes"),
          ("exploding-gradients", "nonfinite", "nonfinite-origin", "divergence"),
          r"clip|tanh|learning.?rate|\blr\b",
          "the IRNN recipe (SimpleRNN(32, activation='relu', recurrent_initializer=Identity())) copied with an "
          "ordinary SGD(0.01, momentum=0.9) instead of the recipe's tiny learning rate: over 20 steps the "
          "recurrent state grows, gradients explode and the loss is NaN (SO-style 'SimpleRNN relu loss nan "
          "/ exploding gradients'); fix: tanh with the default recurrent init, and clipnorm=1.0")
def _(fixed):
    x, y = sequences(seed=112)
    x, y = x[:256], y[:256]
    rnn = (layers.SimpleRNN(32, activation="tanh") if fixed else
           layers.SimpleRNN(32, activation="relu", recurrent_initializer=keras.initializers.Identity()))
    model = keras.Sequential([keras.Input((x.shape[1], 1)), rnn, layers.Dense(1)])
    opt = keras.optimizers.SGD(0.01, momentum=0.9, clipnorm=1.0 if fixed else None)
    return compiled(model, "mse", x, y, optimizer=opt, metrics=["mae"], epochs=3)


# ---------------------------------------------------------------- data

@heldout2("nan-in-features", ("nonfinite", "nonfinite-origin", "unnormalized-input"),
          ("nonfinite", "nonfinite-origin", "unnormalized-input"),
          NAN_INPUT_FIX,
          "three missing cells in a tabular CSV load as NaN; the first batch that holds one turns the loss "
          "and every weight into NaN (SO-style 'Keras loss becomes nan at the first epoch: my data had "
          "NaN values'); fix: impute the missing cells (column mean)")
def _(fixed):
    x, y = _data.classes(3, seed=113)
    x = x.copy()
    x[[37, 200, 411], [3, 5, 3]] = np.nan
    if fixed:
        x = np.where(np.isnan(x), np.nanmean(x, axis=0), x).astype("float32")
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


@heldout2("max-scaling-with-outlier", ("unnormalized-input", "stuck-at-chance", "stalled", "no-learning"),
          ("unnormalized-input",),
          r"normali[sz]|standardi[sz]|scal|outlier",
          "features in natural units divided by the global x.max(), where one sensor glitch reads 1e7: every "
          "other value becomes ~1e-5, the inputs look constant and the model predicts the prior (SO-style "
          "'normalised inputs all near zero, model does not learn'); fix: clip the glitch and standardise "
          "each column")
def _(fixed):
    x, y = _data.classes(3, seed=114)
    raw = (50.0 + 10.0 * x).astype("float64")
    raw[17, 2] = 1.0e7
    if fixed:
        lo, hi = np.percentile(raw, [1, 99], axis=0)
        c = np.clip(raw, lo, hi)
        x = (c - c.mean(0)) / c.std(0)
    else:
        x = raw / raw.max()
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x.astype("float32"), y,
                    metrics=["accuracy"])


@heldout2("pixels-cast-to-int-after-scaling", ("unnormalized-input", "stuck-at-chance", "stalled", "no-learning",
                                               "cannot-overfit-batch"),
          ("unnormalized-input",),
          r"(input|feature|pixel)s?.{0,80}(constant|zero|all the same|no variation|identical)|integer|dtype|astype"
          r"|uint8|float32",
          "images scaled then cast back to the stored dtype, (x / 255).astype('uint8'): every pixel truncates "
          "to 0, the inputs are all zero and accuracy sits at the majority class (SO-style 'after "
          "normalisation all my images are black / model predicts one class'); fix: keep float32")
def _(fixed):
    x, y = _data.images(3, seed=115)
    x = (x / 255.0).astype("float32" if fixed else "uint8").astype("float32")
    return compiled(net(3, "softmax", d=64), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


@heldout2("columns-sorted-independently", ("label-problem", "stuck-at-chance", "stalled", "no-learning",
                                           "overfitting", "val-without-train"),
          ("label-problem",),
          r"label.{0,80}(align|match|order|pair|shuffl|wrong|noise|random|mismatch|row)"
          r"|(align|match|order|pair|shuffl|wrong|noise|random|mismatch|row).{0,80}label|sort",
          "np.sort(x, axis=0) meant to order rows by time sorts every column on its own: rows no longer belong "
          "together and no longer match y (SO-style 'numpy sort 2d array by column scrambles rows'); fix: "
          "x[np.argsort(x[:, 0])] with y reordered the same way")
def _(fixed):
    x, y = _data.classes(3, seed=116)
    if fixed:
        order = np.argsort(x[:, 0], kind="stable")
        x, y = x[order], y[order]
    else:
        x = np.sort(x, axis=0)
    perm = np.random.default_rng(3).permutation(len(y))  # fit's own shuffle does not see the validation split
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x[perm], y[perm], metrics=["accuracy"],
                    epochs=10, validation_split=0.2)
