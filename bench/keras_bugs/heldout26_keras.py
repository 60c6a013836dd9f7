"""A twenty-sixth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Like sets 16 to 25 it measures whether traindoc names the repair for the COMMON bug classes of published
Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for, leaning on the classes the recent sets
hold fewest of (labels encoded wrongly, data left in class order, a loss that does not fit the labels, inputs or
targets in the wrong scale, saturation, a model put in the wrong mode). They were written without reading
traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT26.sha256``) before traindoc was ever run on them; see ``HELDOUT26.md``. Run with
``bench/bench_keras_bugs.py --set heldout26``.

The Keras programs: validation class ids encoded by a second ``np.unique`` call of their own, class-sorted rows
split by ``validation_split``, ``KLDivergence`` fed a column of class ids, a tanh stack initialised
``Orthogonal(gain=5.0)``, ``model.trainable = False`` written as an inference switch before ``compile``, a
``ReduceLROnPlateau`` whose ``min_delta`` was meant as a fraction, a ``Normalization`` layer never adapted, and a
regression target de-standardised although it was never standardised. The PyTorch half is in
``heldout26_torch``.

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

from .keras_cases import Case

HELDOUT26: list[Case] = []


def heldout26(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-sixth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT26.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def fitted(model: keras.Model, x, y, *, optimizer, loss, metrics=(), epochs: int = 10, batch_size: int = 32,
           val=None, **fit) -> dict:
    """Compile ``model`` and return the bench's program dict; ``val`` is an (x, y) pair or None."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    spec = {"epochs": epochs, "batch_size": batch_size, "verbose": 0, **fit}
    if val is not None:
        spec["validation_data"] = val
    return {"model": model, "x": x, "y": y, "fit": spec}


def table(seed: int, n: int, d: int) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- labels encoded wrongly

BIRDS = np.array(["finch", "heron", "owl", "wren"])


def bird_calls(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised call features; the species name is a learnable function of them."""
    rng, x = table(seed, n, 11)
    w = np.random.default_rng(2600).normal(size=(11, 4))
    return x, BIRDS[(x @ w + 0.5 * np.tanh(x[:, :4])).argmax(1)]


@heldout26("functional-validation-ids-from-their-own-unique",
           ("overfitting", "loss-metric-mismatch", "label-problem", "both-rising", "stalled"),
           ("overfitting", "loss-metric-mismatch", "label-problem"),
           r"(same|one|single|shared|training)( label)? (mapping|vocabulary|encoder|encoding|class list|lookup|"
           r"index)|(encod|map|index|number)\w* (the )?(validation|val|test)\w*( set)? labels? (separately|on "
           r"(its|their) own|with (a|its) own|differently)|(separate|second|own) (label )?(encoder|"
           r"encoding|mapping|np\.unique|vocabulary)|np\.unique|return_inverse|searchsorted|(validation|val|test)"
           r" (labels?|ids?|class ids?).{0,50}(shift|different|mismatch|disagree|do not match|don't match|"
           r"wrong class)|(fit|build)\w* the (label )?encoder on (the )?train",
           "a functional-API bird-call classifier (eleven standardised call features, four species) whose "
           "species names are turned into class ids with names, ids = np.unique(labels, return_inverse=True), "
           "called once on the training file and once more on the validation file, a later recording season in "
           "which no heron was heard: the validation file's own np.unique gives owl the id 1 and wren the id 2 "
           "where training gave them 2 and 3, so two thirds of the validation rows carry another species' id; "
           "the training loss falls to ~0.1 while the validation loss rises and the validation accuracy stays "
           "below a half (question class: Keras validation accuracy far below training accuracy from the first "
           "epoch, labels encoded separately for train and test); fix: encode the validation names with the "
           "training classes, np.searchsorted(names, val_labels) (one mapping for both)")
def _(fixed):
    x, lab = bird_calls(seed=2601, n=480)
    xv, lab_v = bird_calls(seed=2602, n=240)
    keep = lab_v != "heron"
    xv, lab_v = xv[keep][:120], lab_v[keep][:120]
    names, y = np.unique(lab, return_inverse=True)
    if fixed:
        yv = np.searchsorted(names, lab_v)
    else:
        _names_v, yv = np.unique(lab_v, return_inverse=True)
    inp = keras.Input((11,))
    h = layers.Dense(48, activation="relu")(inp)
    h = layers.Dense(24, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    return fitted(model, x, y.astype("int64"), optimizer=keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12,
                  val=(xv, yv.astype("int64")))


# ---------------------------------------------------------------- data not shuffled / ordered by class

def gesture_files(seed: int, per_class: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Four gesture classes read file after file (class 0's rows, then class 1's, ...): 24 wrist-sensor features."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=1.1, size=(4, 24))
    xs = [(centres[c] + rng.normal(size=(per_class, 24))).astype("float32") for c in range(4)]
    return np.concatenate(xs), np.repeat(np.arange(4), per_class).astype("int64")


@heldout26("sequential-validation-split-over-gesture-files",
           ("overfitting", "loss-metric-mismatch", "unshuffled-data", "both-rising", "label-problem", "stalled"),
           ("overfitting", "loss-metric-mismatch", "unshuffled-data", "label-problem"),
           r"shuffl\w*|(sorted|ordered|grouped|arranged|concatenated) by (the )?(class|label|gesture|file)|"
           r"(class|label)[- ](sorted|ordered)|validation_split.{0,80}(last|end|tail|final)|(last|final) "
           r"(\d+ ?%|rows|samples|quarter|part|fraction|portion).{0,60}(validation|held[- ]out)|(validation|"
           r"held[- ]out) (set|split|rows|data) .{0,40}(one|a single|only one|the last) (class|label|gesture)|"
           r"(class|label|gesture)\w* (never|not) (seen|present|in the training)|random (order|permutation|split)|"
           r"permutation|stratif",
           "a Sequential gesture classifier (24 wrist-sensor features, Dense(64, relu) -> Dense(32, relu) -> "
           "Dense(4, softmax), Adam) whose rows are read gesture file after gesture file, so the arrays are "
           "sorted by class, and fit with model.fit(x, y, validation_split=0.25): Keras takes the validation "
           "rows from the end of the arrays before any shuffling, so the validation set is exactly the fourth "
           "gesture and training never sees it; the training accuracy reaches ~1 while the validation accuracy "
           "is 0 and the validation loss grows every epoch (question class: Keras validation accuracy zero while "
           "training accuracy is high, validation_split on ordered data); fix: shuffle the arrays once with one "
           "permutation before fit")
def _(fixed):
    x, y = gesture_files(seed=2603)
    if fixed:
        order = np.random.default_rng(26).permutation(len(y))
        x, y = x[order], y[order]
    model = keras.Sequential([keras.Input((24,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(4, activation="softmax")])
    return fitted(model, x, y, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  epochs=10, validation_split=0.25)


# ---------------------------------------------------------------- loss that does not fit the label format

def soil_classes(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised soil measurements; four texture classes as an (n, 1) column of ids."""
    rng, x = table(seed, n, 7)
    w = rng.normal(size=(7, 4))
    return x, (x @ w + 0.6 * x[:, :1] ** 2).argmax(1).astype("float32").reshape(-1, 1)


@heldout26("functional-kl-divergence-on-class-id-column",
           ("stuck-at-chance", "no-learning", "stalled", "loss-metric-mismatch", "label-problem",
            "cannot-overfit-batch"),
           ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
           r"(use|switch to|change to|with|replace \w+ (with|by))\w*.{0,30}sparse[_ ]?categorical|sparse[_ ]?"
           r"categorical\w*.{0,40}(instead|rather than)|SparseCategoricalCrossentropy\(|kl[_ ]?div\w*|kullback|"
           r"(class|integer|sparse) (ids?|"
           r"indices|labels|index).{0,60}(distribution|probabilit|one[- ]?hot|kl\b)|(expects?|needs?|wants?|"
           r"requires?) (a |one )?(probability )?distributions?\b.{0,40}(label|target|y_true)|(labels?|"
           r"targets?)( are| is)? (not|no) (a )?(probability )?distributions?",
           "a functional-API soil-texture classifier (seven standardised measurements -> Dense(32, relu) -> "
           "Dense(32, relu) -> Dense(4, softmax)) compiled with loss=keras.losses.KLDivergence() because the "
           "author read that cross-entropy and KL divergence have the same gradients, and fit on the class ids "
           "as an (N, 1) float column: KL divergence expects a probability distribution per row, Keras clips the "
           "ids 2 and 3 to 1 and broadcasts the column over the four outputs, so rows of class 0 cost nothing "
           "and every other row asks for all four probabilities at once; the softmax settles near uniform and "
           "the accuracy near a quarter where sparse cross-entropy reaches ~0.9 (question class: Keras "
           "classifier stuck at chance accuracy, which loss for integer labels); fix: "
           "loss='sparse_categorical_crossentropy'")
def _(fixed):
    x, y = soil_classes(seed=2604)
    inp = keras.Input((7,))
    h = layers.Dense(32, activation="relu")(layers.Dense(32, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    loss = "sparse_categorical_crossentropy" if fixed else keras.losses.KLDivergence()
    return fitted(model, x[:480], y[:480], optimizer=keras.optimizers.Adam(3e-3), loss=loss,
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")], epochs=12,
                  val=(x[480:], y[480:]))


# ---------------------------------------------------------------- saturation

class TanhTower(keras.Model):
    """Six Dense(64, tanh) layers with one kernel initialiser, and a softmax head over three classes."""

    def __init__(self, init):
        super().__init__()
        self.tower = [layers.Dense(64, activation="tanh", kernel_initializer=init) for _ in range(6)]
        self.head = layers.Dense(3, activation="softmax")

    def call(self, x):
        for layer in self.tower:
            x = layer(x)
        return self.head(x)


def radar_returns(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised radar-return features, three target kinds from a linear map with a bend."""
    rng, x = table(seed, n, 20)
    return x, (x @ rng.normal(size=(20, 3)) + 0.8 * np.tanh(x[:, :3])).argmax(1).astype("int64")


@heldout26("subclassed-tanh-tower-orthogonal-gain-five",
           ("saturated-activation", "vanishing-gradients", "poor-initialization", "stalled", "no-learning",
            "stuck-at-chance", "cannot-overfit-batch", "high-initial-loss", "overfitting"),
           ("saturated-activation", "vanishing-gradients", "poor-initialization"),
           r"gain ?(=|of) ?5(\.0)?\b|gain\b.{0,30}(too (large|big|high)|5 ?/ ?3)|orthogonal\w*.{0,40}(gain|too "
           r"(large|big))|(reduce|lower|smaller)\w* (the )?orthogonal gain|(initial|init)\w* (weights?|scale|"
           r"kernels?) (are |is )?(too )?(large|big)|"
           r"(too )?(large|big) (initial )?(weights?|kernels?|init\w*)|5 ?/ ?3|glorot_uniform|default (kernel[_ ])?"
           r"initiali[sz]er|"
           r"(saturat\w*|flat ends?).{0,60}(init\w*|weights?|kernels?|scale)|(init\w*|weights?|kernels?|scale)\w*"
           r".{0,60}saturat\w*",
           "a subclassed keras.Model of six Dense(64, activation='tanh') layers whose kernels are "
           "keras.initializers.Orthogonal(gain=5.0): the author had read that tanh wants a gain of 5/3 and kept "
           "only the 5; each layer multiplies the signal's scale by five, so from the second layer on nearly "
           "every unit sits at +-1, where tanh's slope is ~0, the first layers get almost no gradient and the "
           "tower fits the radar data slowly and badly: after twelve epochs of SGD with momentum the loss is "
           "~0.3 and the validation accuracy ~0.63, where the same tower with gain 5/3 reaches ~0.005 and 0.91 "
           "(question class: Keras deep tanh network does not learn, activations all saturated at -1 and 1); "
           "fix: Orthogonal(gain=5 / 3) (or the default glorot_uniform)")
def _(fixed):
    x, y = radar_returns(seed=2605)
    init = keras.initializers.Orthogonal(gain=5 / 3 if fixed else 5.0, seed=26)
    return fitted(TanhTower(init), x[:480], y[:480], optimizer=keras.optimizers.SGD(0.02, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12,
                  val=(x[480:], y[480:]))


# ---------------------------------------------------------------- a model put in the wrong mode

def pump_faults(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised pump readings; 1 for a pump that failed within a month (about 40%)."""
    rng, x = table(seed, n, 13)
    s = x @ rng.normal(size=13) / np.sqrt(13) + 0.5 * x[:, 0] * x[:, 2]
    return x, (s > np.quantile(s, 0.6)).astype("float32").reshape(-1, 1)


@heldout26("sequential-trainable-false-as-inference-switch",
           ("frozen-parameters", "no-learning", "stalled", "stuck-at-chance", "cannot-overfit-batch",
            "update-ratio", "loss-metric-mismatch"),
           ("frozen-parameters", "no-learning", "stalled", "cannot-overfit-batch", "update-ratio"),
           r"trainable\b|unfreez\w*|(all|every|the whole|whole)( of the)? (model|network|layers?|weights?|"
           r"parameters?|variables?)( \w+)? (are |is )?(frozen|not trainable)|(no|zero) trainable|(weights?|"
           r"parameters?|variables?) (are |is )?(never|not) (updated|changed|trained|changing)|(weights?|"
           r"parameters?) (do not|don't|never) (change|move|update)",
           "a Sequential pump-failure model (thirteen standardised readings, Dense(32, relu) x2, Dense(1, "
           "sigmoid)) on which the author ran a quick predict() as a sanity check first and, to put it 'in "
           "inference mode' the way model.eval() does in PyTorch, wrote model.trainable = False before it, then "
           "compiled and fit the same model: trainable = False freezes every weight (it is not a mode switch; "
           "Keras only warns that the model has no trainable weights), so the loss stays at its first value "
           "and the accuracy at the share of working pumps for every epoch (question class: Keras loss does not "
           "change at all, accuracy identical every epoch, model.trainable set to False); fix: drop the line "
           "(predict() already runs in inference mode) or set model.trainable = True before compile")
def _(fixed):
    x, y = pump_faults(seed=2606)
    model = keras.Sequential([keras.Input((13,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1, activation="sigmoid")])
    if not fixed:
        model.trainable = False  # 'inference mode' for the sanity check
    model.predict(x[:4], verbose=0)
    return fitted(model, x[:480], y[:480], optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy",
                  metrics=["accuracy"], epochs=10, val=(x[480:], y[480:]))


# ---------------------------------------------------------------- learning rate cut far too soon

def crop_yield(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised field features; the yield as a fraction of the field's potential (~0.3 +- 0.1)."""
    rng, x = table(seed, n, 9)
    w1, w2 = rng.normal(size=9) / 3, rng.normal(size=9) / 3
    z = np.sin(2 * x @ w1) + 0.7 * np.cos(x @ w2) * x[:, 2] + 0.3 * x[:, 0] * x[:, 1]
    return x, (0.3 + 0.1 * (z - z.mean()) / z.std()).astype("float32").reshape(-1, 1)


@heldout26("functional-plateau-callback-min-delta-as-fraction",
           ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio", "late-start", "loss-metric-mismatch"),
           ("lr-decay-too-fast", "stalled", "update-ratio"),
           r"min_delta|ReduceLROnPlateau.{0,80}(every epoch|each epoch|too (early|soon|often|aggressive)|"
           r"cuts?|reduc\w* the (learning )?rate (every|each|after)|patience)|plateau\w*.{0,60}(every|each|first|"
           r"too (early|soon|often))|(raise|increase|larger|more) patience|patience ?= ?0|patience of (0|zero)|"
           r"(learning[- ]rate|\blr\b)\w*.{0,40}(decay|drop|fall|shrink|cut|reduc)\w* (too|far too|much too) "
           r"(fast|quickly|early|soon|often)|(learning[- ]rate|\blr\b)\w*.{0,40}(reach|hit|go|fall|drop|decay|"
           r"shrink)\w* (to )?(almost |nearly |near )?(zero|0\b|tiny|negligible)|(decay|schedule|reduction)\w* "
           r"(is |was )?(too|far too) (fast|quick|aggressive|early)",
           "a functional-API crop-yield regressor (nine standardised field features, the yield as a fraction of "
           "the field's potential, ~0.3 +- 0.1; Dense(64, relu) -> Dense(32, relu) -> Dense(1), MSE, SGD(0.01, "
           "momentum=0.9)) trained with keras.callbacks.ReduceLROnPlateau(monitor='loss', factor=0.1, "
           "patience=0, min_delta=0.05), the min_delta meant as 'a 5% improvement' while Keras reads it as an "
           "absolute change of the loss: on a target this small no epoch after the first improves the loss by "
           "0.05, so the rate is cut tenfold after every epoch from the second on (1e-7 after the sixth); the "
           "loss freezes near "
           "0.013, above the target's own variance (0.010), where the same model with min_delta=1e-3 and "
           "patience=2 keeps improving to ~0.005 (question class: Keras training stops improving after a few "
           "epochs, ReduceLROnPlateau lowers the learning rate every epoch); fix: ReduceLROnPlateau(..., "
           "patience=2, min_delta=1e-3)")
def _(fixed):
    x, y = crop_yield(seed=2607)
    inp = keras.Input((9,))
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1)(h))
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.1, patience=2 if fixed else 0,
                                           min_delta=1e-3 if fixed else 0.05, verbose=0)
    return fitted(model, x[:480], y[:480], optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="mse",
                  metrics=["mae"], epochs=16, val=(x[480:], y[480:]), callbacks=[cb])


# ---------------------------------------------------------------- unscaled inputs

def engine_log(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Five raw engine columns (rpm ~3000, oil temperature in kelvin ~360, boost in pascals ~1.6e5, fuel flow
    in ml/min ~900, throttle 0-1); label 1 for knocking, a function of the standardised columns."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 5))
    s = z @ np.array([1.0, 0.8, -1.1, 0.7, 0.9]) + 0.7 * z[:, 0] * z[:, 2]
    mean = np.array([3000.0, 360.0, 1.6e5, 900.0, 0.5])
    std = np.array([800.0, 12.0, 2.5e4, 250.0, 0.2])
    return (mean + z * std).astype("float32"), (s > np.median(s)).astype("float32").reshape(-1, 1)


@heldout26("functional-normalization-layer-never-adapted",
           ("unnormalized-input", "stalled", "stuck-at-chance", "high-initial-loss", "loss-spikes", "oscillation",
            "dead-relu", "no-learning", "exploding-gradients"),
           ("unnormalized-input", "stuck-at-chance", "high-initial-loss", "stalled", "loss-spikes", "oscillation"),
           r"\badapt\b|adapt\(\)|(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?(inputs?|"
           r"features?|columns?)|(inputs?|features?|columns?) (are |is )?(not |un)(normali[sz]|scal|"
           r"standardi[sz])|unnormali[sz]ed (inputs?|features?)|StandardScaler|Normalization\(\)? layer|"
           r"(span|range over|cover)\w* (many|several|\d+) (orders|decades)|(mean|variance|statistics) "
           r"(of|from) the (training )?(data|inputs?)",
           "a functional-API engine-knock detector over five raw log columns (rpm ~3000, oil temperature in "
           "kelvin, boost pressure in pascals ~1.6e5, fuel flow in ml/min, throttle 0-1) whose first layer is "
           "layers.Normalization() followed by Dense(32, relu) -> Dense(16, relu) -> Dense(1, sigmoid), Adam; the "
           "author never called norm.adapt(x_train), and an unadapted Normalization layer uses mean 0 and "
           "variance 1, so it passes the raw columns through unchanged: the boost pressure swamps every other "
           "column, the first logits are in the thousands and the loss sits at ~7.9, the accuracy at 0.51, all run "
           "(question class: Keras Normalization layer does nothing, loss huge and accuracy 50%, inputs not "
           "scaled); fix: norm.adapt(x_train) before compile")
def _(fixed):
    x, y = engine_log(seed=2608)
    norm = layers.Normalization()
    if fixed:
        norm.adapt(x[:480])
    inp = keras.Input((5,))
    h = layers.Dense(16, activation="relu")(layers.Dense(32, activation="relu")(norm(inp)))
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return fitted(model, x[:480], y[:480], optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"],
                  epochs=10, val=(x[480:], y[480:]))


# ---------------------------------------------------------------- target in the wrong units

def delivery_minutes(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised order features; delivery time in minutes (~35 +- 12)."""
    rng, x = table(seed, n, 8)
    t = 35 + 12 * (np.tanh(x @ rng.normal(size=8) / 2.5) + 0.3 * x[:, 0] * x[:, 1])
    return x, t.astype("float32").reshape(-1, 1)


@heldout26("sequential-raw-target-destandardised-again",
           ("high-initial-loss", "stalled", "no-learning", "divergence", "nonfinite", "exploding-gradients",
            "loss-spikes", "update-ratio", "lr-too-high"),
           ("high-initial-loss", "stalled", "no-learning", "divergence", "nonfinite", "exploding-gradients"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide|transform)\w* (the |your )?(targets?|labels?|y\b|"
           r"regression targets?|minutes|output values?)|(targets?|labels?) (are |is )?(in|on) (a )?(large|huge|"
           r"raw|different|original|wrong)|(targets?|labels?)'? (scale|range|units?|magnitude)|(large|huge|big) "
           r"(targets?|labels?)|inverse[_ ]transform|de-?standardi[sz]|(twice|two times|double)\w*.{0,40}"
           r"(transform|scal|standardi)|y \* ?std|\* ?std \+ ?mean",
           "a Sequential delivery-time regressor (eight standardised order features, Dense(64, relu) -> "
           "Dense(32, relu) -> Dense(1), MSE, SGD(0.01)) whose data-preparation helper was meant to standardise "
           "the target and was written y = y * y_std + y_mean, the inverse transform (copied from the prediction "
           "code that turns outputs back into minutes): the raw minutes (about 35 +- 12) become minutes times "
           "twelve plus 35, around 450 with a spread of ~150, and the squared error of an output starting near 0 "
           "is ~2e5: plain SGD at 0.01 overshoots on the first batches and the loss blows up (question class: "
           "Keras regression loss explodes to NaN, target values large, scaler applied the wrong way); fix: "
           "standardise the target, y = (y - y_mean) / y_std, and invert only the predictions")
def _(fixed):
    x, t = delivery_minutes(seed=2609)
    y_mean, y_std = float(t.mean()), float(t.std())
    y = (t - y_mean) / y_std if fixed else t * y_std + y_mean
    model = keras.Sequential([keras.Input((8,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    return fitted(model, x[:480], y[:480], optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"],
                  epochs=10, val=(x[480:], y[480:]))
