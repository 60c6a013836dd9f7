"""An eighteenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why an eighteenth set: like sets 16 and 17 it measures whether traindoc names the repair for the *common* bug
classes (those that fill the published StackOverflow benchmarks of Keras and PyTorch training bugs) on programs
it has never seen, written freshly the way an ordinary user writes them. The programs were written without
reading traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and
frozen (``HELDOUT18.sha256``) before traindoc was ever run on them; see ``HELDOUT18.md``. Run with
``bench/bench_keras_bugs.py --set heldout18``.

The Keras classes: a tanh output under binary cross-entropy, a regression target log-transformed with zeros in
it, Nadam at a rate of 0.5 on a small CNN, Adagrad at 1e-4 on an LSTM, raw sensor signals into a Conv1D,
a denoising autoencoder whose targets stay in pixel units while its inputs are scaled, a convolutional stack
with no activation, and nine sigmoid layers in a subclassed model. The PyTorch half is in ``heldout18_torch``.

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

HELDOUT18: list[Case] = []
N = 512


def heldout18(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the eighteenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT18.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def fitted(model: keras.Model, x, y, *, epochs: int, batch_size: int = 32, **fit) -> dict:
    """The runner's dict for a compiled model (no progress bar)."""
    return {"model": model, "x": x, "y": y, "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, **fit}}


# ---------------------------------------------------------------- data (each case draws its own)

def loan_table(seed: int, d: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Standardised applicant features; default (1) when a noisy linear score is positive."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d)).astype("float32")
    score = x @ rng.normal(size=d) + 0.3 * rng.normal(size=N)
    return x, (score > 0).astype("float32").reshape(-1, 1)


def severity_table(seed: int, d: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Three ordered severity levels (0 mild, 1 moderate, 2 severe) cut from a linear score at its terciles."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d)).astype("float32")
    score = x @ rng.normal(size=d)
    levels = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    return x, levels.astype("float32").reshape(-1, 1)


def glyphs(seed: int, side: int = 10, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Grey images in [0, 255] (N, side, side): a bright 3x3 blob whose position (left, centre, right) is the class."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 50, size=(N, side, side)).astype("float32")
    y = rng.integers(0, k, size=N)
    cols = np.linspace(1, side - 4, k).astype(int)
    rows = rng.integers(1, side - 3, size=N)
    for i in range(N):
        x[i, rows[i]:rows[i] + 3, cols[y[i]]:cols[y[i]] + 3] += 190
    return x, y.astype("int64")


def bars(seed: int, side: int = 14) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, side, side, 1) with one bright bar of four pixels, horizontal (0) or vertical (1), inside the frame.

    Both classes have the same total brightness, so only the bar's shape tells them apart; the bars lie at least
    four pixels inside the border, where two stacked 3x3 'valid' convolutions weigh every pixel alike.
    """
    rng = np.random.default_rng(seed)
    x = 0.1 * rng.normal(size=(N, side, side)).astype("float32")
    y = rng.integers(0, 2, size=N)
    for i in range(N):
        r, c = rng.integers(4, side - 7, size=2)
        if y[i]:
            x[i, r:r + 4, c] += 1.0
        else:
            x[i, r, c:c + 4] += 1.0
    return x[..., None], y.astype("float32").reshape(-1, 1)


# ---------------------------------------------------------------- output activation / loss


@heldout18("functional-tanh-output-under-binary-ce",
           ("wrong-output-activation", "stalled", "no-learning", "stuck-at-chance", "high-initial-loss",
            "loss-metric-mismatch", "cannot-overfit-batch"),
           ("wrong-output-activation", "stalled", "no-learning", "stuck-at-chance", "high-initial-loss",
            "cannot-overfit-batch"),
           r"sigmoid (on|for|at|in) the (output|last|final)|(output|last|final) (layer|unit|activation)\w*.{0,40}"
           r"sigmoid|activation=.?sigmoid|\btanh\b.{0,60}(output|last layer|final layer|probabilit|cross[- ]?entropy|"
           r"negative)|(output|last|final) (layer|unit|activation)\w*.{0,40}\btanh\b",
           "a functional-API loan-default classifier (keras.Input of 10 standardised features -> Dense(24, relu) -> "
           "Dense(1, activation='tanh')) compiled with loss='binary_crossentropy' on 0/1 labels, the tanh chosen "
           "because 'it is centred on zero and trains faster': binary cross-entropy reads the output as a "
           "probability and clips it to [1e-7, 1 - 1e-7], so every row whose tanh output is negative sits at the "
           "clip with no gradient and a loss of ~16 for the positives among them; the loss starts at 4.0 and is "
           "still 1.9 after ten epochs (validation 2.35), against 0.41 with a sigmoid (question class: Keras binary classification with tanh output, loss very high and not "
           "decreasing); fix: activation='sigmoid' on the output unit")
def _(fixed):
    x, y = loan_table(seed=1801)
    inp = keras.Input((10,))
    h = layers.Dense(24, activation="relu")(inp)
    out = layers.Dense(1, activation="sigmoid" if fixed else "tanh")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return fitted(model, x[:400], y[:400], epochs=10, validation_data=(x[400:], y[400:]))


def daily_sales(seed: int, d: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Standardised shop-day features and the units sold (a count from a log-linear rate; ~6% of days sell 0)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d)).astype("float32")
    rate = np.exp(1.6 + 0.8 * (x @ rng.normal(size=d)) / np.sqrt(d))
    return x, rng.poisson(rate).astype("float32").reshape(-1, 1)


@heldout18("sequential-log-target-with-zero-sales-days",
           ("nonfinite", "nonfinite-origin", "label-problem", "divergence", "loss-spikes"),
           ("nonfinite", "nonfinite-origin", "label-problem"),
           r"log1p|log\(1 ?\+ ?(y|target|sales|count)|(target|label|\by\b)s?.{0,60}(-inf\b|minus infinity|"
           r"negative infinity|log\(0\)|log of (0|zero))|(log\(0\)|log of (0|zero)|-inf\b).{0,60}(target|label|"
           r"sales|counts?)\b|(zero|0) (targets?|labels?|sales|counts?|values)\b.{0,40}\blog|\blog[- ]?transform\w*"
           r".{0,60}(zero|0\b)",
           "a Sequential demand model (six standardised shop-day features -> Dense(32, relu) -> Dense(16, relu) -> "
           "Dense(1)) trained with loss='mse' on y = np.log(units_sold), the log taken 'because sales are skewed': "
           "about one day in sixteen sold nothing, np.log(0) is -inf (numpy only warns), and the first batch that "
           "holds such a day gives an infinite error whose gradient turns every weight into NaN; the loss is NaN "
           "from the first epoch to the last (question class: Keras regression loss becomes nan / inf after "
           "log-transforming the target); fix: np.log1p(units_sold) (log(1 + y), and expm1 on the predictions)")
def _(fixed):
    x, units = daily_sales(seed=1802)
    with np.errstate(divide="ignore"):
        y = (np.log1p(units) if fixed else np.log(units)).astype("float32")
    model = keras.Sequential([keras.Input((6,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return fitted(model, x, y, epochs=10)


# ---------------------------------------------------------------- learning rate

LR_DOWN = (r"(lower|reduce|decrease|smaller|cut|drop)\w*( \w+)?( the)? (learning rate|\blr\b)|(learning rate|\blr\b)"
           r" (is |was )?(far |much )?too (high|large|big)(?! or too (low|small))")
LR_UP = (r"(rais|increas|larger|higher|bigger)\w*( \w+)?( the)? (learning rate|\blr\b)|(learning rate|\blr\b)"
         r" (is |was )?(far |much )?too (low|small)(?! or too (high|large))")


@heldout18("sequential-conv2d-nadam-rate-half",
           ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes", "update-ratio", "exploding-gradients",
            "dead-relu", "nonfinite", "stalled", "high-initial-loss"),
           ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes", "update-ratio", "exploding-gradients",
            "dead-relu", "nonfinite", "stalled"),
           LR_DOWN,
           "a Sequential glyph classifier (10x10 grey images scaled to [0, 1], Conv2D(8, 3, relu) -> "
           "MaxPooling2D -> Flatten -> Dense(3, softmax)) compiled with keras.optimizers.Nadam(learning_rate=0.5) "
           "and keras.losses.SparseCategoricalCrossentropy(), the 0.5 taken from an SGD example: Nadam scales "
           "every step to about the learning rate, so each weight jumps by ~0.5 per step, the first batches throw "
           "the network into a state it never leaves: from the second epoch on the loss is 5.5 (far above ln 3) "
           "on every epoch, one class is never predicted and its rows cost the clipped maximum, accuracy frozen "
           "at 0.66 (question class: Keras CNN loss and accuracy frozen after the first epoch, which learning "
           "rate); fix: Nadam(learning_rate=1e-3)")
def _(fixed):
    x, y = glyphs(seed=1803)
    model = keras.Sequential([keras.Input((10, 10, 1)), layers.Conv2D(8, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Nadam(learning_rate=1e-3 if fixed else 0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return fitted(model, (x / 255.0)[..., None], y, epochs=8)


def paired_drifts(seed: int, steps: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Three noisy channels per step; label 1 when the first two channels drift the same way over the window."""
    rng = np.random.default_rng(seed)
    a, b = rng.choice([-1.0, 1.0], size=N), rng.choice([-1.0, 1.0], size=N)
    t = np.linspace(-1, 1, steps)
    x = rng.normal(size=(N, steps, 3)).astype("float32") * 0.5
    x[:, :, 0] += a[:, None] * t
    x[:, :, 1] += b[:, None] * t
    return x.astype("float32"), (a == b).astype("float32").reshape(-1, 1)


@heldout18("lstm-adagrad-rate-1e-4",
           ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "cannot-overfit-batch"),
           ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "cannot-overfit-batch"),
           LR_UP,
           "a Sequential LSTM(16) -> Dense(1, sigmoid) that says whether two sensors drift the same way over a "
           "window (12 steps, three noisy channels), compiled with keras.optimizers.Adagrad(learning_rate=1e-4) 'because "
           "Adagrad adapts the rate anyway' and loss='binary_crossentropy': Adagrad divides by the root of its "
           "accumulator (which starts at 0.1), so every step is a small fraction of 1e-4 and after ten epochs the "
           "loss has not left ln 2 and accuracy stays near one half (question class: Keras LSTM loss stays at "
           "0.693 and accuracy does not change); fix: Adagrad(learning_rate=0.05)")
def _(fixed):
    x, y = paired_drifts(seed=1804)
    model = keras.Sequential([keras.Input((12, 3)), layers.LSTM(16), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adagrad(learning_rate=0.05 if fixed else 1e-4),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return fitted(model, x, y, epochs=10)


# ---------------------------------------------------------------- scale of inputs and targets

def vibration(seed: int, steps: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer traces in raw ADC counts (baseline ~2048, noise ~40); label 1 when a short burst is present."""
    rng = np.random.default_rng(seed)
    x = 2048 + 40 * rng.normal(size=(N, steps, 1))
    y = rng.integers(0, 2, size=N)
    for i in np.flatnonzero(y):
        s = rng.integers(0, steps - 6)
        x[i, s:s + 6, 0] += 400 * np.sin(np.linspace(0, 3 * np.pi, 6))
    return x.astype("float32"), y.astype("float32").reshape(-1, 1)


@heldout18("conv1d-vibration-traces-in-adc-counts",
           ("unnormalized-input", "stuck-at-chance", "divergence", "nonfinite", "stalled", "high-initial-loss",
            "dead-relu", "exploding-gradients", "loss-spikes", "saturated-activation"),
           ("unnormalized-input", "stuck-at-chance", "stalled", "high-initial-loss", "divergence", "nonfinite",
            "dead-relu", "exploding-gradients", "saturated-activation"),
           r"(normali[sz]|standardi[sz]|rescal|scal)\w* (the |your |each |every )?(inputs?|features?|signals?|"
           r"channels?|traces?|data)\b|z-?scor|StandardScaler|Normalization\(|\.adapt\(|subtract\w* (the )?mean|"
           r"(mean|centred on|centered on) (of )?(0|zero).{0,30}(unit|std|variance|spread)|inputs? (are |is )?"
           r"(far )?(from|not) (zero[- ]mean|centred|centered|normali[sz]ed|standardi[sz]ed|scaled)",
           "a Sequential fault detector for accelerometer traces (32 samples, one channel) read straight from the "
           "logger in raw ADC counts (baseline ~2048, noise ~40, a fault burst of +-400): Conv1D(8, 5, relu) -> "
           "GlobalMaxPooling1D -> Dense(1, sigmoid), trained with keras.optimizers.SGD(learning_rate=0.01, "
           "momentum=0.9) and loss='binary_crossentropy'; the convolution's sums are in the thousands, the first "
           "updates are huge and leave the sigmoid output saturated for every trace: the loss is 8.16 (the clipped "
           "cross-entropy of a constant answer) in every epoch and accuracy 0.49 (question class: 1D CNN on raw sensor data not learning, "
           "accuracy 50%, do I have to normalise the signal?); fix: standardise the traces (subtract the training "
           "mean, divide by the training std)")
def _(fixed):
    x, y = vibration(seed=1805)
    if fixed:
        x = (x - x.mean()) / x.std()
    model = keras.Sequential([keras.Input((32, 1)), layers.Conv1D(8, 5, activation="relu"),
                              layers.GlobalMaxPooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return fitted(model, x, y, epochs=8)


@heldout18("functional-denoiser-targets-left-in-pixel-units",
           ("wrong-output-activation", "stalled", "no-learning", "high-initial-loss", "loss-metric-mismatch",
            "label-problem", "cannot-overfit-batch"),
           ("wrong-output-activation", "stalled", "no-learning", "high-initial-loss", "label-problem",
            "cannot-overfit-batch"),
           r"(scale|divide|rescale|normali[sz]e|standardi[sz]e)\w* (the |your )?(targets?|labels?|y\b|clean "
           r"images?)|(targets?|labels?|clean images?)\b.{0,40}(/ ?255|by 255|(to|into) \[0, ?1\]|(above|larger "
           r"than|greater than|exceed\w*) (1|one)\b)|(target|label)s? (range|scale) (does not|doesn't|cannot) "
           r"match|sigmoid.{0,60}(cannot|can't|never|unable to) (reach|exceed|output|produce|go above)",
           "a functional-API denoising autoencoder for 8x8 grey images (64 pixels -> Dense(32, relu) -> "
           "Dense(16, relu) -> Dense(32, relu) -> Dense(64, activation='sigmoid'), loss='mse'), whose script "
           "divides the noisy inputs by 255 but passes the clean images as the targets unchanged, in pixel "
           "units 0-255: the sigmoid output cannot pass 1, so every pixel's error stays near its raw value, the "
           "outputs saturate at 1 and the loss sits in the thousands from the first epoch to the last (question "
           "class: Keras autoencoder loss huge and not decreasing, output layer sigmoid); fix: divide the targets "
           "by 255 as well (y = clean / 255)")
def _(fixed):
    rng = np.random.default_rng(1806)
    clean = np.zeros((N, 8, 8), dtype="float32")
    k = rng.integers(0, 4, size=N)
    for i in range(N):  # one of four bright strokes on a dark background
        r = 1 + 2 * (k[i] % 2)
        if k[i] < 2:
            clean[i, r:r + 2, 1:7] = 230
        else:
            clean[i, 1:7, r:r + 2] = 230
    clean = (clean + rng.uniform(0, 20, size=clean.shape)).reshape(N, 64).astype("float32")
    noisy = np.clip(clean + rng.normal(0, 40, size=clean.shape), 0, 255).astype("float32")
    inp = keras.Input((64,))
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(16, activation="relu")(h)
    h = layers.Dense(32, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(64, activation="sigmoid")(h))
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return fitted(model, noisy / 255.0, clean / 255.0 if fixed else clean, epochs=10)


# ---------------------------------------------------------------- activations and depth


@heldout18("functional-conv-stack-without-activations",
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
           r"(no|without|missing|lacks?|lacking)( an?| any)? (non-?linear\w*|activations?)\b.{0,60}"
           r"(conv\w*|hidden)|(conv\w*|hidden)( \w+)? layers?.{0,60}(no|without|missing|lack\w*|linear) "
           r"(activation|non-?linearit)|activation=.?relu.{0,60}(conv|Conv[12]D)|Conv[12]D\([^)]{0,40}"
           r"activation=.?relu|(collapse|reduce)\w* (in)?to (a |one )?(single )?linear|(stack|composition|"
           r"product) of linear (layers|maps|operations|filters)|(purely|entirely|effectively|only) linear",
           "a functional-API shape detector for 14x14 images holding one four-pixel bar, horizontal or vertical, "
           "written as keras.Input((14, 14, 1)) -> Conv2D(8, 3) -> Conv2D(8, 3) -> GlobalAveragePooling2D -> "
           "Dense(1, sigmoid) with loss='binary_crossentropy': the Conv2D layers were given no activation "
           "(Keras' default is linear), so the whole stack is one linear filter followed by an average, which "
           "gives both bar orientations (same number of bright pixels) the same score; the loss stays at ln 2 and "
           "accuracy at one half (question class: Keras CNN cannot learn a simple pattern, accuracy stuck at "
           "50%); fix: activation='relu' on both Conv2D layers")
def _(fixed):
    x, y = bars(seed=1807)
    act = "relu" if fixed else None
    inp = keras.Input((14, 14, 1))
    h = layers.Conv2D(8, 3, activation=act)(inp)
    h = layers.Conv2D(8, 3, activation=act)(h)
    h = layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
    return fitted(model, x, y, epochs=10)


class SigmoidTower(keras.Model):
    """A subclassed classifier: nine hidden Dense layers in a Python list, then a softmax head."""

    def __init__(self, activation: str, initializer: str, k: int = 4):
        super().__init__()
        self.stack = [layers.Dense(24, activation=activation, kernel_initializer=initializer) for _ in range(9)]
        self.head = layers.Dense(k, activation="softmax")

    def call(self, x):
        for layer in self.stack:
            x = layer(x)
        return self.head(x)


@heldout18("subclassed-nine-sigmoid-dense-layers",
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "stalled", "no-learning",
            "poor-initialization", "cannot-overfit-batch"),
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "stalled", "no-learning",
            "poor-initialization"),
           r"relu (instead of|rather than|over|in place of) (the )?sigmoid|(replace|swap|switch|change)\w* (the )?"
           r"sigmoid\w*.{0,40}(relu|non-?saturating)|he_normal|\bhe (initiali[sz]ation|init|normal|uniform)|kaiming",
           "a subclassed keras.Model whose __init__ builds self.stack = [Dense(24, activation='sigmoid') for _ in "
           "range(9)] and a Dense(4, softmax) head, called in a for loop in call(), trained with "
           "keras.optimizers.SGD(learning_rate=0.05) and loss='sparse_categorical_crossentropy' on 12 standardised "
           "features and four classes: each sigmoid passes back at most a quarter of the gradient, so after nine of "
           "them the first layers learn nothing, the head sees almost the same features for every row and the "
           "loss stays at ln 4 with accuracy near one quarter (question class: deep Keras network with sigmoid "
           "layers stuck at 25% accuracy, vanishing gradient); fix: activation='relu' with "
           "kernel_initializer='he_normal' in the hidden layers")
def _(fixed):
    rng = np.random.default_rng(1808)
    x = rng.normal(size=(N, 12)).astype("float32")
    y = (x @ rng.normal(size=(12, 4))).argmax(1).astype("int64")
    model = SigmoidTower("relu", "he_normal") if fixed else SigmoidTower("sigmoid", "glorot_uniform")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return fitted(model, x, y, epochs=10)
