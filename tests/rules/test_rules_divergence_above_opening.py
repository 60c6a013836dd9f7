"""Divergence read as a noisy loss that climbs back above where it started.

A per-epoch squared-error loss that jumps by a fifth between epochs falls for five epochs, then
climbs for the remaining 45 and ends above its first epochs: every point of its last fifth sits
above the points of its first fifth. The climb over the start is smaller than twice the curve's
point-to-point noise, so the 2-noise reading misses it; the rank reading of the closing fifth
against the opening fifth (``stability._ends_above_opening``) needs no noise scale. Controls: the
same noise on a loss that ends back at its opening level (no divergence) and a healthy falling
loss (the rank test holds its level)."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.rules._common import curve
from traindoc.rules.stability import _ends_above_opening
from traindoc.run import Run, Series


def _run(y: np.ndarray) -> Run:
    run = Run(name="r", source="r", format="test")
    run.add(Series.named("loss", np.arange(y.size, dtype=float), y, axis="epoch"))
    return run


def _climb_back(end_level: float, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = np.concatenate([np.linspace(235.0, 170.0, 5), np.linspace(175.0, end_level, 46)])
    return level * (1.0 + 0.09 * rng.standard_normal(level.size))


def test_noisy_loss_climbing_back_over_its_start_is_divergence():
    y = _climb_back(240.0)  # ends below 1.5x its minimum and within 2 noise units of its start
    c = curve(_run(y).series["loss"])
    assert _ends_above_opening(c)
    assert any(f.id == "divergence" for f in diagnose_run(_run(y)))


def test_noisy_loss_climbing_back_only_to_its_start_is_not_above_the_opening():
    c = curve(_run(_climb_back(205.0)).series["loss"])
    assert not _ends_above_opening(c)


def test_falling_loss_never_ends_above_its_opening():
    rng = np.random.default_rng(9)
    for _ in range(50):
        y = 2.0 * np.exp(-np.arange(60) / 15.0) + 0.3 + 0.1 * rng.standard_normal(60)
        assert not _ends_above_opening(curve(_run(np.abs(y) + 0.05).series["loss"]))
