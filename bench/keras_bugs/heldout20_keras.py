"""A twentieth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twentieth set: like sets 16 to 19 it measures whether traindoc names the repair for the COMMON bug classes
of published Keras/PyTorch StackOverflow bug benchmarks (an output activation that does not fit the loss, a loss
that does not fit the labels, a learning rate far off, badly scaled inputs or targets, a missing activation,
vanishing gradients, optimiser misuse), on programs nobody tuned for. They were written without reading
traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT20.sha256``) before traindoc was ever run on them; see ``HELDOUT20.md``. Run with
``bench/bench_keras_bugs.py --set heldout20``.

Every program is written afresh, in the way an ordinary user writes it, and differs from the programs of the
earlier sets in its data, its model, its API path and the way the bug is written: a subclassed multi-label
tagger with a softmax head under binary cross-entropy, a binary focal loss on four ordinal class ids, a
two-input functional model under Lion at an SGD-sized rate, RMSprop at a rate of a millionth on a three-target
Huber regression, power-spectrum features in raw power units, a distance target converted from kilometres to
metres under plain SGD, LeakyReLU layers whose negative slope is 1 (the identity), and a deep Conv2D stack with
sigmoid activations. The PyTorch half is in ``heldout20_torch``.

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

from .keras_cases import Case

HELDOUT20: list[Case] = []
ROWS = 600


def heldout20(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twentieth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT20.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def trained(model: keras.Model, x, y, *, optimizer, loss, metrics=(), epochs: int = 10, batch_size: int = 32,
            held_out: int = 120) -> dict:
    """Compile ``model``; the last ``held_out`` rows are passed as ``validation_data``, as a user splits by hand."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    cut = len(y) - held_out if not isinstance(x, (list, tuple)) else len(x[0]) - held_out
    if isinstance(x, (list, tuple)):
        train_x, val_x = [a[:cut] for a in x], [a[cut:] for a in x]
    else:
        train_x, val_x = x[:cut], x[cut:]
    return {"model": model, "x": train_x, "y": y[:cut],
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, "validation_data": (val_x, y[cut:])}}


def standard(seed: int, d: int, n: int = ROWS) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- output activation / loss against the labels

def product_tags(seed: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised product features; five tags, each a half-space, so most rows carry two or three."""
    rng, x = standard(seed, 12)
    w = rng.normal(size=(12, k))
    return x, (x @ w > -0.3).astype("float32")


class Tagger(keras.Model):
    """Two hidden ReLU layers and one score per tag, the head's activation given by the caller."""

    def __init__(self, tags: int, head_activation: str):
        super().__init__()
        self.h1 = layers.Dense(48, activation="relu")
        self.h2 = layers.Dense(48, activation="relu")
        self.head = layers.Dense(tags, activation=head_activation)

    def call(self, x):
        return self.head(self.h2(self.h1(x)))


@heldout20("subclassed-tagger-softmax-over-multi-hot",
           ("wrong-output-activation", "stalled", "loss-metric-mismatch", "cannot-overfit-batch", "no-learning",
            "label-problem"),
           ("wrong-output-activation", "stalled", "cannot-overfit-batch", "label-problem"),
           r"sigmoid (output|activation|head|units?|per (tag|label|class|output))|(output|last|final|head)\w*"
           r"( layer| unit| units| activation)?.{0,30}\bsigmoid|activation=.?sigmoid|independent (sigmoid|"
           r"probabilit)|multi[- ]?label.{0,60}(sigmoid|softmax)|softmax.{0,60}(multi[- ]?label|multi[- ]?hot|"
           r"several (tags|labels)|sum to (one|1))|(sum|add up) to (one|1).{0,60}(tags|labels|multi)",
           "a subclassed keras.Model that tags products with five independent tags (a multi-hot target: most rows "
           "carry two or three tags) from twelve standardised features, whose head was written "
           "Dense(5, activation='softmax') as in the author's single-label classifier, compiled with "
           "keras.losses.BinaryCrossentropy() and BinaryAccuracy: the softmax makes the five scores add up to one, "
           "so a row with three tags can give each at most about a third and the tags it lacks cannot all go to "
           "zero at the same time; the loss stops near 0.66 and binary accuracy near 0.54 where per-tag "
           "sigmoids reach ~0.07 and 0.99 (question class: Keras multi-label classification, loss stuck and accuracy "
           "not "
           "improving, softmax or sigmoid for several labels); fix: Dense(5, activation='sigmoid'), one "
           "independent probability per tag")
def _(fixed):
    x, y = product_tags(seed=2001)
    return trained(Tagger(5, "sigmoid" if fixed else "softmax"), x, y, optimizer=keras.optimizers.Adam(3e-3),
                   loss=keras.losses.BinaryCrossentropy(), metrics=[keras.metrics.BinaryAccuracy()], epochs=12)


def wine_quality(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised lab measurements; four quality grades 0-3 cut from a latent score at its quartiles."""
    rng, x = standard(seed, 9)
    score = x @ rng.normal(size=9) + 0.8 * np.sin(2 * x[:, 0])
    grade = np.searchsorted(np.quantile(score, [0.25, 0.5, 0.75]), score)
    return x, grade.astype("float32").reshape(-1, 1)


@heldout20("functional-smoothed-logit-bce-on-four-grades",
           ("label-problem", "loss-metric-mismatch", "stuck-at-chance", "divergence", "cannot-overfit-batch",
            "metric-out-of-range", "stalled"),
           ("label-problem", "loss-metric-mismatch", "stuck-at-chance", "cannot-overfit-batch"),
           r"sparse[_ ]?categorical|(softmax|four|4|one unit per class|k) (output|unit|logit)s?\b.{0,40}"
           r"(class|grade|categor)|(binary|bce)\w*( cross[- ]?entropy| loss)?.{0,40}(more than two|"
           r"multi[- ]?class|four|4|three|3|several) (classes|labels|grades|categories)|(labels?|targets?|class "
           r"ids?)( are| is)?.{0,20}(above|greater than|larger than|outside|beyond) (1\b|one\b|\[0, ?1\])",
           "a functional-API wine grader (keras.Input of nine standardised measurements -> Dense(32, relu) -> "
           "Dense(16, relu) -> Dense(1), a logit) for four quality grades coded 0, 1, 2, 3, compiled with "
           "keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), the compile line kept from "
           "the author's pass/fail notebook: the with-logits binary loss takes each grade as the target "
           "probability of the one unit without checking it, grades 2 and 3 reward an ever larger logit without "
           "limit, so the loss falls below zero within the first epochs and keeps falling, while one unit can "
           "say nothing about four grades and the accuracy stays near a quarter (question class: Keras binary "
           "cross-entropy gives a negative loss, multi-class labels with a binary loss); fix: Dense(4, "
           "activation='softmax') with loss='sparse_categorical_crossentropy'")
def _(fixed):
    x, y = wine_quality(seed=2002)
    inp = keras.Input((9,), name="measurements")
    h = layers.Dense(16, activation="relu")(layers.Dense(32, activation="relu")(inp))
    out = layers.Dense(4, activation="softmax")(h) if fixed else layers.Dense(1)(h)
    model = keras.Model(inp, out)
    if fixed:
        return trained(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"], epochs=12)
    return trained(model, x, y, optimizer="adam",
                   loss=keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- learning rate

def listings(seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Six standardised numeric columns and a district id (0-9); the label mixes both (booked within a week)."""
    rng, num = standard(seed, 6)
    district = rng.integers(0, 10, size=ROWS)
    effect = rng.normal(size=10) * 1.2
    logit = num @ rng.normal(size=6) * 0.9 + effect[district]
    return [num, district.astype("int32").reshape(-1, 1)], (logit > 0).astype("float32").reshape(-1, 1)


def two_input_model() -> keras.Model:
    num = keras.Input((6,), name="numeric")
    district = keras.Input((1,), dtype="int32", name="district")
    emb = layers.Flatten()(layers.Embedding(10, 4)(district))
    h = layers.Dense(32, activation="relu")(layers.Concatenate()([num, emb]))
    h = layers.Dense(16, activation="relu")(h)
    return keras.Model([num, district], layers.Dense(1, activation="sigmoid")(h))


@heldout20("functional-two-input-lion-at-sgd-rate",
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
            "stuck-at-chance", "stalled", "high-initial-loss", "saturated-activation"),
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
           r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)|(high|large) (learning "
           r"rate|lr)\b|lion.{0,60}(1e-[34]|0\.001|0\.0001|3e-4|smaller|lower)|learning_rate\s*=\s*(1e-[3-5]|0\.00)",
           "a functional-API model with two inputs (six standardised listing columns and a district id through "
           "Embedding(10, 4), concatenated, two ReLU layers, one sigmoid) that predicts whether a rental listing "
           "is booked within a week, compiled with keras.optimizers.Lion(learning_rate=0.1), the optimiser "
           "swapped in from a blog post while the rate of the author's SGD run stayed: Lion moves every weight "
           "by the full learning rate in the sign of its update on every step, so each step shifts every "
           "kernel entry by 0.1; after a first epoch that learns (loss 0.33), the weights are thrown about, "
           "the sigmoid saturates and the loss climbs to ~2.7, far above ln 2, while accuracy falls from 0.85 to "
           "0.64 (question class: Keras loss goes up and accuracy drops after switching optimiser, what learning "
           "rate for Lion); fix: Lion(learning_rate=1e-3), a hundred times smaller")
def _(fixed):
    x, y = listings(seed=2003)
    rate = 1e-3 if fixed else 0.1
    return trained(two_input_model(), x, y, optimizer=keras.optimizers.Lion(learning_rate=rate),
                   loss="binary_crossentropy", metrics=["accuracy"], epochs=10)


def bearings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised vibration summaries; three standardised wear targets, smooth in them."""
    rng, x = standard(seed, 14)
    w = rng.normal(size=(14, 3)) / np.sqrt(14)
    y = np.tanh(x @ w * 1.5) * 1.4 + 0.3 * x[:, :3] * x[:, 3:6]
    y = (y - y.mean(0)) / y.std(0)
    return x, y.astype("float32")


@heldout20("functional-huber-three-targets-rmsprop-1e-6",
           ("no-learning", "stalled", "update-ratio", "lr-decay-too-fast", "loss-metric-mismatch"),
           ("no-learning", "stalled", "update-ratio"),
           r"(raise|increase|larger|higher|bigger)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
           r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (low|small|tiny)|(low|small|tiny) "
           r"(learning rate|lr)\b|learning_rate\s*=\s*(1e-[23]|0\.0?0?1\b)",
           "a functional-API regressor of three bearing-wear indicators (fourteen standardised vibration "
           "summaries -> Dense(64, relu) -> Dense(64, relu) -> Dense(3)), compiled with loss='huber' and "
           "keras.optimizers.RMSprop(learning_rate=1e-6), the author having typed 1e-6 for 1e-3 when copying the "
           "rate from a paper's table: RMSprop moves every weight by about the learning rate per step, so after "
           "twelve epochs the weights have moved by a few ten-thousandths, the loss is where it began (0.61 "
           "to 0.606) and the mean absolute error does not move, while the same net at 1e-3 reaches 0.05 (question "
           "class: Keras regression loss does not change at all between epochs); fix: "
           "RMSprop(learning_rate=1e-3)")
def _(fixed):
    x, y = bearings(seed=2004)
    inp = keras.Input((14,))
    h = layers.Dense(64, activation="relu")(inp)
    h = layers.Dense(64, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(3)(h))
    rate = 1e-3 if fixed else 1e-6
    return trained(model, x, y, optimizer=keras.optimizers.RMSprop(learning_rate=rate), loss="huber",
                   metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- scaling of inputs and targets

def spectra(seed: int, bins: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Power spectra in raw power units: a mains hum near 1e5 in the two lowest bins, the tone's three bins
    about ten times the floor (~0.1 to 10), each recording's level varying by two decades; the label is the band."""
    rng = np.random.default_rng(seed)
    band = rng.integers(0, 3, size=ROWS)
    log_power = rng.uniform(-1, 1, size=(ROWS, 1)) + rng.normal(0, 0.3, size=(ROWS, bins))
    log_power[:, :2] += 5.0
    for c in range(3):
        log_power[band == c, 2 + 4 * c:5 + 4 * c] += 1.0
    return (10.0 ** log_power).astype("float32"), band.astype("int64")


@heldout20("sequential-spectrum-bins-in-raw-power",
           ("unnormalized-input", "high-initial-loss", "stuck-at-chance", "stalled", "loss-spikes",
            "oscillation", "dead-relu", "exploding-gradients"),
           ("unnormalized-input", "high-initial-loss", "stuck-at-chance", "stalled", "loss-spikes"),
           r"(log|decibel|\bdb\b)\w*.{0,40}(power|spectr|input|feature|bins?)|(standardi[sz]|normali[sz]|"
           r"rescal|scal)\w* (the |each |your |all )?(input|feature|bin|spectr|power)|(input|feature)s? (are |is "
           r")?(not |un)(normali[sz]|scal|standardi[sz])|unnormali[sz]ed (input|feature)|StandardScaler|"
           r"Normalization\(\)? layer|(span|range over|cover)\w* (many|several|\d+) (orders|decades)",
           "a Sequential classifier of tones from 16-bin power spectra (Dense(32, relu) -> Dense(32, relu) -> "
           "Dense(3, softmax), optimizer='adam', 'sparse_categorical_crossentropy'), fed the spectra as the "
           "analyser exports them, in raw power units: the two lowest bins hold a mains hum near 1e5, the tone's "
           "bins are near 1 to 10; the first layer's sums follow the hum, the first logits are huge, the first "
           "updates leave the network giving one class to every recording, and the loss sits at ~10 (the "
           "clipped cross-entropy of the rows it gets wrong) from the first epoch to the last with accuracy "
           "0.375, the largest class's share (question class: Keras model on audio spectrum features does not "
           "learn, loss huge and accuracy constant, do I need to take the log / normalise); "
           "fix: log10 of the power, then standardise each bin with the training mean and std")
def _(fixed):
    x, y = spectra(seed=2005)
    if fixed:
        x = np.log10(x)
        x = ((x - x[:480].mean(0)) / x[:480].std(0)).astype("float32")
    model = keras.Sequential([keras.Input((16,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")])
    return trained(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                   epochs=10)


def delivery_routes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised route features; the route length in kilometres (about 3 to 40)."""
    rng, x = standard(seed, 7)
    km = 18 + 6 * (x @ rng.normal(size=7) / np.sqrt(7)) + 2.5 * np.abs(x[:, 0])
    return x, np.clip(km, 3, None).astype("float32").reshape(-1, 1)


@heldout20("sequential-route-length-metres-under-sgd",
           ("nonfinite", "divergence", "exploding-gradients", "nonfinite-origin", "high-initial-loss",
            "lr-too-high", "loss-spikes"),
           ("nonfinite", "divergence", "exploding-gradients", "nonfinite-origin", "high-initial-loss"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|regression "
           r"target|output value)s?|(target|label)s? (are |is )?(in|on) (a )?(large|huge|raw|different|"
           r"original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) (target|label)s?|"
           r"\bmetres\b|\bmeters\b|kilomet|\* ?1000|/ ?1000",
           "a Sequential regressor of delivery-route length (seven standardised route features -> Dense(32, relu) "
           "-> Dense(16, relu) -> Dense(1)) compiled with keras.optimizers.SGD(learning_rate=0.01) and "
           "loss='mse', whose script converts the target from kilometres to metres ('SI units') with y = km * "
           "1000 and trains on that: the targets are around 18,000, the first squared errors around 3e8, and "
           "the gradients are a million times the size the learning rate suits, so the first steps overshoot and "
           "the weights blow up: the first epoch's loss is ~1e27 and it is still ~7e20 after ten epochs (mean "
           "absolute error ~2.6e10 m), where the same net on kilometres ends at 0.84 (question class: Keras "
           "regression loss huge or nan with SGD, should I scale the target); fix: train on the target in kilometres "
           "(or "
           "standardised), not in metres")
def _(fixed):
    x, km = delivery_routes(seed=2006)
    y = km if fixed else km * 1000.0
    model = keras.Sequential([keras.Input((7,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1)])
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse",
                   metrics=["mae"], epochs=10)


# ---------------------------------------------------------------- activations

def box_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised features; label 1 inside the box |x0| < 0.8 and |x1| < 0.8 (no linear boundary)."""
    _, x = standard(seed, 8)
    inside = (np.abs(x[:, 0]) < 0.8) & (np.abs(x[:, 1]) < 0.8)
    return x, inside.astype("float32").reshape(-1, 1)


@heldout20("functional-leaky-relu-slope-one",
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"negative_slope|\balpha\b.{0,30}(1\b|1\.0|one)|slope (of )?(1\b|1\.0|one)|leaky ?relu\((1|alpha=1|"
           r"negative_slope)|(activation|leaky ?relu)s?.{0,40}(identity|linear function)|(network|model|stack) "
           r"(is|becomes|collapses to|reduces to|stays) (a |one )?(single )?linear|linear (in its input|map|"
           r"stack|model)\b|(no|without|missing) (non-?linear\w*|hidden activation)",
           "a functional-API classifier of points inside a box (|x0| < 0.8 and |x1| < 0.8, eight standardised "
           "features) written h = layers.Dense(64)(inp); h = layers.LeakyReLU(1.0)(h), twice, then Dense(1, "
           "sigmoid) under 'binary_crossentropy': the author took the LeakyReLU argument for 'how much to keep' "
           "and passed 1.0, but it is the negative slope, and a leaky ReLU with slope 1 is the identity, so the "
           "network is one linear map and a box needs four boundaries; the loss stays at the label's base-rate "
           "entropy (0.69 to 0.63) and accuracy at the share of outside points, 0.66, where slope 0.1 reaches 0.11 "
           "and 0.97 (question class: Keras network with "
           "LeakyReLU no better than logistic regression, loss flat on a nonlinear problem); fix: "
           "LeakyReLU(negative_slope=0.1) (a slope well below 1) or plain ReLU")
def _(fixed):
    x, y = box_points(seed=2007)
    slope = 0.1 if fixed else 1.0
    inp = keras.Input((8,))
    h = layers.LeakyReLU(slope)(layers.Dense(64)(inp))
    h = layers.LeakyReLU(slope)(layers.Dense(64)(h))
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return trained(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=12)


def stripes(seed: int, side: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """8x8 grey images in [0, 1] holding one bright line: horizontal, vertical or diagonal (the class)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=ROWS)
    x = rng.uniform(0, 0.3, size=(ROWS, side, side))
    for r in range(ROWS):
        p = rng.integers(1, side - 1)
        if y[r] == 0:
            x[r, p, :] += 0.7
        elif y[r] == 1:
            x[r, :, p] += 0.7
        else:
            idx = np.arange(side)
            x[r, idx, (idx + p) % side] += 0.7
    return x.reshape(ROWS, side, side, 1).astype("float32"), y.astype("int64")


@heldout20("functional-ten-sigmoid-conv2d-layers",
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning", "stalled",
            "poor-initialization", "cannot-overfit-batch"),
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning", "poor-initialization"),
           r"(replace|swap|instead of|rather than|drop|remove)\w*( the)?.{0,30}sigmoid|sigmoids?.{0,40}(with|by|to|"
           r"for) (relu|leaky)|relu\w* (instead of|rather than|over|in place of) (the )?sigmoid|he_normal|kaiming|"
           r"he[_ ](normal|uniform)",
           "a functional-API image classifier of 8x8 line images (horizontal, vertical or diagonal line, pixels "
           "in [0, 1]) built in a loop, for _ in range(10): h = layers.Conv2D(8, 3, padding='same', "
           "activation='sigmoid')(h), then GlobalAveragePooling2D and Dense(3, softmax), trained with "
           "keras.optimizers.Adam(learning_rate=1e-3) and 'sparse_categorical_crossentropy', the "
           "sigmoid taken from an old textbook network: every sigmoid passes back at most a quarter of the "
           "gradient, so after ten of them the first convolutions learn nothing, the pooled features are almost "
           "the same for every image and the loss stays at ln 3 (1.15 to 1.098) with accuracy near one third "
           "(0.35), where ReLU convolutions reach 3e-4 and 1.0 (question class: deep "
           "Keras CNN with sigmoid activations does not learn, accuracy stuck at chance); fix: "
           "activation='relu' with kernel_initializer='he_normal' in the convolutions")
def _(fixed):
    x, y = stripes(seed=2008)
    inp = keras.Input((8, 8, 1))
    h = inp
    for _ in range(10):
        if fixed:
            h = layers.Conv2D(8, 3, padding="same", activation="relu", kernel_initializer="he_normal")(h)
        else:
            h = layers.Conv2D(8, 3, padding="same", activation="sigmoid")(h)
    out = layers.Dense(3, activation="softmax")(layers.GlobalAveragePooling2D()(h))
    return trained(keras.Model(inp, out), x, y, optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10)
