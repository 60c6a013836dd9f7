"""A held-out set of buggy Keras 3 programs and their fixed twins, written blind to how traindoc detects bugs.

Why a second set: the main cases were written by the people who wrote the checks, so a score on them
says little about bugs nobody tuned for. These were written from the public questions each ``about``
names, without reading traindoc's rules, checks or the main cases; they are frozen at their first
commit. Run them with ``bench/bench_keras_bugs.py --set heldout``.

Each case builds the same dict as the main cases (``model``, ``x``, ``y``, ``fit``); ``fixed=True``
applies the accepted answer's change. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``)
that name the bug's symptom or cause; ``fix`` is a regular expression a finding's text must match to
count as naming the change the accepted answer made. An ``about`` cites the question a case is
modelled on: by URL or question number where the search tools found the page, otherwise by the
question class as it is commonly asked (those quoted titles are paraphrases, not verbatim). Bugs are spread about evenly over structure
(activation / loss / target), optimisation (learning rate, init, frozen weights, regularisation) and
data (scaling, labels, ordering).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .keras_cases import Case

HELDOUT: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"
SHUFFLE_FIX = r"shuffl"


def heldout(name: str, ids: tuple[str, ...], fix: str, about: str, framework: str = "keras"):
    """Register a held-out case (in its own list, so the main benchmark is unchanged)."""
    def register(func):
        HELDOUT.append(Case(name, framework, func, ids, fix, about))
        return func
    return register


def dense_net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D,
              hidden_act: str = "relu", **kw) -> keras.Model:
    body = [layers.Dense(hidden, activation=hidden_act, **kw) for _ in range(depth)]
    return keras.Sequential([keras.Input((d,)), *body, layers.Dense(out, activation=act, **kw)])


def compiled(model, loss, x, y, *, optimizer=None, metrics=None, epochs: int = 8, batch_size: int = 32,
             **fit) -> dict:
    model.compile(optimizer=optimizer or keras.optimizers.Adam(1e-2), loss=loss, metrics=metrics or [])
    return {"model": model, "x": x, "y": y,
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, **fit}}


def multilabel(k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Several true tags per row (multi-hot), each a learnable half-space."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    w = rng.normal(size=(_data.D, k))
    return x, (x @ w > 0).astype("float32")


def sorted_by_label(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(y, kind="stable")
    return x[order], y[order]


# ---------------------------------------------------------------- structure: activation / loss / target

@heldout("multilabel-softmax", ("wrong-output-activation", "loss-metric-mismatch", "stalled", "no-learning"),
         r"sigmoid",
         "multi-hot tags trained with softmax + categorical_crossentropy; the accepted fix is sigmoid + "
         "binary_crossentropy (SO 44164749 'How does Keras handle multilabel classification?')")
def _(fixed):
    x, y = multilabel()
    if fixed:
        return compiled(dense_net(4, "sigmoid"), "binary_crossentropy", x, y, metrics=["binary_accuracy"])
    return compiled(dense_net(4, "softmax"), "categorical_crossentropy", x, y, metrics=["accuracy"])


@heldout("logits-without-from-logits", ("wrong-output-activation", "nonfinite", "no-learning", "stalled",
                                        "stuck-at-chance", "loss-metric-mismatch"),
         r"from_logits|softmax",
         "a linear Dense(3) head under SparseCategoricalCrossentropy() whose from_logits defaults to False; "
         "fix: from_logits=True (stackabuse.com/what-is-fromlogitstrue-in-keras-tensorflow-loss-functions, the "
         "common SO question 'What does from_logits=True do?')")
def _(fixed):
    x, y = _data.classes(3, seed=41)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=fixed)
    return compiled(dense_net(3, None), loss, x, y, metrics=["accuracy"])


@heldout("softmax-with-from-logits", ("double-softmax", "wrong-output-activation"),
         r"from_logits|(remove|drop|no).{0,40}softmax|softmax.{0,40}(twice|again|already|remove)",
         "Dense(3, softmax) followed by SparseCategoricalCrossentropy(from_logits=True): softmax applied "
         "twice (Keras' own warning 'received from_logits=True, but the output argument was produced by a "
         "Softmax activation'; TF tutorial note on logits); fix: from_logits=False")
def _(fixed):
    x, y = _data.classes(3, seed=42)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=not fixed)
    return compiled(dense_net(3, "softmax"), loss, x, y, optimizer=keras.optimizers.SGD(0.1),
                    metrics=["accuracy"])


@heldout("sigmoid-with-from-logits", ("double-softmax", "wrong-output-activation"),
         r"from_logits|(remove|drop|no).{0,40}sigmoid|sigmoid.{0,40}(twice|again|already|remove)",
         "Dense(1, sigmoid) with BinaryCrossentropy(from_logits=True), sigmoid applied twice (SO 'Should I use "
         "from_logits=True with a sigmoid output layer?'); fix: from_logits=False")
def _(fixed):
    x, y = _data.binary(seed=43)
    loss = keras.losses.BinaryCrossentropy(from_logits=not fixed)
    return compiled(dense_net(1, "sigmoid"), loss, x, y.reshape(-1, 1), optimizer=keras.optimizers.SGD(0.1),
                    metrics=["binary_accuracy"])


@heldout("tanh-regression-output", ("wrong-output-activation", "stalled", "no-learning"),
         r"linear|no activation|activation=None|remove the .{0,30}activation|(drop|remove) .{0,20}tanh",
         "a regression target spread over about +-4 predicted through Dense(1, tanh), which cannot leave "
         "[-1, 1] (SO 'Keras regression predictions stuck between -1 and 1'); fix: a linear output")
def _(fixed):
    x, y = _data.regression(seed=44, scale=3.0)
    return compiled(dense_net(1, None if fixed else "tanh"), "mse", x, y, metrics=["mae"])


@heldout("class-ids-regressed-with-mse", ("wrong-output-activation", "loss-metric-mismatch", "label-problem"),
         r"sparse_categorical|softmax|cross.?entropy",
         "three class ids fitted as a number by Dense(1) + mse with metrics=['accuracy'] (SO 'Keras accuracy "
         "stays at zero / low when using mse for classification'); fix: Dense(3, softmax) + "
         "sparse_categorical_crossentropy")
def _(fixed):
    x, y = _data.classes(3, seed=45)
    if fixed:
        return compiled(dense_net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])
    return compiled(dense_net(1, None), "mse", x, y.astype("float32").reshape(-1, 1), metrics=["accuracy"])


@heldout("labels-minus-one-plus-one-bce", ("label-problem", "wrong-output-activation", "metric-out-of-range",
                                           "divergence", "loss-metric-mismatch"),
         r"\{?0, ?1\}?|\[0, ?1\]|label|target",
         "binary labels in {-1, +1} (an SVM-style data set) under a logit output + BinaryCrossentropy("
         "from_logits=True): the -1 rows drive the loss below zero without bound (stats.stackexchange "
         "'Binary cross entropy loss is negative', answers: labels must be 0/1); fix: y = (y + 1) / 2")
def _(fixed):
    x, y = _data.binary(seed=46)
    y = y if fixed else 2.0 * y - 1.0
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    return compiled(dense_net(1, None), loss, x, y.reshape(-1, 1), metrics=["binary_accuracy"])


# ---------------------------------------------------------------- optimisation

@heldout("sgd-lr-too-high", ("lr-too-high", "divergence", "nonfinite", "exploding-gradients", "oscillation",
                             "update-ratio", "nonfinite-origin", "stuck-at-chance"),
         LR_FIX,
         "SGD(learning_rate=2.0) on a small classifier; loss goes to NaN (SO 37232782 'NaN loss when training "
         "regression network', answers: lower the learning rate); fix: SGD(0.05)")
def _(fixed):
    x, y = _data.classes(3, seed=47)
    opt = keras.optimizers.SGD(0.05 if fixed else 2.0, momentum=0.9)
    return compiled(dense_net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"])


@heldout("adam-lr-tiny", ("no-learning", "stalled", "update-ratio", "stuck-at-chance"),
         LR_FIX,
         "Adam(learning_rate=1e-6) copied from a fine-tuning recipe onto a model trained from scratch; the "
         "loss barely moves (SO 'Keras loss not decreasing', answer: learning rate far too small); fix: 1e-3")
def _(fixed):
    x, y = _data.classes(3, seed=48)
    opt = keras.optimizers.Adam(1e-3 if fixed else 1e-6)
    return compiled(dense_net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"], epochs=10)


@heldout("model-frozen-before-compile", ("frozen-parameters", "no-learning", "stuck-at-chance", "stalled"),
         r"trainable|fr[oe]ze|frozen",
         "model.trainable = False left over from a transfer-learning recipe, set on the whole model before "
         "compile (Keras guide 'Transfer learning & fine-tuning: the trainable attribute'; SO 'Keras model "
         "not learning after setting trainable=False'); fix: freeze only the base, or not at all")
def _(fixed):
    x, y = _data.classes(3, seed=49)
    model = dense_net(3, "softmax")
    if not fixed:
        model.trainable = False
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


@heldout("zeros-kernel-init", ("poor-initialization", "dead-relu", "no-learning", "stuck-at-chance",
                               "vanishing-gradients", "stalled"),
         r"initiali[sz]|\binit\b|glorot|he_normal|he_uniform|zeros|symmetr",
         "every Dense built with kernel_initializer='zeros' (SO 20027598 'Why should weights of neural "
         "networks be initialized to random numbers?'); fix: the default glorot_uniform")
def _(fixed):
    x, y = _data.classes(3, seed=50)
    init = "glorot_uniform" if fixed else "zeros"
    return compiled(dense_net(3, "softmax", kernel_initializer=init), "sparse_categorical_crossentropy", x, y,
                    metrics=["accuracy"])


@heldout("huge-normal-init", ("poor-initialization", "high-initial-loss", "exploding-gradients", "nonfinite",
                              "divergence", "saturated-activation"),
         r"initiali[sz]|\binit\b|glorot|he_normal|he_uniform|stddev",
         "RandomNormal(stddev=3) on every kernel of a 4-layer ReLU net: logits in the thousands, a huge "
         "first loss (SO 'Loss extremely high at start of training Keras', answers: use a scaled init); "
         "fix: he_normal")
def _(fixed):
    x, y = _data.classes(3, seed=51)
    init = "he_normal" if fixed else keras.initializers.RandomNormal(stddev=3.0, seed=0)
    return compiled(dense_net(3, "softmax", depth=4, kernel_initializer=init), "sparse_categorical_crossentropy",
                    x, y, optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])


@heldout("deep-sigmoid-sgd", ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning",
                              "stalled", "late-start"),
         r"relu|batch.?norm|vanish|initiali[sz]",
         "eight sigmoid hidden layers trained with plain SGD: gradients vanish and accuracy sits at chance "
         "(SO 'Deep network with sigmoid activations does not learn / vanishing gradient'); fix: ReLU hidden "
         "layers")
def _(fixed):
    x, y = _data.classes(3, seed=52)
    model = dense_net(3, "softmax", depth=8, hidden_act="relu" if fixed else "sigmoid")
    return compiled(model, "sparse_categorical_crossentropy", x, y, optimizer=keras.optimizers.SGD(0.1),
                    metrics=["accuracy"], epochs=10)


@heldout("decay-every-step", ("lr-decay-too-fast", "stalled", "no-learning"),
         r"decay|schedul",
         "ExponentialDecay(decay_steps=1, decay_rate=0.8) meant per epoch but applied per batch: the learning "
         "rate is ~1e-12 after a few epochs (SO 'Keras ExponentialDecay decay_steps per batch or per epoch?'); "
         "fix: decay_steps = steps per epoch")
def _(fixed):
    x, y = _data.classes(3, seed=53)
    steps = 16 if fixed else 1
    sched = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=steps, decay_rate=0.8)
    return compiled(dense_net(3, "softmax"), "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.Adam(sched), metrics=["accuracy"], epochs=10)


@heldout("l2-penalty-too-strong", ("stuck-at-chance", "stalled", "no-learning", "high-initial-loss"),
         r"regulari[sz]|\bl2\b|weight.?decay|penalt",
         "kernel_regularizer=l2(1.0) on every layer: the penalty dominates, weights collapse and the model "
         "predicts the class prior (SO 'Keras model with L2 regularization predicts same class'); fix: l2(1e-4)")
def _(fixed):
    x, y = _data.classes(3, seed=54)
    reg = keras.regularizers.l2(1e-4 if fixed else 1.0)
    return compiled(dense_net(3, "softmax", kernel_regularizer=reg), "sparse_categorical_crossentropy", x, y,
                    metrics=["accuracy"])


# ---------------------------------------------------------------- data: scaling, labels, ordering

@heldout("raw-pixels-sgd", ("unnormalized-input", "nonfinite", "divergence", "exploding-gradients",
                            "nonfinite-origin", "stuck-at-chance"),
         r"normali[sz]|standardi[sz]|scal|255",
         "0..255 pixels fed to a dense net with SGD(0.01); loss NaN / stuck (SO 'Keras loss is nan with image "
         "data', accepted: divide by 255); fix: x / 255")
def _(fixed):
    x, y = _data.images(3, seed=55)
    x = x / 255.0 if fixed else x
    return compiled(dense_net(3, "softmax", d=64), "sparse_categorical_crossentropy", x.astype("float32"), y,
                    optimizer=keras.optimizers.SGD(0.01, momentum=0.9), metrics=["accuracy"])


@heldout("one-feature-in-dollars", ("unnormalized-input", "stalled", "no-learning", "oscillation",
                                    "high-initial-loss", "divergence", "nonfinite"),
         r"normali[sz]|standardi[sz]|scal",
         "a tabular regression where one column is an income in dollars (~5e4) next to standardised columns "
         "(SO 'Neural network regression not converging, features on different scales', accepted: "
         "StandardScaler); fix: standardise the column")
def _(fixed):
    x, y = _data.regression(seed=56)
    x = x.copy()
    x[:, 0] = 50_000 + 15_000 * x[:, 0]
    if fixed:
        x[:, 0] = (x[:, 0] - x[:, 0].mean()) / x[:, 0].std()
    return compiled(dense_net(1, None), "mse", x.astype("float32"), y, metrics=["mae"])


@heldout("prices-unscaled-target", ("high-initial-loss", "no-learning", "stalled", "label-problem",
                                    "unnormalized-input"),
         r"scal|normali[sz]|standardi[sz]|target|label",
         "house prices (~1e5) as the raw mse target; the loss starts at ~1e10 and barely moves (SO 'Keras "
         "regression loss huge and not decreasing', answers: scale the target); fix: y / 1e5")
def _(fixed):
    x, y = _data.regression(seed=57)
    y = (2.0e5 + 6.0e4 * y).astype("float32")
    if fixed:
        y = ((y - 2.0e5) / 6.0e4).astype("float32")
    return compiled(dense_net(1, None), "mse", x, y, optimizer=keras.optimizers.Adam(1e-3), metrics=["mae"])


@heldout("validation-split-of-sorted-data", ("unshuffled-data", "overfitting", "class-imbalance",
                                             "misleading-accuracy", "both-rising", "loss-metric-mismatch"),
         SHUFFLE_FIX,
         "data sorted by label and validation_split=0.36: Keras takes the last 36% before shuffling, so "
         "validation holds only the last class, which training never sees: val_accuracy near 0 (Keras FAQ "
         "'How is the validation split computed?'; rocuku.github.io/keras-validation-split-shuffle); fix: "
         "shuffle before fit")
def _(fixed):
    x, y = sorted_by_label(*_data.classes(3, seed=58))
    if fixed:
        perm = np.random.default_rng(0).permutation(len(y))
        x, y = x[perm], y[perm]
    return compiled(dense_net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    validation_split=0.36)


@heldout("sorted-batches-no-shuffle", ("unshuffled-data", "oscillation", "loss-spikes", "stalled"),
         SHUFFLE_FIX,
         "a data set saved sorted by class and fit(..., shuffle=False) (a time-series habit): every batch is "
         "one class (SO 'Keras: shuffle=False gives much worse accuracy'); fix: shuffle=True")
def _(fixed):
    x, y = sorted_by_label(*_data.classes(4, seed=59))
    return compiled(dense_net(4, "softmax"), "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.SGD(0.1, momentum=0.9), metrics=["accuracy"], shuffle=fixed)


@heldout("labels-shuffled-separately", ("label-problem", "stuck-at-chance", "overfitting", "no-learning",
                                        "val-without-train", "stalled"),
         r"label.{0,80}(align|match|order|pair|shuffl|wrong|noise|random|mismatch)"
         r"|(align|match|order|pair|shuffl|wrong|noise|random|mismatch).{0,80}label",
         "x and y shuffled with two separate permutations, so labels no longer belong to their rows (SO "
         "4601373 'Better way to shuffle two numpy arrays in unison'); fix: one permutation for both")
def _(fixed):
    x, y = _data.classes(3, seed=60)
    rng = np.random.default_rng(1)
    p = rng.permutation(len(y))
    q = p if fixed else rng.permutation(len(y))
    return compiled(dense_net(3, "softmax"), "sparse_categorical_crossentropy", x[p], y[q], metrics=["accuracy"],
                    validation_split=0.2)


@heldout("threshold-makes-one-class", ("label-problem", "class-imbalance", "misleading-accuracy"),
         r"label|target|constant|one class|single class",
         "binary labels made as score > 5 where the score is ~N(0, 1): every label is 0 and accuracy is 100% "
         "(SO 'Keras model predicts the same class for every input / accuracy 1.0 from the first epoch'); "
         "fix: threshold at the median")
def _(fixed):
    rng = np.random.default_rng(61)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    score = x @ rng.normal(size=_data.D) / np.sqrt(_data.D)
    y = (score > (0.0 if fixed else 5.0)).astype("float32").reshape(-1, 1)
    return compiled(dense_net(1, "sigmoid"), "binary_crossentropy", x, y, metrics=["accuracy"])
