"""Session 15's bug classes, live: weight matrices of a from-scratch model initialised all of one sign (the
dying-ReLU start of a hand-written (torch.rand(...) - 1) * bound), and a one-output binary loss flat at ln 2
read as chance when the labels are floats (BCEWithLogitsLoss). Each buggy program trains next to its correct
twin, inside the real watch(), and the log is read back by diagnose()."""

from __future__ import annotations

import math

import numpy as np

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from traindoc.checks.constant_init import one_signed_init_findings  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


class _HandMLP(nn.Module):
    """x @ W + b with raw parameters in a ParameterList, drawn uniform in [-b, 0] (shifted) or [-b, b]."""

    def __init__(self, sizes, shifted: bool):
        super().__init__()
        self.w, self.b = nn.ParameterList(), nn.ParameterList()
        for n_in, n_out in zip(sizes, sizes[1:]):
            bound = 1 / math.sqrt(n_in)
            u = torch.rand(n_in, n_out)
            self.w.append(nn.Parameter((u - 1) * bound if shifted else (u * 2 - 1) * bound))
            self.b.append(nn.Parameter(torch.zeros(n_out)))

    def forward(self, x):
        for i, (w, b) in enumerate(zip(self.w, self.b)):
            x = x @ w + b
            if i < len(self.w) - 1:
                x = torch.relu(x)
        return x


class _OwnWeights(nn.Module):
    """A subclassed model holding its matrices as attributes (no container), drawn with uniform_ (all positive)."""

    def __init__(self, positive: bool):
        super().__init__()
        self.w1, self.w2 = nn.Parameter(torch.empty(12, 16)), nn.Parameter(torch.empty(16, 8))
        for w in (self.w1, self.w2):
            nn.init.uniform_(w) if positive else nn.init.kaiming_uniform_(w)

    def forward(self, x):
        return torch.relu(x @ self.w1) @ self.w2


def _watched(train_epochs, model, loss_fn, x, y, tmp_path, epochs=6):
    """Live findings plus diagnose() of the log, after a plain Adam loop under watch."""
    live, offline = train_epochs(model, torch.optim.Adam(model.parameters(), lr=3e-3), loss_fn, x, y, str(tmp_path),
                                 epochs)
    return list(live) + offline


@pytest.mark.parametrize("shifted", [True, False])
def test_raw_weight_matrices_all_negative_are_named_as_the_init(train_epochs, tmp_path, shifted):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(3)
    x = torch.rand(320, 24, generator=g)  # histograms: non-negative inputs
    y = x[:, :8].sum(1).argsort().argsort() * 3 // 320
    found = _watched(train_epochs, _HandMLP((24, 32, 32, 3), shifted), nn.CrossEntropyLoss(), x, y, tmp_path)
    named = [f for f in found if f.evidence.get("subject") == "one-signed-init"]
    if shifted:
        assert named and named[0].severity == Severity.WARNING and named[0].evidence["sign"] == "negative"
        assert "dying ReLU" in named[0].causes[0] and "* 2 - 1" in named[0].fixes[0]
    else:
        assert not named and not [f for f in found if f.id == "poor-initialization"]


@pytest.mark.parametrize("positive", [True, False])
def test_weight_matrices_held_as_attributes_are_read_too(positive):
    torch.manual_seed(0)
    found = one_signed_init_findings(_OwnWeights(positive))
    assert bool(found) == positive and (not found or found[0].evidence["sign"] == "positive")


def test_embedding_tables_and_frozen_matrices_are_not_weights_to_judge():
    """An Embedding drawn in [0, 1] and a frozen non-negative buffer-like parameter follow other rules."""
    m = nn.Sequential(nn.Embedding(50, 16), nn.Flatten(), nn.Linear(16, 4))
    nn.init.uniform_(m[0].weight)
    fixed = _OwnWeights(True)
    for p in fixed.parameters():
        p.requires_grad_(False)
    assert one_signed_init_findings(m) == [] and one_signed_init_findings(fixed) == []


class _Parity(nn.Module):
    """Linear -> BatchNorm1d (-> ReLU) twice, one logit: without the ReLU the network is affine."""

    def __init__(self, act: bool):
        super().__init__()
        self.fc1, self.bn1, self.fc2, self.bn2 = nn.Linear(5, 32), nn.BatchNorm1d(32), nn.Linear(32, 32), nn.BatchNorm1d(32)
        self.out, self.act = nn.Linear(32, 1), act

    def forward(self, x):
        f = torch.relu if self.act else (lambda h: h)
        return self.out(f(self.bn2(self.fc2(f(self.bn1(self.fc1(x)))))))


@pytest.mark.parametrize("act", [False, True])
def test_a_binary_loss_flat_at_ln2_with_float_labels_is_read_as_chance(train_epochs, tmp_path, act):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(4)
    x = torch.randn(512, 5, generator=g)
    y = ((x[:, 0] * x[:, 1]) > 0).float().unsqueeze(1)  # XOR of two signs: no linear boundary
    found = _watched(train_epochs, _Parity(act), nn.BCEWithLogitsLoss(), x, y, tmp_path, epochs=10)
    chance = [f for f in found if f.id == "stuck-at-chance" and f.severity >= Severity.WARNING]
    if act:
        assert not chance
    else:
        assert chance and chance[0].evidence.get("classes") == 2


@pytest.mark.parametrize("style", ["sequential", "functional", "subclassed"])
@pytest.mark.parametrize("one_sided", [True, False])
def test_keras_kernels_drawn_on_one_side_of_zero_are_named_by_layer(style, one_sided):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras on the torch backend")
    L = keras.layers
    init = keras.initializers.RandomUniform(-0.1, 0.0) if one_sided else "glorot_uniform"

    def dense(n):
        return L.Dense(n, activation="relu", kernel_initializer=init)

    if style == "sequential":
        m = keras.Sequential([keras.Input((12,)), dense(32), dense(32), L.Dense(3)])
    elif style == "functional":
        inp = keras.Input((12,))
        m = keras.Model(inp, L.Dense(3)(dense(32)(dense(32)(inp))))
    else:
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.a, self.b, self.out = dense(32), dense(32), L.Dense(3)

            def call(self, x):
                return self.out(self.b(self.a(x)))

        m = Net()
        m(np.zeros((2, 12), dtype="float32"))
    found = one_signed_init_findings(m)
    assert bool(found) == one_sided
    if one_sided:
        assert len(found[0].evidence["layers"]) == 2 and "kernel_initializer" in found[0].fixes[0]


@pytest.mark.parametrize("decay_rate", [0.01, 0.99])
def test_keras_decay_rate_read_as_the_share_lost_is_named_at_the_end_of_fit(tmp_path, decay_rate):
    """ExponentialDecay(decay_rate=0.01) divides the rate by 100 every period: the rate is at its floor after a
    tenth of the run and the loss stays high; 0.99 (the share kept) is the healthy twin."""
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras on the torch backend")
    from traindoc.probes.integrations.keras import TraindocCallback

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 3))).argmax(1).astype("int64")
    L = keras.layers
    m = keras.Sequential([keras.Input((8,)), L.Dense(32, activation="relu"), L.Dense(3, activation="softmax")])
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=decay_rate)
    m.compile(optimizer=keras.optimizers.SGD(sched, momentum=0.9), loss="sparse_categorical_crossentropy")
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    m.fit(x, y, epochs=8, batch_size=32, verbose=0, callbacks=[cb])
    named = [f for f in cb.findings if f.evidence.get("subject") == "lr-floor"]
    if decay_rate < 0.5:
        assert named and "decay_rate" in named[0].causes[0] and "decay_rate=0.99" in named[0].fixes[0]
    else:
        assert not named and not [f for f in cb.findings if f.severity >= Severity.WARNING]
