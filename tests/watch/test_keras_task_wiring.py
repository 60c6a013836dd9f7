"""Task wiring a Keras fit gets wrong without any error (checks/structure.py), in a real fit on the torch backend.

Multi-hot tags under a softmax loss, class ids regressed with mse while accuracy is tracked, and
regression targets thousands of times the output's scale: each is named with the change to make,
and its fixed twin raises no warning at all."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras checks run on the torch backend", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers
N, D = 256, 6


def _x(seed=0):
    return np.random.default_rng(seed).normal(size=(N, D)).astype("float32")


def _fit(out_units, act, loss, x, y, tmp_path, metrics=("accuracy",), epochs=3, lr=1e-2):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((D,)), L.Dense(16, activation="relu"), L.Dense(out_units, activation=act)])
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss, metrics=list(metrics))
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings, offline


def _warn(findings):
    return [f for f in findings if f.severity >= Severity.WARNING]


def _text(f):
    return " ".join([f.title, *f.causes, *f.fixes])


def _multi_hot():
    x = _x(1)
    w = np.random.default_rng(2).normal(size=(D, 4))
    return x, (x @ w > 0).astype("float32")


def test_multi_hot_tags_under_softmax_name_sigmoid(tmp_path):
    x, y = _multi_hot()
    live, _ = _fit(4, "softmax", "categorical_crossentropy", x, y, tmp_path)
    hits = [f for f in _warn(live) if f.id == "wrong-output-activation"]
    assert hits and "sigmoid" in " ".join(hits[0].fixes) and "binary_crossentropy" in " ".join(hits[0].fixes)
    assert live[0] is hits[0]


def test_multi_hot_tags_with_sigmoid_are_clean(tmp_path):
    x, y = _multi_hot()
    live, offline = _fit(4, "sigmoid", "binary_crossentropy", x, y, tmp_path, metrics=("binary_accuracy",))
    assert not _warn(live + offline), [f.id for f in live + offline]


def test_a_class_major_onehot_reshaped_instead_of_transposed_is_named_as_scrambled_labels(tmp_path):
    x = _x(5)
    ids = (x @ np.random.default_rng(6).normal(size=(D, 4))).argmax(1)
    class_major = np.eye(4, dtype="float32")[ids].T  # (4, N), as some exporters store it
    live, _ = _fit(4, "softmax", "categorical_crossentropy", x, class_major.reshape(-1, 4), tmp_path)
    hits = [f for f in _warn(live) if f.evidence.get("ones_per_row") is not None]
    assert hits and hits[0].id == "label-problem" and "scrambled" in hits[0].title
    assert abs(hits[0].evidence["ones_per_row"] - 1.0) < 0.3 and hits[0].evidence["empty_rows"] >= 0.1
    assert hits[0].fixes[0].startswith("Transpose") and live[0] is hits[0]
    # The transposed matrix is plain one-hot: no label finding at all.
    live2, _ = _fit(4, "softmax", "categorical_crossentropy", x, class_major.T, tmp_path / "ok")
    assert not [f for f in _warn(live2) if f.id in ("label-problem", "wrong-output-activation")]


def test_real_multi_hot_tags_are_not_read_as_scrambled_onehot():
    from traindoc.checks.structure import Targets

    _, y = _multi_hot()
    t = Targets.of(y)
    assert t.multi_hot and not t.scrambled_onehot and abs(t.ones_per_row - 1.0) > 0.03


def _class_ids():
    x = _x(3)
    return x, (x @ np.random.default_rng(4).normal(size=(D, 3))).argmax(1)


def test_class_ids_regressed_with_mse_name_the_classifier(tmp_path):
    x, y = _class_ids()
    live, _ = _fit(1, None, "mse", x, y.astype("float32").reshape(-1, 1), tmp_path)
    hits = [f for f in _warn(live) if f.id == "wrong-output-activation"]
    assert hits and "sparse_categorical_crossentropy" in _text(hits[0]) and "Dense(3" in _text(hits[0])


def test_class_ids_with_softmax_are_clean_and_numbers_without_accuracy_are_a_regression(tmp_path):
    x, y = _class_ids()
    live, offline = _fit(3, "softmax", "sparse_categorical_crossentropy", x, y, tmp_path / "a")
    assert not _warn(live + offline), [f.id for f in live + offline]
    # The same integers fitted with mse and no accuracy metric: a rating or count is a regression.
    live, _ = _fit(1, None, "mse", x, y.astype("float32").reshape(-1, 1), tmp_path / "b", metrics=("mae",))
    assert not [f for f in live if f.id == "wrong-output-activation"]


def _prices(scaled: bool):
    x = _x(5)
    y = 2e5 + 6e4 * np.tanh(x @ np.random.default_rng(6).normal(size=D) / np.sqrt(D))
    y = (y - 2e5) / 6e4 if scaled else y
    return x, y.astype("float32").reshape(-1, 1)


def test_targets_far_beyond_the_output_scale_name_target_scaling(tmp_path):
    live, offline = _fit(1, None, "mse", *_prices(False), tmp_path, metrics=("mae",), lr=1e-3)
    hits = [f for f in _warn(live) if f.id == "high-initial-loss" and f.evidence.get("subject") == "target-scale"]
    assert hits, [f.id for f in live]
    assert "Scale the targets" in hits[0].fixes[0] and hits[0].evidence["output_scale"] < 10
    assert live[0] is hits[0]  # the cause leads the no-learning symptom
    assert any(f.id == "high-initial-loss" and f.evidence.get("subject") == "target-scale" for f in offline), [f.id for f in offline]


def test_standardised_targets_are_clean(tmp_path):
    live, offline = _fit(1, None, "mse", *_prices(True), tmp_path, metrics=("mae",), lr=1e-3)
    assert not _warn(live + offline), [f.id for f in live + offline]


@pytest.mark.parametrize("loss,targets,named", [
    ("mape", "standardised", True), ("mape", "positive", False),
    ("msle", "standardised", True), ("msle", "positive", False)])
def test_relative_losses_on_targets_they_cannot_take(loss, targets, named, tmp_path):
    x = _x(8)
    z = x @ np.random.default_rng(9).normal(size=D)
    y = ((z - z.mean()) / z.std() if targets == "standardised" else 50.0 + 5.0 * z).astype("float32").reshape(-1, 1)
    live, _ = _fit(1, None, loss, x, y, tmp_path, metrics=("mae",))
    hits = [f for f in live if f.id == "loss-metric-mismatch" and f.evidence.get("subject") == "targets"]
    if named:
        assert len(hits) == 1 and hits[0].severity == Severity.WARNING, [f.title for f in live]
        assert ("mean_squared_error" in hits[0].fixes[0]) and (loss in hits[0].title)
    else:
        assert not hits
