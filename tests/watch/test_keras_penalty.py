"""A kernel_regularizer that swamps the data loss, named from model.losses in a real Keras fit (torch backend)."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback's probes run on the torch backend", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402
from traindoc.probes.integrations.keras_penalty import prior_loss  # noqa: E402


def _fit(factor: float, tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(54)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 3))).argmax(1)
    reg = keras.regularizers.l2(factor)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu", kernel_regularizer=reg),
                              keras.layers.Dense(3, activation="softmax", kernel_regularizer=reg)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=6, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings, offline


def test_a_penalty_that_swamps_the_loss_is_named_with_the_regulariser(tmp_path):
    live, offline = _fit(1.0, tmp_path)
    hits = [f for f in live if f.evidence.get("subject") == "regularization"]
    assert hits and hits[0].id == "stuck-at-chance" and hits[0].severity >= Severity.WARNING, [f.id for f in live]
    assert "regularisation factor" in hits[0].fixes[0]
    assert hits[0].evidence["penalty_start"] > 0.5 * hits[0].evidence["loss_start"]
    assert live[0] is hits[0]
    assert any(f.evidence.get("subject") == "regularization" for f in offline)  # diagnose of the log keeps it


def test_a_usual_penalty_is_clean(tmp_path):
    live, offline = _fit(1e-4, tmp_path)
    assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.id for f in live + offline]


def test_prior_loss_is_the_loss_of_ignoring_the_inputs():
    assert prior_loss("sparse_ce", np.array([0, 1, 2, 0, 1, 2])) == pytest.approx(np.log(3))
    assert prior_loss("bce", np.array([[0.0], [1.0]])) == pytest.approx(np.log(2))
    assert prior_loss("regression", np.array([[1.0], [3.0]])) == pytest.approx(1.0)
    assert prior_loss(None, np.array([1.0])) is None
