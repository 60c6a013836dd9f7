"""A nineteenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a nineteenth set: like sets 16 to 18 it measures whether traindoc names the repair for the COMMON bug classes
of published Keras/PyTorch StackOverflow bug benchmarks (output activation against the loss, a loss that does
not fit the labels, a learning rate far off, badly scaled inputs, labels encoded wrongly, a missing activation,
dying ReLU from the initialisation, vanishing gradients, optimiser misuse), on programs nobody tuned for. They
were written without reading traindoc's rules, checks, probes, findings or integrations, without reading any
bench output, and frozen (``HELDOUT19.sha256``) before traindoc was ever run on them; see ``HELDOUT19.md``.
Run with ``bench/bench_keras_bugs.py --set heldout19``.

Every program is written afresh, in the way an ordinary user writes it, and differs from the programs of the
earlier sets in its data, its model, its API path and the way the bug is written: a softplus output under a
Huber loss, a fare regression compiled with categorical cross-entropy, Adamax at a rate of 4 on a token model,
a Rescaling layer that multiplies by 255, a standard scaler run over the label column too, a functional graph
that wires the next layer to the pre-activation tensor, a RandomNormal initialiser given its arguments as if
it were RandomUniform, and a deep stack of hard_sigmoid layers. The PyTorch half is in ``heldout19_torch``.

Same format as ``heldout12_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
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

HELDOUT19: list[Case] = []
ROWS = 640


def heldout19(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the nineteenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT19.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def fitted(model: keras.Model, optimizer, loss, x, y, *, metrics=(), epochs: int = 10, batch_size: int = 32,
           validation_split: float = 0.2) -> dict:
    """Compile ``model`` and return the runner's dict: ``fit`` with a held-out share, as a user writes it."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return {"model": model, "x": x, "y": y,
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, "validation_split": validation_split}}


def gauss(seed: int, d: int, n: int = ROWS) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- output activation against the loss

def soil_moisture(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten standardised field readings; the target is a moisture anomaly (mean 0, spread 1, half negative)."""
    rng, x = gauss(seed, 10)
    w = rng.normal(size=10) / np.sqrt(10)
    y = np.sin(x @ w) * 1.2 + 0.4 * x[:, 2] * x[:, 3]
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32").reshape(-1, 1)


@heldout19("functional-softplus-head-huber-anomaly", ("wrong-output-activation", "stalled", "cannot-overfit-batch",
                                                        "no-learning", "loss-metric-mismatch"),
           ("wrong-output-activation", "stalled", "cannot-overfit-batch"),
           r"(linear|identity) (output|final|last|head)\b|(no|without( an?)?) (activation|non-?linearity) on the "
           r"(output|final|last|head)|(output|final|last)[- ](layer|unit|dense)\b.{0,30}(linear|no activation|"
           r"without (an? )?activation)|activation\s*=\s*none|(remove|drop|delete)\w* (the )?softplus|softplus.{0,80}"
           r"(cannot|can't|never|unable to) (output|predict|produce|reach|give) (a )?negative",
           "a functional-API regressor of a soil-moisture anomaly (ten standardised field readings -> Dense(32, relu) "
           "-> Dense(32, relu) -> Dense(1, activation='softplus')), compiled with keras.losses.Huber() and Adam: "
           "the author picked softplus as 'a smooth ReLU that keeps the gradients alive', but the target is an "
           "anomaly, standardised to mean 0 with half of it negative, and softplus never goes below 0, so every "
           "negative target is out of reach and the Huber loss stops near 0.22 where a linear head reaches 0.02 "
           "(question class: Keras regression never predicts negative values, loss stops decreasing); fix: a linear "
           "output, Dense(1) with no activation")
def _(fixed):
    x, y = soil_moisture(seed=1901)
    inp = keras.Input((10,))
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(32, activation="relu")(h)
    out = layers.Dense(1, activation=None if fixed else "softplus")(h)
    return fitted(keras.Model(inp, out), keras.optimizers.Adam(3e-3), keras.losses.Huber(), x, y, epochs=12)


# ---------------------------------------------------------------- loss against the label format

def taxi_fares(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised trip features; the fare, standardised (mean 0, spread 1), a smooth function of them."""
    rng, x = gauss(seed, 9)
    w = rng.normal(size=9) / 3
    y = x @ w + 0.5 * np.tanh(x[:, 0] * x[:, 1])
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32").reshape(-1, 1)


@heldout19("sequential-fare-regression-categorical-ce", ("no-learning", "stalled", "loss-metric-mismatch",
                                                         "label-problem", "cannot-overfit-batch", "too-short"),
           ("no-learning", "stalled", "loss-metric-mismatch", "label-problem", "cannot-overfit-batch"),
           r"(loss\s*=\s*)?'?(mse|mean_squared_error|mae|mean_absolute_error|huber)'?\b.{0,40}(regression|instead|"
           r"rather than|continuous)|(regression|continuous) (loss|target).{0,60}(mse|mean squared|mae|mean absolute|"
           r"huber)|(use|switch to|change to|replace with|need) (an? )?(regression loss|mse|mean squared error|"
           r"mean absolute error|huber loss)|categorical[_ ]cross[- ]?entropy.{0,80}(regression|continuous|single|"
           r"one (unit|output|column))|(single|one)[- ](unit|output|column).{0,80}categorical[_ ]cross[- ]?entropy",
           "a Sequential taxi-fare regressor (nine standardised trip features -> Dense(64, relu) -> Dense(32, relu) -> "
           "Dense(1)) compiled with loss='categorical_crossentropy' and metrics=['mae'], the compile line copied "
           "from the author's image-classification notebook: categorical cross-entropy rescales the predictions to "
           "sum to 1 over the last axis, which holds one column, so every prediction becomes exactly 1, log(1) = 0, "
           "the loss is 0 (up to rounding) from the first batch, no gradient reaches any weight and the mean "
           "absolute error of the fares never falls (question class: Keras regression loss is zero from the start "
           "but the predictions are wrong, which loss for regression); fix: loss='mse' (a regression loss)")
def _(fixed):
    x, y = taxi_fares(seed=1902)
    model = keras.Sequential([keras.Input((9,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    loss = "mse" if fixed else "categorical_crossentropy"
    return fitted(model, keras.optimizers.Adam(3e-3), loss, x, y, metrics=["mae"], epochs=12)


# ---------------------------------------------------------------- learning rate

def ticket_tokens(seed: int, steps: int = 18, vocab: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Support tickets as token ids; three queues, each with its own six keywords among shared filler ids."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=ROWS)
    x = rng.integers(20, vocab, size=(ROWS, steps))
    for r in range(ROWS):
        spots = rng.choice(steps, size=3, replace=False)
        x[r, spots] = 2 + 6 * y[r] + rng.integers(0, 6, size=3)
    return x.astype("int32"), y.astype("int64")


@heldout19("sequential-embedding-adamax-rate-four", ("lr-too-high", "divergence", "stuck-at-chance", "oscillation",
                                                     "loss-spikes", "update-ratio", "high-initial-loss",
                                                     "exploding-gradients", "stalled", "dead-relu"),
           ("lr-too-high", "divergence", "oscillation", "loss-spikes", "update-ratio", "stuck-at-chance",
            "exploding-gradients", "stalled"),
           r"(learning[ _]rate|\blr\b).{0,40}(too (high|large|big)|excessive|is huge)|"
           r"(lower|reduce|decrease|smaller|drop)\w* (the )?(learning[ _]rate|\blr\b)(?!.{0,3}(or|/) ?(rais|increas|"
           r"higher))(.{0,60}(1e-3|0\.001|2e-3|0\.002|1e-2|0\.01|orders? of magnitude|by a factor|10x|100x|"
           r"ten|hundred|adamax))|adamax\(\s*(learning_rate\s*=\s*)?(1e-3|2e-3|0\.00[12]|1e-2|0\.01)",
           "a Sequential support-ticket router (eighteen token ids -> Embedding(60, 16) -> GlobalAveragePooling1D -> "
           "Dense(32, relu) -> Dense(3, softmax)) compiled with keras.optimizers.Adamax(learning_rate=4.0) and "
           "keras.losses.SparseCategoricalCrossentropy(), the 4.0 copied from a forum answer about Adadelta's "
           "rate: Adamax moves every weight by about the learning rate on each step, so the first updates throw "
           "embeddings and kernels several units away, the logits blow up and the loss jumps to many times ln 3 "
           "and stays far above it with accuracy near one third (question class: Keras text classifier loss "
           "explodes in the first epoch, what learning rate for Adamax); fix: Adamax(learning_rate=2e-3)")
def _(fixed):
    x, y = ticket_tokens(seed=1903)
    model = keras.Sequential([keras.Input((18,), dtype="int32"), layers.Embedding(60, 16),
                              layers.GlobalAveragePooling1D(), layers.Dense(32, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    opt = keras.optimizers.Adamax(learning_rate=2e-3 if fixed else 4.0)
    return fitted(model, opt, keras.losses.SparseCategoricalCrossentropy(), x, y, metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- input scaling

def blob_images(seed: int, side: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Grey 12x12 images in 0-255 (uint8-like): a bright 3x3 blob in the left, middle or right third."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=ROWS)
    img = rng.uniform(0, 70, size=(ROWS, side, side)).astype("float32")
    for r in range(ROWS):
        top = rng.integers(0, side - 3)
        left = 4 * y[r] + rng.integers(0, 2)
        img[r, top:top + 3, left:left + 3] += 170
    return np.round(img)[..., None], y.astype("int64")


@heldout19("sequential-rescaling-multiplies-by-255", ("unnormalized-input", "high-initial-loss", "divergence",
                                                       "stuck-at-chance", "dead-relu", "exploding-gradients",
                                                       "loss-spikes", "stalled", "saturated-activation"),
           ("unnormalized-input", "high-initial-loss", "divergence", "stuck-at-chance", "dead-relu",
            "exploding-gradients", "stalled"),
           r"rescaling\(\s*(scale\s*=\s*)?1\.?0?\s*/\s*255|scale\s*=\s*1\.?0?\s*/\s*255|rescaling.{0,80}(divid|"
           r"reciprocal|invert|1\s*/\s*255|multipl\w* by 255)|multipl\w* .{0,30}(instead of|rather than) divid|"
           r"divid\w* (the )?(pixels?|images?|inputs?)? ?by 255|(pixels?|images?|inputs?)\b.{0,40}(to|into) "
           r"(the range )?\[0(\.0)?, ?1(\.0)?\]",
           "a Sequential image classifier (12x12 grey images with pixel values 0-255 -> layers.Rescaling(255) -> "
           "Conv2D(8, 3, relu) -> MaxPooling2D -> Flatten -> Dense(3, softmax)), trained with Adam(1e-3) and "
           "'sparse_categorical_crossentropy': the author meant the layer to scale the pixels into [0, 1] but gave "
           "it 255, and Rescaling multiplies by its scale, so the convolution sees values up to 65,025; the first "
           "logits are enormous, the first updates leave the predictions confident and frozen, and the loss sits "
           "at about 9 (the clipped cross-entropy of the rows it gets wrong) with accuracy frozen at 0.43 from "
           "the first epoch to the last (question class: Keras CNN loss huge and accuracy stuck, Rescaling layer / "
           "image preprocessing); "
           "fix: layers.Rescaling(1./255)")
def _(fixed):
    x, y = blob_images(seed=1904)
    model = keras.Sequential([keras.Input((12, 12, 1)), layers.Rescaling(1.0 / 255 if fixed else 255),
                              layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(),
                              layers.Flatten(), layers.Dense(3, activation="softmax")])
    return fitted(model, keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- labels

class ChurnNet(keras.Model):
    """Two hidden ReLU layers and one logit, written as a subclassed model."""

    def __init__(self):
        super().__init__()
        self.d1 = layers.Dense(32, activation="relu")
        self.d2 = layers.Dense(16, activation="relu")
        self.out = layers.Dense(1)  # logits: the loss applies the sigmoid

    def call(self, x):
        return self.out(self.d2(self.d1(x)))


def churn_table(seed: int) -> np.ndarray:
    """A customer table in its own units (tenure, spend, calls, ...) whose last column is the 0/1 churn label."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, size=ROWS)
    spend = rng.normal(70, 25, size=ROWS).clip(10)
    calls = rng.poisson(2, size=ROWS)
    age = rng.integers(18, 80, size=ROWS)
    contract = rng.integers(0, 3, size=ROWS)
    logit = -0.06 * (tenure - 36) + 0.03 * (spend - 70) + 0.6 * (calls - 2) - 0.8 * (contract - 1)
    churn = (logit + rng.logistic(size=ROWS) * 0.5 > 0).astype("float64")
    return np.column_stack([tenure, spend, calls, age, contract, churn])


@heldout19("subclassed-label-column-standardised-with-table", ("label-problem", "loss-metric-mismatch",
                                                                 "divergence", "metric-out-of-range",
                                                                 "stuck-at-chance", "cannot-overfit-batch"),
           ("label-problem", "loss-metric-mismatch", "metric-out-of-range"),
           r"(scal|standardi[sz]|normali[sz]|transform)\w* (only )?(the )?(features?|inputs?|x)\b.{0,20}only|"
           r"(scal|standardi[sz]|normali[sz]|transform)\w* only (the )?(features?|inputs?|x)\b|"
           r"(labels?|targets?|y|churn)( column)?\b.{0,60}(should not|must not|shouldn't|not be|never be) "
           r"(scaled|standardi[sz]ed|normali[sz]ed|transformed)|(exclude|leave out|drop|keep|remove)\w* (the )?"
           r"(labels?|targets?)( column)? (out of|from) (the )?(scal|standardi|normali)|(labels?|targets?)\b.{0,60}"
           r"(must|should|need to) (be|stay|remain) (0|zero) (and|or) (1|one)|(labels?|targets?)\b.{0,40}"
           r"(outside|out of|not in) (the range )?\[?0(\.0)?, ?1(\.0)?\]?|negative (labels?|targets?)",
           "a subclassed keras.Model churn classifier (two hidden ReLU layers and one logit, loss="
           "keras.losses.BinaryCrossentropy(from_logits=True), metrics=[BinaryAccuracy(threshold=0.0)] as the "
           "Keras guides write a logits model) fed a customer table whose whole array, churn column included, went "
           "through StandardScaler().fit_transform before the last column was split off as the label: the 0/1 "
           "labels become two values, one negative and one above 1; the with-logits cross-entropy does not check "
           "its targets, a negative target rewards pushing the logit down without limit and a target above 1 "
           "pushing it up, so the loss falls below zero and keeps falling while the accuracy, which compares the "
           "prediction with those two values, stays at 0 "
           "(question class: Keras binary classification loss is negative and accuracy is zero after scaling the "
           "data); fix: scale the feature columns only and keep the label as 0/1")
def _(fixed):
    table = churn_table(seed=1905)
    feats = table[:, :-1]
    if fixed:
        x = (feats - feats.mean(0)) / feats.std(0)
        y = table[:, -1]
    else:
        scaled = (table - table.mean(0)) / table.std(0)
        x, y = scaled[:, :-1], scaled[:, -1]
    return fitted(ChurnNet(), keras.optimizers.Adam(3e-3), keras.losses.BinaryCrossentropy(from_logits=True),
                  x.astype("float32"), y.astype("float32").reshape(-1, 1),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)], epochs=12)


# ---------------------------------------------------------------- missing activation

def stripe(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised features; the label says whether the point lies in a band |x0 + x1| < 0.95 (half of them)."""
    _, x = gauss(seed, 6)
    return x, (np.abs(x[:, 0] + x[:, 1]) < 0.95).astype("float32").reshape(-1, 1)


@heldout19("functional-next-layer-wired-to-pre-activation", ("stuck-at-chance", "stalled", "no-learning",
                                                              "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
           r"(relu|activation)\w*.{0,60}(unused|not used|never used|discarded|dangling|not connected|"
           r"disconnected|bypassed|never applied|not applied|is skipped)|(pass|feed|wire|connect|use)\w* (the )?"
           r"(relu|activation)('s|s')? (output|result|tensor)|(add|insert|apply|put)\w* (an? )?(relu|non-?linear\w*|"
           r"activation)s?.{0,20}(between|after|to|on|in) (each |every |the )?(hidden|dense)|activation\s*=\s*"
           r"'relu'.{0,40}(hidden|dense)|(hidden|dense) layers?.{0,40}(no|without|lack|lacks|missing) (an? )?"
           r"(activation|non-?linearity)|collapses? (in)?to (a single |one )?linear",
           "a functional-API classifier of a band-shaped label (a point is positive when |x0 + x1| < 0.95, six "
           "standardised features) written h = layers.Dense(64)(inp); a = layers.ReLU()(h); h2 = layers.Dense(64)(h); "
           "a2 = layers.ReLU()(h2); out = layers.Dense(1, activation='sigmoid')(h2): each next layer was wired to "
           "the Dense output instead of the ReLU's, so both activations are dangling branches that the model never "
           "uses, the network is a linear map and a band needs two boundaries; binary cross-entropy stays at ln 2 "
           "and accuracy near one half (question class: Keras functional model no better than logistic regression, "
           "activation layer has no effect); fix: feed the ReLU outputs to the next layers (Dense(64)(a), "
           "Dense(1)(a2))")
def _(fixed):
    x, y = stripe(seed=1906)
    inp = keras.Input((6,))
    h = layers.Dense(64)(inp)
    a = layers.ReLU()(h)
    h2 = layers.Dense(64)(a if fixed else h)
    a2 = layers.ReLU()(h2)
    out = layers.Dense(1, activation="sigmoid")(a2 if fixed else h2)
    return fitted(keras.Model(inp, out), keras.optimizers.Adam(3e-3), keras.losses.BinaryCrossentropy(), x, y,
                  metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- dying ReLU from the initialisation

def term_counts(seed: int, terms: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """Word counts of 48 terms in short documents (non-negative); four topics, each with its own ten terms."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=ROWS)
    rate = np.full((ROWS, terms), 1.0)
    for k in range(4):
        rate[y == k, 10 * k:10 * k + 10] += 1.5
    return rng.poisson(rate).astype("float32"), y.astype("int64")


@heldout19("functional-randomnormal-given-uniform-bounds", ("dead-relu", "poor-initialization", "stuck-at-chance",
                                                             "no-learning", "stalled", "cannot-overfit-batch",
                                                             "vanishing-gradients"),
           ("dead-relu", "poor-initialization", "stuck-at-chance", "no-learning", "cannot-overfit-batch"),
           r"randomnormal\(\s*(mean\s*=\s*)?0(\.0)?\s*,|(zero|0)[- ]mean\b.{0,40}(init|weights?|kernel)|"
           r"(init\w*|weights?|kernel)\b.{0,40}(zero[- ]mean|centred|centered|around (0|zero))|mean (of )?-0\.05|"
           r"negative mean|(weights?|kernels?)\b.{0,40}(mostly|all|nearly all) negative|(he|glorot|xavier|"
           r"kaiming|default)[ _-]?(normal|uniform)?[ _-]?(init|initiali[sz]er|initiali[sz]ation)",
           "a functional-API topic classifier over word counts of 48 terms (non-negative inputs) -> "
           "Dense(64, relu) -> Dense(64, relu) -> Dense(4, softmax), whose hidden layers were given "
           "kernel_initializer=keras.initializers.RandomNormal(-0.05, 0.05), the author meaning 'small weights "
           "between -0.05 and 0.05' as RandomUniform(minval, maxval) reads them; RandomNormal's first two "
           "arguments are mean and stddev, so every kernel has mean -0.05, every first-layer sum over the "
           "non-negative counts is negative, all ReLUs output 0 from the first batch on and only the head's bias "
           "learns: the loss sits at ln 4 with accuracy near one quarter (question class: Keras dense network "
           "outputs the same class for every input, all activations zero); fix: a zero-mean initialiser "
           "(RandomNormal(mean=0.0, stddev=0.05), or the default glorot_uniform)")
def _(fixed):
    x, y = term_counts(seed=1907)
    if fixed:
        init = keras.initializers.RandomNormal(mean=0.0, stddev=0.05)
    else:
        init = keras.initializers.RandomNormal(-0.05, 0.05)  # meant as (minval, maxval); read as (mean, stddev)
    inp = keras.Input((48,))
    h = layers.Dense(64, activation="relu", kernel_initializer=init)(inp)
    h = layers.Dense(64, activation="relu", kernel_initializer=init)(h)
    out = layers.Dense(4, activation="softmax")(h)
    return fitted(keras.Model(inp, out), keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- vanishing gradients

def pulses(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised features; five classes from the argmax of a fixed linear map."""
    rng, x = gauss(seed, 8)
    w = rng.normal(size=(8, 5))
    return x, (x @ w).argmax(1).astype("int64")


@heldout19("sequential-ten-hard-sigmoid-layers", ("vanishing-gradients", "saturated-activation", "stuck-at-chance",
                                                  "no-learning", "stalled", "poor-initialization",
                                                  "cannot-overfit-batch", "late-start"),
           ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning", "stalled",
            "poor-initialization"),
           r"(relu|leaky ?relu|gelu|elu|swish|silu)\b.{0,40}(instead of|rather than|in place of|not).{0,20}"
           r"(hard[_ ]?sigmoid|sigmoid|saturating)|(replace|swap|change|switch)\w* .{0,40}(hard[_ ]?sigmoid|"
           r"sigmoids?|saturating (activations?|units?|functions?)).{0,40}(relu|gelu|elu|non-?saturating)|"
           r"(hard[_ ]?sigmoid|sigmoid|saturating)\w*.{0,40}(to|with|by|for) (a |an )?(relu|gelu|elu|"
           r"non-?saturating)|activation\s*=\s*'relu'",
           "a Sequential five-class classifier of eight standardised features built as keras.Sequential([Input] + "
           "[layers.Dense(32, activation='hard_sigmoid') for _ in range(10)] + [Dense(5, softmax)]), the author "
           "having read that hard_sigmoid is 'a cheaper sigmoid', trained with SGD(learning_rate=0.01, momentum=0.9): "
           "hard_sigmoid passes back at most a sixth of the gradient and nothing at all outside (-3, 3), so after "
           "ten layers the first ones receive almost no signal, the head sees nearly the same features for every "
           "row and the loss stays at ln 5 with accuracy near one fifth (question class: deep Keras MLP does not "
           "learn, vanishing gradient with sigmoid-type activations); fix: activation='relu' (with he_normal) in "
           "the hidden layers")
def _(fixed):
    x, y = pulses(seed=1908)
    hidden = ([layers.Dense(32, activation="relu", kernel_initializer="he_normal") for _ in range(10)] if fixed
              else [layers.Dense(32, activation="hard_sigmoid") for _ in range(10)])
    model = keras.Sequential([keras.Input((8,))] + hidden + [layers.Dense(5, activation="softmax")])
    opt = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    return fitted(model, opt, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=10)
