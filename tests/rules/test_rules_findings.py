"""Each finding of the curve table fires on its own synthetic failure, across random shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traindoc.findings import Severity
from traindoc.rules import RULES, diagnose_run
from traindoc.run import Run, RunMeta, Series
from traindoc.stats.synthetic import BROKEN, EPOCH_SHAPES, broken

EXPECTED_SEVERITY = {"nonfinite": Severity.ERROR, "divergence": Severity.ERROR, "late-start": Severity.INFO,
                     "appended-runs": Severity.INFO, "too-short": Severity.INFO, "loss-spikes": Severity.WARNING}
SEEDS = range(6)


def _ids(run: Run) -> dict[str, Severity]:
    return {f.id: f.severity for f in diagnose_run(run)}


def test_every_curve_finding_has_a_rule_and_a_page():
    for fid in BROKEN:
        assert fid in RULES, fid
        assert RULES[fid].doc_path.exists(), fid
        page = RULES[fid].doc()
        assert page.startswith(f"# {fid}") and "What to do" in page


@pytest.mark.parametrize("fid", BROKEN)
def test_finding_fires_on_its_failure(fid):
    for seed in SEEDS:
        run = broken(np.random.default_rng(1000 + seed), fid)
        found = _ids(run)
        assert fid in found, (seed, found)
        want = EXPECTED_SEVERITY.get(fid, RULES[fid].severity)
        assert found[fid] == want, (seed, found)
        assert not run.meta.notes, run.meta.notes  # no rule crashed


@pytest.mark.parametrize("fid", sorted(EPOCH_SHAPES))
def test_finding_fires_on_short_per_epoch_curves(fid):
    """The same failures logged once per epoch (10-40 points) are still recognised."""
    for seed in SEEDS:
        run = broken(np.random.default_rng(2000 + seed), fid, per_epoch=True)
        assert all(s.axis == "epoch" for s in run.series.values())
        found = _ids(run)
        assert fid in found, (seed, found)


@pytest.mark.parametrize("fid", BROKEN)
def test_findings_carry_evidence(fid):
    run = broken(np.random.default_rng(7), fid)
    f = next(f for f in diagnose_run(run) if f.id == fid)
    doc = f.to_json()
    assert set(doc) == {"id", "severity", "title", "series", "steps", "evidence", "causes", "fixes",
                      "verdict", "verdict_reason"}
    assert doc["title"] and len(doc["title"]) < 200
    assert doc["evidence"], "a finding must say which numbers triggered it"
    if fid not in ("too-short", "appended-runs"):
        assert doc["series"] and doc["steps"] and doc["fixes"]


def _pair(train, val, axis="epoch"):
    x = np.arange(1.0, len(train) + 1)
    run = Run("pair", "<test>", "test")
    run.add(Series.named("train_loss", x, train, axis=axis))
    run.add(Series.named("val_loss", x, val, axis=axis))
    return run


@pytest.mark.parametrize("seed", range(5))
def test_five_train_val_readings(seed):
    """FINDINGS.md's readings: both fall / overfit / val-without-train / stalled / both-rising."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 30))
    t = np.arange(n) / n
    noise = lambda: np.exp(0.01 * rng.standard_normal(n))  # noqa: E731
    fall = 0.3 + 1.7 * np.exp(-t / 0.2)
    flat = np.full(n, 1.2)
    rise = 0.3 + 1.7 * np.exp(-t / 0.06) + 0.13 * np.clip(t - 0.3, 0, None) / 0.7  # learned, then both drift up from the minimum
    turn = fall * 1.1 + 0.8 * np.clip(t - 0.4, 0, None)
    cases = {
        None: (fall * noise(), fall * 1.15 * noise()),
        "overfitting": (fall * noise(), turn * noise()),
        "val-without-train": (flat * noise(), fall * noise()),
        "stalled": ((2.0 + np.exp(-t / 0.05)) * noise(), 2.1 * noise()),  # learned a little, stopped near ln(10)
        "both-rising": (rise * noise(), rise * 1.2 * noise()),
        "no-learning": (flat * noise(), flat * 1.1 * noise()),  # both flat from the start: never learned
    }
    readings = {"overfitting", "val-without-train", "stalled", "both-rising", "no-learning"}
    for want, (tr, va) in cases.items():
        run = _pair(tr, va)
        run.meta.num_classes = 10
        found = _ids(run)
        got = readings & set(found)
        assert got == ({want} if want else set()), (want, found)
        if want is None:
            assert all(s < Severity.WARNING for s in found.values()), found


def test_overfitting_reports_best_step_and_onset_marks():
    x = np.arange(1.0, 21.0)
    train = 0.2 + 2.0 * np.exp(-x / 4)
    val = np.concatenate([np.linspace(2.0, 0.6, 8), 0.6 + 0.06 * np.arange(1, 13)])
    run = _pair(train, val)
    f = next(f for f in diagnose_run(run) if f.id == "overfitting")
    assert f.evidence["best_step"] == 8
    kinds = {m.kind for m in f.marks}
    assert kinds == {"line", "point"}
    assert any("restore" in fix and "8" in fix for fix in f.fixes)


def test_converge_then_plateau_is_not_stalled():
    x = np.arange(1.0, 41.0)
    train = 0.05 + 2.0 * np.exp(-x / 3)
    run = _pair(train, train * 1.2)
    assert "stalled" not in _ids(run) and "no-learning" not in _ids(run)


def test_chance_level_from_hparams_and_by_matching():
    rng = np.random.default_rng(0)
    x = np.arange(500.0)
    flat = math.log(10) * np.exp(0.002 * rng.standard_normal(500))
    known = Run("r", "<t>", "t", meta=RunMeta(hparams={"num_classes": 10}))
    known.add(Series.named("loss", x, flat))
    guessed = Run("r", "<t>", "t")
    guessed.add(Series.named("loss", x, flat))
    for run in (known, guessed):
        f = next(f for f in diagnose_run(run) if f.id == "stuck-at-chance")
        assert f.evidence["classes"] == 10
    assert "no class count in the log" in next(f for f in diagnose_run(guessed) if f.id == "stuck-at-chance").evidence["source"]
    # A flat loss at a level that is no ln(C) is not chance: it is no-learning.
    other = Run("r", "<t>", "t")
    other.add(Series.named("loss", x, flat * 0.77))
    assert set(_ids(other)) & {"stuck-at-chance", "no-learning"} == {"no-learning"}


def test_lm_scale_run_starting_near_ln_vocab_is_healthy_and_spike_is_seen():
    rng = np.random.default_rng(5)
    n = 20_000
    x = np.arange(n, dtype=float)
    y = 3.0 + (math.log(50257) - 3.0) * (1 + x / 200) ** -0.5
    y *= np.exp(0.01 * rng.standard_normal(n))
    run = Run("lm", "<t>", "t", meta=RunMeta(vocab_size=50257))
    run.add(Series.named("loss", x, y))
    assert all(f.severity < Severity.WARNING for f in diagnose_run(run))
    spiky = y.copy()
    spiky[12000:] *= 1 + 0.6 * np.exp(-np.arange(n - 12000) / 4000)
    run2 = Run("lm", "<t>", "t", meta=RunMeta(vocab_size=50257))
    run2.add(Series.named("loss", x, spiky))
    f = next(f for f in diagnose_run(run2) if f.id == "loss-spikes")
    assert f.severity == Severity.WARNING and 11990 <= f.evidence["spikes"][0]["step"] <= 12050


def test_nonfinite_evidence_first_step_and_share():
    y = np.linspace(2, 1, 100)
    y[60:] = np.nan
    run = Run("r", "<t>", "t")
    run.add(Series.named("loss", np.arange(100.0), y))
    f = next(f for f in diagnose_run(run) if f.id == "nonfinite")
    assert f.evidence["first_step"] == 60 and f.evidence["share"] == 0.4 and f.severity == Severity.ERROR
    assert f.marks[0].start == 60


def test_amp_grad_norm_inf_is_info_only():
    x = np.arange(200.0)
    g = np.ones(200)
    g[[5, 9]] = np.inf
    run = Run("r", "<t>", "t")
    run.add(Series.named("loss", x, 2 * np.exp(-x / 50) + 0.1))
    run.add(Series.named("grad_norm", x, g))
    f = next(f for f in diagnose_run(run) if f.id == "nonfinite")
    assert f.severity == Severity.INFO


def test_reader_split_segment_is_info():
    run = broken(np.random.default_rng(0), "no-learning")
    run.meta.segment = (2, 3)  # the readers number segments from 1
    f = next(f for f in diagnose_run(run) if f.id == "appended-runs")
    first = min(float(s.steps[0]) for s in run.series.values() if len(s))
    last = max(float(s.steps[-1]) for s in run.series.values() if len(s))
    assert f.severity == Severity.INFO
    assert f.evidence == {"segment": 2, "segments": 3, "starts_at": first, "ends_at": last}
    assert "run 2 of 3" in f.title and f"{first:g} to {last:g}" in f.title


def test_too_short_says_what_is_missing():
    run = Run("r", "<t>", "t")
    run.add(Series.named("loss", [0, 1, 2], [1.0, 0.9, 0.8]))
    fs = diagnose_run(run)
    assert [f.id for f in fs] == ["too-short"]
    assert "3 finite point" in fs[0].evidence["missing"][0]
    empty = Run("r", "<t>", "t")
    empty.add(Series.named("epoch", [0, 1], [0, 1]))
    assert "no loss or metric series" in diagnose_run(empty)[0].title


def test_diagnosis_is_deterministic_and_survives_growth():
    run = broken(np.random.default_rng(3), "overfitting", per_epoch=False)
    a = [f.to_json() for f in diagnose_run(run)]
    b = [f.to_json() for f in diagnose_run(run)]
    assert a == b
    full = {name: (s.steps, s.values) for name, s in run.series.items()}
    for frac in (0.05, 0.2, 0.5, 0.8, 1.0):  # a growing run, as the live watcher sees it
        grown = Run("g", "<t>", "t")
        for name, (st, v) in full.items():
            k = max(1, int(len(st) * frac))
            grown.add(Series.named(name, st[:k], v[:k]))
        diagnose_run(grown)
        assert not grown.meta.notes


def test_a_raising_rule_does_not_kill_diagnosis(monkeypatch):
    from traindoc.rules.registry import RuleSpec

    def boom(run):
        raise RuntimeError("kaput")

    monkeypatch.setitem(RULES, "zz-test-boom", RuleSpec("zz-test-boom", "test", Severity.INFO, "t", (), boom))
    run = broken(np.random.default_rng(0), "divergence")
    fs = diagnose_run(run)
    assert "divergence" in {f.id for f in fs}
    assert any("zz-test-boom failed: RuntimeError: kaput" in n for n in run.meta.notes)
    diagnose_run(run)
    assert sum("zz-test-boom" in n for n in run.meta.notes) == 1


def test_gan_losses_are_not_judged_as_a_minimised_loss():
    rng = np.random.default_rng(0)
    x = np.arange(2000.0)
    g = (0.7 + 2.5 * x / 2000) * np.exp(0.1 * rng.standard_normal(2000))  # generator loss rising: healthy game
    d = 0.6 * np.exp(0.1 * rng.standard_normal(2000))
    run = Run("gan", "<t>", "t")
    run.add(Series.named("loss_G", x, g))
    run.add(Series.named("loss_D", x, d))
    assert [f.id for f in diagnose_run(run) if f.severity >= Severity.WARNING] == []
    single = Run("r", "<t>", "t")
    single.add(Series.named("loss", x, g))
    assert "divergence" in {f.id for f in diagnose_run(single)}


def test_negligible_spike_near_zero_loss_is_ignored():
    x = np.arange(3000.0)
    y = 2.3 * np.exp(-x / 100) + 1e-6
    y[2000:2100] += 1e-3  # x1000 in ratio, nothing in absolute terms
    run = Run("r", "<t>", "t")
    run.add(Series.named("loss", x, y))
    assert "loss-spikes" not in {f.id for f in diagnose_run(run)}


def test_early_explosion_that_never_learns_again_is_divergence_and_accuracy_at_chance_is_stuck():
    """A too-high LR without a logged LR series: the loss explodes by orders of magnitude in the
    first steps, then sits flat at chance (accuracy 1/C from 4 evaluations). Coming back down to
    a flat level is no recovery: divergence, not a spike that recovered."""
    rng = np.random.default_rng(2)
    x = np.arange(1.0, 512.0, 2.0)
    y = 1.75 * np.exp(0.12 * rng.standard_normal(x.size))
    y[:2] = [2.1, 2.3]
    y[2:6] = [12.0, 355.0, 1.1e8, 7e15]
    run = Run("r", "<t>", "t", meta=RunMeta(num_classes=5))
    run.add(Series.named("train_loss_step", x, y))
    run.add(Series.named("val_acc", [127.0, 255.0, 383.0, 511.0], [0.193, 0.203, 0.197, 0.197]))
    found = {f.id: f for f in diagnose_run(run)}
    assert found["divergence"].severity == Severity.ERROR
    assert found["divergence"].evidence["explosion_ratio"] > 1e6
    assert "loss-spikes" not in found
    assert found["stuck-at-chance"].evidence["classes"] == 5


def test_no_chance_level_for_detection_losses():
    """A detector logs num_classes too, but its box/class/objectness loss has no ln(C) level."""
    x = np.arange(300.0)
    run = Run("det", "<t>", "t", meta=RunMeta(num_classes=80))
    run.add(Series.named("train/box_loss", x, 12.0 * np.exp(-x / 80) + 1.0))
    run.add(Series.named("train/cls_loss", x, 9.0 * np.exp(-x / 80) + 0.5))
    assert "high-initial-loss" not in {f.id for f in diagnose_run(run)}
    cls = Run("cls", "<t>", "t", meta=RunMeta(num_classes=80))
    cls.add(Series.named("loss", x, 12.0 * np.exp(-x / 80) + 1.0))
    assert "high-initial-loss" in {f.id for f in diagnose_run(cls)}
