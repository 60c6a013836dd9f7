"""A ninth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a ninth set: held-out sets 1-8 have been run and studied (set 8 is development material now), so
they no longer measure bugs nobody tuned for. These programs were written without reading traindoc's
rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT9.sha256``) before traindoc was ever run on them; see ``HELDOUT9.md``. Run with
``bench/bench_keras_bugs.py --set heldout9``.

The set uses bug classes the earlier sets do not: a hand-written weighted binary cross-entropy that lost
its negative-class term, a log_softmax output (ported from PyTorch) under Keras' categorical
cross-entropy, a custom accuracy that sums instead of averaging, Adadelta at Keras' default learning
rate, a one-wide Conv1D kernel for an order-dependent series, float sequences padded by ``pad_sequences`` at its
default integer dtype, EMA weights written back over the model every step, a time series shuffled before
it was cut into windows, ``validation_split`` given the training share, and a LayerNormalization over a
single feature.

Same format as ``heldout8_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
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
from .heldout7_keras import net  # the seventh set's MLP
from .heldout8_keras import split  # the eighth set's train / validation split
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT9: list[Case] = []


def heldout9(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the ninth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT9.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- loss

POS_WEIGHT = 2.0


def weighted_bce_positive_term_only(y_true, y_pred):
    """The buggy hand-written weighted BCE: the (1 - y) * log(1 - p) term was lost when the weight went in."""
    p = ops.clip(y_pred, 1e-7, 1.0 - 1e-7)
    return -ops.mean(POS_WEIGHT * y_true * ops.log(p))


def weighted_bce(y_true, y_pred):
    p = ops.clip(y_pred, 1e-7, 1.0 - 1e-7)
    return -ops.mean(POS_WEIGHT * y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))


@heldout9("custom-bce-without-negative-term", ("loss-metric-mismatch", "stuck-at-chance", "misleading-accuracy",
                                               "label-problem", "stalled"),
          ("loss-metric-mismatch", "stuck-at-chance", "misleading-accuracy", "label-problem"),
          r"1 ?- ?y_true|\(1 ?- ?y\)|negative(-class)? (class|term|part|examples|samples|rows|labels)"
          r"|(missing|dropped|lost|forg[oe]t\w*|omit\w*|lacks?)\W.{0,40}(term|negative)|BinaryCrossentropy\("
          r"|built.?in (binary )?(cross.?entropy|loss)|custom loss.{0,60}(negative|1 ?- ?y|term)",
          "a hand-written 'weighted binary cross-entropy' for a task where positives matter more, written as "
          "-mean(pos_weight * y_true * log(y_pred)): when the weight was added, the (1 - y_true) * log(1 - y_pred) "
          "term was left out, so the negative rows add nothing to the loss; the sigmoid output is pushed to 1 for "
          "every row, the loss falls towards 0 while accuracy sits at the positive share (SO-style 'custom "
          "weighted loss goes to zero but the model predicts only ones'); fix: put back the (1 - y_true) * "
          "log(1 - y_pred) term (or use keras.losses.BinaryCrossentropy with sample or class weights)")
def _(fixed):
    x, y = _data.binary(seed=901)
    loss = weighted_bce if fixed else weighted_bce_positive_term_only
    out = compiled(net(1, "sigmoid"), loss, x, y.reshape(-1, 1), metrics=["accuracy"], epochs=6)
    return split(out, x, y.reshape(-1, 1))


@heldout9("log-softmax-output-categorical-ce", ("wrong-output-activation", "loss-metric-mismatch", "stuck-at-chance",
                                                "high-initial-loss", "stalled", "no-learning"),
          ("wrong-output-activation", "loss-metric-mismatch", "stuck-at-chance", "high-initial-loss", "stalled",
           "no-learning"),
          r"log_?softmax\W{0,3}.{0,60}(output|activation|layer|probabilit)|(output|activation|last layer|final layer)"
          r".{0,60}log_?softmax|from_logits ?= ?True",
          "a three-class classifier ported from a PyTorch script (LogSoftmax + NLLLoss) whose Keras output layer "
          "became Dense(3, activation='log_softmax') under categorical_crossentropy with one-hot targets: "
          "Keras' cross-entropy takes the outputs as probabilities and divides them by their sum, and the ratio of "
          "negative log-probabilities is smallest for the most likely class, so raising the true class's share "
          "means making it less likely: the loss falls while accuracy drops to 0 (SO-style 'porting a PyTorch "
          "model to Keras, log_softmax output, accuracy below chance'); fix: activation='softmax' (or a linear "
          "output with from_logits=True)")
def _(fixed):
    x, y = _data.classes(3, seed=902)
    yy = _data.onehot(y, 3)
    out = compiled(net(3, "softmax" if fixed else "log_softmax"), "categorical_crossentropy", x, yy,
                   metrics=["accuracy"], epochs=6)
    return split(out, x, yy)


# ---------------------------------------------------------------- metrics

def accuracy_summed(y_true, y_pred):
    """A hand-written accuracy that counts the right predictions of a batch instead of averaging them."""
    hit = ops.equal(ops.argmax(y_pred, axis=-1), ops.cast(ops.reshape(y_true, (-1,)), "int64"))
    return ops.sum(ops.cast(hit, "float32"))


def accuracy_averaged(y_true, y_pred):
    hit = ops.equal(ops.argmax(y_pred, axis=-1), ops.cast(ops.reshape(y_true, (-1,)), "int64"))
    return ops.mean(ops.cast(hit, "float32"))


accuracy_summed.__name__ = accuracy_averaged.__name__ = "accuracy"  # both are logged as "accuracy"


@heldout9("custom-accuracy-summed", ("metric-out-of-range", "loss-metric-mismatch"), ("metric-out-of-range",),
          r"ops\.mean|(mean|average)\w* (instead of|not|rather than) (a |the )?sum|sum\w*.{0,40}(instead of|rather than"
          r"|not) (a |the )?(mean|average)|(count|number) of (correct|right|hits)|divid\w*.{0,40}(batch size|number of"
          r" (samples|rows))|custom (accuracy|metric)|metric.{0,60}(summ?\w*|counts?)\b",
          "a custom accuracy function for sparse labels written with ops.sum(ops.cast(ops.equal(argmax(y_pred), "
          "y_true), 'float32')) (the count of right predictions in the batch, meant as a share), passed to "
          "compile as metrics=[accuracy]: Keras averages the per-batch values, so the logged 'accuracy' is "
          "about 30 and climbs while the loss falls (SO-style 'my accuracy is greater than 1 / 100%'); fix: "
          "ops.mean instead of ops.sum (or metrics=['accuracy'])")
def _(fixed):
    x, y = _data.classes(3, seed=903)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y,
                   metrics=[accuracy_averaged if fixed else accuracy_summed], epochs=6)
    return split(out, x, y)


# ---------------------------------------------------------------- optimiser

@heldout9("adadelta-default-learning-rate", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                             "cannot-overfit-batch"),
          ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
          r"(learning.?rate|\blr\b) (is |looks |seems )?(far |much )?too (low|small)|Adadelta|default learning.?rate"
          r"|learning_rate ?= ?1(\.0)?\b",
          "optimizer=keras.optimizers.Adadelta() chosen because 'Adadelta needs no learning rate' (the paper's "
          "method uses an effective rate of 1.0): Keras' Adadelta has learning_rate=0.001 by default, so every "
          "step is about a thousandth of what the method intends and in eight epochs the loss barely leaves "
          "ln 3 (SO-style 'Adadelta does not learn in tf.keras, works in old Keras'); fix: "
          "Adadelta(learning_rate=1.0)")
def _(fixed):
    x, y = _data.classes(3, seed=904)
    opt = keras.optimizers.Adadelta(learning_rate=1.0) if fixed else keras.optimizers.Adadelta()
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                   metrics=["accuracy"], epochs=8)
    return split(out, x, y)


@heldout9("ema-overwrite-every-step", ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "frozen-parameters",
                                       "cannot-overfit-batch"),
          ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "frozen-parameters"),
          r"\bEMA\b|exponential moving average|moving average of (the )?(model )?(weights|parameters|variables)"
          r"|use_ema|ema_\w+|overwrit\w*",
          "Adam(1e-3, use_ema=True, ema_momentum=0.999, ema_overwrite_frequency=1), the overwrite frequency read "
          "as 'once per epoch' while Keras counts it in steps: after every step the weights are replaced by their "
          "moving average, which moves only a thousandth of the way towards them, so the model stays near its "
          "initial weights and the loss hardly falls (Keras issue-style 'use_ema makes the model stop "
          "learning'); fix: leave ema_overwrite_frequency=None (the average is written once, at the end) or "
          "drop use_ema")
def _(fixed):
    x, y = _data.classes(3, seed=905)
    opt = keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.999,
                                ema_overwrite_frequency=None if fixed else 1)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                   metrics=["accuracy"], epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- architecture

def trend_series(seed: int, steps: int = 16, varied: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Univariate series (batch, steps, 1); the label says whether it rises or falls.

    ``varied``: each series at its own level and scale (otherwise centred on 0 with spread ~1).
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=_data.N)
    t = np.linspace(-1.0, 1.0, steps)
    slope = np.where(y == 1, 1.0, -1.0) * rng.uniform(0.5, 1.5, size=_data.N)
    level, scale = rng.normal(0.0, 3.0, size=_data.N), rng.uniform(0.5, 3.0, size=_data.N)
    if not varied:
        level, scale = np.zeros(_data.N), np.ones(_data.N)
    x = level[:, None] + scale[:, None] * (slope[:, None] * t + 0.5 * rng.normal(size=(_data.N, steps)))
    return x[..., None].astype("float32"), y.astype("float32").reshape(-1, 1)


@heldout9("conv1d-kernel-size-one", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
          r"kernel_size|kernel (size|width)|(1|one)[- ]wide (kernel|filter|window)"
          r"|(kernel|filter|window)s? of (size|width) (1|one)\b|pointwise conv\w*"
          r"|each (time )?step (alone|on its own|separately)",
          "a Conv1D(8, kernel_size=1) -> GlobalAveragePooling1D -> Dense classifier for univariate series shaped "
          "(batch, 16 steps, 1), the kernel size copied from a model for tabular rows reshaped to (features, 1) "
          "(or set to the one input channel): a one-wide kernel looks at each step on its own, and the average "
          "over the steps throws their order away, so a rising and a falling series look the same and the loss "
          "stays at ln 2 (SO-style 'Conv1D time-series classifier stuck at 50%, what kernel_size?'); fix: a "
          "kernel that spans several steps, kernel_size=3")
def _(fixed):
    x, y = trend_series(906, varied=False)
    model = keras.Sequential([keras.Input(x.shape[1:]), layers.Conv1D(8, 3 if fixed else 1, activation="relu"),
                              layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    return split(out, x, y)


@heldout9("layernorm-over-single-feature", ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                                            "frozen-parameters", "vanishing-gradients"),
          ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "frozen-parameters"),
          r"LayerNormali[sz]ation|layer.?norm|axis ?= ?\(?1\b"
          r"|(normali[sz]\w*|norm) (over|along|across) (a |the )?(single|one|size.?1|last)\b"
          r"|size.?(1|one) (axis|dimension)|single (feature|channel)",
          "univariate series of any level and scale, shaped (batch, 16 steps, 1 feature), given a "
          "LayerNormalization() as the first layer 'to normalise each series': Keras normalises over the last "
          "axis, which holds one value, so every input becomes 0 (x minus its own mean) and the Conv1D after it "
          "sees a constant; the loss stays at ln 2 (SO-style 'LayerNormalization on time-series input, model "
          "outputs a constant'); fix: LayerNormalization(axis=(1, 2)), over each whole series")
def _(fixed):
    x, y = trend_series(907)
    norm = layers.LayerNormalization(axis=(1, 2)) if fixed else layers.LayerNormalization()
    model = keras.Sequential([keras.Input(x.shape[1:]), norm, layers.Conv1D(8, 3, activation="relu"),
                              layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- data pipeline

def readings(seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Variable-length sensor readings (5-12 values, scaled into (-1, 1)); the label is the sign of their mean."""
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for _ in range(_data.N):
        n = int(rng.integers(5, 13))
        shift = rng.choice([-0.5, 0.5])
        seqs.append(np.tanh(shift + 0.6 * rng.normal(size=n)).astype("float32"))
        labels.append(float(seqs[-1].mean() > 0))
    return seqs, np.array(labels, dtype="float32").reshape(-1, 1)


@heldout9("pad-sequences-float-truncated", ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                                            "unnormalized-input", "label-problem"),
          ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "unnormalized-input"),
          r"pad_sequences|dtype ?= ?.?float|\bint32\b|(cast|truncat|round)\w* (to |into )?(integers?|ints?)\b"
          r"|(integer|int) (dtype|cast)",
          "variable-length sensor readings scaled into (-1, 1) and padded with keras.utils.pad_sequences(seqs, "
          "maxlen=12): its dtype defaults to 'int32', so every reading is cast to an integer and truncates to 0; "
          "the model sees only zeros and stays at ln 2 (SO-style 'pad_sequences turns my float values into zeros'); "
          "fix: pad_sequences(..., dtype='float32')")
def _(fixed):
    seqs, y = readings(908)
    padded = keras.utils.pad_sequences(seqs, maxlen=12, dtype="float32" if fixed else "int32", padding="post")
    x = padded.astype("float32")[..., None]
    model = keras.Sequential([keras.Input(x.shape[1:]), layers.Flatten(), layers.Dense(32, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], epochs=6)
    return split(out, x, y)


def windows(series: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs series[t - width: t] and the next value series[t] as the target."""
    idx = np.arange(width, len(series))
    x = np.stack([series[t - width:t] for t in idx]).astype("float32")
    return x, series[idx].astype("float32").reshape(-1, 1)


@heldout9("series-shuffled-before-windowing", ("stalled", "no-learning", "cannot-overfit-batch", "label-problem",
                                               "overfitting"),
          ("stalled", "no-learning", "cannot-overfit-batch", "label-problem"),
          r"shuffl\w*.{0,60}(windows?|sequences?)\b|(windows?|sequences?) .{0,60}shuffl|(time|temporal|chronological) "
          r"order|order of the (series|time steps|observations|readings)",
          "a one-step-ahead forecaster for a smooth periodic signal whose script shuffles the series (np.random."
          "shuffle(series), 'to avoid ordering bias') and then cuts it into windows of 10 with the next value as "
          "the target: each window is now ten unrelated readings and the next value cannot be predicted from "
          "them, so both losses stay at the signal's variance (SO-style 'LSTM / MLP forecast is just the mean — "
          "should I shuffle time-series data?'); fix: cut the windows from the series in time order and shuffle "
          "the windows (fit's shuffle=True does that)")
def _(fixed):
    rng = np.random.default_rng(909)
    t = np.arange(_data.N + 10 + 128)
    series = (np.sin(0.31 * t) + 0.5 * np.sin(0.077 * t + 1.0) + 0.05 * rng.normal(size=len(t))).astype("float32")
    if not fixed:
        rng.shuffle(series)
    x, y = windows(series, 10)
    model = keras.Sequential([keras.Input((10,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    out = compiled(model, "mse", x, y, optimizer=keras.optimizers.Adam(3e-3), epochs=8)
    order = np.random.default_rng(1909).permutation(len(x))
    return split(out, x[order], y[order])


@heldout9("validation-split-inverted", ("overfitting", "loss-metric-mismatch"), ("overfitting",),
          r"validation_split|(train|training) (share|fraction|portion|part|split)|too (few|little) training (data|rows|"
          r"samples|examples)|(only|just) (a fifth|20 ?%|one fifth).{0,40}train|split.{0,40}(inverted|swapped|backwards"
          r"|the wrong way)",
          "fit(x, y, validation_split=0.8), the argument read as 'train on 80%' while Keras holds out that "
          "fraction for validation: the network trains on the first 102 rows only and scores the other 410, "
          "so the training loss falls towards 0 while the validation loss turns up after a few epochs and ends "
          "far above the fixed twin's (SO-style 'Keras validation_split: my model overfits with 80% train'); "
          "fix: validation_split=0.2")
def _(fixed):
    x, y = rings(3, seed=910)
    model = net(3, "softmax", hidden=64)
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=20,
                    validation_split=0.2 if fixed else 0.8)
