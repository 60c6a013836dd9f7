"""Kinds the real logs of dev rounds 10-12 showed traindoc getting wrong, each rebuilt as
synthetic curves over many seeds (never a copy of the log), with the healthy twin that must stay
quiet."""

from __future__ import annotations

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import diagnose_run
from traindoc.run import Role, Run, Series


def _alarms(run: Run) -> dict[str, Severity]:
    return {f.id: f.severity for f in diagnose_run(run) if f.severity >= Severity.WARNING}


def _decay(rng, n, start, floor, tau, sigma):
    t = np.arange(n) / n
    return (floor + (start - floor) * np.exp(-t / tau)) * np.exp(sigma * rng.standard_normal(n))


def _detector_run(rng, n, odd_part: str, wall=None) -> Run:
    """A detector's per-epoch parts with no total: box, cls, dfl and one more part whose word is
    not a known part (``odd_part``), each for train and val."""
    run = Run(name="r", source="<t>", format="t")
    x = np.arange(1.0, n + 1)
    for split in ("train", "val"):
        for part, scale in (("box", 0.8), ("cls", 1.2), ("dfl", 1.5), (odd_part, 0.05)):
            y = _decay(rng, n, scale, scale * 0.5, 0.3, 0.02)
            run.add(Series.named(f"{split}/{part}_loss", x, y, wall_time=wall, axis="epoch"))
    return run


@pytest.mark.parametrize("losses,judged", [
    ((("aux_loss", 0.01), ("kl_loss", 0.2), ("recon_loss", 3.0)), "recon_loss"),  # no box part: the largest share
    ((("box_loss", 0.1), ("obj_loss", 0.3), ("total_loss", 0.45)), "total_loss"),  # a logged total wins
    ((("loss/box", 0.1), ("loss/cls", 0.3), ("loss/total", 0.45)), "loss/total")])  # a total named like its parts
def test_which_of_several_losses_is_judged(losses, judged):
    rng = np.random.default_rng(2)
    x = np.arange(50.0)
    run = Run(name="r", source="<t>", format="t")
    for name, scale in losses:
        run.add(Series.named(name, x, _decay(rng, 50, scale, scale / 3, 0.3, 0.02)))
    assert run.primary(Role.TRAIN_LOSS).name == judged


@pytest.mark.parametrize("odd", ["angle", "twist", "ori"])
def test_an_unknown_part_beside_known_parts_is_not_judged_as_the_total(odd):
    run = _detector_run(np.random.default_rng(1), 20, odd)
    for role, split in ((Role.TRAIN_LOSS, "train"), (Role.VAL_LOSS, "val")):
        assert run.primary(role).name == f"{split}/box_loss"


def _paused_run(rng) -> tuple[Run, int, int]:
    """A detector run whose wall clock pauses for hours at epoch k (and stays paused after)."""
    n = int(rng.integers(24, 40))
    k = int(rng.integers(n // 2, n - 5))
    wall = np.cumsum(np.full(n, 80.0) * np.exp(0.05 * rng.standard_normal(n)))
    wall[k:] += rng.uniform(6e3, 3e4)  # over 50 median epochs and 10 minutes
    return _detector_run(rng, n, "angle", wall=wall), n, k


@pytest.mark.parametrize("seed", range(10))
def test_a_pause_in_wall_time_with_one_part_jumping_is_no_resume(seed):
    """Pauses between epochs (a notebook left idle) and one small part that wobbles up there: no
    counter restart, no LR restart, the other losses carry on: no resume-spike."""
    rng = np.random.default_rng(100 + seed)
    run, n, k = _paused_run(rng)
    for name in ("train/angle_loss", "val/angle_loss"):
        s = run.series[name]
        s.values[k:] *= rng.uniform(1.3, 1.6)  # the small part settles higher: a level shift
    assert "resume-spike" not in _alarms(run)


@pytest.mark.parametrize("seed", range(10))
def test_a_pause_with_every_loss_jumping_is_still_a_resume(seed):
    """The same pause, but the whole objective jumps after it (a restart without the optimiser
    state): corroborated by the other losses, so resume-spike is raised."""
    rng = np.random.default_rng(200 + seed)
    run, n, k = _paused_run(rng)
    jump = rng.uniform(0.6, 1.5) * np.exp(-np.arange(n - k) / rng.uniform(2, 5))  # decays back
    for s in run.series.values():
        s.values[k:] *= 1 + jump
    assert "resume-spike" in _alarms(run)


def _gan_run(rng, n, turn: float | None, g_falls: bool = True, names=("loss_D", "loss_G")) -> Run:
    """A pix2pix-like run, per epoch: the discriminator's loss drifts up and wobbles (a healthy
    game), the generator's loss falls (or not), and a held-out L1 falls to a floor and, from
    ``turn`` (a fraction of the run) on, climbs to a higher level where it stays."""
    x = np.arange(1.0, n + 1)
    t = x / n
    d = (0.2 + 0.3 * t) * np.exp(0.1 * rng.standard_normal(n))
    g = (_decay(rng, n, 70.0, 25.0, 0.5, 0.02) if g_falls else 40.0 * np.exp(0.02 * rng.standard_normal(n)))
    floor = rng.uniform(0.2, 0.5)
    l1 = floor * (1 + 0.1 * np.exp(-t / 0.05))
    if turn is not None:
        up = rng.uniform(0.15, 0.3)
        l1 = l1 * (1 + up * np.clip((t - turn) / 0.1, 0, 1))
    l1 = l1 * np.exp(0.015 * rng.standard_normal(n))
    return Run.from_columns("r", "<t>", "t", {names[0]: (x, d), names[1]: (x, g), "val_L1": (x, l1)}, axis="epoch")


@pytest.mark.parametrize("names", [("loss_D", "loss_G"), ("Loss_D", "Loss_G"), ("d_loss", "g_loss")])
@pytest.mark.parametrize("seed", range(6))
def test_gan_held_out_reconstruction_rising_while_generator_falls_is_overfitting(seed, names):
    rng = np.random.default_rng(300 + seed)
    run = _gan_run(rng, int(rng.integers(40, 200)), turn=rng.uniform(0.08, 0.3), names=names)
    assert "overfitting" in _alarms(run)


@pytest.mark.parametrize("seed", range(10))
def test_gan_held_out_reconstruction_at_its_floor_is_not_overfitting(seed):
    rng = np.random.default_rng(400 + seed)
    run = _gan_run(rng, int(rng.integers(40, 200)), turn=None)
    assert "overfitting" not in _alarms(run)


@pytest.mark.parametrize("seed", range(6))
def test_gan_held_out_rise_without_the_generator_falling_is_not_overfitting(seed):
    rng = np.random.default_rng(500 + seed)
    run = _gan_run(rng, int(rng.integers(40, 200)), turn=rng.uniform(0.08, 0.3), g_falls=False)
    assert "overfitting" not in _alarms(run)


def _tiny_run(rng, n, val) -> Run:
    x = np.arange(1.0, n + 1)
    train = rng.uniform(0.3, 0.8) * np.exp(-np.arange(n) * rng.uniform(0.6, 1.0))
    return Run.from_columns("r", "<t>", "t", {"train_loss": (x, train), "val_loss": (x, np.asarray(val))},
                            axis="epoch")


@pytest.mark.parametrize("seed", range(12))
def test_three_to_five_epochs_with_validation_far_above_its_best_is_overfitting(seed):
    """Validation best at an early epoch, every later one far above it but not in order (the last
    dips back a little), while training falls several-fold: a practitioner sees memorisation."""
    rng = np.random.default_rng(600 + seed)
    n = int(rng.integers(4, 6))
    best = rng.uniform(0.1, 0.4)
    later = best * rng.uniform(1.6, 3.0, size=n - 1)
    later[-1] = min(later[-1], later[:-1].max() * rng.uniform(0.7, 0.95))  # out of order
    later = np.maximum(later, best * 1.55)
    assert "overfitting" in _alarms(_tiny_run(rng, n, [best, *later]))


@pytest.mark.parametrize("seed", range(12))
def test_three_to_five_epochs_with_validation_bouncing_near_its_best_is_quiet(seed):
    """A small validation set: evaluations bounce up to 15% above the best while training falls."""
    rng = np.random.default_rng(700 + seed)
    n = int(rng.integers(4, 6))
    best = rng.uniform(0.1, 0.4)
    val = best * rng.uniform(1.0, 1.15, size=n)
    val[int(rng.integers(0, n - 1))] = best
    assert "overfitting" not in _alarms(_tiny_run(rng, n, val))


def _spiky_val_run(rng, n, rise: float) -> Run:
    """Per-epoch run whose validation loss has one-sided noise (a fifth of the epochs jump 30-90% up
    and fall back), a floor that falls to its lowest about two thirds in and then climbs by
    ``rise`` to the end, while the training loss keeps falling."""
    x = np.arange(1.0, n + 1)
    t = x / n
    train = _decay(rng, n, 1.0, 0.02, 0.5, 0.01)  # still falling hard at the end
    turn = rng.uniform(0.6, 0.75)
    floor = 0.55 + 0.6 * np.exp(-t / 0.15) + 0.55 * rise * np.clip((t - turn) / (1 - turn), 0, None)
    spikes = np.where(rng.random(n) < 0.2, rng.uniform(1.3, 1.9, n), 1.0)
    val = floor * spikes * np.exp(0.02 * rng.standard_normal(n))
    return Run.from_columns("r", "<t>", "t", {"train_loss": (x, train), "val_loss": (x, val)}, axis="epoch")


@pytest.mark.parametrize("climbs", [True, False])
@pytest.mark.parametrize("seed", range(16))
def test_noisy_validation_is_overfitting_exactly_when_its_floor_climbs(seed, climbs):
    rng = np.random.default_rng((800 if climbs else 900) + seed)
    n = int(rng.integers(30, 60)) if climbs else int(rng.integers(24, 90))
    run = _spiky_val_run(rng, n, rise=rng.uniform(0.3, 0.45) if climbs else 0.0)
    assert ("overfitting" in _alarms(run)) == climbs


def _late_climb_run(rng, n, climb: float) -> Run:
    """Per-epoch training loss that falls to a minimum 55-65% of the way in and then climbs by
    ``climb`` (a fraction of the minimum) steadily to the end, with a little noise."""
    x = np.arange(1.0, n + 1)
    t = x / n
    turn = rng.uniform(0.55, 0.65)
    base = 2.0 + 5.0 * np.exp(-t / 0.1)
    base = np.where(t < turn, base, (2.0 + 5.0 * np.exp(-turn / 0.1)) * (1 + climb * (t - turn) / (1 - turn)))
    y = base * np.exp(0.003 * rng.standard_normal(n))
    return Run.from_columns("r", "<t>", "t", {"train_loss": (x, y)}, axis="epoch")


@pytest.mark.parametrize("climbs", [True, False])
@pytest.mark.parametrize("seed", range(10))
def test_a_training_loss_is_divergence_when_it_climbs_steadily_not_when_it_drifts(seed, climbs):
    """A climb of 18-30% over the last third or more is divergence; a drift of 0-8% is not."""
    rng = np.random.default_rng((1000 if climbs else 1100) + seed)
    n = int(rng.integers(30, 90))
    run = _late_climb_run(rng, n, climb=rng.uniform(0.18, 0.3) if climbs else rng.uniform(0.0, 0.08))
    assert ("divergence" in _alarms(run)) == climbs


def _eval_only(fmt: str, with_train: bool) -> Run:
    rng = np.random.default_rng(5)
    x = np.arange(1.0, 11.0)
    run = Run(name="r", source="<t>", format=fmt)
    run.add(Series.named("val/accuracy_top-1", x, 92 + np.cumsum(rng.uniform(0, 0.4, 10)), axis="epoch"))
    if with_train:
        run.add(Series.named("loss", x, _decay(rng, 10, 1.0, 0.2, 0.3, 0.02), axis="epoch"))
    return run


@pytest.mark.parametrize("fmt,with_train,named", [
    ("mmdet2_log_json", False, True), ("hf_trainer_state", False, True),  # the writer logs training itself
    ("mmdet2_log_json", True, False),  # both logged: nothing missing
    ("lightning_csv", False, False), ("generic_table", False, False)])  # validation alone by the user's choice
def test_evaluations_without_any_training_line_where_the_writer_logs_it(fmt, with_train, named):
    assert ("val-without-train" in _alarms(_eval_only(fmt, with_train))) == named


def _agent_run(rng, n, score_trend: float, score: str = "win_rate") -> Run:
    """A DQN-style log, one row per block of episodes: the TD loss creeps up (it chases moving
    targets), epsilon decays, and the agent's score drifts by ``score_trend`` over the run."""
    x = np.arange(1.0, n + 1) * 200
    t = np.arange(n) / n
    cols = {"episode": (x, x), "avg_loss": (x, 0.0025 * (1 + 0.3 * t) * np.exp(0.05 * rng.standard_normal(n))),
            "epsilon": (x, 0.95 * 0.05 ** t),
            score: (x, np.clip(0.45 + score_trend * t + 0.03 * rng.standard_normal(n), 0, 1))}
    return Run.from_columns("r", "<t>", "t", cols)


@pytest.mark.parametrize("score", ["win_rate", "success_rate"])
@pytest.mark.parametrize("seed", range(6))
def test_an_agent_whose_score_falls_is_no_learning_not_divergence(seed, score):
    found = _alarms(_agent_run(np.random.default_rng(1200 + seed), 20, -0.15, score))
    assert "no-learning" in found and "divergence" not in found


@pytest.mark.parametrize("seed", range(6))
def test_an_agent_whose_score_rises_is_quiet_while_its_td_loss_creeps_up(seed):
    assert not _alarms(_agent_run(np.random.default_rng(1300 + seed), 20, +0.3))


def _asr_run(rng, wer, eval_loss_fall: float) -> Run:
    """An HF-style speech fine-tune: loss rows every 100 steps (a fast drop from a huge CTC start,
    then flat), six evaluations with an eval loss falling by ``eval_loss_fall`` and the given WER."""
    x = np.arange(100.0, 3100.0, 100.0)
    loss = 5.0 + 27.0 * np.exp(-(x - 100) / 60) + 0.08 * rng.standard_normal(x.size)
    ex = np.arange(500.0, 3500.0, 500.0)
    eval_loss = 5.0 * (1 - eval_loss_fall * np.arange(6) / 5) * np.exp(0.002 * rng.standard_normal(6))
    return Run.from_columns("r", "<t>", "t", {"loss": (x, loss), "eval_loss": (ex, eval_loss),
                                              "eval_wer": (ex, np.asarray(wer, dtype=float))})


@pytest.mark.parametrize("seed", range(4))
def test_word_error_rate_at_100_percent_at_every_evaluation_is_stuck(seed):
    found = _alarms(_asr_run(np.random.default_rng(1400 + seed), [1.0] * 6, 0.0))
    assert found.get("stuck-at-chance") == Severity.WARNING


def test_word_error_rate_at_100_percent_while_the_eval_loss_falls_is_a_mismatch():
    found = _alarms(_asr_run(np.random.default_rng(1500), [1.0] * 6, 0.4))
    assert "loss-metric-mismatch" in found and "stuck-at-chance" not in found


def test_word_error_rate_leaving_100_percent_is_quiet():
    found = _alarms(_asr_run(np.random.default_rng(1600), [1.0, 0.9, 0.7, 0.55, 0.45, 0.4], 0.3))
    assert "stuck-at-chance" not in found and "loss-metric-mismatch" not in found


def _short_noisy_run(rng, drift: bool) -> Run:
    """9-12 evaluations while training falls tenfold or more. With ``drift``: validation best at the
    first, then drifting 30-50% up through noise, two evaluations jumping well above the drift (too
    noisy for the jitter-sized tests). Without: validation flat at its level with noise of 3-15%."""
    n = int(rng.integers(9, 13))
    x = np.arange(1.0, n + 1)
    train = 0.7 * np.exp(-np.arange(n) * rng.uniform(0.35, 0.5))
    if drift:
        val = 0.04 * (1 + rng.uniform(0.3, 0.5) * np.arange(n) / (n - 1)) * np.exp(0.06 * rng.standard_normal(n))
        val[0] = 0.95 * val[1:].min()
        for i in rng.choice(np.arange(2, n - 1), size=2, replace=False):
            val[i] *= rng.uniform(1.3, 1.5)
    else:
        val = 0.04 * np.exp(rng.uniform(0.03, 0.15) * rng.standard_normal(n))
    return Run.from_columns("r", "<t>", "t", {"train_loss": (x, train), "val_loss": (x, val)}, axis="epoch")


def test_short_noisy_validation_drifting_up_while_training_collapses_is_mostly_named():
    """Weak order evidence (the rise after the best at 10%) beside a large effect on both sides: named
    on most such runs (about a third before), while a flat noisy validation stays mostly quiet."""
    # Rates over enough seeds that one chance alignment does not decide the test: the order reading
    # (every evaluation after the best worse than all before) fires on about 1% of flat noisy runs by
    # its exact chance, which 100 seeds cannot tell from a real change.
    named = sum("overfitting" in _alarms(_short_noisy_run(np.random.default_rng(1700 + k), True)) for k in range(160))
    quiet = sum("overfitting" not in _alarms(_short_noisy_run(np.random.default_rng(1800 + k), False))
                for k in range(400))
    assert named >= 0.65 * 160 and quiet >= 0.94 * 400, (named, quiet)


@pytest.mark.parametrize("fmt", ["keras_csv", "keras_history"])
def test_a_keras_shaped_file_without_any_training_column_is_the_users_own_evaluation_log(fmt):
    """Keras's fit() always writes ``loss``: a Keras-shaped table holding validation alone was written by
    the user's own code, which may log validation alone, so nothing says training was dropped."""
    assert "val-without-train" not in _alarms(_eval_only(fmt, False))
