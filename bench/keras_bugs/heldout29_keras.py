"""A twenty-ninth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twenty-ninth set: like sets 16 to 28 it measures whether traindoc names the repair for the COMMON bug
classes of published Keras/PyTorch StackOverflow bug benchmarks, leaning on the classes the recent sets hold
fewest of (labels encoded wrongly, data in class order, a loss that does not fit the target, a target in the
wrong units, a missing activation, a wrong loss reduction, optimiser misuse, a learning-rate schedule). The
programs were written without reading traindoc's rules, checks, probes, findings or integrations, without
reading any bench output, and frozen (``HELDOUT29.sha256``) before traindoc was ever run on them; see
``HELDOUT29.md``. Run with ``bench/bench_keras_bugs.py --set heldout29``.

The Keras half: labels sorted in place by a line meant to inspect them, class-sorted arrays fitted with
``shuffle='batch'``, a Poisson loss kept from a count model on a standardised (signed) target, a bond spread
regressed in basis points, hidden layers whose activation comes from an unset environment variable
(``None``: linear), a ``keras.losses.Loss`` subclass that sums over the batch under an SGD rate tuned for the mean, a
warm-up ``LearningRateScheduler`` that multiplies the current rate by the epoch number, and
``gradient_accumulation_steps`` given the wanted batch size. The PyTorch half is in ``heldout29_torch``.

Same format as ``heldout20_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The
``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .keras_cases import Case

HELDOUT29: list[Case] = []
ROWS = 560


def heldout29(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-ninth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT29.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def fitted(model: keras.Model, x, y, val, *, optimizer, loss, metrics=(), epochs: int = 10, batch_size: int = 32,
           **fit) -> dict:
    """Compile ``model`` and hand the bench its ``fit`` arguments; ``val`` is a separately drawn (x, y) pair."""
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return {"model": model, "x": x, "y": y,
            "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0, "validation_data": val, **fit}}


def gauss(seed: int, d: int, n: int = ROWS) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)).astype("float32")


# ---------------------------------------------------------------- labels encoded wrongly

def crop_types(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Fourteen standardised satellite band statistics; five crop types from a fixed nonlinear score."""
    rng, x = gauss(seed, 14, n)
    w = np.random.default_rng(29_000 + 1).normal(size=(14, 5))  # one map for every draw
    score = x @ w + 0.5 * np.stack([x[:, 0] * x[:, 1], x[:, 2] ** 2, -x[:, 3], x[:, 4] * x[:, 5], x[:, 6]], 1)
    return x, score.argmax(1).astype("int64")


@heldout29("labels-sorted-in-place-while-inspecting",
           ("label-problem", "stuck-at-chance", "cannot-overfit-batch", "stalled", "no-learning",
            "val-without-train", "overfitting", "loss-metric-mismatch"),
           ("label-problem", "cannot-overfit-batch", "stuck-at-chance"),
           r"(labels?|targets?).{0,60}(misalign|out of (order|step|sync)|no longer (match|line up|correspond)|"
           r"(do not|don't|does not|doesn't) (match|line up|correspond|belong)|reorder|sorted|shuffled "
           r"(separately|independently))|(misalign|mismatch|pairing|order)\w*.{0,40}between (the )?(features|"
           r"inputs|rows|samples) and (the )?(labels|targets)|(sort|shuffl|reorder)\w*.{0,40}(labels|targets) "
           r"(separately|independently|without|but not)|same (permutation|order).{0,40}(features|inputs|labels)",
           "a Sequential crop-type classifier (fourteen standardised band statistics -> Dense(48, relu) x2 -> "
           "Dense(5, softmax), sparse categorical cross-entropy, Adam) whose data-loading cell has the line "
           "y_train.sort(), written to look at the smallest and largest label (print(y_train[0], y_train[-1])): "
           "ndarray.sort() sorts the label array in place, so the first hundred rows are all labelled crop 0, "
           "the next ones crop 1 and so on, while the feature rows keep their order; the labels no longer "
           "belong to their rows, training accuracy only creeps to ~0.5 by memorising and the held-out "
           "accuracy stays near a fifth (question class: Keras accuracy stuck at chance although the data looks "
           "right, labels shuffled or sorted separately from the features); fix: inspect with np.sort(y_train) "
           "or y_train.min()/max(), which leave the array alone, so each label stays with its row")
def _(fixed):
    x, y = crop_types(seed=2901)
    vx, vy = crop_types(seed=2902, n=160)
    if not fixed:
        y.sort()  # 'print(y[0], y[-1]) to see the label range' -- sorts the labels in place
    model = keras.Sequential([keras.Input((14,)), layers.Dense(48, activation="relu"),
                              layers.Dense(48, activation="relu"), layers.Dense(5, activation="softmax")])
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.Adam(2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- data not shuffled / ordered by class

def gait_windows(seed: int, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Gait summaries (ten standardised features) for four activities, one block of rows per activity."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(29).normal(scale=0.7, size=(4, 10))
    xs, ys = [], []
    for c in range(4):  # one recording file per activity, read one after the other
        xs.append(centres[c] + rng.normal(size=(per_class, 10)))
        ys.append(np.full(per_class, c))
    return np.concatenate(xs).astype("float32"), np.concatenate(ys).astype("int64")


@heldout29("class-blocks-fitted-with-shuffle-batch",
           ("unshuffled-data", "oscillation", "loss-spikes", "stalled", "no-learning", "stuck-at-chance",
            "overfitting", "both-rising"),
           ("unshuffled-data",),
           r"shuffl\w*.{0,80}(class|label|order|sorted|block|group)|(sorted|ordered|grouped) by (class|label|"
           r"activity|category)|(class|label)[- ]?(sorted|ordered)|shuffle=.?(true|batch)|(one|a single|same) "
           r"(class|label) (per|in each|in every) (batch|mini-?batch)|shuffle (the |your )?(training )?(data|rows|"
           r"samples|examples)",
           "a functional activity classifier (ten standardised gait features -> Dense(64, relu) -> Dense(32, "
           "relu) -> Dense(4, softmax), sparse categorical cross-entropy, SGD(0.1, momentum=0.9)) trained on "
           "arrays built by reading one recording file per activity after the other, so the rows come in four "
           "class blocks, and fitted with model.fit(..., shuffle='batch'), an option the author had seen in an "
           "HDF5 example and took for 'shuffle by batch': Keras then shuffles the rows only inside each "
           "batch-sized chunk and serves the chunks in their stored order, so nearly every batch still holds one "
           "activity, the activities come one after another every epoch, and each run of steps drags the output "
           "toward that class; the epoch loss stays high and jumps about while the same model with shuffle=True "
           "learns the four activities (question class: Keras training loss does not go down with data sorted "
           "by class, what does shuffle='batch' do); fix: shuffle=True (the default), or shuffle the rows once "
           "with one permutation for features and labels before fit")
def _(fixed):
    x, y = gait_windows(seed=2903, per_class=128)
    vx, vy = gait_windows(seed=2904, per_class=40)
    inp = keras.Input((10,), name="gait")
    h = layers.Dense(64, activation="relu")(inp)
    h = layers.Dense(32, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(4, activation="softmax")(h))
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10,
                  shuffle=True if fixed else "batch")


# ---------------------------------------------------------------- loss that does not fit the target

def demand_change(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Nine standardised shop features; the week-on-week change in demand, standardised (signed, mean 0)."""
    rng, x = gauss(seed, 9, n)
    w = np.random.default_rng(29_000 + 7).normal(size=9) / 3  # one map for every draw
    t = x @ w + 0.4 * np.sin(2 * x[:, 0]) + 0.1 * rng.normal(size=n)
    return x, ((t - t.mean()) / t.std()).astype("float32").reshape(-1, 1)


@heldout29("poisson-loss-kept-on-signed-change-target",
           ("nonfinite", "label-problem", "loss-metric-mismatch", "cannot-overfit-batch", "nonfinite-origin",
            "stalled", "divergence"),
           ("nonfinite", "label-problem", "loss-metric-mismatch", "nonfinite-origin", "cannot-overfit-batch"),
           r"poisson|(count|rate)[- ](loss|likelihood)|log of (a |the )?(negative|non-?positive)|negative "
           r"(targets?|predictions?|outputs?|values?).{0,60}(loss|log)|(loss|log)\w*.{0,60}(negative|non-?"
           r"positive) (targets?|predictions?|outputs?|values?)|(mse|mean[_ ]squared[_ ]error|huber)\b.{0,40}"
           r"(regression|signed|negative|instead)",
           "a functional demand model (nine standardised shop features -> Dense(32, relu) -> Dense(32, relu) -> "
           "Dense(1), Adam, metric MAE) whose compile line loss='poisson' was kept from the author's model of "
           "weekly sales counts, now fitted to the standardised week-on-week change in demand (half the targets "
           "negative): the Poisson loss is y_pred - y_true * log(y_pred), which needs a positive prediction "
           "and a non-negative count, and the linear head outputs negative values from the first batch, so the "
           "loss is NaN from the first epoch (the log of a negative number) while the gradient 1 - y_true / "
           "y_pred stays finite and pushes the predictions the wrong way: the MAE rises from ~0.8 to ~1.6, "
           "where mean squared error brings it from ~0.6 to ~0.3 (question class: Keras loss is nan from the "
           "first epoch for a regression, which loss for a target with negative values); fix: loss='mse' (or "
           "Huber) for a signed continuous target")
def _(fixed):
    x, y = demand_change(seed=2905)
    vx, vy = demand_change(seed=2906, n=160)
    inp = keras.Input((9,), name="shop")
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(32, activation="relu")(h)
    model = keras.Model(inp, layers.Dense(1)(h))
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.Adam(2e-3), loss="mse" if fixed else "poisson",
                  metrics=["mae"], epochs=10)


# ---------------------------------------------------------------- target in the wrong units

def bond_spreads(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Eleven raw issuer ratios (mixed scales); the credit spread in basis points (~180, spread ~70)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 11))
    x = z * np.array([0.2, 3.0, 15.0, 0.05, 1.0, 40.0, 2.0, 0.5, 8.0, 1.5, 0.3]) + np.arange(11)
    w = np.random.default_rng(29_000 + 3).normal(size=11) / np.sqrt(11)  # one map for every draw
    s = z @ w + 0.3 * z[:, 0] * z[:, 1]
    return x.astype("float32"), (180 + 70 * s).astype("float32").reshape(-1, 1)


@heldout29("credit-spread-target-in-basis-points",
           ("high-initial-loss", "stalled", "no-learning", "loss-metric-mismatch", "too-short",
            "update-ratio"),
           ("high-initial-loss", "stalled", "no-learning"),
           r"(scal|normali[sz]|standardi[sz]|rescal)\w* (the |your )?(targets?|labels?|y\b|outputs? values?|"
           r"regression targets?)|(targets?|labels?)\b.{0,50}(scal(e|ing)|units|magnitude|large values|hundreds|"
           r"far from (zero|0)|(divid|standardi[sz]|normali[sz])\w*)|basis points|divide .{0,20}(target|y)\b",
           "a Sequential credit-spread regressor whose first layer is a keras.layers.Normalization adapted on the "
           "eleven raw issuer ratios (so the inputs are scaled), then Dense(32, relu) x2 and Dense(1), trained "
           "with Adam(1e-3) and mean squared error on spreads quoted in basis points (~180 with a spread of "
           "~70): the head starts near 0, so the first loss is ~37,000, and Adam's steps of about a "
           "thousandth per weight need many epochs just to reach the mean; after ten epochs the MSE is "
           "still ~25,000, where the same network on the spread in percent "
           "(basis points / 100, ~1.8) fits it to ~0.15 (per cent squared) (question class: "
           "Keras regression loss huge and hardly decreasing, should I scale the target too); fix: divide the "
           "target by 100 (or standardise it) and scale the predictions back")
def _(fixed):
    x, y = bond_spreads(seed=2907)
    vx, vy = bond_spreads(seed=2908, n=160)
    if fixed:
        y, vy = y / 100.0, vy / 100.0
    norm = layers.Normalization()
    norm.adapt(x)
    model = keras.Sequential([keras.Input((11,)), norm, layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.Adam(1e-3), loss="mse", epochs=10)


# ---------------------------------------------------------------- missing activation

def sensor_rings(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Six standardised vibration features; 1 where the first two lie outside a ring (a curved boundary)."""
    rng, x = gauss(seed, 6, n)
    r = x[:, 0] ** 2 + x[:, 1] ** 2 + 0.3 * x[:, 2] * x[:, 3]
    return x, (r > 1.4).astype("float32").reshape(-1, 1)


@heldout29("hidden-activation-read-from-unset-env-var",
           ("stalled", "no-learning", "stuck-at-chance", "cannot-overfit-batch", "loss-metric-mismatch",
            "misleading-accuracy"),
           ("stalled", "cannot-overfit-batch", "no-learning", "stuck-at-chance"),
           r"(missing|no|without|lacks?|add)\w* (a |an |any )?(non-?linear\w*|(hidden )?activations?)( function)?"
           r"\b(?! on the (output|last))|activation=.?none|(entirely |purely )?linear (model|network|layers|stack|"
           r"map)|(composition|stack|product) of linear|(hidden|dense) layers?.{0,40}(linear|no activation|"
           r"identity)|keras\.activations\.get\(none\)",
           "a Sequential anomaly flagger (six standardised vibration features -> Dense(32) -> Dense(32) -> "
           "Dense(1, sigmoid), binary cross-entropy, Adam) whose hidden layers take activation=ACT with ACT = "
           "os.environ.get('HIDDEN_ACTIVATION'), set to 'relu' in the author's job script but unset in the "
           "notebook: Dense(activation=None) is the linear activation, Keras raises nothing, and the network "
           "is one linear map of the inputs; the anomalies lie outside a ring in the first two features, a "
           "boundary no linear map can draw, so the loss stays near 0.7 and the accuracy near the share of the "
           "larger class, where ReLU hidden layers reach ~0.16 (question class: Keras binary classifier stuck at "
           "the same accuracy, is my network linear without activations); fix: give the hidden layers a "
           "nonlinearity, activation='relu' (and fail loudly when the setting is missing)")
def _(fixed):
    x, y = sensor_rings(seed=2909)
    vx, vy = sensor_rings(seed=2910, n=160)
    act = "relu" if fixed else None  # os.environ.get("HIDDEN_ACTIVATION"): unset in the notebook
    model = keras.Sequential([keras.Input((6,)), layers.Dense(32, activation=act), layers.Dense(32, activation=act),
                              layers.Dense(1, activation="sigmoid")])
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy",
                  metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- wrong loss reduction

class SquaredError(keras.losses.Loss):
    """The author's squared error, written as a Loss subclass 'to add a weighting later'."""

    def __init__(self, per_sample: bool):
        super().__init__(name="squared_error")
        self.per_sample = per_sample

    def call(self, y_true, y_pred):
        err = ops.square(y_true - y_pred)
        if self.per_sample:
            return ops.mean(err, axis=-1)  # one value per row: Keras averages them over the batch
        return ops.sum(err)  # the bug: one scalar summed over the whole batch (and the outputs)


def soil_moisture(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Twelve standardised probe readings; three standardised moisture depths (a smooth nonlinear map)."""
    rng, x = gauss(seed, 12, n)
    w = np.random.default_rng(29_000 + 11).normal(size=(12, 3)) / np.sqrt(12)  # one map for every draw
    y = np.tanh(x @ w) + 0.2 * x[:, :3] * x[:, 3:6]
    return x, ((y - y.mean(0)) / y.std(0)).astype("float32")


@heldout29("loss-subclass-sums-over-the-batch",
           ("divergence", "nonfinite", "exploding-gradients", "loss-spikes", "nonfinite-origin", "oscillation",
            "lr-too-high", "update-ratio", "high-initial-loss", "both-rising"),
           ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin", "update-ratio"),
           r"\bsum\w*.{0,60}(mean|average|batch size|per[- ]sample|reduction)|(mean|average)\w*.{0,40}"
           r"(instead of|rather than|not) (the )?sum|reduction\b|(divide|divided|scale)\w* .{0,30}(by )?(the )?"
           r"batch[ _]?size|(loss|gradient)s?.{0,40}(grows?|scales?) with (the )?batch",
           "a subclassed keras.losses.Loss for a three-depth soil-moisture regressor (twelve standardised probe "
           "readings -> Dense(64, relu) x2 -> Dense(3), Sequential, SGD(learning_rate=0.05), batches of 64) "
           "whose call() returns ops.sum(ops.square(y_true - y_pred)), one scalar for the whole batch, where "
           "Keras expects one value per sample and averages them itself: the loss and its gradient are 192 "
           "times the mean squared error, the SGD rate picked for the mean is 192 times too large for them, "
           "and the loss explodes to NaN in the first epoch (question class: custom Keras loss gives nan, "
           "a loss function that sums instead of averaging); fix: return ops.mean(ops.square(y_true - y_pred), "
           "axis=-1), one value per sample, and let Keras average over the batch")
def _(fixed):
    x, y = soil_moisture(seed=2911)
    vx, vy = soil_moisture(seed=2912, n=160)
    model = keras.Sequential([keras.Input((12,)), layers.Dense(64, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(3)])
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.SGD(learning_rate=0.05),
                  loss=SquaredError(per_sample=fixed), epochs=8, batch_size=64)


# ---------------------------------------------------------------- learning rate far too high (a schedule)

def churn_scores(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised account features; a 0/1 churn flag from a nonlinear boundary (about 40% churn)."""
    rng, x = gauss(seed, 8, n)
    w = np.random.default_rng(29_000 + 13).normal(size=8)  # one map for every draw
    s = x @ w + 0.8 * x[:, 0] * x[:, 1]
    return x, (s > np.quantile(s, 0.6)).astype("float32").reshape(-1, 1)


@heldout29("warmup-callback-multiplies-rate-by-epoch",
           ("lr-too-high", "divergence", "nonfinite", "loss-spikes", "both-rising", "exploding-gradients",
            "oscillation", "nonfinite-origin", "update-ratio"),
           ("lr-too-high", "divergence", "nonfinite", "exploding-gradients", "update-ratio"),
           r"(lower|reduce|decrease|smaller|cap|limit)\w* .{0,40}(learning[- ]rate|\blr\b|step size)|(learning"
           r"[- ]rate|\blr\b).{0,60}(too (high|large|big)|grows|increas|compound|multipl|explod)|warm[- ]?up"
           r".{0,60}(compound|multipl|grows|too (high|large)|never stops|cap|peak)",
           "a Sequential churn classifier (eight standardised account features -> Dense(32, relu) x2 -> Dense(1, "
           "sigmoid), binary cross-entropy, SGD(0.01, momentum=0.9)) with a warm-up written as "
           "keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * (epoch + 1)), meant to take the rate "
           "from 0.01 up over the first epochs: the scheduler hands the function the current rate, so each "
           "epoch multiplies the last one and the rate compounds as a factorial (0.01, 0.02, 0.06, 0.24, 1.2, "
           "7.2 ...); the loss falls for three epochs, then jumps and blows up (question class: Keras loss "
           "goes down then explodes after a few epochs, learning-rate warm-up callback); fix: compute the rate "
           "from the epoch alone, lambda epoch: 0.01 * min(1.0, (epoch + 1) / 3)")
def _(fixed):
    x, y = churn_scores(seed=2913)
    vx, vy = churn_scores(seed=2914, n=160)
    model = keras.Sequential([keras.Input((8,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1, activation="sigmoid")])
    if fixed:
        warm = keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 * min(1.0, (epoch + 1) / 3))
    else:
        warm = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * (epoch + 1))
    return fitted(model, x, y, (vx, vy), optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
                  loss="binary_crossentropy", metrics=["accuracy"], epochs=10, callbacks=[warm])


# ---------------------------------------------------------------- optimiser misuse

def pump_faults(seed: int, n: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Thirteen standardised vibration features; six fault types from a fixed map with one interaction."""
    rng, x = gauss(seed, 13, n)
    w = np.random.default_rng(29_000 + 17).normal(size=(13, 6))  # one map for every draw
    score = x @ w
    score[:, 0] += 1.5 * x[:, 0] * x[:, 1]
    return x, score.argmax(1).astype("int64")


class FaultNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.h1 = layers.Dense(64, activation="relu")
        self.h2 = layers.Dense(64, activation="relu")
        self.out = layers.Dense(6)

    def call(self, x):
        return self.out(self.h2(self.h1(x)))


@heldout29("adam-accumulation-steps-given-batch-size",
           ("no-learning", "stalled", "too-short", "update-ratio", "stuck-at-chance", "late-start",
            "frozen-parameters", "cannot-overfit-batch"),
           ("no-learning", "stalled", "update-ratio", "frozen-parameters"),
           r"gradient[_ ]accumulation|accumulat\w*.{0,40}(steps?|batches)|(too few|only a few|rarely|seldom|"
           r"hardly any) (weight |optimi[sz]er |parameter )?(updates?|steps?)|(updates?|steps?) (only )?every "
           r"\d+ (batches|steps)",
           "a subclassed keras.Model for six pump-fault types (thirteen standardised vibration features -> "
           "Dense(64, relu) x2 -> Dense(6) logits, SparseCategoricalCrossentropy(from_logits=True)) fitted with "
           "batch_size=16 and keras.optimizers.Adam(1e-3, gradient_accumulation_steps=64), the author wanting "
           "'an effective batch of 64' and giving the batch size where the number of batches to accumulate "
           "belongs: Adam now accumulates the gradients of 64 batches before each update, there are 35 "
           "batches an epoch, so ten epochs make five updates and the loss hardly leaves ln 6 (question class: "
           "Keras model does not learn, "
           "loss barely changes over epochs, gradient accumulation with a small batch); fix: "
           "gradient_accumulation_steps=4 (64 / 16), or batch_size=64 with no accumulation")
def _(fixed):
    x, y = pump_faults(seed=2915)
    vx, vy = pump_faults(seed=2916, n=160)
    return fitted(FaultNet(), x, y, (vx, vy),
                  optimizer=keras.optimizers.Adam(1e-3, gradient_accumulation_steps=4 if fixed else 64),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                  epochs=10, batch_size=16)
