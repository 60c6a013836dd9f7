"""A thirty-first held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Like sets 16 to 30 it measures whether traindoc names the repair for the COMMON bug classes of published
Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for. They were written without reading
traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT31.sha256``) before traindoc was ever run on them; see ``HELDOUT31.md``. Run with
``bench/bench_keras_bugs.py --set heldout31``.

The Keras half, each bug written afresh: one-hot labels exported class-major and reshaped where a transpose was
meant, a percentage-error loss on a standardised target, an engine-speed target left in revolutions per minute
under a Conv1D regressor, a layer helper whose option whitelist drops ``activation``, SGD given a ``clipvalue``
copied from a weight-clipping note, quantised codes cast to integers inside ``call()``, Adam built from a config
dict that keeps the SGD baseline's rate, and a ``log_softmax`` head under sparse categorical cross-entropy. The
PyTorch half is in ``heldout31_torch``.

Same format as ``heldout20_keras`` (whose ``trained`` and ``standard`` helpers are reused): a case builds
``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the change a good answer would make. ``ids`` are the
finding ids (``/work/shared/FINDINGS.md``) that count as the right symptom; ``fix_ids`` (in ``Case.extra``) are
the ids whose advice is the repair, and a finding counts as the right fix only when its id is one of them and
its text matches the ``fix`` regular expression. The ``about`` names the kind of public question each case is
modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .heldout20_keras import standard, trained
from .keras_cases import Case

HELDOUT31: list[Case] = []
ROWS = 600


def heldout31(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the thirty-first held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT31.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- labels encoded wrongly

def soil_classes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised probe readings; four soil classes from a fixed linear map (learnable)."""
    rng, x = standard(seed, 12)
    return x, (x @ rng.normal(size=(12, 4)) + 0.5 * np.sin(2 * x[:, :4])).argmax(1)


@heldout31("sequential-class-major-onehot-reshaped-not-transposed",
           ("label-problem", "stuck-at-chance", "loss-metric-mismatch", "cannot-overfit-batch", "stalled",
            "no-learning", "misleading-accuracy"),
           ("label-problem", "cannot-overfit-batch", "loss-metric-mismatch"),
           r"transpos\w*|\.T\b|reshap\w*.{0,60}(label|one[- ]?hot|target|instead|rather|scrambl|mix)|"
           r"(label|target|one[- ]?hot)\w*.{0,40}(scrambled|misaligned|mixed up|interleaved|not one[- ]?hot|"
           r"(several|more than one|two or more|no) (ones|1s|hot|active|classes)\b)|one[- ]?hot rows?.{0,40}"
           r"(do not|don't|does not|doesn't|not) (sum|add up) to (one|1)|(sum|add up) to (zero|0|2|two|more than one)"
           r"",
           "a Sequential soil classifier (twelve standardised probe readings -> Dense(32, relu) -> Dense(32, relu) "
           "-> Dense(4, softmax), loss='categorical_crossentropy', Adam 3e-3) whose one-hot label matrix comes from "
           "the lab's export class-major, one row per class and one column per sample (shape (4, 600)), and is "
           "turned into per-sample rows with labels.reshape(-1, 4) where labels.T was meant: reshape reads the "
           "class rows in order, so each 'sample row' holds four consecutive samples' flags of one class, mostly "
           "all zeros, sometimes two or more ones, and no longer belongs to the features beside it; the loss "
           "falls only from 1.57 to 1.38 and the validation accuracy stays at 0.31 where the transposed labels "
           "reach 0.10 and 91% (question class: Keras categorical accuracy stuck at 25 percent, one-hot labels look "
           "wrong after reshaping); fix: labels.T (a transpose, not a reshape), one one-hot row per sample")
def _(fixed):
    x, y = soil_classes(seed=3101)
    class_major = np.eye(4, dtype="float32")[y].T.copy()  # as exported: (classes, samples)
    labels = class_major.T if fixed else class_major.reshape(-1, 4)
    model = keras.Sequential([keras.Input((12,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(4, activation="softmax")])
    return trained(model, x, labels, optimizer=keras.optimizers.Adam(3e-3), loss="categorical_crossentropy",
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- loss that does not fit the target

def strain_anomaly(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised bridge-sensor features; a standardised strain anomaly (mean 0, half of it negative)."""
    rng, x = standard(seed, 10)
    y = np.tanh(x @ rng.normal(size=10) / np.sqrt(10) * 1.5) + 0.4 * x[:, 0] * x[:, 1]
    return x, ((y - y.mean()) / y.std()).astype("float32").reshape(-1, 1)


@heldout31("functional-mape-on-standardised-anomaly",
           ("loss-metric-mismatch", "stalled", "no-learning", "high-initial-loss", "loss-spikes", "oscillation"),
           ("loss-metric-mismatch", "stalled", "high-initial-loss"),
           r"\bmape\b|(mean )?absolute percent(age)? error|percent(age)?[- ]error|(divid\w*|relative) (by|to) "
           r"(the )?(target|true value|label)s?\b.{0,60}(zero|0\b)|targets? (near|close to|around|at|cross) "
           r"(zero|0\b)|(use|switch to|replace\w* (it )?with) (the )?(mse|mean squared error|mae|mean absolute "
           r"error|huber)\b.{0,40}(instead|rather|for (a|this|the) (regression|standardi))",
           "a functional-API regressor of a bridge's strain anomaly (ten standardised sensor features -> "
           "Dense(64, relu) -> Dense(32, relu) -> Dense(1), Adam 1e-3, metrics=['mae']) compiled with loss='mape' "
           "because the author reports percentage errors to the client, while the target is standardised (mean 0, "
           "half of it negative, many values near zero): the percentage error divides every error by |y|, so the "
           "rows whose anomaly is near zero weigh thousands of times more than the others, the loss is in the "
           "hundreds and jumps from batch to batch, and the fit pulls every prediction towards zero: the loss "
           "goes only from 225 to 218 and the mean absolute error stops at 0.65 while the same net under MSE "
           "reaches 0.26 (question class: Keras MAPE "
           "loss huge and not decreasing for a regression, which loss for a target with zeros); fix: "
           "loss='mse' (report the percentage error on the raw scale afterwards)")
def _(fixed):
    x, y = strain_anomaly(seed=3102)
    inp = keras.Input((10,))
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1)(h))
    return trained(model, x, y, optimizer=keras.optimizers.Adam(1e-3), loss="mse" if fixed else "mape",
                   metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- target in the wrong units

def engine_windows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """24-step windows of three standardised vibration channels; the engine speed in rpm (~1,500-4,500)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, 24, 3))
    level, amp = rng.normal(size=ROWS), rng.uniform(0.2, 1.6, size=ROWS)
    x[:, :, 0] += level[:, None]
    x[:, :, 1] = 0.3 * x[:, :, 1] + amp[:, None] * np.sin(0.8 * np.arange(24))[None, :]
    rpm = 3000 + 600 * level + 700 * (amp - 0.9)
    return x.astype("float32"), rpm.astype("float32").reshape(-1, 1)


@heldout31("conv1d-engine-speed-target-in-rpm",
           ("high-initial-loss", "stalled", "no-learning", "update-ratio", "loss-metric-mismatch"),
           ("high-initial-loss", "stalled", "no-learning"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|regression "
           r"target|output value|speed|rpm)s?|(target|label)s? (are |is )?(in|on) (a )?(large|huge|raw|different|"
           r"original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) (target|label)s?|\brpm\b|"
           r"/ ?1000|\bkrpm\b",
           "a Sequential Conv1D regressor of engine speed from 24-step windows of three standardised vibration "
           "channels (Conv1D(16, 5, relu) -> GlobalAveragePooling1D -> Dense(16, relu) -> Dense(1), loss='mse', "
           "optimizer='adam') trained on the speed as the engine bus logs it, in revolutions per minute (about "
           "1,500 to 4,500): the network starts with outputs near zero, Adam moves each weight by about 1e-3 per "
           "step, and after ten epochs the predictions are still far below the targets: the loss barely "
           "moves from ~9.2e6, the mean absolute error stays near 2,970 rpm, where the same model on thousands "
           "of rpm reaches 0.24 (question class: Keras regression "
           "loss in the millions and barely decreasing, predictions much smaller than the targets); fix: train "
           "on the speed in thousands of rpm (y / 1000) and multiply the predictions back")
def _(fixed):
    x, rpm = engine_windows(seed=3103)
    y = rpm / 1000.0 if fixed else rpm
    model = keras.Sequential([keras.Input((24, 3)), layers.Conv1D(16, 5, activation="relu"),
                              layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"), layers.Dense(1)])
    return trained(model, x, y, optimizer="adam", loss="mse", metrics=["mae"], epochs=10)


# ---------------------------------------------------------------- missing activation

ALLOWED = ("units", "use_bias", "kernel_initializer", "name")  # the keys the helper passes on


def dense(units: int, allowed=ALLOWED, **opts) -> layers.Dense:
    """The author's layer helper: settings come from a config file, only known keys are passed on."""
    return layers.Dense(units, **{k: v for k, v in opts.items() if k in allowed})


def disc(seed: int, d: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; positive when the first two lie inside the disc r < 1.1 (about 45% of rows)."""
    rng, x = standard(seed, d)
    return x, (np.hypot(x[:, 0], x[:, 1]) < 1.1).astype("float32").reshape(-1, 1)


@heldout31("functional-layer-helper-whitelist-drops-activation",
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"(activation|relu)\w*.{0,50}(never applied|not applied|not passed|dropped|filtered|ignored|missing|"
           r"absent|whitelist|allowed|helper)|(no|without|missing) (non-?linear\w*|hidden activation|activation "
           r"function)|(network|model|stack|hidden layers?) (is|are|becomes|collapses to|reduces to|stays) (a |one )?"
           r"(single )?linear|linear (in its input|map|stack|model|layers)\b|activation=.?relu",
           "a functional-API classifier of points in a disc (six standardised features; positive when the first "
           "two lie within radius 1.1; Adam 3e-3, 20 epochs) whose hidden layers come from the author's helper "
           "dense(units, "
           "**opts), which reads the layer settings from a config and passes on only the keys in a whitelist, "
           "ALLOWED = ('units', 'use_bias', 'kernel_initializer', 'name'); the config's activation='relu' is not "
           "in the list and is silently dropped, so both Dense(64) layers are linear and the network is one "
           "linear map into a sigmoid, and a linear score cannot cut out a disc: the loss stays above 0.7 and "
           "the accuracy near one half, in training and validation, where the ReLU layers reach 0.06 and 96% "
           "validation accuracy (question class: Keras model no better than logistic regression, hidden "
           "layer activation seems to be ignored); fix: add 'activation' to the whitelist, so the hidden layers "
           "get their ReLU")
def _(fixed):
    x, y = disc(seed=3104)
    allowed = (*ALLOWED, "activation") if fixed else ALLOWED
    cfg = {"activation": "relu", "kernel_initializer": "he_uniform"}
    inp = keras.Input((6,))
    h = dense(64, allowed, name="hidden1", **cfg)(inp)
    h = dense(64, allowed, name="hidden2", **cfg)(h)
    out = layers.Dense(1, activation="sigmoid")(h)
    return trained(keras.Model(inp, out), x, y, optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=20)


# ---------------------------------------------------------------- optimiser misuse

def moth_species(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fifteen standardised trap readings; five species from a fixed linear map plus a bend (learnable)."""
    rng, x = standard(seed, 15)
    return x, (x @ rng.normal(size=(15, 5)) + 0.6 * np.tanh(x[:, :5] * x[:, 5:10])).argmax(1)


@heldout31("sequential-sgd-clipvalue-from-weight-clipping-note",
           ("no-learning", "stalled", "stuck-at-chance", "update-ratio", "vanishing-gradients"),
           ("no-learning", "stalled", "stuck-at-chance", "update-ratio"),
           r"clip_?value|(remove|drop|delete|loosen|raise|disable)\w*( the)? (gradient |value )?clip|"
           r"clip\w* (threshold|value|limit|bound)\w*.{0,40}(too (small|tight|low)|tiny|1e-4|0\.0001)|"
           r"gradients? (are |is |were |get )?(being )?clipped.{0,40}(tiny|to (almost )?nothing|(too|very|far) "
           r"(small|tight))|(every|each) (gradient|update|step)s? (capped|clipped|limited) (at|to)",
           "a Sequential five-class moth classifier (fifteen standardised trap readings -> Dense(64, relu) -> "
           "Dense(32, relu) -> Dense(5, softmax), sparse categorical cross-entropy) compiled with "
           "keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, clipvalue=1e-4): the author read that a "
           "critic's values must be clipped to a small range in a Wasserstein GAN and passed the clipping "
           "constant as clipvalue, which caps every gradient component at 1e-4: each weight then moves by at "
           "most 5e-6 per step (5e-5 with momentum), the loss creeps from 1.83 to 1.67 (ln 5 = 1.61) and the "
           "accuracy stays near chance for all twelve epochs while the same optimiser without the cap reaches 100% "
           "(91% on validation) (question class: Keras "
           "loss does not decrease at all, accuracy stuck at chance with SGD); fix: drop clipvalue (or clip by "
           "norm at a sensible threshold, clipnorm=1.0)")
def _(fixed):
    x, y = moth_species(seed=3105)
    clip = {"clipnorm": 1.0} if fixed else {"clipvalue": 1e-4}
    model = keras.Sequential([keras.Input((15,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(5, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, **clip),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- detaching

def valve_states(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised readings; three states from the signs of the first two and the size of the third."""
    rng, x = standard(seed, 10)
    agree = (x[:, 0] * x[:, 1] > 0).astype(int)
    return x, np.where(np.abs(x[:, 2]) > 1.0, 2, agree)


class QuantisedCodes(keras.Model):
    """An encoder to four codes quantised to eighths (as the fixed-point device stores them), then a head."""

    def __init__(self, straight_through: bool):
        super().__init__()
        self.straight_through = straight_through
        self.enc1, self.enc2 = layers.Dense(32, activation="relu"), layers.Dense(4, activation="relu")
        self.head1, self.head2 = layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")

    def call(self, x):
        codes = self.enc2(self.enc1(x))
        quantised = ops.cast(ops.cast(codes * 8.0, "int32"), "float32") / 8.0
        if self.straight_through:  # the forward pass sees the quantised codes, the gradient the codes'
            quantised = codes + ops.stop_gradient(quantised - codes)
        return self.head2(self.head1(quantised))


@heldout31("subclassed-codes-cast-to-int-for-device",
           ("frozen-parameters", "vanishing-gradients", "stalled", "no-learning", "cannot-overfit-batch",
            "stuck-at-chance", "loss-metric-mismatch"),
           ("frozen-parameters", "vanishing-gradients"),
           r"\bcast\w*|int32|integer|straight[- ]through|quanti[sz]\w*|non-?differentiable|"
           r"(gradient|graph)s? (is |are )?(cut|broken|blocked|detached|stopped)|(cut|break|block|stop|detach)\w* "
           r"(the )?(gradient|graph|backprop)|(no|zero) gradients? (reach|flow|for|to) (the )?(encoder|earlier|"
           r"first|lower)|(encoder|earlier|first|lower) layers?.{0,40}(never|not|don't|do not) (train|updat|change|"
           r"receiv|get)",
           "a subclassed keras.Model for three valve states (ten standardised readings; the state depends on "
           "whether the first two share a sign and on the size of the third) with an encoder (Dense(32, relu) -> "
           "Dense(4, relu)) whose four codes are quantised to eighths in call() to match the fixed-point device, "
           "written ops.cast(ops.cast(codes * 8, 'int32'), 'float32') / 8, and a head (Dense(32, relu) -> "
           "Dense(3, softmax)); sparse categorical cross-entropy, Adam 3e-3: the cast to an integer type has no "
           "gradient, so nothing flows back into the encoder, its weights keep their random values, and the head "
           "learns only what four random quantised codes still say: the loss stops near 0.95 and the "
           "validation accuracy near 45% where the same model with a straight-through quantiser reaches 95% (79% on "
           "validation) (question class: Keras "
           "custom layer weights not updating, gradients None after a cast); fix: a straight-through estimator, "
           "codes + ops.stop_gradient(quantised - codes)")
def _(fixed):
    x, y = valve_states(seed=3106)
    return trained(QuantisedCodes(straight_through=fixed), x, y, optimizer=keras.optimizers.Adam(3e-3),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=25)


# ---------------------------------------------------------------- learning rate too high

def loom_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eighteen standardised loom sensor summaries; six fault kinds (learnable)."""
    rng, x = standard(seed, 18)
    return x, (x @ rng.normal(size=(18, 6)) + 0.5 * x[:, :6] ** 2).argmax(1)


CONFIG = {"optimizer": "Adam", "learning_rate": 0.3}  # the rate kept from the SGD baseline's config


@heldout31("functional-optimizer-from-config-dict-sgd-rate",
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
            "stuck-at-chance", "stalled", "high-initial-loss", "dead-relu", "nonfinite"),
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)(?! on plateau| when)|"
           r"(learning[- ]rate|\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)|(high|"
           r"large) (learning rate|lr)\b|adam.{0,60}(1e-3|0\.001|3e-4|smaller|lower)|learning_rate\W{1,4}(1e-[34]|0\."
           r"00)",
           "a functional-API six-class loom-fault classifier (eighteen standardised sensor summaries -> Dense(64, "
           "relu) -> Dropout(0.2) -> Dense(64, relu) -> Dense(6, softmax), sparse categorical cross-entropy) whose "
           "optimiser is built from the experiment config, keras.optimizers.get({'class_name': "
           "CONFIG['optimizer'], 'config': {'learning_rate': CONFIG['learning_rate']}}), where the author switched "
           "'SGD' to 'Adam' and left the SGD baseline's learning_rate 0.3: Adam moves every weight by about the "
           "rate on every step, so the first steps throw the ReLU layers far off, many units die and the loss "
           "jumps to several times ln 6 and stays above it while the accuracy hovers near chance (question class: "
           "Keras accuracy drops and loss explodes after changing the optimizer to Adam); fix: "
           "learning_rate=1e-3 for Adam")
def _(fixed):
    x, y = loom_faults(seed=3107)
    cfg = {**CONFIG, "learning_rate": 1e-3} if fixed else CONFIG
    opt = keras.optimizers.get({"class_name": cfg["optimizer"], "config": {"learning_rate": cfg["learning_rate"]}})
    inp = keras.Input((18,))
    h = layers.Dropout(0.2)(layers.Dense(64, activation="relu")(inp))
    h = layers.Dense(64, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(6, activation="softmax")(h))
    return trained(model, x, y, optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                   epochs=10)


# ---------------------------------------------------------------- output activation against the loss

def pottery_periods(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised sherd measurements; five periods (learnable)."""
    rng, x = standard(seed, 11)
    return x, (x @ rng.normal(size=(11, 5)) + 0.4 * np.cos(x[:, :5])).argmax(1)


@heldout31("sequential-log-softmax-head-under-sparse-ce",
           ("wrong-output-activation", "loss-metric-mismatch", "stuck-at-chance", "stalled", "misleading-accuracy",
            "double-softmax", "cannot-overfit-batch", "metric-out-of-range"),
           ("wrong-output-activation", "loss-metric-mismatch", "double-softmax", "cannot-overfit-batch"),
           r"log[_ -]?softmax\w*.{0,40}(head|output|activation|layer|last|final)|(head|output|activation|last|"
           r"final)\w*.{0,40}log[_ -]?softmax|(negative|log[- ]?probabilit)\w*.{0,60}(output|head|loss|probabilit)|"
           r"(output|head|last layer)\w*.{0,40}(not|aren't|are not|isn't|is not) (valid )?probabilit|"
           r"activation=.?softmax|softmax (instead of|rather than) (the )?log|from_logits=True",
           "a Sequential five-period classifier of pottery sherds (eleven standardised measurements -> Dense(48, "
           "relu) -> Dense(48, relu) -> Dense(5, activation='log_softmax'), Adam, "
           "loss='sparse_categorical_crossentropy', metrics=['accuracy']), the log_softmax kept from the author's "
           "PyTorch habit of NLLLoss: the Keras loss expects probabilities and rescales the outputs to sum to one, "
           "so the all-negative log-probabilities become weights proportional to |log p|, largest for the LEAST "
           "likely period; lowering the loss makes the true period the least likely one, and the accuracy falls "
           "from chance towards zero while the loss goes down (question class: Keras loss decreasing but accuracy "
           "going down to zero, log_softmax output layer); fix: activation='softmax' (or a linear head with "
           "from_logits=True)")
def _(fixed):
    x, y = pottery_periods(seed=3108)
    model = keras.Sequential([keras.Input((11,)), layers.Dense(48, activation="relu"),
                              layers.Dense(48, activation="relu"),
                              layers.Dense(5, activation="softmax" if fixed else "log_softmax")])
    return trained(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                   epochs=12)
