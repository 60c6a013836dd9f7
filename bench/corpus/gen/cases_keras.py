"""Runs trained with Keras 3 (torch backend) and logged by keras.callbacks.CSVLogger."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

from . import data
from .registry import case


def _keras():
    import keras

    return keras


def _clf(dim: int, classes: int, hidden: int = 32):
    keras = _keras()
    m = keras.Sequential([keras.Input((dim,)), keras.layers.Dense(hidden, activation="relu"),
                          keras.layers.Dense(classes)])
    m.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return m


def _blobs(n: int, dim: int, classes: int, sep: float, seed: int):
    x, y = data.blobs(n, dim, classes, sep, seed)
    return x.numpy(), y.numpy()


def _fit(model, x, y, out: Path, epochs: int, seed: int, append: bool = False, batch: int = 32):
    keras = _keras()
    keras.utils.set_random_seed(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = int(len(x) * 0.8)
    model.fit(x[:n], y[:n], validation_data=(x[n:], y[n:]), epochs=epochs, batch_size=batch, verbose=0,
              callbacks=[keras.callbacks.CSVLogger(str(out), append=append)])
    return out


@case("keras-appended-two-fits", 201, expected=["appended-runs"], group="keras",
      reason="CSVLogger(append=True) and fit() called twice (a re-run of the script): epochs restart at 0 in the same file")
def k_append(out: Path, seed: int) -> Path:
    p = out / "training.log"
    if p.exists():
        p.unlink()
    x, y = _blobs(1500, 16, 4, 1.0, seed)
    _keras().utils.set_random_seed(seed)
    _fit(_clf(16, 4), x, y, p, 12, seed, append=True)
    _keras().utils.set_random_seed(seed + 1)
    _fit(_clf(16, 4), x, y, p, 12, seed + 1, append=True)
    return p


@case("keras-too-short-3-epochs", 202, expected=["too-short"], group="keras",
      reason="three epochs only: too few points to judge a trend")
def k_short(out: Path, seed: int) -> Path:
    x, y = _blobs(1000, 16, 4, 1.0, seed)
    _keras().utils.set_random_seed(seed)
    return _fit(_clf(16, 4), x, y, out / "training.log", 3, seed)


@case("keras-healthy-mlp-20-epochs", 203, healthy=True, group="keras",
      reason="Keras MLP, 20 epochs: loss and val_loss fall and flatten, accuracy rises")
def k_mlp(out: Path, seed: int) -> Path:
    x, y = _blobs(2000, 20, 6, 0.9, seed)
    _keras().utils.set_random_seed(seed)
    return _fit(_clf(20, 6, 64), x, y, out / "training.log", 20, seed)


@case("keras-healthy-cnn-12-epochs", 204, healthy=True, group="keras",
      reason="Keras CNN on synthetic images, 12 epochs: clean descent")
def k_cnn(out: Path, seed: int) -> Path:
    keras = _keras()
    x, y = data.images(1200, 4, 12, 0.9, seed)
    x = np.transpose(x.numpy(), (0, 2, 3, 1))
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input((12, 12, 1)), keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
                          keras.layers.MaxPooling2D(), keras.layers.Flatten(), keras.layers.Dense(4)])
    m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return _fit(m, x, y.numpy(), out / "training.log", 12, seed)


@case("keras-healthy-logreg-15-epochs", 205, healthy=True, group="keras",
      reason="Keras softmax regression, 15 epochs, SGD: slow, steady descent")
def k_logreg(out: Path, seed: int) -> Path:
    keras = _keras()
    x, y = _blobs(1500, 10, 3, 0.7, seed)
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)])
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    return _fit(m, x, y, out / "training.log", 15, seed)


@case("keras-healthy-regression-10-epochs", 206, healthy=True, group="keras",
      reason="Keras regression (MSE, MAE metric), 10 epochs: loss falls fast then slowly")
def k_reg(out: Path, seed: int) -> Path:
    keras = _keras()
    x, y = data.regression(1500, 8, 0.2, seed)
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return _fit(m, x.numpy(), y.numpy(), out / "training.log", 10, seed)
