"""A sixteenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why this set: sets 1-15 each added rarer bug kinds; this one measures whether traindoc names the repair for
the COMMON bug classes of the public StackOverflow-derived training-bug benchmarks (an output activation that
does not fit the loss, a loss that does not fit the label format, a learning rate far off, unscaled inputs or
targets, labels coded wrongly, a missing activation, optimiser misuse, dead ReLUs from initialisation,
vanishing gradients in a deep saturating net) on programs it has never seen. Each program is written afresh:
its own data shape, model API and way of writing the bug. The programs were written without reading
traindoc's rules, checks, probes, findings or integrations, without reading any bench output, and frozen
(``HELDOUT16.sha256``) before traindoc was ever run on them; see ``HELDOUT16.md``. Run with
``bench/bench_keras_bugs.py --set heldout16``. The PyTorch half is in ``heldout16_torch``.

Same format as the earlier sets: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as
the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding
counts as the right fix only when its id is one of them and its text matches the ``fix`` regular expression.
The ``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT16: list[Case] = []


def heldout16(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the sixteenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT16.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- data of this set

def tabular(seed: int, n: int, d: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features; ``k`` classes from the argmax of a random two-layer map (learnable, nonlinear)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    h = np.tanh(x @ rng.normal(size=(d, 16)) / np.sqrt(d))
    return x, (h @ rng.normal(size=(16, k))).argmax(1).astype("int64")


def holdout(out: dict, x, y, share: float = 0.2) -> dict:
    """The last ``share`` of the rows as validation data (the rows are already in random order)."""
    n_val = int(len(x) * share)
    out["x"], out["y"] = x[:-n_val], y[:-n_val]
    out["fit"]["validation_data"] = (x[-n_val:], y[-n_val:])
    return out


# ---------------------------------------------------------------- output activation vs loss

@heldout16("functional-softmax-single-unit-binary", ("stuck-at-chance", "no-learning", "wrong-output-activation",
                                                     "cannot-overfit-batch", "high-initial-loss", "stalled"),
           ("wrong-output-activation", "stuck-at-chance", "no-learning", "cannot-overfit-batch"),
           r"softmax.{0,80}\b(one|single|1)[- ](unit|output|neuron|logit|column|value)|"
           r"\b(one|single|1)[- ](unit|output|neuron|logit|column)s?\b.{0,60}softmax|"
           r"softmax.{0,60}(always|constant(ly)?|identically) (outputs? |returns? |gives? |equals? |is )?(1|one)\b|"
           r"sigmoid.{0,40}(instead of|in place of|rather than) (a |the )?softmax|"
           r"(replace|swap) (the )?softmax.{0,30}sigmoid",
           "a functional-API fraud detector (keras.Input of 12 features -> Dense(24, relu) -> Dense(1, "
           "activation='softmax')) compiled with a keras.losses.BinaryCrossentropy() object: a softmax over a "
           "single unit is exp(z)/exp(z) = 1 for every row, so the prediction never depends on the input, "
           "the loss sits at the clipped cross-entropy of the negatives (~8) from the first batch to the last and "
           "accuracy stays at the positives' share (SO-style 'binary classifier always predicts 1, loss does not "
           "change, softmax on the last Dense(1)'); fix: activation='sigmoid' on the single output unit")
def _(fixed):
    x, y = tabular(seed=1601, n=640, d=12, k=2)
    y = y.astype("float32").reshape(-1, 1)
    inp = keras.Input((12,))
    h = layers.Dense(24, activation="relu")(inp)
    out = layers.Dense(1, activation="sigmoid" if fixed else "softmax")(h)
    model = keras.Model(inp, out)
    prog = compiled(model, keras.losses.BinaryCrossentropy(), x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return holdout(prog, x, y)


class PoseRegressor(keras.Model):
    """Subclassed regressor: two hidden layers and a head of three outputs (a 3-D offset)."""

    def __init__(self, head_activation):
        super().__init__()
        self.h1 = layers.Dense(48, activation="relu")
        self.h2 = layers.Dense(48, activation="relu")
        self.head = layers.Dense(3, activation=head_activation)

    def call(self, x):
        return self.head(self.h2(self.h1(x)))


@heldout16("subclassed-regressor-softmax-head", ("stalled", "wrong-output-activation", "no-learning",
                                                 "cannot-overfit-batch", "high-initial-loss"),
           ("wrong-output-activation", "stalled", "cannot-overfit-batch"),
           r"softmax.{0,80}(regress|continuous|real[- ]valued|unbounded|negative|sum to (1|one))|"
           r"(regress|continuous|real[- ]valued).{0,80}softmax|(remove|drop) the softmax",
           "a subclassed keras.Model that regresses a 3-D offset (three continuous targets, negative and positive, "
           "spread ~1.5) from 10 sensor features, whose head was copied from a classifier: self.head = "
           "Dense(3, activation='softmax'), loss='mse': the three outputs are forced into [0, 1] and to sum to 1, "
           "so no negative target and no large target can be reached and the mean squared error stays high (~0.8, "
           "against ~0.06 for the same network with a linear head) (SO-style 'regression model loss stuck, predictions always between 0 and 1 and add "
           "up to one'); fix: a linear head (activation=None) for regression")
def _(fixed):
    rng = np.random.default_rng(1602)
    x = rng.normal(size=(600, 10)).astype("float32")
    w = rng.normal(size=(10, 3)) / np.sqrt(10)
    y = (1.6 * np.tanh(x @ w) + 0.4 * x[:, :3] * x[:, 3:6]).astype("float32")
    model = PoseRegressor(None if fixed else "softmax")
    prog = compiled(model, "mse", x, y, optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    return holdout(prog, x, y)


# ---------------------------------------------------------------- loss vs label format

@heldout16("categorical-ce-on-one-sigmoid-unit", ("no-learning", "stuck-at-chance", "loss-metric-mismatch",
                                                  "cannot-overfit-batch", "wrong-output-activation", "stalled"),
           ("no-learning", "stuck-at-chance", "loss-metric-mismatch", "cannot-overfit-batch",
            "wrong-output-activation"),
           r"(binary[_ ]cross[_ -]?entropy|BinaryCrossentropy|\bbce\b).{0,40}(instead of|in place of|rather than|not) "
           r"(the )?categorical|loss ?= ?['\"]binary_crossentropy|"
           r"categorical[_ ]cross[_ -]?entropy.{0,80}\b(one|single|1)[- ](unit|output|column|neuron|class)|"
           r"\b(one|single|1)[- ](unit|output|column|neuron)s?\b.{0,80}categorical[_ ]cross",
           "a Sequential binary classifier of loan defaults (16 features -> Dense(32, relu) -> Dense(16, relu) -> "
           "Dense(1, sigmoid)) compiled with loss=keras.losses.categorical_crossentropy (the function): "
           "categorical cross-entropy normalises the predictions over the last axis, which holds one column, so "
           "every prediction becomes 1, the loss is 0 (to 1e-7) from the first step, no gradient flows and accuracy "
           "stays at chance (SO-style 'loss is 0.0000 but accuracy stays at 50%, binary classification with "
           "categorical_crossentropy'); fix: loss='binary_crossentropy' for one sigmoid unit")
def _(fixed):
    x, y = tabular(seed=1603, n=640, d=16, k=2)
    y = y.astype("float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input((16,)), layers.Dense(32, activation="relu"),
                              layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
    loss = keras.losses.binary_crossentropy if fixed else keras.losses.categorical_crossentropy
    prog = compiled(model, loss, x, y, metrics=["accuracy"], optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return holdout(prog, x, y)


# ---------------------------------------------------------------- learning rate

@heldout16("adam-learning-rate-of-one", ("lr-too-high", "divergence", "stuck-at-chance", "loss-spikes",
                                         "update-ratio", "dead-relu", "exploding-gradients", "oscillation",
                                         "nonfinite", "high-initial-loss", "stalled"),
           ("lr-too-high", "divergence", "update-ratio", "loss-spikes", "exploding-gradients"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w* (the )?(learning[- ]rate|lr)\b|"
           r"(learning[- ]rate|lr)\b.{0,40}(too (high|large|big)|far (too |above)|(much |far )?(lower|smaller))|"
           r"(learning_rate|lr) ?= ?(1e-3|0\.001|3e-4|1e-4|0\.0003)",
           "a five-class functional-API classifier (20 features, two hidden ReLU layers) whose optimizer is "
           "keras.optimizers.Adam(learning_rate=1.0), the author having read 'a learning rate of 1 is the "
           "default' somewhere: the first steps throw the weights far away, the loss jumps far above ln 5 and "
           "then wanders at or above chance while accuracy stays near one fifth (SO-style 'Keras loss "
           "explodes / accuracy stuck, what learning rate should I use with Adam'); fix: Adam(learning_rate=1e-3)")
def _(fixed):
    x, y = tabular(seed=1604, n=800, d=20, k=5)
    inp = keras.Input((20,))
    h = layers.Dense(64, activation="relu")(inp)
    h = layers.Dense(64, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(5, activation="softmax")(h))
    prog = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.Adam(learning_rate=1e-3 if fixed else 1.0), epochs=10)
    return holdout(prog, x, y)


# ---------------------------------------------------------------- input scale

def shop_sessions(seed: int, n: int = 640) -> tuple[np.ndarray, np.ndarray]:
    """Raw session features: unix time (s), basket value (cents), page views, dwell (ms); bought or not."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 4))
    y = ((z @ np.array([0.4, 1.2, -0.9, 1.0]) + 0.5 * z[:, 1] * z[:, 3]) > 0).astype("float32").reshape(-1, 1)
    raw = np.stack([1.70e9 + 2.0e6 * z[:, 0], 5.0e3 + 2.5e3 * z[:, 1], 12.0 + 4.0 * z[:, 2],
                    9.0e4 + 3.0e4 * z[:, 3]], axis=1)
    return raw.astype("float32"), y


@heldout16("session-features-in-raw-units", ("unnormalized-input", "stuck-at-chance", "no-learning", "stalled",
                                             "loss-spikes", "oscillation", "high-initial-loss", "dead-relu",
                                             "divergence", "cannot-overfit-batch", "exploding-gradients"),
           ("unnormalized-input", "high-initial-loss"),
           r"(standardi[sz]|normali[sz]|rescal|scal)\w* (the |your |all )?(raw )?(input|feature|column)s?|"
           r"(input|feature|column)s? .{0,60}(standardi[sz]|normali[sz]|rescal|(re)?scal(ed|ing)|"
           r"zero mean|unit (variance|scale))|Normalization\(|StandardScaler|adapt\(",
           "a purchase-prediction Sequential MLP fed four raw session columns straight from the event log: a unix "
           "timestamp in seconds (~1.7e9), the basket value in cents (thousands), page views (tens) and dwell "
           "time in milliseconds (~1e5); the first Dense layer's outputs are in the billions, the sigmoid output "
           "saturates, and the loss sits at ~8.5 from the first epoch with accuracy at the buyers' share (SO-style 'neural network "
           "accuracy does not improve on tabular data, do I need to normalize my features'); fix: standardise the "
           "inputs (a keras.layers.Normalization layer adapted on the training features, or StandardScaler)")
def _(fixed):
    x, y = shop_sessions(seed=1605)
    stack = [keras.Input((4,))]
    if fixed:
        norm = layers.Normalization()
        norm.adapt(x[:-128])
        stack.append(norm)
    stack += [layers.Dense(32, activation="relu"), layers.Dense(32, activation="relu"),
              layers.Dense(1, activation="sigmoid")]
    prog = compiled(keras.Sequential(stack), "binary_crossentropy", x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.Adam(1e-3), epochs=10)
    return holdout(prog, x, y)


# ---------------------------------------------------------------- label coding

@heldout16("share-targets-given-in-percent", ("stalled", "label-problem", "wrong-output-activation", "no-learning",
                                              "cannot-overfit-batch", "high-initial-loss"),
           ("label-problem", "wrong-output-activation", "stalled", "cannot-overfit-batch"),
           r"(target|label)s?.{0,80}(divid\w* by 100|/ ?100\b|percent|percentage|fraction|\[0, ?1\]|"
           r"between 0 and 1|0 (and|to) 1\b|range of the (sigmoid|output))|"
           r"(sigmoid|output)\w*.{0,60}(cannot|can't|can ?not|never) (reach|exceed|produce|output|go above)|"
           r"(target|label)s?.{0,40}(above|greater than|larger than|exceed\w*|outside) (1|one|the sigmoid)\b|"
           r"(linear|no|identity) (output )?activation.{0,40}(output|head|regress)",
           "a functional-API model predicting the share of an advertising budget that a campaign spends "
           "from spend and calendar features (a sigmoid head, 'a share lies between 0 and 1', loss='mean_squared_error'), fed targets taken from a "
           "report column that gives the share in percent (0-100): the sigmoid cannot go above 1, so the model "
           "saturates at 1 for every row and the loss stays in the thousands (SO-style 'regression loss huge "
           "and stuck, sigmoid output with targets larger than one'); fix: divide the targets by 100 (a fraction "
           "in [0, 1], the range the sigmoid head produces)")
def _(fixed):
    rng = np.random.default_rng(1606)
    spend = rng.normal(size=(600, 5)).astype("float32")
    calendar = rng.normal(size=(600, 3)).astype("float32")
    z = spend @ rng.normal(size=5) / np.sqrt(5) + 0.5 * calendar[:, 0] * spend[:, 1]
    share = 1.0 / (1.0 + np.exp(-1.5 * z))  # a fraction of the budget
    y = (share if fixed else 100.0 * share).astype("float32").reshape(-1, 1)  # the report's column is in percent
    x = np.concatenate([spend, calendar], axis=1)
    inp = keras.Input((8,))
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(16, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    prog = compiled(model, "mean_squared_error", x, y, optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    return holdout(prog, x, y)


# ---------------------------------------------------------------- missing activation

class ShellClassifier(keras.Model):
    """Subclassed binary classifier; ``apply_act`` says whether ``call`` uses the activation it declares."""

    def __init__(self, apply_act: bool):
        super().__init__()
        self.apply_act = apply_act
        self.d1 = layers.Dense(64)
        self.d2 = layers.Dense(64)
        self.act = layers.Activation("relu")
        self.out = layers.Dense(1, activation="sigmoid")

    def call(self, x):
        if self.apply_act:
            return self.out(self.act(self.d2(self.act(self.d1(x)))))
        return self.out(self.d2(self.d1(x)))  # self.act is declared in __init__ but never called


@heldout16("subclassed-activation-declared-never-called", ("stuck-at-chance", "stalled", "no-learning",
                                                           "cannot-overfit-batch", "loss-metric-mismatch"),
           ("stuck-at-chance", "stalled", "no-learning", "cannot-overfit-batch"),
           r"(missing|no|without|lacks?|add\w*|apply\w*|never (called|applied|used))\b.{0,30}"
           r"(non-?linear\w*|activation( function| layer)?s?)\b.{0,40}(between|hidden|in call|in forward|layers?)|"
           r"(activation|self\.act|relu)\w*.{0,40}(never|not) (called|applied|used)|"
           r"(purely |entirely |only )?linear (model|network|stack|layers)|(collapse|reduce)s? to (a |one )?"
           r"(single )?linear",
           "a subclassed keras.Model that declares self.act = layers.Activation('relu') in __init__ next to two "
           "plain Dense(64) layers, but whose call() is return self.out(self.d2(self.d1(x))): the activation is "
           "never applied, the stack collapses to one linear map, and on a task whose label is 'the point lies "
           "outside a sphere' (no linear boundary) the loss stays at ln 2 and accuracy at one half (SO-style "
           "'custom Keras model does not learn, only as good as logistic regression'); fix: apply the activation "
           "between the hidden layers in call()")
def _(fixed):
    rng = np.random.default_rng(1607)
    x = rng.normal(size=(640, 6)).astype("float32")
    r = np.sqrt((x ** 2).sum(1))
    y = (r > np.median(r)).astype("float32").reshape(-1, 1)
    prog = compiled(ShellClassifier(fixed), "binary_crossentropy", x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    return holdout(prog, x, y)


# ---------------------------------------------------------------- vanishing gradients

@heldout16("deep-sigmoid-stack-built-in-a-loop", ("vanishing-gradients", "saturated-activation", "stuck-at-chance",
                                                  "no-learning", "stalled", "poor-initialization",
                                                  "cannot-overfit-batch", "late-start"),
           ("vanishing-gradients", "saturated-activation", "poor-initialization", "stuck-at-chance",
            "no-learning", "stalled"),
           r"(relu|elu|gelu|selu|swish|leaky)\w*.{0,60}(instead of|in place of|rather than|not) "
           r"(the )?(sigmoid|logistic)|(replace|swap|change|avoid)\w* (the |all |every )?(hidden )?"
           r"(sigmoid|logistic)|(sigmoid|logistic)s? (in|on|for) (the |all |every )?hidden|"
           r"(hidden|deep|stacked|many) (sigmoid|logistic)|(sigmoid|logistic)( activation)?s?.{0,60}"
           r"(vanish|saturat|derivative|at most 0\.25)",
           "an eight-layer functional MLP built in a for loop, for _ in range(8): h = Dense(32, "
           "activation='sigmoid')(h), trained with plain SGD(learning_rate=0.1) on a four-class problem: every "
           "sigmoid scales the backward signal by at most 0.25, so the first layers' gradients are orders of "
           "magnitude below the last one's, the network behaves like a fixed random feature map and the loss "
           "stays at ln 4 (SO-style 'deep network with sigmoid activations does not train, vanishing "
           "gradient'); fix: ReLU hidden activations (with he_normal) instead of sigmoid")
def _(fixed):
    x, y = tabular(seed=1608, n=640, d=10, k=4)
    inp = keras.Input((10,))
    h = inp
    for _ in range(8):
        h = (layers.Dense(32, activation="relu", kernel_initializer="he_normal")(h) if fixed
             else layers.Dense(32, activation="sigmoid")(h))
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    prog = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                    optimizer=keras.optimizers.SGD(learning_rate=0.1), epochs=12)
    return holdout(prog, x, y)
