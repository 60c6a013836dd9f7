"""A Poisson loss on an output that can be negative is named with the activation to use, in a real
Keras ``fit`` (torch backend) and in ``check``; the exponential-output twin stays clean."""

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
