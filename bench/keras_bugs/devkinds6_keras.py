"""The sixth bug-kinds dev set: the classes held-out set 19 missed, each in programs of its own (bugs17, session 15).

Why: a check fitted to the one held-out program of a class is worth nothing on the next blind set, so each
class handled in session 15 is written again here in other shapes (another model API, another loss spelling,
another coding of the same mistake). Each buggy program has a fixed twin that must draw no warning. It is a
DEV set, written alongside the checks: ``ids`` and ``fix`` patterns were written and committed before traindoc
ran on it. Run with ``bench/bench_keras_bugs.py --set devkinds6``.

The classes: a model's own scaling layer that multiplies where it should divide (Rescaling(127.5, offset=-1)
for 1/127.5; a Normalization built with invert=True); a yes/no label that reaches a binary cross-entropy as
two other values (coded 1/2 in the source; the whole table standardised, label included); a network whose
only non-linearities were replaced by batch normalisation (still one affine map, a binary loss flat at ln 2);
weight matrices initialised on one side of zero (a custom layer's add_weight with a negative range on
non-negative inputs; torch.rand where torch.randn was meant); and, from held-out set 14, a Keras schedule that
reaches its floor in the first part of the run (CosineDecay's decay_steps given in epochs).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout19_keras import fitted
from .keras_cases import Case

DEVKINDS6: list[Case] = []
ROWS = 640


def devkind6(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the sixth bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS6.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# Shared with the PyTorch programs.
SCALE_IDS = ("unnormalized-input", "high-initial-loss", "stuck-at-chance", "stalled", "no-learning", "dead-relu",
             "exploding-gradients", "cannot-overfit-batch")
LABEL_IDS = ("label-problem", "loss-metric-mismatch", "divergence", "metric-out-of-range", "stuck-at-chance")
LABEL_FIX = (r"(labels?|targets?)\b.{0,60}\b0\s*(and|or|/)\s*1\b|(labels?|targets?)\b.{0,40}(outside|out of|not in) "
             r"(the range )?\[?0(\.0)?, ?1(\.0)?\]?|y\s*-\s*1\b|(scal|standardi[sz]|normali[sz])\w* only (the )?"
             r"(features?|inputs?)")
LINEAR_IDS = ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch")
LINEAR_FIX = (r"(batch ?norm\w*|bn)\b.{0,80}(not|isn't|is not) (an? )?(activation|non-?linear)|(add|insert|put|use)\w* "
              r"(an? )?(relu|non-?linear\w*|activation)s?\b.{0,40}(after|between) (each |every |the )?(batch ?norm\w*|"
              r"hidden|dense|linear)|(no|without) (an? )?(activation|non-?linearity)\b.{0,40}(between|hidden|layers)")
INIT_IDS = ("poor-initialization", "dead-relu", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
            "frozen-parameters", "vanishing-gradients")
INIT_FIX = (r"(zero|0)[- ]centred|centred (on|around) (0|zero)|(not|never).{0,30}(one|a single) side of zero|"
            r"randn|he_uniform|he_normal|glorot|kaiming")


def pixels(seed: int, side: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Grey images 0-255 whose class (of three) is the brightest third of the frame (learnable)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 70, size=(ROWS, side, side, 1)).astype("float32")
    y = rng.integers(0, 3, size=ROWS)
    third = side // 3
    for c in range(3):
        x[y == c, :, c * third:(c + 1) * third, 0] += 170
    return x, y.astype("int64")


@devkind6("functional-rescaling-127-for-minus-one-to-one", SCALE_IDS, ("unnormalized-input",),
          r"divid\w*.{0,40}(instead of|rather than|not) multipl|rescaling\(\s*1\.?0?\s*/\s*127\.5|scale\s*=\s*1\.?0?"
          r"\s*/\s*127\.5|1\.?\s*/\s*(127\.5|255)\b",
          "a functional CNN over 0-255 grey frames whose first layer was meant to map the pixels into [-1, 1] as the "
          "MobileNet preprocessing does, written layers.Rescaling(127.5, offset=-1) where scale=1/127.5 was meant: "
          "the convolution sees values up to 32,000 (question class: Keras CNN loss huge from the first epoch, "
          "preprocessing layer inside the model); fix: layers.Rescaling(1./127.5, offset=-1)")
def _(fixed):
    x, y = pixels(seed=6101)
    inp = keras.Input((10, 10, 1))
    h = layers.Rescaling(1.0 / 127.5 if fixed else 127.5, offset=-1.0)(inp)
    h = layers.MaxPooling2D()(layers.Conv2D(8, 3, activation="relu")(h))
    out = layers.Dense(3, activation="softmax")(layers.Flatten()(h))
    return fitted(keras.Model(inp, out), keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=8)


class PriceNet(keras.Model):
    """A Normalization layer in front of two ReLU layers and a softmax over three price bands (subclassed)."""

    def __init__(self, invert: bool):
        super().__init__()
        self.norm = layers.Normalization(invert=invert)
        self.h1, self.h2 = layers.Dense(32, activation="relu"), layers.Dense(32, activation="relu")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, x):
        return self.out(self.h2(self.h1(self.norm(x))))


def listings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw house-listing columns (square metres, rooms, year, distance in metres); the band of a price score."""
    rng = np.random.default_rng(seed)
    area, rooms = rng.uniform(30, 250, ROWS), rng.integers(1, 7, ROWS)
    year, dist = rng.uniform(1900, 2020, ROWS), rng.uniform(200, 20000, ROWS)
    x = np.stack([area, rooms, year, dist], 1).astype("float32")
    z = (x - x.mean(0)) / x.std(0)
    score = z[:, 0] + 0.5 * z[:, 1] + 0.3 * z[:, 2] - z[:, 3]
    return x, np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype("int64")


@devkind6("subclassed-normalization-built-with-invert", SCALE_IDS, ("unnormalized-input",),
          r"invert\s*=\s*false|without invert|(drop|remove|delete)\w* (the )?invert|invert\s*=\s*true.{0,80}"
          r"(multipl|undo|revers|de-?normali|un-?scal)",
          "a subclassed keras.Model over raw listing columns (square metres, rooms, year, metres to the centre) "
          "whose Normalization layer was created with invert=True (copied from a snippet that un-scales a model's "
          "predictions) and adapted on the training columns: it multiplies each column by its std and adds the "
          "mean, so the inputs leave it larger than they came in (question class: Keras Normalization layer "
          "makes the loss explode); fix: layers.Normalization() without invert")
def _(fixed):
    x, y = listings(seed=6102)
    model = PriceNet(invert=not fixed)
    model.norm.adapt(x)
    return fitted(model, keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=8)


def survey(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised survey answers; 'would recommend' coded 1 = no, 2 = yes as in the source file."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, 9)).astype("float32")
    yes = (x @ rng.normal(size=9) + 0.3 * rng.normal(size=ROWS)) > 0
    return x, (1 + yes).astype("float32")


@devkind6("sequential-survey-label-coded-one-two", LABEL_IDS, ("label-problem",), LABEL_FIX,
          "a Sequential classifier (two ReLU layers, one logit) compiled with BinaryCrossentropy(from_logits=True) "
          "and metrics=[BinaryAccuracy(threshold=0.0)], fit on a survey column that the source file codes 1 = no, "
          "2 = yes: the label 2 is outside [0, 1], which the with-logits loss accepts without a word, so the "
          "cross-entropy goes below zero and keeps falling while accuracy compares the predictions with 1 and 2 "
          "(question class: Keras binary crossentropy negative loss, labels from a CSV); fix: y - 1, so the "
          "labels are 0 and 1")
def _(fixed):
    x, y = survey(seed=6103)
    model = keras.Sequential([keras.Input((9,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1)])
    return fitted(model, keras.optimizers.Adam(1e-3), keras.losses.BinaryCrossentropy(from_logits=True), x,
                  y - 1 if fixed else y, metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)], epochs=8)


def sign_product(seed: int, d: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; the label is whether x0 * x1 > 0 (no linear boundary)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, d)).astype("float32")
    return x, ((x[:, 0] * x[:, 1]) > 0).astype("float32").reshape(-1, 1)


@devkind6("functional-batchnorm-where-relu-was", LINEAR_IDS, LINEAR_IDS, LINEAR_FIX,
          "a functional binary classifier Dense(32) -> BatchNormalization -> Dense(32) -> BatchNormalization -> "
          "Dense(1, sigmoid), the Dense layers left without activation= because 'batch norm makes it "
          "non-linear': the hidden part stays one affine map of the input, and the label (same sign of two "
          "features) has no linear boundary, so binary_crossentropy stays at ln 2 and accuracy at one half "
          "(question class: Keras model with BatchNormalization stuck at 50% accuracy); fix: "
          "activation='relu' on the hidden Dense layers (or a ReLU after each BatchNormalization)")
def _(fixed):
    x, y = sign_product(seed=6104)
    act = "relu" if fixed else None
    inp = keras.Input((6,))
    h = layers.BatchNormalization()(layers.Dense(32)(inp))
    h = layers.Activation(act)(h) if act else h
    h = layers.BatchNormalization()(layers.Dense(32)(h))
    h = layers.Activation(act)(h) if act else h
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return fitted(model, keras.optimizers.Adam(3e-3), "binary_crossentropy", x, y, metrics=["accuracy"], epochs=10)


class SignedDense(layers.Layer):
    """A hand-written dense layer (add_weight, x @ w + b, ReLU) whose initialiser range is a parameter."""

    def __init__(self, units: int, low: float, high: float, **kw):
        super().__init__(**kw)
        self.units, self.low, self.high = units, low, high

    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1], self.units),
                                 initializer=keras.initializers.RandomUniform(self.low, self.high))
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, x):
        return keras.ops.relu(x @ self.w + self.b)


def spectra(seed: int, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative normalised spectra (each row sums to 1 over 20 bins); the class is the dominant band of 3."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=ROWS)
    x = rng.uniform(0, 1, size=(ROWS, bins))
    for c in range(3):
        x[y == c, c * 6:(c + 1) * 6] += 1.5
    return (x / x.sum(1, keepdims=True)).astype("float32"), y.astype("int64")


@devkind6("sequential-custom-dense-initialised-below-zero", INIT_IDS, ("poor-initialization", "dead-relu"), INIT_FIX,
          "a Sequential of two hand-written Dense layers (a keras.layers.Layer subclass with add_weight and "
          "RandomUniform(-limit, 0) where (-limit, limit) was meant, limit = 0.3) with a ReLU each, then a "
          "softmax over three bands, fit on non-negative spectra: every pre-activation is at most 0, every ReLU "
          "outputs 0 and passes no gradient, and the loss stays at ln 3 (question class: custom Keras layer, "
          "model predicts one class, all activations zero); fix: RandomUniform(-0.3, 0.3), a range centred on zero")
def _(fixed):
    x, y = spectra(seed=6105)
    low, high = (-0.3, 0.3) if fixed else (-0.3, 0.0)
    model = keras.Sequential([keras.Input((20,)), SignedDense(32, low, high), SignedDense(32, low, high),
                              layers.Dense(3, activation="softmax")])
    return fitted(model, keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                  epochs=8)


@devkind6("sequential-cosine-decay-steps-given-in-epochs", ("lr-decay-too-fast", "stalled", "no-learning",
                                                            "update-ratio", "stuck-at-chance"),
          ("lr-decay-too-fast", "stalled", "update-ratio"),
          r"decay_steps\b.{0,80}(steps? per epoch|epochs? x|epochs? \*|\* ?epochs|optimi[sz]er steps|batches|"
          r"(length|size|span) of the run|the run)|(steps|batches),? not epochs|(horizon|decay).{0,60}(shorter|"
          r"fraction) (than|of) the run",
          "a Sequential classifier trained with SGD(CosineDecay(0.05, decay_steps=10)), the 10 being the number "
          "of epochs, while a Keras schedule counts optimizer steps: with 16 batches per epoch the rate reaches 0 "
          "before the first epoch ends and the remaining nine epochs do not move the weights (question class: "
          "Keras CosineDecay learning rate zero after the first epoch, loss frozen); fix: decay_steps = epochs x "
          "steps per epoch")
def _(fixed):
    rng = np.random.default_rng(6106)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 4))).argmax(1).astype("int64")
    steps = 10 * 16 if fixed else 10
    model = keras.Sequential([keras.Input((8,)), layers.Dense(32, activation="relu"), layers.Dense(32, activation="relu"),
                              layers.Dense(4, activation="softmax")])
    sched = keras.optimizers.schedules.CosineDecay(0.05, decay_steps=steps)
    return fitted(model, keras.optimizers.SGD(sched), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                  epochs=10, validation_split=0.0)
