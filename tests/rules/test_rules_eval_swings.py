"""Validation zig-zags and one-evaluation spikes on short per-epoch runs, judged by effect size
(stats.excursions, rules.eval_swings), each with healthy counterparts built from the same pieces."""

from __future__ import annotations

import warnings

import numpy as np

from traindoc.findings import Severity, run_verdict
from traindoc.findings.verdict import RunVerdict
from traindoc.rules import diagnose_run
from traindoc.run import Run
from traindoc.stats.excursions import excursions, large_excursions


def _run(cols: dict, axis: str = "epoch") -> Run:
    return Run.from_columns("r", "<t>", "t", {k: (np.arange(len(v), dtype=float), np.asarray(v, dtype=float))
                                              for k, v in cols.items()}, axis=axis)


def _findings(cols: dict, axis: str = "epoch"):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return diagnose_run(_run(cols, axis))


def _by_id(fs) -> dict:
    return {f.id: f for f in fs}


def _train(n: int, start: float = 0.6, end: float = 0.15) -> list[float]:
    """A smooth, converging per-epoch training loss."""
    return list(end + (start - end) * np.exp(-np.arange(n) / (n / 4)))


def test_excursions_measure_both_sides_from_the_monotone_stretches():
    y = np.array([1.0, 0.8, 0.5, 2.0, 1.5, 0.4, 0.6, 0.3])
    ex = excursions(np.arange(y.size, dtype=float), y)
    assert [e.index for e in ex] == [3, 6]
    first = ex[0]
    assert first.left == 0.5 and first.right == 0.4  # bottoms of the rise in and the fall out
    assert np.isclose(first.ratio, 4.0) and np.isclose(first.size, 1.5)
    # the last point cannot be a peak: nobody knows yet whether it comes back down
    assert excursions(np.arange(4.0), np.array([1.0, 0.5, 0.4, 3.0])) == []
    # a flat top counts once
    assert len(excursions(np.arange(5.0), np.array([1.0, 2.0, 2.0, 1.0, 0.9]))) == 1


def test_large_excursions_need_both_ratio_and_share_of_the_run_scale():
    x = np.arange(6.0)
    y = np.array([0.05, 0.02, 0.04, 0.015, 0.03, 0.012])  # 2x jumps, on a run that started at 2.3
    assert len(large_excursions(x, y, 2.3, 1.5)) == 0
    assert len(large_excursions(x, y, 0.05, 1.5)) == 2  # the same jumps on their own scale


def test_validation_zigzag_over_ten_epochs_is_oscillation_worth_a_look():
    # A smooth training loss; validation 2-3x up and down between neighbouring epochs.
    val = [0.61, 0.96, 0.39, 0.33, 0.92, 0.25, 0.43, 0.16, 0.17, 0.29]
    fs = _findings({"loss": _train(10, 0.6, 0.16), "val_loss": val})
    f = _by_id(fs).get("oscillation")
    assert f is not None and f.severity == Severity.WARNING
    assert f.verdict == "worth a look" and f.evidence["count"] >= 3
    assert "loss-spikes" not in _by_id(fs)  # one finding for one zig-zag
    assert run_verdict(fs) != RunVerdict.HEALTHY


def test_noisy_but_calm_validation_is_left_alone():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(8, 31))
        base = np.array(_train(n, 0.7, 0.2))
        val = base * np.exp(rng.normal(0, 0.12, n))  # +-12% evaluation noise: a real but calm val set
        fs = _findings({"loss": list(base * 0.9), "val_loss": list(val)})
        assert not [f for f in fs if f.id in ("oscillation", "loss-spikes")], (seed, [f.title for f in fs])


def test_converged_validation_doubling_near_zero_is_not_a_zigzag():
    # 0.02 <-> 0.05 every epoch after starting at 1.6: invisible on the run's scale.
    val = [1.1, 0.8, 0.3, 0.1] + [0.05, 0.02, 0.045, 0.022, 0.05, 0.025, 0.048, 0.02] * 3
    train = _train(len(val), 1.6, 0.07)
    fs = _findings({"loss": train, "val_loss": val})
    assert not [f for f in fs if f.severity >= Severity.WARNING], [f.title for f in fs]
    assert "oscillation" not in _by_id(fs)


def test_one_recovered_spike_below_the_start_is_normal():
    val = [2.3, 1.6, 1.2, 0.95, 0.8, 0.7, 2.0, 0.62, 0.58, 0.55, 0.53, 0.52]
    fs = _findings({"loss": _train(12, 2.4, 0.4), "val_loss": val})
    f = _by_id(fs)["loss-spikes"]
    assert f.severity == Severity.INFO and f.verdict == "normal"
    assert f.evidence["spikes"][0]["step"] == 6.0
    assert "oscillation" not in _by_id(fs)


def test_a_spike_above_the_starting_loss_is_worth_a_look():
    # SGD lr=1 on a digits MLP: validation jumps 3-4x above where it started, training converges.
    val = [1.39, 1.61, 2.04, 1.68, 1.05, 0.89, 3.41, 1.10, 1.09, 1.54, 0.62, 0.78, 0.22, 0.18, 0.12]
    fs = _findings({"loss": _train(15, 2.1, 0.2), "val_loss": val})
    f = _by_id(fs)["loss-spikes"]
    assert f.verdict == "worth a look" and f.evidence["above_start"] == 1
    assert run_verdict(fs) != RunVerdict.HEALTHY


def test_repeated_validation_spikes_through_a_long_run_are_a_warning():
    n = 60
    val = np.array(_train(n, 2.3, 0.1))
    for i in (12, 24, 36, 48):
        val[i] *= 5.0
    fs = _findings({"loss": _train(n, 2.9, 0.04), "val_loss": list(val)}, axis="step")
    f = _by_id(fs)["loss-spikes"]
    assert f.severity == Severity.WARNING and f.evidence["count"] == 4
    assert f.verdict == "worth a look"
    # Three of them: worth a look, not yet a warning (healthy dev runs show up to two; the problem
    # runs at warning five or more).
    val3 = np.array(_train(n, 2.3, 0.1))
    for i in (15, 30, 45):
        val3[i] *= 5.0
    f3 = _by_id(_findings({"loss": _train(n, 2.9, 0.04), "val_loss": list(val3)}, axis="step"))["loss-spikes"]
    assert f3.severity == Severity.INFO and f3.evidence["count"] == 3 and f3.verdict == "worth a look"
    # The same run with one of them: recorded, normal.
    val1 = np.array(_train(n, 2.3, 0.1))
    val1[30] *= 5.0
    f1 = _by_id(_findings({"loss": _train(n, 2.9, 0.04), "val_loss": list(val1)}, axis="step"))["loss-spikes"]
    assert f1.severity == Severity.INFO and f1.verdict == "normal"


def test_wandering_validation_after_a_fast_initial_drop_is_oscillation():
    # A regression whose first evaluation is 20x its later level, then 2-6x swings with no trend.
    rng = np.random.default_rng(3)
    val = [30000.0, 9000.0, 4000.0] + list(1500 * np.exp(rng.normal(0, 0.7, 120)))
    fs = _findings({"loss": list(2900 * np.exp(rng.normal(0, 0.5, 20))), "val_loss": val}, axis="step")
    assert "oscillation" in _by_id(fs), [f.title for f in fs]
    # The same swings as a small share of a run that started far higher: a flat line on its plot.
    small = [3.0e6, 9.0e5, 4.0e5] + val[3:]
    fs2 = _findings({"val_loss": small}, axis="step")
    assert "oscillation" not in _by_id(fs2), [f.title for f in fs2]


def _warmup_then_held(n: int, cut_at: int | None, climb: bool, recover: bool, seed: int = 0):
    """An LR warm-up to 0.01 over the first 10% of steps, held, then (optionally) cut 10x; the loss
    falls during warm-up, then (optionally) climbs at the held peak, and (optionally) falls back."""
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float)
    w = n // 10
    lr = np.where(x < w, 0.01 * (x + 1) / w, 0.01)
    if cut_at is not None:
        lr = np.where(x >= cut_at, 0.001, lr)
    loss = 0.4 + 2.1 * np.exp(-x / (w / 2))
    if climb:
        top = cut_at if cut_at is not None else n
        rise = np.clip((x - 2 * w) / max(1, top - 2 * w), 0, 1)
        loss = loss + np.where(x < top, 4.0 * rise, 0.0)
        if cut_at is not None and not recover:
            loss = np.where(x >= cut_at, 4.4, loss)
    loss = loss * np.exp(rng.normal(0, 0.05, n))
    return {"loss": list(loss), "lr": list(lr)}


def test_loss_climbing_at_a_held_peak_lr_and_recovering_after_the_cut_is_lr_too_high():
    fs = _by_id(_findings(_warmup_then_held(200, 120, climb=True, recover=True), axis="step"))
    f = fs.get("lr-too-high")
    assert f is not None and f.severity == Severity.WARNING, list(fs)
    assert f.evidence["lr_at_min"] == 0.01 and f.evidence["lr_after_cut"] == 0.001
    assert f.evidence["cut_step"] == 120.0 and f.evidence["loss_at_rise"] >= 2 * f.evidence["min_loss"]


def test_held_lr_without_a_climb_or_without_a_recovery_is_not_lr_too_high():
    # A healthy warm-up + step schedule: the loss sits at its plateau, then drops a little at the cut.
    assert "lr-too-high" not in _by_id(_findings(_warmup_then_held(200, 120, climb=False, recover=True), axis="step"))
    # The loss climbs but the LR is never cut: nothing ties the climb to the rate (divergence judges it).
    assert "lr-too-high" not in _by_id(_findings(_warmup_then_held(200, None, climb=True, recover=False), axis="step"))
    # The LR is cut and the loss stays up: not the rate (the weights are wrecked, or the data changed).
    assert "lr-too-high" not in _by_id(_findings(_warmup_then_held(200, 120, climb=True, recover=False), axis="step"))


def test_a_validation_loss_rising_at_each_of_four_evaluations_to_ten_times_its_start_is_divergence():
    fs = _by_id(_findings({"val_loss": [0.0100, 0.0261, 0.0558, 0.1083]}))
    f = fs.get("divergence")
    assert f is not None and f.severity >= Severity.WARNING and "every one of its 4" in f.title
    # Four points that wander up (not every time), or rise only 2x: too few to call it.
    assert "divergence" not in _by_id(_findings({"val_loss": [0.0100, 0.0261, 0.0200, 0.1083]}))
    assert "divergence" not in _by_id(_findings({"val_loss": [0.0100, 0.0130, 0.0160, 0.0199]}))
    # Three points prove nothing, however steep.
    assert "divergence" not in _by_id(_findings({"val_loss": [0.01, 0.05, 0.2]}))


def test_swings_of_a_loss_near_zero_after_a_fast_fall_are_not_oscillation():
    # Memorised in a few points (2.8 -> 0.005), then +-100% jitter at 0.005: flat on the run's plot.
    rng = np.random.default_rng(5)
    n = 400
    y = 0.005 * np.exp(rng.normal(0, 0.7, n))
    y[:3] = [2.8, 0.4, 0.02]
    fs = _by_id(_findings({"loss": list(y)}, axis="step"))
    assert "oscillation" not in fs, [f.title for f in fs.values()]
    # The same swings around a level that is a good part of the start: oscillation.
    y2 = 1.2 * np.exp(rng.normal(0, 0.05, n)) * np.exp(0.5 * np.sin(np.arange(n) / 9.0))
    y2[:3] = [2.8, 2.0, 1.5]
    assert "oscillation" in _by_id(_findings({"loss": list(y2)}, axis="step"))


def _warmup_epochs(spike_at: int | None, factor: float, slow: bool) -> dict:
    """30 epochs, LR warming up linearly over the first 4 then decaying; a falling loss with an
    optional spike starting at ``spike_at`` (easing off over eight epochs when ``slow``)."""
    n = 30
    x = np.arange(n, dtype=float)
    lr = np.where(x < 3, 0.0033 * (x + 1), 0.01 * (1 - (x - 3) / n))
    loss = 0.3 + 0.3 * np.exp(-x / 8)
    if spike_at is not None:
        bump = [factor * (1 - 0.1 * k) for k in range(8)] if slow else [factor]
        for k, b in enumerate(bump):
            loss[spike_at + k] *= max(b, 1.0)
    return {"train/loss": list(loss), "lr": list(lr)}


def test_a_spike_at_the_peak_of_the_lr_warmup_that_lingers_is_lr_too_high():
    from traindoc.rules.schedule import warmup_spike_of

    cols = _warmup_epochs(2, 3.0, slow=True)
    f = _by_id(_findings(cols)).get("lr-too-high")
    assert f is not None and f.severity == Severity.WARNING
    w = warmup_spike_of(_run(cols))
    assert w is not None and w["spike_start"] <= w["warmup_end"] and w["ratio"] >= 2
    assert warmup_spike_of(_run(_warmup_epochs(15, 3.0, slow=True))) is None


def test_warmup_without_a_lasting_spike_or_a_spike_after_it_is_not_lr_too_high():
    assert "lr-too-high" not in _by_id(_findings(_warmup_epochs(None, 1.0, slow=False)))  # smooth warm-up
    assert "lr-too-high" not in _by_id(_findings(_warmup_epochs(2, 1.4, slow=False)))  # a small bump, gone at once
    fs = _by_id(_findings(_warmup_epochs(15, 3.0, slow=True)))  # long after warm-up: a spike, not the warm-up
    assert "lr-too-high" not in fs and "loss-spikes" in fs


def test_humps_measure_a_spike_with_a_wiggle_by_prominence():
    from traindoc.stats.excursions import humps

    y = np.array([0.75, 0.58, 0.21, 0.35, 0.82, 0.61, 1.12, 0.13, 0.13, 0.05])
    x = np.arange(y.size, dtype=float)
    assert large_excursions(x, y, 0.75, 2.0) == []  # no single monotone stretch rises 2x into 1.12
    hs = humps(x, y, 0.75, 2.0)
    assert [h.index for h in hs] == [6] and np.isclose(hs[0].ratio, 1.12 / 0.21)
    # the same rise spread over a slow wander of eight evaluations is not a hump
    slow = np.array([0.75, 0.5, 0.2, 0.3, 0.45, 0.5, 0.7, 0.6, 0.9, 0.8, 1.1, 0.15, 0.1])
    assert humps(np.arange(slow.size, dtype=float), slow, 0.75, 2.0) == []


def test_a_short_validation_hump_is_a_spike_at_info():
    val = [0.75, 0.58, 0.21, 0.35, 0.82, 0.61, 1.12, 0.13, 0.13, 0.05]
    f = _by_id(_findings({"loss": _train(10, 0.16, 0.05), "val_loss": val})).get("loss-spikes")
    assert f is not None and f.severity == Severity.INFO
    assert f.evidence["measured_by"].startswith("prominence")


def test_a_long_slow_validation_wander_is_not_a_hump_spike():
    val = [0.75, 0.5, 0.2, 0.3, 0.45, 0.5, 0.7, 0.6, 0.9, 0.8, 1.1, 0.15, 0.1, 0.1, 0.09]
    f = _by_id(_findings({"loss": _train(15, 0.16, 0.05), "val_loss": val})).get("loss-spikes")
    assert f is None or f.evidence.get("measured_by") != "prominence, humps of 4 evaluations or fewer"


def test_a_broken_first_evaluation_does_not_set_the_runs_scale():
    from traindoc.rules._common import curve
    from traindoc.rules.eval_swings import run_scale

    train = _train(16, 0.40, 0.05)
    val = [8.33, 0.20, 0.22, 0.25, 0.12, 0.18, 0.11, 0.083, 0.062, 0.055, 0.64, 0.20, 0.19, 0.17, 0.16, 0.15]
    run = _run({"loss": train, "val_loss": val})
    assert np.isclose(run_scale(run, curve(run.series["val_loss"])), 0.40)
    f = _by_id(_findings({"loss": train, "val_loss": val})).get("loss-spikes")
    assert f is not None and f.evidence["largest_ratio"] >= 3
    # a first evaluation that is where the run really started (a step-0 evaluation near chance,
    # then a steady fall) keeps the scale, and the same small late blip is no event on it
    steady = [2.3, 1.2, 0.6, 0.3, 0.2, 0.15, 0.11, 0.083, 0.062, 0.055, 0.16, 0.06, 0.055, 0.05, 0.05, 0.048]
    run2 = _run({"loss": _train(16, 2.2, 0.05), "val_loss": steady})
    assert np.isclose(run_scale(run2, curve(run2.series["val_loss"])), 2.3)
    assert "loss-spikes" not in _by_id(_findings({"loss": _train(16, 2.2, 0.05), "val_loss": steady}))


def test_zigzag_that_settled_for_the_last_third_is_not_oscillation():
    # Three 1.5x+ excursions in epochs 5-11, then eight calm evaluations below where it began.
    val = [1.06, 0.053, 0.050, 0.061, 0.055, 0.158, 0.033, 0.036, 0.0144, 0.055, 0.036, 0.229,
           0.030, 0.034, 0.023, 0.020, 0.0186, 0.0204, 0.0204, 0.0186]
    train = _train(20, 0.16, 0.001)
    assert "oscillation" not in _by_id(_findings({"loss": train, "val_loss": val}))
    # The same zig-zag still going at the end of the run is oscillation.
    going = val[:12] + [0.030, 0.081, 0.024, 0.090, 0.020, 0.075, 0.021, 0.080]
    assert "oscillation" in _by_id(_findings({"loss": train, "val_loss": going}))


def test_a_near_zero_loss_doubling_at_the_held_peak_is_not_lr_too_high():
    # A solved task (OneCycle-like): the loss falls from 2.5 to ~1e-5 and then climbs to ~3e-3 at the held
    # peak, falling back after the cut. The climb gives back 0.1% of what was learned: a noise floor.
    n, w = 200, 20
    x = np.arange(n, dtype=float)
    lr = np.where(x < w, 0.01 * (x + 1) / w, np.where(x >= 120, 0.001, 0.01))
    rng = np.random.default_rng(3)
    base = 2.5 * np.exp(-x / 4.0) + 1e-5
    bump = np.where((x >= 60) & (x < 120), 3e-3 * np.clip((x - 60) / 40, 0, 1), 0.0)
    loss = (base + bump) * np.exp(rng.normal(0, 0.05, n))
    assert "lr-too-high" not in _by_id(_findings({"loss": list(loss), "lr": list(lr)}, axis="step"))
    # The same shape with a climb that undoes a third of the fall is still named.
    bump2 = np.where((x >= 60) & (x < 120), 0.8 * np.clip((x - 60) / 40, 0, 1), 0.0)
    loss2 = (base + 0.05 + bump2) * np.exp(rng.normal(0, 0.05, n))
    assert "lr-too-high" in _by_id(_findings({"loss": list(loss2), "lr": list(lr)}, axis="step"))
