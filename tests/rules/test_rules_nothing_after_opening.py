"""A training-only loss that fell nothing beyond its noise after the first tenth of the run.

Two hundred epochs of a loss that drops in the first seven and then wanders in a band for the other
193 taught the model nothing after its opening: `stalled`. One that never fell at all: `no-learning`.
Controls: the same run still falling 10% over its last nine tenths (slow learning), a loss so noisy
that a 2% fall could not show (per-point swings of a third of the level: flat in its noise says
nothing), and the same flat loss beside a validation loss (the pair rules judge runs with validation)."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.rules import diagnose_run
from traindoc.run import Run
from traindoc.stats.after_start import fall_after_opening

N = 200


def _loss(opening: float = 0.2, later_fall: float = 0.0, noise: float = 0.012, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = np.arange(N, dtype=float)
    later = later_fall * np.clip(e - N // 10, 0, None) / (N - N // 10)
    return 0.94 * (1 + opening * np.exp(-e / 2.0)) * (1 - later) * (1 + noise * rng.standard_normal(N))


def _found(loss: np.ndarray, with_val: bool = False) -> dict[str, str]:
    e = np.arange(N, dtype=float)
    cols = {"loss": (e, loss)}
    if with_val:
        cols["val_loss"] = (e, loss * 1.05)
    run = Run.from_columns("r", "r", "test", cols, axis="epoch")
    return {f.id: f.severity.name for f in diagnose_run(run) if f.severity.name != "INFO"}


@pytest.mark.parametrize("seed", range(4))
def test_flat_after_an_opening_fall_is_stalled(seed):
    assert _found(_loss(seed=seed)).get("stalled") == "WARNING"


@pytest.mark.parametrize("seed", range(4))
def test_flat_from_the_start_is_no_learning(seed):
    assert _found(_loss(opening=0.0, seed=seed)).get("no-learning") == "WARNING"


@pytest.mark.parametrize("seed", range(4))
def test_still_falling_after_the_opening_is_not_flagged(seed):
    found = _found(_loss(later_fall=0.10, seed=seed))
    assert "stalled" not in found and "no-learning" not in found


@pytest.mark.parametrize("seed", range(4))
def test_too_noisy_to_resolve_a_small_fall_is_not_flagged(seed):
    found = _found(_loss(noise=0.3, seed=seed))
    assert "stalled" not in found and "no-learning" not in found


def test_with_a_validation_loss_it_is_not_this_reading():
    f = [f for f in diagnose_run(Run.from_columns("r", "r", "test", {"loss": (np.arange(N), _loss()),
         "val_loss": (np.arange(N), _loss(seed=9) * 1.05)}, axis="epoch")) if f.evidence.get("judged_on", "")
         .startswith("outcome (training loss after")]
    assert f == []


def test_fall_after_opening_in_share_and_standard_errors():
    assert fall_after_opening(np.ones(39)) is None  # too short to read
    share, z = fall_after_opening(_loss(later_fall=0.10, noise=0.001))
    assert 0.08 < share < 0.12 and z > 10
    share, z = fall_after_opening(_loss(noise=0.02, seed=3))
    assert abs(share) < 0.02 and abs(z) < 3


def test_a_loss_that_rises_after_its_opening_is_not_called_flat():
    """A 6% climb after the opening fall is no 'learned nothing more' (its fix, a higher rate, would point the
    wrong way): the rise is the divergence rules' to weigh."""
    rng = np.random.default_rng(0)
    y = np.r_[np.linspace(2.3, 1.0, N // 10), 1.0 + 0.06 * np.linspace(0, 1, N - N // 10)]
    found = _found(y * (1 + 0.003 * rng.standard_normal(N)))
    assert "stalled" not in found and "no-learning" not in found


def _stops_at(stop: int, seed: int, fall: float = 0.15, noise: float = 0.012) -> np.ndarray:
    """An opening fall, then a further ``fall`` spread evenly up to epoch ``stop``, then nothing."""
    rng = np.random.default_rng(seed)
    e = np.arange(N, dtype=float)
    later = fall * np.clip(e - N // 10, 0, stop - N // 10) / (stop - N // 10)
    return 0.94 * (1 + 0.2 * np.exp(-e / 2.0)) * (1 - later) * (1 + noise * rng.standard_normal(N))


@pytest.mark.parametrize("seed", range(4))
def test_learning_that_stopped_before_mid_run_is_stalled(seed):
    """Still falling beyond its noise through the second tenth, flat from epoch 80 of 200: the last
    improvement came by mid-run, and the rest of the run is spent on the plateau."""
    e = np.arange(N, dtype=float)
    run = Run.from_columns("r", "r", "test", {"loss": (e, _stops_at(80, seed))}, axis="epoch")
    got = [f for f in diagnose_run(run) if f.id == "stalled"]
    assert got and got[0].severity.name == "WARNING" and got[0].verdict == "problem"
    assert 2 <= got[0].evidence["opening_tenths"] <= 4
    assert got[0].evidence["judged_on"].endswith(f"{got[0].evidence['opening_tenths']} tenths)")
    assert got[0].title.startswith("loss fell ") and "tenths of the run" in got[0].title
    assert "fall beyond the loss's own noise" in got[0].verdict_reason


@pytest.mark.parametrize("seed", range(4))
def test_learning_that_stopped_late_is_not_flagged(seed):
    """Flat only from epoch 150 of 200: the plateau covers a quarter of the run, which a converging
    run also shows; no reading of at least half the run sees it flat."""
    found = _found(_stops_at(150, seed))
    assert "stalled" not in found and "no-learning" not in found


def test_fall_after_opening_after_a_longer_opening():
    y = _stops_at(80, 0, noise=0.0)
    share1, _ = fall_after_opening(y + 1e-9 * np.arange(N), 1)
    share5, _ = fall_after_opening(y + 1e-9 * np.arange(N), 5)
    assert share1 > 0.1 and abs(share5) < 1e-6


@pytest.mark.parametrize("seed", range(3))
def test_a_loss_flat_near_zero_after_falling_far_has_converged(seed):
    """Fell from 2.3 to 0.01 in the first tenth and rests there: flat, but at a two-hundredth of its
    start, a converged loss and not a level far from a good one."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.geomspace(2.3, 0.01, N // 10), np.full(N - N // 10, 0.01)] * (1 + 0.005 * rng.standard_normal(N))
    found = _found(y)
    assert "stalled" not in found and "no-learning" not in found
