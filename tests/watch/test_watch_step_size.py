"""Learning-rate findings from the steps themselves (rules/step_size.py), in real torch loops and a real Keras fit.

A rate far too high shows as updates of 10%+ of the weights, weights grown tenfold and layers whose
gradient died; a schedule decayed per step instead of per epoch shows as a rate 100x below its peak
early on with the weights no longer moving. Each buggy run must name the rate; its fixed twin must
stay clean."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402


def _classes(n=512, d=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1)


def _torch_run(lr: float, tmp_path, train_epochs):
    torch.manual_seed(0)
    x, y = (torch.as_tensor(a) for a in _classes(seed=76))
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 3))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    return train_epochs(model, opt, loss_fn, x, y, str(tmp_path), epochs=6)


def _warnings(findings, rule_id):
    return [f for f in findings if f.id == rule_id and f.severity >= Severity.WARNING]


def test_steps_that_blow_up_the_weights_name_the_learning_rate_first(tmp_path, train_epochs):
    live, offline = _torch_run(3.0, tmp_path, train_epochs)
    for found in (live, offline):
        hits = [f for f in _warnings(found, "lr-too-high") if f.evidence.get("subject") == "step-size"]
        assert hits, [f.id for f in found]
        assert "learning rate" in hits[0].fixes[0].lower()
    assert live[0].id == "lr-too-high"  # the cause leads; its symptoms point at it
    for f in live:
        if f.id in ("vanishing-gradients", "loss-spikes"):
            assert f.evidence.get("explained_by") == "lr-too-high"


def test_a_sound_rate_raises_no_step_size_finding(tmp_path, train_epochs):
    live, offline = _torch_run(0.05, tmp_path, train_epochs)
    assert not _warnings(live + offline, "lr-too-high")
    assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.id for f in live + offline]


keras = pytest.importorskip("keras")


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the Keras probes need KERAS_BACKEND=torch")
@pytest.mark.parametrize("decay_steps", [1, 16])
def test_a_schedule_decayed_every_step_is_named_and_a_per_epoch_one_is_not(decay_steps, tmp_path):
    from traindoc.probes.integrations.keras import TraindocCallback

    keras.utils.set_random_seed(0)
    x, y = _classes(seed=53)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    sched = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=decay_steps, decay_rate=0.8)
    model.compile(optimizer=keras.optimizers.Adam(sched), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=8, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    hits = _warnings(cb.findings, "lr-decay-too-fast")
    if decay_steps == 1:
        assert hits and "decay_steps" in hits[0].fixes[0], [f.id for f in cb.findings]
        assert _warnings(offline, "lr-decay-too-fast")
    else:
        assert not [f for f in cb.findings + offline if f.severity >= Severity.WARNING], \
            [f.id for f in cb.findings + offline]


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the Keras probes need KERAS_BACKEND=torch")
@pytest.mark.parametrize("per_epoch", [False, True])
def test_an_inverse_time_decay_counted_in_epochs_is_named_by_its_first_epoch(per_epoch, tmp_path):
    """InverseTimeDecay(decay_steps=1) meant as one epoch halves the rate within the first epoch: named with
    decay_steps = steps per epoch although the loss still fell by more than half; the per-epoch twin is quiet."""
    from traindoc.probes.integrations.keras import TraindocCallback

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(54)
    x = rng.normal(size=(480, 8)).astype("float32")
    y = (np.sin(x[:, :1] * 2) + x[:, 1:2] * x[:, 2:3]).astype("float32")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    sched = keras.optimizers.schedules.InverseTimeDecay(1e-2, decay_steps=15 if per_epoch else 1, decay_rate=1.0)
    model.compile(optimizer=keras.optimizers.Adam(sched), loss="mse")
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=10, verbose=0, callbacks=[cb])
    hits = _warnings(cb.findings, "lr-decay-too-fast")
    if per_epoch:
        assert not hits
    else:
        assert hits and "halved within the first epoch" in hits[0].title, [f.id for f in cb.findings]
        assert "InverseTimeDecay(decay_steps=1)" in hits[0].causes[0] and "(15," in hits[0].fixes[0]
        assert len(hits[0].fixes) == 1  # no decay_rate read backwards in an InverseTimeDecay
