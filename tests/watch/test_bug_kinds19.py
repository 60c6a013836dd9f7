"""Live checks that name the repair, not only the symptom (fixer bugs19): momentum that never decays, the
initialiser's scale under saturating activations, and the first-layer input hook's bound."""

from __future__ import annotations

import torch
from torch import nn

from traindoc.checks.input_norm import FIRST_INPUT_FORWARDS, FirstLayerInput


def test_the_first_layer_input_hook_gives_up_on_a_model_that_never_trains():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).eval()
    probe = FirstLayerInput()
    probe.hook(model, lambda f: f)
    assert probe.handles
    x = torch.randn(16, 4)
    for _ in range(FIRST_INPUT_FORWARDS - 1):
        model(x)
    assert probe.handles and probe.scaled is None  # still waiting for a training forward
    model(x)
    assert probe.handles == [] and probe.scaled is None
    assert not model._forward_pre_hooks and not model[0]._forward_pre_hooks


def test_the_first_layer_input_hook_reads_a_training_forward_after_eval_ones():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).eval()
    probe = FirstLayerInput()
    probe.hook(model, lambda f: f)
    for _ in range(3):
        model(torch.randn(16, 4))
    model.train()
    model(torch.randn(16, 4) * 1000 + 500)
    assert probe.handles == [] and probe.scaled is False
