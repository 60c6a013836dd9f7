"""Output activation against the loss in a real Keras ``fit`` (torch backend) and in ``check``: a Poisson
loss on an output that can be negative, a softmax under MSE on one column of class ids; sound twins stay clean."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("the Keras callback needs KERAS_BACKEND=torch", allow_module_level=True)

import traindoc  # noqa: E402
from traindoc.checks import check  # noqa: E402
from traindoc.probes.integrations.keras import TraindocCallback  # noqa: E402

L = keras.layers


def _counts(n=256, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    rate = np.exp(0.5 * x @ rng.normal(size=d) * 0.5)
    return x, rng.poisson(rate).astype("float32").reshape(-1, 1)


def _model(out_act):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(1, activation=out_act)])
    m.compile(optimizer=keras.optimizers.Adam(3e-3), loss="poisson")
    return m


def _fit(model, x, y, logdir):
    cb = TraindocCallback(logdir=str(logdir), quiet=True)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[cb])
    offline = [f for run in traindoc.load(str(logdir)).runs for f in traindoc.diagnose(run)]
    return cb.doc.findings, offline


def _named(findings):
    return [f for f in findings if f.id == "wrong-output-activation"]


def test_poisson_on_a_linear_output_names_exponential(tmp_path):
    x, y = _counts()
    live, offline = _fit(_model(None), x, y, tmp_path)
    f = _named(live)
    assert f, [g.id for g in live]
    assert "exponential" in " ".join(f[0].fixes) and "poisson" in f[0].title
    assert _named(offline)  # recorded, so `diagnose` of the log says it too
    report = check(_model(None), batch=(x[:64], y[:64]), checks=["static"])
    assert any(g.id == "wrong-output-activation" for s in report.sections for g in s.findings)


@pytest.mark.parametrize("act", ["exponential", "softplus"])
def test_poisson_on_a_positive_output_is_clean(tmp_path, act):
    x, y = _counts()
    live, offline = _fit(_model(act), x, y, tmp_path)
    assert not _named(live) and not _named(offline)
    report = check(_model(act), batch=(x[:64], y[:64]), checks=["static"])
    assert not any(g.id == "wrong-output-activation" for s in report.sections for g in s.findings)


def _classes(n=256, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ rng.normal(size=(d, k))).argmax(1)


def _softmax_model(loss):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return m


def test_softmax_with_mse_on_a_column_of_class_ids_names_sparse_ce(tmp_path):
    x, y = _classes()
    live, offline = _fit(_softmax_model("mse"), x, y.astype("float32").reshape(-1, 1), tmp_path)
    f = _named(live)
    assert f, [g.id for g in live]
    assert "sparse_categorical_crossentropy" in " ".join(f[0].fixes)
    assert _named(offline)


def test_softmax_with_mse_on_probability_targets_and_sparse_ce_are_clean(tmp_path):
    x, y = _classes()
    live, _ = _fit(_softmax_model("sparse_categorical_crossentropy"), x, y, tmp_path / "ce")
    assert not _named(live)
    soft = np.full((len(y), 3), 0.1, dtype="float32")
    soft[np.arange(len(y)), y] = 0.8  # soft probability targets: an MSE on them is a choice, not a bug
    live, _ = _fit(_softmax_model("mse"), x, soft, tmp_path / "soft")
    assert not _named(live)


def _rings(n=512, seed=0):
    rng = np.random.default_rng(seed)
    r = np.where(rng.random(n) < 0.5, 1.0, 3.0)
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.cos(a), r * np.sin(a)], 1) + rng.normal(scale=0.2, size=(n, 2))
    return x.astype("float32"), (r > 2).astype("float32").reshape(-1, 1)


def _stack(hidden_act):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((2,)), L.Dense(16, activation=hidden_act), L.Dense(16, activation=hidden_act),
                          L.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_a_dense_stack_without_activation_is_named_as_linear(tmp_path):
    x, y = _rings()
    live, offline = _fit(_stack(None), x, y, tmp_path / "lin")
    f = [g for g in live if g.id == "linear-network"]
    assert f and "activation='relu'" in f[0].fixes[0]
    assert [g for g in offline if g.id == "linear-network"]
    live, offline = _fit(_stack("relu"), x, y, tmp_path / "relu")
    assert not [g for g in live + offline if g.id == "linear-network"]


def test_torch_linear_sequential_is_judged_only_without_activations():
    from torch import nn

    from traindoc.checks.linear_stack import linear_stack_findings

    assert linear_stack_findings(nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.1), nn.Linear(8, 1)))
    assert not linear_stack_findings(nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)))
    assert not linear_stack_findings(nn.Sequential(nn.Linear(2, 1)))  # a linear model by design


class _OpsHead(keras.Model):
    """A subclassed classifier whose call may apply keras.ops.softmax itself (no layer shows it)."""

    def __init__(self, squash):
        super().__init__()
        self.h, self.head, self.squash = L.Dense(16, activation="relu"), L.Dense(3), squash

    def call(self, x):
        z = self.head(self.h(x))
        return keras.ops.softmax(z, axis=-1) if self.squash else z


@pytest.mark.parametrize("squash", [True, False])
def test_a_softmax_applied_in_call_before_a_from_logits_loss_is_named(tmp_path, squash):
    keras.utils.set_random_seed(0)
    x, y = _classes()
    model = _OpsHead(squash)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    live, _ = _fit(model, x, y, tmp_path)
    hit = [f for f in live if f.id == "double-softmax"]
    assert bool(hit) == squash
    if squash:
        assert "call()" in hit[0].title and "raw scores" in hit[0].fixes[0]
