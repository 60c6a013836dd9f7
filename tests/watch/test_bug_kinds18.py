"""Session 16's bug classes (held-out set 20's misses, devkinds7): activations that are the identity by their
settings, an optimizer built with maximize=True, a softmax over multi-hot targets under a binary loss, inputs
standardised inside the model (judged at the first weight layer's input), and a gradient that decays through
unsaturated sigmoid layers. Live tests train tiny real models next to their correct twins; rule tests use
synthetic runs.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from traindoc.findings import Severity  # noqa: E402
from traindoc.rules import RULES  # noqa: E402
from traindoc.run import Role, Run, Series  # noqa: E402


# ---------------------------------------------------------------- activations that are the identity

@pytest.mark.parametrize("act, linear", [(nn.LeakyReLU(1.0), True), (nn.Identity(), True),
                                         (nn.LeakyReLU(0.1), False), (nn.ReLU(), False)])
def test_a_sequential_whose_activations_are_the_identity_is_one_linear_map(act, linear):
    from traindoc.checks.linear_stack import linear_stack_findings

    found = linear_stack_findings(nn.Sequential(nn.Linear(4, 8), act, nn.Linear(8, 8), act, nn.Linear(8, 1)))
    assert bool(found) == linear
    if linear and isinstance(act, nn.Identity):  # it stands where the activation goes: named, with that slot's fix
        assert found[0].id == "linear-network" and "nn.Identity()" in found[0].title
        assert found[0].fixes[0].startswith("Add nn.ReLU() after each hidden nn.Linear, in place of the nn.Identity")
    elif linear:
        assert found[0].id == "linear-network" and "identity" in found[0].title
        assert type(act).__name__ in " ".join(found[0].evidence["identity_activations"])


def test_keras_activation_layers_that_are_the_identity_are_seen_through():
    keras = pytest.importorskip("keras")
    from keras import layers

    from traindoc.checks.linear_stack import linear_stack_findings

    def model(act):
        return keras.Sequential([keras.Input((4,)), layers.Dense(8), act(), layers.Dense(8), act(),
                                 layers.Dense(1, activation="sigmoid")])

    leaky = linear_stack_findings(model(lambda: layers.LeakyReLU(negative_slope=1.0)))
    assert leaky and "negative slope below 1" in leaky[0].fixes[0]
    linear = linear_stack_findings(model(lambda: layers.Activation("linear")))
    assert linear and "Activation('linear')" in linear[0].title and "'linear'" in linear[0].fixes[0]
    assert not linear_stack_findings(model(lambda: layers.LeakyReLU(negative_slope=0.2)))
    assert not linear_stack_findings(model(lambda: layers.Activation("relu")))


class _Leaky(nn.Module):
    def __init__(self, slope):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 1)
        self.slope = slope

    def forward(self, x):
        return self.c(F.leaky_relu(self.b(F.leaky_relu(self.a(x), self.slope)), self.slope))


def test_a_leaky_relu_of_slope_one_in_forward_leaves_the_graph_affine():
    from traindoc.checks.affine_graph import affine_finding, affine_layers

    found: list = []
    layers = affine_layers(_Leaky(1.0)(torch.randn(5, 4)), found)
    assert layers == 3 and found == ["LeakyReLU(negative_slope=1)"]
    f = affine_finding(layers, identities=found)
    assert f.id == "linear-network" and "identity" in f.title and "negative_slope" in f.fixes[0]
    assert affine_layers(_Leaky(0.1)(torch.randn(5, 4)), []) == 0


# ---------------------------------------------------------------- gradient ascent

def test_an_optimizer_built_to_maximize_is_named_before_the_first_step():
    from traindoc.checks.ascent import maximize_findings

    w = [nn.Parameter(torch.zeros(3))]
    found = maximize_findings(torch.optim.SGD(w, lr=0.1, maximize=True))
    assert found and found[0].id == "divergence" and found[0].severity == Severity.ERROR
    assert "maximize=True" in found[0].title and found[0].evidence["cause"] is True
    assert maximize_findings(torch.optim.SGD(w, lr=0.1)) == []
    assert maximize_findings(torch.optim.Adam(w, lr=0.1, maximize=False)) == []


def test_maximize_is_named_live_and_leads_the_symptoms():
    torch.manual_seed(0)
    x = torch.randn(256, 6)
    y = (x[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, maximize=True)
    import traindoc

    with traindoc.watch(model, opt, loss_fn=nn.CrossEntropyLoss(), quiet=True) as doc:
        for i in range(24):
            xb, yb = x[(i % 8) * 32:(i % 8 + 1) * 32], y[(i % 8) * 32:(i % 8 + 1) * 32]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            doc.step(loss)
    named = [f for f in doc.findings if f.evidence.get("subject") == "optimizer-maximize"]
    assert named and doc.findings[0] is named[0]


# ---------------------------------------------------------------- softmax over multi-hot targets, binary loss

def _tags(n=128, k=5, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, k)) < 0.5).astype("float32")
    return y


def test_a_keras_softmax_over_multi_hot_targets_under_a_binary_loss_names_sigmoid():
    keras = pytest.importorskip("keras")
    from keras import layers

    from traindoc.checks.structure import structure_findings

    def model(act):
        m = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"), layers.Dense(5, activation=act)])
        m.compile(optimizer="adam", loss="binary_crossentropy")
        return m

    found = [f for f in structure_findings(model("softmax"), None, _tags()) if f.id == "wrong-output-activation"]
    assert found and "multi-hot" in found[0].title and "activation='sigmoid'" in found[0].fixes[0]
    assert not structure_findings(model("sigmoid"), None, _tags())
    onehot = np.eye(5, dtype="float32")[np.arange(128) % 5]  # one class per row: the other finding, not this one
    assert all("multi-hot" not in f.title for f in structure_findings(model("softmax"), None, onehot))


def test_a_torch_softmax_over_multi_hot_targets_is_named_live(fit):
    torch.manual_seed(0)
    x = torch.randn(256, 6)
    y = torch.as_tensor(_tags(256))

    class Net(nn.Module):
        def __init__(self, squash):
            super().__init__()
            self.body, self.head, self.squash = nn.Sequential(nn.Linear(6, 16), nn.ReLU()), nn.Linear(16, 5), squash

        def forward(self, x):
            return self.squash(self.head(self.body(x)))

    bad = fit(Net(lambda z: torch.softmax(z, dim=1)), nn.BCELoss(), x, y, epochs=2)
    assert [f for f in bad if f.id == "wrong-output-activation" and "multi-hot" in f.title]
    good = fit(Net(torch.sigmoid), nn.BCELoss(), x, y, epochs=2)
    assert not [f for f in good if f.id == "wrong-output-activation"]


# ---------------------------------------------------------------- inputs standardised inside the model

def _raw(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 4, generator=g)
    x = z * torch.tensor([800.0, 12.0, 40.0, 300.0]) + torch.tensor([101000.0, 290.0, 500.0, 2400.0])
    return x, (z[:, 0] - z[:, 2] > 0).float().unsqueeze(1)


class _Scaled(nn.Module):
    def __init__(self, x=None):
        super().__init__()
        self.scaled = x is not None
        if self.scaled:
            self.register_buffer("mean", x.mean(0))
            self.register_buffer("std", x.std(0))
        self.fc1, self.bn, self.fc2 = nn.Linear(4, 16), nn.BatchNorm1d(16), nn.Linear(16, 1)

    def forward(self, x):
        if self.scaled:
            x = (x - self.mean) / self.std
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


def test_check_reads_the_first_weight_layer_input_without_changing_rng_modes_or_buffers():
    from traindoc.checks.data_check import data_check
    from traindoc.checks.input_norm import torch_first_input

    x, y = _raw()
    model = _Scaled(x)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    seen = torch_first_input(model, x)
    assert seen is not None and abs(float(seen.mean())) < 0.5 and model.training
    assert torch.equal(rng, torch.get_rng_state())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    loader = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]
    ids = lambda m: [f.id for f in data_check(loader, model=m, probe_forward=True).findings]  # noqa: E731
    assert "unnormalized-input" not in ids(model)
    assert "unnormalized-input" in ids(_Scaled())


def test_the_watcher_judges_the_scale_the_first_weight_layer_receives(fit):
    x, y = _raw()
    torch.manual_seed(0)
    inside = fit(_Scaled(x), nn.BCEWithLogitsLoss(), x, y, epochs=2, lr=1e-3)
    assert not [f for f in inside if f.id == "unnormalized-input"]
    torch.manual_seed(0)
    raw = fit(_Scaled(), nn.BCEWithLogitsLoss(), x, y, epochs=2, lr=1e-3)
    assert [f for f in raw if f.id == "unnormalized-input"]


def test_the_keras_callback_judges_the_scale_a_lambda_layer_passes_on(tmp_path):
    keras = pytest.importorskip("keras")
    from keras import layers

    from traindoc.probes.integrations.keras import TraindocCallback

    x, y = (a.numpy() for a in _raw(320))
    mean, std = x.mean(0), x.std(0)

    def findings(scaled):
        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        h = layers.Lambda(lambda t: (t - mean) / std)(inp) if scaled else inp
        m = keras.Model(inp, layers.Dense(1, activation="sigmoid")(layers.Dense(8, activation="relu")(h)))
        m.compile(optimizer="adam", loss="binary_crossentropy")
        cb = TraindocCallback(logdir=str(tmp_path / str(scaled)), quiet=True)
        m.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[cb])
        return [f.id for f in cb.findings]

    assert "unnormalized-input" not in findings(True)
    assert "unnormalized-input" in findings(False)


# ---------------------------------------------------------------- a gradient that decays through sigmoid layers

def _grads(saturation):
    run = Run(name="r", source="mem", format="test")
    steps = [1, 2, 3, 4, 5]
    for i in range(13):
        run.add(Series.named(f"grad_norm/{2 * i}", steps, [0.2 * 0.5 ** (12 - i)] * 5, role=Role.LAYER_STAT))
        if saturation is not None and i < 12:
            run.add(Series.named(f"sat_frac/{2 * i + 1}", steps, [saturation] * 5, role=Role.LAYER_STAT))
    return list(RULES["vanishing-gradients"].func(run))


def test_a_steady_decay_through_unsaturated_sigmoid_layers_is_named_as_the_cause():
    found = _grads(0.05)
    assert found and found[0].evidence.get("cause") is True and found[0].evidence["squashing_layers"] == 12
    assert "replace the sigmoid" in found[0].fixes[0]
    # saturated layers: the cause is the scale (saturated-activation); no activation series: not known
    for other in (_grads(0.9), _grads(None)):
        assert other and not other[0].evidence.get("cause") and "replace the sigmoid" not in other[0].fixes[0]


@pytest.mark.parametrize("mode", ["relu", "none", "leaky1"])
def test_a_subclassed_keras_model_is_judged_from_its_forward_graph_not_its_layer_list(tmp_path, mode):
    keras = pytest.importorskip("keras")
    from keras import layers

    from traindoc.checks.linear_stack import linear_stack_findings
    from traindoc.probes.integrations.keras import TraindocCallback

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = layers.Dense(16), layers.Dense(16), layers.Dense(1, activation="sigmoid")

        def call(self, x):
            act = {"relu": keras.ops.relu, "none": lambda h: h,
                   "leaky1": lambda h: keras.ops.leaky_relu(h, negative_slope=1.0)}[mode]
            return self.c(act(self.b(act(self.a(x)))))

    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 4)).astype("float32")
    y = (np.hypot(x[:, 0], x[:, 1]) > 1).astype("float32")
    keras.utils.set_random_seed(0)
    m = Net()
    m.compile(optimizer="adam", loss="binary_crossentropy")
    assert linear_stack_findings(m) == []  # call() may apply what no layer shows: the layer list does not judge
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[cb])
    named = [f for f in cb.findings if f.id == "linear-network"]
    assert bool(named) == (mode != "relu")
    if mode == "leaky1":
        assert "identity" in named[0].title


class _Guarded(nn.Module):
    """A forward that wraps its first layer in ``try/except Exception`` and counts its calls."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 8), nn.Linear(8, 1)
        self.calls = 0

    def forward(self, x):
        try:
            h = self.a(x * 1000.0)
        except Exception:  # noqa: BLE001 - the user's own fallback
            h = torch.zeros(x.shape[0], 8)
        self.calls += 1
        return self.b(h)


def test_the_check_forward_stops_at_the_first_weight_layer_even_under_a_user_except():
    from traindoc.checks.input_norm import torch_first_input

    model = _Guarded()
    x = torch.randn(64, 4)
    seen = torch_first_input(model, x)
    assert model.calls == 0  # the forward did not run on past the first weight layer
    assert seen is not None and float(seen.std()) > 100.0  # what the first layer receives, not the fallback
