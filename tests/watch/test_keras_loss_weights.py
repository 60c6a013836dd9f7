"""Loss weights that starve one output of a multi-output Keras model (torch backend): the head with a weight
100x below the other's, whose share of the total loss is negligible, does not train and is named with the
order of the outputs; the same model with the weights in output order stays clean. ``check`` on such a model
says in one line what it needs instead of failing on the list of losses."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _program(weights):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(384, 6)).astype("float32")
    cls = x[:, :3].argmax(1).astype("int64")
    price = (10.0 * np.tanh(x @ rng.normal(size=6))).astype("float32").reshape(-1, 1)
    inp = keras.Input((6,))
    h = L.Dense(16, activation="relu")(inp)
    model = keras.Model(inp, [L.Dense(1, name="price")(h), L.Dense(3, activation="softmax", name="category")(h)])
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=weights, metrics=[[], ["accuracy"]])
    return model, x, [price, cls]


def _starved(tmp_path, weights):
    model, x, y = _program(weights)
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=8, verbose=0, callbacks=[cb])
    return [f for f in cb.doc.findings if f.evidence.get("subject") == "loss-weights"]


def test_weights_in_the_wrong_order_starve_the_classifier(tmp_path):
    found = _starved(tmp_path, [1.0, 0.01])
    assert found and "'category'" in found[0].title and "dict keyed by output name" in found[0].fixes[0]


def test_weights_in_output_order_are_clean(tmp_path):
    assert not _starved(tmp_path, [0.01, 1.0])


def test_check_names_what_a_multi_output_model_needs():
    model, x, y = _program([1.0, 1.0])
    with pytest.raises(ValueError, match="2 compiled losses"):
        traindoc.check(model, (x[:32], [y[0][:32], y[1][:32]]))
