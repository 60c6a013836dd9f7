"""A seventh held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a seventh set: held-out sets 1-6 have now been run and studied, so they no longer measure bugs
nobody tuned for. These programs were written without reading traindoc's rules, checks, probes,
findings or integrations, without reading any bench output, and frozen (``HELDOUT7.sha256``) before
traindoc was ever run on them; see ``HELDOUT7.md``. Run with ``bench/bench_keras_bugs.py --set heldout7``.

The set leans on bug classes the earlier sets do not use: an accuracy metric read against -1/+1 hinge
labels, a padding mask that hides a real token, per-token predictions with no pooling (labels tiled to
fit), Dropout after the softmax output, a learning-rate range test left in the schedule, weights reset
at every epoch, an early stop whose min_delta is larger than an epoch's progress, an output bias
initialised with the wrong sign, class weights given as raw counts, and a Normalization layer with one
statistic for all features.

Same format as ``heldout6_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout6_keras import OFFSETS, SPREADS, with_validation  # the sixth set's tabular units and helper
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT7: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"


def heldout7(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the seventh held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT7.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D, first=(),
        **out_kw) -> keras.Model:
    """A small ReLU MLP; ``first`` layers go right after the input, ``out_kw`` to the output layer."""
    body = [layers.Dense(hidden, activation="relu") for _ in range(depth)]
    return keras.Sequential([keras.Input((d,)), *first, *body, layers.Dense(out, activation=act, **out_kw)])


def tokens(seed: int, *, vocab: int = 30, steps: int = 12, key: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Token-id sequences (ids 0..vocab-1, no padding); the label says whether word ``key`` occurs."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, vocab, size=(_data.N, steps))
    x[x == key] = (key + 1) % vocab
    has = rng.random(_data.N) < 0.5
    pos = rng.integers(0, steps, size=_data.N)
    x[has, pos[has]] = key
    return x.astype("int64"), has.astype("float32")


def rare_positives(share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels: the outermost distance band of the third set's rings (a rare, non-linear class)."""
    x, band = rings(int(round(1 / share)), seed=seed)
    return x, (band == band.max()).astype("float32").reshape(-1, 1)


# ---------------------------------------------------------------- metrics

@heldout7("hinge-labels-with-accuracy-metric", ("loss-metric-mismatch", "misleading-accuracy", "stuck-at-chance",
                                                "metric-out-of-range", "label-problem"),
          ("loss-metric-mismatch", "misleading-accuracy", "label-problem"),
          r"-1 ?(/|and|or|,) ?\+?1|\{-1|minus one|hinge|(label|target)s?.{0,40}(0 ?(and|or|/) ?1|\{0|\[0, ?1\])"
          r"|(wrong|incorrect|buggy|broken) (accuracy|metric)|metric.{0,60}(wrong|incorrect|threshold|label)",
          "an SVM-style binary classifier: labels recoded to -1/+1 for loss='hinge', a linear Dense(1) output and "
          "metrics=['accuracy']: Keras picks binary accuracy, which thresholds the prediction at 0.5 and compares it "
          "with the label, so no -1 row can ever count as correct; the hinge loss falls to ~0.1 while accuracy stays "
          "near the share of positives (SO-style 'hinge loss decreases but accuracy stuck at 50%'); fix: keep the "
          "labels 0/1 (Keras' hinge converts them to -1/+1 itself) or compute accuracy on the sign of the output")
def _(fixed):
    x, y = _data.binary(seed=701)
    target = y if fixed else 2.0 * y - 1.0
    return compiled(net(1, None), "hinge", x, target.reshape(-1, 1), optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=6)


# ---------------------------------------------------------------- text / sequences

@heldout7("mask-zero-hides-a-real-word", ("stuck-at-chance", "no-learning", "stalled", "label-problem",
                                          "cannot-overfit-batch"),
          ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
          r"mask_zero|mask|padding (id|index|token|value)|(id|index|token) 0|reserve.{0,20}0|vocab\w*.{0,40}(start|offset|shift)",
          "a bag-of-words sentiment model, Embedding(vocab, 8, mask_zero=True) -> GlobalAveragePooling1D -> Dense, "
          "whose word index was built with enumerate() so the first (and most telling) word has id 0, the same id "
          "mask_zero reserves for padding: every occurrence of that word is masked out, and the label depends on "
          "it, so the loss sits at ln 2 (SO-style 'mask_zero=True and my model stopped learning — does the "
          "vocabulary have to start at 1?'); fix: shift the word ids by one (id 0 only for padding, input_dim = "
          "vocab + 1). No finding id names masking; the nearest symptoms are accepted and only advice naming the "
          "mask / padding id counts as the fix")
def _(fixed):
    x, y = tokens(702, key=0)
    vocab = 30
    if fixed:
        x, vocab = x + 1, vocab + 1
    model = keras.Sequential([keras.Input((x.shape[1],), dtype="int64"), layers.Embedding(vocab, 8, mask_zero=True),
                              layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    return compiled(model, "binary_crossentropy", x, y.reshape(-1, 1), optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=6)


@heldout7("per-token-output-labels-tiled", ("stalled", "stuck-at-chance", "no-learning", "label-problem",
                                            "cannot-overfit-batch", "loss-metric-mismatch"),
          ("stalled", "label-problem", "cannot-overfit-batch", "stuck-at-chance"),
          r"pool|flatten|per.?(token|time.?step|position)|(every|each) (token|time.?step|position)"
          r"|sequence.{0,30}(output|dimension|axis)|\(None, \d+, 1\)|return_sequences",
          "a text classifier Embedding -> Dense(16) -> Dense(1, sigmoid) with no pooling or Flatten, so the output is "
          "one prediction per token, shape (batch, 12, 1); Keras raised a shape error and the labels were 'fixed' by "
          "tiling each sequence's label over its 12 tokens: each token must now predict the label of its whole "
          "sentence alone, and the loss stalls near the label entropy (SO-style 'Embedding then Dense gives output "
          "shape (None, 12, 1) — expected (None, 1)'); fix: GlobalAveragePooling1D (or Flatten) before the Dense "
          "layers and the labels back to one per sequence")
def _(fixed):
    x, y = tokens(703)
    pool = (layers.GlobalAveragePooling1D(),) if fixed else ()
    model = keras.Sequential([keras.Input((x.shape[1],), dtype="int64"), layers.Embedding(30, 8), *pool,
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    target = y.reshape(-1, 1) if fixed else np.repeat(y[:, None], x.shape[1], 1)[..., None]
    return compiled(model, "binary_crossentropy", x, target, optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=6)


# ---------------------------------------------------------------- regularisation

@heldout7("dropout-after-softmax-output", ("nonfinite", "nonfinite-origin", "val-without-train", "loss-spikes",
                                           "stalled", "high-initial-loss"),
          ("nonfinite", "nonfinite-origin", "val-without-train", "loss-spikes", "stalled"),
          r"dropout.{0,60}(output|last|final|softmax|after)|(output|last|final|softmax).{0,60}dropout|remove (the )?dropout",
          "a Dropout(0.5) layer appended after the Dense(3, softmax) output ('dropout helps against overfitting', "
          "added as the last line of the Sequential): during training the predicted probabilities are randomly "
          "zeroed; Keras' cross-entropy renormalises the probabilities by their sum, and a row whose three "
          "probabilities are all dropped (one row in eight) gives 0 / 0, so the loss is NaN from the first batch "
          "and the weights turn NaN (SO-style 'loss is nan from the start — model ends with Dropout'); fix: remove "
          "the Dropout after the output layer (put it between hidden layers). No finding id names a layer after "
          "the output; only advice that names the dropout counts as the fix")
def _(fixed):
    x, y = _data.classes(3, seed=704)
    model = net(3, "softmax")
    if not fixed:
        model.add(layers.Dropout(0.5))
    out = compiled(model, "sparse_categorical_crossentropy", x[128:], y[128:],
                   optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=8)
    return with_validation(out, x[:128], y[:128])


# ---------------------------------------------------------------- learning rate / schedule / loop

@heldout7("lr-range-test-left-in", ("lr-too-high", "divergence", "nonfinite", "both-rising", "loss-spikes",
                                    "stuck-at-chance", "dead-relu", "update-ratio", "exploding-gradients"),
          ("lr-too-high", "divergence", "nonfinite", "both-rising", "update-ratio", "exploding-gradients"),
          LR_FIX + r"|schedul",
          "a LearningRateScheduler(lambda epoch: 1e-4 * 10 ** epoch) left in the callbacks after a learning-rate "
          "range test: the rate grows tenfold each epoch, training improves for three epochs and then blows up once "
          "the rate passes ~0.1 (SO-style 'loss fine for a few epochs then suddenly explodes'); fix: remove the "
          "range-test schedule and train at the rate it pointed to (1e-2)")
def _(fixed):
    x, y = _data.classes(3, seed=705)
    callbacks = [] if fixed else [keras.callbacks.LearningRateScheduler(lambda epoch: 1e-4 * 10.0 ** epoch)]
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x[128:], y[128:],
                   optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=8, callbacks=callbacks)
    return with_validation(out, x[:128], y[:128])


class ResetEachEpoch(keras.callbacks.Callback):
    """What ``model = build_model()`` inside an epoch loop does: every epoch starts from fresh weights."""

    def on_train_begin(self, logs=None):
        self.start = [w.copy() for w in self.model.get_weights()]

    def on_epoch_begin(self, epoch, logs=None):
        if epoch:
            self.model.set_weights(self.start)


@heldout7("model-rebuilt-every-epoch", ("no-learning", "stalled", "resume-spike", "loss-spikes", "oscillation",
                                        "appended-runs"),
          ("no-learning", "stalled", "resume-spike", "loss-spikes", "oscillation", "appended-runs"),
          r"(re.?creat|re.?buil[dt]|re.?initiali[sz]|reset)\w*.{0,40}(each|every|start of).{0,10}epoch"
          r"|(model|weights) (is |are )?(re.?created|re.?built|reset|re.?initiali[sz]ed)|once,? outside"
          r"|outside the (epoch |training )?loop|build (the model )?once",
          "a hand-written epoch loop that calls model = build_model() (and compile) inside the loop before "
          "fit(..., epochs=1), to log something after each epoch: every epoch starts again from fresh weights, so "
          "each epoch's loss repeats the first epoch's and the model never gets past it (SO-style 'Keras: loss "
          "resets at the beginning of every epoch'); fix: build the model once, outside the loop. Modelled with a "
          "callback that restores the initial weights at each epoch start (SGD without momentum, so no optimiser "
          "state is involved)")
def _(fixed):
    x, y = _data.classes(3, seed=706)
    callbacks = [] if fixed else [ResetEachEpoch()]
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x[128:], y[128:],
                   optimizer=keras.optimizers.SGD(0.05), metrics=["accuracy"], epochs=8, callbacks=callbacks)
    return with_validation(out, x[:128], y[:128])


@heldout7("early-stopping-min-delta-too-large", ("too-short",), ("too-short",),
          r"min_delta|early.?stop|patience",
          "EarlyStopping(monitor='val_loss', min_delta=0.1, patience=1) on a slowly improving model (the delta "
          "copied from a run whose loss was in the tens): each epoch improves the validation loss by about 0.02, "
          "which never counts as an improvement, so training stops after two epochs with the loss still falling "
          "(SO-style 'EarlyStopping stops training after 2 epochs although the loss is going down'); fix: "
          "min_delta on the scale of the loss (1e-3) and a larger patience. The only finding id that fits is "
          "too-short")
def _(fixed):
    x, y = _data.classes(3, seed=707)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-3 if fixed else 0.1,
                                         patience=3 if fixed else 1)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x[128:], y[128:],
                   optimizer=keras.optimizers.SGD(0.02), metrics=["accuracy"], epochs=15, callbacks=[stop])
    return with_validation(out, x[:128], y[:128])


# ---------------------------------------------------------------- initialisation / class imbalance

@heldout7("output-bias-init-wrong-sign", ("high-initial-loss", "poor-initialization", "class-imbalance",
                                          "misleading-accuracy", "late-start", "stalled"),
          ("high-initial-loss", "poor-initialization"),
          r"output bias|bias.{0,30}(init|output|last)|(init|output|last).{0,30}\bbias|log.{0,20}(odds|prior|pos)",
          "a rare-event classifier (5% positives) whose output bias is set to the class prior's log-odds, as a "
          "tutorial on imbalanced data recommends, but written log(neg / pos) instead of log(pos / neg): the model "
          "starts out predicting 'positive' with probability 0.95 for every row, so the first loss is ~3 against "
          "the prior's ~0.2 and the first epochs are spent undoing the bias (SO-style 'initial loss very high after "
          "setting the output bias for an imbalanced data set'); fix: bias_initializer=Constant(log(pos / neg))")
def _(fixed):
    x, y = rare_positives(0.05, seed=708)
    pos = float(y.mean())
    bias = math.log(pos / (1 - pos)) if fixed else math.log((1 - pos) / pos)
    model = net(1, "sigmoid", bias_initializer=keras.initializers.Constant(bias))
    return compiled(model, "binary_crossentropy", x, y, optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=8)


@heldout7("class-weights-as-raw-counts", ("divergence", "nonfinite", "loss-spikes", "oscillation",
                                          "high-initial-loss", "class-imbalance", "exploding-gradients",
                                          "update-ratio", "lr-too-high"),
          ("class-imbalance", "divergence", "nonfinite", "loss-spikes", "oscillation", "exploding-gradients",
           "update-ratio"),
          r"class.?weight|weight.{0,40}(normali[sz]|scale|sum|mean|average)|(normali[sz]|rescale|scale).{0,30}weight",
          "class_weight={0: n_positive, 1: n_negative} for a 5%-positive problem (each class weighted by the "
          "other's count, meant as inverse-frequency weighting but not normalised): the direction is right, but "
          "every sample's loss is multiplied by ~25-490, so the SGD (momentum 0.9) step is hundreds of times larger than the "
          "learning rate says and the loss jumps and diverges (SO-style 'loss explodes after adding class_weight'); "
          "fix: normalise the weights, e.g. n / (2 * count) per class (about 0.53 and 10)")
def _(fixed):
    x, y = rare_positives(0.05, seed=709)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    weights = {0: len(y) / (2 * n_neg), 1: len(y) / (2 * n_pos)} if fixed else {0: n_pos, 1: n_neg}
    return compiled(net(1, "sigmoid"), "binary_crossentropy", x, y, optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                    metrics=["accuracy"], epochs=8, class_weight=weights)


# ---------------------------------------------------------------- normalisation

@heldout7("normalization-axis-none", ("unnormalized-input", "stalled", "no-learning", "stuck-at-chance",
                                      "dead-relu", "vanishing-gradients"),
          ("unnormalized-input",),
          r"axis|per.?(feature|column)|(each|every) (feature|column)|(feature|column)s?.{0,40}(own|separate|individual)"
          r"|Normalization\(\)",
          "tabular features in mixed units (a pressure near 1013, a count near 6000, a share near 0.4) put through "
          "keras.layers.Normalization(axis=None), adapted on the training data (axis=None read as 'normalise "
          "everything'): the layer keeps one mean and one variance for all columns, so the count column still spans "
          "several units while the share and the temperature are squeezed to constants (SO-style 'Normalization "
          "layer does not help, features still on different scales'); fix: Normalization() with its default "
          "axis=-1, one mean and variance per feature")
def _(fixed):
    x, y = _data.classes(3, seed=710)
    raw = (OFFSETS + SPREADS * x).astype("float32")
    norm = layers.Normalization() if fixed else layers.Normalization(axis=None)
    norm.adapt(raw[128:])
    out = compiled(net(3, "softmax", first=(norm,)), "sparse_categorical_crossentropy", raw[128:], y[128:],
                   optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=8)
    return with_validation(out, raw[:128], y[:128])
