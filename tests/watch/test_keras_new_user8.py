"""Keras 3 (torch backend) runs of the round-8 new-user trial, read from the CSVLogger file: a
model whose accuracy is pinned at one class while its loss sits flat at (1 - accuracy) x 16.12 has
saturated outputs (a rate far too high, or raw inputs), so stuck-at-chance must not lead with "the
model never moved from its starting guess; a learning rate far too low"."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
sklearn = pytest.importorskip("sklearn.datasets")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.findings import Severity  # noqa: E402

L = keras.layers


def _csv_findings(tmp_path, lr, scale):
    keras.utils.set_random_seed(0)
    d = sklearn.load_digits()
    idx = np.random.default_rng(0).permutation(len(d.target))
    x, y = (d.data[idx] * scale).astype("float32"), d.target[idx]
    m = keras.Sequential([keras.Input((64,)), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]), epochs=8, batch_size=32, verbose=0,
          callbacks=[keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    return [f for f in traindoc.diagnose(str(tmp_path / "log.csv")) if f.severity >= Severity.WARNING]


@pytest.mark.parametrize("lr,scale", [(10.0, 1 / 16), (0.01, 16.0)], ids=["sgd-lr10", "raw-pixels-x16"])
def test_saturated_outputs_lead_not_a_rate_too_low(tmp_path, lr, scale):
    found = _csv_findings(tmp_path, lr, scale)
    stuck = [f for f in found if f.id in ("stuck-at-chance", "no-learning")]
    assert stuck, [(f.id, f.title) for f in found]
    lead = stuck[0].causes[0]
    assert "saturated" in lead and "never moved" not in lead and "too low" not in lead, lead
    assert "raise the learning rate" not in stuck[0].fixes[0], stuck[0].fixes


def test_the_healthy_twin_is_clean(tmp_path):
    assert not _csv_findings(tmp_path, 0.05, 1 / 16)


def test_the_callback_records_the_class_count_of_a_softmax_output(tmp_path):
    """A rate far too low leaves the loss near ln(10); without the output width the count was
    guessed from the loss level, and 2.399 read as ln(11) on a 10-class problem."""
    from traindoc.probes.integrations.keras import TraindocCallback

    keras.utils.set_random_seed(0)
    d = sklearn.load_digits()
    x, y = (d.data / 16).astype("float32"), d.target
    m = keras.Sequential([keras.Input((64,)), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.SGD(1e-5), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = TraindocCallback(logdir=str(tmp_path / "traindoc"), quiet=True)
    m.fit(x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]), epochs=6, batch_size=32, verbose=0, callbacks=[cb])
    assert traindoc.load(str(tmp_path / "traindoc"))[0].meta.num_classes == 10
    stuck = [f for f in cb.doc.findings if f.id == "stuck-at-chance"]
    assert stuck, [(f.id, f.title) for f in cb.doc.findings]
    said = " ".join(f.title + " ".join(f.causes) for f in cb.doc.findings)
    assert "ln(9)" not in said and "ln(11)" not in said, said


def _log_of_ratio_loss(y_true, y_pred):
    """A hand-written cross-entropy on a linear output: the log of a ratio that goes negative on some rows."""
    import keras.ops as K

    oh = K.one_hot(K.cast(K.reshape(y_true, (-1,)), "int32"), 10)
    return -K.mean(K.sum(oh * K.log(y_pred / K.sum(y_pred, axis=1, keepdims=True)), axis=1))


def test_a_nan_that_comes_and_goes_points_at_the_loss_not_the_rate(tmp_path):
    keras.utils.set_random_seed(0)
    d = sklearn.load_digits()
    idx = np.random.default_rng(0).permutation(len(d.target))
    x, y = (d.data[idx] / 16).astype("float32"), d.target[idx]
    m = keras.Sequential([keras.Input((64,)), L.Dense(64, activation="relu"), L.Dense(10)])
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss=_log_of_ratio_loss, metrics=["accuracy"])
    m.fit(x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]), epochs=10, batch_size=32, verbose=0,
          callbacks=[keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    losses = np.genfromtxt(tmp_path / "log.csv", delimiter=",", names=True)["loss"]
    assert np.isnan(losses).any() and np.isfinite(losses[-1]), losses  # the run this test is about
    nan = [f for f in traindoc.diagnose(str(tmp_path / "log.csv")) if f.id == "nonfinite" and "loss" in f.series[0]]
    assert nan and all("comes and goes" in f.causes[0] for f in nan), [f.causes[:1] for f in nan]
    assert "clamp" in nan[0].fixes[0], nan[0].fixes


def _overfit_csv(tmp_path, n_train, epochs, shuffle):
    keras.utils.set_random_seed(0)
    d = sklearn.load_digits()
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(d.target))
    x, y = (d.data[idx] / 16).astype("float32"), d.target[idx]
    ytr = rng.permutation(y[:n_train]) if shuffle else y[:n_train]
    m = keras.Sequential([keras.Input((64,)), L.Dense(256, activation="relu"), L.Dense(256, activation="relu"),
                          L.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x[:n_train], ytr, validation_data=(x[1400:], y[1400:]), epochs=epochs, batch_size=32, verbose=0,
          callbacks=[keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    found = [f for f in traindoc.diagnose(str(tmp_path / "log.csv")) if f.severity >= Severity.WARNING]
    return [f for f in found if f.id in ("overfitting", "stuck-at-chance")]


def test_shuffled_labels_lead_with_the_labels_without_a_class_count(tmp_path):
    """Labels permuted apart from the rows: both losses start level at ~ln 10 and validation only
    gets worse. The CSV names no class count; the lead cause is still the labels, not capacity."""
    found = _overfit_csv(tmp_path, 1400, 25, shuffle=True)
    assert found and "labels" in found[0].causes[0] and "capacity" not in found[0].causes[0], \
        [(f.id, f.causes[:1]) for f in found]


def test_a_small_training_set_that_generalised_first_is_plain_overfitting(tmp_path):
    found = _overfit_csv(tmp_path, 30, 80, shuffle=False)
    assert found and "labels" not in found[0].causes[0], [(f.id, f.causes[:1]) for f in found]
