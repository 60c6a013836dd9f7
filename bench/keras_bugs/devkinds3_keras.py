"""The third bug-kinds dev set: the COMMON bug classes written the many ways users write them (Keras; ``devkinds3_torch`` adds PyTorch).

Why: the published 30-program Keras benchmark (DeepDiagnosis / AUTOTRAINER) and the held-out sets are
dominated by a handful of StackOverflow classes (output activation vs loss, wrong loss for the label
format, learning rate far off, unscaled inputs or targets, mis-scaled labels, missing activations,
optimiser misuse, dying ReLU, vanishing gradients). The earlier sets wrote each class one way (a
``Sequential`` with string activations and string losses). A blind set writes them any way: functional
or subclassed models, ``layers.Activation``/``layers.Softmax`` layers, ``keras.activations.*``
functions, ``keras.losses.*`` objects or plain loss functions, ``from_logits=True``, labels as ints,
floats or one-hot rows, arrays or a ``keras.utils.PyDataset``. This set varies the API path per class
so the checks are written for the class, not for one spelling of it. It is a DEV set: checks are
written against it. Run with ``bench/bench_keras_bugs.py --set devkinds3``.

Same format as the other sets; ``ids`` and ``fix`` patterns were decided before traindoc was run.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout3_keras import rings  # distance-band classes (need a non-linear model)
from .heldout_keras import compiled  # compile-and-fit dict
from .keras_cases import Case

DEVKINDS3: list[Case] = []


def devkind3(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the third bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS3.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# Fix patterns shared with the PyTorch twins (written before any traindoc run).
LINEAR_FIX = r"linear|remove the .*activation|no activation"
SIGMOID_FIX = r"sigmoid"
SOFTMAX_FIX = r"softmax"
CCE_FIX = r"categorical_crossentropy|CrossEntropyLoss"
MULTICLASS_FIX = r"Dense\(\d|sparse_categorical_crossentropy|CrossEntropyLoss|softmax over|one unit per class"
LOGITS_FIX = r"from_logits|remove .{0,40}softmax|raw logits"
NORM_FIX = r"standardi|normalis|normaliz|/ ?255|rescal"
LR_FIX = r"learning rate|learning_rate|\blr\b"
LOW_LR_FIX = (r"(raise|increase|higher|larger).{0,60}(learning rate|learning_rate|\blr\b)"
              r"|(learning rate|learning_rate|\blr\b).{0,60}(too (low|small)|tiny|raise|increase)")
ACT_FIX = r"activation\s*=\s*['\"]?relu|add .{0,40}(relu|non-?linear)|non-?linearit"
VANISH_FIX = r"relu|batch ?norm|he_|residual|glorot|xavier"
DEAD_FIX = r"bias|initiali|leaky"
TARGET_FIX = r"(scale|standardi|normali[sz]e).{0,40}(target|label|y\b)|(target|label|y)\b.{0,40}(scale|standardi|normali[sz])"
CLASS_IDS = ("wrong-output-activation", "label-problem", "stuck-at-chance", "stalled", "no-learning",
             "loss-metric-mismatch")
STEP_IDS = ("update-ratio", "lr-too-high", "divergence", "oscillation", "loss-spikes", "nonfinite", "stalled",
            "no-learning", "exploding-gradients", "dead-relu", "stuck-at-chance")
SLOW_IDS = ("update-ratio", "no-learning", "stalled", "stuck-at-chance", "lr-decay-too-fast")


def body(x, width: int = 32, depth: int = 2, act="relu", init="glorot_uniform"):
    for _ in range(depth):
        x = layers.Dense(width, activation=act, kernel_initializer=init)(x)
    return x


# ---------------------------------------------------------------- output activation vs loss

@devkind3("functional-activation-layer-softmax-one-unit", ("wrong-output-activation",),
          ("wrong-output-activation",), SIGMOID_FIX,
          "functional model: Dense(1) then layers.Activation('softmax'), keras.losses.BinaryCrossentropy() on 0/1 "
          "float labels: softmax over one unit is always 1; fix: Activation('sigmoid')")
def _(fixed):
    x, y = _data.binary(seed=1301)
    inp = keras.Input((_data.D,))
    out = layers.Activation("sigmoid" if fixed else "softmax")(layers.Dense(1)(body(inp)))
    return compiled(keras.Model(inp, out), keras.losses.BinaryCrossentropy(), x, y, metrics=["accuracy"])


class Tagger(keras.Model):
    """A subclassed classifier: two hidden layers and an output Dense with the given activation."""

    def __init__(self, k: int, act=None, hidden_act="relu", hidden_bias="zeros"):
        super().__init__()
        self.h1 = layers.Dense(32, activation=hidden_act, bias_initializer=hidden_bias)
        self.h2 = layers.Dense(32, activation=hidden_act, bias_initializer=hidden_bias)
        self.head = layers.Dense(k, activation=act)

    def call(self, x):
        return self.head(self.h2(self.h1(x)))


@devkind3("subclassed-sigmoid-with-categorical-ce-object", ("wrong-output-activation",),
          ("wrong-output-activation",), SOFTMAX_FIX,
          "subclassed keras.Model whose head is Dense(4, activation=keras.activations.sigmoid), trained with "
          "keras.losses.CategoricalCrossentropy() on one-hot labels; fix: keras.activations.softmax")
def _(fixed):
    x, y = rings(4, seed=1302)
    act = keras.activations.softmax if fixed else keras.activations.sigmoid
    return compiled(Tagger(4, act), keras.losses.CategoricalCrossentropy(), x, _data.onehot(y, 4),
                    metrics=["accuracy"])


@devkind3("softmax-layer-on-regression-output", ("wrong-output-activation",), ("wrong-output-activation",),
          LINEAR_FIX,
          "Sequential ending Dense(1), layers.Softmax() on a regression target, keras.losses.MeanSquaredError(): "
          "the prediction is always 1; fix: drop the Softmax layer (linear output)")
def _(fixed):
    x, y = _data.regression(seed=1303)
    tail = [layers.Dense(1)] if fixed else [layers.Dense(1), layers.Softmax()]
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), *tail])
    return compiled(model, keras.losses.MeanSquaredError(), x, y)


@devkind3("functional-relu-regression-with-loss-function", ("wrong-output-activation",),
          ("wrong-output-activation",), LINEAR_FIX,
          "functional model whose output is Dense(1, activation=keras.activations.relu), compiled with the plain "
          "function keras.losses.mean_squared_error, on a target with negatives; fix: a linear output")
def _(fixed):
    x, y = _data.regression(seed=1304)
    inp = keras.Input((_data.D,))
    out = layers.Dense(1, activation=None if fixed else keras.activations.relu)(body(inp))
    return compiled(keras.Model(inp, out), keras.losses.mean_squared_error, x, y)


@devkind3("sigmoid-activation-layer-on-positive-regression", ("wrong-output-activation",),
          ("wrong-output-activation",), LINEAR_FIX,
          "house-price-style target in tens (standardised features, y in about [4, 16]) through "
          "layers.Activation(keras.activations.sigmoid) and 'mae': predictions cannot pass 1; fix: linear output")
def _(fixed):
    x, y = _data.regression(seed=1305)
    y = (10.0 + 2.0 * y).astype("float32")
    tail = [layers.Dense(1)] + ([] if fixed else [layers.Activation(keras.activations.sigmoid)])
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), *tail])
    return compiled(model, "mae", x, y)


@devkind3("softmax-layer-with-mse-object-on-onehot", ("wrong-output-activation",), ("wrong-output-activation",),
          CCE_FIX,
          "functional classifier ending layers.Softmax(), trained with keras.losses.MeanSquaredError() on one-hot "
          "rows of 5 classes; fix: categorical_crossentropy")
def _(fixed):
    x, y = _data.classes(5, seed=1306)
    inp = keras.Input((_data.D,))
    out = layers.Softmax()(layers.Dense(5)(body(inp)))
    loss = keras.losses.CategoricalCrossentropy() if fixed else keras.losses.MeanSquaredError()
    return compiled(keras.Model(inp, out), loss, x, _data.onehot(y, 5), optimizer=keras.optimizers.Adam(1e-3),
                    metrics=["accuracy"])


@devkind3("softmax-with-from-logits-object", ("double-softmax",), ("double-softmax",), LOGITS_FIX,
          "functional Dense(4) + layers.Activation('softmax') fed to "
          "keras.losses.CategoricalCrossentropy(from_logits=True) on one-hot labels; fix: from_logits=False "
          "(or drop the softmax)")
def _(fixed):
    x, y = rings(4, seed=1307)
    inp = keras.Input((_data.D,))
    out = layers.Activation("softmax")(layers.Dense(4)(body(inp)))
    return compiled(keras.Model(inp, out), keras.losses.CategoricalCrossentropy(from_logits=not fixed), x,
                    _data.onehot(y, 4), metrics=["accuracy"])


@devkind3("subclassed-logits-into-probability-loss", ("wrong-output-activation",), ("wrong-output-activation",),
          r"softmax|from_logits",
          "subclassed model returning raw Dense(3) scores, compiled with 'sparse_categorical_crossentropy' "
          "(from_logits defaults to False); fix: SparseCategoricalCrossentropy(from_logits=True) or a softmax")
def _(fixed):
    x, y = rings(3, seed=1308)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True) if fixed else "sparse_categorical_crossentropy"
    return compiled(Tagger(3, None), loss, x, y, metrics=["accuracy"])


# ---------------------------------------------------------------- loss for the label format

@devkind3("binary-ce-function-on-three-int-classes", ("label-problem", "wrong-output-activation"),
          ("label-problem", "wrong-output-activation"), MULTICLASS_FIX,
          "subclassed model with one raw output unit and a plain loss function wrapping "
          "keras.losses.binary_crossentropy(..., from_logits=True), labels 0/1/2 as floats; fix: Dense(3, softmax) "
          "+ sparse_categorical_crossentropy")
def _(fixed):
    x, y = _data.classes(3, seed=1309)
    if fixed:
        return compiled(Tagger(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])
    return compiled(Tagger(1, None), bce_on_logits, x, y.astype("float32"), metrics=["accuracy"])


def bce_on_logits(y_true, y_pred):
    """A user's own loss function: binary cross-entropy on one raw score."""
    return keras.losses.binary_crossentropy(y_true, y_pred, from_logits=True)


@devkind3("binary-ce-object-on-onehot-softmax", ("wrong-output-activation",), ("wrong-output-activation",),
          CCE_FIX,
          "functional Dense(4, activation=keras.activations.softmax) with keras.losses.BinaryCrossentropy() on "
          "one-hot rows (accuracy inflated, loss 4x too small per class); fix: CategoricalCrossentropy")
def _(fixed):
    x, y = _data.classes(4, seed=1310)
    inp = keras.Input((_data.D,))
    out = layers.Dense(4, activation=keras.activations.softmax)(body(inp))
    loss = keras.losses.CategoricalCrossentropy() if fixed else keras.losses.BinaryCrossentropy()
    return compiled(keras.Model(inp, out), loss, x, _data.onehot(y, 4), optimizer=keras.optimizers.Adam(1e-3),
                    metrics=["accuracy"])


# ---------------------------------------------------------------- inputs, targets, labels

class RawImages(keras.utils.PyDataset):
    """Batches of 8x8 images served by index (a tf.data-like pipeline); ``scale`` divides the pixels."""

    def __init__(self, x: np.ndarray, y: np.ndarray, scale: float, batch_size: int = 32):
        super().__init__()
        self.x, self.y, self.scale, self.bs = x, y, scale, batch_size

    def __len__(self) -> int:
        return int(np.ceil(len(self.x) / self.bs))

    def __getitem__(self, i: int):
        s = slice(i * self.bs, (i + 1) * self.bs)
        return self.x[s] / self.scale, self.y[s]


@devkind3("pydataset-serving-raw-pixels", ("unnormalized-input",), ("unnormalized-input",), NORM_FIX,
          "a keras.utils.PyDataset serves raw 0-255 pixels to a small MLP trained with SGD; fix: divide by 255 "
          "in __getitem__ (or a Rescaling layer)")
def _(fixed):
    x, y = _data.images(3, seed=1311)
    model = keras.Sequential([keras.Input((64,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return {"model": model, "x": RawImages(x, y, 255.0 if fixed else 1.0), "y": None,
            "fit": {"epochs": 8, "verbose": 0}}


@devkind3("functional-raw-mixed-unit-features", ("unnormalized-input",), ("unnormalized-input",), NORM_FIX,
          "functional model on tabular features left in their units (an amount in the tens of thousands next to "
          "ratios), Adam; fix: standardise the columns (or a Normalization layer)")
def _(fixed):
    x, y = rings(3, seed=1312)
    offsets = np.array([5.0e4, 1010.0, 0.3, 35.0, 2.0, 120.0, 7.5, 600.0], dtype="float32")
    spreads = np.array([2.0e4, 9.0, 0.1, 11.0, 0.8, 30.0, 2.0, 150.0], dtype="float32")
    raw = x if fixed else (offsets + spreads * x).astype("float32")
    inp = keras.Input((_data.D,))
    out = layers.Dense(3, activation="softmax")(body(inp))
    return compiled(keras.Model(inp, out), keras.losses.SparseCategoricalCrossentropy(), raw, y,
                    optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])


@devkind3("labels-scaled-with-the-features", ("label-problem",), ("label-problem",), r"label",
          "a MinMax scaling applied to the whole table, label column included: class ids 0..3 become 0, 1/3, 2/3, "
          "1 and sparse CE truncates them; fix: scale the features only, keep the labels as class ids")
def _(fixed):
    x, y = rings(4, seed=1313)
    labels = y if fixed else (y / y.max()).astype("float32")
    return compiled(Tagger(4, "softmax"), keras.losses.SparseCategoricalCrossentropy(), x, labels,
                    metrics=["accuracy"])


# ---------------------------------------------------------------- learning rate

@devkind3("subclassed-rmsprop-rate-far-too-high", STEP_IDS, STEP_IDS, LR_FIX,
          "subclassed classifier with keras.optimizers.RMSprop(learning_rate=3.0); fix: learning_rate=1e-3")
def _(fixed):
    x, y = rings(3, seed=1314)
    opt = keras.optimizers.RMSprop(learning_rate=1e-3 if fixed else 3.0)
    return compiled(Tagger(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"])


@devkind3("sgd-rate-far-too-low", SLOW_IDS, SLOW_IDS, LOW_LR_FIX,
          "functional classifier with keras.optimizers.SGD(learning_rate=1e-6): eight epochs and the loss does not "
          "move; fix: learning_rate=1e-1")
def _(fixed):
    x, y = _data.classes(3, seed=1315)
    inp = keras.Input((_data.D,))
    out = layers.Dense(3, activation="softmax")(body(inp))
    opt = keras.optimizers.SGD(learning_rate=1e-1 if fixed else 1e-6)
    return compiled(keras.Model(inp, out), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"])


# ---------------------------------------------------------------- activations inside the network

@devkind3("functional-hidden-layers-without-activation", ("stalled", "no-learning", "stuck-at-chance"),
          ("stalled", "no-learning", "stuck-at-chance"), ACT_FIX,
          "functional model whose hidden Dense layers have no activation (Dense defaults to linear) on classes "
          "by distance from the origin; fix: activation='relu' on the hidden layers")
def _(fixed):
    x, y = rings(3, seed=1316)
    inp = keras.Input((_data.D,))
    out = layers.Dense(3, activation="softmax")(body(inp, act="relu" if fixed else None))
    return compiled(keras.Model(inp, out), keras.losses.SparseCategoricalCrossentropy(), x, y,
                    metrics=["accuracy"])


@devkind3("deep-sigmoid-stack-vanishing", ("vanishing-gradients", "saturated-activation", "stalled", "no-learning",
                                            "stuck-at-chance", "poor-initialization"),
          ("vanishing-gradients", "saturated-activation", "stalled", "no-learning", "stuck-at-chance",
           "poor-initialization"), VANISH_FIX,
          "functional model with ten Dense(32, activation=keras.activations.sigmoid) layers and SGD: the first "
          "layers get almost no gradient; fix: relu hidden layers with He init")
def _(fixed):
    x, y = rings(3, seed=1317)
    inp = keras.Input((_data.D,))
    h = body(inp, depth=10, act="relu", init="he_normal") if fixed else body(inp, depth=10,
                                                                          act=keras.activations.sigmoid)
    out = layers.Dense(3, activation="softmax")(h)
    return compiled(keras.Model(inp, out), "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.SGD(0.1), metrics=["accuracy"], epochs=16)


@devkind3("subclassed-hidden-biases-start-negative", ("dead-relu", "poor-initialization"),
          ("dead-relu", "poor-initialization"), DEAD_FIX,
          "subclassed model whose hidden layers use bias_initializer=keras.initializers.Constant(-5.0) (copied "
          "from a 'bias shift' recipe): every ReLU is off from the first step; fix: zero biases")
def _(fixed):
    x, y = rings(3, seed=1318)
    bias = "zeros" if fixed else keras.initializers.Constant(-5.0)
    return compiled(Tagger(3, "softmax", hidden_bias=bias), "sparse_categorical_crossentropy", x, y,
                    metrics=["accuracy"])


# ---------------------------------------------------------------- more spellings of the same classes

class OpsHead(keras.Model):
    """A subclassed classifier whose call applies keras.ops.softmax to the head's scores (no activation layer)."""

    def __init__(self, k: int, squash: bool):
        super().__init__()
        self.h1, self.h2, self.head, self.squash = layers.Dense(32, activation="relu"), \
            layers.Dense(32, activation="relu"), layers.Dense(k), squash

    def call(self, x):
        z = self.head(self.h2(self.h1(x)))
        return keras.ops.softmax(z, axis=-1) if self.squash else z


@devkind3("ops-softmax-in-call-with-from-logits-loss", ("double-softmax", "wrong-output-activation"),
          ("double-softmax", "wrong-output-activation"), LOGITS_FIX,
          "subclassed model whose call returns keras.ops.softmax(self.head(h)), compiled with "
          "keras.losses.SparseCategoricalCrossentropy(from_logits=True); fix: return the raw scores")
def _(fixed):
    x, y = rings(4, seed=1319)
    return compiled(OpsHead(4, squash=not fixed), keras.losses.SparseCategoricalCrossentropy(from_logits=True), x, y,
                    metrics=["accuracy"])


@devkind3("functional-regression-target-in-raw-units", ("unnormalized-input", "label-problem", "stalled",
                                                        "no-learning", "loss-metric-mismatch", "high-initial-loss"),
          ("unnormalized-input", "label-problem", "stalled", "no-learning", "loss-metric-mismatch",
           "high-initial-loss"), TARGET_FIX,
          "functional regression on standardised features whose target is a price around 3e5 (spread 8e4), "
          "loss 'mse', Adam 1e-3: the output crawls toward the mean for the whole run; fix: standardise the target")
def _(fixed):
    x, y = _data.regression(seed=1320)
    t = y if fixed else (3.0e5 + 8.0e4 * y / 3.0).astype("float32")
    inp = keras.Input((_data.D,))
    out = layers.Dense(1)(body(inp))
    return compiled(keras.Model(inp, out), "mse", x, t, optimizer=keras.optimizers.Adam(1e-3))


@devkind3("sequential-adam-rate-far-too-high", STEP_IDS, STEP_IDS, LR_FIX,
          "Sequential classifier with optimizer=keras.optimizers.Adam(learning_rate=2.0); fix: learning_rate=1e-2")
def _(fixed):
    x, y = rings(3, seed=1321)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32), layers.Activation("relu"),
                              layers.Dense(32), layers.Activation("relu"), layers.Dense(3), layers.Softmax()])
    return compiled(model, "sparse_categorical_crossentropy", x, y,
                    optimizer=keras.optimizers.Adam(1e-2 if fixed else 2.0), metrics=["accuracy"])
