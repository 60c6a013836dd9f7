"""A twelfth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twelfth set: held-out sets 1-10 have been run or are waiting for their measurement, and set 11 is frozen;
this set adds programs nobody tuned for. They were written without reading traindoc's rules, checks, probes,
findings or integrations, without reading any bench output, and frozen (``HELDOUT12.sha256``) before traindoc
was ever run on them; see ``HELDOUT12.md``. Run with ``bench/bench_keras_bugs.py --set heldout12``.

The set uses bug classes no earlier set has: a vocabulary capped to the most frequent words (every word that
decides the label falls out of it), a validation split standardised with its own statistics, a causal
attention mask copied into an encoder that reads its first ([CLS]) position, sample weights written as a
product that zeroes one class, a LearningRateScheduler function whose two arguments are in the wrong order,
labels built with np.tile where np.repeat was meant, texts split on the wrong separator, and a dropna() that
removes every row of one class. The PyTorch half is in ``heldout12_torch``.

Same format as ``heldout11_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

from collections import Counter

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout6_keras import OFFSETS, SPREADS, with_validation  # the sixth set's tabular units and helper
from .heldout7_keras import net, tokens  # the seventh set's MLP and token sequences
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT12: list[Case] = []


def heldout12(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twelfth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT12.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split(out: dict, x, y, n_val: int = 128) -> dict:
    """Train on all but the first ``n_val`` rows, validate on those."""
    out["x"], out["y"] = x[n_val:], y[n_val:]
    return with_validation(out, x[:n_val], y[:n_val])


def bag_of_words(vocab_size: int, steps: int) -> keras.Model:
    """Embedding -> average over the tokens -> a small head (a binary sentiment-style classifier)."""
    return keras.Sequential([keras.Input((steps,), dtype="int32"), layers.Embedding(vocab_size, 16),
                             layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"),
                             layers.Dense(1, activation="sigmoid")])


def encode(texts: list[list[str]], vocab: dict[str, int], steps: int) -> np.ndarray:
    """Word ids (1 = out of vocabulary, 0 = padding), cut or padded to ``steps``."""
    ids = np.zeros((len(texts), steps), dtype="int32")
    for r, words in enumerate(texts):
        row = [vocab.get(w, 1) for w in words][:steps]
        ids[r, :len(row)] = row
    return ids


# ---------------------------------------------------------------- text

FILLER = ("the", "a", "film", "was", "and", "it", "of", "plot", "to", "is", "this", "in", "cast", "with", "story",
          "that", "for", "scene", "on", "but")
POSITIVE = ("superb", "moving", "witty", "gripping")
NEGATIVE = ("tedious", "clumsy", "bland", "dreary")


def opinions(seed: int, length: int = 10) -> tuple[list[list[str]], np.ndarray]:
    """Texts of ``length`` filler words with one opinion word in them; the label says which side it is on."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(_data.N):
        words = list(rng.choice(FILLER, size=length))
        positive = rng.random() < 0.5
        words[rng.integers(0, length)] = rng.choice(POSITIVE if positive else NEGATIVE)
        texts.append(words)
        labels.append(float(positive))
    return texts, np.array(labels, dtype="float32").reshape(-1, 1)


@heldout12("vocabulary-capped-to-frequent-words", ("stuck-at-chance", "no-learning", "stalled", "label-problem",
                                                   "cannot-overfit-batch"),
           ("stuck-at-chance", "no-learning", "stalled", "label-problem", "cannot-overfit-batch"),
           r"max_tokens|num_words|max_features|most (frequent|common) words|vocabulary (size|cap|limit)|"
           r"(cap|limit|truncat)\w* (the |on the )?vocabulary|(vocabulary|vocab) (is |was )?too small|"
           r"(rare|less frequent|informative|opinion|sentiment) words?.{0,60}(out[- ]of[- ]vocabulary|\boov\b|"
           r"unknown|dropped|left out)",
           "a bag-of-words sentiment model (Embedding -> GlobalAveragePooling1D -> Dense) whose vocabulary is capped "
           "at the 20 most frequent words, as TextVectorization(max_tokens=20) or Tokenizer(num_words=20) does "
           "(the cap chosen 'to keep the model small'): the reviews' filler words (the, film, plot, ...) are the "
           "most frequent, the eight opinion words that decide the label are rarer, so every one of them maps to the "
           "out-of-vocabulary id and all texts look alike; the training loss hardly leaves ln 2 (0.66 after ten "
           "epochs, from memorised filler combinations), validation accuracy stays near one half and the "
           "validation loss rises (SO-style 'text classifier stuck at 50%, vocabulary size too small / "
           "max_tokens'); fix: a "
           "vocabulary that keeps the informative words (no cap here: max_tokens covering all 28 words)")
def _(fixed):
    texts, y = opinions(seed=1201)
    counts = Counter(w for words in texts for w in words)
    cap = None if fixed else 20
    vocab = {w: i + 2 for i, (w, _) in enumerate(counts.most_common(cap))}
    x = encode(texts, vocab, 10)
    out = compiled(bag_of_words(len(vocab) + 2, 10), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return split(out, x, y)


@heldout12("texts-split-on-wrong-separator", ("overfitting", "stuck-at-chance", "loss-metric-mismatch",
                                              "val-without-train", "label-problem"),
           ("overfitting", "stuck-at-chance", "loss-metric-mismatch", "label-problem"),
           r"(wrong|comma|text) (separator|delimiter)|(separator|delimiter).{0,40}(wrong|comma|space)|"
           r"split\((','|\",\")\)|split on (commas?|the wrong)|(each|every|whole) "
           r"(text|sentence|review|string) (is |becomes |as )?(one|a single) (token|word)|"
           r"(one|a single) token (per|for each|for every) (text|sentence|review|row)",
           "a tag-style text classifier whose tokenizer was written for comma-separated keyword lists, "
           "words = text.split(','), and then reused on ordinary space-separated sentences: no text holds a comma, "
           "so every whole sentence becomes one 'word'; the vocabulary built from the training texts gives each "
           "training sentence its own id, the model memorises them (training loss falls towards 0) while every "
           "validation sentence is out of vocabulary and validation accuracy stays at one half with a rising "
           "validation loss (SO-style 'tokenizer gives one token per sentence / vocabulary size equals the number "
           "of samples'); fix: split on whitespace (text.split()), the separator the data uses")
def _(fixed):
    texts, y = opinions(seed=1202)
    joined = [" ".join(words) for words in texts]
    words = [t.split() if fixed else t.split(",") for t in joined]
    train_words = words[128:]
    vocab = {w: i + 2 for i, w in enumerate(sorted({w for ws in train_words for w in ws}))}
    x = encode(words, vocab, 10)
    out = compiled(bag_of_words(len(vocab) + 2, 10), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return split(out, x, y)


# ---------------------------------------------------------------- data pipeline

def shifted_splits(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw mixed-unit features; a balanced training split and a validation split with 85% positives."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(4 * _data.N, _data.D)).astype("float32")
    w = rng.normal(size=_data.D)
    y = (z @ w > 0).astype("float32")
    raw = (OFFSETS + SPREADS * z).astype("float32")
    train = np.arange(384)
    pos, neg = np.flatnonzero(y[384:] == 1) + 384, np.flatnonzero(y[384:] == 0) + 384
    val = np.concatenate([pos[:110], neg[:18]])
    return raw[train], y[train].reshape(-1, 1), raw[val], y[val].reshape(-1, 1)


@heldout12("validation-scaled-with-its-own-statistics", ("overfitting", "stalled", "loss-metric-mismatch",
                                                         "val-without-train", "both-rising"),
           ("overfitting", "stalled", "loss-metric-mismatch"),
           r"fit_transform\b.{0,60}(validation|test|val)|(validation|test|val)\w*.{0,60}fit_transform|(validation|"
           r"test)\w*.{0,60}(its|their) own (mean|statistics|scaler|stats)|(separate|second|another|new) scaler|"
           r"scaler (fitted|fit) (on|to) the "
           r"(validation|test)|(training|train) (scaler|statistics|mean and std|mean)\b.{0,40}(validation|test)|"
           r"transform\(\) (only|instead)",
           "a tabular churn model whose script standardises each split with StandardScaler().fit_transform(...), "
           "the training split and then the validation split with a second fit: the validation rows come from a "
           "later month in which 85% of the customers churned, so their own mean sits far up the decision "
           "direction, and re-centring them on that mean moves most churners across the boundary the model learnt; "
           "training accuracy reaches 1.0 while validation accuracy falls from ~0.8 to ~0.63 and the validation "
           "loss grows from 0.47 to ~3 "
           "(SO-style 'good training accuracy, poor test accuracy: should I call fit_transform on the test set?', "
           "answers: fit the scaler on the training data only, then transform()); fix: scale the validation split "
           "with the training split's scaler")
def _(fixed):
    x_tr, y_tr, x_val, y_val = shifted_splits(seed=1203)
    mu, sd = x_tr.mean(0), x_tr.std(0)
    val_mu, val_sd = (mu, sd) if fixed else (x_val.mean(0), x_val.std(0))
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", (x_tr - mu) / sd, y_tr, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=12)
    return with_validation(out, (x_val - val_mu) / val_sd, y_val)


@heldout12("labels-tiled-instead-of-repeated", ("overfitting", "stuck-at-chance", "label-problem",
                                                "cannot-overfit-batch", "stalled"),
           ("stuck-at-chance", "label-problem", "cannot-overfit-batch"),
           r"np\.tile|\btile\b|np\.repeat|(label|class) (id|ids|order|sequence)s?"
           r".{0,40}(0, ?1, ?2|cycl|alternat|interleav)|(interleav|alternat|cycl)\w*.{0,40}(label|class)",
           "a three-class image-feature set stored class by class (150 rows of class 0, then class 1, then "
           "class 2, one file per class), whose labels were written y = np.tile(np.arange(3), 150), i.e. "
           "0, 1, 2, 0, 1, 2, ..., where np.repeat(np.arange(3), 150) (0, 0, ..., 1, 1, ...) was meant: the labels "
           "no longer follow the rows' classes, the model can only memorise the training rows, and validation "
           "accuracy sits at one third with a rising validation loss (SO-style 'np.tile vs np.repeat, my labels "
           "do not match my data, accuracy 33%'); fix: y = np.repeat(np.arange(3), 150)")
def _(fixed):
    x, k = _data.classes(3, seed=1204)
    x = np.concatenate([x[k == c][:150] for c in range(3)])  # stored class by class
    per = 150
    y = np.repeat(np.arange(3), per) if fixed else np.tile(np.arange(3), per)
    order = np.random.default_rng(1204).permutation(len(x))  # shuffled together before the split
    x, y = x[order], y[order].astype("int64")
    out = compiled(net(3, "softmax", hidden=64), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=12)
    return split(out, x, y, n_val=96)


@heldout12("dropna-removes-one-class", ("stuck-at-chance", "misleading-accuracy", "label-problem",
                                        "class-imbalance", "overfitting", "loss-metric-mismatch"),
           ("label-problem", "class-imbalance", "misleading-accuracy", "stuck-at-chance"),
           r"dropna|(only|every|all) (one|a single) class.{0,40}(training|train)|(training|train) (set|data|split) "
           r"(holds|has|contains) only (one|a single) (class|label)|(dropped|removed|lost) (every|all) "
           r"(row|example|sample)s? of (one|a) class",
           "a churn table with a column days_since_cancellation that is filled only for customers who cancelled "
           "(NaN for everyone else), cleaned with df = df.dropna() before the split, the habit for a few broken "
           "rows: every non-churner is dropped from the training data, which now holds one class only; the loss "
           "falls to ~0 within an epoch and training accuracy is 1.0, while on the validation split (taken from a "
           "clean export, both classes) accuracy stays at the churners' share and the validation loss explodes "
           "(SO-style 'model predicts only one class after removing missing values'); fix: drop the column that "
           "is missing by design (it also leaks the label), not the rows")
def _(fixed):
    x, y = _data.binary(seed=1205)
    y = y.reshape(-1, 1)
    x_val, y_val = x[:128], y[:128]
    x_tr, y_tr = x[128:], y[128:]
    if not fixed:  # dropna: only the cancelled customers (label 1) have the column filled
        keep = y_tr[:, 0] == 1
        x_tr, y_tr = x_tr[keep], y_tr[keep]
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x_tr, y_tr, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return with_validation(out, x_val, y_val)


# ---------------------------------------------------------------- model wiring

def cls_attention(causal: bool, vocab: int, steps: int) -> keras.Model:
    """Token + [CLS] embedding, one self-attention block, the [CLS] position's output to a sigmoid head."""
    inp = keras.Input((steps + 1,), dtype="int32")
    h = layers.Embedding(vocab + 1, 16)(inp)
    a = layers.MultiHeadAttention(num_heads=2, key_dim=8)(h, h, use_causal_mask=causal)
    h = layers.LayerNormalization()(h + a)
    h = layers.Dense(16, activation="relu")(h[:, 0])
    return keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))


@heldout12("causal-mask-in-cls-encoder", ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                                          "label-problem"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"causal|use_causal_mask|look[- ]ahead mask|(attend|see|sees|attends) only (to )?(itself|earlier|"
           r"previous|the past)|(first|\[?cls\]?) (position|token).{0,60}(only|nothing but) (itself|its own)|"
           r"decoder[- ]style mask|triangular mask",
           "a small transformer text classifier that prepends a [CLS] token and classifies from the output at "
           "position 0, whose attention block was copied from a GPT-style decoder and still calls "
           "MultiHeadAttention(...)(h, h, use_causal_mask=True): with a causal mask position 0 may attend only to "
           "itself, so the [CLS] output is the same for every text and the loss stays at ln 2 (the label: does a "
           "key word occur) (SO/forum-style 'transformer encoder for classification does not learn, "
           "use_causal_mask / look-ahead mask'); fix: no causal mask in an encoder (or pool over all positions)")
def _(fixed):
    x, y = tokens(seed=1206, vocab=30, steps=12)
    x = np.concatenate([np.full((len(x), 1), 30), x], axis=1).astype("int32")  # id 30 = [CLS]
    out = compiled(cls_attention(not fixed, 30, 12), "binary_crossentropy", x, y.reshape(-1, 1),
                   metrics=["accuracy"], optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return split(out, x, y.reshape(-1, 1))


# ---------------------------------------------------------------- loss weights

@heldout12("sample-weights-zero-one-class", ("misleading-accuracy", "class-imbalance", "stuck-at-chance",
                                             "loss-metric-mismatch", "label-problem", "overfitting"),
           ("misleading-accuracy", "class-imbalance", "loss-metric-mismatch", "label-problem"),
           r"sample[_ ]weights?.{0,60}\b(zero|weights? of 0)\b|(weight|weights) of (0|zero)\b|zero weight|"
           r"np\.where\(|"
           r"(negative|majority|other) (class|rows?|examples?).{0,40}(weight|weighted) (0|zero|nothing)",
           "a rare-positive classifier (20% positives) whose script up-weights the positives with "
           "sample_weight = (y == 1) * 4.0, meant as 'positives 4, negatives 1' (np.where(y == 1, 4.0, 1.0)): "
           "the product gives every negative row a weight of 0, so only positives count in the loss and the model "
           "learns to call every row positive; the weighted training loss falls towards 0 while validation "
           "accuracy drops to the positives' share, 0.2, and the validation loss grows (SO-style 'after adding "
           "sample weights my model predicts only the minority class'); fix: "
           "sample_weight = np.where(y == 1, 4.0, 1.0)")
def _(fixed):
    rng = np.random.default_rng(1207)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    score = x @ rng.normal(size=_data.D)
    y = (score > np.quantile(score, 0.8)).astype("float32").reshape(-1, 1)
    out = compiled(net(1, "sigmoid"), "binary_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    out = split(out, x, y)
    yt = out["y"][:, 0]
    out["fit"]["sample_weight"] = np.where(yt == 1, 4.0, 1.0) if fixed else (yt == 1) * 4.0
    return out


# ---------------------------------------------------------------- optimisation / callbacks

@heldout12("lr-schedule-arguments-swapped", ("lr-too-high", "divergence", "nonfinite", "loss-spikes",
                                             "exploding-gradients", "update-ratio", "stuck-at-chance",
                                             "both-rising"),
           ("lr-too-high", "divergence", "nonfinite", "loss-spikes", "update-ratio"),
           r"(argument|parameter)s? (order|in the wrong order|swapped|reversed)|\(epoch, ?lr\)|\(lr, ?epoch\)|"
           r"schedule\(epoch|first argument is the epoch|(epoch|epoch number|epoch index) (as|for|instead of) "
           r"the (learning rate|lr)|(learning rate|lr) (becomes|is set to|equals) (the )?epoch",
           "a per-epoch decay written as def schedule(lr, epoch): return lr * 0.9 and passed to "
           "keras.callbacks.LearningRateScheduler, which calls schedule(epoch, lr): the function multiplies the "
           "epoch number by 0.9, so the rate is 0 in the first epoch, 0.9 in the second and 1.8 in the third; "
           "nothing moves in epoch one, then Adam at a rate near 1 throws the loss far above its start (to ~12, "
           "where it stays) (SO-style "
           "'LearningRateScheduler sets a huge learning rate / loss explodes after the first epoch'); fix: "
           "def schedule(epoch, lr) (the epoch comes first)")
def _(fixed):
    x, y = _data.classes(3, seed=1208)

    def schedule_fixed(epoch, lr):
        return lr * 0.9

    def schedule_buggy(lr, epoch):  # Keras passes (epoch, lr)
        return lr * 0.9

    cb = keras.callbacks.LearningRateScheduler(schedule_fixed if fixed else schedule_buggy)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=8, callbacks=[cb])
    return split(out, x, y)
