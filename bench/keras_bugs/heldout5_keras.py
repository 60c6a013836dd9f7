"""A fifth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a fifth set: held-out sets 1-3 have been run and studied (and a fourth is being written at the same
time by another blind writer), so they no longer measure bugs nobody tuned for. These programs were
written without reading traindoc's rules, checks, probes, findings or integrations, without reading
any bench output, and frozen (``HELDOUT5.sha256``) before traindoc was ever run on them; see
``HELDOUT5.md``. Run with ``bench/bench_keras_bugs.py --set heldout5``.

The set leans on bug classes the earlier sets barely touch: sequence truncation, segmentation
and multi-output losses, vocabularies, metrics computed against the wrong tensor,
frozen pretrained embeddings, an activity penalty that silences a layer, and a broken batching loop.

Same format as ``heldout3_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True``
applies the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``)
that count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the
repair, and a finding counts as the right fix only when its id is one of them and its text matches
the ``fix`` regular expression. The ``about`` names the kind of public question each case is
modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from . import _data
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT5: list[Case] = []

LR_FIX = r"learning.?rate|\blr\b"


def heldout5(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the fifth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT5.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, depth: int = 2, d: int = _data.D) -> keras.Model:
    body = [layers.Dense(hidden, activation="relu") for _ in range(depth)]
    return keras.Sequential([keras.Input((d,)), *body, layers.Dense(out, activation=act)])


# ---------------------------------------------------------------- vocabulary

def bag_texts(seed: int, n: int = _data.N, words: int = 50, length: int = 10):
    """'Texts' of 10 words drawn uniformly from 50; positive when words 0-9 outnumber words 10-19."""
    rng = np.random.default_rng(seed)
    texts = rng.integers(0, words, size=(n, length))
    a = (texts < 10).sum(1)
    b = ((texts >= 10) & (texts < 20)).sum(1)
    y = (a >= b).astype("float32").reshape(-1, 1)
    return [[f"w{t}" for t in row] for row in texts], y


def fit_vocab(texts: list[list[str]]) -> dict[str, int]:
    """A Tokenizer-style vocabulary: ids by falling frequency (ties by word), 0 kept for padding."""
    counts: dict[str, int] = {}
    for row in texts:
        for w in row:
            counts[w] = counts.get(w, 0) + 1
    return {w: i + 1 for i, w in enumerate(sorted(counts, key=lambda w: (-counts[w], w)))}


@heldout5("tokenizer-refit-on-validation", ("overfitting", "val-without-train", "both-rising", "divergence",
                                            "label-problem"),
          ("overfitting", "val-without-train", "label-problem"),
          r"vocab|tokeni[sz]|fit_on_texts|(same|one|shared) (encoding|mapping|index)"
          r"|(validation|val|test).{0,60}(encod|ids|index)",
          "a bag-of-words classifier whose validation texts are encoded with a tokenizer fitted again on the "
          "validation texts (fit_on_texts called per split): word ids are assigned by frequency in each split, "
          "so the same word gets a different id in validation and validation accuracy stays at chance while "
          "training accuracy rises (SO-style 'good training accuracy, validation at 50% — text model, "
          "Tokenizer'); fix: encode the validation texts with the training vocabulary")
def _(fixed):
    texts, y = bag_texts(seed=503)
    n_val = 128
    train_vocab = fit_vocab(texts[n_val:])
    val_vocab = train_vocab if fixed else fit_vocab(texts[:n_val])
    encode = lambda rows, vocab: np.array([[vocab.get(w, 0) for w in row] for row in rows], dtype="int64")  # noqa
    model = keras.Sequential([keras.Input((10,), dtype="int64"), layers.Embedding(51, 16),
                              layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", encode(texts[n_val:], train_vocab), y[n_val:],
                   optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=10)
    out["fit"]["validation_data"] = (encode(texts[:n_val], val_vocab), y[:n_val])
    return out


def sentiment_texts(seed: int, n: int = _data.N, words: int = 40, length: int = 10):
    """Texts of 10 word ids (1..40) and 'pretrained' 8-d word vectors whose first component is the word's
    sentiment; a text is positive when its words' sentiments sum above 0."""
    rng = np.random.default_rng(seed)
    sentiment = rng.normal(size=words + 1)
    vectors = np.concatenate([sentiment[:, None], rng.normal(scale=0.3, size=(words + 1, 7))], 1).astype("float32")
    ids = rng.integers(1, words + 1, size=(n, length))
    y = (sentiment[ids].sum(1) > 0).astype("float32").reshape(-1, 1)
    return ids.astype("int64"), y, vectors


@heldout5("pretrained-embedding-rows-shifted", ("stuck-at-chance", "stalled", "no-learning", "label-problem"),
          ("stuck-at-chance", "stalled", "no-learning", "label-problem"),
          r"embedding|off.by.one|pretrained|(word|token).{0,30}(index|id|vector)",
          "a frozen Embedding initialised from pretrained word vectors, the matrix filled with "
          "matrix[i - 1] = vectors[word] for word, i in word_index.items() (the tokenizer's ids start at 1): every "
          "word is looked up with its neighbour's vector, the frozen features no longer match the words and "
          "the accuracy stays low (SO-style 'using GloVe embeddings in Keras, accuracy does not improve'); "
          "fix: matrix[i] = vectors[word]")
def _(fixed):
    ids, y, vectors = sentiment_texts(seed=513)
    matrix = np.zeros_like(vectors)
    for i in range(1, len(vectors)):
        matrix[i if fixed else i - 1] = vectors[i]
    emb = layers.Embedding(len(vectors), 8, trainable=False)
    model = keras.Sequential([keras.Input((10,), dtype="int64"), emb, layers.GlobalAveragePooling1D(),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    emb.set_weights([matrix])
    return compiled(model, "binary_crossentropy", ids, y, optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=8)


# ---------------------------------------------------------------- multi-output losses

@heldout5("loss-weights-in-wrong-order", ("stalled", "no-learning", "stuck-at-chance", "loss-metric-mismatch"),
          ("stalled", "no-learning", "stuck-at-chance", "loss-metric-mismatch"),
          r"loss.?weight|weight.{0,40}(output|head|task|loss)|(output|head|task).{0,40}weight",
          "a two-output model (a price regression and a 3-way category) compiled with loss_weights=[1.0, 0.01] "
          "meant as {category: 1.0, price: 0.01}, but the outputs are ordered [price, category]: the category "
          "loss is scaled by 0.01, so under SGD its head barely moves and its accuracy stays near chance while "
          "the total loss falls (SO-style 'multi-output Keras model, one output does not learn'); fix: "
          "loss_weights in the order of the outputs (or a dict keyed by output name)")
def _(fixed):
    x, y_cls = _data.classes(3, seed=504)
    w = np.random.default_rng(514).normal(size=_data.D) / np.sqrt(_data.D)
    y_price = (10.0 * np.tanh(x @ w)).astype("float32").reshape(-1, 1)  # from other directions of the same rows
    inp = keras.Input((_data.D,))
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(32, activation="relu")(h)
    price = layers.Dense(1, name="price")(h)
    category = layers.Dense(3, activation="softmax", name="category")(h)
    model = keras.Model(inp, [price, category])
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
                  loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[0.01, 1.0] if fixed else [1.0, 0.01], metrics=[[], ["accuracy"]])
    return {"model": model, "x": x, "y": [y_price, y_cls],
            "fit": {"epochs": 10, "batch_size": 32, "verbose": 0}}


# ---------------------------------------------------------------- metrics

def onehot_accuracy(y_true, y_pred):
    """Accuracy written for one-hot targets: argmax of the target row against argmax of the prediction."""
    return ops.mean(ops.cast(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)), "float32"))


onehot_accuracy.__name__ = "acc"


@heldout5("custom-accuracy-on-sparse-labels", ("loss-metric-mismatch", "metric-out-of-range", "stuck-at-chance",
                                               "misleading-accuracy"),
          ("loss-metric-mismatch", "metric-out-of-range", "misleading-accuracy"),
          r"metric|argmax|sparse|one.?hot|(acc|accuracy).{0,60}(label|target|comput|wrong|bug)",
          "a hand-written accuracy, argmax(y_true) == argmax(y_pred), copied from a one-hot notebook, used with "
          "integer labels of shape (N, 1) and sparse_categorical_crossentropy: argmax over a one-wide label is "
          "always 0, so 'acc' is only the share of rows predicted as class 0 and stays near 0.3 while the loss "
          "falls steadily (SO-style 'loss decreases but accuracy stays constant at 0.33'); fix: "
          "metrics=['sparse_categorical_accuracy'] (or compare y_pred's argmax with y_true itself)")
def _(fixed):
    x, y = _data.classes(3, seed=505)
    metric = "sparse_categorical_accuracy" if fixed else onehot_accuracy
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y.reshape(-1, 1),
                    optimizer=keras.optimizers.Adam(1e-2), metrics=[metric], epochs=8)


# ---------------------------------------------------------------- data pipeline and augmentation

@heldout5("same-batch-repeated", ("overfitting", "label-problem", "val-without-train", "both-rising"),
          ("overfitting", "label-problem"),
          r"duplicat|same (batch|rows|samples)|repeat|unique|slic|index|generator"
          r"|(data|batch).{0,30}(pipeline|loop|loader)",
          "the training array is built batch by batch in a loop, np.concatenate([x[0:32] for i in range(0, n, 32)]) "
          "(the slice never uses i): the whole training set is one batch of 32 rows repeated, the training loss "
          "falls to ~0 while the validation loss stays high (SO-style 'my generator yields the same batch every step, "
          "model memorises'); fix: x[i:i + 32]")
def _(fixed):
    x, y = _data.classes(3, seed=507)
    n_val = 128
    xt, yt = x[n_val:], y[n_val:]
    idx = np.concatenate([np.arange(i, min(i + 32, len(xt))) if fixed else np.arange(0, 32)
                          for i in range(0, len(xt), 32)])
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", xt[idx], yt[idx],
                   optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=10)
    out["fit"]["validation_data"] = (x[:n_val], y[:n_val])
    return out


# ---------------------------------------------------------------- regularisation

@heldout5("activity-l1-silences-layer", ("dead-relu", "stuck-at-chance", "stalled", "no-learning", "high-initial-loss",
                                         "loss-metric-mismatch"),
          ("dead-relu", "stuck-at-chance", "stalled", "no-learning"),
          r"regulari[sz]|\bl1\b|penalt|activity",
          "activity_regularizer=regularizers.l1(0.5) on both hidden layers ('for sparse features', a coefficient "
          "tried by hand without scaling it to the number of units): the penalty on every activation outweighs the "
          "cross-entropy, the ReLUs are driven to 0 and stay there, and the classifier predicts one class (SO-style "
          "'activity regularizer makes all outputs zero / loss stuck'); fix: l1(1e-5) or no activity penalty")
def _(fixed):
    x, y = _data.classes(3, seed=510)
    reg = keras.regularizers.l1(1e-5 if fixed else 0.5)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu", activity_regularizer=reg),
                              layers.Dense(32, activation="relu", activity_regularizer=reg),
                              layers.Dense(3, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", x, y, optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=8)


# ---------------------------------------------------------------- sequence preprocessing

def truncate(seqs: list[np.ndarray], maxlen: int, keep_start: bool) -> np.ndarray:
    """pad_sequences' truncating: 'pre' (the default) drops the start of a long sequence, 'post' its end."""
    out = np.zeros((len(seqs), maxlen), dtype="int64")
    for i, s in enumerate(seqs):
        s = s[:maxlen] if keep_start else s[-maxlen:]
        out[i, :len(s)] = s
    return out


@heldout5("truncating-pre-drops-the-signal", ("stuck-at-chance", "stalled", "no-learning", "label-problem",
                                              "cannot-overfit-batch", "overfitting"),
          ("stuck-at-chance", "stalled", "no-learning", "label-problem", "cannot-overfit-batch"),
          r"truncat|pad_sequences|maxlen|(start|beginning|first).{0,30}(token|word|sequence)",
          "texts of 12-30 tokens cut to maxlen=10 with pad_sequences' default truncating='pre', which keeps the last "
          "10 tokens, while the label is set by how each text starts (its first word): every deciding token is cut "
          "away, the model memorises the training rows and validation accuracy sits at chance (SO-style "
          "'pad_sequences maxlen — model accuracy 50%, truncating pre or "
          "post?'); fix: truncating='post'")
def _(fixed):
    rng = np.random.default_rng(511)
    seqs = [rng.integers(1, 30, size=rng.integers(12, 31)) for _ in range(_data.N)]
    y = np.array([s[0] < 15 for s in seqs], dtype="float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input((10,), dtype="int64"), layers.Embedding(30, 8), layers.Flatten(),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    return compiled(model, "binary_crossentropy", truncate(seqs, 10, keep_start=fixed), y,
                    optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"], epochs=8, validation_split=0.2)


# ---------------------------------------------------------------- segmentation

def two_squares(seed: int, n: int = _data.N):
    """8x8x1 images with a bright 3x3 square (class 1) and a dim 2x2 square (class 2) on a dark, noisy
    background (class 0); the target is the per-pixel class map (one-hot targets are made from it)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 0.1, size=(n, 8, 8, 1)).astype("float32")
    y = np.zeros((n, 8, 8), dtype="int64")
    for i in range(n):
        r, c = rng.integers(0, 6, size=2)
        x[i, r:r + 3, c:c + 3, 0] += 1.0
        y[i, r:r + 3, c:c + 3] = 1
        r, c = rng.integers(0, 7, size=2)
        x[i, r:r + 2, c:c + 2, 0] = 0.5 + rng.normal(0.0, 0.1, size=(2, 2))
        y[i, r:r + 2, c:c + 2] = 2
    return x, y


@heldout5("segmentation-softmax-over-rows", ("stalled", "no-learning", "stuck-at-chance", "wrong-output-activation",
                                             "loss-metric-mismatch", "cannot-overfit-batch"),
          ("wrong-output-activation", "stalled", "no-learning", "stuck-at-chance"),
          r"axis|channel|softmax.{0,40}(class|last|dim)|(class|last) (axis|dim)",
          "a small fully convolutional segmenter for 3 pixel classes ending in Conv2D(3, 1) and "
          "layers.Softmax(axis=1) (axis=1 is the class axis in channels-first PyTorch code, but here the layout "
          "is (batch, height, width, classes)): the probabilities are normalised down each image column instead of "
          "over the classes, and the per-pixel loss and accuracy stay far worse than with the right axis "
          "(SO-style 'semantic segmentation, "
          "softmax on which axis? all pixels predicted as background'); fix: Softmax(axis=-1)")
def _(fixed):
    x, y = two_squares(seed=512)
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(16, 3, padding="same", activation="relu"),
                              layers.Conv2D(16, 3, padding="same", activation="relu"), layers.Conv2D(3, 1),
                              layers.Softmax(axis=-1 if fixed else 1)])
    return compiled(model, "categorical_crossentropy", x, _data.onehot(y, 3), optimizer=keras.optimizers.Adam(1e-2),
                    metrics=["accuracy"], epochs=8)
