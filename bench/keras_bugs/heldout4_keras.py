"""A fourth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a fourth set: the second and third held-out sets have been (or are being) studied, so they no longer
measure bugs nobody tuned for. These programs were written without reading traindoc's rules, checks,
probes, findings or integrations, without reading any bench output, and frozen (``HELDOUT4.sha256``)
before traindoc was ever run on them; see ``HELDOUT4.md``. Run with
``bench/bench_keras_bugs.py --set heldout4``. They are kept for a later measurement.

Same format as ``heldout3_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count
as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a
finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased, not quotes). None repeats a bug of the main set or of held-out sets 1-3.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .heldout3_keras import rings  # the third set's distance-band classes
from .keras_cases import Case

HELDOUT4: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"


def heldout4(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the fourth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT4.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D, first=(),
        last=()) -> keras.Model:
    """A small ReLU MLP; ``first`` layers go right after the input, ``last`` ones after the output layer."""
    body = [layers.Dense(hidden, activation="relu") for _ in range(depth)]
    return keras.Sequential([keras.Input((d,)), *first, *body, layers.Dense(out, activation=act), *last])


# Sensor-style units for the eight features: offsets and spreads of very different sizes.
OFFSETS = np.array([500.0, 2000.0, 40.0, 0.5, 1.0e4, 3.0, 70.0, 150.0], dtype="float32")
SPREADS = np.array([100.0, 400.0, 12.0, 0.2, 3.0e3, 1.0, 15.0, 40.0], dtype="float32")


# ---------------------------------------------------------------- structure: output / loss / target

@heldout4("cosine-similarity-scalar-regression", ("loss-metric-mismatch", "wrong-output-activation", "stalled",
                                                  "no-learning", "label-problem", "metric-out-of-range"),
          ("loss-metric-mismatch", "wrong-output-activation", "label-problem", "metric-out-of-range"),
          r"cosine|mean_squared_error|\bmse\b|regression loss",
          "a one-number regression compiled with loss='cosine_similarity' (chosen from the loss list because "
          "'it measures how close the prediction is'): for a single output the cosine is only the sign "
          "agreement of prediction and target, the loss is negative, its gradient ignores the scale, and the "
          "MAE barely moves (SO-style 'Keras loss is negative and decreasing but predictions are wrong, "
          "cosine similarity loss'); fix: loss='mse'")
def _(fixed):
    x, y = _data.regression(seed=512)
    return compiled(net(1, None), "mse" if fixed else "cosine_similarity", x, y, metrics=["mae"])


@heldout4("msle-negative-targets", ("label-problem", "loss-metric-mismatch", "stalled", "no-learning",
                                    "wrong-output-activation"),
          ("label-problem", "loss-metric-mismatch", "wrong-output-activation"),
          r"logarithmic|\bmsle\b|negative (target|label|value)|(target|label)s?.{0,60}negative"
          r"|mean_squared_error|\bmse\b",
          "a regression target of changes, most of them negative, trained with "
          "loss='mean_squared_logarithmic_error' (picked for a skewed target in a tutorial): the loss takes "
          "log(1 + max(y, 0)), so every negative target and prediction counts as 0 and the error (MAE) hardly "
          "improves (SO-style 'MSLE loss with negative values gives wrong predictions'); fix: loss='mse'")
def _(fixed):
    x, y = _data.regression(seed=502)
    y = y - 1.0  # about two thirds of the values below 0
    return compiled(net(1, None), "mse" if fixed else "mean_squared_logarithmic_error", x, y,
                    optimizer=keras.optimizers.Adam(3e-3), metrics=["mae"], epochs=10)


@heldout4("two-targets-one-output-unit", ("label-problem", "cannot-overfit-batch", "stalled", "no-learning",
                                          "wrong-output-activation"),
          ("label-problem", "cannot-overfit-batch", "wrong-output-activation", "stalled", "no-learning"),
          r"shape|broadcast|Dense\(2|(two|2) (outputs?|units|targets|columns)|output units|units.{0,40}target"
          r"|target.{0,40}(columns|units)",
          "two regression targets per row (y of shape (N, 2)) fitted by a model ending in Dense(1): mse "
          "broadcasts the single prediction against both columns, so the model learns their average and the "
          "error stays high (SO-style 'multi-output regression in Keras predicts the same value for both "
          "outputs'); fix: Dense(2)")
def _(fixed):
    x, a = _data.regression(seed=503)
    rng = np.random.default_rng(503)
    b = 2.0 * np.tanh(x @ rng.normal(size=(_data.D,)) / np.sqrt(_data.D))
    y = np.concatenate([a, b.reshape(-1, 1)], 1).astype("float32")
    return compiled(net(2 if fixed else 1, None), "mse", x, y, optimizer=keras.optimizers.Adam(3e-3),
                    metrics=["mae"], epochs=10)


@heldout4("label-smoothing-point-nine", ("stuck-at-chance", "loss-metric-mismatch", "no-learning", "stalled",
                                         "label-problem"),
          ("stuck-at-chance", "loss-metric-mismatch", "no-learning", "stalled", "label-problem"),
          r"label.?smooth",
          "CategoricalCrossentropy(label_smoothing=0.9), read as 'trust the labels 90%': the true class's "
          "target becomes 0.4 and the others 0.3, so the loss cannot leave ~ln(3) and the predicted "
          "probabilities stay near uniform while accuracy rises (SO-style 'loss stuck at 1.09 but accuracy "
          "increases, what does label_smoothing do'); fix: label_smoothing=0.1")
def _(fixed):
    x, y = _data.classes(3, seed=504)
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=0.1 if fixed else 0.9)
    return compiled(net(3, "softmax"), loss, x, _data.onehot(y, 3), metrics=["accuracy"])


# ---------------------------------------------------------------- architecture

@heldout4("batchnorm-after-softmax-output", ("wrong-output-activation", "stuck-at-chance", "stalled",
                                             "no-learning", "loss-metric-mismatch", "high-initial-loss",
                                             "nonfinite"),
          ("wrong-output-activation",),
          r"batch.?norm|(layer|anything) after (the )?softmax|softmax (is not|isn't) (the )?last",
          "BatchNormalization added after every Dense layer, the softmax output included: the last layer "
          "re-centres the probabilities to mean 0, so the 'probabilities' fed to the cross-entropy can be "
          "negative and no longer sum to 1; accuracy stays near chance (SO-style 'added BatchNormalization "
          "everywhere, now the model does not learn / negative probabilities'); fix: no BatchNormalization after "
          "the softmax output")
def _(fixed):
    x, y = _data.classes(3, seed=505)
    last = () if fixed else (layers.BatchNormalization(),)
    return compiled(net(3, "softmax", last=last), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


# ---------------------------------------------------------------- optimisation

@heldout4("lr-schedule-multiplies-by-epoch", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                              "lr-decay-too-fast", "frozen-parameters"),
          ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "lr-decay-too-fast", "frozen-parameters"),
          r"schedul|warm.?up|(learning.?rate|\blr\b).{0,40}(zero|\b0\b)|(zero|\b0\b).{0,20}(learning.?rate|\blr\b)",
          "a three-epoch linear warm-up written as LearningRateScheduler(lambda epoch, lr: lr * min(1, epoch / 3)): "
          "the function scales the current rate instead of a base rate, and at epoch 0 it returns 0, so the rate "
          "is 0 for the whole run and nothing moves (SO-style 'Keras LearningRateScheduler sets learning rate to "
          "zero / warm-up does not work'); fix: lambda epoch: 1e-2 * min(1, (epoch + 1) / 3)")
def _(fixed):
    x, y = _data.classes(3, seed=506)
    if fixed:
        sched = keras.callbacks.LearningRateScheduler(lambda epoch: 1e-2 * min(1.0, (epoch + 1) / 3))
    else:
        sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * min(1.0, epoch / 3))
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    callbacks=[sched])


@heldout4("gradient-accumulation-too-many-steps", ("no-learning", "stalled", "stuck-at-chance", "update-ratio",
                                                   "frozen-parameters", "too-short"),
          ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "frozen-parameters", "too-short"),
          r"accumulat",
          "Adam(1e-2, gradient_accumulation_steps=64) to 'emulate a batch of 2048' on a data set of 512 rows: "
          "the weights change only every 64 batches, i.e. twice in the whole 8-epoch run, and accuracy stays "
          "low (SO-style 'Keras 3 gradient accumulation, model stops learning'); fix: no accumulation (or 2 "
          "steps)")
def _(fixed):
    x, y = _data.classes(3, seed=507)
    opt = keras.optimizers.Adam(1e-2) if fixed else keras.optimizers.Adam(1e-2, gradient_accumulation_steps=64)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt,
                    metrics=["accuracy"])


# ---------------------------------------------------------------- data

@heldout4("normalization-layer-not-adapted", ("unnormalized-input", "stalled", "no-learning", "stuck-at-chance",
                                              "loss-spikes", "oscillation", "high-initial-loss"),
          ("unnormalized-input",),
          r"adapt|normali[sz]|standardi[sz]|scal",
          "a keras.layers.Normalization() placed first in the model, as in the tutorial, but .adapt(x_train) "
          "never called: the layer keeps mean 0 and variance 1, so sensor readings in the hundreds and "
          "thousands reach the Dense layers unscaled (SO-style 'Keras Normalization layer does nothing / "
          "model not learning with Normalization'); fix: norm.adapt(x) before fit")
def _(fixed):
    x, y = _data.classes(3, seed=508)
    raw = (OFFSETS + SPREADS * x).astype("float32")
    norm = layers.Normalization()
    if fixed:
        norm.adapt(raw)
    return compiled(net(3, "softmax", first=(norm,)), "sparse_categorical_crossentropy", raw, y,
                    metrics=["accuracy"], epochs=10)


@heldout4("missing-values-as-minus-999", ("unnormalized-input", "stalled", "no-learning", "loss-spikes",
                                          "oscillation", "stuck-at-chance", "high-initial-loss"),
          ("unnormalized-input",),
          r"missing|sentinel|-999|imput|placeholder|fill|outlier|extreme value",
          "a tabular export where missing readings are coded -999 (about 8% of the cells), fed as is: the "
          "placeholder dwarfs the standardised values, the first layer's sums are dominated by which cells are "
          "missing and the loss jumps (SO-style 'dataset uses -999 for missing values, model accuracy bad'); "
          "fix: replace -999 by the column mean")
def _(fixed):
    x, y = _data.classes(3, seed=509)
    rng = np.random.default_rng(509)
    miss = rng.random(x.shape) < 0.08
    x = x.copy()
    x[miss] = 0.0 if fixed else -999.0  # the column mean of a standardised feature is 0
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    epochs=10)


@heldout4("random-flip-swaps-classes", ("label-problem", "stalled", "cannot-overfit-batch", "no-learning",
                                        "loss-metric-mismatch", "stuck-at-chance"),
          ("label-problem", "cannot-overfit-batch", "stalled", "no-learning"),
          r"augment|flip",
          "RandomFlip('horizontal') added as augmentation to images whose class is where the bright patch is "
          "(top-left vs top-right): a flipped top-left image is a top-right one with the old label, so half "
          "the training batches carry the wrong class for those two classes and the training loss stays high "
          "(SO-style 'data augmentation makes accuracy worse, flip changes the meaning of the image'); fix: "
          "no horizontal flip for this data")
def _(fixed):
    x, y = _data.images(3, seed=510)
    x = (x / 255.0).reshape(-1, 8, 8, 1).astype("float32")
    aug = [] if fixed else [layers.RandomFlip("horizontal", seed=510)]
    model = keras.Sequential([keras.Input((8, 8, 1)), *aug, layers.Flatten(), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=10)
