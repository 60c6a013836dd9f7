"""Structure checks on real Keras and torch models: each bug is named with its change; sound twins stay quiet."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
from torch import nn  # noqa: E402

from traindoc.checks.structure import (Targets, lead_with_causes, structure_findings,  # noqa: E402
                                       watch_findings)
from traindoc.findings import Finding, Severity  # noqa: E402

L = keras.layers
rng = np.random.default_rng(0)


def _model(units, act, loss, d=4):
    m = keras.Sequential([keras.Input((d,)), L.Dense(8, activation="relu"), L.Dense(units, activation=act)])
    m.compile(optimizer="adam", loss=loss)
    return m


def _warn(findings):
    return [f for f in findings if f.severity >= Severity.WARNING]


def _ids(findings):
    return [f.id for f in _warn(findings)]


def _text(f):
    return " ".join([f.title, *f.causes, *f.fixes])


def test_softmax_over_one_unit_is_an_error_naming_sigmoid():
    y = rng.integers(0, 2, size=(64, 1)).astype("float32")
    (f,) = structure_findings(_model(1, "softmax", "binary_crossentropy"), None, y)
    assert f.id == "wrong-output-activation" and f.severity == Severity.ERROR
    assert "always outputs 1" in f.title and "sigmoid" in f.fixes[0]
    assert structure_findings(_model(1, "sigmoid", "binary_crossentropy"), None, y) == []


def test_regression_output_activation_against_target_range():
    y = rng.normal(size=(64, 1)).astype("float32") * 3
    (f,) = structure_findings(_model(1, "sigmoid", "mse"), None, y)
    assert f.id == "wrong-output-activation" and "no activation" in f.fixes[0]
    assert structure_findings(_model(1, None, "mse"), None, y) == []
    # Negative control: targets inside the sigmoid's range are reachable.
    assert structure_findings(_model(1, "sigmoid", "mse"), None, rng.uniform(0, 1, size=(64, 1))) == []
    # Label scale vs output scale: 0..255 targets behind a sigmoid.
    (big,) = structure_findings(_model(1, "sigmoid", "mse"), None, rng.uniform(0, 255, size=(64, 1)))
    assert "[0, 1]" in big.title and f"y / {big.evidence['target_scale']:.3g}" in big.fixes[1]
    assert big.evidence["target_scale"] > 200


def test_softmax_on_independent_regression_targets_names_a_linear_head():
    y = rng.normal(size=(64, 3)).astype("float32")  # three signed, independent targets
    (f,) = structure_findings(_model(3, "softmax", "mse"), None, y)
    assert f.id == "wrong-output-activation" and "sum to 1" in f.title and "Dense(3) with no activation" in f.fixes[0]
    assert structure_findings(_model(3, None, "mse"), None, y) == []
    # Negative control: target rows that are distributions (each sums to 1) are within a softmax's reach.
    dist = rng.dirichlet(np.ones(3), size=64).astype("float32")
    assert not any("sum to 1" in g.title for g in structure_findings(_model(3, "softmax", "mse"), None, dist))


def test_sigmoid_under_categorical_and_softmax_under_binary():
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=64)]
    (f,) = structure_findings(_model(3, "sigmoid", "categorical_crossentropy"), None, y)
    assert "softmax" in f.fixes[0]
    (g,) = structure_findings(_model(3, "softmax", "binary_crossentropy"), None, y)
    assert "categorical_crossentropy" in _text(g)
    assert structure_findings(_model(3, "softmax", "categorical_crossentropy"), None, y) == []
    # A multi-label target (rows not one-hot) under sigmoid + binary_crossentropy is sound.
    multi = (rng.uniform(size=(64, 3)) > 0.5).astype("float32")
    assert structure_findings(_model(3, "sigmoid", "binary_crossentropy"), None, multi) == []


def test_double_softmax_with_from_logits():
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    y = rng.integers(0, 3, size=64)
    assert _ids(structure_findings(_model(3, "softmax", loss), None, y)) == ["double-softmax"]
    assert structure_findings(_model(3, None, loss), None, y) == []


def test_labels_outside_the_losses_domain():
    ce = _model(3, "softmax", "sparse_categorical_crossentropy")
    ids = rng.integers(0, 3, size=128)
    assert structure_findings(ce, None, ids) == []
    (div,) = structure_findings(ce, None, (ids / 255.0).astype("float32"))
    assert div.id == "label-problem" and "x / 255" in div.fixes[0]
    (over,) = structure_findings(ce, None, ids + 2)  # labels up to 4 for 3 outputs
    assert "Dense(5" in over.fixes[0]
    bce = _model(1, None, keras.losses.BinaryCrossentropy(from_logits=True))
    (three,) = structure_findings(bce, None, ids.astype("float32"))
    assert "Dense(3, activation='softmax')" in three.fixes[0]
    (svm,) = structure_findings(bce, None, (2 * rng.integers(0, 2, size=128) - 1).astype("float32"))
    assert "(y + 1) / 2" in svm.fixes[0]
    # Values in [0, 100] under a loss chosen for probabilities: a rate in percent first, the regression reading second
    (pct,) = structure_findings(bce, None, rng.uniform(0, 100, size=128).astype("float32"))
    assert "by 100" in pct.fixes[0] and "mean_squared_error" in pct.fixes[1]
    (reg,) = structure_findings(bce, None, rng.uniform(0, 5000, size=128).astype("float32"))
    assert "mean_squared_error" in reg.fixes[0]
    assert structure_findings(bce, None, rng.integers(0, 2, size=128).astype("float32")) == []


def test_categorical_targets_must_be_rows_that_sum_to_one():
    m = _model(3, "softmax", "categorical_crossentropy")
    onehot = np.eye(3, dtype="float32")[rng.integers(0, 3, size=64)]
    assert structure_findings(m, None, onehot) == []
    (scaled,) = structure_findings(m, None, onehot / 255.0)
    assert scaled.id == "label-problem" and "sum to 1" in scaled.title
    (ids,) = structure_findings(m, None, rng.integers(0, 3, size=(64, 1)))
    assert "sparse_categorical_crossentropy" in ids.fixes[0]


def test_constant_labels_need_enough_rows():
    m = _model(3, "softmax", "sparse_categorical_crossentropy")
    (f,) = structure_findings(m, None, np.zeros(128, dtype="int64"))
    assert f.id == "label-problem" and f.severity == Severity.ERROR
    assert structure_findings(m, None, np.zeros(32, dtype="int64")) == []  # one small batch can be one class
    assert structure_findings(m, None, np.zeros(128, dtype="int64"), constant=False) == []


def test_torch_one_unit_softmax_and_labels_under_bce():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1), nn.Softmax(dim=1))
    y = torch.randint(0, 2, (64, 1)).float()
    assert _ids(watch_findings(net, nn.BCELoss(), y, None, [])) == ["wrong-output-activation"]
    ok = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    assert watch_findings(ok, nn.BCEWithLogitsLoss(), y, None, []) == []
    (three,) = watch_findings(ok, nn.BCEWithLogitsLoss(), torch.randint(0, 3, (64, 1)).float(), None, [])
    assert "nn.CrossEntropyLoss" in three.fixes[0]


def test_targets_summary():
    t = Targets.of(np.eye(4, dtype="float32")[[0, 1, 2, 3, 1]])
    assert t.onehot and t.rows_sum_to_one and t.width == 4
    assert Targets.of(np.array(["a", "b"])) is None


def test_findings_lead_with_the_cause_and_symptoms_point_at_its_fix():
    symptom = Finding("stuck-at-chance", Severity.WARNING, "accuracy at chance", causes=["x"],
                      fixes=["lower the learning rate"])
    y = rng.integers(0, 2, size=(64, 1)).astype("float32")
    (cause,) = structure_findings(_model(1, "softmax", "binary_crossentropy"), None, y)
    ordered = lead_with_causes([symptom, cause])
    assert ordered[0] is cause
    assert symptom.fixes[0].startswith("Fix wrong-output-activation first") and "sigmoid" in symptom.fixes[0]
    alone = Finding("stuck-at-chance", Severity.WARNING, "t", fixes=["lower the learning rate"])
    assert lead_with_causes([alone])[0].fixes == ["lower the learning rate"]  # no cause: advice kept


def test_labels_the_loss_ignores_are_not_judged():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    y = torch.randint(0, 3, (64,))
    y[::4] = -100  # padding positions, skipped by CrossEntropyLoss's default ignore_index
    assert watch_findings(net, nn.CrossEntropyLoss(), y, None, []) == []
    (neg,) = watch_findings(net, nn.CrossEntropyLoss(ignore_index=-1), y, None, [])
    assert neg.id == "label-problem" and "negative" in neg.title
