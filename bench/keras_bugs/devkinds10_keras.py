"""The tenth bug-kinds dev set: classes from the published fault taxonomies that no earlier set modelled (bugs24).

Why: every blind set starts near 65-70% right fixes because it brings classes no probe observes
(``COVERAGE.md`` lists the classes of the published bug studies against the sets and the findings). This set
writes the uncovered classes whose effect shows in numbers a probe already reads, each in several programs:

- a gradient that is the running sum of every batch's gradient (state kept across steps outside ``.grad``): tensor
  hooks on the weight matrices only, an optimizer subclass that adds each gradient to
  buffers it never empties, ``register_post_accumulate_grad_hook`` sums never reset, a Keras optimizer subclass
  doing the same (set 30's hooks are the first of the class);
- weights written back after every step, so the optimizer's update is undone: an EMA with decay 1 (or 0.9999)
  copied into the model each step (a torch step hook, a Keras callback, Keras' own ``use_ema`` with
  ``ema_overwrite_frequency=1``), a "best weights" restore whose comparison is inverted;
- a learning rate of zero where training is meant to happen: a parameter group's rate left at 0, a Keras
  schedule whose integer division gives 0 for the whole run;
- a hand-written regression loss without the square or the absolute value (the signed error mean);
- a loss divided by the global step counter (meant to divide by the accumulation steps).

Each buggy program has a fixed twin that must draw no warning. It is a DEV set, written alongside the checks:
``ids`` and ``fix`` patterns were written and committed before traindoc ran on it. Run with
``bench/bench_keras_bugs.py --set devkinds10``.
"""

from __future__ import annotations

import keras
import numpy as np
import torch
from keras import layers

from .devkinds8_keras import classes, offsets
from .heldout19_keras import fitted
from .keras_cases import Case

DEVKINDS10: list[Case] = []


def devkind10(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the tenth bug-kinds dev set."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        DEVKINDS10.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# Shared with the PyTorch programs (written before traindoc ran on them).
SUM_IDS = ("grad-not-zeroed", "divergence", "loss-spikes", "oscillation", "exploding-gradients", "nonfinite",
           "lr-too-high", "update-ratio", "both-rising", "nonfinite-origin", "stalled", "stuck-at-chance")
SUM_FIX_IDS = ("grad-not-zeroed",)
SUM_FIX = (r"zero_grad|(grad|gradient)s? (are |is )?(never |not )?(zeroed|cleared|reset)|(accumulat|sum)\w* "
           r"(across|over|between) (steps|batches|iterations)|(reset|clear|empty|zero)\w*.{0,30}(sums?|buffers?|"
           r"accumulat\w*|running)|retain_graph|running (total|sum)")
WRITEBACK_IDS = ("frozen-parameters", "no-learning", "stalled", "stuck-at-chance", "update-ratio",
                 "cannot-overfit-batch", "loss-metric-mismatch")
WRITEBACK_FIX_IDS = ("frozen-parameters", "no-learning", "stalled", "update-ratio")
WRITEBACK_FIX = (r"(overwrit|restor|copie[sd] back|writ\w* back|reset|load)\w*.{0,60}weights|weights.{0,60}"
                 r"(overwrit|restor|copied back|written back|reset)|\bema\b|moving average|averaged? (weights|model)")
ZERO_RATE_IDS = ("frozen-parameters", "no-learning", "stalled", "stuck-at-chance", "update-ratio",
                 "lr-decay-too-fast", "cannot-overfit-batch")
ZERO_RATE_FIX_IDS = ("frozen-parameters", "no-learning", "stalled", "update-ratio", "lr-decay-too-fast")
ZERO_RATE_FIX = (r"(learning[- ]rate|\blr\b).{0,60}(\b0(\.0)?\b|zero)|(zero|\b0\b) (learning[- ]rate|\blr\b)|"
                 r"param(eter)?[_ ]groups?\b.{0,60}(rate|\blr\b)")
SIGNED_IDS = ("loss-metric-mismatch", "divergence", "no-learning", "stalled", "both-rising", "label-problem",
              "nonfinite", "lr-too-high", "update-ratio")
SIGNED_FIX_IDS = ("loss-metric-mismatch", "divergence", "label-problem")
SIGNED_FIX = (r"(square|abs\w*|absolute)\b.{0,40}(error|difference|residual)|mean.squared|\bmse\b|\bmae\b|L1Loss|"
              r"MSELoss|signed (error|difference)|(below|under) zero|negative loss")
STEPDIV_IDS = ("stalled", "lr-decay-too-fast", "no-learning", "update-ratio", "late-start", "vanishing-gradients")
STEPDIV_FIX_IDS = ("stalled", "lr-decay-too-fast", "no-learning", "update-ratio")
STEPDIV_FIX = (r"(divid|scal)\w*.{0,40}(step|iteration) (count|number|counter)|(global|running) step|"
               r"loss.{0,60}(shrink|smaller|scaled down).{0,60}(step|iteration)|gradient accumulation steps")


def dense_classifier(d: int, k: int) -> keras.Model:
    return keras.Sequential([keras.Input((d,)), layers.Dense(64, activation="relu"),
                             layers.Dense(64, activation="relu"), layers.Dense(k, activation="softmax")])


def dense_regressor(d: int) -> keras.Model:
    inp = keras.Input((d,))
    h = layers.Dense(64, activation="relu")(inp)
    h = layers.Dense(64, activation="relu")(h)
    return keras.Model(inp, layers.Dense(1)(h))


def classifier_with(seed: int, callback: keras.callbacks.Callback) -> dict:
    """A four-class Dense classifier under Adam(1e-3), fitted with the author's ``callback``."""
    keras.utils.set_random_seed(0)
    x, y = classes(seed=seed)
    prog = fitted(dense_classifier(10, 4), keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", x, y,
                  metrics=["accuracy"])
    prog["fit"]["callbacks"] = [callback]
    return prog


# ---------------------------------------------------------------- the gradient is a running sum

class RunningSumSGD(keras.optimizers.SGD):
    """The author's gradient accumulation: every gradient joins a running sum and the sum is applied; ``reset()``
    (meant to run after each applied step) is never called in the buggy program."""

    def __init__(self, *args, reset_each_step: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._sums = None
        self._reset_each_step = reset_each_step

    def reset(self) -> None:
        if self._sums is not None:
            for s in self._sums:
                s.zero_()

    def apply(self, grads, trainable_variables=None):
        if self._sums is None:
            self._sums = [torch.zeros_like(g) for g in grads]
        for s, g in zip(self._sums, grads):
            s.add_(g)
        out = super().apply([s.clone() for s in self._sums], trainable_variables)
        if self._reset_each_step:
            self.reset()
        return out


@devkind10("sequential-optimizer-subclass-sums-never-reset", SUM_IDS, SUM_FIX_IDS, SUM_FIX,
           "a four-class Dense classifier compiled with the author's SGD subclass (lr=0.01, momentum=0.9) whose "
           "apply() adds each batch's gradients to running sums and applies the sums, for accumulation; the "
           "reset after each applied step is never called, so step t applies the sum of t gradients and the "
           "loss climbs within the first epochs; fix: reset (zero) the sums after every applied step")
def _(fixed):
    keras.utils.set_random_seed(0)
    x, y = classes(seed=10011)
    opt = RunningSumSGD(learning_rate=0.01, momentum=0.9, reset_each_step=fixed)
    return fitted(dense_classifier(10, 4), opt, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


# ---------------------------------------------------------------- weights written back after every step

class EmaWriteBack(keras.callbacks.Callback):
    """Keeps an exponential moving average of the weights and copies it into the model after every batch (the
    author meant to evaluate with it); ``decay`` is the average's memory."""

    def __init__(self, decay: float, write_back: bool):
        super().__init__()
        self.decay, self.write_back, self.avg = decay, write_back, None

    def on_train_batch_end(self, batch, logs=None):
        w = self.model.get_weights()
        if self.avg is None:
            self.avg = [np.array(a, copy=True) for a in w]
        self.avg = [self.decay * a + (1.0 - self.decay) * b for a, b in zip(self.avg, w)]
        if self.write_back:
            self.model.set_weights(self.avg)


@devkind10("sequential-ema-callback-decay-one-written-back", WRITEBACK_IDS, WRITEBACK_FIX_IDS, WRITEBACK_FIX,
           "a four-class Dense classifier (Adam 1e-3) with the author's EMA callback, decay=1.0 ('keep all of "
           "the history'), that copies the average into the model after every batch: the average never moves, so "
           "each batch's update is undone and the loss stays at its first value; fix: do not write the average "
           "back into the trained weights (keep it aside for evaluation), and a decay below 1")
def _(fixed):
    return classifier_with(10012, EmaWriteBack(0.999 if fixed else 1.0, write_back=not fixed))


@devkind10("functional-optimizer-ema-overwritten-every-step", WRITEBACK_IDS, WRITEBACK_FIX_IDS, WRITEBACK_FIX,
           "a regressor of a bounded target (functional, two Dense(64, relu)) under Adam(1e-3, use_ema=True, "
           "ema_momentum=0.9999, ema_overwrite_frequency=1): the weights are replaced by their average after "
           "every step, so each step keeps 1/10000 of the update and the loss hardly moves; fix: leave "
           "ema_overwrite_frequency unset (None) so the average is written only at the end")
def _(fixed):
    keras.utils.set_random_seed(0)
    x, y = offsets(seed=10013)
    if fixed:
        opt = keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=0.99)
    else:
        opt = keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=0.9999, ema_overwrite_frequency=1)
    return fitted(dense_regressor(8), opt, "mse", x, y)


class RestoreBest(keras.callbacks.Callback):
    """Keeps the weights of the best batch loss and restores them when a batch is worse; the buggy program's
    comparison is inverted, so the first weights are kept as "best" and restored after every batch."""

    def __init__(self, inverted: bool):
        super().__init__()
        self.inverted, self.best, self.best_w = inverted, None, None

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", np.nan))
        if self.best is None:
            self.best, self.best_w = loss, self.model.get_weights()
            return
        better = loss > self.best if self.inverted else loss < self.best
        if better:
            self.best, self.best_w = loss, self.model.get_weights()
        elif self.inverted:
            self.model.set_weights(self.best_w)


@devkind10("sequential-restore-best-batch-comparison-inverted", WRITEBACK_IDS, WRITEBACK_FIX_IDS, WRITEBACK_FIX,
           "a four-class Dense classifier (Adam 1e-3) with the author's 'restore best' callback, which keeps the "
           "weights of the best batch loss and restores them after a worse batch; the comparison is written "
           "loss > best, so nearly every batch counts as worse and the model is put back to old weights after "
           "each one; fix: compare loss < best, or keep the best weights aside instead of restoring them")
def _(fixed):
    return classifier_with(10014, RestoreBest(inverted=not fixed))


# ---------------------------------------------------------------- a rate of zero

@devkind10("sequential-schedule-integer-division-zero-rate", ZERO_RATE_IDS, ZERO_RATE_FIX_IDS, ZERO_RATE_FIX,
           "a regressor of a bounded target under SGD(momentum=0.9) with LearningRateScheduler(lambda epoch: "
           "0.01 * (1 // (epoch + 1)) ...) meant as 0.01 / (epoch + 1): the integer division gives 1 at epoch 0 "
           "and 0 from epoch 1 on, so the rate is zero for most of the run; fix: a true division "
           "(0.01 / (epoch + 1)), a rate that is never 0")
def _(fixed):
    keras.utils.set_random_seed(0)
    x, y = offsets(seed=10015)
    prog = fitted(dense_regressor(8), keras.optimizers.SGD(0.01, momentum=0.9), "mse", x, y, epochs=12)
    sched = (lambda epoch: 0.01 / (epoch + 1)) if fixed else (lambda epoch: 0.01 * (1 // (epoch + 1)))
    prog["fit"]["callbacks"] = [keras.callbacks.LearningRateScheduler(sched)]
    return prog


# ---------------------------------------------------------------- a regression loss without the square

def signed_error(y_true, y_pred):
    return keras.ops.mean(y_pred - y_true, axis=-1)


def squared_error(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_pred - y_true), axis=-1)


@devkind10("functional-custom-loss-signed-error", SIGNED_IDS, SIGNED_FIX_IDS, SIGNED_FIX,
           "a regressor of a bounded target (functional, two Dense(64, relu), linear output) compiled with the "
           "author's loss mean(y_pred - y_true), the square left out: the loss is minimised by driving every "
           "prediction down, so it falls below zero without bound while the fit gets worse; fix: square (or "
           "take the absolute value of) the error, e.g. the built-in 'mse'")
def _(fixed):
    keras.utils.set_random_seed(0)
    x, y = offsets(seed=10016)
    return fitted(dense_regressor(8), keras.optimizers.Adam(1e-3), squared_error if fixed else signed_error, x, y,
                  metrics=["mae"])


class SignedGap(keras.losses.Loss):
    def __init__(self, squared: bool):
        super().__init__(name="gap")
        self.squared = squared

    def call(self, y_true, y_pred):
        d = y_true - y_pred
        return keras.ops.mean(keras.ops.square(d) if self.squared else d, axis=-1)


@devkind10("sequential-loss-class-signed-gap", SIGNED_IDS, SIGNED_FIX_IDS, SIGNED_FIX,
           "a regressor of a bounded target (Sequential, two Dense(32, tanh)) compiled with the author's "
           "keras.losses.Loss subclass returning mean(y_true - y_pred) (the square forgotten): predictions are "
           "pushed up without bound and the loss goes negative; fix: square the gap (mean squared error)")
def _(fixed):
    keras.utils.set_random_seed(0)
    x, y = offsets(seed=10017)
    model = keras.Sequential([keras.Input((8,)), layers.Dense(32, activation="tanh"),
                              layers.Dense(32, activation="tanh"), layers.Dense(1)])
    return fitted(model, keras.optimizers.RMSprop(1e-3), SignedGap(squared=fixed), x, y, metrics=["mae"])


# ---------------------------------------------------------------- a loss divided by the global step

class StepScaledMSE(keras.losses.Loss):
    """The author's loss: the MSE divided by a step counter it increments itself (meant: by the accumulation
    steps, a constant)."""

    def __init__(self, by_step: bool):
        super().__init__(name="step_scaled_mse")
        self.by_step, self.n = by_step, 0

    def call(self, y_true, y_pred):
        self.n += 1
        mse = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)
        return mse / float(self.n if self.by_step else 1)


@devkind10("sequential-loss-divided-by-step-counter", STEPDIV_IDS, STEPDIV_FIX_IDS, STEPDIV_FIX,
           "a regressor of a bounded target under SGD(0.05) whose loss class divides the MSE by its own call "
           "counter (meant as the accumulation steps, a constant): the gradient shrinks like 1/step, so the "
           "steps die away within the first epoch and the fit stalls far above what the net reaches; fix: "
           "divide by the fixed number of accumulation steps (or not at all), never by the global step")
def _(fixed):
    keras.utils.set_random_seed(0)
    x, y = offsets(seed=10018)
    return fitted(dense_regressor(8), keras.optimizers.SGD(0.05), StepScaledMSE(by_step=not fixed), x, y)
