"""The training configuration judged against the run, in real Keras fits: each setting buggy and sound."""

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
from traindoc.probes.integrations.keras_config import read_keras_config  # noqa: E402


def _data(k=3, n=256, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, k))).argmax(1).astype("int64")


def _model(k=3, hidden=(32, 32), dropout=0.0):
    keras.utils.set_random_seed(0)
    body = []
    for h in hidden:
        body.append(keras.layers.Dense(h, activation="relu"))
        if dropout:
            body.append(keras.layers.Dropout(dropout))
    return keras.Sequential([keras.Input((8,)), *body, keras.layers.Dense(k, activation="softmax")])


def _fit(model, optimizer, tmp_path, *, k=3, epochs=8, batch_size=32, **fit):
    x, y = _data(k)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[cb], **fit)
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb, cb.findings, offline


def _setting(findings, subject):
    return [f for f in findings if f.evidence.get("subject") == subject and f.severity >= Severity.WARNING]


def test_a_warm_up_longer_than_the_run_is_named_with_the_step_count(tmp_path):
    sched = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=1e-2, warmup_steps=50_000)
    cb, live, offline = _fit(_model(), keras.optimizers.Adam(sched), tmp_path)
    assert cb._config.planned_steps == 64 and cb._config.schedule.warmup_steps == 50_000
    hits = _setting(live, "lr-schedule")
    assert hits and hits[0].id == "update-ratio", [f.title for f in live]
    assert "warmup_steps=50,000" in hits[0].title and "warmup_steps=8" in hits[0].fixes[0]
    assert live[0] is hits[0]  # the cause leads
    # diagnose of the log keeps it, in the live finding's own words (the record carries them)
    assert any(f.id == "update-ratio" and f.title == hits[0].title for f in offline)


def test_a_warm_up_of_one_epoch_is_not_named(tmp_path):
    sched = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=1e-2, warmup_steps=8)
    cb, live, offline = _fit(_model(), keras.optimizers.Adam(sched), tmp_path)
    assert cb._config.schedule is not None and cb._config.schedule.in_run_peak > 5e-3
    assert not _setting(live + offline, "lr-schedule")
    assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.title for f in live + offline]


def test_a_clip_norm_of_one_millionth_is_named_against_the_measured_gradients(tmp_path):
    cb, live, _ = _fit(_model(), keras.optimizers.SGD(0.05, momentum=0.9, global_clipnorm=1e-6), tmp_path)
    hits = _setting(live, "gradient-clipping")
    assert hits and hits[0].id == "update-ratio" and "global_clipnorm=1e-06" in hits[0].title
    assert hits[0].evidence["shrink"] > 1e4 and "global_clipnorm=1.0" in hits[0].fixes[0]


def test_a_clip_norm_of_one_is_not_named(tmp_path):
    _, live, offline = _fit(_model(), keras.optimizers.SGD(0.05, momentum=0.9, global_clipnorm=1.0), tmp_path)
    assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.title for f in live + offline]


@pytest.mark.parametrize("clip", [1e-4, 0.5])
def test_a_clip_value_far_below_the_gradient_entries_is_named_and_a_loose_one_is_not(clip, tmp_path):
    cb, live, offline = _fit(_model(), keras.optimizers.SGD(0.05, clipvalue=clip), tmp_path)
    hits = _setting(live, "gradient-clipping")
    if clip < 1e-3:
        assert hits and hits[0].id == "update-ratio" and "clipvalue=0.0001" in hits[0].title
        assert hits[0].evidence["shrink"] >= 30 and "remove" in hits[0].fixes[0]
    else:
        assert not hits and not [f for f in live + offline if f.severity >= Severity.WARNING]


def test_dropout_read_as_keep_probability_is_named(tmp_path):
    _, live, _ = _fit(_model(dropout=0.9), keras.optimizers.Adam(1e-2), tmp_path, validation_split=0.25)
    hits = _setting(live, "dropout")
    assert hits and hits[0].id == "stalled" and "Dropout(0.9)" in hits[0].title
    assert "Dropout(0.1)" in hits[0].fixes[0]


def test_dropout_of_a_tenth_is_not_named(tmp_path):
    cb, live, offline = _fit(_model(dropout=0.1), keras.optimizers.Adam(1e-2), tmp_path, validation_split=0.25)
    assert [r for _, r in cb._config.dropout] == [0.1, 0.1]
    assert not _setting(live + offline, "dropout")


def test_a_full_batch_run_of_a_few_steps_is_named(tmp_path):
    _, live, _ = _fit(_model(), keras.optimizers.Adam(1e-3), tmp_path, epochs=6, batch_size=256)  # the whole set
    hits = _setting(live, "run-length")
    assert hits and hits[0].id == "no-learning" and "only 6 optimizer steps" in hits[0].title
    assert "batch_size=32" in hits[0].fixes[0]


def test_a_short_mini_batch_smoke_run_is_not_named(tmp_path):
    # 16 steps that barely move the loss: a deliberate smoke test, not full-batch training.
    _, live, offline = _fit(_model(), keras.optimizers.Adam(1e-3), tmp_path, epochs=2, batch_size=32)
    assert not _setting(live + offline, "run-length")


def test_a_one_unit_bottleneck_in_a_five_class_model_is_named(tmp_path):
    cb, live, _ = _fit(_model(k=5, hidden=(32, 1, 32)), keras.optimizers.Adam(3e-3), tmp_path, k=5)
    assert [w for _, w in cb._config.hidden_widths] == [32, 1, 32] and cb._config.classes == 5
    hits = _setting(live, "bottleneck")
    assert hits and hits[0].id == "stalled" and "1 unit(s) for 5 classes" in hits[0].title


def test_a_sixteen_unit_code_is_not_named(tmp_path):
    _, live, offline = _fit(_model(k=5, hidden=(32, 16, 32)), keras.optimizers.Adam(3e-3), tmp_path, k=5)
    assert not _setting(live + offline, "bottleneck")


def test_momentum_of_0999_is_named_when_the_run_goes_wrong_and_09_is_not(tmp_path):
    _, live, _ = _fit(_model(), keras.optimizers.SGD(0.1, momentum=0.999), tmp_path / "high", epochs=10)
    hits = _setting(live, "momentum")
    assert hits and hits[0].id == "update-ratio" and "momentum=0.9" in hits[0].fixes[0], [f.title for f in live]
    _, live, offline = _fit(_model(), keras.optimizers.SGD(0.1, momentum=0.9), tmp_path / "usual", epochs=10)
    assert not _setting(live + offline, "momentum")


def test_reading_the_configuration_changes_nothing():
    model = _model()
    sched = keras.optimizers.schedules.ExponentialDecay(1e-2, 10, 0.5)
    model.compile(optimizer=keras.optimizers.Adam(sched, clipvalue=0.5), loss="sparse_categorical_crossentropy")
    before = [w.numpy().copy() for w in model.weights]
    cfg = read_keras_config(model, {"epochs": 3, "steps": 10}, 32)
    assert cfg.planned_steps == 30 and cfg.clip == {"clipvalue": 0.5} and cfg.samples == 320
    assert cfg.schedule.in_run_peak == pytest.approx(1e-2) and cfg.schedule.peak_step == 0
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))
    assert int(model.optimizer.iterations.numpy()) == 0
