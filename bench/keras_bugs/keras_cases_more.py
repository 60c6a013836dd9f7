"""More Keras bug pairs, written after the checks were (a check on how far they carry to programs they were not built on).

Two more were tried and dropped: Dense(2, softmax) with binary_crossentropy on a 0/1 column, and
class ids under categorical_crossentropy. Keras 3 refuses both with a shape error: not silent bugs.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import _data
from .keras_cases import case, mlp, program


@case("pixel-target-sigmoid", ("wrong-output-activation",), r"y / |linear|remove the .*activation",
      "a brightness in 0..255 predicted through Dense(1, sigmoid); the fix scales the target to [0, 1]")
def _(fixed):
    x, y = _data.regression(seed=32)
    y = (y - y.min()) / (y.max() - y.min())
    return program(mlp(1, "sigmoid"), "mse", x, y if fixed else y * 255)


@case("cnn-raw-pixels", ("unnormalized-input",), r"standardi|normalis|normaliz",
      "a small CNN with batch-norm and dropout on raw 0..255 images")
def _(fixed):
    x, y = _data.images(3, seed=33)
    x = x.reshape(-1, 8, 8, 1)
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(8, 3, activation="relu"),
                              layers.BatchNormalization(), layers.Flatten(), layers.Dropout(0.2),
                              layers.Dense(3, activation="softmax")])
    return program(model, "sparse_categorical_crossentropy", x / 255.0 if fixed else x, y, lr=1e-2, opt="sgd",
                   metrics=["accuracy"])
