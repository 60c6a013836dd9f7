"""The eighth bug-kinds dev set: classes held-out sets 21-23 named by their symptom only, each in programs of its
own (bugs19).

Why: in sets 21-23 several programs were found but told only the symptom (cannot overfit a batch, stalled,
saturated units), not the repair. Each repair's mechanism is written again here in other shapes (another model
API, another spelling of the same mistake), so that a check fitted to one blind program does not count. Each buggy
program has a fixed twin that must draw no warning. It is a DEV set, written alongside the checks: ``ids`` and
``fix`` patterns were written and committed before traindoc ran on it. Run with ``bench/bench_keras_bugs.py --set
devkinds8``.

The classes: heavy-ball momentum of 1 or more (the velocity never decays); an initialiser whose scale is not
divided by sqrt(fan-in) under saturating activations (a std of 1, a uniform range of +-1); a bounded regression
head (a scaled tanh, a hardtanh) trained on targets in other units than its range; an optimizer whose steps
shrink with its accumulated squared gradients (Adagrad, Adadelta) left at Keras' default rate of 0.001 (given by
name, or a configured object left unused); a learning-rate schedule that grows through the run (a decay factor
above 1, start and end rates swapped); training data sorted by label and served in that order (shuffle=False); a ReLU whose cap (max_value) is 0, so it outputs 0 for every input; a torch dropout rate written as the keep probability.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout19_keras import fitted
from .keras_cases import Case

DEVKINDS8: list[Case] = []
ROWS = 640


def devkind8(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the eighth bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS8.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# Shared with the PyTorch programs.
MOMENTUM_IDS = ("oscillation", "divergence", "loss-spikes", "nonfinite", "exploding-gradients", "both-rising",
                "lr-too-high", "update-ratio", "stalled", "stuck-at-chance", "nonfinite-origin", "no-learning")
MOMENTUM_FIX_IDS = ("update-ratio", "divergence", "oscillation", "loss-spikes", "exploding-gradients", "nonfinite",
                    "stalled")
MOMENTUM_FIX = (r"momentum\b.{0,60}(below 1|less than 1|under 1|0\.9\b|never decay|does not decay|of 1\b|= ?1(\.0)?\b)"
                r"|(lower|reduce|decrease)\w*( the)? momentum")
INIT_IDS = ("saturated-activation", "vanishing-gradients", "poor-initialization", "stalled", "no-learning",
            "stuck-at-chance", "high-initial-loss", "cannot-overfit-batch", "exploding-gradients", "overfitting")
INIT_FIX_IDS = ("saturated-activation", "vanishing-gradients", "poor-initialization", "exploding-gradients")
INIT_FIX = (r"initiali[sz]\w*.{0,80}(scale|glorot|xavier|lecun|variance|\bstd\b|fan)|glorot|xavier|lecun|(smaller|"
            r"reduce|lower|shrink)\w*( the)? (initial )?(weights?|init)\b(?! decay)|1 ?/ ?sqrt\(fan")
BOUND_IDS = ("wrong-output-activation", "stalled", "no-learning", "high-initial-loss", "saturated-activation",
             "cannot-overfit-batch", "loss-metric-mismatch")
BOUND_FIX_IDS = ("wrong-output-activation", "stalled", "no-learning", "cannot-overfit-batch")
BOUND_FIX = (r"(rescal|scale|convert|divide|normali[sz])\w* (the |your )?(targets?|labels?)|(targets?|labels?)\b"
             r".{0,40}(beyond|outside|exceed)\w*.{0,30}(range|output|bound)|(targets?|labels?)\b.{0,40}(other|"
             r"different) units|deg2rad")


def classes(seed: int, d: int = 10, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; k classes from a fixed linear map plus a mild interaction."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, d)).astype("float32")
    score = x @ rng.normal(size=(d, k)) + 0.5 * np.tanh(x[:, :k] * x[:, k:2 * k])
    return x, score.argmax(1).astype("int64")


def offsets(seed: int, d: int = 8, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; a bounded target in [-1, 1] (a smooth function of them) times ``scale``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, d)).astype("float32")
    y = np.tanh(0.8 * (x @ rng.normal(size=d)) / np.sqrt(d) + 0.3 * x[:, 0] * x[:, 1])
    return x, (scale * y).astype("float32").reshape(-1, 1)


# ---------------------------------------------------------------- momentum of one

@devkind8("functional-nesterov-momentum-one", MOMENTUM_IDS, MOMENTUM_FIX_IDS, MOMENTUM_FIX,
          "a functional four-class classifier (Dense(64, relu) x2, softmax) compiled with "
          "SGD(learning_rate=0.02, momentum=1.0, nesterov=True), the momentum written as 'full momentum': the "
          "velocity never decays, every gradient stays in every later step and the loss swings up instead of "
          "settling; fix: momentum=0.9")
def _(fixed):
    x, y = classes(seed=8101)
    inp = keras.Input((10,))
    h = layers.Dense(64, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    opt = keras.optimizers.SGD(learning_rate=0.02, momentum=0.9 if fixed else 1.0, nesterov=True)
    return fitted(model, opt, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- initialiser scale under saturating units

@devkind8("sequential-tanh-random-normal-stddev-one", INIT_IDS, INIT_FIX_IDS, INIT_FIX,
          "a Sequential four-class classifier of four Dense(128, 'tanh') layers with "
          "kernel_initializer=RandomNormal(stddev=1.0) (a 'unit normal' init): with 128 inputs per unit the "
          "pre-activations spread ~11, the tanh units sit at +-1 and the gradient hardly reaches the first layers; "
          "fix: the default glorot_uniform")
def _(fixed):
    x, y = classes(seed=8102, d=12)
    init = "glorot_uniform" if fixed else keras.initializers.RandomNormal(stddev=1.0, seed=1)
    model = keras.Sequential([keras.Input((12,)), layers.Dense(128, activation="tanh", kernel_initializer=init),
                              *[layers.Dense(128, activation="tanh", kernel_initializer=init) for _ in range(3)],
                              layers.Dense(4, activation="softmax")])
    return fitted(model, keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


@devkind8("functional-tanh-random-uniform-plus-minus-one", INIT_IDS, INIT_FIX_IDS, INIT_FIX,
          "a functional four-class classifier of six Dense(96, 'tanh') layers drawn with "
          "RandomUniform(-1.0, 1.0) ('weights between -1 and 1') under SGD with momentum: a spread of 0.58 on 96 "
          "inputs gives pre-activations ~5.7x their inputs at every layer, the tanh units saturate and the first "
          "layers barely move; fix: glorot_uniform (a range of sqrt(6 / (fan_in + fan_out)))")
def _(fixed):
    x, y = classes(seed=8103, d=12)
    init = "glorot_uniform" if fixed else keras.initializers.RandomUniform(-1.0, 1.0, seed=2)
    inp = keras.Input((12,))
    h = inp
    for _ in range(6):
        h = layers.Dense(96, activation="tanh", kernel_initializer=init)(h)
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    return fitted(model, keras.optimizers.SGD(0.02, momentum=0.9), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- a decaying-step optimizer left at its default rate

DEFAULT_IDS = ("no-learning", "stalled", "update-ratio", "stuck-at-chance", "cannot-overfit-batch", "lr-decay-too-fast")
DEFAULT_FIX_IDS = ("no-learning", "stalled", "update-ratio", "stuck-at-chance")
DEFAULT_FIX = (r"(raise|increase|larger|higher)\w*( the)? (learning[- ]rate|\blr\b)|(learning[- ]rate|\blr\b)\w*( is| "
               r"was)? (too|far too|much too|very) (low|small)|default (learning[- ]rate|\blr\b).{0,60}(too low|far "
               r"below|below)|(pass|use)\w* (the |that |your )?(configured |tuned )?(optimi[sz]er )?(object|instance)")


@devkind8("sequential-adadelta-by-name-regression", DEFAULT_IDS, DEFAULT_FIX_IDS, DEFAULT_FIX,
          "a Sequential regressor of a standardised target (Dense(64, relu) x2) compiled with "
          "optimizer='adadelta' because 'Adadelta needs no learning rate': Keras builds it at learning_rate=0.001 "
          "where the method is run at 1.0, and the loss hardly moves; fix: keras.optimizers.Adadelta(1.0)")
def _(fixed):
    x, y = offsets(seed=8104, d=8)
    y = (y - y.mean()) / y.std()
    model = keras.Sequential([keras.Input((8,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(1)])
    opt = keras.optimizers.Adadelta(learning_rate=1.0) if fixed else "adadelta"
    return fitted(model, opt, "mse", x, y, metrics=["mae"], epochs=10)


@devkind8("functional-tuned-adagrad-kept-in-a-dict", DEFAULT_IDS, DEFAULT_FIX_IDS, DEFAULT_FIX,
          "a functional five-class classifier whose script keeps a tuned optimizer in a dict, "
          "OPTIMIZERS = {'adagrad': Adagrad(learning_rate=0.05)}, but compiles with optimizer=CONFIG['optimizer'], "
          "the key 'adagrad' rather than OPTIMIZERS[CONFIG['optimizer']]: the name builds a fresh Adagrad at 0.001 "
          "and the tuned one is never used; fix: pass the object")
def _(fixed):
    x, y = classes(seed=8105, d=12, k=5)
    config = {"optimizer": "adagrad"}
    optimizers = {"adagrad": keras.optimizers.Adagrad(learning_rate=0.05)}
    inp = keras.Input((12,))
    h = layers.Dense(48, activation="relu")(layers.Dense(48, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(5, activation="softmax")(h))
    opt = optimizers[config["optimizer"]] if fixed else config["optimizer"]
    return fitted(model, opt, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- a schedule that grows through the run

GROW_IDS = ("lr-too-high", "divergence", "loss-spikes", "oscillation", "both-rising", "nonfinite",
            "exploding-gradients", "update-ratio", "nonfinite-origin", "stuck-at-chance", "stalled")
GROW_FIX_IDS = ("lr-too-high", "divergence", "loss-spikes", "oscillation", "both-rising", "nonfinite",
                "exploding-gradients", "update-ratio")
GROW_FIX = (r"decay[_ ]rate.{0,40}(above|greater than|over|>)\s*(1\b|one\b)|decay_rate\s*(=\s*)?(0\.\d|<\s*1|below 1)|"
            r"(schedule|learning[- ]rate|\blr\b)\w*.{0,40}\b(grows|increases|rises|climbs)\b|swap\w*.{0,40}"
            r"(rates|initial|end)|end_learning_rate.{0,40}(above|greater|larger)")


@devkind8("functional-exponential-decay-factor-five-quarters", GROW_IDS, GROW_FIX_IDS, GROW_FIX,
          "a functional four-class classifier under Adam whose rate is ExponentialDecay(0.003, decay_steps=10, "
          "decay_rate=1.25) ('25% per 10 steps' meant as a decrease): the rate climbs through the run to ~0.1 and "
          "the loss climbs back up; fix: decay_rate=0.8")
def _(fixed):
    x, y = classes(seed=8106, d=10)
    sched = keras.optimizers.schedules.ExponentialDecay(0.003, decay_steps=10, decay_rate=0.8 if fixed else 1.25)
    inp = keras.Input((10,))
    h = layers.Dense(64, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    return fitted(model, keras.optimizers.Adam(sched), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


@devkind8("sequential-polynomial-decay-rates-swapped", GROW_IDS, GROW_FIX_IDS, GROW_FIX,
          "a Sequential four-class classifier under SGD with momentum whose rate is PolynomialDecay(1e-3, "
          "decay_steps=160, end_learning_rate=1.5) (start and end written the wrong way round): the rate rises "
          "to 1.5 and the loss blows up; fix: PolynomialDecay(0.05, 160, end_learning_rate=1e-3)")
def _(fixed):
    x, y = classes(seed=8107, d=10)
    a, b = (0.05, 1e-3) if fixed else (1e-3, 1.5)
    sched = keras.optimizers.schedules.PolynomialDecay(a, decay_steps=160, end_learning_rate=b)
    model = keras.Sequential([keras.Input((10,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(4, activation="softmax")])
    return fitted(model, keras.optimizers.SGD(sched, momentum=0.9), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- training data sorted by label, served in order

SORTED_IDS = ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "val-without-train", "overfitting",
              "loss-metric-mismatch", "stuck-at-chance")
SORTED_FIX_IDS = ("unshuffled-data", "oscillation", "loss-spikes", "stalled")
SORTED_FIX = (r"shuffl\w*\b(?! (the )?(validation|val|test))|(sorted|ordered|grouped) by (class|label)|(one|a single) "
              r"(class|label) per batch|batch\w* (hold|contain|see)s? (only )?(one|a single) class|permut\w*")


def _held_out(x, y, seed: int):
    """A random fifth of the rows as validation data; the rest in the order given."""
    rng = np.random.default_rng(seed)
    val = np.zeros(len(y), bool)
    val[rng.choice(len(y), len(y) // 5, replace=False)] = True
    return (x[~val], y[~val]), (x[val], y[val]), rng


@devkind8("functional-two-csv-files-stacked-shuffle-false", SORTED_IDS, SORTED_FIX_IDS, SORTED_FIX,
          "a functional binary classifier trained on np.vstack of the 'normal' file and then the 'fault' file, "
          "with fit(shuffle=False) kept from a time-series notebook (Adam 1e-2, batches of 64) and a random validation fifth: every batch "
          "holds one class, the first half of each epoch pulls the output to 0 and the second half to 1; fix: "
          "shuffle=True (or permute the rows once)")
def _(fixed):
    x, y = classes(seed=8108, d=10, k=2)
    order = np.argsort(y, kind="stable")
    (xt, yt), (xv, yv), rng = _held_out(x[order], y[order], 81)
    if fixed:
        p = rng.permutation(len(yt))
        xt, yt = xt[p], yt[p]
    inp = keras.Input((10,))
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(layers.Dense(32, activation="relu")(inp)))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return {"model": model, "x": xt, "y": yt.astype("float32"),
            "fit": {"epochs": 10, "batch_size": 64, "verbose": 0, "shuffle": False,
                    "validation_data": (xv, yv.astype("float32"))}}


@devkind8("sequential-rows-sorted-by-label-for-inspection", SORTED_IDS, SORTED_FIX_IDS, SORTED_FIX,
          "a Sequential four-class classifier whose rows were sorted by label with np.argsort(y) to look at each "
          "class, then fit with shuffle=False (batches of 64): the model sees one class at a time, forgets the "
          "last one and its loss swings each epoch; fix: shuffle the rows (shuffle=True)")
def _(fixed):
    x, y = classes(seed=8109, d=10, k=4)
    order = np.argsort(y, kind="stable")
    (xt, yt), (xv, yv), rng = _held_out(x[order], y[order], 82)
    if fixed:
        p = rng.permutation(len(yt))
        xt, yt = xt[p], yt[p]
    model = keras.Sequential([keras.Input((10,)), layers.Dense(64, activation="relu"),
                              layers.Dense(4, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return {"model": model, "x": xt, "y": yt,
            "fit": {"epochs": 10, "batch_size": 64, "verbose": 0, "shuffle": False, "validation_data": (xv, yv)}}


# ---------------------------------------------------------------- an activation whose settings make it a constant

CONST_IDS = ("dead-relu", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "vanishing-gradients",
             "frozen-parameters")
CONST_FIX_IDS = ("dead-relu", "stuck-at-chance", "no-learning", "cannot-overfit-batch", "vanishing-gradients")
CONST_FIX = (r"max_value|(capp?ed|clipp?ed|ceiling|upper bound|maximum) (at|of|=) ?(0(\.0)?\b|zero)|(relu|activation|"
             r"unit)s?\W.{0,40}(always|only|identically) (output|return|give)s? (0|zero)|(output|return)s? (0|zero) for "
             r"every (input|row|sample)")


@devkind8("sequential-relu-layer-given-zero-positionally", CONST_IDS, CONST_FIX_IDS, CONST_FIX,
          "a Sequential three-class classifier whose hidden activations are written layers.ReLU(0.0), the 0.0 "
          "meant as the slope of the negative part: ReLU's first parameter is max_value, so every unit outputs 0 "
          "and the model predicts one constant; fix: layers.ReLU()")
def _(fixed):
    x, y = classes(seed=8110, d=10, k=3)
    act = (lambda: layers.ReLU()) if fixed else (lambda: layers.ReLU(0.0))
    model = keras.Sequential([keras.Input((10,)), layers.Dense(48), act(), layers.Dense(48), act(),
                              layers.Dense(3, activation="softmax")])
    return fitted(model, keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                  epochs=8)


@devkind8("functional-relu-cap-from-config-default", CONST_IDS, CONST_FIX_IDS, CONST_FIX,
          "a functional regressor of a standardised target whose activations are built as "
          "layers.ReLU(max_value=cfg.get('relu_cap', 0.0)), the config file having no 'relu_cap' key: the cap "
          "falls back to 0, every hidden unit outputs 0 and only the output bias learns; fix: a default of None")
def _(fixed):
    x, y = offsets(seed=8117, d=8)
    y = (y - y.mean()) / y.std()
    cfg: dict = {}
    cap = cfg.get("relu_cap", None if fixed else 0.0)
    inp = keras.Input((8,))
    h = layers.ReLU(max_value=cap)(layers.Dense(64)(inp))
    h = layers.ReLU(max_value=cap)(layers.Dense(64)(h))
    model = keras.Model(inp, layers.Dense(1)(h))
    return fitted(model, keras.optimizers.Adam(3e-3), "mse", x, y, metrics=["mae"], epochs=8)
