"""A development set of bug kinds the earlier sets did not cover (Keras programs; ``devkinds_torch`` adds PyTorch).

Why: every blind set so far held bug kinds nobody had written a case for. This set is written on
purpose, from the kinds of training bugs practitioners ask about most often on StackOverflow, the
PyTorch forum and Keras issues, picking those that no case of the main set or held-out sets 1-7
models (the list and why each was picked: ``DEVKINDS.md``). It is a DEV set: traindoc's checks
may be tuned on it, so it says nothing about accuracy on unseen bugs. Run with
``bench/bench_keras_bugs.py --set devkinds``.

Same format as the held-out sets: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True``
applies the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``)
that count as the right symptom; ``fix_ids`` the ids whose advice is the repair (its text must match
``fix``). Ids and fix patterns were decided before traindoc was run on the programs.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

DEVKINDS: list[Case] = []


def devkind(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
            framework: str = "keras"):
    """Register a case of the bug-kinds dev set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, d: int = _data.D, **out_kw) -> keras.Model:
    return keras.Sequential([keras.Input((d,)), layers.Dense(hidden, activation="relu"),
                             layers.Dense(hidden, activation="relu"), layers.Dense(out, activation=act, **out_kw)])


LEAK_FIX = (r"leak|drop (the )?(label|target)|(label|target).{0,60}(among|in|inside|part of) the (input|feature)s"
            r"|column \d+.{0,60}(label|target)")


# ---------------------------------------------------------------- data: the label inside the inputs

@devkind("label-column-left-in-features", ("label-problem", "overfitting", "loss-metric-mismatch"),
         ("label-problem",), LEAK_FIX,
         "a table whose last column is the class label, split as X = table (the drop of the label column "
         "forgotten, df.values instead of df.drop('label', axis=1).values): the model reads the answer from its "
         "inputs and reaches ~100% accuracy in the first epoch (SO-style '100% accuracy from the first epoch, too "
         "good to be true?', answers: target leakage, the label is one of the features); fix: drop the column")
def _(fixed):
    x, y = rings(3, seed=801)
    table = np.concatenate([x, y.reshape(-1, 1).astype("float32")], axis=1)
    model = keras.Sequential([keras.Input((table.shape[1] - (1 if fixed else 0),)),
                              layers.Dense(32, activation="relu"), layers.Dense(32, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", table[:, :-1] if fixed else table, y,
                    metrics=["accuracy"], epochs=10)


@devkind("window-includes-the-target-step", ("label-problem", "overfitting", "loss-metric-mismatch"),
         ("label-problem",), LEAK_FIX,
         "a one-step-ahead forecaster whose input windows are cut as series[t - 9 : t + 1] while the target is "
         "series[t]: the last value of every window is the target itself, so the loss falls to ~0 and the model "
         "learns to copy it (SO-style 'my LSTM forecast is perfect in training but just lags the series', answers: "
         "your window includes the value you predict); fix: windows series[t - 10 : t]")
def _(fixed):
    rng = np.random.default_rng(809)
    t = np.arange(_data.N + 40)
    series = (np.sin(t / 5.0) + 0.5 * np.sin(t / 13.0) + 0.3 * rng.normal(size=t.size)).astype("float32")
    idx = np.arange(20, 20 + _data.N)
    lo = -10 if fixed else -9
    x = np.stack([series[i + lo:i + lo + 10] for i in idx])
    y = series[idx].reshape(-1, 1)
    return compiled(net(1, None, d=10), "mse", x, y, epochs=8)


# ---------------------------------------------------------------- inputs: layout

@devkind("channels-first-images-into-conv2d", ("label-problem", "stalled", "no-learning", "stuck-at-chance",
                                               "unnormalized-input", "cannot-overfit-batch"),
         ("label-problem", "stalled", "no-learning", "stuck-at-chance", "unnormalized-input", "cannot-overfit-batch"),
         r"channels.?(first|last)|data_format|transpose|moveaxis|\(0, ?2, ?3, ?1\)|channel (axis|dim)",
         "colour images stored channels-first, (N, 3, 12, 12) as a PyTorch loader gives them, fed to Conv2D whose "
         "default data_format is channels_last: Keras reads the 3 colours as the image height and the 12 columns "
         "as 12 channels, the 3x3 kernels slide over colour and width, and a line's orientation is lost (SO-style 'Conv2D "
         "input shape (3, 32, 32) gives bad accuracy / negative dimension size'); fix: np.transpose(x, (0, 2, 3, 1)) "
         "(or data_format='channels_first')")
def _(fixed):
    rng = np.random.default_rng(802)
    n, s = _data.N, 12
    y = rng.integers(0, 3, size=n)  # the class is the orientation of a short bright line: -, |, or \\
    x = rng.normal(0, 0.3, size=(n, s, s, 3)).astype("float32")
    for i in range(n):
        r, c, ch = rng.integers(2, s - 6), rng.integers(2, s - 6), rng.integers(0, 3)
        for k in range(4):
            rr, cc = [(r, c + k), (r + k, c), (r + k, c + k)][y[i]]
            x[i, rr, cc, ch] += 2.0
    if not fixed:
        x = np.transpose(x, (0, 3, 1, 2))
    model = keras.Sequential([keras.Input(x.shape[1:]), layers.Conv2D(8, 3, activation="relu", padding="same"),
                              layers.GlobalMaxPooling2D(), layers.Dense(3, activation="softmax")])
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=8)


# ---------------------------------------------------------------- output / loss wiring

@devkind("binary-ce-on-linear-output", ("wrong-output-activation", "stalled", "no-learning", "loss-metric-mismatch",
                                        "nonfinite", "stuck-at-chance"),
         ("wrong-output-activation",), r"sigmoid|from_logits",
         "a binary classifier ending in Dense(1) with no activation, compiled with loss='binary_crossentropy' "
         "(whose from_logits defaults to False): the raw scores are clipped into [eps, 1 - eps] and read as "
         "probabilities, so half the outputs give no gradient (SO-style 'binary_crossentropy loss stuck at "
         "7.7 / accuracy 50%'); fix: Dense(1, activation='sigmoid') or BinaryCrossentropy(from_logits=True)")
def _(fixed):
    x, y = _data.binary(seed=803)
    return compiled(net(1, "sigmoid" if fixed else None), "binary_crossentropy", x, y.reshape(-1, 1),
                    metrics=["accuracy"])


@devkind("relu-output-with-from-logits", ("wrong-output-activation", "double-softmax", "dead-relu", "stalled",
                                          "no-learning", "stuck-at-chance"),
         ("wrong-output-activation", "double-softmax", "dead-relu"),
         r"remove the .*(relu|activation)|linear|no activation|activation=None|raw logits",
         "the hidden layers' Dense(..., activation='relu') copied for the output, Dense(4, activation='relu'), "
         "under SparseCategoricalCrossentropy(from_logits=True): the logits cannot go below 0, a class whose "
         "unit dies can never be raised or lowered again (SO-style 'ReLU in the last layer of a classifier?'); "
         "fix: no activation on the output layer")
def _(fixed):
    x, y = rings(4, seed=804)
    return compiled(net(4, None if fixed else "relu"), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    x, y, metrics=["accuracy"], optimizer=keras.optimizers.Adam(3e-2))


# ---------------------------------------------------------------- labels

@devkind("missing-targets-as-nan", ("nonfinite", "label-problem", "nonfinite-origin"), ("nonfinite", "label-problem"),
         r"(target|label)s?.{0,60}(nan|missing)|(nan|missing).{0,60}(target|label)|dropna|isnan",
         "a regression whose target column has a few missing values (NaN after pd.read_csv), fed as is: the "
         "first batch holding one gives a NaN loss and every weight becomes NaN (SO-style 'Keras regression loss "
         "nan from the first epoch', answers: check y for NaN); fix: drop the rows whose target is missing")
def _(fixed):
    x, y = _data.regression(seed=807)
    if not fixed:
        y = y.copy()
        y[np.random.default_rng(807).choice(len(y), 6, replace=False)] = np.nan
    return compiled(net(1, None), "mse", x, y)


# ---------------------------------------------------------------- inputs: token ids as numbers

@devkind("token-ids-as-lstm-features", ("unnormalized-input", "stalled", "no-learning", "stuck-at-chance",
                                        "label-problem"),
         ("unnormalized-input", "label-problem", "stalled", "no-learning", "stuck-at-chance"),
         r"Embedding",
         "integer word ids (0..49) reshaped to (N, 12, 1) and fed to an LSTM as one numeric feature per step, with "
         "no Embedding layer: id 31 is read as 'more' than id 30, and the LSTM cannot tell words apart (SO-style "
         "'LSTM text classification accuracy stuck at 50%'); fix: Embedding(50, 16) on the (N, 12) ids")
def _(fixed):
    rng = np.random.default_rng(808)
    x = rng.integers(1, 50, size=(_data.N, 12))
    key = 7
    x[x == key] = key + 1
    y = (rng.random(_data.N) < 0.5)
    x[y, rng.integers(0, 12, size=int(y.sum()))] = key
    if fixed:
        model = keras.Sequential([keras.Input((12,)), layers.Embedding(50, 16), layers.LSTM(16),
                                  layers.Dense(1, activation="sigmoid")])
        feats = x
    else:
        model = keras.Sequential([keras.Input((12, 1)), layers.LSTM(16), layers.Dense(1, activation="sigmoid")])
        feats = x.reshape(-1, 12, 1).astype("float32")
    return compiled(model, "binary_crossentropy", feats, y.astype("float32").reshape(-1, 1), metrics=["accuracy"],
                    epochs=8)
