"""A seventeenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why this set: earlier held-out sets each brought new and ever rarer bug kinds; this one measures whether
traindoc names the repair for the COMMON bug classes (the ones that fill published benchmarks of StackOverflow
training bugs) on programs it has never seen. Every kind here may have appeared before, but each program is
written afresh: another data shape, another model API (Sequential, functional, subclassed), another loss
spelling, and another way of writing the mistake. The programs were written without reading traindoc's rules,
checks, probes, findings or integrations, without reading any bench output, and frozen (``HELDOUT17.sha256``)
before traindoc was ever run on them; see ``HELDOUT17.md``. Run with ``bench/bench_keras_bugs.py --set
heldout17``. The PyTorch half is in ``heldout17_torch``.

The Keras bug classes: an output activation that cannot reach the target (sigmoid on a standardised
regression), a misplaced activation (ReLU on the inputs, none between the hidden layers), a learning rate far
too high, one far too low, sequence inputs in raw physical units, a regression target in raw units, binary
labels coded 1/2, and ReLU units all dead from their initialiser.

Same format as ``heldout12_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The
``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .keras_cases import Case

HELDOUT17: list[Case] = []


def heldout17(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the seventeenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT17.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def program(model: keras.Model, x, y, *, epochs: int, batch_size: int = 32, val: int = 96, **fit) -> dict:
    """The bench's program dict: the last ``val`` rows are held out as validation_data."""
    return {"model": model, "x": x[:-val], "y": y[:-val],
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0,
                    "validation_data": (x[-val:], y[-val:]), **fit}}


# ---------------------------------------------------------------- output activation / regression head

def ramps(seed: int, steps: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Noisy ramps with a random level; the target is each ramp's slope, standardised (negatives included)."""
    rng = np.random.default_rng(seed)
    slope = rng.normal(size=_data.N)
    t = np.linspace(0.0, 1.0, steps)
    x = rng.normal(size=(_data.N, 1)) + slope[:, None] * t[None, :] + 0.1 * rng.normal(size=(_data.N, steps))
    y = (slope - slope.mean()) / slope.std()
    return x[..., None].astype("float32"), y.reshape(-1, 1).astype("float32")


@heldout17("conv1d-slope-regressor-sigmoid-head", ("wrong-output-activation", "stalled", "no-learning",
                                                   "high-initial-loss", "loss-metric-mismatch"),
           ("wrong-output-activation", "stalled"),
           r"(remove|drop|delete|without|replace|instead of|no)\b.{0,30}sigmoid|sigmoid.{0,80}(regression|"
           r"output|head|last|final).{0,60}(remove|linear|drop|replace|cannot|can't|only)|linear (output|"
           r"activation|head|last layer)|activation=(none|'linear'|\"linear\")|(output|head).{0,40}(bounded|"
           r"limited|squash\w*) (to|in|into|between) \(?\[?0",
           "a Conv1D regressor (Sequential: Conv1D(16, 5, relu) -> Flatten -> Dense(16, relu) -> Dense(1, "
           "activation='sigmoid')) that reads 24-step sensor ramps and predicts each ramp's slope, standardised "
           "to mean 0 and spread 1 as the course advised, under loss=keras.losses.MeanAbsoluteError(); the "
           "sigmoid was kept from the course's previous (binary) notebook: half the targets are negative and a "
           "sixth are above 1, out of the sigmoid's reach, so the MAE stops near 0.5 (question class: Keras "
           "regression predictions never go below zero / the model predicts only values between 0 and 1); fix: "
           "a linear output, Dense(1)")
def _(fixed):
    x, y = ramps(seed=1701)
    model = keras.Sequential([keras.Input((24, 1)), layers.Conv1D(16, 5, activation="relu"), layers.Flatten(),
                              layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation=None if fixed else "sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=keras.losses.MeanAbsoluteError())
    return program(model, x, y, epochs=12)


# ---------------------------------------------------------------- misplaced activation

def quadrants(seed: int, noise_dims: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """XOR of two signs (label 1 where x0 and x1 share a sign), plus uninformative columns."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, 2 + noise_dims)).astype("float32")
    return x, (x[:, 0] * x[:, 1] > 0).astype("float32").reshape(-1, 1)


@heldout17("functional-relu-on-inputs-not-hidden", ("stalled", "no-learning", "stuck-at-chance",
                                                    "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch"),
           r"(no|missing|without|add( an?)?|forgot\w*)( \w+)? (non-?linear|activation)\w*.{0,60}(hidden|between|"
           r"dense|layers)|(hidden|dense) layers?.{0,40}(no|missing|without|lack\w*|linear) (non-?linear|"
           r"activation)|activation=.?relu.?\b.{0,30}(hidden|dense)|(stack|network|model) (is|of) "
           r"(purely |only |entirely )?linear|(relu|activation).{0,40}(input|misplac|wrong place|before the first)",
           "a functional-API classifier of sign-agreement (label 1 where two readings share a sign, XOR-like, "
           "plus four uninformative columns) written as inputs -> layers.Activation('relu') -> Dense(32) -> "
           "Dense(32) -> Dense(1, activation='sigmoid'): the ReLU meant for the hidden layers was put once, on "
           "the inputs, and the Dense layers got no activation, so the network is a linear map of the clipped "
           "inputs and cannot separate the quadrants; the BCE loss stays at ln 2 and accuracy near one half "
           "(question class: Keras model cannot learn XOR / functional API: where does the activation go?); "
           "fix: Dense(32, activation='relu') for both hidden layers and no activation on the inputs")
def _(fixed):
    x, y = quadrants(seed=1702)
    inputs = keras.Input((x.shape[1],))
    if fixed:
        h = layers.Dense(32, activation="relu")(inputs)
        h = layers.Dense(32, activation="relu")(h)
    else:
        h = layers.Activation("relu")(inputs)
        h = layers.Dense(32)(h)
        h = layers.Dense(32)(h)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    return program(model, x, y, epochs=15)


# ---------------------------------------------------------------- learning rate

class TwoLayerClassifier(keras.Model):
    """A subclassed classifier: two ReLU layers and a softmax head."""

    def __init__(self, classes: int):
        super().__init__()
        self.hidden1 = layers.Dense(48, activation="relu")
        self.hidden2 = layers.Dense(48, activation="relu")
        self.head = layers.Dense(classes, activation="softmax")

    def call(self, inputs):
        return self.head(self.hidden2(self.hidden1(inputs)))


@heldout17("subclassed-rmsprop-rate-half", ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes",
                                            "update-ratio", "dead-relu", "high-initial-loss", "oscillation",
                                            "nonfinite"),
           ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes", "update-ratio", "dead-relu",
            "oscillation"),
           r"(lower|reduc|decreas)\w* (the |your )?(learning[- ]rate|\blr\b)|(learning[- ]rate|\blr\b) (is |was |"
           r"of [\d.e-]+ is )?(far |much |way )?too (high|large|big)|learning_rate ?= ?(1e-[34]|0\.00?1)\b",
           "a subclassed keras.Model (two Dense(48, relu) and a softmax head over four classes) compiled with "
           "optimizer=keras.optimizers.RMSprop(learning_rate=0.5) and SparseCategoricalCrossentropy(), the 0.5 "
           "kept from a grid search the author ran for plain SGD: RMSprop divides by the root of the squared "
           "gradients, so every weight moves by about 0.5 per step, the first steps throw the network out of "
           "range and the loss jumps to many times ln 4 and stays far above chance (question class: Keras loss "
           "explodes / accuracy stuck at 25% after the first epoch with RMSprop); fix: RMSprop(learning_rate=1e-3)")
def _(fixed):
    x, y = _data.classes(4, seed=1703)
    model = TwoLayerClassifier(4)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3 if fixed else 0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return program(model, x, y, epochs=10)


@heldout17("functional-sgd-rate-1e-4-on-glyphs", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                                  "cannot-overfit-batch", "too-short"),
           ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
           r"(rais|increas)\w* (the |your )?(learning[- ]rate|\blr\b)|(learning[- ]rate|\blr\b) (is |was |of "
           r"[\d.e-]+ is )?(far |much |way )?too (low|small)|learning_rate ?= ?(0?\.0?[15]|[15]e-[12])\b",
           "a functional-API classifier of 8x8 glyph images (pixels scaled to [0, 1], three classes told apart by "
           "which quadrant is bright), Dense(64, relu) -> Dense(32, relu) -> Dense(3, softmax), compiled with "
           "keras.optimizers.SGD(learning_rate=1e-4) and loss='sparse_categorical_crossentropy': a rate meant for "
           "fine-tuning a large pretrained model, without momentum, on a small net trained from scratch; after "
           "ten epochs the loss has moved by about 2% (1.35 to 1.33) and accuracy is still below one third (question "
           "class: Keras loss not decreasing at all / accuracy stays the same every epoch); fix: "
           "SGD(learning_rate=0.1)")
def _(fixed):
    x, y = _data.images(3, seed=1704)
    x = x / 255.0
    inputs = keras.Input((64,))
    h = layers.Dense(64, activation="relu")(inputs)
    h = layers.Dense(32, activation="relu")(h)
    model = keras.Model(inputs, layers.Dense(3, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1 if fixed else 1e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return program(model, x, y, epochs=10)


# ---------------------------------------------------------------- input / target scaling

def barometer(seed: int, steps: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of (pressure in Pa, temperature in K, humidity in %); label 1 where the pressure falls."""
    rng = np.random.default_rng(seed)
    n = _data.N
    trend = rng.normal(0.0, 25.0, size=n)
    t = np.arange(steps)
    pressure = 101325 + rng.normal(0, 400, size=(n, 1)) + trend[:, None] * t + rng.normal(0, 15, size=(n, steps))
    temp = 288 + rng.normal(0, 6, size=(n, 1)) + rng.normal(0, 0.5, size=(n, steps))
    humid = 65 + rng.normal(0, 12, size=(n, 1)) + rng.normal(0, 2, size=(n, steps))
    x = np.stack([pressure, temp, humid], axis=-1).astype("float32")
    return x, (trend < 0).astype("float32").reshape(-1, 1)


@heldout17("gru-on-raw-barometer-units", ("unnormalized-input", "stalled", "no-learning", "stuck-at-chance",
                                          "saturated-activation", "cannot-overfit-batch"),
           ("unnormalized-input", "saturated-activation"),
           r"(normali[sz]|standardi[sz]|rescal|scal)\w*.{0,40}(input|feature|data|sequence|reading|column)|"
           r"(input|feature|sequence|reading)s?.{0,50}(normali[sz]|standardi[sz]|rescal|z-score|unit scale|"
           r"zero mean)|StandardScaler|Normalization\(|\(x ?- ?(mean|mu)\) ?/",
           "a Sequential storm-warning model, GRU(16) -> Dense(1, sigmoid), fed windows of 16 raw weather-station "
           "readings per row: air pressure in pascals (~101325), temperature in kelvin (~288) and relative "
           "humidity in percent, straight from the station's CSV; the label says whether the pressure is "
           "falling. The first GRU gates see sums in the tens of thousands, every sigmoid and tanh in the cell "
           "sits at its flat end, and the BCE loss stays at ln 2 with accuracy at one half (question class: "
           "LSTM/GRU loss not decreasing on raw sensor data, do I need to normalise?); fix: standardise each of "
           "the three channels with the training rows' mean and std")
def _(fixed):
    x, y = barometer(seed=1705)
    if fixed:
        train = x[:-96]
        x = (x - train.mean(axis=(0, 1))) / train.std(axis=(0, 1))
    model = keras.Sequential([keras.Input((16, 3)), layers.GRU(16), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    return program(model, x.astype("float32"), y, epochs=10)


def trips(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardised route features; the target is a travel time in seconds (mean ~1800, spread ~600)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, 6)).astype("float32")
    w = rng.normal(size=6) / np.sqrt(6)
    seconds = 1800 + 600 * (x @ w + 0.25 * np.tanh(x[:, 0] * x[:, 2]))
    return x, seconds.astype("float32").reshape(-1, 1)


@heldout17("travel-time-target-in-seconds-mae", ("stalled", "no-learning", "high-initial-loss", "too-short"),
           ("stalled", "no-learning", "high-initial-loss"),
           r"(scal|normali[sz]|standardi[sz])\w*.{0,20}(the )?(target|label|output|y\b|regression)|"
           r"(target|label|y)s?\b.{0,50}(scal|normali[sz]|standardi[sz]|units?\b|minutes|seconds|"
           r"magnitude)|(output|target) (bias|mean).{0,40}(initiali[sz]|set|start)",
           "a functional-API regression of delivery travel time from six standardised route features, "
           "Dense(32, relu) -> Dense(32, relu) -> Dense(1), compiled with loss=keras.losses.MeanAbsoluteError() "
           "and optimizer='adam' (rate 1e-3), with the target left in seconds (about 1800 +- 600): the network "
           "starts near 0 and the MAE gradient has a fixed size, so the output climbs by about the learning "
           "rate per step and the loss crawls down from ~1800 (to ~1740) without reaching the data's spread in "
           "twelve epochs (question class: Keras regression loss very large and barely decreasing / should I "
           "scale the target?); fix: standardise the target (and undo it on the predictions)")
def _(fixed):
    x, y = trips(seed=1706)
    if fixed:
        train = y[:-96]
        y = (y - train.mean()) / train.std()
    inputs = keras.Input((6,))
    h = layers.Dense(32, activation="relu")(inputs)
    h = layers.Dense(32, activation="relu")(h)
    model = keras.Model(inputs, layers.Dense(1)(h))
    model.compile(optimizer="adam", loss=keras.losses.MeanAbsoluteError())
    return program(model, x, y.astype("float32"), epochs=12)


# ---------------------------------------------------------------- labels

@heldout17("survey-labels-coded-one-two-bce", ("label-problem", "divergence", "metric-out-of-range",
                                               "loss-metric-mismatch", "stuck-at-chance", "misleading-accuracy"),
           ("label-problem", "divergence", "loss-metric-mismatch"),
           r"(label|target)s?\b.{0,60}(\b1 and 2\b|1/2|\{1, ?2\}|one and two|0 (and|or) 1|\{0, ?1\}|\[0, ?1\]|"
           r"0/1)|(subtract|minus|shift)\w*.{0,20}(one|1)\b.{0,30}(label|target)|y ?- ?1\b|"
           r"(label|target)s? (are|were) not (0|binary|in)|negative (loss|bce|cross[- ]entropy)",
           "a Sequential yes/no classifier of survey answers, Dense(32, relu) -> Dense(16, relu) -> Dense(1) with "
           "keras.losses.BinaryCrossentropy(from_logits=True) (logits, as the Keras guides advise), whose label "
           "column comes from a questionnaire export that codes 1 = no and 2 = yes and is used as read: the "
           "with-logits cross-entropy takes the label as the target probability and does not check its range, "
           "a 2 rewards an ever larger logit without limit, the 1s push the same way, so every row is called "
           "'yes', the loss falls below zero and keeps falling (question class: Keras binary cross-entropy loss "
           "is negative / keeps decreasing below zero); fix: labels 0 and 1 (y - 1)")
def _(fixed):
    x, y = _data.binary(seed=1707)
    x = x * np.array([1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25], dtype="float32")
    y = (y + 1.0).reshape(-1, 1)  # the export's coding: 1 = no, 2 = yes
    if fixed:
        y = y - 1.0
    model = keras.Sequential([keras.Input((8,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
    return program(model, x, y.astype("float32"), epochs=10)


# ---------------------------------------------------------------- initialisation / dead units

def minmax_table(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten features min-max scaled to [0, 1] (all non-negative); three classes from a linear map of them."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(_data.N, 10))
    y = (z @ rng.normal(size=(10, 3))).argmax(1)
    x = (z - z.min(0)) / (z.max(0) - z.min(0))
    return x.astype("float32"), y.astype("int64")


@heldout17("non-positive-uniform-init-on-minmax-features", ("dead-relu", "stuck-at-chance", "no-learning",
                                                            "stalled", "poor-initialization",
                                                            "cannot-overfit-batch", "vanishing-gradients"),
           ("dead-relu", "poor-initialization", "stuck-at-chance", "no-learning"),
           r"initiali[sz]\w*.{0,60}(negative|non-?positive|uniform|range|minval|maxval|default|glorot|\bhe[_ ]|"
           r"kaiming|zero[- ]cent)|(negative|non-?positive) (weights|kernel|init)|RandomUniform|minval|maxval|"
           r"kernel_initiali[sz]er|glorot|he_(normal|uniform)",
           "a Sequential three-class model over ten features min-max scaled to [0, 1], whose three Dense(32, relu) "
           "layers were given kernel_initializer=keras.initializers.RandomUniform(minval=-0.1, maxval=0.0) "
           "(the author meant 'small weights' and typed the range's upper end as 0): every input is non-negative "
           "and every weight non-positive, so every first-layer unit's input is at most 0, all ReLUs output 0 "
           "from the first step, no gradient reaches any kernel and only the head's bias learns the class prior "
           "(question class: all ReLU units dead / the network outputs the same prediction for every input, "
           "loss stuck from the first epoch); fix: the default initialiser (glorot_uniform, zero-centred)")
def _(fixed):
    x, y = minmax_table(seed=1708)
    init = "glorot_uniform" if fixed else keras.initializers.RandomUniform(minval=-0.1, maxval=0.0, seed=1708)
    model = keras.Sequential([keras.Input((10,)),
                              layers.Dense(32, activation="relu", kernel_initializer=init),
                              layers.Dense(32, activation="relu", kernel_initializer=init),
                              layers.Dense(32, activation="relu", kernel_initializer=init),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return program(model, x, y, epochs=10)
