"""A thirteenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a thirteenth set: held-out sets 1-12 have been run or are waiting for their measurement; this set adds
programs nobody tuned for. They were written without reading traindoc's rules, checks, probes, findings or
integrations, without reading any bench output, and frozen (``HELDOUT13.sha256``) before traindoc was ever run
on them; see ``HELDOUT13.md``. Run with ``bench/bench_keras_bugs.py --set heldout13``.

The set leans towards transfer learning, sequences, metrics, callbacks, checkpointing and mixed precision, with
bug classes no earlier set has: a new head put on the pretrained classifier's softmax output instead of its
feature layer, a training run resumed with fit() but without initial_epoch (the learning-rate schedule starts
again), a top-k accuracy whose k equals the number of classes, a cosine decay callback driven by the per-epoch
batch index, an exponential output layer left in float16 under a mixed-precision policy, a distilled student
given the teacher's raw logits as soft targets, sequences padded at the end for an LSTM without a mask, and a
validation-accuracy callback that calls np.argmax without an axis. The PyTorch half is in ``heldout13_torch``.

Same format as ``heldout12_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies
the change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that
count as the right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and
a finding counts as the right fix only when its id is one of them and its text matches the ``fix``
regular expression. The ``about`` names the kind of public question each case is modelled on
(paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout3_keras import rings  # the third set's distance-band classes
from .heldout6_keras import with_validation  # the sixth set's validation helper
from .heldout7_keras import net  # the seventh set's MLP
from .heldout12_keras import split  # the twelfth set's first-128-rows validation split
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT13: list[Case] = []


def heldout13(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the thirteenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT13.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- transfer learning

def six_scores(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows with six linear class scores: the pretraining task is their argmax over all six."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2 * _data.N, _data.D)).astype("float32")
    return x, x @ rng.normal(size=(_data.D, 6))


def pretrained_classifier(x: np.ndarray, y: np.ndarray) -> keras.Model:
    """A six-class MLP trained here, standing in for a downloaded classifier; its last hidden layer is 'features'."""
    inp = keras.Input((_data.D,))
    h = layers.Dense(32, activation="relu")(inp)
    h = layers.Dense(32, activation="relu", name="features")(h)
    model = keras.Model(inp, layers.Dense(6, activation="softmax", name="predictions")(h))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    return model


@heldout13("pretrained-head-on-softmax-output", ("stalled", "cannot-overfit-batch", "saturated-activation",
                                                 "loss-metric-mismatch", "no-learning"),
           ("stalled", "cannot-overfit-batch", "saturated-activation"),
           r"include_top|penultimate|(second[- ]to[- ]last|last hidden|feature|embedding|pooling) layer'?s? "
           r"(output|features|activations)|get_layer\(|layers\[-2\]|(on|after|from|of|remove|drop|cut off) the "
           r"(old|original|pretrained|previous|source|base) (model'?s? )?(classifier|softmax|output layer|top|"
           r"predictions|class probabilities)|(instead of|not) (the )?(model|base)\.outputs?",
           "transfer learning from a six-class classifier (pretrained here on 1024 rows) to a new three-class task "
           "on the same kind of rows; the base is frozen and the new Dense head is put on base.output, the "
           "pretrained model's softmax over its old six classes, instead of its feature layer (the "
           "include_top=False / model.layers[-2].output step left out): the head sees six saturated "
           "probabilities, which say nothing about the rows whose old class is not among the new ones, so the "
           "loss stops near 0.57 with accuracy at 0.79 (validation 0.76), while the same head on the features "
           "reaches 0.17 and 0.94 (validation 0.91) (SO-style 'transfer learning accuracy stuck, new layers added after the "
           "softmax of the base model'); fix: take the base's last hidden layer (the features) as the input of "
           "the new head")
def _(fixed):
    x, scores = six_scores(seed=1301)
    base = pretrained_classifier(x, scores.argmax(1))
    base.trainable = False
    tapped = base.get_layer("features").output if fixed else base.outputs[0]
    body = keras.Model(base.inputs, tapped)
    model = keras.Sequential([keras.Input((_data.D,)), body, layers.Dense(3, activation="softmax")])
    xn, yn = x[:_data.N], scores[:_data.N, :3].argmax(1)  # the new task: which of the first three scores wins
    out = compiled(model, "sparse_categorical_crossentropy", xn, yn, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return split(out, xn, yn)


# ---------------------------------------------------------------- checkpointing / callbacks

def step_schedule(epoch: int, lr: float) -> float:
    """3e-2 for four epochs, then 3e-3 for four, then 3e-4."""
    return 3e-2 if epoch < 4 else 3e-3 if epoch < 8 else 3e-4


@heldout13("resumed-fit-without-initial-epoch", ("resume-spike", "loss-spikes", "lr-too-high", "both-rising",
                                                 "divergence", "overfitting"),
           ("resume-spike", "lr-too-high", "loss-spikes"),
           r"initial_epoch|(schedule|scheduler)\w*.{0,60}(start(s|ed)? (again|over|from (the )?(epoch )?(0|zero))|"
           r"restart(s|ed)? (from|at) (the )?(epoch )?(0|zero|the beginning|the start))|epoch (count|counter|number|"
           r"index)\w*.{0,40}(restor|resum|continu|carr|reset|start(s|ed)? (again|over|from))",
           "a training job that stopped after 12 epochs and is continued from its checkpoint (the model and its Adam "
           "state are back in memory) with a second model.fit(x, y, epochs=6, callbacks=[LearningRateScheduler("
           "step_schedule)]) and no initial_epoch: fit counts epochs from 0 again, so the step schedule, which had "
           "reached 3e-4, hands out 3e-2 once more and the converged model is thrown about: the loss jumps from "
           "0.18 to 0.55 and the validation loss to 1.06 before the decay brings it back (SO-style 'loss jumps when "
           "I resume training from a checkpoint, learning rate schedule starts over'); fix: fit(..., "
           "initial_epoch=12, epochs=18) so the schedule continues where it stopped")
def _(fixed):
    x, y = rings(3, seed=1302)
    model = net(3, "softmax", hidden=64)
    out = compiled(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-2), epochs=18 if fixed else 6,
                   callbacks=[keras.callbacks.LearningRateScheduler(step_schedule)])
    if fixed:
        out["fit"]["initial_epoch"] = 12
    out = split(out, x, y)
    first = keras.callbacks.LearningRateScheduler(step_schedule)  # the first run, before the checkpoint
    model.fit(out["x"], out["y"], epochs=12, batch_size=32, verbose=0, callbacks=[first],
              validation_data=out["fit"]["validation_data"])
    return out


class CosineByBatch(keras.callbacks.Callback):
    """Cosine decay of SGD's rate over ``total`` steps, set before every batch.

    ``global_step=False`` is the bug: the schedule reads Keras' ``batch`` argument, which counts from 0 again in
    every epoch, so the rate starts over at its peak each epoch and never decays.
    """

    def __init__(self, peak: float, total: int, global_step: bool):
        super().__init__()
        self.peak, self.total, self.global_step, self.step = peak, total, global_step, 0

    def on_train_batch_begin(self, batch, logs=None):
        t = min(self.step if self.global_step else batch, self.total)
        self.model.optimizer.learning_rate.assign(self.peak * 0.5 * (1 + np.cos(np.pi * t / self.total)))
        self.step += 1


@heldout13("lr-callback-uses-batch-index", ("loss-spikes", "oscillation", "lr-too-high", "stalled", "overfitting",
                                            "both-rising"),
           ("loss-spikes", "oscillation", "lr-too-high", "stalled"),
           r"(batch|step) (index|number|counter|argument)\w*.{0,60}(reset|restart|each epoch|every epoch|per epoch|"
           r"within the epoch|from (0|zero))|global (step|batch|iteration) (count|counter|index|number)|(count|track|"
           r"keep|use) a global (step|batch|iteration)|on_train_batch_begin|(schedule|decay|"
           r"cosine)\w*.{0,60}(restart|reset|start(s)? over)\w* (at the start of )?(each|every) epoch",
           "a hand-written cosine decay callback, on_train_batch_begin(self, batch, logs) setting "
           "optimizer.learning_rate to peak * 0.5 * (1 + cos(pi * batch / total_steps)) with total_steps = 144 "
           "(12 epochs of 12 batches), over SGD(0.3, momentum=0.9): Keras' batch argument is the index within the "
           "epoch and starts at 0 every epoch, so the rate never falls below 0.29 and the noisy loss stays near 0.5 "
           "with the validation loss jumping between 0.7 and 1.2, while the decayed run reaches 0.09 (SO-style "
           "'custom learning rate scheduler callback, the batch index resets every epoch'); fix: count a global "
           "step in the callback (self.step += 1) and decay by it")
def _(fixed):
    x, y = rings(3, seed=1304)
    out = compiled(net(3, "softmax", hidden=64), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.SGD(0.3, momentum=0.9), epochs=12,
                   callbacks=[CosineByBatch(0.3, 144, global_step=fixed)])
    return split(out, x, y)


# ---------------------------------------------------------------- metrics / evaluation

@heldout13("top-k-accuracy-with-k-equal-to-classes", ("loss-metric-mismatch", "misleading-accuracy",
                                                      "metric-out-of-range"),
           ("loss-metric-mismatch", "misleading-accuracy"),
           r"top[-_ ]?k|top[-_ ]?5|SparseTopK|\bk ?= ?5\b|\bk\b (equal to|equals|as large as|>=|at least) (the )?"
           r"number of classes",
           "a five-class classifier compiled with metrics=[SparseTopKCategoricalAccuracy(k=5, name='acc')], the "
           "metric kept from an ImageNet script where top-5 accuracy is the usual report: with five classes every "
           "label is among the five highest scores, so 'acc' and 'val_acc' read 1.0 from the first epoch, while the "
           "loss is still 1.34 and the real accuracy is 0.45 (SO-style 'my accuracy is 100% from the first epoch "
           "but the loss is high'); fix: plain accuracy (top-1, k=1) for a five-class problem")
def _(fixed):
    x, y = _data.classes(5, seed=1303)
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=1 if fixed else 5, name="acc")
    out = compiled(net(5, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=[metric],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return split(out, x, y)


class ValidationAccuracy(keras.callbacks.Callback):
    """Writes the validation accuracy into the epoch logs; ``axis=None`` is the bug (np.argmax over the array)."""

    def __init__(self, x_val, y_val, axis):
        super().__init__()
        self.x_val, self.y_val, self.axis = x_val, y_val, axis

    def on_epoch_end(self, epoch, logs=None):
        predicted = np.argmax(self.model.predict(self.x_val, verbose=0), axis=self.axis)
        logs["val_acc"] = float(np.mean(predicted == self.y_val))


@heldout13("validation-callback-argmax-without-axis", ("loss-metric-mismatch", "stuck-at-chance",
                                                       "misleading-accuracy", "metric-out-of-range"),
           ("loss-metric-mismatch",),
           r"argmax\b.{0,60}(axis|flatten|whole array|single (index|number|value))|axis ?= ?(1|-1)\b|without (an |"
           r"the )?axis",
           "a four-class model whose validation accuracy is computed by a callback that writes logs['val_acc'] = "
           "mean(np.argmax(model.predict(x_val)) == y_val) at every epoch end: without axis=1, np.argmax returns "
           "one index into the flattened prediction array (a number in the hundreds), which never equals a label, "
           "so val_acc is 0.0 in every epoch while the validation loss falls from 0.79 to 0.16 (SO-style "
           "'validation accuracy is always zero in my custom callback'); fix: np.argmax(predictions, axis=1)")
def _(fixed):
    x, y = _data.classes(4, seed=1309)
    out = compiled(net(4, "softmax"), "sparse_categorical_crossentropy", x, y,
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10,
                   callbacks=[ValidationAccuracy(x[:128], y[:128], axis=1 if fixed else None)])
    return split(out, x, y)


# ---------------------------------------------------------------- mixed precision

@heldout13("mixed-precision-exponential-output-in-float16", ("nonfinite", "nonfinite-origin", "divergence",
                                                             "exploding-gradients", "high-initial-loss"),
           ("nonfinite", "nonfinite-origin"),
           r"(output|last|final|exponential) (layer|activation|unit)s?.{0,60}(float32|full precision|fp32)|"
           r"(float32|fp32|full precision).{0,60}(output|last|final) (layer|activation)|dtype=['\"]?float32|"
           r"float16.{0,60}(overflow|maximum|max value|65504|range)|65504",
           "a page-view count regression (counts from a few hundred to a million, 16% above 65504) with a log link, "
           "Dense(1, activation='exponential') under msle, whose layers were all given the 'mixed_float16' policy "
           "to speed training up, the output layer included: the exponential is computed in float16, whose "
           "largest value is 65504, so a row with a larger prediction gives inf and the loss is NaN from the "
           "first epoch on (the output bias starts at the log of the median count in both twins), against 1.25 -> "
           "0.009 for the same model with a float32 output (SO-style 'loss is nan with mixed precision', the "
           "guide's rule that the model's last layer should stay in float32); fix: dtype='float32' on the "
           "output layer")
def _(fixed):
    rng = np.random.default_rng(1305)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    w = rng.normal(size=_data.D) / np.sqrt(_data.D)
    y = rng.poisson(np.exp(9.5 + 1.2 * (x @ w))).astype("float32").reshape(-1, 1)
    mixed = "mixed_float16"
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu", dtype=mixed),
                              layers.Dense(32, activation="relu", dtype=mixed),
                              layers.Dense(1, activation="exponential", dtype="float32" if fixed else mixed,
                                           bias_initializer=keras.initializers.Constant(np.log(np.median(y))))])
    out = compiled(model, "mean_squared_logarithmic_error", x, y, optimizer=keras.optimizers.Adam(1e-2),
                   epochs=10)
    return split(out, x, y)


# ---------------------------------------------------------------- loss / distillation

@heldout13("distillation-soft-targets-are-logits", ("metric-out-of-range", "divergence", "label-problem",
                                                    "loss-metric-mismatch", "wrong-output-activation"),
           ("metric-out-of-range", "divergence", "label-problem", "loss-metric-mismatch"),
           r"softmax\w*.{0,40}(teacher|soft (target|label)s?)|(teacher|soft (target|label)s?)\W.{0,60}(logits|"
           r"probabilit|softmax|sum to (1|one)|negative)|logits? (as|for|instead of) (the )?(targets?|labels?|"
           r"probabilit)|(targets?|labels?)\W.{0,40}(not|aren't|are not) (probabilit|normali[sz]ed|in \[0, ?1\])",
           "knowledge distillation into a small student compiled with CategoricalCrossentropy(), whose soft targets "
           "are teacher.predict(x), the raw logits of a teacher that ends in a linear Dense(3), where softmax("
           "logits / T) was meant: the 'targets' are unbounded and partly negative, the cross-entropy -sum(t * "
           "log p) rewards pushing probability away from every negative entry, and the loss falls through zero to "
           "-169, while the student's accuracy looks fine (SO-style 'negative loss in knowledge distillation, "
           "soft labels'); fix: soft targets = softmax(teacher logits / T)")
def _(fixed):
    x, y = _data.classes(3, seed=1306)
    teacher = compiled(net(3, None), keras.losses.SparseCategoricalCrossentropy(from_logits=True), x, y,
                       epochs=10)["model"]
    teacher.fit(x, y, epochs=10, batch_size=32, verbose=0)
    logits = np.asarray(teacher.predict(x, verbose=0))
    soft = np.asarray(keras.ops.softmax(logits / 2.0, axis=1)) if fixed else logits
    out = compiled(net(3, "softmax", hidden=16), keras.losses.CategoricalCrossentropy(), x[128:], soft[128:],
                   metrics=["accuracy"], optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return with_validation(out, x[:128], _data.onehot(y[:128], 3))


# ---------------------------------------------------------------- sequences

def first_word_decides(seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Texts of 4-8 word ids (3..29); the first word (1 or 2) decides the label."""
    rng = np.random.default_rng(seed)
    y = (rng.random(_data.N) < 0.5).astype("float32")
    texts = []
    for label in y:
        words = rng.integers(3, 30, size=int(rng.integers(4, 9)))
        words[0] = 1 if label else 2
        texts.append(words)
    return texts, y


@heldout13("lstm-post-padding-without-mask", ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                                              "label-problem"),
           ("stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch"),
           r"padding=['\"]?(pre|post)|(pre|post)[- ]padd|mask_zero|Masking\b|padd(ing|ed)( tokens| steps| "
           r"positions| zeros)?.{0,60}(at the end|after the (text|sequence|tokens)|final (state|step)|last (state|"
           r"step))|(mask|ignore|skip)(ing|s)? (out )?the padd(ing|ed) (tokens|steps|positions|zeros|timesteps)",
           "an LSTM text classifier, Embedding -> LSTM(16) -> Dense(1, sigmoid), on texts of 4-8 words padded to 60 "
           "with pad_sequences(padding='post') (chosen because it 'looks more natural') and no mask: the LSTM's "
           "final state comes after 52-56 padding steps, the word that decides the label is at the start, and the "
           "loss stays at ln 2 with accuracy at the majority share for all eight epochs, while the pre-padded "
           "twin is at 0.002 (SO-style 'LSTM does not learn with post padding, pre vs post padding'); fix: "
           "padding='pre' (the default), or mask_zero=True on the Embedding")
def _(fixed):
    texts, y = first_word_decides(seed=1307)
    x = keras.utils.pad_sequences(texts, maxlen=60, padding="pre" if fixed else "post")
    model = keras.Sequential([keras.Input((60,), dtype="int32"), layers.Embedding(30, 16), layers.LSTM(16),
                              layers.Dense(1, activation="sigmoid")])
    out = compiled(model, "binary_crossentropy", x, y.reshape(-1, 1), metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=8)
    return split(out, x, y.reshape(-1, 1))
