"""Keras 3 on the torch backend, inside a real ``fit()``: activation statistics per layer, dead
units, and the layer where the first NaN was made, at the step it was made."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("needs KERAS_BACKEND=torch", allow_module_level=True)

from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

N, D, H, C = 256, 6, 16, 3


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D)).astype("float32")
    y = ((x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int))
    return x, y


def _fit(layers, *, every=1, epochs=2, batch_size=32, lr=0.05):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = _data()
    model = keras.Sequential([keras.Input((D,))] + layers)
    model.compile(optimizer=keras.optimizers.SGD(lr), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    cb = TraindocCallback(every=every, quiet=True)
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[cb])
    return cb, history


def test_activation_statistics_and_dead_units_per_layer():
    bias = [-50.0] * (H // 2) + [0.0] * (H - H // 2)
    cb, _ = _fit([keras.layers.Dense(H, activation="relu", name="hidden",
                                     bias_initializer=keras.initializers.Constant(bias)),
                  keras.layers.Dense(C, name="head")])
    run = cb.doc.store.to_run()
    steps = 2 * N // 32
    for layer in ("hidden", "head"):
        assert len(run.series[f"act_std/{layer}"]) == steps  # every=1: one point per batch
        assert len(run.series[f"act_mean/{layer}"]) == steps
    assert all(float(s).is_integer() for s in run.series["act_std/hidden"].steps)
    dead = run.series["dead_frac/hidden"].values
    assert len(dead) >= 1 and all(abs(v - 0.5) < 1e-6 for v in dead)  # exactly the biased half
    assert "dead_frac/head" not in run.series  # no ReLU there
    f = next(f for f in cb.findings if f.id == "dead-relu")
    assert f.evidence["dead_share"] == {"hidden": 0.5}


class LogOfZero(keras.layers.Layer):
    """Finite until its ``at``-th training call, when its input is zeroed: x * log|x| is 0 * -inf = NaN."""

    def __init__(self, at: int, **kw):
        super().__init__(**kw)
        self.at = at
        self.calls = 0

    def call(self, x, training=None):
        if training:
            self.calls += 1
            if self.calls == self.at:
                x = x * 0.0
        return x * keras.ops.log(keras.ops.abs(x))


@pytest.mark.parametrize("every", [1, None])
def test_nan_origin_named_at_the_step_it_was_made(every):
    bad = LogOfZero(5, name="gate")
    cb, history = _fit([keras.layers.Dense(H, activation="tanh", name="hidden"), bad,
                        keras.layers.Dense(C, name="head")], every=every, epochs=1)
    assert bad.calls == N // 32  # one forward per batch: nothing was replayed
    f = next(f for f in cb.findings if f.id == "nonfinite-origin")
    assert f.evidence["module"] == "gate" and f.evidence["kind"] == "forward output"
    assert f.steps == [5]


def test_healthy_keras_fit_has_no_nan_origin_and_no_problem():
    cb, _ = _fit([keras.layers.Dense(H, activation="relu", name="hidden"), keras.layers.Dense(C, name="head")],
                 every=None, epochs=3)
    assert not cb.doc.guard.disabled
    assert "nonfinite-origin" not in {f.id for f in cb.findings}
    assert {f.id for f in cb.findings if int(f.severity) >= 2} == set(), [f.title for f in cb.findings]
