"""Hidden tanh/sigmoid layers whose initial bias alone sits at the activation's flat end (checks/bias_saturation)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402

from traindoc.checks.bias_saturation import bias_saturation_findings  # noqa: E402
from traindoc.checks.torch_config import config_findings  # noqa: E402


def _tower(act=nn.Tanh, bias=0.0, out_bias=0.0, depth=3):
    torch.manual_seed(0)
    layers, width = [], 5
    for _ in range(depth):
        lin = nn.Linear(width, 32)
        if bias:
            nn.init.constant_(lin.bias, bias)
        layers += [lin, act()]
        width = 32
    head = nn.Linear(width, 1)
    nn.init.constant_(head.bias, out_bias)
    return nn.Sequential(*layers, head, nn.Sigmoid())


@pytest.mark.parametrize("act,bias,named", [(nn.Tanh, 3.0, True), (nn.Tanh, -3.0, True), (nn.Tanh, 1.0, False),
                                            (nn.Tanh, 0.0, False), (nn.Sigmoid, 5.0, True), (nn.Sigmoid, 3.0, False),
                                            (nn.ReLU, 3.0, False)])
def test_a_hidden_bias_at_the_flat_end_is_named_with_its_initialiser(act, bias, named):
    found = bias_saturation_findings(_tower(act, bias))
    assert bool(found) == named
    if named:
        f = found[0]
        assert f.id == "poor-initialization" and len(f.evidence["layers"]) == 3
        assert "zeros_" in f.fixes[0] and "saturated-activation" in f.evidence["explains"]
        assert any(g.evidence.get("subject") == "bias-saturation" for g in config_findings(_tower(act, bias)))


def test_an_output_sigmoid_bias_set_to_a_rare_class_prior_is_not_named():
    assert not bias_saturation_findings(_tower(nn.Tanh, 0.0, out_bias=-4.6))


def test_keras_dense_layers_with_a_constant_bias_initializer_are_named():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("reads the layers through the torch backend")
    layers = keras.layers

    def model(init):
        inp = keras.Input((5,))
        h = inp
        for _ in range(3):
            h = layers.Dense(16, activation="tanh", bias_initializer=init)(h)
        return keras.Model(inp, layers.Dense(3, activation="softmax", bias_initializer=init)(h))

    found = bias_saturation_findings(model(keras.initializers.Constant(3.0)))
    assert found and "bias_initializer" in found[0].fixes[0] and len(found[0].evidence["layers"]) == 3
    assert not bias_saturation_findings(model("zeros"))
