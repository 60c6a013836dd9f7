"""A twenty-seventh held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Like sets 16 to 26 it measures whether traindoc names the repair for the COMMON bug classes of published
Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for, leaning on the classes the recent sets
hold fewest of (labels encoded wrongly, a loss that does not fit the target, a target
in the wrong units, a missing activation, saturation, a wrong loss scale, gradients cut off). They were written without
reading traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT27.sha256``) before traindoc was ever run on them; see ``HELDOUT27.md``. Run with
``bench/bench_keras_bugs.py --set heldout27``.

The Keras programs: feature rows with missing values dropped while the label column is cut to the same length
(the labels slide against the rows), hidden layers written ``Dense(64, activation='softmax')``,
``loss='cosine_similarity'`` on a one-column regression target, a birth weight regressed in grams
under MAE and Adam, functional ``layers.Activation('relu')(h)`` calls whose results are never assigned, Adam
given ``epsilon=1.0`` from a tuning note, a subclassed ``call`` that hands the hidden layer on through a NumPy
copy, and ``class_weight`` written in percent. The PyTorch half is in ``heldout27_torch``.

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

from .heldout20_keras import standard, trained
from .keras_cases import Case

HELDOUT27: list[Case] = []


def heldout27(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-seventh held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT27.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- labels encoded wrongly

def soil_samples(seed: int, n: int = 660) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised soil readings with about one row in nine missing a value; three soil classes."""
    rng, x = standard(seed, 10, n)
    score = x @ rng.normal(size=(10, 3)) + 0.7 * np.stack([x[:, 0] * x[:, 1], -x[:, 2] ** 2, x[:, 3]], 1)
    y = score.argmax(1).astype("int64")
    holes = rng.random(n) < 0.11
    x[holes, rng.integers(0, 10, size=holes.sum())] = np.nan
    return x, y


@heldout27("sequential-nan-rows-dropped-labels-cut-to-length",
           ("label-problem", "stalled", "overfitting", "cannot-overfit-batch", "stuck-at-chance", "no-learning"),
           ("label-problem", "cannot-overfit-batch"),
           r"(label|target)s?\W.{0,50}(misaligned|out of (step|sync|order)|shifted|do not (match|line up|belong)|"
           r"not aligned|mismatch\w*|wrong rows?|other rows?)|(misaligned|shifted|mismatched) (label|target)s?|"
           r"(align|match|pair)\w* (the )?(label|target|y)s? (with|to) (the )?(rows?|features?|inputs?|x\b)|"
           r"(same|the) (mask|index|rows?) (to|for|on) (the )?(labels?|targets?|y\b)|y\[keep\]|"
           r"(drop|filter|remov)\w* (the )?(labels?|targets?|y)\b.{0,30}(too|as well|same|with)",
           "a Sequential soil classifier (ten standardised readings -> Dense(32, relu) -> Dense(32, relu) -> "
           "Dense(3, softmax), Adam, 'sparse_categorical_crossentropy') whose loading script drops the rows "
           "with a missing reading, keep = ~np.isnan(x).any(axis=1); x = x[keep], and then cuts the label "
           "column to the same length with y = y[:len(x)]: every row after the first dropped one is paired "
           "with the label of a row further down, so most labels belong to other samples and the features "
           "cannot predict them; the training loss stays near 1.0 and the validation accuracy near a third "
           "(question class: Keras classifier accuracy stuck after cleaning NaN rows, labels and features no "
           "longer match); fix: apply the same mask to the labels, y = y[keep]")
def _(fixed):
    x, y = soil_samples(seed=2701)
    keep = ~np.isnan(x).any(axis=1)
    x = x[keep]
    y = y[keep] if fixed else y[:len(x)]
    model = keras.Sequential([keras.Input((10,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")])
    return trained(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                   epochs=12, held_out=100)


# ---------------------------------------------------------------- saturation (an activation that squashes)

def gait_windows(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised summaries of an accelerometer window; four activities, about equally common."""
    rng, x = standard(seed, 6, n)
    score = x @ rng.normal(size=(6, 4)) + 0.5 * np.tanh(x[:, :4] * x[:, 1:5])
    return x, score.argmax(1).astype("int64")


@heldout27("sequential-softmax-as-hidden-activation",
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning", "stalled",
            "cannot-overfit-batch", "poor-initialization"),
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning"),
           r"softmax\w*.{0,60}(hidden|intermediate|inner|every layer|each layer|all layers)|(hidden|"
           r"intermediate|inner) (layers?|units?|activations?)\w*.{0,60}softmax|softmax.{0,40}(with|by|to|for) "
           r"(relu|leaky|tanh)|relu\w* "
           r"(instead of|rather than|in place of) (the )?softmax|softmax (only|just) (on|at|for) the (output|"
           r"last|final)",
           "a Sequential activity recogniser (six standardised accelerometer summaries -> three Dense(64) "
           "hidden layers -> Dense(4, softmax), Adam(1e-3), 'sparse_categorical_crossentropy') whose hidden "
           "layers were all written Dense(64, activation='softmax'), the author reading softmax as 'the "
           "classification activation' and using it throughout: each hidden layer's 64 outputs are forced to "
           "add up to one, so every unit carries about 1/64 and the next layer sees nearly the same small "
           "vector for every window; the softmax's derivative at such values is tiny, the gradients vanish "
           "through three of them and the loss sits at ln 4 with the accuracy at chance (question class: "
           "Keras model accuracy stuck at 25 percent, loss 1.386 does not change, which activation in the "
           "hidden layers); fix: activation='relu' in the hidden layers, softmax only on the output")
def _(fixed):
    x, y = gait_windows(seed=2702)
    act = "relu" if fixed else "softmax"
    model = keras.Sequential([keras.Input((6,)), *[layers.Dense(64, activation=act) for _ in range(3)],
                              layers.Dense(4, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- loss that does not fit the target

def pump_drift(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised pump readings; the pressure drift (signed, spread about 2) in one column."""
    rng, x = standard(seed, 8)
    y = 2.0 * np.tanh(x @ rng.normal(size=8) / np.sqrt(8)) + 0.6 * x[:, 2] * x[:, 3] + 0.4
    return x, y.astype("float32").reshape(-1, 1)


@heldout27("functional-cosine-similarity-loss-on-one-column",
           ("loss-metric-mismatch", "stalled", "no-learning", "cannot-overfit-batch"),
           ("loss-metric-mismatch", "stalled", "cannot-overfit-batch"),
           r"cosine[_ ]similarity|cosine (loss|of)|(loss|objective)\w*.{0,50}(only|just) (the )?(sign|direction)|"
           r"(sign|direction) (only|alone)|(scale|magnitude)[- ]invariant|ignores? (the )?(scale|magnitude|size)|"
           r"(mse|mean[_ ]squared[_ ]error|mae|mean[_ ]absolute[_ ]error|huber)\w*.{0,30}(for|on) (a |the )?"
           r"(regression|real|continuous|numeric)|(regression|continuous|numeric) (target|output)s?.{0,40}"
           r"(mse|mean squared|mae|mean absolute|huber)",
           "a functional-API regressor of pump pressure drift (eight standardised readings -> Dense(64, relu) "
           "-> Dense(32, relu) -> Dense(1)) compiled with loss='cosine_similarity' and metrics=['mae'], the "
           "loss picked from the list of Keras losses as a 'similarity between prediction and truth': on a "
           "one-column target the cosine of two scalars is only the product of their signs, which says nothing "
           "about the size of the prediction and whose gradient is zero wherever the prediction is not 0: the "
           "loss stays at -0.16 (the positive targets' share minus the negative ones') from the first epoch to "
           "the last and the mean absolute error stays near 1.08 (question class: Keras regression, loss does "
           "not change and predictions are far off, which loss for a continuous target); fix: "
           "loss='mse' (a regression loss on the value, not its direction)")
def _(fixed):
    x, y = pump_drift(seed=2703)
    inp = keras.Input((8,), name="readings")
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1)(h))
    return trained(model, x, y, optimizer="adam", loss="mse" if fixed else "cosine_similarity",
                   metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- target in the wrong units

def births(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised maternal measurements; the birth weight in kilograms (about 2.2 to 4.6)."""
    rng, x = standard(seed, 9)
    kg = 3.4 + 0.45 * np.tanh(x @ rng.normal(size=9) / 3) + 0.15 * x[:, 0]
    return x, kg.astype("float32").reshape(-1, 1)


class BirthWeight(keras.Model):
    """Two ReLU layers and a linear output."""

    def __init__(self):
        super().__init__()
        self.body = [layers.Dense(48, activation="relu"), layers.Dense(24, activation="relu")]
        self.out = layers.Dense(1)

    def call(self, x):
        for layer in self.body:
            x = layer(x)
        return self.out(x)


@heldout27("subclassed-birth-weight-in-grams-under-mae",
           ("stalled", "no-learning", "high-initial-loss", "update-ratio"),
           ("stalled", "no-learning", "high-initial-loss"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|regression "
           r"target|output value|weight)s?|(target|label)s? (are |is )?(in|on) (a )?(large|huge|raw|different|"
           r"original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) (target|label)s?|"
           r"\bgrams?\b|kilogram|\bkg\b|/ ?1000",
           "a subclassed keras.Model regressing the birth weight (nine standardised maternal measurements -> "
           "Dense(48, relu) -> Dense(24, relu) -> Dense(1)) under loss='mae' and "
           "keras.optimizers.Adam(learning_rate=1e-3), the target taken from the hospital export in grams "
           "(about 2,200 to 4,600): the network starts near 0, the absolute-error gradient has the same size "
           "whatever the error, and Adam moves each weight by about a thousandth per step, so after twelve "
           "epochs the predictions have climbed a small part of the way and the loss is still in the thousands "
           "(question class: Keras regression MAE stays huge and barely decreases, predicted values far too "
           "small); fix: train on the weight in kilograms (divide the target by 1000, or standardise it)")
def _(fixed):
    x, kg = births(seed=2704)
    y = kg if fixed else kg * 1000.0
    return trained(BirthWeight(), x, y, optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mae",
                   epochs=12)


# ---------------------------------------------------------------- missing activation

def ring_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four standardised features; label 1 when (x0, x1) lies in the ring 0.8 < r < 1.6 (no linear boundary)."""
    _, x = standard(seed, 4, 800)
    r = np.hypot(x[:, 0], x[:, 1])
    return x, ((r > 0.8) & (r < 1.6)).astype("float32").reshape(-1, 1)


@heldout27("functional-activation-calls-not-assigned",
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"(activation|relu)\w*.{0,50}(never applied|not applied|not used|discarded|not assigned|unused|"
           r"dropped|(is|are) missing|absent|not connected|not in the graph)|(assign|use|keep)\w* the "
           r"(result|output) of (the )?(activation|relu)|h ?= ?layers\.Activation|(no|without|missing) "
           r"(non-?linear\w*|hidden activation)|(network|model|stack) (is|becomes|collapses to|reduces to|"
           r"stays) (a |one )?(single )?linear|linear (in its input|map|stack|model)\b",
           "a functional-API classifier of points in a ring (four standardised features, label 1 when 0.8 < r < "
           "1.6 in the first two) written h = layers.Dense(64)(inp); layers.Activation('relu')(h); h = "
           "layers.Dense(64)(h); layers.Activation('relu')(h); out = layers.Dense(1, activation='sigmoid')(h): "
           "the Activation layers are called but their outputs are never assigned, so the graph keras.Model "
           "builds from inp to out does not contain them and the network is a single linear map, which cannot "
           "separate a ring; the loss stays at the base-rate entropy and the accuracy at the share of the "
           "larger class (question class: Keras functional model no better than logistic regression, "
           "activation layers have no effect, summary shows no activation); fix: h = "
           "layers.Activation('relu')(h) (assign the output)")
def _(fixed):
    x, y = ring_points(seed=2705)
    inp = keras.Input((4,))
    h = layers.Dense(64)(inp)
    if fixed:
        h = layers.Activation("relu")(h)
    else:
        layers.Activation("relu")(h)
    h = layers.Dense(64)(h)
    if fixed:
        h = layers.Activation("relu")(h)
    else:
        layers.Activation("relu")(h)
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return trained(model, x, y, optimizer=keras.optimizers.Adam(5e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=20, held_out=160)


# ---------------------------------------------------------------- optimiser misuse

def loan_grades(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised applicant features; five grades from a fixed linear map (learnable)."""
    rng, x = standard(seed, 11)
    return x, (x @ rng.normal(size=(11, 5))).argmax(1).astype("int64")


@heldout27("sequential-adam-epsilon-one-from-tuning-note",
           ("no-learning", "stalled", "update-ratio", "stuck-at-chance", "lr-decay-too-fast"),
           ("no-learning", "stalled", "update-ratio"),
           r"epsilon|\beps\b",
           "a Sequential loan-grade classifier (eleven standardised applicant features -> Dense(64, relu) -> "
           "Dense(32, relu) -> Dense(5, softmax), 'sparse_categorical_crossentropy') compiled with "
           "keras.optimizers.Adam(learning_rate=1e-3, epsilon=1.0), the epsilon copied from an optimiser note "
           "that suggests 1.0 or 0.1 for a large image network: Adam divides each step by sqrt(v) + epsilon, and "
           "with gradients of a few hundredths an epsilon of 1 makes every step about a thousandth of the "
           "gradient instead of a thousandth of the weight scale, so the weights hardly move and the loss stays "
           "near ln 5 (question class: Keras model does not learn with Adam, loss nearly constant, which Adam "
           "settings); fix: leave epsilon at its default (1e-7)")
def _(fixed):
    x, y = loan_grades(seed=2706)
    opt = keras.optimizers.Adam(learning_rate=1e-3) if fixed else keras.optimizers.Adam(learning_rate=1e-3,
                                                                                        epsilon=1.0)
    model = keras.Sequential([keras.Input((11,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(5, activation="softmax")])
    return trained(model, x, y, optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                   epochs=10)


# ---------------------------------------------------------------- gradients cut off (detaching)

def chips(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised wafer measurements; three defect types set by products of pairs (nonlinear)."""
    rng, x = standard(seed, 12)
    score = np.stack([x[:, 0] * x[:, 1], x[:, 2] * x[:, 3], 0.6 * x[:, 4] - 0.6 * x[:, 5] ** 2], 1)
    return x, (score + 0.2 * x @ rng.normal(size=(12, 3))).argmax(1).astype("int64")


class WaferNet(keras.Model):
    """A narrow encoder, a hidden layer kept for inspection, and a softmax head."""

    def __init__(self, keep_graph: bool):
        super().__init__()
        self.enc = layers.Dense(8, activation="relu")
        self.mid = layers.Dense(32, activation="relu")
        self.head = layers.Dense(3, activation="softmax")
        self.keep_graph = keep_graph
        self.last_codes = None

    def call(self, x):
        codes = self.enc(x)
        if self.keep_graph:
            self.last_codes = ops.convert_to_numpy(ops.stop_gradient(codes))  # a copy to inspect; train on codes
        else:
            self.last_codes = ops.convert_to_numpy(codes)  # kept so a callback can plot them
            codes = ops.convert_to_tensor(self.last_codes)
        return self.head(self.mid(codes))


@heldout27("subclassed-codes-passed-on-as-numpy-copy",
           ("frozen-parameters", "stalled", "cannot-overfit-batch", "vanishing-gradients", "no-learning"),
           ("frozen-parameters", "vanishing-gradients"),
           r"(detach|numpy|convert_to_numpy|convert_to_tensor|stop_gradient|graph)\w*.{0,60}(gradient|"
           r"encoder|earlier|first|layer)|(gradient|backprop)\w*.{0,60}(cut|broken|blocked|stopped|never "
           r"reach|does not (reach|flow)|do not (reach|flow)|severed)|(no|zero) gradients? (reach|flow|for|in|"
           r"to) (the )?(first|earlier|encoder|lower)|(encoder|first layer|earlier layers?)\w*.{0,40}(never "
           r"(change|update|train)|frozen|not (updated|trained|learning))",
           "a subclassed keras.Model for wafer defect types (twelve standardised measurements -> Dense(12, "
           "relu) encoder -> Dense(32, relu) -> Dense(3, softmax), Adam, 'sparse_categorical_crossentropy') "
           "whose call() keeps the encoder's codes for a plotting callback with self.last_codes = "
           "ops.convert_to_numpy(codes) and then continues with codes = ops.convert_to_tensor(self.last_codes): "
           "the NumPy round trip leaves the graph, so no gradient reaches the encoder, its twelve random units "
           "never change and only the two upper layers learn on random features; the loss stops well above "
           "where the same network ends when the encoder trains (question class: Keras custom model, first "
           "layer weights never change, gradients None for the encoder after converting to numpy in call); "
           "fix: keep training on the tensor (store a copy for the plot, do not replace codes with it)")
def _(fixed):
    x, y = chips(seed=2707)
    return trained(WaferNet(keep_graph=fixed), x, y, optimizer=keras.optimizers.Adam(3e-3),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- loss scale (class weights)

def fraud_flags(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised transaction features; about a fifth of the rows flagged (a learnable boundary)."""
    rng, x = standard(seed, 9)
    score = x @ rng.normal(size=9) / 3 + 0.5 * x[:, 0] * x[:, 1]
    return x, (score > np.quantile(score, 0.8)).astype("float32").reshape(-1, 1)


@heldout27("sequential-class-weights-written-in-percent",
           ("divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high",
            "both-rising", "stalled", "stuck-at-chance"),
           ("divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high"),
           r"(class|sample)[_ ]weights?\W.{0,60}(too (large|big|high)|percent|scale|sum|normali[sz]|around "
           r"(one|1)|100)|(loss|weights?)\w*.{0,40}(percent|scaled up|multipl\w* by|"
           r"\d+ ?times|too large)|(weights?|loss)\w*.{0,30}(sum|average|mean) (to|of) (one|1)\b|"
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
           r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)",
           "a Sequential fraud flagger (nine standardised transaction features -> Dense(32, relu) -> Dense(16, "
           "relu) -> Dense(1, sigmoid), SGD(learning_rate=0.05), 'binary_crossentropy', a fifth of the rows "
           "flagged) fitted with class_weight={0: 62.5, 1: 250.0}, the balanced weights n / (2 * n_c) written "
           "as percentages: every sample's loss is multiplied by 62 or 250, so every gradient is too, and the "
           "SGD rate tuned for unweighted batches now takes steps a hundred times too large; the weighted loss "
           "stays in the tens to hundreds, the training accuracy falls below one half and the validation "
           "accuracy sits at the unflagged share, a constant guess (question class: Keras loss huge and "
           "jumping after adding class_weight for an imbalanced data set); fix: "
           "class_weight={0: 0.625, 1: 2.5} (weights around one)")
def _(fixed):
    x, y = fraud_flags(seed=2708)
    n, pos = len(y), float(y.sum())
    scale = 1.0 if fixed else 100.0
    weights = {0: scale * n / (2 * (n - pos)), 1: scale * n / (2 * pos)}
    model = keras.Sequential([keras.Input((9,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    prog = trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=10)
    prog["fit"]["class_weight"] = weights
    return prog
