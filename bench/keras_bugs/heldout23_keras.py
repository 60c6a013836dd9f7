"""A twenty-third held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Like sets 16 to 22 it measures whether traindoc names the repair for the COMMON bug classes of published
Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for. They were written without reading
traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT23.sha256``) before traindoc was ever run on them; see ``HELDOUT23.md``. Run with
``bench/bench_keras_bugs.py --set heldout23``.

The Keras half: a label column taken from the wrong end of a loaded table, -1/+1 labels kept from an SVM
pipeline under a with-logits binary cross-entropy, a class-sorted table fitted with ``shuffle=False``, flat
prices regressed in cents under SGD, a CosineDecay whose ``warmup_target`` was written as 1.0 (meant as 100%), a tanh stack
initialised with ``VarianceScaling(scale=2 * fan_in)``, a layer-builder helper whose activation defaults to
None, and SGD with ``momentum=1.0``. The PyTorch half is in ``heldout23_torch``.

Same format as ``heldout20_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout20_keras import trained
from .keras_cases import Case

HELDOUT23: list[Case] = []
ROWS = 640


def heldout23(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-third held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT23.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def gauss(seed: int, d: int, n: int = ROWS) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- labels encoded wrongly

def churn_table(seed: int) -> np.ndarray:
    """Column 0: churned (0/1); columns 1-9: standardised account features, the last a random promo flag."""
    rng, x = gauss(seed, 8)
    score = x @ rng.normal(size=8) + 0.7 * x[:, 2] * x[:, 5]
    label = (score > np.median(score)).astype("float32")
    promo = (rng.random(ROWS) < 0.5).astype("float32")
    return np.column_stack([label, x, promo]).astype("float32")


@heldout23("sequential-label-taken-from-last-table-column",
           ("label-problem", "stuck-at-chance", "stalled", "cannot-overfit-batch", "overfitting", "no-learning"),
           ("label-problem", "stuck-at-chance", "cannot-overfit-batch"),
           r"label\w*.{0,60}(wrong column|(other|another|different|first|last) column|misalign|not (match|line up|"
           r"correspond)|unrelated|random|no relation|independent of|shuffled|noise|unlearnable|cannot be learned)|"
           r"(wrong|which) column.{0,40}(label|target)|(target|label)s? (do not|don't|cannot) (depend|relate)",
           "a churn classifier read from a table whose first column is the churned flag and whose last is a random "
           "promotion flag; the author split it as x = table[:, :-1], y = table[:, -1] (the usual last-column "
           "label), so the model is asked to predict a coin-flip promo flag from features that include the real "
           "label: Sequential Dense(32, relu) -> Dense(16, relu) -> Dense(1, sigmoid) under binary_crossentropy "
           "stays at ln 2 and accuracy 0.5 on validation while the training loss creeps down by memorising "
           "(question class: Keras binary classifier accuracy stuck at 50 percent, labels and features read from a "
           "CSV); fix: y = table[:, 0], x = table[:, 1:-1]")
def _(fixed):
    table = churn_table(seed=2301)
    x, y = (table[:, 1:-1], table[:, :1]) if fixed else (table[:, :-1], table[:, -1:])
    model = keras.Sequential([keras.Input((x.shape[1],)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- loss against the label format

def spam_scores(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised message statistics; spam (about 40%) from a nonlinear rule, 0/1."""
    rng, x = gauss(seed, 14)
    s = x @ rng.normal(size=14) / np.sqrt(14) + 0.6 * np.tanh(x[:, 0] * x[:, 3])
    return x, (s > np.quantile(s, 0.6)).astype("float32").reshape(-1, 1)


@heldout23("functional-minus-one-labels-under-logit-bce",
           ("label-problem", "divergence", "loss-metric-mismatch", "stuck-at-chance", "nonfinite",
            "metric-out-of-range", "exploding-gradients", "cannot-overfit-batch"),
           ("label-problem", "loss-metric-mismatch", "divergence", "cannot-overfit-batch"),
           r"-1\s*(/|and|or|,)\s*\+?1|minus one|\[-1, ?1\]|(labels?|targets?)\w*.{0,40}(negative|below (0|zero)|"
           r"outside \[?0|not (in )?\{?0|must be (0|in \[0)|between 0 and 1|0 (and|or) 1)|(map|convert|recode|"
           r"replace)\w*.{0,40}(to|into|as) (0|\{0)",
           "a spam filter (functional API, fourteen standardised message statistics -> Dense(32, relu) -> "
           "Dense(16, relu) -> Dense(1) logit) whose labels came from the author's earlier SVM pipeline coded "
           "-1 for ham and +1 for spam, compiled with keras.losses.BinaryCrossentropy(from_logits=True): the "
           "with-logits loss takes -1 as a target probability without complaint, every ham message then rewards "
           "a logit driven to minus infinity without limit, the loss turns negative within the first epochs and "
           "keeps falling while the accuracy means nothing (question class: Keras binary cross-entropy loss negative, "
           "labels -1 and 1); fix: map the labels to 0/1 with (y + 1) / 2")
def _(fixed):
    x, y01 = spam_scores(seed=2302)
    y = y01 if fixed else 2 * y01 - 1
    inp = keras.Input((14,))
    out = layers.Dense(1)(layers.Dense(16, activation="relu")(layers.Dense(32, activation="relu")(inp)))
    return trained(keras.Model(inp, out), x, y, optimizer="adam",
                   loss=keras.losses.BinaryCrossentropy(from_logits=True),
                   metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)], epochs=10)


# ---------------------------------------------------------------- data not shuffled

def leaf_species(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Sixteen standardised leaf measurements, five species, rows stored species by species (as in the files)."""
    rng, x = gauss(seed, 16, n)
    y = (x @ rng.normal(size=(16, 5)) + 0.5 * np.sin(2 * x[:, :5])).argmax(1)
    order = np.argsort(y, kind="stable")
    return x[order], y[order].astype("int64")


@heldout23("sequential-species-files-concatenated-shuffle-false",
           ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "val-without-train", "overfitting",
            "loss-metric-mismatch", "stuck-at-chance"),
           ("unshuffled-data", "oscillation", "loss-spikes", "stalled"),
           r"shuffl\w*\b(?! (the )?(validation|val|test))|(sorted|ordered|grouped) by (class|label|species)|(one|a single) (class|label) per batch|"
           r"batch\w* (hold|contain|see)s? (only )?(one|a single) class|mix\w* the classes",
           "a five-species leaf classifier (2000 rows, Sequential, sixteen standardised measurements, Dense(64, relu) -> "
           "Dense(5, softmax), sparse_categorical_crossentropy, SGD(0.05, momentum=0.9)) whose table was built by "
           "concatenating one file per species, so the rows are sorted by label; validation rows are a random fifth "
           "held out before the concatenation, and model.fit is called with shuffle=False (copied from a "
           "time-series notebook): every batch holds one species, each stretch of batches drags the head toward "
           "that class, and at each epoch's end the model predicts mostly the last species, so validation "
           "accuracy stays low and jumps around while the training loss does not settle (question class: Keras "
           "validation accuracy very low although training looks fine, data sorted by class); fix: shuffle=True "
           "(the default) or shuffle the rows once before fit")
def _(fixed):
    x, y = leaf_species(seed=2303)
    rng = np.random.default_rng(23)
    val = np.zeros(len(y), bool)
    val[rng.choice(len(y), len(y) // 5, replace=False)] = True
    xt, yt = x[~val], y[~val]
    if fixed:
        p = rng.permutation(len(yt))
        xt, yt = xt[p], yt[p]
    model = keras.Sequential([keras.Input((16,)), layers.Dense(64, activation="relu"),
                              layers.Dense(5, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return {"model": model, "x": xt, "y": yt,
            "fit": {"epochs": 10, "batch_size": 32, "verbose": 0, "shuffle": fixed,
                    "validation_data": (x[val], y[val])}}


# ---------------------------------------------------------------- target in wrong units

def flat_prices(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised flat features; the asking price in euros (about 150k to 450k) and in cents."""
    rng, x = gauss(seed, 10)
    euros = 300_000 + 60_000 * (x @ rng.normal(size=10) / np.sqrt(10)) + 20_000 * x[:, 1] * x[:, 4]
    return x, euros.astype("float32").reshape(-1, 1)


@heldout23("sequential-flat-prices-regressed-in-cents",
           ("nonfinite", "divergence", "exploding-gradients", "high-initial-loss", "nonfinite-origin",
            "lr-too-high", "loss-spikes"),
           ("nonfinite", "divergence", "exploding-gradients", "high-initial-loss", "nonfinite-origin"),
           r"(scale|standardi[sz]|normali[sz]|rescal|divide)\w*( the)? (targets?|labels?|y\b|outputs?|prices?)|"
           r"(targets?|labels?|y|prices?)\b.{0,40}(scale|units?|magnitude|standardi[sz]|normali[sz]|cents|"
           r"millions|huge|large values|too large)",
           "a flat-price regressor (Sequential, ten standardised features, Dense(32, relu) -> Dense(32, relu) -> "
           "Dense(1), mean squared error, SGD(learning_rate=0.01)) whose target is the asking price in cents "
           "straight from the listings API (3e7 on average): the first errors are of order 1e7, their squares "
           "1e14, the gradient steps overshoot by many orders of magnitude and the loss is inf/NaN within the "
           "first epoch (question class: Keras regression loss is nan, house prices as targets); fix: scale the "
           "target (prices in units of 100,000 euros, standardised) and undo the scaling after predict")
def _(fixed):
    x, euros = flat_prices(seed=2304)
    y = (euros - 300_000) / 100_000 if fixed else euros * 100
    model = keras.Sequential([keras.Input((10,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    return trained(model, x, y.astype("float32"), optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse",
                   epochs=8)


# ---------------------------------------------------------------- learning rate far too high (a schedule)

def gesture_windows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer windows of 24 steps x 3 axes (standardised), four gestures by dominant axis pattern."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=ROWS)
    t = np.linspace(0, 2 * np.pi, 24)
    x = 0.6 * rng.normal(size=(ROWS, 24, 3))
    for c in range(4):
        x[y == c, :, c % 3] += np.sin((1 + c // 3) * t + c)
    return x.astype("float32"), y.astype("int64")


@heldout23("sequential-cosine-warmup-target-written-as-one",
           ("lr-too-high", "divergence", "loss-spikes", "nonfinite", "exploding-gradients", "both-rising",
            "oscillation", "update-ratio", "stuck-at-chance", "stalled", "dead-relu"),
           ("lr-too-high", "divergence", "loss-spikes", "exploding-gradients", "update-ratio"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (peak |maximum |max |target |warm-?up )?(learning[- ]"
           r"rate|lr|step size)|(learning[- ]rate|lr)\w*.{0,40}(too (high|large|big)|(lower|smaller|reduce|"
           r"decrease))|warm-?up.{0,60}(too (high|large)|target|peak|1\.0)|warmup_target",
           "a four-gesture accelerometer classifier (Sequential: Flatten of 24 steps x 3 axes -> Dense(64, relu) "
           "-> Dense(64, relu) -> Dense(4, softmax), sparse_categorical_crossentropy) under Adam with "
           "keras.optimizers.schedules.CosineDecay(0.0, decay_steps, warmup_target=1.0, warmup_steps=decay_steps "
           "// 5), the author reading warmup_target as the share of the base rate to warm up to ('100 percent') "
           "when it is the absolute rate: Adam's rate climbs to 1.0 in the second epoch, the loss jumps from 1.7 "
           "to about 12 (every row confidently one gesture), the ReLU units die and it stays there for the rest of "
           "the run while the cosine brings the rate down (question class: Keras loss jumps and never recovers "
           "after learning rate warm-up, warmup schedule); fix: warmup_target=3e-3 (an absolute peak rate Adam "
           "tolerates)")
def _(fixed):
    x, y = gesture_windows(seed=2305)
    steps = 10 * ((len(y) - 120) // 32 + 1)
    lr = keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=3e-3 if fixed else 1.0,
                                                warmup_steps=steps // 5)
    model = keras.Sequential([keras.Input((24, 3)), layers.Flatten(), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(4, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- saturation

def soil_moisture(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised sensor readings; wet / dry (0/1) from a smooth nonlinear rule."""
    rng, x = gauss(seed, 20)
    s = np.tanh(x @ rng.normal(size=20) / np.sqrt(20)) + 0.5 * np.sin(x[:, 0] + x[:, 1])
    return x, (s > np.median(s)).astype("float32").reshape(-1, 1)


@heldout23("sequential-tanh-stack-variance-scaling-times-fan-in",
           ("saturated-activation", "vanishing-gradients", "poor-initialization", "stalled", "no-learning",
            "overfitting", "high-initial-loss", "stuck-at-chance", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("saturated-activation", "vanishing-gradients", "poor-initialization"),
           r"initiali[sz]\w*.{0,80}(scale|smaller|glorot|xavier|lecun|variance|std|standard deviation)|"
           r"(glorot|xavier|lecun)|(smaller|reduce|lower|shrink)\w*( the)? (initial )?(weights?|init)\b(?! decay)|"
           r"saturat\w*.{0,60}(init|weights?|scale)|VarianceScaling",
           "a wet/dry soil classifier built as a Sequential stack of six Dense(64, activation='tanh') layers "
           "and a sigmoid unit, every hidden layer given kernel_initializer=VarianceScaling(scale=2 * 64, "
           "mode='fan_in'), the author reading scale as the fan-in multiplier of He's 2 / fan_in rule: the "
           "weights get a standard deviation of about 1.4 instead of 0.18, each layer's pre-activations are of "
           "order 10, the tanh units sit at +-1, their derivatives are near zero and binary cross-entropy under "
           "Adam barely moves the validation loss while the saturated net memorises noise (question class: Keras "
           "tanh network does not learn, bad weight initialisation, saturated activations); fix: "
           "VarianceScaling(scale=1.0, mode='fan_in') (LeCun) or glorot_uniform")
def _(fixed):
    x, y = soil_moisture(seed=2306)
    init = keras.initializers.VarianceScaling(scale=1.0 if fixed else 2.0 * 64, mode="fan_in", seed=23)
    model = keras.Sequential([keras.Input((20,)),
                              *[layers.Dense(64, activation="tanh", kernel_initializer=init) for _ in range(6)],
                              layers.Dense(1, activation="sigmoid")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- missing activation

def ring_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised coordinates; inside / outside a sphere in the first three (a nonlinear boundary)."""
    rng, x = gauss(seed, 6)
    r = np.sqrt((x[:, :3] ** 2).sum(1))
    return x, (r > np.median(r)).astype("float32").reshape(-1, 1)


def dense_block(units: int, act=None, name: str | None = None) -> layers.Dense:
    """The author's helper: a Dense layer with He init and the given activation (None when not given)."""
    return layers.Dense(units, activation=act, kernel_initializer="he_normal", name=name)


@heldout23("functional-block-helper-activation-defaults-none",
           ("stalled", "stuck-at-chance", "cannot-overfit-batch", "no-learning", "loss-metric-mismatch",
            "label-problem"),
           ("stalled", "stuck-at-chance", "cannot-overfit-batch"),
           r"(no|missing|without|add)\w*( a)? (non-?linear|activation)|activations?.{0,40}(missing|none|linear|"
           r"not set|never)|(linear|affine) (model|map|function|stack|layers)|collaps\w*.{0,30}(linear|single)|"
           r"non-?linearit",
           "a functional-API classifier of points inside or outside a sphere (six standardised coordinates; the "
           "boundary is a sphere in the first three) built with the author's helper dense_block(units, act=None) "
           "for three hidden layers of 64, called dense_block(64) without act, so every hidden layer is linear "
           "and the whole stack is one affine map before the sigmoid: logistic regression on a spherical "
           "boundary, binary cross-entropy stays near ln 2 and accuracy near one half (question class: Keras "
           "neural network no better than logistic regression, hidden layers without activation); fix: "
           "dense_block(64, act='relu') for the hidden layers")
def _(fixed):
    x, y = ring_points(seed=2307)
    inp = keras.Input((6,), name="coords")
    h = inp
    for i in range(3):
        h = (dense_block(64, "relu", name=f"hidden{i}") if fixed else dense_block(64, name=f"hidden{i}"))(h)
    out = layers.Dense(1, activation="sigmoid")(h)
    return trained(keras.Model(inp, out), x, y, optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- optimiser misuse

def crop_bands(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised spectral bands; six crop types from a linear map plus a band ratio."""
    rng, x = gauss(seed, 12)
    return x, (x @ rng.normal(size=(12, 6)) + 0.5 * np.tanh(x[:, :6] * x[:, 6:])).argmax(1).astype("int64")


@heldout23("subclassed-sgd-momentum-exactly-one",
           ("oscillation", "divergence", "loss-spikes", "nonfinite", "exploding-gradients", "both-rising",
            "lr-too-high", "update-ratio", "stalled", "stuck-at-chance", "nonfinite-origin"),
           ("oscillation", "divergence", "loss-spikes", "exploding-gradients", "update-ratio", "nonfinite"),
           r"momentum\b.{0,60}(lower|reduc|decreas|below|less than|smaller|0\.9|too (high|large)|of (1|one)|"
           r"= ?1\b|never decay|does not decay)|(lower|reduc|decreas)\w*( the)? momentum",
           "a six-class crop classifier from twelve spectral bands, written as a subclassed keras.Model (two "
           "Dense(48, relu) and a softmax head) and compiled with keras.optimizers.SGD(learning_rate=0.01, "
           "momentum=1.0), the author taking 'more momentum is smoother' to its limit: with a momentum of "
           "exactly one the velocity never decays, every past gradient keeps pushing, the weights swing further "
           "each pass and the loss swings up to about twice its starting value instead of settling "
           "(question class: Keras SGD with momentum loss oscillates and explodes, what value of momentum); fix: "
           "momentum=0.9")
def _(fixed):
    x, y = crop_bands(seed=2308)

    class CropNet(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(48, activation="relu"), layers.Dense(48, activation="relu")
            self.head = layers.Dense(6, activation="softmax")

        def call(self, t):
            return self.head(self.b(self.a(t)))

    return trained(CropNet(), x, y, optimizer=keras.optimizers.SGD(learning_rate=0.01,
                                                                    momentum=0.9 if fixed else 1.0),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10)
