"""A twenty-eighth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Like sets 16 to 27 it measures whether traindoc names the repair for the COMMON bug classes of published
Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for. They were written without reading
traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT28.sha256``) before traindoc was ever run on them; see ``HELDOUT28.md``. Run with
``bench/bench_keras_bugs.py --set heldout28``.

The Keras programs: features and labels shuffled by two separate ``np.random.shuffle`` calls (two different
permutations), a Python generator over class-sorted arrays handed to ``fit(..., shuffle=True)`` (the flag is
ignored for generators), an ``InverseTimeDecay`` whose ``decay_steps=1`` was meant as one epoch, a power price
converted from EUR/MWh to EUR/Wh (a target of ~5e-5), a subclassed model that builds ``self.act`` and never calls
it, six tanh layers drawn from ``RandomUniform(-1, 1)``, ``Huber(reduction='sum')`` under an SGD rate tuned
for the mean, and a sigmoid head under ``SparseCategoricalCrossentropy(from_logits=True)``. The PyTorch half is
in ``heldout28_torch``.

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

HELDOUT28: list[Case] = []


def heldout28(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-eighth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT28.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- labels encoded wrongly (misaligned)

def leaf_shapes(seed: int, n: int = 640) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised leaf measurements; four leaf types from a fixed linear map plus a curvature term."""
    rng, x = standard(seed, 11, n)
    score = x @ rng.normal(size=(11, 4)) + 0.6 * np.stack([x[:, 0] ** 2, x[:, 1] * x[:, 2], -x[:, 3], x[:, 4]], 1)
    return x, score.argmax(1).astype("int64")


@heldout28("sequential-features-and-labels-shuffled-separately",
           ("label-problem", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "overfitting",
            "loss-metric-mismatch"),
           ("label-problem", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"(shuffl|permut)\w*.{0,60}(together|jointly|in unison|with the same (permutation|index|indices|order|"
           r"seed))|(same|one|single|shared) (permutation|index array|indices|random order).{0,40}(features|inputs|"
           r"labels|both|x and y)|(labels?|targets?).{0,40}(misaligned|no longer (match|correspond|line up)|do not "
           r"(match|correspond to) (the |their )?(rows|features|inputs)|out of (sync|step) with)|misalign\w*",
           "a Sequential leaf-type classifier (eleven standardised measurements -> Dense(48, relu) -> Dense(48, relu) "
           "-> Dense(4, softmax), sparse categorical cross-entropy, Adam 3e-3) whose script shuffles the table "
           "before the hand-made train/validation split with np.random.shuffle(x) followed by "
           "np.random.shuffle(y): the two calls draw two different permutations, so every label now belongs to "
           "some other leaf; training accuracy creeps up only by memorising (0.37 -> 0.57) and validation "
           "accuracy stays at chance (~0.27), where the aligned twin reaches 0.98 / 0.89 (question class: Keras "
           "model stuck at 25% accuracy after shuffling the data, features and labels shuffled separately); fix: "
           "draw one permutation and index both, idx = rng.permutation(len(x)); x, y = x[idx], y[idx]")
def _(fixed):
    x, y = leaf_shapes(seed=2801)
    if fixed:
        idx = np.random.default_rng(7).permutation(len(x))
        x, y = x[idx], y[idx]
    else:
        np.random.seed(7)
        np.random.shuffle(x)
        np.random.shuffle(y)  # the bug: a second, different permutation
    model = keras.Sequential([keras.Input((11,)), layers.Dense(48, activation="relu"),
                              layers.Dense(48, activation="relu"), layers.Dense(4, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- data not shuffled (ordered by class)

def machine_sounds(seed: int, per_class: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised spectral features per clip; three machine states, each recording file read in turn."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=0.9, size=(3, 9))
    x = np.concatenate([centres[c] + rng.normal(size=(per_class, 9)) for c in range(3)]).astype("float32")
    y = np.repeat(np.arange(3), per_class).astype("int64")
    return x, y


def batches(x: np.ndarray, y: np.ndarray, size: int, reshuffle: bool):
    """The author's endless batch generator (one pass over the arrays per epoch)."""
    rng = np.random.default_rng(0)
    while True:
        order = rng.permutation(len(x)) if reshuffle else np.arange(len(x))
        for i in range(0, len(x) - size + 1, size):
            idx = order[i:i + size]
            yield x[idx], y[idx]


@heldout28("functional-generator-over-sorted-files-shuffle-flag-ignored",
           ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "stuck-at-chance", "overfitting",
            "loss-metric-mismatch", "both-rising"),
           ("unshuffled-data", "oscillation", "loss-spikes"),
           r"shuffl\w* (the |your |all )?(rows|data|samples|examples|clips|order|batches|training (data|set|rows)|"
           r"dataset|arrays?)|(sorted|ordered|grouped) by (class|label|state)|(one|single|same) class (per|in each|"
           r"in every) batch|batch\w* (holds?|contains?|see|sees) (only )?(one|a single) class|generator.{0,60}"
           r"shuffl|shuffl.{0,60}generator|random (order|permutation)",
           "a functional machine-state classifier (nine spectral features -> Dense(32, relu) -> Dense(32, relu) -> "
           "Dense(3, softmax), SGD(0.1, momentum=0.9)) trained from the author's Python generator, which yields "
           "consecutive "
           "batches of 30 from arrays built by reading one recording file per state in turn (so sorted by class), "
           "passed as model.fit(batches(...), steps_per_epoch=16, shuffle=True): Keras ignores shuffle for a "
           "generator (it warns once), every batch holds one state, each epoch ends on the third state's batches "
           "and the model keeps being dragged to whichever state it saw last; the final training accuracy is 0.33 and "
           "the validation accuracy 0.60, where the reshuffling generator reaches 0.94 / 0.89 (question "
           "class: Keras fit with a generator, accuracy stuck, shuffle=True has no effect, data sorted by label); "
           "fix: shuffle inside the generator (a fresh permutation of the rows each pass)")
def _(fixed):
    x, y = machine_sounds(seed=2802)
    rng = np.random.default_rng(1)
    held = rng.permutation(len(x))[:120]
    keep = np.setdiff1d(np.arange(len(x)), held)  # stays in file order (sorted by class)
    inp = keras.Input((9,))
    h = layers.Dense(32, activation="relu")(layers.Dense(32, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(3, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return {"model": model, "x": batches(x[keep], y[keep], 30, reshuffle=fixed), "y": None,
            "fit": {"epochs": 10, "steps_per_epoch": len(keep) // 30, "shuffle": True, "verbose": 0,
                    "validation_data": (x[held], y[held])}}


# ---------------------------------------------------------------- learning-rate schedule far too fast

def cooling_load(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised building descriptors; a standardised cooling load with two interactions."""
    rng, x = standard(seed, 13)
    t = x @ rng.normal(size=13) / np.sqrt(13) + 0.6 * x[:, 0] * x[:, 1] - 0.5 * np.abs(x[:, 2])
    t = (t - t.mean()) / t.std()
    return x, t.astype("float32").reshape(-1, 1)


@heldout28("sequential-inverse-time-decay-steps-as-epochs",
           ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio", "late-start"),
           ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio"),
           r"decay_steps|decay (steps|per (step|batch|iteration))|(decay|schedule)\w*.{0,60}(every|each|per) "
           r"(step|batch|iteration)|(every|each|per) (step|batch|iteration).{0,40}(not|instead of|rather than) "
           r"(per |each |every )?epoch|(decay|schedule|learning[- ]rate)\w*.{0,40}(too fast|too quickly|too "
           r"aggressive\w*|too soon|too early|far too)|(slow|slower|gentler)\w* (the )?(decay|schedule)|"
           r"steps_per_epoch",
           "a Sequential cooling-load regressor (thirteen standardised building descriptors -> Dense(64, relu) -> "
           "Dense(64, relu) -> Dense(1), MSE) under Adam with keras.optimizers.schedules.InverseTimeDecay("
           "1e-2, decay_steps=1, decay_rate=1.0), the author reading decay_steps as 'decay once per epoch': Keras "
           "counts optimizer steps (batches), so the rate is 1e-2 / (1 + step), already 7e-4 at the end of the first "
           "epoch and 6e-5 at the last; the loss creeps from 0.62 to 0.22 (val_mae 0.42), where the same schedule with "
           "decay_steps=steps_per_epoch reaches 0.018 (val_mae 0.21) (question class: Keras learning rate schedule "
           "makes the "
           "model stop learning after the first epoch, decay_steps counted in batches); fix: decay_steps = the "
           "number of batches per epoch (len(x_train) // batch_size)")
def _(fixed):
    x, y = cooling_load(seed=2803)
    per_epoch = (len(x) - 120) // 32
    schedule = keras.optimizers.schedules.InverseTimeDecay(1e-2, decay_steps=per_epoch if fixed else 1,
                                                           decay_rate=1.0)
    model = keras.Sequential([keras.Input((13,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(1)])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(schedule), loss="mse", metrics=["mae"],
                   epochs=12)


# ---------------------------------------------------------------- target in the wrong units

def power_prices(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised load, wind and fuel columns; a day-ahead price in EUR/MWh (about 40-120)."""
    rng, x = standard(seed, 10)
    z = x @ rng.normal(size=10) / np.sqrt(10) + 0.4 * np.maximum(x[:, 0], 0) ** 2
    return x, (75.0 + 18.0 * z).astype("float32").reshape(-1, 1)


@heldout28("functional-price-converted-to-eur-per-wh",
           ("no-learning", "stalled", "loss-metric-mismatch", "update-ratio", "oscillation"),
           ("no-learning", "stalled", "loss-metric-mismatch", "update-ratio"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|multiply)\w* (the |your )?(target|label|y\b|price|regression "
           r"target|output value)s?|(target|label|price)s? (are |is )?(tiny|very small|too small|near zero|close to "
           r"zero|on a tiny scale|far smaller)|(eur|euro|€)\s*/\s*mwh|per mwh|(units?|scale) of the (target|label|"
           r"price)|target\w* (units?|scale)",
           "a functional-API day-ahead power-price regressor (ten standardised load, wind and fuel columns -> "
           "Dense(64, relu) -> Dense(32, relu) -> Dense(1), MSE, Adam 1e-3, R2Score as the metric) whose target "
           "was converted from EUR/MWh to EUR/Wh 'to use SI units' (price / 1e6): the target is about 7.5e-5 with "
           "a spread of 2e-5, the loss is the square of the net's own output, which Adam's steps of ~1e-3 per "
           "weight cannot bring down to a few 1e-5: the MSE falls from ~0.1 to ~3e-3 and looks small while R2 "
           "stays around -4e6 (the spread of the target is 2e-5); the same net on the price standardised from EUR/MWh "
           "reaches "
           "R2 ~0.9 (question class: Keras regression with very small target values predicts a constant, "
           "loss tiny but R2 negative); fix: keep the price in EUR/MWh and standardise it (invert the scaling "
           "for reporting)")
def _(fixed):
    x, y = power_prices(seed=2804)
    if fixed:
        y = ((y - y[:-120].mean()) / y[:-120].std()).astype("float32")
    else:
        y = (y / 1e6).astype("float32")  # EUR/MWh -> EUR/Wh
    inp = keras.Input((10,))
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1)(h))
    return trained(model, x, y, optimizer=keras.optimizers.Adam(1e-3), loss="mse",
                   metrics=[keras.metrics.R2Score()], epochs=12)


# ---------------------------------------------------------------- missing activation

def annulus(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four standardised features (1000 rows); positive when (x0, x1) lies in the ring 0.75 < r < 1.6 (about half)."""
    rng, x = standard(seed, 4, 1000)
    r = np.hypot(x[:, 0], x[:, 1])
    return x, ((r > 0.75) & (r < 1.6)).astype("float32").reshape(-1, 1)


class RingNet(keras.Model):
    """Two hidden Dense layers with a shared ReLU layer and a sigmoid output."""

    def __init__(self, apply_act: bool):
        super().__init__()
        self.d1, self.d2 = layers.Dense(64), layers.Dense(64)
        self.act = layers.ReLU()
        self.out = layers.Dense(1, activation="sigmoid")
        self.apply_act = apply_act

    def call(self, x):
        if self.apply_act:
            return self.out(self.act(self.d2(self.act(self.d1(x)))))
        return self.out(self.d2(self.d1(x)))  # the bug: self.act is built and never called


@heldout28("subclassed-relu-layer-built-never-called",
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"(activation|relu|non-?linearit\w*|self\.act)\w*.{0,40}(never (called|applied|used)|not (called|applied|"
           r"used)|is missing|are missing|unused)|(no|without|missing) (non-?linear\w*|hidden activation|activation "
           r"between)|(network|model|stack|layers?) (is|are) (purely |entirely |effectively |just )?linear|(apply|call|"
           r"use)\w* (the |self\.)?(act|relu|activation)\w*( layer)? (in|inside) (call|forward)|(add|insert)\w* (a |an "
           r")?(relu|non-?linearit\w*|activation) between",
           "a subclassed keras.Model for a ring-shaped decision region (four standardised features, 1000 rows; "
           "positive when "
           "the first two lie between radius 0.75 and 1.6, about half the rows) that builds self.d1 = Dense(64), "
           "self.d2 = Dense(64), self.act = layers.ReLU() and a sigmoid output in __init__, while call() returns "
           "self.out(self.d2(self.d1(x))): the ReLU layer is built and never called, so the network is one linear "
           "map and a logistic output, which cannot draw a ring; loss stays at ~0.69 and accuracy near 0.5, where "
           "the twin that calls self.act after each Dense reaches 0.06 and 0.97 (validation 0.92) (question class: "
           "Keras subclassed model "
           "does no better than logistic regression, activation layer defined in __init__ but not used); fix: "
           "apply self.act after each hidden Dense in call()")
def _(fixed):
    x, y = annulus(seed=2805)
    return trained(RingNet(apply_act=fixed), x, y, optimizer=keras.optimizers.Adam(1e-2),
                   loss="binary_crossentropy", metrics=["accuracy"], epochs=20)


# ---------------------------------------------------------------- saturation / vanishing gradients

def gearbox_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised vibration statistics; three fault classes."""
    rng, x = standard(seed, 20)
    score = x @ rng.normal(size=(20, 3)) / np.sqrt(20) + 0.5 * np.stack([x[:, 0] * x[:, 1], x[:, 2], -x[:, 3]], 1)
    return x, score.argmax(1).astype("int64")


@heldout28("sequential-tanh-layers-uniform-minus-one-to-one",
           ("saturated-activation", "vanishing-gradients", "poor-initialization", "stuck-at-chance", "no-learning",
            "stalled", "cannot-overfit-batch", "high-initial-loss"),
           ("saturated-activation", "vanishing-gradients", "poor-initialization", "high-initial-loss"),
           r"randomuniform|uniform\W{0,3}\(?-?1|(-1|minus one)\W{0,5}(to|and|,)\W{0,3}(\+?1|one)\b|(initiali[sz]\w*|"
           r"\binit\b|initial weights)\W.{0,40}(too (large|wide|big)|range)|glorot.{0,40}(tanh|default)|"
           r"(tanh|default).{0,40}glorot|xavier.{0,40}tanh|(fan[_ -]?in).{0,40}(scale|range|limit)",
           "a Sequential gearbox-fault classifier (twenty standardised vibration statistics -> six Dense(128, "
           "activation='tanh', kernel_initializer=keras.initializers.RandomUniform(-1.0, 1.0)) -> Dense(3, "
           "softmax), SGD(0.01, momentum=0.9)), the uniform range taken from a tutorial's 'weights start between "
           "-1 and 1': with 128 inputs per unit the pre-activations have a spread of ~6.5, most tanh units sit at "
           "-1 or 1 where the slope is ~0 and the network computes with near-binary codes that carry little "
           "gradient; the training loss falls to 0.31 while the validation accuracy stays near 0.6, where the default "
           "glorot_uniform init (limit sqrt(6 / (fan_in + fan_out)) ~0.15) reaches ~0.9 (question class: Keras "
           "deep tanh network learns badly, custom RandomUniform weight initialisation, saturated activations); "
           "fix: the default glorot_uniform initializer (a range scaled by the layer's fan-in)")
def _(fixed):
    x, y = gearbox_faults(seed=2806)
    init = "glorot_uniform" if fixed else keras.initializers.RandomUniform(-1.0, 1.0)
    model = keras.Sequential([keras.Input((20,))]
                             + [layers.Dense(128, activation="tanh", kernel_initializer=init) for _ in range(6)]
                             + [layers.Dense(3, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- wrong loss reduction

def grain_moisture(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised near-infrared bands; a standardised moisture content."""
    rng, x = standard(seed, 12, 840)
    m = x @ rng.normal(size=12) / np.sqrt(12) + 0.3 * np.tanh(x[:, 0] * x[:, 1])
    m = (m - m.mean()) / m.std()
    return x, m.astype("float32").reshape(-1, 1)


@heldout28("functional-huber-sum-reduction-sgd",
           ("divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high",
            "update-ratio", "nonfinite-origin", "high-initial-loss", "stalled", "dead-relu"),
           ("divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients", "lr-too-high",
            "update-ratio"),
           r"reduction|sum_over_batch_size|(sum|summed)\w*.{0,40}(instead of|rather than|not) (the )?(mean|average)|"
           r"(mean|average)\w*.{0,30}(instead of|rather than) (the )?sum|(loss|gradient)s?\W.{0,40}(grows?|scales?) "
           r"with (the )?batch[ _]size|batch[ _]size.{0,40}(multipl|scal)\w*.{0,30}(loss|gradient|step)",
           "a functional grain-moisture regressor (twelve standardised near-infrared bands -> Dense(64, relu) -> "
           "Dense(32, relu) -> Dense(1)) compiled with keras.losses.Huber(reduction='sum') 'so that every sample "
           "counts', batches of 128 and SGD(learning_rate=0.02, momentum=0.9), the rate taken from a run with the "
           "default mean reduction: summed over the batch, the gradient and so the step are 128 times larger, and "
           "the loss jumps and oscillates far above its start or blows up, where the mean-reduced Huber loss "
           "reaches ~0.05 (question class: Keras loss explodes after setting reduction to sum, loss value depends "
           "on the batch size); fix: keras.losses.Huber() with the default reduction "
           "'sum_over_batch_size' (or divide the rate by the batch size)")
def _(fixed):
    x, y = grain_moisture(seed=2807)
    inp = keras.Input((12,))
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1)(h))
    loss = keras.losses.Huber() if fixed else keras.losses.Huber(reduction="sum")
    return trained(model, x, y, optimizer=keras.optimizers.SGD(0.02, momentum=0.9), loss=loss, metrics=["mae"],
                   epochs=12, batch_size=128)


# ---------------------------------------------------------------- output activation against the loss

def bird_calls(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised call features; five species."""
    rng, x = standard(seed, 14)
    score = x @ rng.normal(size=(14, 5)) + 0.5 * np.stack([x[:, 0] * x[:, 1], x[:, 2] ** 2, -x[:, 3], x[:, 4],
                                                           np.abs(x[:, 5])], 1)
    return x, score.argmax(1).astype("int64")


@heldout28("sequential-sigmoid-head-into-logits-sparse-ce",
           ("wrong-output-activation", "loss-metric-mismatch", "stalled", "no-learning", "cannot-overfit-batch",
            "high-initial-loss"),
           ("wrong-output-activation", "loss-metric-mismatch", "stalled", "cannot-overfit-batch"),
           r"(remove|drop|delete|without|no)\w*( the)? (final |output |last )?sigmoid|sigmoid.{0,60}(from_logits|"
           r"logits?\b|with-logits)|from_logits.{0,60}sigmoid|raw (logits?|scores)|activation\s*=\s*none|logits?.{0,40}"
           r"(bounded|between 0 and 1|in \[0, ?1\]|squashed)",
           "a Sequential bird-species classifier (fourteen standardised call features -> Dense(64, relu) -> "
           "Dense(64, relu) -> Dense(5, activation='sigmoid')) compiled with "
           "keras.losses.SparseCategoricalCrossentropy(from_logits=True) and accuracy, the sigmoid kept 'to get "
           "probabilities out of the model': the loss reads the five sigmoid outputs as logits, which cannot leave "
           "[0, 1], so the best it can give the right species is e / (e + 4) ~0.40 and the loss cannot go below "
           "~0.9 while the accuracy still rises; the loss ends at ~1.0 (accuracy 0.92), the linear head reaches 0.14 "
           "(0.985) (question class: Keras "
           "loss stuck at a high value although accuracy improves, sigmoid output with from_logits=True); fix: "
           "Dense(5) with no activation (raw logits) under from_logits=True, or softmax with from_logits=False")
def _(fixed):
    x, y = bird_calls(seed=2808)
    model = keras.Sequential([keras.Input((14,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"),
                              layers.Dense(5, activation=None if fixed else "sigmoid")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(2e-3),
                   loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                   epochs=12)
