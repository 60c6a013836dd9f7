"""A spike in one part of a validation loss logged in parts, confirmed by the task metric.

Detectors and segmenters log their validation loss in parts (box, cls, dfl, seg) and the
``loss-spikes`` rule judges the primary part. At the peak of an LR warm-up the weights can be
thrown off for an evaluation: the class or mask part jumps 2-3x while the box part barely moves.
One part spiking alone is also what a healthy detector does now and then (its class loss is
the least stable part early on, and a 2x jump of it at the warm-up peak was seen on a healthy
real run whose mAP kept rising). What makes it an event is the task metric: at the same
evaluation it fell to half or less of its value on both neighbouring evaluations and came back,
so the model itself, not only a loss part, was worse at that evaluation.

Judged by effect size (``stats.excursions``), both ways: the part goes up 2x and back down, and
the metric goes down 2x and back up, at the same evaluation.
"""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ._common import Curve, curve, fmt, make, unit
from .eval_swings import SPIKE_RATIO, eval_spikes_finding, run_scale

DIP_RATIO = 2.0  # the metric at the spike is half or less of both its neighbours


def _metric_dip(run: Run, step: float) -> dict | None:
    """The higher-is-better validation metric that, at ``step``, fell furthest below the evaluations
    just before and just after it, if that is 1/DIP_RATIO or less of both."""
    best = None
    for s in run.by_role(Role.VAL_METRIC):
        if not s.higher_is_better:
            continue
        m = curve(s)
        if m.n < 3 or not np.all(m.y >= 0):
            continue
        hit = np.flatnonzero(m.x == step)
        if hit.size != 1 or not 0 < int(hit[0]) < m.n - 1:
            continue
        i = int(hit[0])
        before, at, after = float(m.y[i - 1]), float(m.y[i]), float(m.y[i + 1])
        drop = min(before, after) / at if at > 0 else float("inf")
        if min(before, after) > 0 and drop >= DIP_RATIO and (best is None or drop > best["drop"]):
            best = {"metric": s.name, "before": before, "at": at, "after": after, "drop": round(drop, 3)}
    return best


def part_spike_finding(run: Run, primary: Curve, warm_end: float | None):
    """An info finding (worth a look) for a 2x spike in a non-primary validation loss part at an
    evaluation where a task metric dipped 2x and came back, or None."""
    for s in run.by_role(Role.VAL_LOSS):
        if s.name == primary.name:
            continue
        c = curve(s)
        if c.n < 8 or not np.all(c.y > 0):
            continue
        g = eval_spikes_finding(c, run_scale(run, c))
        if g is None:
            continue
        for sp in g.evidence["spikes"]:
            dip = _metric_dip(run, sp["step"])
            if dip is None:
                continue
            u = unit(c)
            at_warmup = warm_end is not None and abs(sp["step"] - warm_end) <= max(1.0, 0.02 * (c.span[1] - c.span[0]))
            title = (f"{c.name} spiked x{sp['ratio']:.3g} ({fmt(sp['before'])} -> {fmt(sp['value'])} -> "
                     f"{fmt(sp['after'])}) at {u} {fmt(sp['step'])} while {dip['metric']} fell {fmt(dip['before'])} -> "
                     f"{fmt(dip['at'])} and came back ({fmt(dip['after'])})"
                     + (": at the peak of the learning-rate warm-up" if at_warmup else ""))
            f = make("loss-spikes", title, severity=Severity.INFO, series=[c.name, dip["metric"]],
                     steps=[sp["step"], sp["step"]],
                     evidence={"part": c.name, "spike": sp, "metric_dip": dip, "min_ratio": SPIKE_RATIO,
                               "min_metric_drop": DIP_RATIO, "warmup_peak_step": warm_end,
                               "judged_on": "a validation loss part, confirmed by the task metric"},
                     causes=(["a learning-rate warm-up peaking too high: the weights are thrown off for an "
                              "evaluation and recover as the rate decays"] if at_warmup else [])
                     + ["a learning rate at the edge of stability", "a small validation set: a few examples "
                        "flipping move the average and the metric together"],
                     fixes=["lengthen the warm-up or lower the peak learning rate",
                            "keep the checkpoint with the best validation metric, not the last"],
                     marks=[Mark("point", c.name, sp["step"], label=f"spike x{sp['ratio']:.2f}"),
                            Mark("point", dip["metric"], sp["step"], label="metric dip")])
            f.verdict = "worth a look"
            f.verdict_reason = ("the model was worse at that evaluation, not only one loss part: the task metric fell to "
                                "half or less and recovered; fine if it stays a one-off early in training")
            return f
    return None
