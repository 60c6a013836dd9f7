"""A twenty-first held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a twenty-first set: like sets 16 to 20 it measures whether traindoc names the repair for the COMMON bug
classes of published Keras/PyTorch StackOverflow bug benchmarks (an output activation that does not fit the loss,
a learning rate far off, badly scaled inputs, training/inference mode misused, a wrong loss reduction, dead units,
vanishing gradients), on programs nobody tuned for. They were written without reading traindoc's rules, checks,
probes, findings or integrations, without reading any bench output, and frozen (``HELDOUT21.sha256``) before
traindoc was ever run on them; see ``HELDOUT21.md``. Run with ``bench/bench_keras_bugs.py --set heldout21``.

Every program is written afresh, in the way an ordinary user writes it, and differs from the programs of sets
16-20 and devkinds3-6 in its data, its model, its API path and the way the bug is written: a per-token tagger
whose Dense head has no softmax under a probability loss, ReLU layers built with max_value=0 (meant as the
threshold), AdamW at a rate of 0.6 on a Conv1D beat classifier, the linear learning-rate scaling rule written as
a division, 16-bit camera frames divided by 255, a BatchNormalization input scaler called with training=False,
a summed squared error under SGD, and a SimpleRNN asked to remember the first steps of a long window. The
PyTorch half is in ``heldout21_torch``.

Same format as ``heldout20_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the
right symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as
the right fix only when its id is one of them and its text matches the ``fix`` regular expression. The
``about`` names the kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from .heldout20_keras import standard, trained
from .keras_cases import Case

HELDOUT21: list[Case] = []
ROWS = 600


def heldout21(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the twenty-first held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT21.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


# ---------------------------------------------------------------- output activation against the loss

def tagged_tokens(seed: int, steps: int = 14, vocab: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Token ids 1-39 in windows of 14; each token's tag (0-3) is its group of ten, moved on by one when the
    token before it is in the upper half of the vocabulary."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, size=(ROWS, steps))
    prev = np.concatenate([np.zeros((ROWS, 1), dtype=ids.dtype), ids[:, :-1]], axis=1)
    tags = (ids // 10 + (prev >= 20)) % 4
    return ids.astype("int32"), tags.astype("int64")


@heldout21("sequential-token-tagger-dense-head-without-softmax",
           ("wrong-output-activation", "stalled", "no-learning", "loss-metric-mismatch", "high-initial-loss",
            "stuck-at-chance", "cannot-overfit-batch", "loss-spikes", "oscillation"),
           ("wrong-output-activation", "stalled", "loss-metric-mismatch", "high-initial-loss", "cannot-overfit-batch"),
           r"from_logits\s*=\s*true|from[ _]logits|softmax (activation|output|head|layer|on the (output|last|final))|"
           r"activation\s*=\s*.?softmax|(add|missing|without|no|forgot\w*)( a| the)? softmax|(raw|linear|unnormali[sz"
           r"]ed) (scores?|outputs?|logits?)\b.{0,60}(probabilit|cross[- ]?entropy|loss)",
           "a per-token tagger (Sequential: Embedding(40, 16) -> Conv1D(32, 3, padding='same', relu) -> Dense(4)) "
           "that gives each of fourteen tokens one of four tags, compiled with loss='sparse_categorical_crossentropy' "
           "and accuracy, the head's activation left out because 'the loss does the softmax': the string loss "
           "takes from_logits=False and reads the four raw scores as probabilities, normalising them by their sum "
           "and clipping, so scores of either sign give a meaningless, clipped loss and little useful gradient: "
           "the loss goes from 2.3 to 1.42 with per-token accuracy 0.27, where the softmax head reaches 0.03 and 1.0 "
           "(question class: Keras sequence labelling loss huge or stuck, accuracy low, softmax missing on the "
           "output); fix: Dense(4, activation='softmax') (or keep the raw scores and use "
           "SparseCategoricalCrossentropy(from_logits=True))")
def _(fixed):
    x, y = tagged_tokens(seed=2101)
    model = keras.Sequential([keras.Input((14,), dtype="int32"), layers.Embedding(40, 16),
                              layers.Conv1D(32, 3, padding="same", activation="relu"),
                              layers.Dense(4, activation="softmax" if fixed else None)])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- dead units

def claim_flags(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eleven standardised insurance-claim features; 1 for a claim flagged for review, an XOR-like boundary."""
    rng, x = standard(seed, 11)
    score = x[:, 0] * x[:, 1] + 0.5 * x @ rng.normal(size=11) / np.sqrt(11)
    return x, (score > 0).astype("float32").reshape(-1, 1)


@heldout21("functional-relu-layers-capped-at-zero",
           ("dead-relu", "stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch", "vanishing-gradients",
            "frozen-parameters"),
           ("dead-relu", "stuck-at-chance", "no-learning", "cannot-overfit-batch", "vanishing-gradients"),
           r"max_value|(capp?ed|clipp?ed|ceiling|upper bound|maximum) (at|of|=) ?(0(\.0)?\b|zero)|(relu|activation|un"
           r"it)s?\W.{0,40}(always|only|identically) (output|return|give)s? (0|zero)|(output|return)s? (0|zero) for e"
           r"very (input|row|sample)|threshold\s*=",
           "a functional-API claim-review classifier (eleven standardised features, an XOR-like label) whose hidden "
           "layers are Dense(32) followed by layers.ReLU(max_value=0.0), the author having read the ReLU's "
           "arguments as 'switch on above 0' and written the cut-off into max_value: a ReLU capped at 0 returns 0 "
           "for every input and passes back no gradient, so only the output unit's bias learns; the loss sits at "
           "ln 2 (0.693 to 0.690) and accuracy at the majority share, 0.54, where plain ReLUs reach 0.17 and 0.97 "
           "(question class: Keras ReLU network outputs the same value for "
           "every input, all activations zero / dying ReLU); fix: layers.ReLU() with no max_value (max_value is "
           "an upper cap; the threshold argument is the cut-off)")
def _(fixed):
    x, y = claim_flags(seed=2102)
    inp = keras.Input((11,), name="claim")
    h = inp
    for width in (32, 32):
        h = layers.Dense(width)(h)
        h = layers.ReLU()(h) if fixed else layers.ReLU(max_value=0.0)(h)
    model = keras.Model(inp, layers.Dense(1, activation="sigmoid")(h))
    return trained(model, x, y, optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- learning rate

def heart_beats(seed: int, length: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """One-channel beats of 40 samples: a bump whose width says the class (narrow, medium, wide), noise added."""
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, 3, size=ROWS)
    t = np.arange(length)
    centre = rng.uniform(12, 28, size=(ROWS, 1))
    width = np.array([1.5, 3.5, 6.5])[cls][:, None]
    x = np.exp(-0.5 * ((t - centre) / width) ** 2) + rng.normal(0, 0.15, size=(ROWS, length))
    return x[..., None].astype("float32"), cls.astype("int64")


@heldout21("sequential-conv1d-adamw-rate-six-tenths",
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients",
            "stuck-at-chance", "stalled", "dead-relu", "high-initial-loss", "both-rising"),
           ("lr-too-high", "divergence", "loss-spikes", "oscillation", "update-ratio", "exploding-gradients"),
           r"(lower|reduce|decrease|smaller|cut|drop)\w*( the)? (learning[- ]rate|lr|step size)(?! when| on plateau)|"
           r"(learning[- ]rate|\blr\b|step size)\w*( of [\d.e-]+)?( is| was)? (too|far too|much too|very) (high|large"
           r"|big)|(high|large) (learning rate|lr)\b|adamw?.{0,40}(3e-3|1e-3|0\.00[13]|3e-4)|learning_rate\s*=\s*([13"
           r"]e-[34]|0\.00)",
           "a Sequential heartbeat classifier over one-channel beats of forty samples (Conv1D(8, 5, relu) -> "
           "MaxPooling1D -> Conv1D(16, 3, relu) -> GlobalAveragePooling1D -> Dense(3, softmax)), compiled with "
           "keras.optimizers.AdamW(learning_rate=0.6) and 'sparse_categorical_crossentropy', the 0.6 taken from a "
           "one-cycle SGD recipe's peak rate: Adam-type steps move every weight by about the rate, so the kernels "
           "jump by ~0.6 per step, the ReLUs switch off or blow up and the loss stays far above ln 3 (9.7 to 10.3) "
           "with accuracy 0.36, where 3e-3 reaches 0.10 and 1.0 (question class: Keras CNN accuracy stuck at chance, "
           "loss does not decrease with Adam, what learning rate); fix: AdamW(learning_rate=3e-3)")
def _(fixed):
    x, y = heart_beats(seed=2103)
    model = keras.Sequential([keras.Input((40, 1)), layers.Conv1D(8, 5, activation="relu"), layers.MaxPooling1D(),
                              layers.Conv1D(16, 3, activation="relu"), layers.GlobalAveragePooling1D(),
                              layers.Dense(3, activation="softmax")])
    rate = 3e-3 if fixed else 0.6
    return trained(model, x, y, optimizer=keras.optimizers.AdamW(learning_rate=rate),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10)


def six_crops(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Twenty standardised field features; six crop types, the argmax of a fixed linear map plus a bend."""
    rng, x = standard(seed, 20)
    scores = x @ rng.normal(size=(20, 6)) + 0.8 * np.tanh(x[:, :6] * x[:, 6:12])
    return x, scores.argmax(1).astype("int64")


BASE_LR, BATCH = 0.1, 32  # the recipe's rate at a batch of 256, and this script's batch


@heldout21("functional-linear-scaling-rule-written-as-division",
           ("no-learning", "stalled", "update-ratio", "stuck-at-chance", "lr-decay-too-fast", "too-short"),
           ("no-learning", "stalled", "update-ratio", "stuck-at-chance"),
           r"(raise|increase|larger|higher|bigger)\w*( the)? (learning[- ]rate|lr|step size)|(learning[- ]rate|"
           r"\blr\b|step size)\w*( is| was)? (too|far too|much too|very) (low|small|tiny)|(low|small|tiny) "
           r"(learning rate|lr)\b|batch[_ ]?size ?/ ?256|\* ?(batch[_ ]?size|batch)\b|scaling rule",
           "a functional-API crop-type classifier (twenty standardised field features -> Dense(64, relu) -> "
           "Dense(64, relu) -> Dense(6, softmax)) under keras.optimizers.SGD(learning_rate=lr, momentum=0.9), whose "
           "script applies the linear scaling rule from a paper (rate = base rate x batch / 256) but writes it lr = "
           "BASE_LR / (BATCH * 256): with a base of 0.1 and a batch of 32 the rate is 1.2e-5 instead of 0.0125, "
           "every step moves the weights by a hundred-thousandth of the gradient, and the loss creeps from 1.98 to "
           "1.97 over ten epochs with accuracy 0.12, where 0.0125 reaches 0.20 and 0.98 (question class: Keras loss "
           "decreases extremely slowly, accuracy stays low, learning rate for my batch size); fix: lr = BASE_LR * "
           "BATCH / 256 (a rate a thousand times larger)")
def _(fixed):
    x, y = six_crops(seed=2104)
    lr = BASE_LR * BATCH / 256 if fixed else BASE_LR / (BATCH * 256)
    inp = keras.Input((20,))
    h = layers.Dense(64, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(6, activation="softmax")(h))
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10, batch_size=BATCH)


# ---------------------------------------------------------------- input scaling

def camera_frames(seed: int, side: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """12x12 frames from a 16-bit sensor (0-65535): a dark floor near 8,000 and a bright blob near 50,000 in
    one of three places (the class)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=ROWS)
    x = rng.normal(8000, 1500, size=(ROWS, side, side))
    spots = [(3, 3), (3, 8), (8, 5)]
    for c, (r, q) in enumerate(spots):
        x[y == c, r - 2:r + 2, q - 2:q + 2] += 42000
    return np.clip(x, 0, 65535)[..., None].astype("float32"), y.astype("int64")


@heldout21("sequential-sixteen-bit-frames-divided-by-255",
           ("unnormalized-input", "divergence", "nonfinite", "high-initial-loss", "stuck-at-chance", "loss-spikes",
            "exploding-gradients", "dead-relu", "stalled", "nonfinite-origin", "oscillation"),
           ("unnormalized-input", "high-initial-loss", "nonfinite", "divergence", "exploding-gradients"),
           r"65535|65,535|16[- ]?bit|(divide|scale|normali[sz]e|rescale)\w*.{0,30}(by|with) (the )?(max|maximum|"
           r"2\*\*16)|(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?(input|pixel|image|frame)|"
           r"(input|pixel)s? (are |is )?(not |un)(normali[sz]|scal|standardi[sz])|unnormali[sz]ed (input|pixel)|"
           r"(input|pixel)s?.{0,30}(range|values?) (up to|of|around|near) (\d{3}|hundreds)",
           "a Sequential classifier of 12x12 frames from a 16-bit camera (Conv2D(8, 3, relu) -> MaxPooling2D -> "
           "Flatten -> Dense(3, softmax), keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)), whose loader does "
           "x = frames / 255.0 as every image tutorial does: the pixels go up to 65535, so after the division they "
           "lie between ~30 and ~230, the first layer's sums are in the hundreds, the first SGD steps overshoot, the "
           "softmax saturates, and the loss sits at 16.1 (the clipped cross-entropy, -ln 1e-7) from the first epoch "
           "to the last with accuracy 0, where full-scale frames reach 0.001 and 1.0 (question class: Keras CNN loss "
           "is nan or huge from the first epoch on 16-bit images, normalising images); fix: frames / 65535.0 (the "
           "sensor's full scale), or standardise the pixels")
def _(fixed):
    x, y = camera_frames(seed=2105)
    x = x / (65535.0 if fixed else 255.0)
    model = keras.Sequential([keras.Input((12, 12, 1)), layers.Conv2D(8, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3, activation="softmax")])
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"], epochs=10)


# ---------------------------------------------------------------- training / inference mode

def meter_readings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five smart-meter columns in their own units (volts ~230, amps ~12, power factor 0.7-1, the month's kWh
    ~5,000, the hour 0-23); 1 for a reading the utility flags as a fault risk (half of them)."""
    rng = np.random.default_rng(seed)
    volt, amp = rng.normal(230, 4, ROWS), rng.gamma(3, 4, ROWS)
    pf, kwh, hour = rng.uniform(0.7, 1.0, ROWS), rng.normal(5000, 1500, ROWS), rng.integers(0, 24, ROWS).astype(float)
    risk = (volt - 230) / 4 + (amp - 12) / 7 - (pf - 0.85) / 0.09 + 1.5 * np.sin(hour / 24 * 2 * np.pi)
    x = np.stack([volt, amp, pf, kwh, hour], axis=1).astype("float32")
    return x, (risk > np.median(risk)).astype("float32").reshape(-1, 1)


class MeterNet(keras.Model):
    """BatchNormalization over the raw columns (as the input scaler), two Dense(32, relu), one sigmoid."""

    def __init__(self, pass_training: bool):
        super().__init__()
        self.pass_training = pass_training
        self.scale = layers.BatchNormalization(momentum=0.9)
        self.d1, self.d2 = layers.Dense(32, activation="relu"), layers.Dense(32, activation="relu")
        self.out = layers.Dense(1, activation="sigmoid")

    def call(self, x, training=None):
        if self.pass_training:
            h = self.scale(x, training=training)
        else:
            h = self.scale(x, training=False)  # 'inference mode', kept from the fine-tuning guide
        return self.out(self.d2(self.d1(h)))


@heldout21("subclassed-batchnorm-scaler-called-with-training-false",
           ("unnormalized-input", "stalled", "stuck-at-chance", "no-learning", "high-initial-loss", "dead-relu",
            "saturated-activation", "cannot-overfit-batch", "loss-spikes", "oscillation"),
           ("unnormalized-input", "stalled", "stuck-at-chance", "high-initial-loss", "saturated-activation"),
           r"training\s*=\s*(training|true)|training=false|(inference|eval\w*) mode|moving (mean|averages?|"
           r"statistics|variance)|batch ?norm\w*.{0,60}(not|never|doesn't|does not) (normali[sz]|updat|use)|"
           r"(standardi[sz]|normali[sz]|rescal|scal)\w* (the |each |your |all )?(input|feature|column)s?\b|"
           r"(input|feature)s? (are |is )?(not |un)(normali[sz]|scal|standardi[sz])|unnormali[sz]ed (input|feature)|"
           r"StandardScaler|Normalization\(\)? layer",
           "a subclassed keras.Model for smart-meter fault risk whose first layer is BatchNormalization(momentum=0.9) "
           "used as the input scaler for five raw columns (volts ~230, amps, power factor, the month's kWh ~5,000, "
           "the hour), and whose call() reads h = self.scale(x, training=False), a line kept from a fine-tuning "
           "guide that freezes batch norm: in inference mode the layer normalises with its moving mean and "
           "variance, which start at 0 and 1 and are only updated in training mode, so the columns pass through "
           "unscaled, the kWh column (thousands) swamps every unit, the sigmoid saturates and the loss sits "
           "near 7.8 with accuracy at one half, where passing training through reaches ~0.2 and 0.9 (question "
           "class: Keras model with BatchNormalization does not learn, training argument in a subclassed call, "
           "inference mode during training); fix: self.scale(x, training=training) (pass the flag through), so "
           "the layer normalises each batch while training")
def _(fixed):
    x, y = meter_readings(seed=2106)
    return trained(MeterNet(pass_training=fixed), x, y, optimizer=keras.optimizers.Adam(3e-3),
                   loss="binary_crossentropy", metrics=["accuracy"], epochs=12)


# ---------------------------------------------------------------- loss reduction

def grain_moisture(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Eight standardised near-infrared band readings; a grain-moisture score with a spread of about 2."""
    rng, x = standard(seed, 8)
    y = 2.0 * np.tanh(x @ rng.normal(size=8) / np.sqrt(8)) + 0.4 * x[:, 0] * x[:, 2]
    return x, y.astype("float32").reshape(-1, 1)


@heldout21("functional-mse-reduction-sum-under-sgd",
           ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin", "lr-too-high", "loss-spikes",
            "oscillation", "update-ratio", "high-initial-loss"),
           ("divergence", "nonfinite", "exploding-gradients", "nonfinite-origin", "lr-too-high", "loss-spikes",
            "update-ratio"),
           r"reduction|sum_over_batch_size|(sum|summed|summing)\w*.{0,40}(instead of|rather than|not) (the )?"
           r"(mean|averag)|(mean|averag)\w* (over|across) the batch|(loss|gradient)s?.{0,40}(grow|scale)s? with "
           r"(the )?batch[_ ]?size|(divide|scale)\w* .{0,20}by (the )?batch[_ ]?size",
           "a functional-API regressor of grain moisture (eight standardised near-infrared readings -> Dense(64, "
           "relu) -> Dense(32, relu) -> Dense(1)) compiled with keras.losses.MeanSquaredError(reduction='sum') (the "
           "author wanted 'the total error, like the textbook formula') and "
           "keras.optimizers.SGD(learning_rate=0.02), batches of 64: the summed loss and its gradients are 64 times "
           "those of the mean, so the rate tuned for a mean acts like 1.28, the first steps overshoot and the loss "
           "is NaN from the first epoch on, where the mean reaches 0.16 (question class: Keras regression loss "
           "explodes to nan with SGD, custom or summed loss); fix: the default reduction ('sum_over_batch_size', the "
           "mean over the batch)")
def _(fixed):
    x, y = grain_moisture(seed=2107)
    inp = keras.Input((8,))
    h = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(inp))
    model = keras.Model(inp, layers.Dense(1)(h))
    loss = keras.losses.MeanSquaredError() if fixed else keras.losses.MeanSquaredError(reduction="sum")
    return trained(model, x, y, optimizer=keras.optimizers.SGD(learning_rate=0.02), loss=loss, metrics=["mae"],
                   epochs=10, batch_size=64)


# ---------------------------------------------------------------- vanishing gradients through time

def early_pulse(seed: int, steps: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """Windows of 48 steps of two noisy channels; the label is whether a pulse in the first four steps of
    channel 0 is positive. The rest of the window is noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.0, size=(ROWS, steps, 2))
    sign = rng.choice([-1.0, 1.0], size=ROWS)
    x[:, :4, 0] += 2.0 * sign[:, None]
    return x.astype("float32"), (sign > 0).astype("float32").reshape(-1, 1)


@heldout21("sequential-simplernn-remembers-first-steps",
           ("vanishing-gradients", "stuck-at-chance", "no-learning", "stalled", "saturated-activation",
            "cannot-overfit-batch", "overfitting"),
           ("vanishing-gradients", "stuck-at-chance", "no-learning", "stalled", "saturated-activation"),
           r"\blstm\b|\bgru\b|long short[- ]term|gated (recurrent|unit|cell)|(simple ?rnn|vanilla rnn|elman)\w*.{0,60}"
           r"(vanish|long|forget|memory)|(long|distant)[- ]range dependenc|backprop\w* through time",
           "a Sequential window classifier, SimpleRNN(16) -> Dense(1, sigmoid), over windows of 48 steps of two "
           "noisy channels, whose label is the sign of a pulse in the first four steps (the rest is noise), trained "
           "with Adam(5e-3) and 'binary_crossentropy': the plain tanh RNN's gradient through 44 later steps shrinks "
           "at every step, the first steps never reach the loss, and the loss stays near ln 2 (0.73 to 0.64, the "
           "validation loss flat at 0.70) with validation accuracy 0.52, where an LSTM, after a flat start of seven "
           "epochs, reaches 0.06 and 0.99 (question class: Keras SimpleRNN cannot learn a long sequence, accuracy 50 "
           "percent, vanishing gradient in RNN); fix: layers.LSTM(16) (or GRU), whose gated cell carries the early "
           "signal to the end")
def _(fixed):
    x, y = early_pulse(seed=2108)
    cell = layers.LSTM(16) if fixed else layers.SimpleRNN(16)
    model = keras.Sequential([keras.Input((48, 2)), cell, layers.Dense(1, activation="sigmoid")])
    return trained(model, x, y, optimizer=keras.optimizers.Adam(5e-3), loss="binary_crossentropy",
                   metrics=["accuracy"], epochs=12)
