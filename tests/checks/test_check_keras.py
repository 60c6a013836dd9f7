"""check() on compiled Keras models (torch backend): copies through weights, a real training loop, fair verdicts."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras checks need KERAS_BACKEND=torch", allow_module_level=True)

from traindoc import check  # noqa: E402
from traindoc.checks._torch import fresh_copy, keras_loss_fn  # noqa: E402
from traindoc.checks.overfit_batch import overfit_batch  # noqa: E402

L = keras.layers


def _regression(n=32, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    w = rng.normal(size=(d,)) / np.sqrt(d)
    return x, (3 * np.tanh(x @ w)).astype("float32").reshape(-1, 1)


def _mlp(out=1, act=None, d=8, loss="mse", width=16):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((d,)), L.Dense(width, activation="relu"), L.Dense(out, activation=act)])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss)
    return m


def test_compiled_loss_by_name_reduces_to_one_number():
    m = _mlp()
    x, y = _regression()
    value = keras_loss_fn(m)(m(torch.as_tensor(x)), y)
    assert value.ndim == 0 and float(value.detach()) > 0  # "mse" alone gives one value per sample


def test_copy_goes_through_weights_and_training_it_leaves_the_model_alone():
    m = _mlp()
    before = [w.copy() for w in m.get_weights()]
    clone = fresh_copy(m)
    assert clone is not m and all(np.array_equal(a, b) for a, b in zip(clone.get_weights(), before))
    sec = overfit_batch(m, _regression(), keras_loss_fn(m), steps=60)
    assert sec.data["attempts"][0]["final_loss"] < 0.7 * sec.data["initial_loss"]  # the copy's variables trained
    assert all(np.array_equal(a, b) for a, b in zip(m.get_weights(), before))


def test_small_sound_regression_passes_overfit_batch():
    sec = overfit_batch(_mlp(), _regression(), keras_loss_fn(_mlp()), steps=200)
    assert sec.ok is True and not sec.findings


def test_a_model_that_cannot_depend_on_its_input_fails_overfit_batch():
    # Positive control: inputs multiplied by zero, so the output is one constant for the whole batch.
    keras.utils.set_random_seed(0)
    inp = keras.Input((8,))
    h = L.Lambda(lambda t: t * 0.0)(inp)
    m = keras.Model(inp, L.Dense(1)(L.Dense(16, activation="relu")(h)))
    m.compile(optimizer="adam", loss="mse")
    x, y = _regression()
    before = [w.copy() for w in m.get_weights()]
    sec = overfit_batch(m, (x, y), keras_loss_fn(m), steps=100)
    # clone_model cannot rebuild a Python lambda: the model was trained in place and put back exactly.
    assert all(np.array_equal(a, b) for a, b in zip(m.get_weights(), before))
    assert all(p.grad is None for p in m.parameters())
    assert sec.ok is False
    (f,) = sec.findings
    assert f.id == "cannot-overfit-batch"
    # It reached the best a constant can do (the targets' variance), not the linear fit.
    assert f.evidence["best_final_loss"] > f.evidence["linear_fit_loss"]


def test_check_on_a_sound_keras_classifier_raises_nothing():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(96, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 3))).argmax(1)
    m = _mlp(3, "softmax", loss="sparse_categorical_crossentropy")
    loader = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)]
    report = check(m, loader[0], loader=loader, steps=150)
    warn = [f.id for f in report.findings if f.severity.label in ("warning", "error")]
    assert warn == [], [(s.name, s.summary) for s in report.sections]
    assert {s.name for s in report.sections if s.ok} >= {"static", "overfit-batch"}


def test_check_names_a_one_unit_softmax_on_a_keras_model():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    m = _mlp(1, "softmax", loss="binary_crossentropy")
    report = check(m, (x[:32], y[:32]), checks=["static", "overfit-batch"], steps=50)
    ids = [f.id for f in report.findings]
    assert "wrong-output-activation" in ids and "cannot-overfit-batch" in ids


class _ScaledByBatchNorm(keras.Model):
    """A BatchNormalization input scaler over raw columns (one ~5,000), its ``training`` handed on from call()."""

    def __init__(self):
        super().__init__()
        self.scale = L.BatchNormalization()
        self.d1, self.out = L.Dense(32, activation="relu"), L.Dense(1, activation="sigmoid")

    def call(self, x, training=None):
        return self.out(self.d1(self.scale(x, training=training)))


def test_overfit_batch_trains_a_keras_model_in_training_mode():
    # heldout21 subclassed-batchnorm-scaler-called-with-training-false, fixed twin: called as model(x) the
    # model's training is None, its BatchNormalization runs on moving statistics (0 and 1), the raw columns
    # saturate the sigmoid and no step moves the loss; called with training=True the batch is normalised.
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    x = np.stack([rng.normal(230, 4, 32), rng.gamma(3, 4, 32), rng.normal(5000, 1500, 32)], 1).astype("float32")
    y = ((x[:, 0] - 230) / 4 + (x[:, 1] - 12) / 7 > 0).astype("float32").reshape(-1, 1)
    m = _ScaledByBatchNorm()
    m.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    m(x[:2])
    sec = overfit_batch(m, (x, y), keras_loss_fn(m), steps=100)
    assert sec.ok and not sec.findings, (sec.summary, sec.lines)
