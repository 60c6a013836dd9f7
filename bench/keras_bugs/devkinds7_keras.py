"""The seventh bug-kinds dev set: the common classes held-out set 20 missed, each in programs of its own (bugs18).

Why: a check fitted to set 20's one program of a class is worth nothing on the next blind set, so each class is
written again here in other shapes (another model API, another spelling of the same mistake). Each buggy program
has a fixed twin that must draw no warning. It is a DEV set, written alongside the checks: ``ids`` and ``fix``
patterns were written and committed before traindoc ran on it. Run with ``bench/bench_keras_bugs.py --set
devkinds7``.

The classes: a softmax head over multi-hot targets under a binary loss; an activation that is the identity (a
config lookup that falls back to 'linear', a LeakyReLU whose slope is 1), so the network is one linear map; a
deep stack of sigmoid layers (the repair: ReLU with He initialisation); an optimiser doing gradient ascent
(``maximize=True``); and fixed twins that standardise their inputs inside the model (the loader's batches are
raw, the first weight layer sees standardised values), which must not be told ``unnormalized-input``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout19_keras import fitted
from .keras_cases import Case

DEVKINDS7: list[Case] = []
ROWS = 640


def devkind7(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
             framework: str = "keras"):
    """Register a case of the seventh bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS7.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# Shared with the PyTorch programs.
MULTI_IDS = ("wrong-output-activation", "stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch",
             "loss-metric-mismatch")
MULTI_FIX_IDS = ("wrong-output-activation", "stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch")
MULTI_FIX = (r"sigmoid\b.{0,40}(instead of|rather than|in place of|not)\b.{0,20}softmax|(replace|swap|change|switch)"
             r"\w* .{0,30}softmax.{0,30}sigmoid|softmax.{0,80}(several|multiple|more than one) (tags?|labels?|classes)"
             r"|Dense\(\d+, activation='sigmoid'\)|nn\.Sigmoid\(\)|torch\.sigmoid")
IDENTITY_IDS = ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch")
IDENTITY_FIX = (r"negative_slope|slope (of )?(1\b|1\.0)|\bidentity\b|(activation|leaky ?relu)\w*.{0,60}(linear "
                r"function|is linear|'linear')|one linear map|(no|without) non-?linear")
SIGMOID_IDS = ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning", "stalled",
               "poor-initialization", "cannot-overfit-batch")
SIGMOID_FIX_IDS = ("vanishing-gradients", "saturated-activation", "stuck-at-chance", "no-learning",
                   "poor-initialization")
SIGMOID_FIX = (r"(replace|swap|instead of|rather than|drop|remove)\w*( the)?.{0,30}sigmoid|sigmoids?.{0,40}(with|by|"
               r"to|for) (relu|leaky)|relu\w* (instead of|rather than|over|in place of) (the )?sigmoid|he_normal|"
               r"kaiming|he[_ ](normal|uniform)")
ASCENT_IDS = ("divergence", "both-rising", "nonfinite", "exploding-gradients", "loss-spikes", "lr-too-high",
              "high-initial-loss", "nonfinite-origin", "stuck-at-chance")
ASCENT_FIX_IDS = ("divergence", "both-rising", "nonfinite", "exploding-gradients")
ASCENT_FIX = (r"maximi[sz]e|gradient ascent|(opposite|wrong) (direction|sign)|(update|step)s? (go|goes|point|move|"
              r"climb)s? (up|uphill|the wrong way)")
SCALE_IDS = ("unnormalized-input", "high-initial-loss", "stuck-at-chance", "stalled", "no-learning", "dead-relu",
             "saturated-activation", "exploding-gradients", "cannot-overfit-batch")
SCALE_FIX = (r"(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?(input|feature|channel|signal|"
             r"reading)|(input|feature)s? (are |is )?(not |un)(normali[sz]|scal|standardi[sz])|unnormali[sz]ed "
             r"(input|feature)|StandardScaler|(subtract|minus) the mean")


def tags(seed: int, d: int = 12, k: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Standardised item features and k tags, each a half-space of a random direction (two or three per row)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, d)).astype("float32")
    w = rng.normal(size=(d, k))
    s = x @ w
    y = (s > np.quantile(s, 0.6, axis=0)).astype("float32")
    return x, y


def ring(seed: int, d: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; label 1 when the first two lie in a ring (no linear boundary)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, d)).astype("float32")
    r = np.hypot(x[:, 0], x[:, 1])
    return x, ((r > 0.8) & (r < 1.6)).astype("float32").reshape(-1, 1)


def bands(seed: int, d: int = 10, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; one of k classes from a curved score (quantile bands)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(ROWS, d)).astype("float32")
    score = np.tanh(x[:, 0] * x[:, 1]) + x[:, 2] - 0.5 * x[:, 3] ** 2
    return x, np.digitize(score, np.quantile(score, np.linspace(0, 1, k + 1)[1:-1])).astype("int64")


def sensors(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw sensor columns on their own scales (pressure in Pa, temperature in K, flow, rpm); a 0/1 fault label."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(ROWS, 5))
    x = z * np.array([800.0, 12.0, 40.0, 300.0, 2.0]) + np.array([101000.0, 290.0, 500.0, 2400.0, 7.0])
    fault = z[:, 0] - 0.8 * z[:, 2] + 0.6 * z[:, 3] * z[:, 1] > 0.3
    return x.astype("float32"), fault.astype("float32").reshape(-1, 1)


# ---------------------------------------------------------------- softmax over multi-hot targets, binary loss

@devkind7("sequential-softmax-over-genre-tags-bce", MULTI_IDS, MULTI_FIX_IDS, MULTI_FIX,
          "a Sequential film tagger (Dense(32, relu) x2, Dense(6, activation='softmax')) compiled with "
          "loss='binary_crossentropy' on six multi-hot genre columns, most films carrying two or three: the softmax "
          "makes the six scores share one unit of probability, so no two genres can both be near 1 and the loss "
          "stops far above zero (question class: Keras multi-label classification accuracy stuck, softmax vs "
          "sigmoid); fix: Dense(6, activation='sigmoid')")
def _(fixed):
    x, y = tags(seed=7101)
    model = keras.Sequential([keras.Input((12,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"),
                              layers.Dense(6, activation="sigmoid" if fixed else "softmax")])
    return fitted(model, keras.optimizers.Adam(3e-3), "binary_crossentropy", x, y, metrics=["binary_accuracy"],
                  epochs=10)


# ---------------------------------------------------------------- an activation that is the identity

ACTIVATIONS = {"relu": "relu", "gelu": "gelu", "swish": "swish"}


@devkind7("functional-activation-name-falls-back-to-linear", IDENTITY_IDS, IDENTITY_IDS, IDENTITY_FIX,
          "a functional ring classifier whose hidden activations come from a config, layers.Activation("
          "ACTIVATIONS.get(cfg['act'], 'linear')), with cfg['act'] = 'ReLU' (the dictionary's keys are lower case): "
          "every Activation layer is 'linear', the three Dense layers compose to one linear map and the ring "
          "stays at chance (question class: Keras network no better than logistic regression, activation "
          "misspelt in a config); fix: the key 'relu'")
def _(fixed):
    x, y = ring(seed=7102, d=3)
    cfg = {"act": "relu" if fixed else "ReLU", "width": 48}
    inp = keras.Input((3,))
    h = inp
    for _ in range(2):
        h = layers.Activation(ACTIVATIONS.get(cfg["act"], "linear"))(layers.Dense(cfg["width"])(h))
    out = layers.Dense(1, activation="sigmoid")(h)
    return fitted(keras.Model(inp, out), keras.optimizers.Adam(1e-2), "binary_crossentropy", x, y,
                  metrics=["accuracy"], epochs=15)


# ---------------------------------------------------------------- a deep sigmoid stack

@devkind7("sequential-eight-sigmoid-dense-sgd", SIGMOID_IDS, SIGMOID_FIX_IDS, SIGMOID_FIX,
          "a Sequential classifier of eight Dense(32, activation='sigmoid') layers and Dense(4, softmax), trained "
          "with SGD(0.05, momentum=0.9) on four curved bands: each sigmoid passes back at most a quarter of the "
          "gradient, so the first layers hardly move and the loss stays near ln 4 (question class: deep "
          "network with sigmoid does not train, vanishing gradient); fix: activation='relu' with "
          "kernel_initializer='he_normal'")
def _(fixed):
    x, y = bands(seed=7103)
    kw = {"activation": "relu", "kernel_initializer": "he_normal"} if fixed else {"activation": "sigmoid"}
    model = keras.Sequential([keras.Input((10,)), *[layers.Dense(32, **kw) for _ in range(8)],
                              layers.Dense(4, activation="softmax")])
    return fitted(model, keras.optimizers.SGD(0.05, momentum=0.9), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- inputs standardised inside the model

class FaultNet(keras.Model):
    """A subclassed fault detector; with ``mean``/``std`` it standardises its raw inputs in call()."""

    def __init__(self, mean=None, std=None):
        super().__init__()
        self.mean = None if mean is None else keras.ops.convert_to_tensor(mean)
        self.std = None if std is None else keras.ops.convert_to_tensor(std)
        self.h1, self.h2 = layers.Dense(32, activation="relu"), layers.Dense(16, activation="relu")
        self.out = layers.Dense(1, activation="sigmoid")

    def call(self, x):
        if self.mean is not None:
            x = (x - self.mean) / self.std
        return self.out(self.h2(self.h1(x)))


@devkind7("subclassed-sensor-columns-standardised-in-call", SCALE_IDS, ("unnormalized-input",), SCALE_FIX,
          "a subclassed Keras fault detector fed raw sensor columns (pressure in pascals near 101,000, "
          "temperature in kelvin, flow, rpm): the first Dense sees values five orders apart and the ReLU units "
          "saturate or die (question class: Keras model does not learn with unscaled features); fix: the model "
          "standardises its inputs in call() with the training columns' mean and std, so fit still receives the "
          "raw arrays")
def _(fixed):
    x, y = sensors(seed=7104)
    model = FaultNet(x.mean(0), x.std(0)) if fixed else FaultNet()
    return fitted(model, keras.optimizers.Adam(1e-3), "binary_crossentropy", x, y, metrics=["accuracy"], epochs=10)


@devkind7("functional-lambda-standardises-raw-columns", SCALE_IDS, ("unnormalized-input",), SCALE_FIX,
          "a functional fault detector fed the raw sensor columns straight into Dense(32, relu): pressures near "
          "101,000 swamp every other column (question class: Keras loss stuck, features not scaled); fix: a "
          "Lambda layer first, (t - mean) / std with the training columns' statistics, so fit keeps the raw "
          "arrays")
def _(fixed):
    x, y = sensors(seed=7105)
    mean, std = x.mean(0), x.std(0)
    inp = keras.Input((5,))
    h = layers.Lambda(lambda t: (t - mean) / std)(inp) if fixed else inp
    h = layers.Dense(32, activation="relu")(h)
    out = layers.Dense(1, activation="sigmoid")(layers.Dense(16, activation="relu")(h))
    return fitted(keras.Model(inp, out), keras.optimizers.Adam(1e-3), "binary_crossentropy", x, y,
                  metrics=["accuracy"], epochs=10)
