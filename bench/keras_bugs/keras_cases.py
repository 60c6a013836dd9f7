"""Buggy Keras 3 programs modelled on the common StackOverflow bug classes, each with its fixed twin.

Each case builds ``(model, x, y, fit_kwargs)`` for ``fixed=False`` (the bug) and ``fixed=True``
(the accepted fix). ``ids`` are the finding ids that name the bug's symptom or cause; ``fix`` is a
regular expression that the text of a finding must match to count as naming the right change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np
from keras import layers

from . import _data

CASES: list["Case"] = []


@dataclass
class Case:
    name: str
    framework: str
    build: Callable[[bool], dict]
    ids: tuple[str, ...]
    fix: str
    about: str = ""
    extra: dict = field(default_factory=dict)


def case(name: str, ids: tuple[str, ...], fix: str, about: str = "", framework: str = "keras"):
    def register(func):
        CASES.append(Case(name, framework, func, ids, fix, about))
        return func
    return register


def mlp(out: int, act: str | None, hidden: int = 32, d: int = _data.D, **kw) -> keras.Model:
    return keras.Sequential([keras.Input((d,)), layers.Dense(hidden, activation="relu", **kw),
                             layers.Dense(hidden, activation="relu"), layers.Dense(out, activation=act)])


def program(model, loss, x, y, *, lr: float = 1e-2, opt: str = "adam", metrics=None, epochs: int = 8,
            batch_size: int = 32) -> dict:
    optimizer = keras.optimizers.Adam(lr) if opt == "adam" else keras.optimizers.SGD(lr)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics or [])
    return {"model": model, "x": x, "y": y, "fit": {"epochs": epochs, "batch_size": batch_size, "verbose": 0}}


@case("sigmoid-regression-output", ("wrong-output-activation",), r"linear|remove the .*activation",
      "a regression target with negatives through Dense(1, sigmoid) + mse")
def _(fixed):
    x, y = _data.regression()
    return program(mlp(1, None if fixed else "sigmoid"), "mse", x, y)


@case("relu-regression-output", ("wrong-output-activation",), r"linear|remove the .*activation",
      "a regression target with negatives through Dense(1, relu) + mse")
def _(fixed):
    x, y = _data.regression(seed=1)
    return program(mlp(1, None if fixed else "relu"), "mse", x, y)


@case("softmax-one-unit", ("wrong-output-activation",), r"sigmoid",
      "binary labels, Dense(1, softmax) + binary_crossentropy: the output is always 1")
def _(fixed):
    x, y = _data.binary()
    return program(mlp(1, "sigmoid" if fixed else "softmax"), "binary_crossentropy", x, y, metrics=["accuracy"])


@case("softmax-mse", ("wrong-output-activation",), r"categorical_crossentropy",
      "one-hot targets, softmax output trained with mse")
def _(fixed):
    x, y = _data.classes(3, seed=2)
    return program(mlp(3, "softmax"), "categorical_crossentropy" if fixed else "mse", x, _data.onehot(y, 3),
                   lr=1e-3, metrics=["accuracy"])


@case("sigmoid-categorical-ce", ("wrong-output-activation",), r"softmax",
      "three classes, Dense(3, sigmoid) + categorical_crossentropy")
def _(fixed):
    x, y = _data.classes(3, seed=3)
    return program(mlp(3, "softmax" if fixed else "sigmoid"), "categorical_crossentropy", x, _data.onehot(y, 3),
                   metrics=["accuracy"])


@case("one-sigmoid-three-classes", ("label-problem", "wrong-output-activation"), r"Dense\(3",
      "labels 0/1/2 through one unit and binary cross-entropy (sigmoid inside the loss)")
def _(fixed):
    x, y = _data.classes(3, seed=4)
    if fixed:
        return program(mlp(3, "softmax"), "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])
    return program(mlp(1, None), keras.losses.BinaryCrossentropy(from_logits=True), x, y.astype("float32"),
                   metrics=["accuracy"])


@case("softmax-one-unit-regression", ("wrong-output-activation",), r"linear|remove the .*activation",
      "a regression output Dense(1, softmax) + mse: the prediction is always 1")
def _(fixed):
    x, y = _data.regression(seed=5)
    return program(mlp(1, None if fixed else "softmax"), "mse", x, y)


@case("labels-divided-by-255", ("label-problem",), r"label",
      "y_train / 255 instead of x_train / 255: sparse labels collapse to a constant")
def _(fixed):
    x, y = _data.images(3)
    if fixed:
        return program(mlp(3, "softmax", d=64), "sparse_categorical_crossentropy", x / 255.0, y,
                       lr=1e-3, metrics=["accuracy"])
    return program(mlp(3, "softmax", d=64), "sparse_categorical_crossentropy", x / 255.0,
                   (y / 255.0).astype("float32"), lr=1e-3, metrics=["accuracy"])


@case("regression-labels-binary-ce", ("label-problem",), r"mean_squared_error|mse",
      "continuous targets in [0, 100] trained with binary cross-entropy on logits")
def _(fixed):
    x, y = _data.regression(seed=6)
    y = (y - y.min()) / (y.max() - y.min()) * 100
    if fixed:
        return program(mlp(1, None), "mse", x, y)
    return program(mlp(1, None), keras.losses.BinaryCrossentropy(from_logits=True), x, y)


@case("svm-labels-binary-ce", ("label-problem",), r"\b0 (and|or) 1\b|\[0, 1\]|0/1",
      "labels in {-1, +1} under binary cross-entropy on logits: the loss goes negative")
def _(fixed):
    x, y = _data.binary(seed=7)
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    return program(mlp(1, None), loss, x, y if fixed else 2 * y - 1, metrics=["accuracy"])


@case("softmax-binary-ce-onehot", ("wrong-output-activation",), r"categorical_crossentropy",
      "one-hot targets for 4 classes, softmax output, binary_crossentropy (accuracy is inflated)")
def _(fixed):
    x, y = _data.classes(4, seed=8)
    return program(mlp(4, "softmax"), "categorical_crossentropy" if fixed else "binary_crossentropy", x,
                   _data.onehot(y, 4), lr=1e-3, metrics=["accuracy"])


@case("no-activation-ce-probabilities", ("wrong-output-activation",), r"softmax|from_logits",
      "Dense(3) with no activation, categorical_crossentropy expecting probabilities")
def _(fixed):
    x, y = _data.classes(3, seed=9)
    return program(mlp(3, "softmax" if fixed else None), "categorical_crossentropy", x, _data.onehot(y, 3),
                   metrics=["accuracy"])


@case("softmax-from-logits", ("double-softmax",), r"from_logits|remove",
      "Dense(3, softmax) fed to SparseCategoricalCrossentropy(from_logits=True)")
def _(fixed):
    x, y = _data.classes(3, seed=10)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return program(mlp(3, None if fixed else "softmax"), loss, x, y, metrics=["accuracy"])


@case("unnormalised-inputs", ("unnormalized-input",), r"standardi|normalis|normaliz",
      "raw pixel values in [0, 255] fed to a small MLP with sgd")
def _(fixed):
    x, y = _data.images(3, seed=11)
    return program(mlp(3, "softmax", d=64), "sparse_categorical_crossentropy", x / 255.0 if fixed else x, y,
                   lr=1e-2, opt="sgd", metrics=["accuracy"])


@case("unnormalised-features", ("unnormalized-input",), r"standardi|normalis|normaliz",
      "tabular features with an offset of 1000 and scales up to 1e4")
def _(fixed):
    x, y = _data.classes(2, seed=12)
    raw = x * np.logspace(0, 4, x.shape[1]).astype("float32") + 1000
    return program(mlp(1, "sigmoid"), "binary_crossentropy", x if fixed else raw, y.astype("float32"),
                   lr=1e-3, metrics=["accuracy"])


@case("lr-far-too-high", ("divergence", "nonfinite", "lr-too-high", "update-ratio", "stuck-at-chance"),
      r"learning rate|\blr\b", "SGD with lr=20")
def _(fixed):
    x, y = _data.classes(3, seed=13)
    return program(mlp(3, "softmax"), "sparse_categorical_crossentropy", x, y, opt="sgd", lr=0.05 if fixed else 20.0,
                   metrics=["accuracy"])


@case("dead-relu", ("dead-relu", "zero-gradients", "poor-initialization"), r"bias|initiali|leaky",
      "hidden biases initialised to -10: every ReLU is dead from the first step")
def _(fixed):
    x, y = _data.classes(3, seed=14)
    init = "zeros" if fixed else keras.initializers.Constant(-10.0)
    model = keras.Sequential([keras.Input((_data.D,)), layers.Dense(32, activation="relu", bias_initializer=init),
                              layers.Dense(32, activation="relu", bias_initializer=init),
                              layers.Dense(3, activation="softmax")])
    return program(model, "sparse_categorical_crossentropy", x, y, metrics=["accuracy"])


@case("constant-labels", ("label-problem",), r"label",
      "the target column is a constant (the wrong field was loaded)")
def _(fixed):
    x, y = _data.classes(3, seed=15)
    return program(mlp(3, "softmax"), "sparse_categorical_crossentropy", x, y if fixed else np.zeros_like(y),
                   metrics=["accuracy"])


@case("regression-with-accuracy", ("wrong-output-activation",), r"linear|remove the .*activation",
      "a regression with metrics=['accuracy'] and a tanh output; the fix removes tanh (accuracy stays)")
def _(fixed):
    x, y = _data.regression(seed=16, scale=4.0)
    return program(mlp(1, None if fixed else "tanh"), "mse", x, y, metrics=["accuracy"])
