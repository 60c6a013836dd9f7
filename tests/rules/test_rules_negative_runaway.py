"""A loss that falls below zero and keeps falling without bound is named `divergence`: a cross-entropy
or MSE has a floor at 0, so one that runs an order of magnitude past its first values into the
negatives optimises something unbounded (class ids under a binary cross-entropy, a sign error).
Controls: a Gaussian negative log-likelihood that goes negative and levels off, a negative loss that
turned back up, a loss whose name says it may be negative, and a small dip below zero stay unnamed.
The real case trains a torch model whose binary cross-entropy sees class ids 0-3."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.rules.negative_runaway import negative_runaway_of
from traindoc.rules._common import curve
from traindoc.run import Run, Series


def _run(values, name: str = "loss") -> Run:
    y = np.asarray(values, float)
    run = Run(name="r", source="r", format="test")
    run.add(Series.named(name, np.arange(1, y.size + 1, dtype=float), y, axis="epoch"))
    return run


def _divergence(run: Run):
    return [f for f in diagnose_run(run) if f.id == "divergence"]


def test_a_loss_running_away_below_zero_is_divergence_with_its_numbers():
    rng = np.random.default_rng(0)
    y = 0.7 - 0.9 * np.arange(40) ** 1.6 * (1 + 0.02 * rng.standard_normal(40))
    found = _divergence(_run(y))
    assert found and found[0].evidence["kind"] == "negative-runaway"
    assert found[0].evidence["end_level"] == pytest.approx(y[-1])
    assert "binary cross-entropy" in " ".join(found[0].fixes)


def test_a_loss_negative_from_its_first_epoch_that_grows_in_size_is_divergence():
    y = -3.4e4 * np.arange(1, 31) ** 1.8
    assert _divergence(_run(y))


@pytest.mark.parametrize("y", [
    1.5 - 4.5 * (1 - np.exp(-np.arange(40) / 6)),  # a Gaussian NLL: below zero, then level
    np.concatenate([-np.arange(20) ** 2.0, -361 + 30 * np.arange(1, 8)]),  # ran away, then turned back up
    0.05 - 0.0012 * np.arange(40),  # a dip a little below zero, not ten times the start's size
])
def test_bounded_or_recovering_negative_losses_are_not_named(y):
    assert negative_runaway_of(curve(next(iter(_run(y).series.values())))) is None
    assert not [f for f in _divergence(_run(y)) if f.evidence.get("kind") == "negative-runaway"]


@pytest.mark.parametrize("name", ["train_nll", "neg_elbo", "critic_loss", "energy"])
def test_a_loss_whose_name_says_it_may_be_negative_is_not_named(name):
    y = 0.7 - 0.9 * np.arange(40) ** 1.6
    assert not [f for f in _divergence(_run(y, name)) if f.evidence.get("kind") == "negative-runaway"]


def test_a_torch_binary_cross_entropy_on_class_ids_is_named_live(tmp_path):
    torch = pytest.importorskip("torch")
    import traindoc

    torch.manual_seed(0)
    x = torch.randn(256, 6)
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()  # class ids 0-3
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    bce = torch.nn.BCEWithLogitsLoss()
    with traindoc.watch(model, opt, logdir=tmp_path, quiet=True) as doc:
        for _ in range(30):
            for i in range(0, 256, 32):
                opt.zero_grad()
                loss = bce(model(x[i:i + 32]).squeeze(1), y[i:i + 32].float())
                loss.backward()
                opt.step()
                doc.step(loss)
    run = traindoc.load(tmp_path).runs[0]
    found = _divergence(run)
    assert found and found[0].evidence["kind"] == "negative-runaway"
