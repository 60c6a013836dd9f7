"""A GAN's losses get no curve for the trend rules (a generator's loss may rise on a healthy game), so
their spikes were never looked at. A jump that at least doubles a loss and comes back is still an event
of the game: reported at info, never as a warning (rules/game_spikes.py)."""

from __future__ import annotations

import numpy as np

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

D_LOSS = [0.401, 0.455, 0.777, 0.520, 3.239, 1.766, 1.100, 0.780, 0.434, 0.574]  # a discriminator breaking down
G_LOSS = [2.98, 5.17, 2.67, 4.96, 1.31, 1.91, 4.30, 2.52, 4.29, 2.21]


def _gan(d: list[float], g: list[float]) -> Run:
    x = np.arange(1.0, len(d) + 1.0)
    run = Run("gan", "<t>", "t")
    run.add(Series.named("loss_d", x, np.array(d), axis="epoch"))
    run.add(Series.named("loss_g", x, np.array(g), axis="epoch"))
    return run


def _spikes(run: Run):
    return [f for f in diagnose_run(run) if f.id == "loss-spikes"]


def test_a_discriminator_loss_jumping_six_fold_and_back_is_reported_at_info():
    (f,) = _spikes(_gan(D_LOSS, G_LOSS))
    assert f.severity == Severity.INFO and f.series == ["loss_d"]
    assert f.evidence["largest_ratio"] > 6 and "GAN" in f.evidence["judged_on"]
    assert not [g for g in diagnose_run(_gan(D_LOSS, G_LOSS)) if g.severity >= Severity.WARNING]


def test_a_gan_loss_wandering_by_half_is_the_game_not_a_spike():
    d = [0.60, 0.62, 0.58, 0.61, 0.90, 0.63, 0.59, 0.60, 0.62, 0.58]  # x1.5 for one epoch
    assert _spikes(_gan(d, G_LOSS)) == []


def test_a_spike_that_stays_up_is_worth_a_look_and_still_info():
    rng = np.random.default_rng(0)
    d = list(0.5 * np.exp(0.02 * rng.standard_normal(40)))
    d[20:] = [v * 4 for v in d[20:28]] + d[28:]  # up x4 for eight epochs, then back
    (f,) = _spikes(_gan(d, list(2.0 + 0.1 * rng.standard_normal(40))))
    assert f.severity == Severity.INFO and f.verdict == "worth a look"
