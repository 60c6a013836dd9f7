"""The second development set of bug kinds no earlier set covered (Keras programs; ``devkinds2_torch`` adds PyTorch).

Why: each blind set still holds kinds no case had modelled. Like ``devkinds``, this set is written on
purpose from the training bugs practitioners ask about most (StackOverflow, the PyTorch forum, Keras
issues) that neither the main set, held-out sets 1-8 nor ``devkinds`` models (the list and why each
was picked: ``DEVKINDS.md``, section 6). It is a DEV set: checks are written against it, so its figures
say nothing about unseen bugs. Run with ``bench/bench_keras_bugs.py --set devkinds2``.

Same format as the other sets: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are finding ids (``/work/shared/FINDINGS.md``) that count
as the right symptom, ``fix_ids`` the ids whose advice is the repair (its text must match ``fix``).
Ids and fix patterns were decided before traindoc was run on the programs.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

DEVKINDS2: list[Case] = []

# Mixed-unit raw features (a pressure, a count, a ratio, an amount in dollars ...): offsets and spreads.
OFFSETS = np.array([1010.0, 35.0, 0.3, 5.0e4, 2.0, 120.0, 7.5, 600.0], dtype="float32")
SPREADS = np.array([9.0, 11.0, 0.1, 2.0e4, 0.8, 30.0, 2.0, 150.0], dtype="float32")


def devkind2(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the second bug-kinds dev set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS2.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def net(out: int, act: str | None, *, hidden: int = 32, d: int = _data.D, first: list | None = None) -> keras.Model:
    return keras.Sequential([keras.Input((d,)), *(first or []), layers.Dense(hidden, activation="relu"),
                             layers.Dense(hidden, activation="relu"), layers.Dense(out, activation=act)])


def mixed_units(seed: int, k: int = 3, linear: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw mixed-unit features, the standardised features they came from, and ring (or linear) labels of those."""
    x, y = _data.classes(k, seed=seed) if linear else rings(k, seed=seed)
    return (OFFSETS + SPREADS * x).astype("float32"), x, y


# Fix patterns shared with the PyTorch twins (checked against generic advice before any traindoc run).
SQUASH_FIX = (r"remove (the )?(extra|second|duplicate|added|outer|one of the two|either) .{0,30}(sigmoid|softmax|activation)"
              r"|(sigmoid|softmax) (only )?once|(sigmoid|softmax).{0,30}(applied|appl(y|ies)) twice")
BETAS_FIX = r"beta_1\s*=\s*0\.9\b|betas\s*=\s*\(0\.9,\s*0\.999\)|swap"
ONE_SCALAR_FIX = (r"axis\s*=\s*0|dim\s*=\s*0|mean\(0\)|one (single )?(mean|std|scalar|number|value|range|min|max)"
                  r".{0,40}(whole|all|every|entire)")
SCALE_IDS = ("unnormalized-input", "stalled", "no-learning", "stuck-at-chance", "loss-metric-mismatch")
STEP_IDS = ("update-ratio", "lr-too-high", "divergence", "oscillation", "loss-spikes", "nonfinite", "stalled",
            "no-learning", "exploding-gradients", "dead-relu", "stuck-at-chance")


# ---------------------------------------------------------------- optimiser settings that do nothing

@devkind2("lr-set-as-optimizer-attribute", STEP_IDS, STEP_IDS,
          r"optimizer\.learning_rate\s*=|learning_rate\.assign",
          "a model compiled with Adam(learning_rate=0.3) for a short 'warm' phase, then lowered with "
          "model.optimizer.lr = 3e-3 before the real fit (Keras 2 code: Keras 3 has no lr alias, the line only "
          "adds a plain attribute and the optimizer keeps stepping at 0.3; SO-style 'changing the learning rate "
          "has no effect'); fix: model.optimizer.learning_rate = 3e-3")
def _(fixed):
    x, y = rings(3, seed=901)
    prog = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.Adam(0.3))
    if fixed:
        prog["model"].optimizer.learning_rate = 3e-3
    else:
        prog["model"].optimizer.lr = 3e-3
    return prog


@devkind2("adam-betas-swapped", STEP_IDS, STEP_IDS, BETAS_FIX,
          "Adam(learning_rate=1e-2, beta_1=0.999, beta_2=0.9): the two decay rates swapped in a config, so the "
          "first moment (the update direction) averages ~1000 steps and lags far behind the gradient while the "
          "second moment follows each batch (SO-style 'Adam loss oscillates / diverges after changing betas'); "
          "fix: beta_1=0.9, beta_2=0.999")
def _(fixed):
    x, y = rings(4, seed=902)
    opt = keras.optimizers.Adam(1e-2, beta_1=0.9, beta_2=0.999) if fixed else \
        keras.optimizers.Adam(1e-2, beta_1=0.999, beta_2=0.9)
    return compiled(net(4, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], optimizer=opt)


# ---------------------------------------------------------------- the split argument read the other way

@devkind2("validation-split-as-training-share", ("overfitting", "stalled", "loss-metric-mismatch", "val-without-train"),
          ("overfitting",), r"validation_split\s*=\s*0?\.[1-3]|validation_split is the (share|fraction)|"
                            r"(share|fraction) (held out|kept|set aside) for validation",
          "model.fit(x, y, validation_split=0.8) written as 'train on 80%': Keras holds out the *last* 80% for "
          "validation and trains on the first 102 of 512 rows, so the network memorises them and validation loss "
          "climbs from the second epoch (SO-style 'huge gap between training and validation accuracy on a small "
          "model'); fix: validation_split=0.2")
def _(fixed):
    x, y = rings(3, seed=903)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    epochs=12, validation_split=0.2 if fixed else 0.8)


# ---------------------------------------------------------------- an output squashed twice

@devkind2("sigmoid-applied-twice", ("wrong-output-activation", "double-softmax", "stalled", "stuck-at-chance",
                                    "no-learning", "loss-metric-mismatch", "high-initial-loss"),
          ("wrong-output-activation", "double-softmax"), SQUASH_FIX,
          "Dense(1, activation='sigmoid') followed by an extra layers.Activation('sigmoid') (added 'to make sure the "
          "output is a probability'): the output can only lie in [0.5, 0.73], so every sample is called positive "
          "and the loss on the negatives cannot fall below ln 2 (SO-style 'binary classifier always predicts "
          "1 / outputs stuck above 0.5'); fix: remove the extra sigmoid")
def _(fixed):
    x, y = _data.binary(seed=904)
    model = net(1, "sigmoid")
    if not fixed:
        model = keras.Sequential([model, layers.Activation("sigmoid")])
    return compiled(model, "binary_crossentropy", x, y.reshape(-1, 1), metrics=["accuracy"])


@devkind2("softmax-applied-twice", ("wrong-output-activation", "double-softmax", "stalled", "stuck-at-chance",
                                    "no-learning", "loss-metric-mismatch", "high-initial-loss"),
          ("wrong-output-activation", "double-softmax"), SQUASH_FIX,
          "Dense(4, activation='softmax') followed by layers.Softmax() (a second softmax kept from a copied head): "
          "the probabilities are squeezed into [0.17, 0.48] for 4 classes, the loss cannot go below ~0.73 and "
          "its gradient is small (SO-style 'loss stuck at 1.0 and accuracy rises slowly'); fix: remove one "
          "of the two softmaxes")
def _(fixed):
    x, y = rings(4, seed=905)
    model = net(4, "softmax")
    if not fixed:
        model = keras.Sequential([model, layers.Softmax()])
    return compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


# ---------------------------------------------------------------- inputs scaled with the wrong statistics

@devkind2("features-standardised-with-one-scalar", SCALE_IDS, ("unnormalized-input",), ONE_SCALAR_FIX,
          "mixed-unit table features standardised as X = (X - X.mean()) / X.std(): numpy's mean and std without "
          "axis= reduce over the whole array, so one number is subtracted and divided from every column; the "
          "dollar column keeps a spread ~1 and every other column is squeezed to ~1e-4 (SO-style 'I standardised "
          "my data but the network does not learn'); fix: X.mean(axis=0), X.std(axis=0)")
def _(fixed):
    raw, _, y = mixed_units(906)
    x = (raw - raw.mean(axis=0)) / raw.std(axis=0) if fixed else (raw - raw.mean()) / raw.std()
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x.astype("float32"), y,
                    metrics=["accuracy"])


@devkind2("features-minmax-scaled-with-one-range", SCALE_IDS, ("unnormalized-input",), ONE_SCALAR_FIX,
          "mixed-unit features min-max scaled as (X - X.min()) / (X.max() - X.min()) over the whole array: one "
          "range for every column, so the dollar column spans [0, 1] and the others sit within 1e-4 of 0 (SO-style "
          "'MinMax scaling by hand, model stuck'); fix: X.min(axis=0) / X.max(axis=0) (MinMaxScaler)")
def _(fixed):
    raw, _, y = mixed_units(907, linear=True)
    lo, hi = (raw.min(axis=0), raw.max(axis=0)) if fixed else (raw.min(), raw.max())
    x = (raw - lo) / (hi - lo)
    return compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x.astype("float32"), y,
                    metrics=["accuracy"], epochs=16)


@devkind2("normalization-given-std-as-variance", SCALE_IDS, ("unnormalized-input",),
          r"variance\s*=\s*[\w.]*(std|var)|std\(\w*\)\s*\*\*\s*2|\*\*\s*2|squared?|\.var\(",
          "keras.layers.Normalization(mean=X.mean(0), variance=X.std(0)): the layer takes the variance and divides "
          "by its square root, so each feature is divided by sqrt(std) and a column of std 2e4 keeps a spread of "
          "~140 (SO-style 'Normalization layer with precomputed mean and std still gives huge values'); fix: "
          "variance=X.var(0) (or norm.adapt(X))")
def _(fixed):
    raw, _, y = mixed_units(908)
    var = raw.var(axis=0) if fixed else raw.std(axis=0)
    model = net(3, "softmax", first=[layers.Normalization(mean=raw.mean(axis=0), variance=var)])
    return compiled(model, "sparse_categorical_crossentropy", raw, y, metrics=["accuracy"])
