"""Live checks that name the repair, not only the symptom (fixer bugs19): momentum that never decays, the
initialiser's scale under saturating activations, and the first-layer input hook's bound."""

from __future__ import annotations

import math

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


def test_momentum_of_one_is_named_at_once_whatever_the_rate():
    from traindoc.checks.momentum import high_momentum_finding
    from traindoc.checks.torch_config import momentum_findings

    model = nn.Linear(4, 1)
    found = momentum_findings(torch.optim.SGD(model.parameters(), lr=1e-4, momentum=1.0))
    assert [f.id for f in found] == ["update-ratio"]
    assert "never decays" in found[0].title and "momentum=0.9" in found[0].fixes[0]
    assert momentum_findings(torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)) == []
    grows = high_momentum_finding(1.2)
    assert grows is not None and "grows by 1.2x" in grows.title
    assert high_momentum_finding(0.995, 1e-4, "SGD") is None  # 0.99+ with a small rate on a run that went well


def _tanh_stack(std: float | None, width: int = 128, norm: bool = False) -> nn.Module:
    mods: list = []
    d = 10
    for _ in range(4):
        lin = nn.Linear(d, width)
        if std is not None:
            nn.init.normal_(lin.weight, 0.0, std)
        mods += [lin, *([nn.LayerNorm(width)] if norm else []), nn.Tanh()]
        d = width
    return nn.Sequential(*mods, nn.Linear(d, 3))


def test_an_initialiser_scale_not_divided_by_sqrt_fan_in_is_named_with_the_scale_to_use():
    from traindoc.checks.init_scale import init_scale_findings
    from traindoc.checks.torch_config import config_findings

    torch.manual_seed(0)
    found = init_scale_findings(_tanh_stack(0.5))
    assert [f.id for f in found] == ["poor-initialization"]
    f = found[0]
    assert f.evidence["fan_in"] == 128 and min(f.evidence["gains"]) > 5  # 0.5 * sqrt(128) = 5.7
    assert "std 0.5" in f.title and "1/sqrt(fan_in)" in f.fixes[0] and "0.0884" in f.fixes[0]
    assert any(g.evidence.get("subject") == "init-scale" for g in config_findings(_tanh_stack(0.5)))
    assert init_scale_findings(_tanh_stack(None)) == []  # PyTorch's default init: gain 1/sqrt(3)
    assert init_scale_findings(_tanh_stack(0.5, norm=True)) == []  # a norm after each layer removes the scale
    assert init_scale_findings(_tanh_stack(0.02, width=128)) == []  # small: not this check's direction


def test_a_keras_initialiser_is_named_by_its_config(tmp_path):
    import keras

    from traindoc.checks.init_scale import init_scale_findings

    def model(init):
        return keras.Sequential([keras.Input((12,)), *[keras.layers.Dense(64, activation="tanh",
                                                                           kernel_initializer=init)
                                                       for _ in range(3)], keras.layers.Dense(2)])

    bad = init_scale_findings(model(keras.initializers.VarianceScaling(scale=64.0, mode="fan_in", seed=1)))
    assert len(bad) == 1 and "VarianceScaling(scale=64.0" in bad[0].title
    assert "gain squared" in bad[0].fixes[0]
    assert init_scale_findings(model("glorot_uniform")) == []
    assert init_scale_findings(model("he_normal")) == []


def _bounds(outputs, targets, batches: int = 6):
    from traindoc.checks.output_values import OutputBounds

    b = OutputBounds()
    for _ in range(batches):
        b.add(outputs(), targets(), "regression")
    return b.finding(10.0, "MSELoss", False)


def test_a_saturated_symmetric_head_under_targets_in_other_units_names_the_rescale():
    torch.manual_seed(0)
    head = lambda: math.pi * torch.tanh(torch.randn(32, 1) * 4)  # noqa: E731  pinned at +-pi
    f = _bounds(head, lambda: torch.randn(32, 1) * 60)
    assert f is not None and f.id == "wrong-output-activation" and f.evidence["subject"] == "output-bound"
    assert "bounded at +-3.14" in f.title and "Rescale the targets" in f.fixes[-1]
    degrees = _bounds(head, lambda: (torch.rand(32, 1) * 2 - 1) * 180)
    assert degrees is not None and "deg2rad" in degrees.fixes[0]
    # the same head on targets inside its range, and a linear output that has not reached large targets yet
    assert _bounds(head, lambda: torch.randn(32, 1)) is None
    assert _bounds(lambda: torch.randn(32, 1) * 0.5, lambda: torch.randn(32, 1) * 60) is None


def test_a_decaying_step_optimizer_at_its_default_rate_is_named_only_when_the_run_barely_moved():
    from traindoc.checks.train_config import RunProgress, TrainConfig, default_rate_finding

    cfg = TrainConfig("keras", "Adagrad", lr=0.001, default_lr=0.001)
    stuck = RunProgress(first_loss=1.12, last_loss=1.06)
    f = default_rate_finding(cfg, stuck)
    assert f is not None and f.id == "stalled" and "Raise the learning rate" in f.fixes[0]
    assert default_rate_finding(cfg, RunProgress(first_loss=1.12, last_loss=0.1)) is None  # it learned
    assert default_rate_finding(TrainConfig("keras", "Adagrad", lr=0.05, default_lr=0.001), stuck) is None
    assert default_rate_finding(TrainConfig("keras", "Adam", lr=0.001, default_lr=0.001), stuck) is None


def test_the_keras_config_reads_the_rate_and_the_class_default_without_building_anything():
    import keras

    from traindoc.probes.integrations.keras_config import _rates

    rate, default = _rates(keras.optimizers.Adagrad())
    assert math.isclose(rate, 0.001, rel_tol=1e-6) and default == 0.001
    rate, default = _rates(keras.optimizers.Adadelta(learning_rate=1.0))
    assert rate == 1.0 and default == 0.001
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.5)
    assert _rates(keras.optimizers.SGD(sched))[0] is None


def test_a_schedule_that_grows_through_a_run_whose_loss_climbed_back_names_the_factor():
    from traindoc.checks.train_config import RunProgress, Schedule, TrainConfig, config_findings

    grow = Schedule("ExponentialDecay", 12.0, 4e28, 2250, start=0.01, end=12.0,
                    settings={"initial_learning_rate": 0.01, "decay_steps": 15.0, "decay_rate": 1.6})
    cfg = TrainConfig("keras", "SGD", planned_steps=225, schedule=grow)
    found = config_findings(cfg, RunProgress(first_loss=1.68, last_loss=11.5))
    assert [f.evidence["subject"] for f in found] == ["lr-schedule"]
    assert "grows" in found[0].title and "decay_rate=1.6 is above 1" in found[0].causes[0]
    assert "never gets going" not in found[0].title
    # the same schedule on a run that kept improving, and a decaying one: nothing
    assert config_findings(cfg, RunProgress(first_loss=1.68, last_loss=0.2, best_loss=0.2)) == []
    decay = Schedule("ExponentialDecay", 0.01, 0.01, 0, start=0.01, end=0.001, settings={"decay_rate": 0.9})
    assert config_findings(TrainConfig("keras", "SGD", planned_steps=225, schedule=decay),
                           RunProgress(first_loss=1.68, last_loss=11.5)) == []
    swapped = Schedule("PolynomialDecay", 1.5, 1.5, 160, start=1e-3, end=1.5,
                       settings={"initial_learning_rate": 1e-3, "end_learning_rate": 1.5})
    f = config_findings(TrainConfig("keras", "SGD", planned_steps=160, schedule=swapped),
                        RunProgress(first_loss=1.2, last_loss=0.9, best_loss=0.4))
    assert f and "Swap the two rates" in f[0].fixes[0]


def test_one_class_in_the_sampled_batches_against_a_mixed_validation_sample_is_sorted_data_not_constant_labels():
    import numpy as np

    from traindoc.probes.integrations.keras_split import sorted_batches_finding

    train = np.zeros(256, "int64")
    mixed = np.repeat([0, 1, 2], [50, 40, 38])
    f = sorted_batches_finding(train, mixed, 8.0)
    assert f is not None and f.id == "unshuffled-data" and "sorted by label" in f.title
    assert "shuffle=True" in f.fixes[0] and "np.unique(y)" in f.fixes[1]
    assert sorted_batches_finding(train, np.zeros(128, "int64"), 8.0) is None  # constant everywhere: the labels
    assert sorted_batches_finding(train, np.repeat([0, 1], [120, 8]), 8.0) is None  # validation nearly all 0 too
    assert sorted_batches_finding(np.repeat([0, 1], 128), mixed, 8.0) is None  # the sample holds two classes


def test_the_keras_callback_names_label_sorted_batches_and_keeps_constant_labels(tmp_path):
    import keras
    import numpy as np

    from traindoc.probes.integrations.keras import TraindocCallback

    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 6)).astype("float32")
    y = (x[:, :3] @ rng.normal(size=(3, 3))).argmax(1)

    def run(xt, yt, xv, yv, name, shuffle=False):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        cb = TraindocCallback(logdir=str(tmp_path / name), quiet=True)
        model.fit(xt, yt, epochs=2, batch_size=32, shuffle=shuffle, validation_data=(xv, yv), verbose=0,
                  callbacks=[cb])
        return {(f.id, f.evidence.get("subject")) for f in cb.findings}

    order = np.argsort(y, kind="stable")
    sorted_run = run(x[order][:640], y[order][:640], x[640:], y[640:], "sorted")
    assert ("unshuffled-data", "sorted-batches") in sorted_run and ("label-problem", "targets") not in sorted_run
    constant = run(x[:640], np.zeros(640, "int64"), x[640:], np.zeros(160, "int64"), "constant")
    assert ("label-problem", "targets") in constant and ("unshuffled-data", "sorted-batches") not in constant
    # one class in shuffled batches: the whole training y is that class (rows dropped), whatever validation holds
    dropped = run(x[:640], np.zeros(640, "int64"), x[640:], y[640:], "dropped", shuffle=True)
    assert ("label-problem", "targets") in dropped and ("unshuffled-data", "sorted-batches") not in dropped


def test_an_activation_capped_at_its_knee_is_named_with_the_setting_and_leads_the_dead_units():
    import keras

    from traindoc.checks.constant_activation import constant_activation_findings, constant_setting
    from traindoc.checks.structure import is_cause

    assert constant_setting(keras.layers.ReLU(0.0)) == "ReLU(max_value=0)"
    assert constant_setting(keras.layers.ReLU(max_value=6.0)) is None  # ReLU6
    assert constant_setting(keras.layers.ReLU(max_value=0.0, negative_slope=0.1)) is None  # the negative part passes
    assert constant_setting(nn.Hardtanh()) is None and constant_setting(nn.ReLU()) is None
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.ReLU(0.0), keras.layers.Dense(2)])
    found = constant_activation_findings(model)
    assert [f.id for f in found] == ["dead-relu"] and "max_value" in found[0].fixes[0]
    assert is_cause(found[0])
    assert constant_activation_findings(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))) == []


def test_a_recorded_constant_activation_is_rebuilt_by_diagnose(tmp_path):
    import keras
    import numpy as np

    import traindoc
    from traindoc.probes.integrations.keras import TraindocCallback

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.ReLU(0.0), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(128, 4)).astype("float32")
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, x[:, :1], epochs=2, batch_size=32, verbose=0, callbacks=[cb])
    assert any(f.evidence.get("subject") == "constant-activation" and "max_value" in f.fixes[0] for f in cb.findings)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    assert any(f.id == "dead-relu" and f.evidence.get("subject") == "constant-activation" for f in offline)


def test_a_torch_dropout_rate_of_the_keep_probability_is_named_on_a_poor_fit_only():
    from traindoc.checks.train_config import torch_dropout_finding

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.9), nn.Linear(8, 2))
    flat = [1.6 - 0.01 * i for i in range(30)]
    f = torch_dropout_finding(model, flat, 30.0)
    assert f is not None and f.id == "stalled" and "nn.Dropout(p=0.1)" in f.fixes[0]
    assert torch_dropout_finding(model, [1.6 * 0.9 ** i for i in range(30)], 30.0) is None  # it learned
    light = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.3), nn.Linear(8, 2))
    assert torch_dropout_finding(light, flat, 30.0) is None
