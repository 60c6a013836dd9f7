"""model_view reads the output layer and the loss of real torch modules and compiled Keras models."""

import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
from torch import nn  # noqa: E402

from traindoc.checks.model_view import (BINARY_CE, CATEGORICAL_CE, REGRESSION, SPARSE_CE, is_keras,  # noqa: E402
                                        loss_view, output_view)

L = keras.layers


def _seq(*layers, d=4):
    return keras.Sequential([keras.Input((d,)), *layers])


def test_keras_dense_activation_and_units_are_read():
    out = output_view(_seq(L.Dense(8, activation="relu"), L.Dense(1, activation="softmax")))
    assert (out.framework, out.activation, out.units) == ("keras", "softmax", 1)
    assert out.spelled() == "Dense(1, activation='softmax')"
    plain = output_view(_seq(L.Dense(8, activation="relu"), L.Dense(3)))
    assert (plain.activation, plain.units) == ("linear", 3)  # negative control: no activation is 'linear'
    assert plain.spelled() == "Dense(3)"


def test_keras_separate_activation_layer_and_nested_model():
    sep = output_view(_seq(L.Dense(5), L.Activation("sigmoid"), L.Dropout(0.1)))
    assert (sep.activation, sep.units) == ("sigmoid", 5)
    inner = _seq(L.Dense(6, activation="relu"), L.Dense(2, activation="softmax"))
    outer = keras.Sequential([keras.Input((4,)), inner])
    nested = output_view(outer)
    assert (nested.activation, nested.units) == ("softmax", 2)


def test_keras_model_with_two_outputs_is_not_judged():
    inp = keras.Input((4,))
    model = keras.Model(inp, [L.Dense(1, activation="sigmoid")(inp), L.Dense(3)(inp)])
    assert output_view(model) is None


def test_keras_losses_by_name_class_and_compiled():
    assert loss_view("sparse_categorical_crossentropy").kind == SPARSE_CE
    assert loss_view("mse").kind == REGRESSION
    bce = loss_view(keras.losses.BinaryCrossentropy(from_logits=True))
    assert (bce.kind, bce.from_logits) == (BINARY_CE, True)
    cce = loss_view(keras.losses.CategoricalCrossentropy())
    assert (cce.kind, cce.from_logits) == (CATEGORICAL_CE, False)
    model = _seq(L.Dense(3, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    assert loss_view(None, model).kind == CATEGORICAL_CE
    assert loss_view(lambda y, p: (y - p) ** 2).kind is None  # a custom loss: unknown, not guessed


def test_torch_output_and_losses():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    out = output_view(net)
    assert (out.framework, out.activation, out.units) == ("torch", "sigmoid", 1)
    assert output_view(nn.Sequential(nn.Linear(4, 3))).activation == "linear"
    assert loss_view(nn.CrossEntropyLoss()).kind == SPARSE_CE and loss_view(nn.CrossEntropyLoss()).from_logits
    assert loss_view(nn.BCELoss()).kind == BINARY_CE and not loss_view(nn.BCELoss()).from_logits
    assert loss_view(nn.MSELoss()).kind == REGRESSION
    assert loss_view(None) is None


def test_is_keras_tells_frameworks_apart():
    assert is_keras(_seq(L.Dense(1)))
    assert not is_keras(nn.Linear(2, 1))
