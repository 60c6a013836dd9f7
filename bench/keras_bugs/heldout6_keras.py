"""A sixth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a sixth set: held-out sets 4 and 5 have now been run and studied, so they no longer measure bugs
nobody tuned for. These programs were written without reading traindoc's rules, checks, probes,
findings or integrations, without reading any bench output, and frozen (``HELDOUT6.sha256``) before
traindoc was ever run on them; see ``HELDOUT6.md``. Run with ``bench/bench_keras_bugs.py --set heldout6``.

The set leans on bug classes the earlier sets do not use: a metric class that compares probabilities
for equality, BatchNormalization used as the input scaler (moving statistics not yet converged), a
second /255 scaling, files listed in string order against labels in numeric order, validation labels
taken from the training array, a categorical id fed as a number, an unweighted rare class, a
classification trained with mean absolute error, and a regression target of a tiny scale.

Same format as ``heldout5_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT6: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"


def heldout6(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the sixth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT6.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D, first=()) -> keras.Model:
    """A small ReLU MLP; ``first`` layers go right after the input."""
    body = [layers.Dense(hidden, activation="relu") for _ in range(depth)]
    return keras.Sequential([keras.Input((d,)), *first, *body, layers.Dense(out, activation=act)])


def with_validation(out: dict, x_val, y_val) -> dict:
    out["fit"]["validation_data"] = (x_val, y_val)
    return out


# ---------------------------------------------------------------- metrics

@heldout6("accuracy-metric-class-on-probabilities", ("loss-metric-mismatch", "misleading-accuracy", "stuck-at-chance",
                                                     "metric-out-of-range"),
          ("loss-metric-mismatch", "misleading-accuracy", "metric-out-of-range"),
          r"Accuracy\(\)|categorical_accuracy|metric.{0,60}(wrong|incorrect|bug|exact|equal|probabilit|threshold|argmax)"
          r"|(wrong|incorrect|buggy|broken) (accuracy|metric)|(accuracy|metric) (is |was )?(computed|calculated|defined)",
          "a 3-class softmax classifier with one-hot targets and categorical_crossentropy, compiled with "
          "metrics=[keras.metrics.Accuracy()] (the class, not the string 'accuracy'): Accuracy counts exact equality "
          "between each target entry and each predicted probability, so it stays at ~0 while the loss falls to 0.1 "
          "(SO-style 'Keras accuracy is 0 although the loss decreases — metrics=[Accuracy()]'); fix: "
          "metrics=['accuracy'] or keras.metrics.CategoricalAccuracy()")
def _(fixed):
    x, y = _data.classes(3, seed=601)
    metric = "accuracy" if fixed else keras.metrics.Accuracy()
    return compiled(net(3, "softmax"), "categorical_crossentropy", x, _data.onehot(y, 3),
                    optimizer=keras.optimizers.Adam(1e-2), metrics=[metric], epochs=6)


# ---------------------------------------------------------------- normalisation statistics

# Tabular units of very different sizes (a pressure, a count, a temperature, a share, ...).
OFFSETS = np.array([1013.0, 250.0, 35.0, 0.4, 6.0e3, 12.0, 80.0, 300.0], dtype="float32")
SPREADS = np.array([8.0, 60.0, 6.0, 0.1, 1.5e3, 3.0, 10.0, 45.0], dtype="float32")


@heldout6("batchnorm-as-input-scaler", ("unnormalized-input", "overfitting", "both-rising", "divergence", "stalled",
                                        "val-without-train"),
          ("unnormalized-input", "overfitting", "stalled", "val-without-train"),
          r"momentum|moving (mean|average|var|stat)|running (mean|var|stat)|(standardi[sz]|normali[sz]|scal).{0,40}"
          r"(input|feature)|(input|feature)s?.{0,40}(standardi[sz]|normali[sz]|scal)",
          "raw tabular features (a pressure near 1013, a count near 6000, a share near 0.4) scaled by a "
          "BatchNormalization layer placed first 'instead of a scaler': training uses each batch's statistics and "
          "fits well, but validation uses the moving mean and variance (momentum 0.99), which after ~70 steps are "
          "still far from the data's, so validation loss stays far above training loss (SO-style 'BatchNormalization "
          "as the first layer — validation accuracy poor / predictions wrong at inference'); fix: standardise the "
          "inputs with the training mean and std (or BatchNormalization(momentum=0.9) for so few steps)")
def _(fixed):
    x, y = _data.classes(3, seed=602)
    raw = (OFFSETS + SPREADS * x).astype("float32")
    if fixed:
        mu, sd = raw[128:].mean(0), raw[128:].std(0)
        raw = (raw - mu) / sd
    model = net(3, "softmax", first=(layers.BatchNormalization(),))
    out = compiled(model, "sparse_categorical_crossentropy", raw[128:], y[128:], optimizer=keras.optimizers.Adam(1e-2),
                   metrics=["accuracy"], epochs=6)
    return with_validation(out, raw[:128], y[:128])


@heldout6("pixels-scaled-twice", ("unnormalized-input", "stalled", "no-learning", "stuck-at-chance",
                                  "vanishing-gradients", "update-ratio"),
          ("unnormalized-input",),
          r"255|rescal|twice|double|(input|pixel)s?.{0,40}(scale|range|small|tiny|near zero)|normali[sz]|standardi[sz]",
          "a small CNN whose first layer is Rescaling(1./255), trained on images that the loading code had already "
          "divided by 255: the pixels reach the convolution in [0, 0.004], the first layer's output is almost "
          "constant and the loss stays near chance level, ln 3 (SO-style 'image_dataset_from_directory plus "
          "Rescaling — accuracy stuck, did I normalise twice?'); fix: divide by 255 once")
def _(fixed):
    x, y = _data.images(3, seed=603)
    images = x.reshape(-1, 8, 8, 1)
    if not fixed:
        images = images / 255.0  # the loader's scaling, on top of the model's Rescaling layer
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Rescaling(1.0 / 255), layers.Conv2D(8, 3, activation="relu"),
                              layers.Flatten(), layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", images.astype("float32"), y,
                    optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"], epochs=8)


# ---------------------------------------------------------------- data pipeline

@heldout6("files-listed-in-string-order", ("label-problem", "overfitting", "stuck-at-chance", "val-without-train",
                                           "stalled"),
          ("label-problem", "overfitting", "stuck-at-chance", "val-without-train"),
          r"sort|file ?names?|misalign|align|(label|target)s?.{0,40}(match|correspond|pair|shuffl|permut|order)"
          r"|(match|pair|order).{0,30}(label|target)",
          "images loaded from files img_0 ... img_511 in sorted(os.listdir()) order (img_0, img_1, img_10, img_100, "
          "...) while the labels come from a CSV in numeric order: most images get another image's label; the "
          "training loss barely falls and validation accuracy sits at chance (SO-style 'labels do not match "
          "images after loading a folder — validation accuracy 33%'); fix: sort the file names numerically "
          "(or read each file's label by its name)")
def _(fixed):
    x, y = _data.images(3, seed=605)
    names = [f"img_{i}.png" for i in range(_data.N)]
    listed = sorted(names, key=lambda n: int(n[4:-4])) if fixed else sorted(names)
    images = np.stack([x[int(n[4:-4])] for n in listed]) / 255.0  # pixels in the order the files were read
    out = compiled(net(3, "softmax", d=64), "sparse_categorical_crossentropy", images[128:].astype("float32"),
                   y[128:], optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=10)
    return with_validation(out, images[:128].astype("float32"), y[:128])


@heldout6("validation-labels-from-training-array", ("overfitting", "label-problem", "val-without-train", "both-rising",
                                                    "divergence"),
          ("overfitting", "label-problem", "val-without-train"),
          r"y_val|validation (labels|targets)|(labels|targets) (of|for|in) (the )?validation"
          r"|validation.{0,40}(mismatch|misalign|wrong|do not match|don't match|do not correspond)",
          "a copy-paste slip in the split, validation_data=(x_val, y_train[:len(x_val)]): the validation rows are "
          "scored against the first training labels, so validation accuracy sits at chance and the validation loss "
          "climbs while training accuracy reaches 0.99 (SO-style 'training accuracy high but validation accuracy "
          "random from the first epoch'); fix: validation_data=(x_val, y_val)")
def _(fixed):
    x, y = _data.classes(3, seed=610)
    xt, yt, xv, yv = x[128:], y[128:], x[:128], y[:128]
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", xt, yt, optimizer=keras.optimizers.Adam(1e-2),
                   metrics=["accuracy"], epochs=8)
    return with_validation(out, xv, yv if fixed else yt[:len(xv)])


@heldout6("category-id-as-a-number", ("stalled", "no-learning", "unnormalized-input", "overfitting",
                                      "cannot-overfit-batch"),
          ("stalled", "no-learning", "unnormalized-input", "overfitting", "cannot-overfit-batch"),
          r"one.?hot|embedding|categor\w* (feature|column|variable|input|id)|encod",
          "a sales regression whose inputs are four standardised measurements plus a store id (0-39) passed as one "
          "numeric column, while each store has its own level: the network must cut the id axis into 40 arbitrary "
          "steps, so the error stays near the store-level variance (SO-style 'should I one-hot encode a categorical "
          "column? regression loss will not go down'); fix: one-hot encode the store id (or an Embedding). No "
          "finding id names a categorical feature; the nearest symptoms are accepted, and only advice that names "
          "the encoding counts as the fix")
def _(fixed):
    rng = np.random.default_rng(606)
    n = _data.N + 128
    meas = rng.normal(size=(n, 4)).astype("float32")
    store = rng.integers(0, 40, size=n)
    level = rng.normal(scale=3.0, size=40)
    y = (level[store] + meas @ rng.normal(size=4) / 2).astype("float32").reshape(-1, 1)
    ident = np.eye(40, dtype="float32")[store] if fixed else store.astype("float32").reshape(-1, 1)
    x = np.concatenate([meas, ident], 1)
    out = compiled(net(1, None, d=x.shape[1]), "mse", x[128:], y[128:], optimizer=keras.optimizers.Adam(1e-2),
                   metrics=["mae"], epochs=10)
    return with_validation(out, x[:128], y[:128])


@heldout6("rare-class-without-weights", ("misleading-accuracy", "class-imbalance", "stuck-at-chance",
                                         "loss-metric-mismatch"),
          ("misleading-accuracy", "class-imbalance"),
          r"class.?weight|weight.{0,30}(class|minority|rare)|resampl|oversampl|undersampl|rebalanc|minority",
          "a fraud-style binary classifier on data with 4% positives, trained with plain binary_crossentropy and "
          "SGD: accuracy sits at 0.96 (the majority share) while recall stays at 0, the model predicts 'negative' "
          "for every row (SO-style 'my model always predicts the same class, accuracy 96% — imbalanced data'); "
          "fix: class_weight={0: 1, 1: 12} (or resampling)")
def _(fixed):
    x, r = rings(25, seed=607)
    y = (r == 24).astype("float32").reshape(-1, 1)  # the outermost band: 4% of the rows
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, y,
                   optimizer=keras.optimizers.SGD(0.02, momentum=0.9),
                   metrics=["accuracy", keras.metrics.Recall(name="recall")], epochs=10)
    if fixed:
        out["fit"]["class_weight"] = {0: 1.0, 1: 12.0}
    return out


# ---------------------------------------------------------------- loss / target pairing

@heldout6("classification-trained-with-mae", ("stalled", "no-learning", "loss-metric-mismatch", "wrong-output-activation",
                                              "vanishing-gradients"),
          ("stalled", "no-learning", "loss-metric-mismatch", "wrong-output-activation"),
          r"categorical_crossentropy|(use|switch to|replac\w*|instead).{0,40}cross.?entropy|\bmae\b.{0,60}(classif|probabilit|softmax)"
          r"|(mean absolute|\bl1\b).{0,60}(classif|softmax)",
          "a 5-class softmax classifier on one-hot targets compiled with loss='mae' and SGD (copied from a "
          "regression notebook): the absolute error's gradient through the softmax is weak and nearly constant, so the model "
          "learns slowly and accuracy stays far below what the data allows (SO-style 'which loss for multi-class "
          "classification? mean absolute error gives low accuracy'); fix: loss='categorical_crossentropy'")
def _(fixed):
    x, y = _data.classes(5, seed=608)
    return compiled(net(5, "softmax"), "categorical_crossentropy" if fixed else "mae", x, _data.onehot(y, 5),
                    optimizer=keras.optimizers.SGD(0.05, momentum=0.9), metrics=["accuracy"], epochs=8)


@heldout6("returns-target-tiny-scale", ("no-learning", "stalled", "label-problem", "loss-metric-mismatch"),
          ("no-learning", "stalled", "label-problem"),
          r"(target|label|\by\b)s?.{0,40}(scale|scaling|standardi[sz]|normali[sz]|tiny|magnitude)"
          r"|(scale|standardi[sz]|normali[sz]|rescal).{0,40}(target|label|\by\b)",
          "a daily-returns regression whose target is of order 1e-3 (returns as fractions, variance 5e-7): the MSE "
          "falls from 3e-2 to 2e-4, which looks like learning, but it ends hundreds of times above the target's own "
          "variance — the outputs are noise larger than the whole signal, since Adam's steps on the weights exceed it "
          "(SO-style 'regression loss is tiny but predictions are all the same value'); fix: standardise the target "
          "(and invert the scaling on the predictions)")
def _(fixed):
    x, y = _data.regression(seed=609, scale=1.0)
    y = 1e-3 * y
    if fixed:
        y = (y - y.mean()) / y.std()
    return compiled(net(1, None), "mse", x, y.astype("float32"), optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["mae"], epochs=8)
