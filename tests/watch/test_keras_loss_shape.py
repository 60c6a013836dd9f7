"""The loss against the axes it works over, in a real Keras ``fit`` (torch backend): a softmax over the wrong
axis of a segmenter, a normalisation layer after the softmax output, a cosine loss on one value, two target
columns for one output unit, label smoothing near 1. Each names its change; the correct twin stays clean."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.checks.structure import structure_findings  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _fit(model, x, y, logdir, epochs=1):
    cb = TraindocCallback(logdir=str(logdir), quiet=True)
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(logdir)).runs for f in traindoc.diagnose(run)]
    return cb.doc.findings, offline


def _ids(findings, fid):
    return [f for f in findings if f.id == fid]


def _segmenter(axis):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6, 6, 1)), L.Conv2D(8, 3, padding="same", activation="relu"), L.Conv2D(3, 1),
                          L.Softmax(axis=axis)])
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6, 6, 1)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=(128, 6, 6))]
    return m, x, y


def test_softmax_over_rows_of_a_segmenter_names_the_axis(tmp_path):
    m, x, y = _segmenter(1)
    live, offline = _fit(m, x, y, tmp_path)
    f = _ids(live, "wrong-output-activation")
    assert f and "axis=1" in f[0].title and "axis=-1" in f[0].fixes[0], [(g.id, g.title) for g in live]
    assert _ids(offline, "wrong-output-activation")


def test_softmax_over_the_class_axis_of_a_segmenter_is_clean(tmp_path):
    m, x, y = _segmenter(-1)
    live, offline = _fit(m, x, y, tmp_path)
    # one-hot per pixel is one class per pixel, not several tags per sample
    assert not _ids(live, "wrong-output-activation") and not _ids(live, "label-problem"), \
        [(g.id, g.title) for g in live]


def _classes(n=256, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x[:, :k].argmax(1)).astype("int64")


@pytest.mark.parametrize("after", [True, False])
def test_batchnorm_after_the_softmax_output(tmp_path, after):
    keras.utils.set_random_seed(0)
    tail = [L.BatchNormalization()] if after else []
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax"), *tail])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = _classes()
    live, _ = _fit(m, x, y, tmp_path)
    f = _ids(live, "wrong-output-activation")
    if after:
        assert f and "BatchNormalization after the softmax" in f[0].title and "Remove the BatchNormalization" in \
            f[0].fixes[0]
        assert not any("Add activation='softmax'" in g.fixes[0] for g in f)  # never the contradicting advice
    else:
        assert not f


def _regression(n=256, d=6, cols=1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = np.stack([np.tanh(x @ rng.normal(size=d)) for _ in range(cols)], 1).astype("float32")
    return x, y


@pytest.mark.parametrize("loss", ["cosine_similarity", "mse"])
def test_cosine_loss_on_one_value(tmp_path, loss):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(1)])
    m.compile(optimizer="adam", loss=loss)
    x, y = _regression()
    live, _ = _fit(m, x, y, tmp_path)
    f = [g for g in _ids(live, "loss-metric-mismatch") if "cosine" in g.title]
    assert not _ids(live, "wrong-output-activation")
    if loss == "mse":
        assert not f
    else:
        assert f and "cosine" in f[0].title and "mse" in f[0].fixes[0]


@pytest.mark.parametrize("units", [1, 2])
def test_two_target_columns_for_one_unit(tmp_path, units):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(units)])
    m.compile(optimizer="adam", loss="mse")
    x, y = _regression(cols=2)
    live, _ = _fit(m, x, y, tmp_path)
    f = [g for g in _ids(live, "label-problem") if "columns" in g.title]
    if units == 2:
        assert not f and not _ids(live, "label-problem")
    else:
        assert f and "Dense(2)" in f[0].fixes[0]


def test_label_smoothing_judged_by_its_strength():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")])
    x, y = _classes()
    onehot = np.eye(3, dtype="float32")[y]
    for s, expect in ((0.9, True), (0.1, False), (0.0, False)):
        m.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(label_smoothing=s))
        f = [g for g in structure_findings(m, None, onehot) if g.id == "label-problem"]
        assert bool(f) == expect, (s, [g.title for g in f])
        if expect:
            assert "label_smoothing=0.1" in f[0].fixes[0] and "0.4" in f[0].title
    # torch's CrossEntropyLoss carries its own smoothing
    net = torch.nn.Sequential(torch.nn.Linear(6, 3))
    f = structure_findings(net, torch.nn.CrossEntropyLoss(label_smoothing=0.8), torch.as_tensor(y))
    assert any(g.id == "label-problem" and "label_smoothing=0.8" in g.title for g in f)


def test_a_class_id_map_is_not_several_tags():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6, 6, 1)), L.Conv2D(2, 1), L.Softmax(axis=-1)])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    mask = (np.random.default_rng(0).random((64, 6, 6)) > 0.5).astype("int64")  # two pixel classes
    assert not [f for f in structure_findings(m, None, mask) if f.evidence.get("multi_hot")]
    tags = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="softmax")])
    tags.compile(optimizer="adam", loss="categorical_crossentropy")
    multi = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0], [1, 1, 1]] * 16, dtype="float32")
    assert [f for f in structure_findings(tags, None, multi) if f.evidence.get("multi_hot")]
