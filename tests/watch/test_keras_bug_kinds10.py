"""Causes named from what a real Keras fit shows (held-out sets 9 and 10 as dev material): each slip
is made in a tiny model and named with its fix; its correct twin is left alone."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback's probes run on the torch backend", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

N = 384


def _fit(model, x, y, tmp_path, epochs=5, **fit):
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[cb], **fit)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings + offline


def _warned(findings, subject=None):
    return [f for f in findings if f.severity >= Severity.WARNING
            and (subject is None or f.evidence.get("subject") == subject)]


def _mlp(d, out=3, act="softmax", loss="sparse_categorical_crossentropy", **dense):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((d,)), keras.layers.Dense(32, activation="relu", **dense),
                          keras.layers.Dense(out, activation=act, **dense)])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=["accuracy"])
    return m


def _table(seed=3):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(N, 6))
    y = (z @ rng.normal(size=(6, 3))).argmax(1).astype("int64")
    raw = np.array([900.0, 40.0, 1013.0, 6000.0, 250.0, 0.4]) + np.array([80, 9, 12, 900, 30, 0.3]) * z
    return raw, y


def _standardise(a):
    sd = a.std(0)
    return ((a - a.mean(0)) / np.where(sd > 0, sd, 1.0)).astype("float32")


def test_columns_clipped_in_raw_units_before_the_scaler_are_named(tmp_path):
    raw, y = _table()
    hits = _warned(_fit(_mlp(6), _standardise(np.clip(raw, -3, 3)), y, tmp_path), "input-columns")
    assert hits and hits[0].id == "unnormalized-input" and "5 of 6 input features" in hits[0].title
    assert "np.clip" in hits[0].causes[0] and "after standardising" in hits[0].fixes[0].lower()


def test_columns_clipped_after_the_scaler_are_not_named(tmp_path):
    raw, y = _table()
    found = _fit(_mlp(6), np.clip(_standardise(raw), -3, 3), y, tmp_path, epochs=10)
    assert not _warned(found, "input-columns") and not _warned(found)
