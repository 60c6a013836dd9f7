"""validation_split on data sorted by label, named in a real Keras fit; and check() knowing who shuffles."""

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


def _sorted_data(k=3, n=384, seed=58):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, k))).argmax(1)
    order = np.argsort(y, kind="stable")
    return x[order], y[order]


def _model(k=3):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(k, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _fit(x, y, tmp_path):
    model = _model()
    cb = TraindocCallback(logdir=str(tmp_path), quiet=True)
    model.fit(x, y, batch_size=32, epochs=3, verbose=0, validation_split=0.36, callbacks=[cb])
    assert "test_step" not in model.__dict__ and "train_step" not in model.__dict__  # unwrapped
    offline = [f for run in traindoc.load(str(tmp_path)).runs for f in traindoc.diagnose(run)]
    return cb.findings, offline


def test_a_validation_split_of_sorted_data_names_shuffling(tmp_path):
    live, offline = _fit(*_sorted_data(), tmp_path)
    hits = [f for f in live if f.evidence.get("subject") == "validation-split"]
    assert hits and hits[0].id == "unshuffled-data" and hits[0].severity == Severity.WARNING, [f.id for f in live]
    assert "Shuffle the arrays before fit" in hits[0].fixes[0] and 2 in hits[0].evidence["unseen_classes"]
    assert any(f.id == "unshuffled-data" for f in offline)


def test_a_validation_split_of_shuffled_data_is_clean(tmp_path):
    x, y = _sorted_data()
    p = np.random.default_rng(0).permutation(len(y))
    live, offline = _fit(x[p], y[p], tmp_path)
    assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.id for f in live + offline]


def test_check_judges_batch_order_only_where_the_loop_does_not_reshuffle():
    x, y = _sorted_data(k=4)
    batches = [(x[i:i + 32], y[i:i + 32]) for i in range(0, len(x), 32)]

    def order_findings(report):
        return [f for f in report.findings if f.id == "unshuffled-data"]

    # Keras fit(x, y) reshuffles arrays every epoch: sorted storage is only noted...
    found = order_findings(traindoc.check(_model(4), batches[0], loader=batches, checks=["data"]))
    assert found and all(f.severity == Severity.INFO for f in found)
    # ...unless the caller says the loop keeps the order (fit(shuffle=False)).
    found = order_findings(traindoc.check(_model(4), batches[0], loader=batches, checks=["data"], shuffle=False))
    assert found and found[0].severity == Severity.WARNING
    # A torch DataLoader says itself whether it shuffles.
    net = torch.nn.Linear(8, 4)
    ds = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    for shuffle, want in ((False, Severity.WARNING), (True, None)):
        dl = torch.utils.data.DataLoader(ds, batch_size=32, shuffle=shuffle, generator=torch.Generator().manual_seed(0))
        found = order_findings(traindoc.check(net, next(iter(dl)), torch.nn.CrossEntropyLoss(), loader=dl,
                                             checks=["data"]))
        assert (found[0].severity if found else None) == want


class _ReadsShuffle(keras.callbacks.Callback):
    """Reads fit's shuffle the way TraindocCallback does, at on_train_begin."""

    def on_train_begin(self, logs=None):
        from traindoc.probes.integrations.keras import _fit_argument

        self.shuffle = _fit_argument("shuffle", self.model)
        self.other = _fit_argument("shuffle", object())  # not this fit's model: passed over


def fit(model, x, y, shuffle=True, **kw):  # a user's own helper named fit, with a shuffle of its own
    return model.fit(x, y, shuffle=not shuffle, **kw)


@pytest.mark.parametrize("shuffle", [True, False, "batch"])
def test_fit_shuffle_is_read_from_the_fit_running_the_callback(shuffle):
    x, y = _sorted_data(n=64)
    reader = _ReadsShuffle()
    _model().fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=shuffle, callbacks=[reader])
    assert reader.shuffle == shuffle and reader.other is None
    if shuffle != "batch":  # through a wrapper named fit, the value Keras' own fit got (not the wrapper's)
        fit(_model(), x, y, shuffle=shuffle, batch_size=32, epochs=1, verbose=0, callbacks=[reader])
        assert reader.shuffle is (not shuffle)


def test_fit_shuffle_is_unknown_where_a_data_loader_orders_its_own_batches():
    x, y = _sorted_data(n=64)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y)),
                                         batch_size=32, shuffle=False)
    reader = _ReadsShuffle()
    _model().fit(loader, epochs=1, verbose=0, shuffle=False, callbacks=[reader])
    assert reader.shuffle is None  # fit's shuffle does not reach a DataLoader's order


def test_fit_argument_outside_a_fit_is_none():
    from traindoc.probes.integrations.keras import _fit_argument

    assert _fit_argument("shuffle") is None and _fit_argument("epochs", object()) is None
