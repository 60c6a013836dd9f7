"""An eleventh held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why an eleventh set: held-out sets 1-8 have been run and studied, and sets 9 and 10 are waiting for one
measurement; this set adds programs nobody tuned for. They were written without reading traindoc's rules,
checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT11.sha256``) before traindoc was ever run on them; see ``HELDOUT11.md``. Run with
``bench/bench_keras_bugs.py --set heldout11``.

The set uses bug classes no earlier set has: a one-hot target built with drop_first (one class left with an
all-zero target row), a word vocabulary built from the characters of the joined texts, Lambda branches whose
slice index is a loop variable read late, a contrastive loss whose label convention is the opposite of the
pair labels', kernel regularizers assigned to layers that are already built, a BatchNormalization momentum
given in PyTorch's convention, the informative column dropped by a numeric-dtype selection, and an optimizer
object that is built but never used (the compile call names the optimizer by string). The PyTorch half is in
``heldout11_torch``.

Same format as ``heldout10_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops, regularizers

from . import _data
from .heldout6_keras import with_validation  # the sixth set's validation helper
from .heldout7_keras import net  # the seventh set's MLP
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT11: list[Case] = []


def heldout11(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the eleventh held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT11.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split(out: dict, x, y, n_val: int = 128) -> dict:
    """Train on all but the first ``n_val`` rows, validate on those."""
    out["x"], out["y"] = x[n_val:], y[n_val:]
    return with_validation(out, x[:n_val], y[:n_val])


# ---------------------------------------------------------------- labels

@heldout11("target-dummies-drop-first", ("label-problem", "loss-metric-mismatch", "stalled", "cannot-overfit-batch",
                                         "misleading-accuracy"),
           ("label-problem", "loss-metric-mismatch", "cannot-overfit-batch"),
           r"drop_?first|all[- ]zeros? (target|label|row)|(target|label|one-hot) rows? (of|that are|with) (all )?"
           r"zeros?|(row|target|label)s? (that )?(do not|don't|does not|doesn't) sum to (one|1)|(dummy|dummies|one-hot)"
           r".{0,40}(missing|dropped|lost|left out) (a |one |the first )?(class|column|category)",
           "a three-class target one-hot encoded with pd.get_dummies(df['label'], drop_first=True), the option "
           "recommended for dummy-coding input features (to avoid collinearity) applied to the target: the first "
           "class gets no column, its rows have an all-zero target row, and the model is Dense(2, softmax) + "
           "categorical_crossentropy sized from the encoded width; those rows add nothing to the loss and are never "
           "learnt, so the loss falls to ~0.002 while validation accuracy stops at 0.86 (Keras' accuracy counts a "
           "zero row as right whenever the first column wins) (SO-style 'loss goes to zero but accuracy is "
           "stuck at 66%, labels one-hot encoded with get_dummies'); fix: encode the target without drop_first "
           "(three columns, Dense(3, softmax)), or keep integer labels with sparse_categorical_crossentropy")
def _(fixed):
    x, y = _data.classes(3, seed=1101)
    target = _data.onehot(y, 3)
    if not fixed:
        target = target[:, 1:]  # get_dummies(drop_first=True): class 0 has no column
    out = compiled(net(target.shape[1], "softmax"), "categorical_crossentropy", x, target, metrics=["accuracy"],
                   epochs=10)
    return split(out, x, target)


# ---------------------------------------------------------------- text

WORDS = ("good", "bad", "film", "plot", "actor", "scene", "story", "music", "ending", "cast", "script", "camera",
         "great", "awful", "dull", "light", "night", "city", "house", "road")


def reviews(seed: int) -> tuple[list[str], np.ndarray]:
    """Texts of 8 words; the label says whether the word 'great' occurs (it replaces one word in half of them)."""
    rng = np.random.default_rng(seed)
    filler = [w for w in WORDS if w != "great"]
    texts, labels = [], []
    for _ in range(_data.N):
        words = list(rng.choice(filler, size=8))
        positive = rng.random() < 0.5
        if positive:
            words[rng.integers(0, 8)] = "great"
        texts.append(" ".join(words))
        labels.append(float(positive))
    return texts, np.array(labels, dtype="float32").reshape(-1, 1)


@heldout11("vocabulary-built-from-characters", ("stuck-at-chance", "no-learning", "stalled", "label-problem",
                                                "cannot-overfit-batch"),
           ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
           r"charact|\bchars?\b|letters|\.split\(|split (the|each|into) (text|string|word)|(vocab|vocabulary|word "
           r"index|tokeni[sz]er).{0,60}(single|one|each) (string|text)|(out[- ]of[- ]vocabulary|\boov\b|unknown)"
           r".{0,40}(every|all|each) (word|token)|(every|all|each) (word|token).{0,40}(out[- ]of[- ]vocabulary|\boov\b"
           r"|unknown)",
           "a bag-of-words sentiment model (Embedding -> GlobalAveragePooling1D -> Dense) whose vocabulary is built "
           "by hand as vocab = {w: i + 2 for i, w in enumerate(sorted(set(' '.join(texts))))}: set() of a string "
           "iterates its characters, so the 'vocabulary' holds letters and spaces, every real word is looked up "
           "as out-of-vocabulary (id 1) and all texts encode to the same sequence; the loss sits at ln 2 and "
           "accuracy at one half (SO-style 'every sentence gets the same token ids / tokenizer fitted on a string "
           "gives a character-level vocabulary'); fix: build the vocabulary from the words, "
           "set(' '.join(texts).split()) (or fit the tokenizer on the list of texts)")
def _(fixed):
    texts, y = reviews(seed=1102)
    joined = " ".join(texts)
    vocab_items = sorted(set(joined.split())) if fixed else sorted(set(joined))
    vocab = {w: i + 2 for i, w in enumerate(vocab_items)}
    x = np.array([[vocab.get(w, 1) for w in t.split()] for t in texts], dtype="int64")
    model = keras.Sequential([keras.Input((8,), dtype="int64"), layers.Embedding(len(vocab) + 2, 8),
                              layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], epochs=10)
    return split(out, x, y)


# ---------------------------------------------------------------- model code

def sensor_blocks(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three sensors of 8 readings each, side by side; the label depends mostly on the first two."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, 24)).astype("float32")
    w = np.concatenate([rng.normal(size=8), rng.normal(size=8), 0.2 * rng.normal(size=8)])
    score = x @ w + 0.5 * x[:, 0] * x[:, 9]
    return x, (score > np.median(score)).astype("float32").reshape(-1, 1)


def per_sensor_model(late_binding: bool) -> keras.Model:
    """One small Dense branch per sensor, each selecting its block with a Lambda, then concatenated."""
    inputs = keras.Input((24,))
    branches = []
    for i in range(3):
        if late_binding:
            pick = layers.Lambda(lambda t: t[:, 8 * i:8 * (i + 1)], output_shape=(8,))
        else:
            pick = layers.Lambda(lambda t, i=i: t[:, 8 * i:8 * (i + 1)], output_shape=(8,))
        branches.append(layers.Dense(16, activation="relu")(pick(inputs)))
    h = layers.Dense(16, activation="relu")(layers.Concatenate()(branches))
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(h))


@heldout11("lambda-branches-late-binding", ("stalled", "overfitting", "cannot-overfit-batch", "label-problem",
                                            "loss-metric-mismatch"),
           ("stalled", "cannot-overfit-batch", "label-problem"),
           r"late[- ]binding|\bclosure|loop variable|lambda t, i=i|default argument|(lambda|Lambda layer)s?.{0,80}"
           r"(same|last|final) (value of |index|slice|block|i\b)|(every|all|each) (branch|Lambda)e?s?.{0,60}(same|last)"
           r" (slice|block|sensor|index|input)",
           "a multi-sensor model with one Dense branch per sensor, the sensors' columns picked in a Python loop "
           "with layers.Lambda(lambda t: t[:, 8 * i:8 * (i + 1)]): the lambda reads the loop variable when the "
           "model runs, not when the layer is made, and by then i is 2, so all three branches see the third "
           "sensor (the output shapes agree, nothing errors) while the label depends mostly on the first two; "
           "training accuracy stops near 0.67 and validation accuracy at chance (SO-style 'Keras Lambda layers in a for loop all use "
           "the last index'); fix: bind the index when the layer is made, lambda t, i=i: t[:, 8 * i:8 * (i + 1)] "
           "(or a slicing layer that takes the index as an argument)")
def _(fixed):
    x, y = sensor_blocks(seed=1103)
    out = compiled(per_sensor_model(late_binding=not fixed), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    return split(out, x, y)


# ---------------------------------------------------------------- losses

def pairs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows from four Gaussian clouds, side by side (N, 16); label 1 when both come from one cloud."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, _data.D)) * 1.5
    a = rng.integers(0, 4, size=_data.N)
    same = rng.random(_data.N) < 0.5
    b = np.where(same, a, (a + rng.integers(1, 4, size=_data.N)) % 4)
    left = centres[a] + 0.7 * rng.normal(size=(_data.N, _data.D))
    right = centres[b] + 0.7 * rng.normal(size=(_data.N, _data.D))
    return np.hstack([left, right]).astype("float32"), same.astype("float32").reshape(-1, 1)


class PairDistance(layers.Layer):
    """The Euclidean distance between the shared encoder's embeddings of the two halves of a row."""

    def __init__(self, encoder: keras.Model, **kw):
        super().__init__(**kw)
        self.encoder = encoder

    def call(self, x):
        left, right = self.encoder(x[:, :_data.D]), self.encoder(x[:, _data.D:])
        return ops.sqrt(ops.sum(ops.square(left - right), axis=1, keepdims=True) + 1e-6)


def contrastive_one_is_far(y_true, d, margin: float = 1.0):
    """The contrastive loss as written for labels where 1 marks a dissimilar pair."""
    return ops.mean(y_true * ops.square(ops.relu(margin - d)) + (1 - y_true) * ops.square(d))


def contrastive_one_is_near(y_true, d, margin: float = 1.0):
    """The same loss for labels where 1 marks a similar pair (the data's convention)."""
    return ops.mean(y_true * ops.square(d) + (1 - y_true) * ops.square(ops.relu(margin - d)))


def pair_accuracy(y_true, d):
    """A pair counts as 'same' when its distance is below half the margin (labels: 1 = same)."""
    return ops.mean(ops.cast(ops.equal(ops.cast(d < 0.5, "float32"), y_true), "float32"))


@heldout11("siamese-contrastive-labels-inverted", ("loss-metric-mismatch", "label-problem", "stuck-at-chance",
                                                   "misleading-accuracy"),
           ("loss-metric-mismatch", "label-problem"),
           r"(label|pair) (convention|meaning)|convention.{0,40}(label|pair|loss)|(1|one) (means|marks|for) "
           r"(a )?(similar|dissimilar|same|different)|(similar|dissimilar|same|different) pairs?.{0,40}(labell?ed|"
           r"marked|encoded) (as )?(1|0|one|zero)|1 ?- ?y(_true)?\b|(invert|swap|flip)\w* (the )?(pair )?labels|"
           r"(swap|exchange)\w* the (two )?terms",
           "a siamese network trained on pairs with a contrastive loss copied from a write-up in which label 1 "
           "marks a dissimilar pair (y * max(margin - d, 0)^2 + (1 - y) * d^2), while the pair data set labels "
           "similar pairs 1: the loss pulls different pairs together and pushes same pairs apart; the loss falls "
           "normally (3.4 -> 0.32), but the pair accuracy (distance below half the margin = same) stays at chance, "
           "0.5 (SO-style 'siamese network loss decreases but accuracy goes down', 'which label means "
           "similar in contrastive loss'); fix: make the loss and the labels agree (swap the two terms, or train on "
           "1 - y)")
def _(fixed):
    x, y = pairs(seed=1104)
    encoder = keras.Sequential([keras.Input((_data.D,)), layers.Dense(16, activation="relu"), layers.Dense(4)])
    inputs = keras.Input((2 * _data.D,))
    model = keras.Model(inputs, PairDistance(encoder)(inputs))
    loss = contrastive_one_is_near if fixed else contrastive_one_is_far
    out = compiled(model, loss, x, y, metrics=[pair_accuracy], optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return split(out, x, y)


# ---------------------------------------------------------------- regularisation

def small_noisy(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A small table with 4 informative and 28 noise columns; 10% of the labels flipped."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, 32)).astype("float32")
    score = x[:, :4] @ rng.normal(size=4)
    y = score > 0
    flip = rng.random(_data.N) < 0.1
    return x, (y ^ flip).astype("float32").reshape(-1, 1)


@heldout11("regularizer-assigned-after-build", ("overfitting",), ("overfitting",),
           r"after (the model|the layers?|it) (is|was|were|has been|have been) (built|created|compiled)|already built"
           r"|kernel_regularizer.{0,60}(constructor|when (the layer is|creating|building)|Dense\()|(assign|set)\w* "
           r"(the |a )?(kernel_)?regularizer.{0,40}(no effect|ignored|does nothing|too late)|(rebuild|re-create|"
           r"recreate|clone)\w* the model",
           "a small noisy table (96 training rows, 4 informative and 28 noise columns) fitted by a wide MLP; to "
           "fight the overfitting the script adds L2 regularisation with for layer in model.layers: "
           "layer.kernel_regularizer = regularizers.l2(0.01), the pattern of many answers about regularising a "
           "loaded model, but the layers are already built, so the attribute is never read, model.losses stays "
           "empty and training is unregularised: the training loss goes to ~0 while the validation loss rises "
           "from epoch 3 (SO-style 'adding kernel_regularizer to existing layers has no effect'); fix: pass "
           "kernel_regularizer=l2(0.01) when the layers are made (or rebuild the model from its config after "
           "setting it)")
def _(fixed):
    x, y = small_noisy(seed=1105)
    reg = {"kernel_regularizer": regularizers.l2(0.01)} if fixed else {}
    model = keras.Sequential([keras.Input((32,)), layers.Dense(128, activation="relu", **reg),
                              layers.Dense(128, activation="relu", **reg), layers.Dense(1, activation="sigmoid")])
    if not fixed:
        for layer in model.layers:
            layer.kernel_regularizer = regularizers.l2(0.01)  # too late: the kernels exist already
    out = compiled(model, "binary_crossentropy", x, y, metrics=["accuracy"], optimizer=keras.optimizers.Adam(3e-3),
                   epochs=20)
    out["x"], out["y"] = x[416:], y[416:]
    return with_validation(out, x[:160], y[:160])


# ---------------------------------------------------------------- train / eval mode

@heldout11("batchnorm-momentum-torch-convention", ("oscillation", "overfitting", "loss-spikes", "val-without-train",
                                                   "stalled"),
           ("oscillation", "overfitting", "loss-spikes"),
           r"(batch ?norm\w*|BatchNormalization)\W{0,3}.{0,60}momentum|momentum ?= ?0\.(9|99)\b.{0,40}(batch|norm)"
           r"|moving (mean|average|var|stat)\w*|running (mean|var|stat)\w*|(pytorch|torch)('s)? "
           r"(convention|default|meaning)",
           "a BatchNormalization(momentum=0.1) after each hidden layer of a model ported from PyTorch, where "
           "BatchNorm1d's momentum=0.1 is the weight of the new batch; in Keras momentum is the weight of the "
           "old moving statistics, so each update keeps 10% of them and the moving mean and variance are those "
           "of the last few batches, here the epoch's last batch of 6 rows: the validation loss, computed with "
           "the moving statistics, jumps from epoch to epoch while the training loss falls smoothly (SO-style "
           "'validation loss erratic with BatchNormalization after porting a model from PyTorch'); fix: "
           "momentum=0.9 (or the default 0.99) in Keras")
def _(fixed):
    x, y = _data.classes(3, seed=1106)
    momentum = 0.9 if fixed else 0.1
    model = keras.Sequential([keras.Input((_data.D,)),
                              layers.Dense(32), layers.BatchNormalization(momentum=momentum), layers.Activation("relu"),
                              layers.Dense(32), layers.BatchNormalization(momentum=momentum), layers.Activation("relu"),
                              layers.Dense(3, activation="softmax")])
    out = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    out["x"], out["y"] = x[122:], y[122:]  # 390 training rows: 12 batches of 32 and one of 6
    return with_validation(out, x[:122], y[:122])


# ---------------------------------------------------------------- data pipeline

REGIONS = np.array(["north", "south", "east", "west"])


@heldout11("categorical-column-dropped-by-dtype", ("stalled", "label-problem", "cannot-overfit-batch", "overfitting"),
           ("stalled", "label-problem", "cannot-overfit-batch"),
           r"select_dtypes|(string|categorical|object|text|non-numeric) (column|feature|field)s?.{0,60}(dropped|"
           r"left out|excluded|removed|lost|missing)|(dropped|left out|excluded|removed|lost).{0,40}(string|"
           r"categorical|object|non-numeric) (column|feature|field)|one-hot (encode|the) (the )?(region|categor)",
           "a churn table whose strongest predictor is a text column (region: north/south/east/west), read with "
           "pandas and turned into inputs with X = df.select_dtypes(include='number').values so that the "
           "network gets only numbers: the region column is silently dropped, the four weak numeric columns are "
           "all that is left, and training and validation accuracy stop near 0.6 (SO-style 'model accuracy "
           "stuck, my categorical features disappeared when I selected numeric columns'); fix: one-hot encode the "
           "categorical column (pd.get_dummies(df, columns=['region'])) and keep it in X")
def _(fixed):
    rng = np.random.default_rng(1107)
    region = rng.integers(0, 4, size=_data.N)
    numeric = rng.normal(size=(_data.N, 4)).astype("float32")
    score = np.array([-2.0, -0.7, 0.7, 2.0])[region] + 0.4 * numeric[:, 0] + 0.4 * rng.normal(size=_data.N)
    y = (score > 0).astype("float32").reshape(-1, 1)
    table = {"region": REGIONS[region]}
    x = numeric
    if fixed:
        dummies = (table["region"][:, None] == REGIONS[None, :]).astype("float32")
        x = np.hstack([numeric, dummies])
    out = compiled(net(1, "sigmoid", d=x.shape[1]), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return split(out, x, y)


# ---------------------------------------------------------------- optimiser

@heldout11("optimizer-object-built-string-compiled", ("no-learning", "stalled", "update-ratio", "stuck-at-chance",
                                                      "lr-decay-too-fast"),
           ("no-learning", "stalled", "update-ratio"),
           r"optimizer ?= ?['\"]sgd['\"]|(string|name) ['\"]?sgd|(pass|use|give)\w* the (optimi[sz]er )?object|"
           r"(object|instance) (you|that was|was) (built|created|configured)|(default|plain) SGD.{0,60}(0\.01|"
           r"no momentum|without momentum)|(configured|custom) (learning rate|momentum).{0,40}(never|not) used",
           "a script that builds opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9) and then compiles "
           "with model.compile(optimizer='sgd', ...), the string left from an earlier version: Keras makes a "
           "fresh SGD with its defaults (learning rate 0.01, no momentum) and the configured object is never "
           "used, so the loss creeps down from ln 3 over the whole run (SO-style 'changing the SGD learning rate "
           "has no effect on training'); fix: compile(optimizer=opt)")
def _(fixed):
    x, y = _data.classes(3, seed=1109)
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    model = net(3, "softmax")
    out = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    model.compile(optimizer=opt if fixed else "sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return split(out, x, y)
