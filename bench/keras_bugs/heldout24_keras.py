"""A twenty-fourth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twenty-fourth set: like sets 16 to 23 it measures whether traindoc names the repair for the COMMON bug
classes of published Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for, this time leaning
on the classes the recent sets hold fewest of (a loss that does not fit the label format, gradients never cleared,
a target in the wrong units, saturation, a wrong loss reduction, a layer left in inference mode, detaching,
a missing activation). They were written without reading traindoc's rules, checks, probes, findings or
integrations, without reading any bench output, and frozen (``HELDOUT24.sha256``) before traindoc was ever run
on them; see ``HELDOUT24.md``. Run with ``bench/bench_keras_bugs.py --set heldout24``.

Every program is written afresh, in the way an ordinary user writes it: a categorical focal loss fed sparse
class ids, a custom train_step for the torch backend that never calls self.zero_grad(), a duration target taken
from a timedelta64 array in nanoseconds, tanh layers whose biases start at a large constant, a hand-written
cross-entropy that averages over the class axis too, a subclassed model whose encoder output passes through
ops.stop_gradient, PReLU layers initialised to a slope of one, and a BatchNormalization input scaler marked
trainable=False. The PyTorch half is in ``heldout24_torch``.

Same format as ``heldout20_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The
``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .keras_cases import Case

HELDOUT24: list[Case] = []
ROWS = 640


def heldout24(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-fourth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT24.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def compiled(model: keras.Model, x, y, *, optimizer, loss, metrics=(), epochs: int = 10, batch_size: int = 32,
             val: int = 128) -> dict:
    """Compile ``model``; the first ``val`` rows are kept aside as ``validation_data``."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return {"model": model, "x": x[val:], "y": y[val:],
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, "validation_data": (x[:val], y[:val])}}


def gaussian(seed: int, d: int, n: int = ROWS) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- loss against the label format

def defect_types(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised weld measurements; four defect types of unequal size (about 40/26/20/14 per cent)."""
    rng, x = gaussian(seed, 10)
    score = x @ rng.normal(size=(10, 4)) + np.array([1.2, 0.5, 0.0, -0.4])
    return x, score.argmax(1).astype("int64")


@heldout24("functional-focal-loss-fed-sparse-class-ids",
           ("loss-metric-mismatch", "stuck-at-chance", "stalled", "label-problem", "no-learning",
            "misleading-accuracy", "cannot-overfit-batch", "class-imbalance"),
           ("loss-metric-mismatch", "label-problem", "stuck-at-chance", "stalled", "cannot-overfit-batch"),
           r"one[- ]?hot|to_categorical|sparse[ _]?categorical|SparseCategorical|(integer|sparse) (class )?"
           r"(ids?|labels?|indices|targets?).{0,60}(categorical|focal|one[- ]?hot|expects?|shape)|"
           r"(categorical|focal)\w*.{0,60}(expects?|needs?|requires?|wants?).{0,30}(one[- ]?hot|probabilit\w* "
           r"(vectors?|rows?)|distribution)|(label|target)s?.{0,30}(broadcast|shape \(\w*, ?1\))",
           "a functional-API weld-defect classifier (ten standardised measurements -> Dense(32, relu) -> "
           "Dense(32, relu) -> Dense(4, softmax)) whose author switched to keras.losses.CategoricalFocalCrossentropy() "
           "because the four defect types are unequal in size, and kept the labels as they came from the table, "
           "one class id per row in a (N, 1) column: the categorical focal loss expects one-hot rows and does not "
           "check the shape, so the id column is broadcast over the four probabilities (a row of class 0 has an "
           "all-zero target and costs nothing, a row of class 2 asks every probability to be 2), the model learns "
           "nothing useful about the classes and the sparse accuracy stays near 0.3 (validation 0.34), below the "
           "majority share of 0.4, where one-hot labels reach 0.97 (validation 0.88) (question class: Keras focal loss for multi-class gives low accuracy, loss "
           "decreases but the model does not learn, integer labels with a categorical loss); fix: "
           "keras.utils.to_categorical(y, 4) for the focal loss (or the sparse categorical cross-entropy on the ids)")
def _(fixed):
    x, y = defect_types(seed=2401)
    target = keras.utils.to_categorical(y, 4) if fixed else y.reshape(-1, 1).astype("float32")
    inp = keras.Input((10,))
    h = layers.Dense(32, activation="relu")(layers.Dense(32, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    return compiled(model, x, target, optimizer=keras.optimizers.Adam(2e-3),
                    loss=keras.losses.CategoricalFocalCrossentropy(), metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- gradients never cleared

class HandTrainedNet(keras.Model):
    """Two hidden ReLU layers and a softmax over four classes, with a train_step of its own written after the
    guide for the torch backend; ``clears`` decides whether it calls self.zero_grad() first."""

    def __init__(self, clears: bool):
        super().__init__()
        self.h1, self.h2 = layers.Dense(48, activation="relu"), layers.Dense(48, activation="relu")
        self.out = layers.Dense(4, activation="softmax")
        self.clears = clears

    def call(self, x):
        return self.out(self.h2(self.h1(x)))

    def train_step(self, data):
        import torch

        x, y = data
        if self.clears:
            self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        loss.backward()
        weights = self.trainable_weights
        grads = [v.value.grad for v in weights]
        with torch.no_grad():
            self.optimizer.apply(grads, weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def pump_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised pump-vibration features; four fault kinds from a fixed linear map."""
    rng, x = gaussian(seed, 13)
    return x, (x @ rng.normal(size=(13, 4))).argmax(1).astype("int64")


@heldout24("subclassed-torch-train-step-without-zero-grad",
           ("grad-not-zeroed", "divergence", "both-rising", "loss-spikes", "oscillation", "exploding-gradients",
            "lr-too-high", "stuck-at-chance", "dead-relu"),
           ("grad-not-zeroed", "divergence", "both-rising", "exploding-gradients"),
           r"zero_grad|zero(ing|ed|es)? (the )?grad|grad\w* (are |is )?(never |not )?(cleared|reset|zeroed)|"
           r"(clear|reset)\w* (the )?grad|grad\w* (keep )?(accumulat|add|pil|sum)\w*( up)? (across|over|from one|"
           r"between|batch after) (steps?|batch\w*|iterations?|calls?)",
           "a subclassed keras.Model for four pump-fault kinds (thirteen standardised vibration features -> "
           "Dense(48, relu) x2 -> Dense(4, softmax), sparse categorical cross-entropy, SGD(0.02, momentum=0.9)) "
           "whose author overrode train_step for the torch backend after the guide on customising fit(): "
           "forward, self.compute_loss, loss.backward(), gradients read from v.value.grad and handed to "
           "self.optimizer.apply, but the self.zero_grad() call at the top of the step was left out: torch adds "
           "every backward into the .grad tensors, so each step applies the sum of all gradients so far, the "
           "momentum steps grow with it and the loss rises from 1.1 to ~11.5 with accuracy falling to ~0.3 "
           "(validation 0.28), where the step that clears the gradients first reaches 0.06 and 0.99 (validation 0.89) (question "
           "class: Keras custom train_step with the PyTorch backend, loss increases every epoch, gradients "
           "accumulate); fix: call self.zero_grad() at the start of train_step")
def _(fixed):
    x, y = pump_faults(seed=2402)
    return compiled(HandTrainedNet(clears=fixed), x, y, optimizer=keras.optimizers.SGD(0.02, momentum=0.9),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])


# ---------------------------------------------------------------- target in the wrong units

def delivery_durations(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised order features; the delivery time as a timedelta64 array (10 to 90 minutes)."""
    rng, x = gaussian(seed, 7)
    minutes = 45 + 15 * (x @ rng.normal(size=7) / np.sqrt(7)) + 6 * np.tanh(x[:, 0] * x[:, 1])
    minutes = np.clip(minutes, 10, 90)
    return x, (minutes * 60e9).astype("int64").astype("timedelta64[ns]")


class DurationNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.h1, self.h2 = layers.Dense(48, activation="relu"), layers.Dense(24, activation="relu")
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.h2(self.h1(x)))


@heldout24("subclassed-timedelta-target-cast-to-nanoseconds",
           ("high-initial-loss", "stalled", "no-learning", "update-ratio", "loss-metric-mismatch", "divergence",
            "exploding-gradients", "lr-too-high"),
           ("high-initial-loss", "stalled", "no-learning", "update-ratio"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide|convert)\w* (the |your )?(targets?|labels?|y\b|"
           r"regression targets?|durations?|output values?)|(targets?|labels?) (are |is )?(in|on) (a )?(large|huge|"
           r"raw|different|original)|(targets?|labels?)'? (scale|range|units?|magnitude)|(large|huge|big) "
           r"(targets?|labels?)|nano ?seconds?|\bns\b|timedelta|\bhours\b|\bminutes\b",
           "a subclassed keras.Model (seven standardised order features -> Dense(48, relu) -> Dense(24, relu) -> "
           "Dense(1)) that predicts delivery time, compiled with keras.losses.LogCosh() and Adam(3e-3), whose "
           "target is the data frame's duration column, a timedelta64[ns] array, turned into numbers with "
           ".astype('float32'): a timedelta64[ns] casts to nanoseconds, so the targets are 6e11 to 5e12 instead of "
           "ten to ninety minutes; the log-cosh of an error of 1e12 is the error itself with a gradient of one, "
           "Adam moves the output by a few thousandths per step and the loss stays at ~2.7e12 from the first "
           "epoch to the last, where the same model on the duration in hours reaches ~0.003 (a mean error of "
           "~0.06 h, under four minutes) (question class: Keras "
           "regression loss enormous and not decreasing, datetime or duration target converted to float); fix: "
           "durations / np.timedelta64(1, 'h') (hours as floats)")
def _(fixed):
    x, dur = delivery_durations(seed=2403)
    y = (dur / np.timedelta64(1, "h")) if fixed else dur.astype("float32")
    return compiled(DurationNet(), x, np.asarray(y, dtype="float32").reshape(-1, 1),
                    optimizer=keras.optimizers.Adam(3e-3), loss=keras.losses.LogCosh(), metrics=["mae"])


# ---------------------------------------------------------------- saturation

def quadrant_sums(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five standardised features; three classes from the sign pattern of the first two and the third's size."""
    rng, x = gaussian(seed, 5)
    y = np.where(x[:, 0] * x[:, 1] > 0, 0, 1)
    y = np.where(np.abs(x[:, 2]) > 1.1, 2, y)
    return x, y.astype("int64")


@heldout24("functional-tanh-layers-bias-constant-three",
           ("saturated-activation", "vanishing-gradients", "poor-initialization", "stuck-at-chance", "no-learning",
            "stalled", "cannot-overfit-batch"),
           ("saturated-activation", "vanishing-gradients", "poor-initialization"),
           r"bias\w*.{0,50}(zero|0\b|default|too (large|big|high)|constant|3(\.0)?\b|saturat)|"
           r"(constant|large|positive|non-?zero) (initial )?bias|bias_initializer|(zero|default) bias|"
           r"(drop|remove)\w* (the )?(bias )?(constant|initiali[sz]er)",
           "a functional-API classifier of three operating modes (five standardised features; the modes depend on "
           "the sign pattern of two of them and the size of a third) built from four Dense(64, activation='tanh', "
           "bias_initializer=keras.initializers.Constant(3.0)) layers and a softmax head under Adam(1e-3), the "
           "constant bias taken from advice to start gate biases high 'so that units are switched on': with a bias "
           "of 3 every tanh unit starts at about +0.995, where its derivative is ~0.01, so each layer shrinks the "
           "gradient a hundredfold and passes nearly the same vector for every row; the loss ends near ln 3 "
           "(1.44 -> 1.08) with accuracy around 0.40 (validation 0.36), where zero biases reach 0.59 and 0.80 "
           "(validation 0.80) (question class: Keras "
           "tanh network output the same for all inputs, saturated activations, bias initialisation); fix: the "
           "default zero bias initialiser")
def _(fixed):
    x, y = quadrant_sums(seed=2404)
    inp = keras.Input((5,))
    h = inp
    for _ in range(4):
        h = layers.Dense(64, activation="tanh",
                         bias_initializer="zeros" if fixed else keras.initializers.Constant(3.0))(h)
    model = keras.Model(inp, layers.Dense(3, activation="softmax")(h))
    return compiled(model, x, y, optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- wrong reduction

def crop_bands(seed: int, k: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Sixteen standardised spectral bands; twelve crop types from a fixed linear map (one-hot rows)."""
    rng, x = gaussian(seed, 16)
    y = (x @ rng.normal(size=(16, k))).argmax(1)
    return x, np.eye(k, dtype="float32")[y]


def crossentropy_mean_over_everything(y_true, y_pred):
    """The author's 'plain' categorical cross-entropy: the mean of -y log p over the whole (batch, classes) table."""
    return -ops.mean(y_true * ops.log(ops.clip(y_pred, 1e-7, 1.0)))


def crossentropy_per_row(y_true, y_pred):
    return -ops.mean(ops.sum(y_true * ops.log(ops.clip(y_pred, 1e-7, 1.0)), axis=-1))


@heldout24("sequential-handwritten-crossentropy-averaged-over-classes",
           ("no-learning", "stalled", "update-ratio", "loss-metric-mismatch", "stuck-at-chance", "high-initial-loss"),
           ("no-learning", "stalled", "update-ratio", "loss-metric-mismatch"),
           r"(sum|add)\w* (it )?(over|across) (the )?(class|categor)|(mean|average|reduce)\w* (over|across) (the )?"
           r"(class|categor)\w*|(divided|scaled|shrunk) by (the number of )?class|class (axis|dimension)|axis ?= ?-1|"
           r"(built-?in|keras\.losses\.)?categorical_?crossentropy\b|CategoricalCrossentropy|(reduction|mean)\w*.{0,40}"
           r"(too small|12 times|twelve)",
           "a Sequential crop classifier over sixteen standardised spectral bands (Dense(64, relu) -> Dense(12, "
           "softmax), SGD(learning_rate=0.05), one-hot labels for twelve crop types) compiled with the author's own "
           "loss, written to be able to add class weights later, -ops.mean(y_true * ops.log(ops.clip(y_pred, 1e-7, "
           "1))): the mean is taken over the whole (batch, classes) table instead of summing over the classes and "
           "averaging over the rows, so the loss and every gradient are divided by twelve; the reported loss looks "
           "small (0.22 -> 0.20) but the accuracy only creeps from 0.06 to 0.12, where the per-row sum, the "
           "built-in categorical cross-entropy, reaches 1.2 and 0.73 (validation 0.50) in the same ten epochs (question class: Keras custom loss "
           "trains much slower than the built-in one, custom categorical cross-entropy implementation); fix: "
           "ops.sum(..., axis=-1) over the classes, then the mean over the batch (or "
           "keras.losses.CategoricalCrossentropy())")
def _(fixed):
    x, y = crop_bands(seed=2405)
    model = keras.Sequential([keras.Input((16,)), layers.Dense(64, activation="relu"),
                              layers.Dense(12, activation="softmax")])
    loss = crossentropy_per_row if fixed else crossentropy_mean_over_everything
    return compiled(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.05), loss=loss,
                    metrics=["categorical_accuracy"])


# ---------------------------------------------------------------- detaching

class FrozenByAccident(keras.Model):
    """An encoder and a one-unit head; ``detach`` puts the encoder's output through ops.stop_gradient."""

    def __init__(self, detach: bool):
        super().__init__()
        self.encoder = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(16, activation="relu")])
        self.head = layers.Dense(1, activation="sigmoid")
        self.detach = detach

    def call(self, x):
        z = self.encoder(x)
        if self.detach:
            z = ops.stop_gradient(z)
        return self.head(z)


def sign_agreement(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised readings; 1 where the first two share a sign (an XOR), the rest uninformative."""
    rng, x = gaussian(seed, 6)
    return x, (x[:, 0] * x[:, 1] > 0).astype("float32").reshape(-1, 1)


@heldout24("subclassed-encoder-output-through-stop-gradient",
           ("frozen-parameters", "stalled", "no-learning", "cannot-overfit-batch", "stuck-at-chance",
            "vanishing-gradients"),
           ("frozen-parameters", "stalled", "cannot-overfit-batch", "vanishing-gradients"),
           r"stop_gradient|stop[- ]gradient|(gradients?|grads?) (do not|does not|don't|doesn't|never|cannot) "
           r"(reach|flow|pass|get)\w*.{0,40}(encoder|earlier|first|lower|hidden|body)|(encoder|earlier|first|lower|"
           r"hidden|body)\w*( layers?)? .{0,40}(no|zero|none|never get a|without) (gradients?|updates?)|"
           r"(detach|cut|break)\w* .{0,30}(graph|gradient)|(never|not) (updated|trained|change)",
           "a subclassed keras.Model with an encoder (keras.Sequential of Dense(16, relu) twice) and a Dense(1, "
           "sigmoid) head for a sign-agreement label (an XOR of two of six standardised readings), whose call() "
           "does z = ops.stop_gradient(self.encoder(x)) before the head, a line kept from a self-supervised "
           "snippet where the target branch must not be trained: no gradient reaches the encoder, its weights "
           "stay at their random start, and the head alone over sixteen random ReLU features cannot draw an XOR, "
           "so binary cross-entropy under Adam(3e-3) stays near ln 2 (0.72 -> 0.68) with accuracy ~0.6, where "
           "the trained encoder reaches 0.22 and 0.96 (validation 0.92) (question class: Keras only the last layer trains, "
           "weights of the first layers never change, stop_gradient in a custom model); fix: return "
           "self.head(self.encoder(x)) without ops.stop_gradient")
def _(fixed):
    x, y = sign_agreement(seed=2406)
    return compiled(FrozenByAccident(detach=not fixed), x, y, optimizer=keras.optimizers.Adam(3e-3),
                    loss="binary_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- missing activation

def stress_levels(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised wearable features; a stress score that is a bump in two of them, standardised."""
    rng, x = gaussian(seed, 9)
    y = np.exp(-(x[:, 0] ** 2 + x[:, 1] ** 2)) * 3 + np.abs(x[:, 2]) - 0.3 * x[:, 3]
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32").reshape(-1, 1)


@heldout24("functional-prelu-alpha-initialised-to-one",
           ("stalled", "no-learning", "cannot-overfit-batch", "loss-metric-mismatch", "overfitting"),
           ("stalled", "no-learning", "cannot-overfit-batch"),
           r"alpha_initializer|prelu.{0,60}(alpha|slope|identity|linear|ones?\b|1\b)|\balpha\b.{0,30}(1\b|1\.0|one"
           r"s?\b)|slope (of )?(1\b|1\.0|one)|(activation|prelu)s?.{0,40}(identity|linear function)|(network|model|"
           r"stack) (is|becomes|collapses to|reduces to|stays|behaves like) (a |one )?(single )?linear|linear (in "
           r"its input|map|stack|model|regression)\b|(no|without|missing) (non-?linear\w*|hidden activation)",
           "a functional-API regressor of a standardised stress score from nine standardised wearable features "
           "(Dense(64) -> PReLU -> Dense(64) -> PReLU -> Dense(1), mean squared error, Adam(2e-3)) whose PReLU "
           "layers were given alpha_initializer='ones', the author wanting 'no dead units at the start': a PReLU "
           "with alpha 1 is the identity, the slopes are learned slowly from there, so for the whole run the "
           "network is nearly one linear map and the score (a bump in two features and an absolute value) "
           "cannot be fitted: the loss goes from 1.10 to 0.86 (validation 0.93) where PReLU's default alpha of 0 "
           "reaches 0.10 (validation 0.17) (question "
           "class: Keras regression no better than linear regression, PReLU or LeakyReLU parameters, activation "
           "not doing anything); fix: layers.PReLU() with its default alpha_initializer (zeros)")
def _(fixed):
    x, y = stress_levels(seed=2407)
    inp = keras.Input((9,))
    h = inp
    for _ in range(2):
        h = layers.Dense(64)(h)
        h = layers.PReLU()(h) if fixed else layers.PReLU(alpha_initializer="ones")(h)
    model = keras.Model(inp, layers.Dense(1)(h))
    return compiled(model, x, y, optimizer=keras.optimizers.Adam(2e-3), loss="mse", metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- a layer left in inference mode

def station_days(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw weather-station columns (hPa near 1013, per cent humidity, wind m/s, cloud okta, day of year);
    rain tomorrow (about 40 per cent)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(ROWS, 5))
    raw = np.stack([1013 + 8 * z[:, 0], 70 + 15 * z[:, 1], 5 + 2.5 * np.abs(z[:, 2]), 4 + 2 * z[:, 3],
                    rng.integers(1, 366, ROWS).astype(float)], 1)
    score = -z[:, 0] + 0.8 * z[:, 1] + 0.5 * z[:, 3] + 0.4 * z[:, 0] * z[:, 1]
    return raw.astype("float32"), (score > np.quantile(score, 0.6)).astype("float32").reshape(-1, 1)


@heldout24("sequential-batchnorm-scaler-marked-untrainable",
           ("unnormalized-input", "saturated-activation", "stuck-at-chance", "no-learning", "stalled",
            "high-initial-loss", "loss-spikes", "oscillation", "dead-relu", "frozen-parameters"),
           ("unnormalized-input", "saturated-activation", "high-initial-loss", "frozen-parameters"),
           r"trainable ?= ?false|trainable\b.{0,40}(inference|moving|running)|inference mode|(moving|running) "
           r"(mean|average|statistic|stat|variance)|batch ?norm\w*.{0,60}(frozen|not trainable|untrainable|"
           r"inference)|(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?(inputs?|features?|"
           r"columns?)|(inputs?|features?) (are |is )?(not |un)(normali[sz]|scal|standardi[sz])|unnormali[sz]ed "
           r"(inputs?|features?)|StandardScaler|Normalization\(\)? layer",
           "a Sequential rain-tomorrow classifier fed raw weather-station columns (pressure in hPa near 1013, "
           "humidity in per cent, wind in m/s, cloud in okta, day of year) whose first layer is "
           "layers.BatchNormalization(trainable=False), meant as a fixed input scaler 'that normalises but "
           "learns no scale or shift', then Dense(32, relu) -> Dense(16, relu) -> Dense(1, sigmoid) with "
           "binary cross-entropy and Adam(1e-3): in Keras 3 a BatchNormalization layer with trainable=False runs "
           "in inference mode, normalising with its moving mean and variance, which start at 0 and 1 and are "
           "then never updated, so the columns pass through unscaled, the pressure (a thousand) swamps every "
           "unit, the sigmoid saturates and the loss sits at ~6.7 with accuracy at the majority share from the "
           "first epoch to the last, where a fixed scaler with the training rows' statistics (a Normalization "
           "layer given their mean and variance) reaches ~0.18 and 0.95 (question class: Keras model with a "
           "frozen BatchNormalization layer does not learn, BatchNormalization trainable False behaves "
           "differently); fix: layers.Normalization(mean=..., variance=...) from the training rows (or a "
           "BatchNormalization layer left trainable)")
def _(fixed):
    x, y = station_days(seed=2408)
    train = x[128:]
    scaler = (layers.Normalization(mean=train.mean(0), variance=train.var(0)) if fixed
              else layers.BatchNormalization(trainable=False))
    model = keras.Sequential([keras.Input((5,)), scaler,
                              layers.Dense(32, activation="relu"), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    return compiled(model, x, y, optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                    metrics=["accuracy"], epochs=12)
