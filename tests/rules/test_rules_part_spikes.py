"""A spike in one part of a detector's validation loss, confirmed by the task metric
(rules.part_spikes): the class or mask part jumps 2x+ at one evaluation and comes back, and at that
same evaluation mAP fell to half or less of both neighbours and came back. The healthy look-alike,
seen on a real YOLO run, is the same part spike with mAP still rising; a dip of mAP with every loss
part calm is not a loss spike either."""

from __future__ import annotations

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, Series

N = 40
SPIKE_AT = 3  # the epoch where the warm-up peaks


def _run(part_spike: float, map_dip: float) -> Run:
    rng = np.random.default_rng(4)
    ep = np.arange(1, N + 1, dtype=float)
    decay = np.exp(-ep / 12)
    noise = lambda: np.exp(0.03 * rng.standard_normal(N))  # noqa: E731 - a fresh 3% noise per curve
    run = Run(name="r", source="r", format="test")
    lr = np.where(ep <= SPIKE_AT, 2e-3 * ep / SPIKE_AT, 2e-3 * (1 - (ep - SPIKE_AT) / N))
    run.add(Series.named("lr/pg0", ep, lr))
    for part, start in (("box", 1.3), ("cls", 1.4), ("dfl", 1.2)):
        run.add(Series.named(f"train/{part}_loss", ep, start * (0.55 + 0.45 * decay) * noise()))
    val = {p: s * (0.6 + 0.4 * decay) * noise() for p, s in (("box", 1.5), ("cls", 1.8), ("dfl", 1.6))}
    val["cls"][SPIKE_AT - 1] *= part_spike
    for part, y in val.items():
        run.add(Series.named(f"val/{part}_loss", ep, y))
    m = 0.9 - 0.7 * decay
    m[SPIKE_AT - 1] /= map_dip
    run.add(Series.named("metrics/mAP50(B)", ep, m))
    return run


def _spikes(run: Run):
    return [f for f in diagnose_run(run) if f.id == "loss-spikes"]


def test_a_part_spike_with_the_metric_dipping_is_worth_a_look():
    got = _spikes(_run(part_spike=2.6, map_dip=3.0))
    assert len(got) == 1
    f = got[0]
    assert f.severity.label == "info" and f.verdict == "worth a look"
    assert f.evidence["part"] == "val/cls_loss" and f.evidence["metric_dip"]["metric"] == "metrics/mAP50(B)"
    assert f.steps == [float(SPIKE_AT), float(SPIKE_AT)] and "warm-up" in f.title


def test_a_part_spike_while_the_metric_keeps_rising_is_left_alone():
    assert _spikes(_run(part_spike=2.6, map_dip=1.0)) == []


def test_a_metric_dip_with_every_loss_part_calm_is_not_a_loss_spike():
    assert _spikes(_run(part_spike=1.2, map_dip=3.0)) == []
