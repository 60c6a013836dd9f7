"""A twenty-fifth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twenty-fifth set: like sets 16 to 24 it measures whether traindoc names the repair for the COMMON bug
classes of published Keras/PyTorch StackOverflow bug benchmarks, leaning on the classes the recent sets hold
fewest of (data not shuffled, a loss that does not fit the targets, labels encoded wrongly, a missing
activation, wrong loss reduction, a target in the wrong units) beside a learning rate far too high and unscaled
inputs, on programs nobody tuned for. They were written without reading traindoc's rules, checks,
probes, findings or integrations, without reading any bench output, and frozen (``HELDOUT25.sha256``) before
traindoc was ever run on them; see ``HELDOUT25.md``. Run with ``bench/bench_keras_bugs.py --set heldout25``.

Every program is written afresh, in the way an ordinary user writes it, and differs from the programs of the
earlier sets in its data, its model, its API path and the way the bug is written: a
``keras.utils.PyDataset`` whose ``on_epoch_end`` shuffles an index its ``__getitem__`` never reads
(class-sorted rows, ``fit(shuffle=False)``), a two-head functional model whose list of losses follows the
column order of the CSV rather than the order of the outputs, review ratings turned into regression targets
through a string-sorted vocabulary ('10' sorts before '2'), a ``clone_model`` whose ``clone_function`` meant
to strip the softmax strips every activation, a ``PiecewiseConstantDecay`` whose values were written growing, a
Unix-timestamp column left in epoch seconds beside standardised features, a hand-written denoising loss summed
over the 64 pixels under an SGD rate tuned for the mean, and a temperature target logged in kelvin behind
inputs scaled by an adapted ``Normalization`` layer. The PyTorch half is in ``heldout25_torch``.

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

from .heldout20_keras import standard
from .keras_cases import Case

HELDOUT25: list[Case] = []
ROWS = 640


def heldout25(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-fifth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT25.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def compiled(model: keras.Model, x, y, val, *, optimizer, loss, metrics=(), epochs: int = 10,
             batch_size: int = 32) -> dict:
    """Compile ``model`` and hand the bench its fit arguments; ``val`` is the (x, y) pair kept aside by the script."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return {"model": model, "x": x, "y": y,
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, "validation_data": val}}


def split(arrays, keep: int):
    """The script's hand split: the first ``keep`` rows train, the rest validate (each array cut the same way)."""
    return [a[:keep] for a in arrays], [a[keep:] for a in arrays]


# ---------------------------------------------------------------- data not shuffled

def leaf_files(seed: int, rows: int = 800, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised leaf measurements from four species (a learnable linear rule), one export file per
    species, concatenated in species order (every row of species 0, then every row of species 1, ...)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 10)).astype("float32")
    y = (x @ rng.normal(size=(10, k))).argmax(1).astype("int64")
    files = np.argsort(y, kind="stable")
    return x[files], y[files]


class LeafBatches(keras.utils.PyDataset):
    """Batches of ``size`` rows; ``on_epoch_end`` reshuffles ``self.order``, which ``__getitem__`` is meant to
    read the rows through (``use_order=False`` is the author's version: it slices the arrays directly)."""

    def __init__(self, x, y, size: int = 32, use_order: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.size, self.use_order = x, y, size, use_order
        self.order = np.arange(len(x))
        self.rng = np.random.default_rng(2511)
        self.on_epoch_end()

    def __len__(self):
        return int(np.ceil(len(self.x) / self.size))

    def __getitem__(self, i):
        if self.use_order:
            rows = self.order[i * self.size:(i + 1) * self.size]
        else:
            rows = slice(i * self.size, (i + 1) * self.size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.rng.shuffle(self.order)


@heldout25("pydataset-epoch-end-shuffle-of-an-unused-index",
           ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "stuck-at-chance", "loss-metric-mismatch",
            "no-learning", "val-without-train"),
           ("unshuffled-data", "oscillation", "loss-spikes"),
           r"shuffl\w*|(sorted|ordered|grouped|arranged) by (the )?(class|label|species|target)|(one|a single) "
           r"(class|label|species) (per|in each|in every) batch|(each|every) batch (holds?|contains?|is) (only )?"
           r"(one|a single) (class|label)|random (order|permutation)|permut\w*",
           "a keras.utils.PyDataset written for four species of leaves whose rows arrive as one export file per "
           "species, concatenated in species order (ten standardised measurements, Sequential Dense(32, relu) -> "
           "Dense(32, relu) -> Dense(4, softmax), SGD(0.05, momentum=0.9), 'sparse_categorical_crossentropy'): its "
           "on_epoch_end shuffles self.order, but __getitem__ slices self.x[i * size:(i + 1) * size] directly and "
           "never reads self.order, and fit is called with shuffle=False because the dataset 'shuffles itself'; "
           "every batch holds one species and the species come in the same order every epoch, so each epoch drags "
           "the network from species to species and it ends on the last one; the training loss is 1.97 -> 0.50 and "
           "the validation accuracy climbs only by fits and starts (0.28 -> 0.83), where the same data read through "
           "the shuffled order reach 0.11 and 0.93 (question class: Keras Sequence / PyDataset training unstable, "
           "does fit shuffle a custom data generator); fix: read the rows through the shuffled index, rows = "
           "self.order[i * size:(i + 1) * size]")
def _(fixed):
    x, y = leaf_files(seed=2501)
    order = np.random.default_rng(2510).permutation(len(y))
    held = order[:160]                                  # the validation rows are drawn at random ...
    train = np.sort(order[160:])                        # ... the training rows stay in file (species) order
    model = keras.Sequential([keras.Input((10,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(4, activation="softmax")])
    prog = compiled(model, LeafBatches(x[train], y[train], use_order=fixed), None, (x[held], y[held]),
                    optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"], epochs=10)
    prog["fit"].pop("batch_size")                      # the PyDataset makes its own batches ...
    prog["fit"]["shuffle"] = False                     # ... and, its author thought, its own shuffling
    return prog


# ---------------------------------------------------------------- loss against the target format

def fish_catch(seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Nine standardised body measurements of a fish; its species (one-hot, three) and its standardised weight."""
    rng, x = standard(seed, 9, ROWS)
    species = (x @ rng.normal(size=(9, 3)) + 0.4 * np.tanh(x[:, :3])).argmax(1)
    weight = 0.8 * (species - 1) + np.tanh(x[:, 3:7] @ rng.normal(size=4) / 2) + 0.1 * rng.normal(size=ROWS)
    weight = (weight - weight.mean()) / weight.std()
    return x, [np.eye(3, dtype="float32")[species], weight.astype("float32").reshape(-1, 1)]


@heldout25("functional-two-heads-losses-listed-in-csv-column-order",
           ("loss-metric-mismatch", "no-learning", "stalled", "label-problem", "wrong-output-activation",
            "cannot-overfit-batch", "frozen-parameters"),
           ("loss-metric-mismatch", "no-learning", "label-problem", "wrong-output-activation", "frozen-parameters"),
           r"(order|position)\w* of the (losses|outputs|heads)|loss(es)? (list|dict)\w*.{0,60}(order|match|"
           r"name|key)|(dict|dictionary)\w*.{0,40}(output|head) names?|(match|pair)\w* (each|every|the) (loss|"
           r"output|head)\w*.{0,40}(output|head|loss)|(swap|swapped|mixed up|exchange)\w*.{0,40}(loss|head|output)"
           r"|(categorical[_ ]?cross[_ ]?entropy|cross[- ]?entropy)\w*.{0,60}(regression|continuous|weight|"
           r"real[- ]valued|single[- ]unit|one[- ]unit|scalar) (target|output|head|value|unit)",
           "a functional-API model with two heads on a shared trunk (nine standardised fish measurements -> "
           "Dense(32, relu) x2; outputs [species: Dense(3, softmax), weight: Dense(1)]) compiled with loss=['mse', "
           "'categorical_crossentropy'], the losses written in the order of the CSV's columns (weight, then species) "
           "rather than the order of the model's outputs: Keras pairs a list of losses with the outputs by position, "
           "so the softmax species head is trained with MSE against its one-hot rows (it still learns) and the "
           "one-unit weight head gets categorical cross-entropy, which normalises the single output by itself (x / x "
           "= 1) and is 0 whatever the weight; weight_loss reads ~0 from the first epoch to the last, the weight "
           "head never trains and its validation error is 3.9 on a standardised target, where the paired losses "
           "reach 0.25 (question class: Keras multi-output model, one output does not learn, loss of one head is "
           "zero); fix: loss=['categorical_crossentropy', 'mse'] in the order of the outputs (or a dict keyed by the "
           "output names)")
def _(fixed):
    x, (species, weight) = fish_catch(seed=2502)
    (tx, ts, tw), (vx, vs, vw) = split([x, species, weight], 520)
    inp = keras.Input((9,), name="measurements")
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(32, activation="relu")(h)
    kind = layers.Dense(3, activation="softmax", name="species")(h)
    grams = layers.Dense(1, name="weight")(h)
    model = keras.Model(inp, [kind, grams])
    # the CSV lists weight first, then species; the model's outputs are (species, weight)
    losses = ["categorical_crossentropy", "mse"] if fixed else ["mse", "categorical_crossentropy"]
    return compiled(model, tx, [ts, tw], (vx, [vs, vw]), optimizer=keras.optimizers.Adam(3e-3), loss=losses,
                    epochs=10)


# ---------------------------------------------------------------- labels encoded wrongly

def reviews(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised review features; the star rating 1-10 as the export writes it (a string), skewed
    high (a fifth of the reviews give 10)."""
    rng, x = standard(seed, 12, ROWS)
    score = x @ rng.normal(size=12) / np.sqrt(12)
    rank = np.argsort(np.argsort(score)) / (ROWS - 1)
    cuts = np.array([0.03, 0.06, 0.1, 0.15, 0.22, 0.32, 0.45, 0.6, 0.8])
    stars = 1 + np.searchsorted(cuts, rank, side="right")
    return x, np.array([str(s) for s in stars])


@heldout25("sequential-star-ratings-indexed-in-string-sorted-vocabulary",
           ("label-problem", "stalled", "loss-metric-mismatch", "high-initial-loss", "overfitting",
            "cannot-overfit-batch", "no-learning"),
           ("label-problem", "stalled", "cannot-overfit-batch"),
           r"(string|lexicograph\w*|alphabetic\w*|text)\w* (sort|order)|sort\w* (as |like )?(strings|text|"
           r"alphabetical\w*|lexicograph\w*)|'?10'? (sorts|comes|is placed|lands)|\bint\(|astype\(.?(int|float)|"
           r"(convert|cast|parse)\w* (the )?(ratings?|stars|rating strings?)\w* (to|as|into) (numbers|numeric|"
           r"int|float)|(ratings?|stars|labels?|targets?)\w* (are |is )?(mapped|encoded|indexed) (wrongly|"
           r"out of order|incorrectly)|(order|ordinal)\w* of the (ratings|labels|classes|targets) (is )?(lost|"
           r"broken|scrambled)",
           "a Sequential regressor of review star ratings (twelve standardised review features -> Dense(32, relu) -> "
           "Dense(16, relu) -> Dense(1), 'mse', Adam 1e-2) whose ratings come from the export as strings '1' to '10' "
           "and are turned into numbers with vocabulary = sorted(set(stars)); target = vocabulary.index(star), the "
           "way the author encodes category columns: sorted strings put '10' second, so the best reviews (a fifth of "
           "them) get the target 1 and the worst get 0, the order the regression relies on is broken, and the loss "
           "stops at 1.47 (validation 2.2) where the same network on the numeric ratings reaches 0.38 (validation "
           "0.46) (question class: Keras regression on encoded labels does not fit, labels mapped to the wrong "
           "numbers); fix: convert the rating strings with int / astype(float) (a numeric target, not a vocabulary "
           "index)")
def _(fixed):
    x, stars = reviews(seed=2503)
    if fixed:
        target = stars.astype("float32")
    else:
        vocabulary = sorted(set(stars))                  # ['1', '10', '2', '3', ..., '9']
        target = np.array([vocabulary.index(s) for s in stars], dtype="float32")
    (tx, ty), (vx, vy) = split([x, target.reshape(-1, 1)], 520)
    model = keras.Sequential([keras.Input((12,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1)])
    return compiled(model, tx, ty, (vx, vy), optimizer=keras.optimizers.Adam(1e-2), loss="mse",
                    metrics=["mae"], epochs=15)


# ---------------------------------------------------------------- missing activation

def rings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised features; three classes by the distance of (x0, x1) from the origin (inner disc,
    middle ring, outside): no linear boundary separates them."""
    _, x = standard(seed, 8, ROWS)
    r = np.hypot(x[:, 0], x[:, 1])
    return x, np.digitize(r, [0.8, 1.5]).astype("int64")


def built_classifier() -> keras.Model:
    inp = keras.Input((8,))
    h = layers.Dense(64, activation="relu", name="hidden1")(inp)
    h = layers.Dense(64, activation="relu", name="hidden2")(h)
    return keras.Model(inp, layers.Dense(3, activation="softmax", name="probs")(h))


@heldout25("functional-clone-model-strips-every-activation",
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"clone_(model|function)|(every|all|each) (hidden )?(layer|activation)s?.{0,40}(linear|stripped|"
           r"removed|replaced)|(strip|remov|replac|drop)\w* (the )?(activation|softmax|relu)\w*.{0,40}(only|just)"
           r" (from |on |of )?(the )?(output|last|final)|(no|without|missing) (non-?linear\w*|hidden activations?)"
           r"|(network|model|stack) (is|becomes|collapses to|reduces to|stays) (a |one )?(single )?linear|linear "
           r"(in its input|map|stack|model)\b|(hidden|relu) (layers?|activations?) (are |were )?(gone|lost|"
           r"removed|linear)",
           "a functional-API classifier of three rings (eight standardised features; inner disc, middle ring, "
           "outside by the distance of the first two) built by a helper with Dense(64, relu) x2 and Dense(3, "
           "softmax), then converted to output logits for SparseCategoricalCrossentropy(from_logits=True) with "
           "keras.models.clone_model(model, clone_function=to_logits), where to_logits sets config['activation'] = "
           "'linear' on every layer that has one instead of only the output layer: the hidden ReLUs are gone, the "
           "clone is one linear map and rings have no linear boundary, so the loss stays near ln 3 (1.33 -> 1.08) "
           "with accuracy 0.40 and validation accuracy 0.37, where stripping only the softmax reaches 0.12 and 0.95 "
           "(question class: Keras model no better than logistic regression after removing the softmax layer with "
           "clone_model); fix: change the activation only in the output layer (layer.name == 'probs')")
def _(fixed):
    x, y = rings(seed=2504)
    base = built_classifier()

    def to_logits(layer):
        config = layer.get_config()
        if "activation" in config and (not fixed or layer.name == "probs"):
            config["activation"] = "linear"
        return layer.__class__.from_config(config)

    model = keras.models.clone_model(base, clone_function=to_logits)
    (tx, ty), (vx, vy) = split([x, y], 520)
    return compiled(model, tx, ty, (vx, vy), optimizer=keras.optimizers.Adam(1e-2),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                    epochs=12)


# ---------------------------------------------------------------- learning rate far too high

def moth_counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised trap readings; five moth species by a fixed linear score (learnable)."""
    rng, x = standard(seed, 20, ROWS)
    return x, (x @ rng.normal(size=(20, 5)) + 0.5 * np.sin(x[:, :5])).argmax(1).astype("int64")


@heldout25("sequential-piecewise-rates-written-growing",
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
            "both-rising", "stalled", "dead-relu", "stuck-at-chance", "nonfinite"),
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
            "both-rising"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
           r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)|(high|large) (learning "
           r"rate|lr)\b|schedul\w*.{0,40}(grows|rises|increases|goes up|climbs|raises)|"
           r"PiecewiseConstantDecay|piecewise|(values|rates) (written |listed |given )?(in )?(ascending|growing|"
           r"increasing|the wrong) order|(decreas|descend)\w* (values|rates|order)",
           "a Sequential five-class classifier of moth species from twenty standardised trap readings (Dense(48, "
           "relu) -> Dense(24, relu) -> Dense(5, softmax)) trained with Adam on "
           "keras.optimizers.schedules.PiecewiseConstantDecay([60, 120], [base * f for f in (1, 10, 100)]) with base "
           "3e-3, the author meaning to divide the rate by ten at each boundary and writing the factors the wrong "
           "way round: the rate is 3e-3, then 0.03 after step 60 and 0.3 after step 120; the loss falls to 0.35 by "
           "the seventh epoch and then jumps to 1.8 and stays near 1.6 (ln 5 = 1.61) with accuracy 0.26, while the "
           "decreasing schedule ends at 0.65 and 0.79 (question class: Keras loss suddenly jumps back to chance in "
           "the middle of training with a learning-rate schedule); fix: factors (1, 0.1, 0.01), a schedule that "
           "decreases")
def _(fixed):
    x, y = moth_counts(seed=2505)
    base = 3e-3
    factors = (1, 0.1, 0.01) if fixed else (1, 10, 100)  # meant: divide by ten at each boundary
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([60, 120], [base * f for f in factors])
    (tx, ty), (vx, vy) = split([x, y], 520)
    model = keras.Sequential([keras.Input((20,)), layers.Dense(48, activation="relu"),
                              layers.Dense(24, activation="relu"), layers.Dense(5, activation="softmax")])
    return compiled(model, tx, ty, (vx, vy), optimizer=keras.optimizers.Adam(schedule),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- unscaled inputs

def pump_logs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised pump readings and the reading's Unix timestamp in seconds (2023-2024); the label
    (pump failed within a day) depends on the readings only."""
    rng, x = standard(seed, 7, ROWS)
    stamp = np.sort(rng.uniform(1.672e9, 1.735e9, size=ROWS))
    failed = (x @ rng.normal(size=7) / np.sqrt(7) + 0.4 * x[:, 0] * x[:, 2] > 0.25).astype("float32")
    return np.concatenate([x, stamp[:, None]], axis=1).astype("float32"), failed.reshape(-1, 1)


@heldout25("functional-timestamp-column-left-in-epoch-seconds",
           ("unnormalized-input", "stuck-at-chance", "stalled", "no-learning", "high-initial-loss", "dead-relu",
            "loss-spikes", "oscillation", "exploding-gradients", "saturated-activation", "misleading-accuracy"),
           ("unnormalized-input", "stuck-at-chance", "stalled", "high-initial-loss", "dead-relu"),
           r"timestamp|epoch seconds|unix|(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?"
           r"(inputs?|features?|columns?)|(inputs?|features?|columns?) (are |is )?(not |un)(normali[sz]|scal|"
           r"standardi[sz])|unnormali[sz]ed (inputs?|features?)|StandardScaler|Normalization\(\)? layer|"
           r"(drop|remove)\w* the (time|date)|(one|a) (column|feature) (is )?(orders of magnitude|\d+ times) "
           r"(larger|bigger)|(huge|large) (input|feature) (values|scale|range|magnitude)",
           "a functional-API pump-failure classifier (seven standardised pump readings plus the reading's time as a "
           "Unix timestamp in seconds, about 1.7e9, appended as the eighth column; Dense(32, relu) -> Dense(16, "
           "relu) -> Dense(1, sigmoid), Adam 1e-3, binary cross-entropy): the timestamp column is nine orders of "
           "magnitude larger than the others, the first layer's sums follow it alone, the ReLUs are either dead or "
           "enormous, the sigmoid output sits at 0 or 1 and the loss is 6.32 from the first epoch to the last with "
           "accuracy at the share of the majority class, 0.61, where the timestamp as standardised days reaches 0.31 "
           "and 0.89 (question class: Keras model loss does not change at all, a date column among the features); "
           "fix: standardise the timestamp column (days since the first reading, minus the mean, over the std) or "
           "drop it")
def _(fixed):
    x, y = pump_logs(seed=2506)
    if fixed:  # the timestamp as days since the first reading, standardised like the other columns
        days = (x[:, 7] - x[:, 7].min()) / 86400.0
        x = np.concatenate([x[:, :7], ((days - days.mean()) / days.std())[:, None]], axis=1).astype("float32")
    perm = np.random.default_rng(2512).permutation(ROWS)
    (tx, ty), (vx, vy) = split([x[perm], y[perm]], 520)
    inp = keras.Input((8,), name="reading")
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(16, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return compiled(model, tx, ty, (vx, vy), optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                    metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- wrong loss reduction

def noisy_patches(seed: int, side: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """8x8 grey patches in [0, 1] (a soft blob at a random place) flattened to 64 values, with Gaussian noise
    added to the input; the target is the clean patch."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side]
    cy, cx = rng.uniform(1, side - 2, size=(2, ROWS, 1, 1))
    width = rng.uniform(1.0, 2.5, size=(ROWS, 1, 1))
    clean = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * width ** 2)).reshape(ROWS, -1)
    noisy = np.clip(clean + rng.normal(0, 0.2, size=clean.shape), 0, 1)
    return noisy.astype("float32"), clean.astype("float32")


class Denoiser(keras.Model):
    """64 -> 32 (ReLU) -> 64 (linear): a small dense denoising autoencoder."""

    def __init__(self):
        super().__init__()
        self.enc = layers.Dense(32, activation="relu")
        self.dec = layers.Dense(64)

    def call(self, x):
        return self.dec(self.enc(x))


def pixel_sum_loss(clean, restored):
    """The squared error of every pixel, added up per patch (the author's 'reconstruction loss')."""
    return ops.sum(ops.square(clean - restored), axis=-1)


def pixel_mean_loss(clean, restored):
    return ops.mean(ops.square(clean - restored), axis=-1)


@heldout25("subclassed-denoiser-loss-summed-over-pixels-under-sgd",
           ("divergence", "nonfinite", "exploding-gradients", "loss-spikes", "oscillation", "lr-too-high",
            "update-ratio", "stalled", "saturated-activation", "nonfinite-origin", "dead-relu", "no-learning",
            "both-rising"),
           ("divergence", "nonfinite", "exploding-gradients", "loss-spikes", "oscillation", "lr-too-high",
            "update-ratio", "saturated-activation", "dead-relu", "stalled"),
           r"(mean|average)\w* (over|across|of) (the )?(pixels|outputs|features|elements|last axis)|(sum|add)\w*"
           r" (up )?(over|across) (the )?(pixels|outputs|features|elements)|ops\.mean|reduce_mean|reduction ?=|"
           r"(loss|gradient)s? (are |is )?(\d+|many|sixty-four) times (too )?(large|big)|(divide|scale)\w* (the )"
           r"?loss|(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|"
           r"(learning[- ]rate|\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)",
           "a subclassed dense denoising autoencoder for 8x8 patches (64 noisy pixels -> Dense(32, relu) -> "
           "Dense(64), the clean patch as the target) compiled with a hand-written loss, ops.sum(ops.square(clean - "
           "restored), axis=-1), taken from a VAE tutorial that sums the reconstruction error over the pixels, and "
           "SGD(learning_rate=0.1, momentum=0.9), the rate the author had tuned with 'mse': the per-patch sum is 64 "
           "times the per-pixel mean and so is its gradient, the first steps overshoot, the ReLU code dies and the "
           "output settles on one average patch; the loss stays near 4.3 (a per-pixel error of 0.067, the same on "
           "validation), where the mean over the pixels reaches 0.0195 per pixel (question class: Keras autoencoder "
           "loss stuck high, custom reconstruction loss with SGD); fix: average over the pixels, ops.mean(..., "
           "axis=-1) (or loss='mse'), or divide the rate by 64")
def _(fixed):
    x, clean = noisy_patches(seed=2507)
    (tx, ty), (vx, vy) = split([x, clean], 520)
    return compiled(Denoiser(), tx, ty, (vx, vy), optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                    loss=pixel_mean_loss if fixed else pixel_sum_loss, metrics=["mse"], epochs=10)


# ---------------------------------------------------------------- target in the wrong units

def greenhouse(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven greenhouse readings in their own units (ventilation %, lamp hours, humidity %, ...); the
    temperature an hour ahead as the climate computer logs it, in kelvin (about 285-305 K)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(ROWS, 11))
    scale, offset = rng.uniform(1, 40, size=11), rng.uniform(0, 100, size=11)
    celsius = 21 + 4 * np.tanh(z @ rng.normal(size=11) / np.sqrt(11) * 1.5) + 0.8 * z[:, 0] * z[:, 1] / 2
    return (z * scale + offset).astype("float32"), (celsius + 273.15).astype("float32").reshape(-1, 1)


@heldout25("sequential-adapted-inputs-target-logged-in-kelvin",
           ("high-initial-loss", "stalled", "no-learning", "update-ratio", "loss-metric-mismatch", "late-start",
            "divergence", "exploding-gradients"),
           ("high-initial-loss", "stalled", "no-learning", "update-ratio"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|center|centre|shift)\w* (the |your )?(targets?|"
           r"labels?|y\b|regression targets?|temperatures?|output values?)|(targets?|labels?) (are |is )?(in|on) "
           r"(a )?(large|huge|raw|different|original)|(targets?|labels?)'? (scale|range|units?|magnitude|offset|"
           r"mean)|(large|huge|big) (targets?|labels?)|kelvin|celsius|273",
           "a Sequential regressor of the greenhouse temperature an hour ahead (eleven readings in their own units, "
           "scaled inside the model by a layers.Normalization() adapted on the training rows; Dense(32, relu) x2 -> "
           "Dense(1), 'mse', Adam 1e-3) whose target is the climate computer's log in kelvin, about 285-305 K: the "
           "inputs are standardised but the target sits near 294 with a spread of 4, the network starts with outputs "
           "near 0, Adam moves each weight by about 1e-3 a step and after ten epochs the output has climbed only "
           "about 30 kelvin; the loss is 8.6e4 -> 6.9e4 (mean absolute error 294 -> 263 K), where the target as "
           "degrees from 21 C in units of 4 K reaches 0.055 (an error of 0.8 K) (question class: Keras regression "
           "loss huge and barely falling although the inputs are normalised); fix: centre and scale the target "
           "(Celsius minus 21, divided by 4, undone on the predictions)")
def _(fixed):
    x, kelvin = greenhouse(seed=2508)
    y = (kelvin - 273.15 - 21.0) / 4.0 if fixed else kelvin   # fixed: degrees from 21 C, in units of 4 K
    (tx, ty), (vx, vy) = split([x, y], 520)
    norm = layers.Normalization()
    norm.adapt(tx)
    model = keras.Sequential([keras.Input((11,)), norm, layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    return compiled(model, tx, ty, (vx, vy), optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"],
                    epochs=10)
