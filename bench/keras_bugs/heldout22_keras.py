"""A twenty-second held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twenty-second set: like sets 16 to 21 it measures whether traindoc names the repair for the COMMON bug
classes of published Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for, and it leans on
the classes set 21 lacks (labels encoded wrongly, a loss that does not fit the target's format, a target in
the wrong units, a missing activation, saturation). The programs were written without reading traindoc's
rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT22.sha256``) before traindoc was ever run on them; see ``HELDOUT22.md``. Run with
``bench/bench_keras_bugs.py --set heldout22``.

Every program is written afresh, in the way an ordinary user writes it, and differs from the programs of the
earlier sets in its data, its model, its API path and the way the bug is written: a mean squared logarithmic
error on a standardised target, an ExponentialDecay schedule whose decay_rate is above one, a two-column
regression target with one column in raw units, hidden layers that share a keyword dict holding
activation='linear', sigmoid layers initialised with 'ones', a configured optimiser object left unused in
favour of the string 'adagrad', yes/no labels compared against a capitalised 'Yes', and a linear output unit
under the probability form of binary cross-entropy. The PyTorch half is in ``heldout22_torch``.

Same format as ``heldout20_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The
``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout20_keras import standard, trained
from .keras_cases import Case

HELDOUT22: list[Case] = []


def heldout22(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-second held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT22.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- loss against the target's format

def crop_yield_anomaly(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised soil and weather columns; a yield anomaly, standardised, with a long negative tail
    (drought years): most rows a little above the mean, a quarter of them below it, a few far below."""
    rng, x = standard(seed, 11)
    loss = np.exp(0.9 * (x @ rng.normal(size=11) / np.sqrt(11)))
    y = -loss
    return x, ((y - y.mean()) / y.std()).astype("float32").reshape(-1, 1)


@heldout22("functional-msle-on-standardised-anomaly",
           ("loss-metric-mismatch", "stalled", "no-learning", "label-problem", "cannot-overfit-batch",
            "wrong-output-activation"),
           ("loss-metric-mismatch", "stalled", "label-problem", "cannot-overfit-batch"),
           r"(mean[_ ]squared[_ ]log\w*|\bmsle\b).{0,80}(negative|below (zero|0|-1)|clip|standardi[sz]|non-?negative"
           r"|positive)|(negative|standardi[sz]ed) (target|label|value)s?.{0,60}(log|msle)|(instead of|rather than|"
           r"not) (the )?(mean[_ ]squared[_ ]log\w*|msle)",
           "a functional-API regressor of a crop-yield anomaly (eleven standardised soil and weather columns -> "
           "Dense(48, relu) -> Dense(48, relu) -> Dense(1)), compiled with "
           "keras.losses.MeanSquaredLogarithmicError() because 'yields are skewed and MSLE is the loss for "
           "skewed targets', while the script had already standardised the anomaly (mean 0; a long negative "
           "tail of drought years, a quarter of the rows below zero): the loss takes log(max(v, eps) + 1) of "
           "both the prediction and the target, so every negative target is read as 0 and every negative "
           "prediction too; the loss falls to ~0.001 while the mean absolute error stays at 0.25 (validation "
           "0.31), against 0.10 (0.18) under MSE, because the negative tail, the part that matters, is never "
           "learned (question class: Keras regression loss is small but "
           "predictions are wrong, MSLE with negative or standardised targets); fix: loss='mse' on the "
           "standardised target")
def _(fixed):
    x, y = crop_yield_anomaly(seed=2201)
    inp = keras.Input((11,), name="field")
    h = layers.Dense(48, activation="relu")(inp)
    h = layers.Dense(48, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(1)(h))
    loss = "mse" if fixed else keras.losses.MeanSquaredLogarithmicError()
    return trained(model, x, y, optimizer=keras.optimizers.Adam(2e-3), loss=loss, metrics=["mae"], epochs=15)


# ---------------------------------------------------------------- learning rate: a schedule that grows

def loom_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fifteen standardised loom sensor summaries; five fault classes from a fixed linear map."""
    rng, x = standard(seed, 15)
    return x, (x @ rng.normal(size=(15, 5)) + 0.3 * rng.normal(size=(len(x), 5))).argmax(1).astype("int64")


@heldout22("sequential-exponential-decay-rate-above-one",
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "both-rising", "nonfinite",
            "exploding-gradients", "update-ratio", "nonfinite-origin", "stuck-at-chance", "overfitting"),
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "both-rising", "nonfinite",
            "exploding-gradients", "update-ratio"),
           r"decay_rate\s*(=\s*)?(0\.\d|<\s*1|below 1|under 1|less than 1)|decay[_ ]rate.{0,40}(above|greater "
           r"than|larger than|over|>)\s*(1\b|one\b)|(schedule|learning[- ]rate|\blr\b)\w*.{0,40}(grows|growing|"
           r"increases|increasing|rises|rising|climbs|goes up)\b|(growing|increasing|rising) (learning[- ]rate|lr)"
           r"|exponentialdecay.{0,60}(grow|increas|ris|above|> ?1)",
           "a Sequential five-class loom-fault classifier (fifteen standardised sensor summaries -> Dense(64, "
           "relu) -> Dense(64, relu) -> Dense(5, softmax), 'sparse_categorical_crossentropy') trained with "
           "keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.01, "
           "decay_steps=15, decay_rate=1.6), momentum=0.9), the author reading decay_rate as 'how strongly it "
           "decays': the "
           "schedule multiplies the rate by decay_rate ** (step / decay_steps), so a rate above one makes it "
           "grow, by 1.6 every fifteen batches (one epoch here), to more than a thousand times the start after "
           "fifteen epochs; as the rate grows the loss climbs from 1.5 to ~11.5 and the "
           "accuracy falls to 0.29 (validation 0.25), where the decaying twin reaches 0.30 and 0.94 "
           "(question class: Keras loss decreases then explodes after some epochs with a learning-rate "
           "schedule, ExponentialDecay parameters); fix: decay_rate=0.9, a schedule that decays")
def _(fixed):
    x, y = loom_faults(seed=2202)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=15, decay_rate=0.9 if fixed else 1.6)
    model = keras.Sequential([keras.Input((15,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(5, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=schedule, momentum=0.9),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=15)


# ---------------------------------------------------------------- target in the wrong units

def boiler_outputs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised boiler settings; two targets: efficiency (standardised) and steam flow in kg/h."""
    rng, x = standard(seed, 8)
    w = rng.normal(size=(8, 2)) / np.sqrt(8)
    eff = np.tanh(x @ w[:, 0] * 1.5) + 0.3 * x[:, 0] * x[:, 1]
    eff = (eff - eff.mean()) / eff.std()
    flow = 5200.0 + 900.0 * np.tanh(x @ w[:, 1]) + 200.0 * x[:, 3]
    return x, np.stack([eff, flow], axis=1).astype("float32")


@heldout22("functional-two-targets-one-in-kilograms-per-hour",
           ("high-initial-loss", "stalled", "no-learning", "loss-metric-mismatch", "update-ratio",
            "cannot-overfit-batch"),
           ("high-initial-loss", "stalled", "no-learning", "cannot-overfit-batch"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your |each |both )?(target|label|y\b|"
           r"regression target|output value|output column|column)s?|(target|label)s? (are |is )?(in|on) (a )?"
           r"(large|huge|raw|different|original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) "
           r"(target|label)s?|kg/h|kilograms?|steam flow",
           "a functional-API model of a boiler (eight standardised burner and feed settings -> Dense(64, relu) -> "
           "Dense(64, relu) -> Dense(2)) that predicts two things at once with loss='mse' and Adam: the "
           "efficiency, which the author had standardised, and the steam flow, left as logged in kilograms per "
           "hour (about 4,000 to 6,500); the squared error of the flow column (millions) swamps the other, the "
           "output starts near 0 so the first epoch's loss is ~1.4e7, and Adam's steps of about 1e-3 per weight move "
           "the flow prediction by a few units per batch, so after twelve epochs the loss is still in the millions "
           "(a mean absolute error of ~2,500) (question class: Keras multi-output "
           "regression loss huge and not decreasing, targets on different scales); fix: standardise each "
           "target column (and invert the flow's scaling at prediction time)")
def _(fixed):
    x, y = boiler_outputs(seed=2203)
    if fixed:
        y = (y - y.mean(0)) / y.std(0)
    inp = keras.Input((8,), name="settings")
    h = layers.Dense(64, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(2)(h))
    return trained(model, x, y, optimizer=keras.optimizers.Adam(), loss="mse", metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- missing activation

def pump_power(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised pump readings; a power draw (standardised) that is strongly non-linear in them."""
    rng, x = standard(seed, 6)
    y = np.abs(x[:, 0]) * 1.2 + np.sin(1.5 * x[:, 1]) * x[:, 2] + 0.5 * x[:, 3] ** 2
    return x, ((y - y.mean()) / y.std()).astype("float32").reshape(-1, 1)


@heldout22("sequential-shared-layer-kwargs-linear",
           ("stalled", "no-learning", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stalled", "no-learning", "cannot-overfit-batch"),
           r"activation\s*=\s*.?linear|(no|missing|without) hidden[- ](layer )?activations?|hidden (layer|dense)s?\b"
           r".{0,40}(linear|no activation|without activation)|(no|without|missing) non-?linear\w*|(network|model|"
           r"stack|layers?) (is|are|becomes|collapses to|reduces to|stays) (a |one "
           r")?(single )?linear|linear (in its input|map|stack|model|function)\b|(shared|common) (keyword|kwargs|"
           r"dict|arguments?)|(hidden|dense) layers?\b.{0,40}\brelu\b|relu.{0,30}hidden",
           "a Sequential regressor of a pump's power draw from six standardised readings whose three hidden "
           "layers and output layer are all written layers.Dense(n, **dense_kw) with one shared "
           "dense_kw = dict(activation='linear', kernel_regularizer=keras.regularizers.L2(1e-4)), the "
           "'linear' put there because 'a regression must have a linear output': every layer is affine, the "
           "stack is one linear map, and the power draw (an absolute value, a product and a square of the "
           "readings) cannot be fitted; the loss stays near the target's variance, 1.12 -> 0.98 (validation "
           "1.08), where ReLU hidden layers reach 0.06 (0.16) (question class: Keras regression stuck at a high "
           "loss, model no better than "
           "linear regression, hidden layers without activation); fix: activation='relu' in the hidden layers, "
           "only the last Dense linear")
def _(fixed):
    x, y = pump_power(seed=2204)
    dense_kw = dict(activation="linear", kernel_regularizer=keras.regularizers.L2(1e-4))
    hidden_kw = dict(dense_kw, activation="relu") if fixed else dense_kw
    model = keras.Sequential([keras.Input((6,)), layers.Dense(64, **hidden_kw), layers.Dense(64, **hidden_kw),
                              layers.Dense(32, **hidden_kw), layers.Dense(1, **dense_kw)])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="mse", metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- saturation

def gesture_summaries(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised accelerometer summaries; four gestures from a fixed non-linear map."""
    rng, x = standard(seed, 12)
    score = x @ rng.normal(size=(12, 4)) + 0.5 * np.tanh(x[:, :4] * x[:, 4:8])
    return x, score.argmax(1).astype("int64")


@heldout22("sequential-sigmoid-layers-kernel-init-ones",
           ("saturated-activation", "vanishing-gradients", "poor-initialization", "stuck-at-chance",
            "no-learning", "stalled", "cannot-overfit-batch", "high-initial-loss"),
           ("saturated-activation", "vanishing-gradients", "poor-initialization"),
           r"kernel_initializer\s*=\s*.?ones|(initiali[sz]\w*|\binit\w*)\W.{0,40}(ones|constant|all (the )?"
           r"same|identical|symmetr)|(ones|constant)\W.{0,30}(initiali[sz]|init\b)|symmetr\w*|identical (units|"
           r"weights|neurons)|(glorot|xavier)\w*\W.{0,40}(instead of|rather than|not).{0,20}(ones|constant)|"
           r"(random|default) (initiali[sz]|init|weights)",
           "a Sequential four-gesture classifier over twelve standardised accelerometer summaries, three "
           "Dense(64, activation='sigmoid', kernel_initializer='ones') layers and a softmax head, trained with "
           "SGD(learning_rate=0.1, momentum=0.9), the 'ones' chosen 'so that every run starts the same': every "
           "hidden unit starts with the same weights (all of a layer's units compute one value and get one "
           "gradient, so they never differ), and the second and third layers sum 64 sigmoid outputs each "
           "between 0 and 1, a pre-activation in the tens, so they sit at the sigmoid's flat top and pass back "
           "almost no gradient; the loss ends at 1.68, above ln 4, and the accuracy at 0.28 (validation 0.28) "
           "where the default initialiser reaches 0.57 and 0.76 (validation 0.80) (question "
           "class: Keras neural network outputs the same prediction for every input, weights initialised to "
           "ones, sigmoid saturation); fix: the default glorot_uniform kernel initialiser")
def _(fixed):
    x, y = gesture_summaries(seed=2205)
    init = "glorot_uniform" if fixed else "ones"
    model = keras.Sequential([keras.Input((12,))]
                             + [layers.Dense(64, activation="sigmoid", kernel_initializer=init) for _ in range(3)]
                             + [layers.Dense(4, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- optimiser misuse

def leaf_species(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised leaf-shape measurements; three species from a fixed linear map plus an interaction."""
    rng, x = standard(seed, 10)
    score = x @ rng.normal(size=(10, 3)) + 0.6 * (x[:, :3] * x[:, 3:6])
    return x, score.argmax(1).astype("int64")


class LeafNet(keras.Model):
    """Two ReLU layers and a softmax over the species."""

    def __init__(self):
        super().__init__()
        self.a, self.b = layers.Dense(48, activation="relu"), layers.Dense(48, activation="relu")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, x):
        return self.out(self.b(self.a(x)))


@heldout22("subclassed-configured-adagrad-left-unused",
           ("no-learning", "stalled", "update-ratio", "stuck-at-chance", "lr-decay-too-fast",
            "cannot-overfit-batch"),
           ("no-learning", "stalled", "update-ratio", "stuck-at-chance"),
           r"optimizer\s*=\s*(opt\b|optimizer\b|the (configured|optimi[sz]er) object)|(pass|use|give)\w* (the |"
           r"your )?(configured |optimi[sz]er )?(object|instance)|(string|name) .?adagrad.?.{0,60}(default|"
           r"0\.001|1e-3)|(adagrad|string)\W.{0,40}default (learning[- ]rate|lr)|default (learning[- ]rate|"
           r"lr)\b.{0,30}"
           r"too (low|small)|(raise|increase|"
           r"larger|higher|bigger)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|\blr\b|step size)"
           r"\w*( is| was)? (too|far too|much too|very) (low|small|tiny)|(low|small|tiny) (learning rate|lr)\b",
           "a subclassed keras.Model that tells three leaf species apart from ten standardised shape "
           "measurements, whose script builds opt = keras.optimizers.Adagrad(learning_rate=0.1) after a "
           "tuning run and then compiles with model.compile(optimizer='adagrad', ...), the string kept from the "
           "first draft: the string builds a fresh Adagrad at Keras' default rate of 0.001 and the configured "
           "object is never used; Adagrad at 0.001, whose steps also shrink as its squared-gradient sums grow, "
           "moves the weights so little that after ten epochs the loss is still 1.06 (ln 3 is 1.10) and the "
           "accuracy 0.39, where the configured Adagrad reaches 0.05 and 0.99 (question class: Keras model not "
           "learning, optimizer settings seem to have no effect, "
           "optimizer passed as a string); fix: compile(optimizer=opt), Adagrad at 0.1")
def _(fixed):
    x, y = leaf_species(seed=2206)
    opt = keras.optimizers.Adagrad(learning_rate=0.1)
    model = LeafNet()
    return trained(model, x, y, optimizer=opt if fixed else "adagrad", loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- labels encoded wrongly

def newsletter_answers(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised visitor features; the answer to 'subscribe?' as the export writes it, 'yes' or 'no'."""
    rng, x = standard(seed, 9)
    score = x @ rng.normal(size=9) + 0.7 * x[:, 0] * x[:, 1]
    return x, np.where(score > np.quantile(score, 0.55), "yes", "no")


@heldout22("sequential-yes-labels-compared-capitalised",
           ("label-problem", "class-imbalance", "misleading-accuracy", "stuck-at-chance"),
           ("label-problem", "class-imbalance", "misleading-accuracy"),
           r"(labels?|targets?|y)\b.{0,40}(all (the )?(same|zero|0|one class|negative)|constant|single (class|"
           r"value)|only (one|a single) (class|value)|never (1|one|positive))|(one|a single) class\b.{0,30}"
           r"(label|target|present|only)|capitali[sz]|case[- ]sensitiv|\.lower\(\)|'yes'|\"yes\"|lower[- ]?case|"
           r"(no|zero) positive (labels|rows|examples)",
           "a Sequential newsletter-signup classifier (nine standardised visitor features -> Dense(32, relu) -> "
           "Dense(16, relu) -> Dense(1, sigmoid), 'binary_crossentropy', accuracy) whose labels are built as "
           "y = (answers == 'Yes').astype('float32') while the export writes the answers in lower case, 'yes' "
           "and 'no': no answer equals 'Yes', every label is 0, the model learns to say 0 for everybody within "
           "the first epoch, the loss falls towards 0 and the training and validation accuracy read 1.0 from "
           "the start, though 45% of the visitors did subscribe (question class: Keras accuracy 100% from the "
           "first epoch, loss near zero, model predicts only one class, labels all zeros); fix: compare "
           "case-insensitively, (answers == 'yes'), so that the labels hold both classes")
def _(fixed):
    x, answers = newsletter_answers(seed=2207)
    y = (answers == ("yes" if fixed else "Yes")).astype("float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input((9,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    return trained(model, x, y, optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- output activation against the loss

def claim_fraud(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised claim features; a 0/1 fraud flag (about half the claims), a learnable boundary."""
    rng, x = standard(seed, 13)
    fraud = x @ rng.normal(size=13) / np.sqrt(13) + 0.5 * np.abs(x[:, 4]) - 0.4 > 0
    return x, fraud.astype("float32").reshape(-1, 1)


@heldout22("functional-linear-unit-under-probability-bce",
           ("wrong-output-activation", "high-initial-loss", "stalled", "loss-metric-mismatch", "loss-spikes",
            "oscillation", "cannot-overfit-batch", "no-learning"),
           ("wrong-output-activation", "high-initial-loss", "loss-metric-mismatch", "cannot-overfit-batch"),
           r"sigmoid\b.{0,40}(output|last layer|final layer|head)|(output|last|final|head)\w*( layer| unit|"
           r" dense)?.{0,30}"
           r"\bsigmoid|activation\s*=\s*.?sigmoid|from_logits\s*=\s*true|(raw|linear|unbounded) (output|logit|"
           r"score)s?.{0,60}(probabilit|binary[_ ]cross|bce|from_logits)|(probabilit\w*).{0,40}(linear|raw|"
           r"unbounded|no activation|not (between|in) )",
           "a functional-API claim-fraud classifier (keras.Input of thirteen standardised features -> Dense(32, "
           "relu) -> Dense(16, relu) -> Dense(1)) compiled with loss='binary_crossentropy' and accuracy, the "
           "output layer left linear after the author read that 'the last layer should have no activation' in a "
           "guide that used from_logits=True: the string loss takes the output as a probability and clips it "
           "to [1e-7, 1 - 1e-7], so every row whose output falls outside (0, 1) costs up to 16 and passes no "
           "gradient: the loss starts at 3.4 and ends at 0.60 (validation 0.94, above ln 2), with accuracy "
           "0.78, where a sigmoid output reaches 0.30 (validation 0.31) and 0.90 (question class: Keras binary "
           "classification loss very high and accuracy "
           "stuck, no activation on the last Dense layer with binary_crossentropy); fix: Dense(1, "
           "activation='sigmoid') (or BinaryCrossentropy(from_logits=True))")
def _(fixed):
    x, y = claim_fraud(seed=2208)
    inp = keras.Input((13,), name="claim")
    h = layers.Dense(16, activation="relu")(layers.Dense(32, activation="relu")(inp))
    out = layers.Dense(1, activation="sigmoid" if fixed else None)(h)
    return trained(keras.Model(inp, out), x, y, optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"],
                   epochs=10)
