"""A fourteenth held-out set of buggy Keras 3 programs and their fixed twins, written blind to traindoc's detection.

Why a fourteenth set: the earlier held-out sets have been measured or are waiting for their measurement; this set
adds programs nobody tuned for. They were written without reading traindoc's rules, checks, probes, findings or
integrations, without reading any bench output, and frozen (``HELDOUT14.sha256``) before traindoc was ever run on
them; see ``HELDOUT14.md``. Run with ``bench/bench_keras_bugs.py --set heldout14``.

The set leans towards regression, forecasting and images, and uses bug classes no earlier set has: validation
targets left in their raw units while the training targets are standardised, images shrunk with np.resize (which
crops and refills instead of interpolating), a trending series forecast on its levels (the validation months lie
above every level the network saw), an
ExponentialDecay whose decay_rate was written as the share to lose, validation images read in BGR order while the
training images are RGB, a hand-written Dice loss whose smoothing constant dwarfs the tiny masks, a mean-absolute-error loss on demand that is zero most days (the median is 0), and a
de-normalising output layer (Normalization(invert=True)) in front of targets that are still standardised. The
PyTorch half is in ``heldout14_torch``.

Same format as ``heldout12_keras``: a case builds ``model``, ``x``, ``y``, ``fit``; ``fixed=True`` applies the
change a good answer would make. ``ids`` are the finding ids (``/work/shared/FINDINGS.md``) that count as the right
symptom; ``fix_ids`` (in ``Case.extra``) are the ids whose advice is the repair, and a finding counts as the right
fix only when its id is one of them and its text matches the ``fix`` regular expression. The ``about`` names the
kind of public question each case is modelled on (paraphrased titles, not quotes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .heldout6_keras import with_validation  # the sixth set's validation helper
from .heldout7_keras import net  # the seventh set's MLP
from .heldout_keras import compiled  # the first set's compile-and-fit dict
from .keras_cases import Case

HELDOUT14: list[Case] = []


def heldout14(name: str, ids: tuple[str, ...], fix_ids: tuple[str, ...], fix: str, about: str,
              framework: str = "keras"):
    """Register a case of the fourteenth held-out set (its own list: the other sets are unchanged)."""
    assert set(fix_ids) <= set(ids), name

    def register(func):
        HELDOUT14.append(Case(name, framework, func, ids, fix, about, extra={"fix_ids": fix_ids}))
        return func
    return register


def split(out: dict, x, y, n_val: int = 128) -> dict:
    """Train on all but the first ``n_val`` rows, validate on those."""
    out["x"], out["y"] = x[n_val:], y[n_val:]
    return with_validation(out, x[:n_val], y[:n_val])


# ---------------------------------------------------------------- regression: target scaling

def house_prices(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features and a price in thousands (mean ~250, spread ~60) that depends smoothly on them."""
    x, y = _data.regression(seed=seed, scale=1.0)
    return x, (250.0 + 60.0 * y).astype("float32")


@heldout14("validation-targets-left-in-raw-units", ("overfitting", "stalled", "loss-metric-mismatch",
                                                    "val-without-train", "high-initial-loss", "label-problem"),
           ("overfitting", "stalled", "loss-metric-mismatch", "label-problem"),
           r"(validation|val|test|held[- ]out)\w* (targets?|labels?|prices|y)\b.{0,80}(raw|original|unscaled|"
           r"not (been )?(scaled|standardi[sz]ed|normali[sz]ed)|(scal|standardi[sz]|normali[sz])\w*)|"
           r"(scal|standardi[sz]|normali[sz])\w* (the )?(validation|val|test) (targets?|labels?|y)\b|"
           r"(scal\w*|standardi[sz]\w*|normali[sz]\w*|transform\w*) (the )?y_(val|test)\b|y_(val|test)\b.{0,60}(raw|"
           r"unscaled|scal\w*|standardi[sz]\w*|normali[sz]\w*)|(target|y) scaler.{0,60}(validation|val|test)",
           "a house-price regression (prices in thousands, mean ~250) whose script standardises the training "
           "targets, y_train = (y_train - mu) / sd, to help the network, but passes validation_data=(x_val, y_val) "
           "with the validation prices still in thousands: the network predicts values near 0 for every row, so "
           "the validation loss sits near 6.0e4 for the whole run and never moves while the training loss falls "
           "to ~0.03 (SO-style 'validation loss enormous and constant in regression, training loss fine', answers: "
           "the y_val was never scaled); fix: scale the validation targets with the training targets' mu and sd")
def _(fixed):
    x, y = house_prices(seed=1401)
    x_tr, y_tr, x_val, y_val = x[128:], y[128:], x[:128], y[:128]
    mu, sd = y_tr.mean(), y_tr.std()
    out = compiled(net(1, None), "mse", x_tr, (y_tr - mu) / sd, metrics=["mae"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return with_validation(out, x_val, (y_val - mu) / sd if fixed else y_val)


@heldout14("denormalising-output-on-scaled-targets", ("high-initial-loss", "stalled", "no-learning", "divergence",
                                                      "loss-spikes", "update-ratio", "lr-too-high"),
           ("high-initial-loss", "stalled", "no-learning"),
           r"invert=True|(invert\w*|inverse|de-?normali[sz]\w*|un-?scal\w*|de-?standardi[sz]\w*) .{0,80}"
           r"(output|last layer|model|predictions?).{0,80}(scaled|standardi[sz]ed|normali[sz]ed) (targets?|labels?|"
           r"y)\b|(scaled|standardi[sz]ed|normali[sz]ed) (targets?|labels?|y)\b.{0,80}(invert|inverse|de-?normali|"
           r"un-?scal|de-?standardi)|(scaled|transformed|normali[sz]ed|standardi[sz]ed) twice",
           "a price regression built as in the Keras preprocessing guide, with a Normalization(invert=True) layer "
           "adapted on the training prices at the end of the model so that predict() returns prices in thousands; "
           "the data-loading cell from an earlier version still standardises the targets, so fit() compares "
           "de-normalised outputs (~250) with standardised targets (~0): the first loss is ~6e4, the network has "
           "to undo the 60x scale and the 250 offset through its last weights and, at Adam(1e-3), the loss is "
           "still ~3.4e3 after ten epochs (a mean error of ~48 standard deviations) where the same model without "
           "the extra layer reaches ~0.07 (SO-style "
           "'Normalization(invert=True) output layer, loss huge and not decreasing'); fix: do not scale the "
           "targets twice (drop the invert layer here, since the targets are standardised)")
def _(fixed):
    x, y = house_prices(seed=1408)
    mu, sd = y[128:].mean(), y[128:].std()
    model = net(1, None)
    if not fixed:
        denorm = layers.Normalization(invert=True)
        denorm.adapt(y[128:])
        model = keras.Sequential([keras.Input((_data.D,)), *model.layers, denorm])
    ys = (y - mu) / sd
    out = compiled(model, "mse", x, ys, metrics=["mae"], optimizer=keras.optimizers.Adam(1e-3), epochs=10)
    return split(out, x, ys)


# ---------------------------------------------------------------- forecasting

def trending_windows(seed: int, steps: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """A monthly-sales-like series with a steady upward trend and a seasonal swing, cut into windows (oldest first)."""
    rng = np.random.default_rng(seed)
    t = np.arange(_data.N + steps)
    series = 0.08 * t + 2.0 * np.sin(2 * np.pi * t / 12) + 0.3 * rng.normal(size=len(t))
    windows = np.stack([series[i:i + steps] for i in range(_data.N)]).astype("float32")
    return windows, series[steps:steps + _data.N].astype("float32").reshape(-1, 1)


@heldout14("trending-series-forecast-on-levels", ("overfitting", "stalled", "val-without-train", "both-rising",
                                                  "loss-metric-mismatch", "divergence"),
           ("overfitting", "stalled", "val-without-train"),
           r"differenc(e|ing) (the )?(series|data|targets?|inputs)|first differences|\bstationar\w*|de-?trend\w*|"
           r"\btrend\w*\b.{0,80}(outside|beyond|above|higher than|never seen|not seen|extrapolat\w*)|extrapolat\w*"
           r".{0,60}(trend|levels? of the series|beyond the training range)|(predict|forecast)\w* (the )?(changes?|"
           r"deltas?|differences|increments?|returns)\b|relative to the last (value|observation|step)",
           "a one-step-ahead sales forecaster (windows of 10 months, a steadily rising series with a yearly swing) "
           "split in time order, the last 40% of the windows for validation, with inputs and target min-max scaled "
           "on the training period and an MLP with tanh hidden layers: every validation level lies above the "
           "training range, the tanh units saturate there, and the validation loss ends ~27 times above the "
           "training loss (0.011 against 0.0004) where the differenced twin's two losses meet (0.0015) (SO/forum-style 'LSTM forecast fine on training data, flat / "
           "too low on the test period, series has a trend'); fix: difference the series (inputs relative to the "
           "window's last value, the target the next change), so the network never has to extrapolate levels")
def _(fixed):
    w, y = trending_windows(seed=1403)
    n_tr = int(0.6 * len(w))
    if fixed:
        last = w[:, -1:]
        w, y = w - last, y - last
    lo, hi = w[:n_tr].min(), w[:n_tr].max()
    w, y = (w - lo) / (hi - lo), (y - lo) / (hi - lo)
    model = keras.Sequential([keras.Input((10,)), layers.Dense(32, activation="tanh"),
                              layers.Dense(32, activation="tanh"), layers.Dense(1)])
    out = compiled(model, "mse", w[:n_tr], y[:n_tr], metrics=["mae"], optimizer=keras.optimizers.Adam(3e-3),
                   epochs=12, shuffle=True)
    return with_validation(out, w[n_tr:], y[n_tr:])


def intermittent_demand(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily demand that is zero on ~75% of the days (the chance of a sale never passes 45%); its size and that
    chance both depend on the features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(_data.N, _data.D)).astype("float32")
    w, v = rng.normal(size=_data.D) / np.sqrt(_data.D), rng.normal(size=_data.D) / np.sqrt(_data.D)
    sells = rng.random(_data.N) < 0.45 / (1 + np.exp(-3.0 * (x @ v)))
    size = 4.0 * np.exp(0.6 * (x @ w))
    return x, (sells * size).astype("float32").reshape(-1, 1)


@heldout14("mae-loss-on-mostly-zero-demand", ("loss-metric-mismatch", "stalled", "no-learning", "dead-relu"),
           ("loss-metric-mismatch", "stalled", "no-learning"),
           r"\bmedian\b (\w+ ){0,4}(is|are|equals|of) (zero|0)\b|(zero|0\b).{0,60}\bmedian\b|(mae|mean[_ ]absolute[_ ]"
           r"error|l1|absolute[- ]error) (loss )?.{0,60}(median|predicts? (zero|0)\b|intermittent|zero[- ]inflated)|(use|switch to|train with|change the "
           r"loss to) (the )?(mse|mean squared error|poisson|tweedie)\b|zero[- ]inflated|intermittent demand|"
           r"(mostly|many|most|majority of).{0,20}zeros?.{0,40}(target|demand|sales|days)",
           "a daily-demand regression where the product sells nothing on about three days in four (on no day is a sale more likely than not), compiled with "
           "loss='mae' ('robust to the big days') and an mse metric: for every input the median demand is 0, so "
           "mean absolute error is minimised by predicting (nearly) 0 and the network learns little more; the mae "
           "loss dips and flattens while the mse metric hardly moves (8.2 -> 8.05 in ten epochs, the "
           "same model trained on mse gets to 5.2), and the forecast sums to a fraction of the real demand "
           "(forum-style 'my sales forecast predicts zero for every day / MAE loss on sparse demand'); fix: a "
           "loss whose optimum is the mean, loss='mse' (or a Poisson / Tweedie loss)")
def _(fixed):
    x, y = intermittent_demand(seed=1407)
    out = compiled(net(1, None), "mse" if fixed else "mae", x, y,
                   metrics=[keras.metrics.MeanSquaredError(name="mse"), keras.metrics.MeanAbsoluteError(name="mae")],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=10)
    return split(out, x, y)


# ---------------------------------------------------------------- images

def quadrant_images(seed: int, size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Grey ``size`` x ``size`` scans (0..255) with a blank four-row margin at the top (the scanner's lid) and a
    bright 3x3 patch in one of four quadrants of the rest; the label is the quadrant."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 80, size=(_data.N, size, size)).astype("float32")
    x[:, :4] = rng.uniform(0, 10, size=(_data.N, 4, size))
    y = rng.integers(0, 4, size=_data.N)
    for i, c in enumerate(y):
        r0, c0 = 4 + 6 * (c // 2), 8 * (c % 2)
        dr, dc = rng.integers(0, 4), rng.integers(0, 6)
        x[i, r0 + dr:r0 + dr + 3, c0 + dc:c0 + dc + 3] += 170
    return x, y.astype("int64")


@heldout14("images-shrunk-with-np-resize", ("stuck-at-chance", "overfitting", "label-problem", "cannot-overfit-batch",
                                            "loss-metric-mismatch", "val-without-train"),
           ("stuck-at-chance", "overfitting", "label-problem", "cannot-overfit-batch"),
           r"np\.resize|numpy\.resize|(resiz\w*|downsampl\w*|downscal\w*|shrink\w*) .{0,60}(crops?|cropping|"
           r"truncat\w*|first (rows|pixels|\d+ (rows|pixels|values))|top (rows|part|half|of the image)|repeat\w*|"
           r"interpolat\w*)|cv2\.resize|tf\.image\.resize|layers\.Resizing|skimage\.transform|Image\.resize",
           "16x16 grey images shrunk to 8x8 'for speed' with np.resize(img, (8, 8)), the numpy function that "
           "reshapes the flattened array and fills the new shape with its first 64 values: no interpolation, the "
           "8x8 array is the image's top four rows, which on these scans are the blank margin above the picture, so "
           "every patch vanishes; the four-quadrant classifier (Flatten -> Dense) stays at chance (training accuracy ~0.29, "
           "validation ~0.21, the loss at ln 4 = 1.39) (SO-style 'np.resize distorts my images / resized "
           "images look wrong, model accuracy 25%'); fix: resize by interpolation or area averaging "
           "(cv2.resize / tf.image.resize / keras.layers.Resizing; here the mean of each 2x2 block)")
def _(fixed):
    x, y = quadrant_images(seed=1402)
    if fixed:
        small = x.reshape(_data.N, 8, 2, 8, 2).mean(axis=(2, 4))
    else:
        small = np.stack([np.resize(img, (8, 8)) for img in x])
    small = (small / 255.0).astype("float32")
    model = keras.Sequential([keras.Input((8, 8)), layers.Flatten(), layers.Dense(32, activation="relu"),
                              layers.Dense(4, activation="softmax")])
    out = compiled(model, "sparse_categorical_crossentropy", small, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(3e-3), epochs=12)
    return split(out, small, y)


def colour_markers(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """8x8 RGB images (0..255) of a noisy grey background with a red, a blue or a green 3x3 marker anywhere."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(60, 120, size=(_data.N, 8, 8, 1)).repeat(3, axis=-1)
    x += rng.normal(0, 8, size=x.shape)
    y = rng.integers(0, 3, size=_data.N)
    colour = np.array([[220, 40, 40], [40, 40, 220], [40, 200, 40]], dtype="float64")  # red, blue, green
    for i, c in enumerate(y):
        r, col = rng.integers(0, 6, size=2)
        x[i, r:r + 3, col:col + 3] = colour[c] + rng.normal(0, 8, size=(3, 3, 3))
    return np.clip(x, 0, 255).astype("float32"), y.astype("int64")


@heldout14("validation-images-read-as-bgr", ("overfitting", "val-without-train", "loss-metric-mismatch",
                                             "label-problem", "both-rising", "divergence"),
           ("overfitting", "loss-metric-mismatch", "label-problem"),
           r"\bBGR\b|cvtColor|COLOR_BGR2RGB|channel order (is |was |are )?(swapped|reversed|different|mismatched)|(colou?r|rgb) (channels?|order|channel order).{0,60}"
           r"(swap\w*|revers\w*|differ\w*|flip\w*|mismatch\w*)|(swap\w*|revers\w*|flip\w*) .{0,30}(the )?(colou?r|"
           r"rgb) channels|red and blue.{0,40}(swap|revers|exchang)",
           "a small CNN that tells red, blue and green markers apart; the training images were read with "
           "cv2.imread and converted to RGB, while the validation images come from a second loader written with "
           "cv2.imread alone, so they stay in BGR order: red markers look blue and blue ones red, the training "
           "accuracy reaches 1.0 while validation accuracy falls to about a third and the validation loss "
           "climbs far above its start (SO-style 'OpenCV and PIL give different predictions / validation "
           "accuracy low, colours swapped'); fix: convert the validation images too, "
           "cv2.cvtColor(img, cv2.COLOR_BGR2RGB) (one colour order for every split)")
def _(fixed):
    x, y = colour_markers(seed=1406)
    x = x / 255.0
    x_val = x[:128] if fixed else x[:128, :, :, ::-1]
    model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(8, 3, activation="relu"),
                              layers.GlobalMaxPooling2D(), layers.Dense(16, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    out = compiled(model, "sparse_categorical_crossentropy", x[128:], y[128:], metrics=["accuracy"],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=10)
    return with_validation(out, np.ascontiguousarray(x_val), y[:128])


# ---------------------------------------------------------------- loss written by hand

def blob_masks(seed: int, size: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Noisy ``size`` x ``size`` images with one bright 2x2 blob each, and its mask (4 of 144 pixels are foreground)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.3, size=(_data.N, size, size, 1)).astype("float32")
    mask = np.zeros_like(x)
    for i in range(_data.N):
        r, c = rng.integers(0, size - 2, size=2)
        x[i, r:r + 2, c:c + 2] += 1.5
        mask[i, r:r + 2, c:c + 2] = 1.0
    return x, mask


def dice_loss(smooth: float):
    """Soft Dice loss per image, 1 - (2 |P n T| + smooth) / (|P| + |T| + smooth), written by hand."""
    def loss(y_true, y_pred):
        inter = keras.ops.sum(y_true * y_pred, axis=(1, 2, 3))
        total = keras.ops.sum(y_true, axis=(1, 2, 3)) + keras.ops.sum(y_pred, axis=(1, 2, 3))
        return 1.0 - (2.0 * inter + smooth) / (total + smooth)
    return loss


@heldout14("dice-loss-smoothing-term-too-large", ("loss-metric-mismatch", "misleading-accuracy", "class-imbalance",
                                                  "stalled", "no-learning", "dead-relu"),
           ("loss-metric-mismatch", "misleading-accuracy", "class-imbalance"),
           r"smooth(ing)?[_ ]?(term|constant|factor|value|parameter)|smooth ?=|(dice|jaccard|iou)[- ]loss.{0,80}"
           r"(constant|epsilon|empty|background|all[- ]zeros?)|(predict\w*|output\w*) (an )?(empty|all[- ](zero|"
           r"black|background)) masks?",
           "a small fully convolutional segmenter for tiny objects (a 2x2 blob in a 12x12 image, 3% of the pixels) "
           "trained with a hand-written soft Dice loss whose smoothing constant was copied as smooth=100 from a "
           "kernel for large masks: with the constant far above the mask sizes, (2|P n T| + 100) / (|P| + |T| + 100) "
           "is nearly 1 for an empty prediction, so the cheapest way down is to predict no foreground at all; the "
           "loss falls from 0.33 to 0.04 and looks healthy while the recall of the blob pixels drops to 0 "
           "(forum-style 'U-Net with dice loss predicts all-black masks, loss low'); fix: a smoothing constant "
           "of about 1 (smooth=1), small next to the masks' pixel counts")
def _(fixed):
    x, mask = blob_masks(seed=1404)
    model = keras.Sequential([keras.Input((12, 12, 1)), layers.Conv2D(8, 3, padding="same", activation="relu"),
                              layers.Conv2D(8, 3, padding="same", activation="relu"),
                              layers.Conv2D(1, 1, activation="sigmoid")])
    out = compiled(model, dice_loss(1.0 if fixed else 100.0), x, mask,
                   metrics=[keras.metrics.Recall(name="recall"), keras.metrics.Precision(name="precision")],
                   optimizer=keras.optimizers.Adam(1e-2), epochs=8)
    return split(out, x, mask)


# ---------------------------------------------------------------- optimisation

@heldout14("exponential-decay-rate-as-share-lost", ("lr-decay-too-fast", "stalled", "no-learning", "update-ratio",
                                                    "stuck-at-chance"),
           ("lr-decay-too-fast", "stalled", "update-ratio"),
           r"decay_rate\b.{0,80}(0\.9\d*|kept|retain\w*|fraction|share|close to 1|near 1|multipli\w*|remain\w*)|"
           r"decay rate .{0,60}(kept|retained|remain\w*|keeps|multipl\w*|fraction|share)|(kept|retained|remaining) "
           r"(fraction|share|factor).{0,40}(decay|learning rate|lr)|0\.99 (instead of|not|rather than) 0\.01|"
           r"(fraction|share) of the (learning )?rate (that is )?kept",
           "a per-step exponential decay, ExponentialDecay(1e-1, decay_steps=10, decay_rate=0.01), meant as 'lose "
           "1% every 10 steps': Keras' decay_rate is the share kept, lr * decay_rate ** (step / decay_steps), so the "
           "SGD rate is divided by 100 every 10 steps, is ~4e-4 after the first epoch and ~1e-25 at the end; the "
           "loss falls a little in the first batches and then freezes far above where the same schedule with "
           "decay_rate=0.99 ends (SO-style 'ExponentialDecay makes the model stop learning after one epoch'); fix: "
           "decay_rate=0.99 (the fraction of the rate kept)")
def _(fixed):
    x, y = _data.classes(3, seed=1405)
    sched = keras.optimizers.schedules.ExponentialDecay(1e-1, decay_steps=10, decay_rate=0.99 if fixed else 0.01)
    out = compiled(net(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"],
                   optimizer=keras.optimizers.SGD(sched, momentum=0.9), epochs=10)
    return split(out, x, y)
