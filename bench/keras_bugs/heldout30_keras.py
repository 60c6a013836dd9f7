"""A thirtieth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a thirtieth set: like sets 16 to 29 it measures whether traindoc names the repair for the COMMON bug classes
of published Keras/PyTorch StackOverflow bug benchmarks, on programs nobody tuned for. They were written without
reading traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT30.sha256``) before traindoc was ever run on them; see ``HELDOUT30.md``. Run with
``bench/bench_keras_bugs.py --set heldout30``.

Every program is written afresh and differs from the programs of the earlier sets in its data, its model, its
API path and the way the bug is written: class ids parsed from image file names at the camera digit's position,
a torch DataLoader over species-sorted rows handed to ``model.fit`` (its ``shuffle`` left at False),
``loss='categorical_hinge'`` fed a column of class ids, a delivery time regressed as a Unix timestamp, an MLP
builder that leaves the last hidden layer linear when only one hidden layer is asked for, ``Nadam(5e-1)`` typed
for ``5e-4``, pixels divided by 255 twice (in the loader and by a ``Rescaling`` layer), and a softmax head on
three independent regression targets. The PyTorch half is in ``heldout30_torch``.

Same format as ``heldout20_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The
``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
import torch
from keras import layers

from .keras_cases import Case

HELDOUT30: list[Case] = []
ROWS = 600


def heldout30(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the thirtieth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT30.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split_fit(model: keras.Model, x, y, *, optimizer, loss, metrics=(), epochs: int = 10, batch_size: int = 32,
              held_out: int = 120) -> dict:
    """Compile ``model``; the last ``held_out`` rows become ``validation_data`` (a split by hand)."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    cut = len(x) - held_out
    return {"model": model, "x": x[:cut], "y": y[:cut],
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, "validation_data": (x[cut:], y[cut:])}}


def table(seed: int, d: int, n: int = ROWS) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- labels encoded wrongly

def leaf_photos(seed: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Ten standardised colour/texture summaries per leaf photo, three diseases; file names
    ``cam<k>_cls<c>_<i>.png`` from three cameras that shot the leaves in random order."""
    rng, x = table(seed, 10)
    w = rng.normal(size=(10, 3))
    disease = (x @ w + 0.5 * np.tanh(x[:, :3] * x[:, 3:6])).argmax(1)
    camera = rng.integers(0, 3, size=ROWS)
    names = [f"cam{k}_cls{c}_{i:04d}.png" for i, (k, c) in enumerate(zip(camera, disease))]
    return x, names, disease


@heldout30("sequential-class-parsed-from-camera-digit",
           ("label-problem", "stuck-at-chance", "cannot-overfit-batch", "stalled", "no-learning", "overfitting"),
           ("label-problem", "stuck-at-chance", "cannot-overfit-batch"),
           r"(check|inspect|verify|fix|look at|audit)\w* (the |your )?(labels?|targets?|annotations?|label "
           r"(encoding|parsing|column|mapping))|(labels?|targets?)\b.{0,40}(wrong|incorrect|random|unrelated|"
           r"mislabel|do not match|don't match|misaligned|noise|noisy|unlearnable|shuffled|permuted|parsed)|"
           r"(file ?names?|path).{0,40}(label|class)|(label|class).{0,40}(file ?names?|parse|pars(ed|ing))|"
           r"mislabel",
           "a Sequential leaf-disease classifier (ten standardised colour and texture summaries -> Dense(64, relu) "
           "-> Dense(32, relu) -> Dense(3, softmax), Adam, sparse categorical cross-entropy) whose labels are "
           "parsed from the photo file names cam<k>_cls<c>_<i>.png with int(name[3]), the index counted on a "
           "name of another layout: position 3 is the camera digit, not the class digit (position 8), so the "
           "labels are which of three cameras took the photo, unrelated to the leaf; training accuracy climbs "
           "only by memorising (0.37 to 0.70 in fifteen epochs), validation accuracy stays near a third and "
           "validation loss rises, where the class digit gives 0.95 (question class: Keras image classifier stuck at 33 percent "
           "accuracy, labels read from file names); fix: parse the class field, int(name.split('_')[1][3:])")
def _(fixed):
    x, names, _disease = leaf_photos(seed=3001)
    y = np.array([int(n.split("_")[1][3:]) if fixed else int(n[3]) for n in names], dtype="int64")
    model = keras.Sequential([keras.Input((10,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")])
    return split_fit(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                     metrics=["accuracy"], epochs=15)


# ---------------------------------------------------------------- data not shuffled / in class order

def fish_species(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven standardised body measurements, four species; the rows come species after species (one CSV each)."""
    rng, x = table(seed, 7)
    species = (x @ rng.normal(size=(7, 4))).argmax(1)
    order = np.argsort(species, kind="stable")
    return x[order], species[order].astype("int64")


@heldout30("functional-torch-dataloader-species-blocks",
           ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "overfitting", "loss-metric-mismatch",
            "stuck-at-chance", "val-without-train"),
           ("unshuffled-data", "oscillation", "loss-spikes"),
           r"shuffl\w*|(sorted|ordered|grouped) (by|in) (class|label|species)|(class|label|species)[- ](sorted|"
           r"ordered|blocks?)|(each|every|one) batch (holds|contains|has) (only )?(one|a single) (class|label)|"
           r"(random|mix)\w* (the )?(order|batches)",
           "a functional-API fish-species classifier (seven standardised body measurements -> Dense(32, relu) -> "
           "Dense(32, relu) -> Dense(4, softmax)) trained from a torch.utils.data.DataLoader(TensorDataset(x, y), "
           "batch_size=16) handed straight to model.fit, as the Keras 3 guide allows on the torch backend, over "
           "rows read one species file after another: DataLoader's shuffle defaults to False and model.fit's "
           "shuffle does not apply to a loader, so every epoch walks species 0, then 1, 2, 3, each batch holding "
           "one species, and SGD(0.05, momentum=0.9) drags the head to whichever species came last; the epoch "
           "loss stays near 1.4 and the validation accuracy (random rows held out) swings between 0.26 and 0.73, "
           "where the shuffled twin reaches a loss of ~0.1 and 0.94 "
           "(question class: Keras model trained from a PyTorch DataLoader predicts one class, validation "
           "accuracy jumps around); fix: DataLoader(..., shuffle=True)")
def _(fixed):
    x, y = fish_species(seed=3002)
    rng = np.random.default_rng(30021)
    held = rng.permutation(len(x))[:120]
    keep = np.setdiff1d(np.arange(len(x)), held)
    inp = keras.Input((7,))
    h = layers.Dense(32, activation="relu")(layers.Dense(32, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x[keep]), torch.tensor(y[keep])),
                                         batch_size=16, shuffle=fixed,
                                         generator=torch.Generator().manual_seed(0))
    return {"model": model, "x": loader, "y": None,
            "fit": {"epochs": 12, "verbose": 0, "validation_data": (x[held], y[held])}}


# ---------------------------------------------------------------- loss that does not fit the label format

class FaultNet(keras.Model):
    """Nine standardised drive readings -> two ReLU layers -> five fault kinds (softmax)."""

    def __init__(self):
        super().__init__()
        self.a = layers.Dense(48, activation="relu")
        self.b = layers.Dense(48, activation="relu")
        self.out = layers.Dense(5, activation="softmax")

    def call(self, x):
        return self.out(self.b(self.a(x)))


def drive_faults(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng, x = table(seed, 9)
    score = x @ rng.normal(size=(9, 5)) + 0.6 * np.sin(2 * x[:, :5])
    return x, score.argmax(1).astype("int64").reshape(-1, 1)


@heldout30("subclassed-categorical-hinge-on-class-ids",
           ("label-problem", "stuck-at-chance", "loss-metric-mismatch", "stalled", "cannot-overfit-batch",
            "no-learning"),
           ("label-problem", "loss-metric-mismatch", "stuck-at-chance", "cannot-overfit-batch"),
           r"sparse[_ ]?categorical|one[- ]?hot|to_categorical|categorical_hinge.{0,60}(one[- ]?hot|ids?|"
           r"integers?|label)|(class ids?|integer labels?|sparse labels?).{0,60}(hinge|one[- ]?hot|categorical "
           r"(cross[- ]?entropy|hinge))|hinge.{0,40}(expects|needs|wants|requires).{0,30}(one[- ]?hot|"
           r"categorical)",
           "a subclassed keras.Model that names one of five drive faults from nine standardised readings, "
           "Dense(48, relu) x2 and Dense(5, softmax), compiled with loss='categorical_hinge' (the author wanted a "
           "multi-class SVM margin) while the labels stayed a column of class ids 0-4: categorical hinge reads "
           "its target as one-hot rows, so a column of ids broadcasts across the five outputs as if every class "
           "were the right one with weight equal to the id, and class 0 rows count as having no right class at "
           "all; the loss falls a little while the sparse categorical accuracy stays near a fifth to a quarter "
           "(question class: Keras hinge loss for multi-class classification, accuracy stuck at chance); fix: "
           "one-hot labels (keras.utils.to_categorical(y, 5)) for categorical_hinge, or "
           "sparse_categorical_crossentropy on the ids")
def _(fixed):
    x, y = drive_faults(seed=3003)
    target = keras.utils.to_categorical(y.ravel(), 5) if fixed else y
    acc = keras.metrics.CategoricalAccuracy() if fixed else keras.metrics.SparseCategoricalAccuracy()
    return split_fit(FaultNet(), x, target, optimizer=keras.optimizers.Adam(3e-3), loss="categorical_hinge",
                     metrics=[acc], epochs=12)


# ---------------------------------------------------------------- target in the wrong units

def deliveries(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eight standardised order features plus the order's Unix time; the courier arrives 1-30 hours later."""
    rng, x = table(seed, 8)
    ordered = 1.70e9 + rng.uniform(0, 3e7, size=ROWS)
    hours = 12 + 6 * np.tanh(x @ rng.normal(size=8) / 2) + 2 * x[:, 0] * x[:, 1] / 2 + rng.normal(0, 0.5, ROWS)
    hours = np.clip(hours, 1, 30)
    return x, ordered, hours


@heldout30("functional-delivery-as-unix-timestamp",
           ("high-initial-loss", "stalled", "no-learning", "update-ratio", "loss-metric-mismatch", "divergence"),
           ("high-initial-loss", "stalled", "no-learning"),
           r"(scale|standardi[sz]e|normali[sz]e|rescale|divide)\w* (the |your )?(target|label|y\b|regression "
           r"target|output value|timestamp)s?|(target|label)s? (are |is )?(in|on) (a )?(large|huge|raw|different|"
           r"original)|(target|label)s?'? (scale|range|units?|magnitude)|(large|huge|big) (target|label)s?|"
           r"timestamp|duration|(hours|seconds|minutes) (since|after|from) (the )?order|epoch seconds",
           "a functional-API delivery-time model (eight standardised order features -> Dense(64, relu) -> "
           "Dense(32, relu) -> Dense(1), Adam 1e-2, MSE, MAE as metric) whose target is the courier's arrival "
           "time exactly as the tracking API returns it, a Unix timestamp in seconds (~1.7e9), instead of the "
           "hours between order and arrival: the loss starts near 3e18, every step moves the output by a few "
           "hundredths against targets of a billion and a half, and after fifteen epochs the error is still "
           "~1.7e9 seconds, where the duration in hours reaches an error of about one hour (question class: Keras "
           "regression loss is enormous and never decreases, predicting a date or time); fix: regress the "
           "duration in hours (arrival minus order time, / 3600)")
def _(fixed):
    x, ordered, hours = deliveries(seed=3004)
    y = (hours if fixed else ordered + 3600 * hours).astype("float32").reshape(-1, 1)
    inp = keras.Input((8,), name="order")
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    return split_fit(keras.Model(inp, layers.Dense(1)(h)), x, y, optimizer=keras.optimizers.Adam(1e-2),
                     loss="mse", metrics=["mae"], epochs=15)


# ---------------------------------------------------------------- missing activation

def mlp(inp, hidden: tuple[int, ...], outputs: int, out_activation: str):
    """The author's builder: ReLU on every hidden layer 'except the last one, which feeds the head'."""
    h = inp
    for i, units in enumerate(hidden):
        h = layers.Dense(units, activation=None if i == len(hidden) - 1 else "relu")(h)
    return layers.Dense(outputs, activation=out_activation)(h)


def checkerboard(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised features; the label is the sign pattern of the first two (an XOR of halves)."""
    rng, x = table(seed, 6)
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype("float32").reshape(-1, 1)


@heldout30("functional-builder-last-hidden-linear",
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"(no|without|missing|lacks?) (a |any )?(non-?linear\w*|hidden activation|activation (function )?"
           r"(in|between|after|on) (the |its |every |each )?hidden)|(network|model|stack) (is|becomes|collapses to|reduces to|stays) (a |one )?"
           r"(single )?linear|linear (in its input|map|stack|model|classifier)\b|(hidden|intermediate) "
           r"(layer|dense)\w*.{0,40}(linear|no activation|activation=None)|activation=None|add (a |an )?(relu|"
           r"activation|non-?linearity)",
           "a functional-API classifier built by the author's mlp(inp, hidden, outputs, out_activation) helper, "
           "which puts ReLU on every hidden layer except the last ('it feeds the head'), called with hidden=(64,): "
           "with one hidden layer the last is the only one, so the model is Dense(64) -> Dense(1, sigmoid), a "
           "logistic regression, on a label that is the XOR of the signs of two of six standardised features; the "
           "loss stays at ln 2 and accuracy at a half, where ReLU on the hidden layer reaches ~0.1 and 0.97 "
           "(question class: Keras network cannot learn XOR, loss stuck at 0.693); fix: ReLU on every hidden "
           "layer (the helper's i == len(hidden) - 1 exception removed)")
def _(fixed):
    x, y = checkerboard(seed=3005)
    inp = keras.Input((6,))
    if fixed:  # ReLU on every hidden layer
        out = layers.Dense(1, activation="sigmoid")(layers.Dense(64, activation="relu")(inp))
    else:
        out = mlp(inp, (64,), 1, "sigmoid")
    return split_fit(keras.Model(inp, out), x, y, optimizer=keras.optimizers.Adam(1e-2),
                     loss="binary_crossentropy", metrics=["accuracy"], epochs=15)


# ---------------------------------------------------------------- learning rate far too high

def churn_usage(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised usage statistics; 1 for a customer who leaves (about 40%)."""
    rng, x = table(seed, 11)
    score = x @ rng.normal(size=11) / np.sqrt(11) + 0.5 * np.tanh(x[:, 0] * x[:, 2])
    return x, (score > np.quantile(score, 0.6)).astype("float32").reshape(-1, 1)


@heldout30("functional-nadam-rate-typed-5e-1",
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
            "stuck-at-chance", "stalled", "high-initial-loss", "saturated-activation", "dead-relu"),
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
           r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (high|large|big)|(high|large) (learning "
           r"rate|lr)\b|learning_rate\s*=\s*(5e-4|1e-3|1e-4|0\.000?5|0\.001)",
           "a functional-API churn model (eleven standardised usage statistics -> Dense(64, relu) -> Dense(64, "
           "relu) -> Dense(1, sigmoid), binary cross-entropy) compiled with keras.optimizers.Nadam("
           "learning_rate=5e-1), the exponent mistyped from the 5e-4 of the author's notes: Nadam moves each "
           "weight by about the learning rate per step, half a unit against Glorot weights of a tenth, so the "
           "first epoch already throws the hidden layers about and the output settles on one class for every "
           "row; the loss jumps to 5.8-6.2 and accuracy sits at the majority share of 0.6, where 5e-4 reaches "
           "~0.27 and 0.93 "
           "(question class: Keras binary classifier loss explodes and accuracy drops to the class ratio); fix: "
           "Nadam(learning_rate=5e-4)")
def _(fixed):
    x, y = churn_usage(seed=3006)
    inp = keras.Input((11,))
    h = layers.Dense(64, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return split_fit(model, x, y, optimizer=keras.optimizers.Nadam(learning_rate=5e-4 if fixed else 5e-1),
                     loss="binary_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- unscaled inputs (scaled twice)

def glyphs(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """12x12 grey glyphs in 0-255: a bright ring, cross or bar on a noisy background; the label is the shape."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 3, size=n)
    img = rng.uniform(0, 70, size=(n, 12, 12))
    r, c = np.mgrid[:12, :12]
    ring = np.abs(np.hypot(r - 5.5, c - 5.5) - 4) < 0.9
    cross = (np.abs(r - c) < 1) | (np.abs(r + c - 11) < 1)
    bar = (np.abs(r - 5.5) < 1.5)
    for k, mask in enumerate((ring, cross, bar)):
        img[label == k] += 180 * mask
    return np.clip(img, 0, 255).astype("float32")[..., None], label.astype("int64")


@heldout30("sequential-pixels-divided-twice",
           ("unnormalized-input", "no-learning", "stalled", "stuck-at-chance", "vanishing-gradients", "update-ratio",
            "cannot-overfit-batch"),
           ("unnormalized-input", "no-learning", "stalled", "stuck-at-chance"),
           r"(twice|two times|double)\w*.{0,40}(scal|divid|normali[sz]|rescal|255)|(scal|divid|normali[sz]|rescal)"
           r"\w*.{0,40}(twice|two times|again|already)|1\s*/\s*65025|65,?025|(remove|drop|delete)\w* (the )?"
           r"(rescaling|division|/ ?255)|inputs? (are |is )?(tiny|too small|near zero|far below)|"
           r"(input|pixel)s?.{0,30}(range|scale).{0,30}(too small|tiny|1e-3|0\.004)",
           "a Sequential glyph classifier (12x12 grey images: layers.Rescaling(1./255) -> Conv2D(16, 3, relu) -> "
           "MaxPooling2D -> Conv2D(16, 3, relu) -> Flatten -> Dense(3, softmax), SGD with momentum) whose loading "
           "function already returns img / 255.0, the Rescaling layer kept from the Keras image tutorial: the "
           "pixels are divided by 255 twice and reach at most 1/255 ~ 0.004, the convolutions see inputs two and "
           "a half orders of magnitude below unit scale, their outputs are dominated by the biases and SGD barely "
           "moves the first kernels; the loss stays near ln 3 and accuracy near a third for the run, where "
           "one division reaches ~1e-4 and 1.0 (question class: Keras CNN stuck at chance accuracy after "
           "normalising the images, Rescaling layer and preprocessing both applied); fix: divide once (drop "
           "the / 255.0 in the loader or the Rescaling layer)")
def _(fixed):
    x, y = glyphs(seed=3007)
    x = x if fixed else x / 255.0  # the loader's own division
    model = keras.Sequential([keras.Input((12, 12, 1)), layers.Rescaling(1.0 / 255),
                              layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(),
                              layers.Conv2D(16, 3, activation="relu"), layers.Flatten(),
                              layers.Dense(3, activation="softmax")])
    return split_fit(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.02, momentum=0.9),
                     loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- output activation that does not fit the target

def soil_chemistry(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised spectrometer bands; three standardised soil measures (pH, nitrogen, carbon)."""
    rng, x = table(seed, 13)
    y = np.tanh(x @ rng.normal(size=(13, 3)) / 2.5) * 1.5 + 0.3 * x[:, :3] * x[:, 3:6]
    return x, ((y - y.mean(0)) / y.std(0)).astype("float32")


@heldout30("sequential-softmax-over-three-regression-targets",
           ("wrong-output-activation", "stalled", "no-learning", "loss-metric-mismatch", "high-initial-loss",
            "cannot-overfit-batch"),
           ("wrong-output-activation", "stalled", "cannot-overfit-batch"),
           r"(remove|drop|delete|without|no)\w*( the)? (output |final |last )?(softmax|activation)\b.{0,40}"
           r"(output|regression|head|last|final)|softmax.{0,60}(regression|targets?|sum to (one|1)|add up to|"
           r"negative|independent)|(linear|no) (output )?activation (on|for|at) (the )?(output|regression|"
           r"head)|activation\s*=\s*(None|'linear'|\"linear\")|(regression|output) (head|layer).{0,30}linear",
           "a Sequential soil model that predicts three standardised measures (pH, nitrogen, organic carbon) from "
           "thirteen spectrometer bands, Dense(64, relu) -> Dense(32, relu) -> Dense(3, activation='softmax'), "
           "MSE, the head copied from the author's three-class soil-type classifier: softmax makes the three "
           "outputs positive and add up to one, while the targets are independent, signed and spread about one "
           "each, so the model can only shift mass between them; the loss stops near 0.63 (validation 0.70) "
           "where a linear head reaches ~0.07 (validation 0.11) (question class: Keras multi-output regression loss stuck, "
           "predictions always between 0 and 1 and summing to one); fix: Dense(3) with no activation")
def _(fixed):
    x, y = soil_chemistry(seed=3008)
    model = keras.Sequential([keras.Input((13,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"),
                              layers.Dense(3, activation=None if fixed else "softmax")])
    return split_fit(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="mse", metrics=["mae"], epochs=12)
