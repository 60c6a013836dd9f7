"""Whether a logged learning rate can explain one loss spike: the rate's history decides the lead cause.

A step too large for the loss surface throws the loss up whenever the rate is at that size; a rate that
was the same before the spike (the loss fell smoothly under it) and after it (the loss came back down
under it) cannot alone explain one spike between. What differed at that one point is what the model
read: a batch or shard of bad data. Without a logged rate, or with a rate that moved around the spike
(a warm-up, a schedule, a rate set by hand), the rate stays the first suspect."""
from __future__ import annotations

import numpy as np

from ..run import Role, Run
from ._common import curve, fmt

CONSTANT_SPREAD = 0.01  # a rate whose highest and lowest logged values differ by under 1% is constant
MIN_BEFORE = 3  # logged rate points at or before the spike that show the rate it trained under


AFTER_SHARE = 0.1  # the stretch after the return, as a share of the loss curve's span, that must stay calm


def constant_rate_around(run: Run, peak: float, until: float) -> float | None:
    """The logged learning rate when it was the same (within 1%) at every logged point from the first
    through ``until``, with MIN_BEFORE points at or before the spike's ``peak`` and one at or after
    ``until``; else None."""
    s = run.primary(Role.LR)
    if s is None:
        return None
    lr = curve(s)
    x, y = lr.x, lr.y
    if x.size < MIN_BEFORE + 1 or not np.all(np.isfinite(y)) or int(np.sum(x <= peak)) < MIN_BEFORE:
        return None
    after = x[x >= until]
    if after.size == 0:
        return None
    y = y[x <= after[0]]
    hi, lo = float(np.max(y)), float(np.min(y))
    if lo <= 0 or hi > lo * (1 + CONSTANT_SPREAD):
        return None
    return float(np.median(y))


def _stayed_back(run: Run, name: str, sp: dict, back: float, until: float) -> bool:
    """Whether the loss, from its return ``back`` through ``until``, kept a median under its recovery
    threshold (30% of the spike's rise above the level before, in log terms, as ``_settles_back``): it
    trained on calmly at that rate, rather than rising again until a rate cut brought it down."""
    s = run.series.get(name)
    if s is None:
        return False
    c = curve(s)
    before, ratio = float(sp.get("before") or 0.0), float(sp.get("ratio") or 0.0)
    after = c.y[(c.x > back) & (c.x <= until)]
    if before <= 0 or ratio <= 1 or after.size < 3 or not np.all(c.y > 0):
        return False
    return bool(np.median(after) <= before * ratio ** 0.3)


def bad_batch_first(run: Run, f) -> None:
    """Lead a one-spike ``loss-spikes`` finding with the bad batch when the logged rate was constant from
    the start through the spike, its return and a tenth of the run after (``constant_rate_around``), and
    the loss stayed back down over that tenth (``_stayed_back``). The rate's cause comes second (an
    optimiser at the edge of stability, Adam's at a constant rate, can still spike once), its fix last,
    without the warm-up there was none of. Left as it is for several spikes, a spike never recovered
    from, a rate that moved, or a loss that rose again before a rate cut brought it down."""
    ev = f.evidence
    spikes = ev.get("spikes") or []
    if (ev.get("count") != 1 or len(spikes) != 1 or not f.causes or not f.causes[0].startswith("learning rate too high")
            or spikes[0].get("recovery") not in ("fast", "slow")):
        return
    sp = spikes[0]
    back = float(sp["step"]) + float(sp.get("recovery_steps") or 0.0)
    s = run.series.get(f.series[0]) if f.series else None
    if s is None:
        return
    c = curve(s)
    until = back + AFTER_SHARE * float(c.x[-1] - c.x[0])
    if float(c.x[-1]) < until:
        return  # too little run after the return to see it train on at that rate
    rate = constant_rate_around(run, float(sp["step"]), until)
    if rate is None or not _stayed_back(run, f.series[0], sp, back, until):
        return
    ev["constant_rate"] = rate
    lead = (f"one spike at a constant learning rate ({fmt(rate)} from the first logged step through the spike and "
            f"its recovery, no warm-up or schedule): nothing in the rate changed there, and the loss fell under it "
            f"before the spike and came back down under it after; what changed is what the model read: a batch or "
            f"shard of bad data (corrupt or mislabeled samples, extreme values)")
    rate_causes = [c for c in f.causes if c.startswith("learning rate too high")]
    f.causes = [lead] + rate_causes[:1] + \
        [c for c in f.causes if not c.startswith(("a batch of bad data", "learning rate too high"))]
    first = [x for x in f.fixes if x.startswith("find the batches")]
    f.fixes = (first or ["find the batches at the spike step and inspect them"]) + \
        [x for x in f.fixes if not x.startswith(("find the batches", "lower the peak learning rate"))] + \
        ["if spikes recur at this constant rate, lower the learning rate (for Adam, or raise its epsilon)"]
