"""A tenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a tenth set: held-out sets 1-8 have been run and studied, and set 9 was written just before this one;
together with set 9 this set gives the next honest measurement forty programs nobody tuned for. These
programs were written without reading traindoc's rules, checks, probes, findings or integrations, without
reading any bench output, and frozen (``HELDOUT10.sha256``) before traindoc was ever run on them; see
``HELDOUT10.md``. Run with ``bench/bench_keras_bugs.py --set heldout10``.

The set uses bug classes no earlier set (nor set 9) has: an F1 metric computed per batch and averaged, class
labels built as if every class file had the first file's row count, a hand-written dropout layer that
scales its activations again at inference, a colour task converted to grayscale, Adam's two betas swapped,
a stop-word list that removes the negation a sentiment label depends on, string labels compared with one
capitalisation, a MaxNorm weight constraint set to a penalty-sized value, one sensor file loaded twice in
place of two, and outliers clipped before the features were standardised.

Same format as ``heldout8_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from . import _data
from .heldout6_keras import OFFSETS, SPREADS, with_validation  # the sixth set's tabular units and helper
from .heldout7_keras import net  # the seventh set's MLP
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT10: list[Case] = []


def heldout10(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the tenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT10.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split(out: dict, x: np.ndarray, y: np.ndarray, n_val: int = 128) -> dict:
    """Train on all but the first ``n_val`` rows, validate on those."""
    out["x"], out["y"] = x[n_val:], y[n_val:]
    return with_validation(out, x[:n_val], y[:n_val])


def blobs(counts: tuple[int, ...], seed: int, spread: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One Gaussian cloud per class (rows in class order, ``counts[c]`` rows of class c), well separated."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(counts), _data.D)) * 1.6
    x = np.concatenate([c + spread * rng.normal(size=(n, _data.D)) for c, n in zip(centres, counts)])
    y = np.concatenate([np.full(n, k) for k, n in enumerate(counts)])
    return x.astype("float32"), y.astype("int64")


# ---------------------------------------------------------------- metrics

def f1_per_batch(y_true, y_pred):
    """The F1 function of many old answers: precision and recall of the batch it is given."""
    y_hat = ops.cast(y_pred > 0.5, "float32")
    y_true = ops.cast(y_true, "float32")
    tp = ops.sum(y_true * y_hat)
    precision = tp / (ops.sum(y_hat) + 1e-7)
    recall = tp / (ops.sum(y_true) + 1e-7)
    return 2 * precision * recall / (precision + recall + 1e-7)


@heldout10("custom-f1-averaged-over-batches", ("loss-metric-mismatch", "misleading-accuracy", "class-imbalance"),
           ("loss-metric-mismatch", "misleading-accuracy"),
           r"F1Score|(f1|precision|recall)\w*.{0,60}(per|each|every|over|within|of) (a |the |one )?(mini-?)?batch"
           r"|batch.?wise (f1|precision|recall|metric)|(non-?decomposable|global) metric",
           "a rare-event detector (6% positives, batch_size=16) compiled with metrics=['accuracy', f1], where f1 is "
           "the hand-written precision/recall/F1 function found in many old answers: Keras evaluates a plain "
           "function metric on each batch and reports the mean, and a batch without a positive row scores F1 = 0 "
           "however good the model is, so the logged f1 and val_f1 stay far below the real F1 while the loss "
           "falls and accuracy reaches 0.99 (SO-style 'custom F1 metric in Keras is much lower than sklearn's "
           "f1_score'; Keras 2 removed its batch-wise F1 for this reason); fix: keras.metrics.F1Score (a stateful "
           "metric over the whole epoch), or compute F1 on the whole validation set in a callback")
def _(fixed):
    rng = np.random.default_rng(1001)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    positive = rng.random(_data.N) < 0.06
    direction = rng.normal(size=_data.D)
    x[positive] += 4.5 * direction / np.linalg.norm(direction)  # the rare class: a shifted cloud
    y = positive.astype("float32").reshape(-1, 1)
    f1 = keras.metrics.F1Score(average="micro", threshold=0.5, name="f1") if fixed else f1_per_batch
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, y, optimizer=keras.optimizers.Adam(3e-3),
                   metrics=["accuracy", f1], epochs=10, batch_size=16)
    return split(out, x, y)


# ---------------------------------------------------------------- labels

@heldout10("labels-built-from-one-class-count", ("label-problem", "stalled", "cannot-overfit-batch", "overfitting",
                                                 "loss-metric-mismatch"),
           ("label-problem", "stalled", "cannot-overfit-batch"),
           r"np\.(repeat|full)|(unequal|different|differing) (class|file) (sizes|counts|lengths)|(class|file)(es)?"
           r"('s|') (own )?(row )?(counts?|lengths?|sizes?)|(each|every|per) (class|file)\W{0,3}.{0,30}"
           r"(own|actual|real) (row )?(count|length|size|number of rows)|(class|file)e?s? (do not|don't) (all )?have "
           r"the same (size|number of rows|length)",
           "three classes read from three files (one per class) of 100, 250 and 162 rows, stacked with "
           "np.concatenate, and the labels made as y = zeros; y[n:] = 1; y[2 * n:] = 2 with n = len(the first "
           "file), as if every file held n rows: 150 rows of the second class are labelled as the third, so "
           "training and validation loss stop high and validation accuracy stays near 0.8 (SO-style 'model "
           "confuses two classes and accuracy is stuck at 80%, labels built from folder counts'); fix: build the "
           "labels from each file's own row count (np.repeat(range(3), [len(f) for f in files]))")
def _(fixed):
    counts = (100, 250, 162)
    x, y_true = blobs(counts, seed=1002)
    if fixed:
        y = np.repeat(np.arange(3), counts)
    else:
        n = counts[0]
        y = np.zeros(len(x), dtype="int64")
        y[n:] = 1
        y[2 * n:] = 2
    order = np.random.default_rng(1002).permutation(len(x))
    x, y = x[order], y[order].astype("int64")
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    return split(out, x, y)


@heldout10("label-strings-case-mismatch", ("label-problem", "stalled", "cannot-overfit-batch", "overfitting",
                                           "loss-metric-mismatch"),
           ("label-problem", "stalled", "cannot-overfit-batch"),
           r"(upper|lower)[- ]?case|case[- ]?(sensitiv|insensitiv|mismatch|differ)|\.lower\(\)|\.str\.lower"
           r"|capitali[sz]\w*|(spelling|spelt|spelled) (differently|variant)|'yes'|\"yes\"",
           "a churn table merged from two CRM exports whose 'churned' column reads 'Yes'/'No' in one and "
           "'yes'/'no' in the other, turned into labels with y = (df['churned'] == 'Yes'): every positive row of "
           "the second export becomes 0, so half the positives carry the negative label; the model cannot fit "
           "them and both losses stay high (SO-style 'binary classifier stuck, some positive rows labelled 0 "
           "after merging two CSVs'); fix: normalise the strings before comparing, "
           "df['churned'].str.lower() == 'yes'")
def _(fixed):
    rng = np.random.default_rng(1003)
    x, y = _data.binary(seed=1003)
    source = rng.integers(0, 2, size=len(y))  # which export the row came from
    text = np.where(y == 1, np.where(source == 0, "Yes", "yes"), np.where(source == 0, "No", "no"))
    labels = (np.char.lower(text) == "yes") if fixed else (text == "Yes")
    labels = labels.astype("float32").reshape(-1, 1)
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, labels, metrics=["accuracy"], epochs=8)
    return split(out, x, labels)


# ---------------------------------------------------------------- train / eval mode, regularisation

class HandDropout(layers.Layer):
    """Inverted dropout written by hand (scaled by 1 / (1 - rate) in training); ``scale_at_inference`` also
    multiplies by (1 - rate) at inference, as the original non-inverted recipe does."""

    def __init__(self, rate: float, scale_at_inference: bool, **kw):
        super().__init__(**kw)
        self.rate, self.scale_at_inference = rate, scale_at_inference
        self.seeds = keras.random.SeedGenerator(1004)

    def call(self, x, training=None):
        if training:
            keep = keras.random.uniform(ops.shape(x), seed=self.seeds) >= self.rate
            return ops.where(keep, x / (1.0 - self.rate), 0.0)
        return x * (1.0 - self.rate) if self.scale_at_inference else x


@heldout10("custom-dropout-rescaled-at-inference", ("overfitting", "stalled", "both-rising", "loss-metric-mismatch"),
           ("overfitting", "stalled"),
           r"(custom|hand.?written|own|subclassed|home.?made) dropout|inverted dropout|dropout.{0,60}(scal\w* "
           r"(twice|again|at inference)|rescal\w*)|\(1 ?- ?(p|rate)\)|\* ?\(?1 ?- ?(p|rate)",
           "a regression MLP with a hand-written dropout layer (the course-assignment version): in training it "
           "drops units and divides the kept ones by (1 - rate) (inverted dropout), and at inference it also "
           "multiplies by (1 - rate), as the original non-inverted recipe does, so with rate 0.5 in two places "
           "every prediction Keras makes for validation is shrunk about fourfold: the training loss falls while "
           "the validation loss stays several times higher and does not follow it (SO-style 'validation loss much "
           "higher than training loss with my own Dropout layer'); fix: return the inputs unchanged at inference "
           "(the scaling already happens in training), or use keras.layers.Dropout")
def _(fixed):
    x, y = _data.regression(seed=1004, scale=3.0)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(64, activation="relu"),
                              HandDropout(0.5, not fixed), layers.Dense(64, activation="relu"),
                              HandDropout(0.5, not fixed), layers.Dense(1)])
    out = compiled(model, "mse", x, y, optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return split(out, x, y)


@heldout10("maxnorm-constraint-penalty-sized", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch",
                                                "vanishing-gradients", "update-ratio", "loss-metric-mismatch"),
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
           r"MaxNorm|max.?norm (constraint|value|of 0)|kernel_constraint|(weight|norm|kernel) constraints?"
           r"|constrain\w* (the )?(weights|kernels?)",
           "kernel_constraint=MaxNorm(0.01) on every Dense layer, the constraint added 'against overfitting' with "
           "a value sized like an L2 penalty (the dropout paper's max-norm is 3 to 4): after each update every "
           "unit's incoming weight vector is rescaled to norm 0.01, so each layer shrinks its input a "
           "hundredfold, the logits stay ~0 and the loss sits at ln 3 (SO-style 'adding a max_norm constraint "
           "makes my model predict the same class'); fix: MaxNorm(3) or no constraint")
def _(fixed):
    x, y = _data.classes(3, seed=1005)
    kw = {} if fixed else {"kernel_constraint": keras.constraints.MaxNorm(0.01)}
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu", **kw),
                              layers.Dense(32, activation="relu", **kw), layers.Dense(3, activation="softmax", **kw)])
    out = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- images

def colour_patches(seed: int, size: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """RGB noise images with one 3x3 patch that is red (class 0) or green (class 1), equally bright."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.3, size=(_data.N, size, size, 3)).astype("float32")
    y = rng.integers(0, 2, size=_data.N)
    rows, cols = rng.integers(0, size - 3, size=_data.N), rng.integers(0, size - 3, size=_data.N)
    for i in range(_data.N):
        x[i, rows[i]:rows[i] + 3, cols[i]:cols[i] + 3, y[i]] += 0.9
    return x, y.astype("int64")


@heldout10("colour-task-converted-to-grayscale", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
           r"gr[ae]y.?scale|colou?r (channels?|information|cue)|(rgb|3|three) (colou?r )?channels|channels?.{0,40}"
           r"(averag|collaps|merg|drop|lost)|\.mean\(-1|\.mean\(axis ?= ?-1|convert\w* to (gr[ae]y|luminance)",
           "a small CNN for red against green markers on a noisy background, whose loading code was copied from an "
           "MNIST notebook and converts every image to grayscale (x.mean(axis=-1, keepdims=True)) 'to save memory': "
           "a red and a green patch of the same brightness become the same grey patch, so nothing in the input "
           "tells the classes apart and the loss stays at ln 2 (SO-style 'CNN cannot tell two colours apart — "
           "stuck at 50%'); fix: keep the three colour channels (Input((8, 8, 3)))")
def _(fixed):
    x, y = colour_patches(1006)
    if not fixed:
        x = x.mean(axis=-1, keepdims=True)
    model = keras.Sequential([keras.Input(x.shape[1:]), layers.Conv2D(8, 3, activation="relu"), layers.Flatten(),
                              layers.Dense(16, activation="relu"), layers.Dense(2, activation="softmax")])
    out = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=8)
    return split(out, x, y)


# ---------------------------------------------------------------- optimiser

@heldout10("adam-betas-swapped", ("oscillation", "loss-spikes", "divergence", "lr-too-high", "update-ratio", "stalled",
                                  "exploding-gradients", "both-rising", "overfitting"),
           ("oscillation", "loss-spikes", "divergence", "lr-too-high", "update-ratio", "overfitting"),
           r"\bbeta_?1\b.{0,40}\bbeta_?2\b|\bbeta_?2\b.{0,40}\bbeta_?1\b|betas.{0,40}(swap|revers|order|0\.999|0\.9\b)"
           r"|(swap|revers|order)\w*.{0,40}betas|(first|second)[- ]moment.{0,60}(swap|revers|0\.999|0\.9\b)"
           r"|beta_?1 ?= ?0\.999",
           "an optimiser built from a config that lists 'betas: [0.999, 0.9]' (the two values entered in the wrong "
           "order), Adam(learning_rate=1e-2, beta_1=0.999, beta_2=0.9): the gradient average now remembers about "
           "a thousand steps while the squared-gradient average forgets after ten, so the step keeps pushing in "
           "an old direction long after the gradient has turned and is divided by a scale that tracks only the "
           "latest batches; the training loss bumps back up between epochs and the validation loss climbs from "
           "0.16 to 0.74 instead of settling (SO-style 'Adam loss oscillates and goes up although the learning "
           "rate is normal'); fix: beta_1=0.9, beta_2=0.999")
def _(fixed):
    x, y = _data.classes(3, seed=1007)
    opt = keras.optimizers.Adam(1e-2, beta_1=0.9, beta_2=0.999) if fixed else \
        keras.optimizers.Adam(1e-2, beta_1=0.999, beta_2=0.9)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, optimizer=opt, metrics=["accuracy"],
                   epochs=16)
    return split(out, x, y)


# ---------------------------------------------------------------- text

GOOD, BAD, NOT = 1, 2, 3  # word ids; 0 is padding, 4.. are other words


def negated_reviews(seed: int, steps: int = 12, vocab: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Short reviews with one sentiment word, preceded by 'not' in half of them; the label is the meaning."""
    rng = np.random.default_rng(seed)
    x = rng.integers(4, vocab, size=(_data.N, steps))
    word = rng.choice([GOOD, BAD], size=_data.N)
    negated = rng.random(_data.N) < 0.5
    pos = rng.integers(1, steps, size=_data.N)
    x[np.arange(_data.N), pos] = word
    x[negated, pos[negated] - 1] = NOT
    y = ((word == GOOD) != negated).astype("float32")
    return x.astype("int64"), y


def drop_words(x: np.ndarray, stop: set[int]) -> np.ndarray:
    """Remove the stop-word ids from each row and pad the rows at the end with 0 (pad_sequences(padding='post'))."""
    out = np.zeros_like(x)
    for i, row in enumerate(x):
        kept = [t for t in row if t not in stop]
        out[i, :len(kept)] = kept
    return out


@heldout10("stopword-removal-drops-negation", ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch",
                                               "label-problem"),
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch", "label-problem"),
           r"stop.?words?|negation|negat\w+ (word|token)s?|'not'|\"not\"",
           "a bag-of-words sentiment model (Embedding -> GlobalAveragePooling1D -> Dense) whose text cleaning "
           "removes a standard English stop-word list before tokenising; the list contains 'not', so 'not good' "
           "and 'good' become the same text, and in these reviews half of the sentiment words are negated: with "
           "the negation gone the label cannot be read from the words and the loss stays at ln 2 (SO-style "
           "'sentiment model cannot learn negative reviews after removing stopwords'); fix: keep negations such as "
           "'not' (remove them from the stop-word list, or do not remove stop words)")
def _(fixed):
    x, y = negated_reviews(1008)
    stop = {10, 11, 12} if fixed else {NOT, 10, 11, 12}  # 10-12: 'the', 'a', 'is'
    ids = drop_words(x, stop)
    model = keras.Sequential([keras.Input((ids.shape[1],), dtype="int64"), layers.Embedding(30, 8),
                              layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", ids, y.reshape(-1, 1), optimizer=keras.optimizers.Adam(1e-2),
                   metrics=["accuracy"], epochs=10)
    return split(out, ids, y.reshape(-1, 1))


# ---------------------------------------------------------------- data pipeline

@heldout10("sensor-file-loaded-twice", ("stalled", "stuck-at-chance", "label-problem", "cannot-overfit-batch",
                                        "overfitting", "loss-metric-mismatch"),
           ("stalled", "stuck-at-chance", "label-problem", "cannot-overfit-batch"),
           r"same (file|array|sensor|block|columns?)\b.{0,40}(twice|both|again)|(loaded|read|used|fed) twice"
           r"|(duplicat\w*|identical|repeated) (columns|halves|blocks|features|inputs)|sensor_b|second (file|sensor|"
           r"block|array)",
           "features for a machine-state classifier stacked from two sensor files, x = np.hstack([load('sensor_a"
           ".csv'), load('sensor_a.csv')]): the second line of a copy-pasted loading block still names the first "
           "file, so the second sensor's eight columns are the first sensor's again; the state depends mostly on "
           "the second sensor, so the model cannot fit it and both losses stay high, validation accuracy near "
           "0.5 for three states (SO-style 'model stuck although I added the second sensor's features'); fix: "
           "load sensor_b.csv for the second block")
def _(fixed):
    rng = np.random.default_rng(1009)
    sensor_a = rng.normal(size=(_data.N, _data.D)).astype("float32")
    sensor_b = rng.normal(size=(_data.N, _data.D)).astype("float32")
    y = (0.4 * sensor_a @ rng.normal(size=(_data.D, 3)) + sensor_b @ rng.normal(size=(_data.D, 3))).argmax(1)
    x = np.hstack([sensor_a, sensor_b if fixed else sensor_a])
    y = y.astype("int64")
    out = compiled(net(3, "softmax", d=x.shape[1]), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   epochs=8)
    return split(out, x, y)


@heldout10("outliers-clipped-before-standardising", ("stalled", "stuck-at-chance", "cannot-overfit-batch",
                                                     "label-problem", "unnormalized-input", "overfitting",
                                                     "loss-metric-mismatch"),
           ("stalled", "stuck-at-chance", "cannot-overfit-batch", "label-problem", "unnormalized-input"),
           r"np\.clip|clip\w* (the )?(raw )?(features|inputs|outliers|values|columns|data)\b.{0,60}(after|before|once|"
           r"standardi|scal|normali|units)|(standardi[sz]|scal|normali[sz])\w* (the )?(features|inputs|data )?.{0,20}"
           r"(before|first|then) (clip|clipping)|outlier clipping|(clip|clipping) .{0,30}(raw|original|natural) "
           r"(units|values|scale)",
           "tabular features in natural units (a pressure near 1013, a count near 6000, a share near 0.4) put "
           "through an outlier step np.clip(x, -3, 3) that was meant for standardised values but runs before the "
           "StandardScaler: every column but the share sits above 3, becomes the constant 3 and is scaled to 0, "
           "so the model sees one informative column of eight, and both losses stop far above the fixed model's "
           "(SO-style 'after removing outliers my model stopped learning'); fix: standardise first, then clip "
           "at +-3")
def _(fixed):
    x0, y = _data.classes(3, seed=1010)
    raw = (OFFSETS + SPREADS * x0).astype("float32")

    def standardise(a):  # StandardScaler: a constant column is left at 0 (its scale is taken as 1)
        sd = a.std(0)
        return (a - a.mean(0)) / np.where(sd > 0, sd, 1.0)

    feats = np.clip(standardise(raw), -3, 3) if fixed else standardise(np.clip(raw, -3, 3))
    feats = feats.astype("float32")
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", feats, y, metrics=["accuracy"], epochs=8)
    return split(out, feats, y)
