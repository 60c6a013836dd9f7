"""`traindoc.check` called as the README shows, by a new user: one batch of a small classifier.
What it prints and what it suggests must be usable as given."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import traindoc  # noqa: E402


def _setup():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 20, generator=g)
    y = x[:, :3].argmax(1)
    model = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 3))
    return model, (x, y), torch.nn.CrossEntropyLoss()


def test_one_batch_sweep_that_never_turns_suggests_its_steepest_fall_not_a_tenth_of_its_end():
    """One batch repeated is memorised at any rate, so the loss is lowest at the sweep's top (10):
    'a tenth of the best rate' would tell an Adam user to train at 1."""
    model, batch, loss_fn = _setup()
    report = traindoc.check(model, batch, loss_fn, checks=["lr-range"])
    sec = report.section("lr-range")
    assert sec.data["diverged_at_lr"] is None and sec.data["best_lr"] >= sec.data["lrs"][-1] / 2
    assert sec.data["suggested_lr"] == sec.data["steepest_lr"] < 0.1
    assert "never turned up" in "\n".join(sec.lines)


def test_printing_the_report_reads_like_the_cli():
    model, batch, loss_fn = _setup()
    model.append(torch.nn.Softmax(dim=1))  # a double softmax, so a problem is printed too
    report = traindoc.check(model, batch, loss_fn, checks=["static", "data"])
    text = str(report)
    assert "CheckReport(" not in text and "[FAIL] static" in text and "[ok  ] data" in text
    assert "WARNING double-softmax" in text and "fix:" in text
    assert max(len(line) for line in report.to_text(width=80).splitlines()) <= 80
