"""Regression targets thousands of times the output's scale, named at the first step of a real torch loop."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from traindoc.findings import Severity  # noqa: E402


@pytest.mark.parametrize("scaled", [False, True])
def test_unscaled_regression_targets_are_named_and_standardised_ones_are_not(scaled, tmp_path, train_epochs):
    torch.manual_seed(0)
    x = torch.randn(256, 6)
    y = 2e5 + 6e4 * torch.tanh(x @ torch.randn(6, 1) / 2.5)
    if scaled:
        y = (y - 2e5) / 6e4
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    live, offline = train_epochs(model, opt, torch.nn.MSELoss(), x, y, str(tmp_path), epochs=3)
    hits = [f for f in live if f.evidence.get("subject") == "target-scale"]
    if scaled:
        assert not [f for f in live + offline if f.severity >= Severity.WARNING], [f.id for f in live + offline]
    else:
        assert hits and hits[0].id == "high-initial-loss" and "Scale the targets" in hits[0].fixes[0], [f.id for f in live]
