"""Stability: non-finite values, divergence, loss spikes, oscillation."""

from __future__ import annotations

import math

import numpy as np

from ..findings import Mark, Severity
from ..run import MEASURED_ROLES, Role, Run
from ..stats import bin_median, detect_spikes, scan_spikes, mann_kendall, noise_sigma, rolling_median, trend
from ..stats.exact import fall_p
from ..stats.rank_sum import above_p
from .adversarial_pair import adversary_at_equilibrium, generator_losing_finding
from .off_scale_start import OFF_SCALE
from ._common import (adversarial, per_curve, reinforcement, LOSS_ROLES, METRIC_ROLES, MIN_POINTS, Curve, curve, fmt, loss_curve, make, rel,
                      rising_after_min, unit)
from .negative_runaway import negative_runaway_finding
from .constant_rate import bad_batch_first
from .eval_swings import REPEATED, ZIGZAG_RATIO, eval_spikes_finding, run_scale, zigzag_finding, zigzag_of
from .registry import rule
from .val_only import training_kept_falling

_WATCHED = MEASURED_ROLES + (Role.LR, Role.GRAD_NORM)


# A training loss resting at this share of its start has converged: its per-batch values near zero
# swing by multiples on a few hard samples without any instability.
CONVERGED_SHARE = 0.05


@rule("nonfinite", family="stability", severity=Severity.ERROR, title="A loss or metric became NaN or Inf")
def nonfinite(run: Run):
    losses_finite = all(s.n_nonfinite == 0 for r in LOSS_ROLES for s in run.by_role(r))
    for s in run.series.values():
        if s.role not in _WATCHED or len(s) == 0:
            continue
        bad = ~np.isfinite(s.values)
        nbad = int(bad.sum())
        if not nbad:
            continue
        first = int(np.argmax(bad))
        step = float(s.steps[first])
        kinds = sorted({"NaN" if np.isnan(v) else ("+Inf" if v > 0 else "-Inf") for v in s.values[bad][:1000]})
        recovered = bool(np.isfinite(s.values[first:]).any())
        share = nbad / len(s)
        if s.role in LOSS_ROLES or s.role == Role.LR:
            sev = Severity.ERROR
        elif s.role == Role.GRAD_NORM and losses_finite:
            sev = Severity.INFO  # mixed-precision loss scaling skips such steps on purpose
        elif losses_finite and nbad == len(s) and s.role in (Role.TRAIN_METRIC, Role.VAL_METRIC):
            # Never once defined while every loss is finite: the metric has no value on this data
            # (detectron2 writes NaN for APs when the set holds no small objects), not a blow-up.
            sev = Severity.INFO
        else:
            sev = Severity.WARNING
        ev = {"first_step": step, "nonfinite_points": nbad, "points": len(s), "share": round(share, 4),
              "kinds": kinds, "finite_again_later": recovered}
        if first:
            ev["last_finite_value"] = float(s.values[first - 1]) if np.isfinite(s.values[first - 1]) else None
        causes = ["learning rate too high: an over-activated unit overflows (exp(100) = Inf) and NaN spreads to "
                  "the weights", "exploding gradients", "log(0) or division by zero in the loss or a custom layer",
                  "bad input values (NaN/Inf in the data)", "fp16 overflow without loss scaling"]
        fixes = ["lower the learning rate (bisect between 1e-1 and 1e-4)", "clip gradients and log the gradient "
                 "norm to see the blow-up coming", "add an epsilon to logs and divisions; use the with-logits loss",
                 "check the inputs for NaN/Inf", "run `traindoc watch` to find the first module that produced it"]
        undefined = sev == Severity.INFO and s.role != Role.GRAD_NORM
        if s.role in LOSS_ROLES and recovered and np.isfinite(s.values[-1]):
            # NaN, then finite again to the end: a NaN weight stays NaN, so the weights were never
            # NaN; some batches make it. The rate is then a poor first guess.
            ev["comes_and_goes"] = True
            causes = [f"the NaN comes and goes ({nbad} of {len(s)} points, finite again at the end), so the "
                      f"weights never became NaN (a NaN weight stays NaN): the loss is undefined on some batches "
                      f"only: a log, division or sqrt at 0 or a negative (a hand-written log of a probability or "
                      f"of an output that can go negative), rows with NaN/Inf in the data, or a float16 overflow"
                      ] + [c for c in causes if not c.startswith(("log(0)", "bad input values"))]
            fixes = ["clamp before logs and divisions (torch.log(p.clamp_min(1e-7))) or use the framework's "
                     "log-softmax / with-logits loss; check the inputs and targets for NaN/Inf"] + \
                [f for f in fixes if not f.startswith(("add an epsilon", "check the inputs"))]
        elif s.role in LOSS_ROLES and _calm_before_nonfinite(s.values[:first]):
            # A long finite stretch that never grew, then NaN: a rate too high overflows through a
            # loss that climbs first; a loss that was falling or resting up to the NaN hit an
            # operation undefined at the values it reached (log(1 - sigmoid) = log(0) once the
            # model is confident enough).
            ev["calm_before"] = True
            causes = [f"the loss was finite and not growing for {first} points, then became NaN without climbing "
                      f"first: an operation undefined at the values the model reached (a hand-written log of a "
                      f"probability that saturates to exactly 0 or 1, a division by zero, sqrt of 0 or a negative), "
                      f"not an optimiser blow-up, which grows the loss first"
                      ] + [c for c in causes if not c.startswith("log(0)")]
            fixes = ["compute the loss from logits (BCEWithLogitsLoss / log_softmax) or clamp before logs and "
                     "divisions (torch.log(p.clamp_min(1e-7)))"] + [f for f in fixes if not f.startswith("add an epsilon")]
        if undefined:
            causes = ["the metric is undefined on this data: e.g. an average precision over a size class or label "
                      "with no examples in the evaluation set (detectron2 logs NaN for APs/APm/APl then)"]
            fixes = ["nothing, if that class or size is really absent from the evaluation set"]
        elif sev == Severity.INFO:
            causes = ["mixed-precision training: the loss scaler skipped steps whose gradients overflowed (normal "
                      "while the scale settles)"]
            fixes = ["nothing, if it happens rarely and the loss stays finite; otherwise lower the learning rate"]
        f = make("nonfinite", f"{s.name} became {'/'.join(kinds)} at {('epoch' if s.axis == 'epoch' else 'step')} "
                   f"{fmt(step)} ({nbad} of {len(s)} points)", severity=sev, series=[s.name],
                   steps=[step, float(s.steps[-1])], evidence=ev, causes=causes, fixes=fixes,
                   marks=[Mark("point", s.name, step, label="first non-finite")])
        if undefined:
            f.title = f"{s.name} is {'/'.join(kinds)} at every one of its {len(s)} points (undefined, not diverged)"
            f.verdict, f.verdict_reason = "normal", ("never defined while every loss is finite: the metric has no "
                                                     "value on this evaluation set, nothing diverged")
        yield f


CALM_MIN = 8  # finite points before a NaN that make a stretch long enough to show growth, were there any


def _calm_before_nonfinite(y: np.ndarray) -> bool:
    """The finite values before a loss's first NaN/Inf form a long stretch (CALM_MIN points or more) whose
    last tenth sits no higher above the stretch's lowest level (rolling median) than a tenth of where it
    started: the loss did not grow before it broke, the same measure ``explodes_to_nonfinite`` uses to
    call a growth a blow-up."""
    y = y[np.isfinite(y)]
    if y.size < CALM_MIN:
        return False
    k = max(3, y.size // 10)
    head = float(np.median(y[:3]))
    base = float(np.min(rolling_median(y, 5)))
    return float(np.max(y[-k:])) - base < 0.1 * abs(head)


@per_curve
def explosion_of(c: Curve) -> dict | None:
    """An explosion by an order of magnitude or more after which the loss never learns again.

    The loss "comes back down" from 1e15, but to a flat level no better than where the run
    started (often chance): the weights were wrecked, nothing was recovered. A real recovery
    returns to the pre-spike trend and keeps improving, which the falling-trend test sees.
    """
    if c.n < MIN_POINTS or not np.all(c.y > 0):
        return None
    # A lone x10-x100 point on a per-step curve can be one bad batch; an explosion lasts or is huge.
    sp = [s for s in detect_spikes(c.x, c.y, per_step=c.series.axis != "epoch")
          if s.ratio >= 10 and (s.points >= 2 or s.ratio >= 100)]
    if not sp:
        return None
    first, last = sp[0], sp[-1]
    post = c.x > last.end
    if int(post.sum()) < max(MIN_POINTS, c.n // 5):
        return None
    pre = c.y[c.x < first.start]
    ref = float(np.median(pre[:max(1, min(pre.size, 50))])) if pre.size else float(c.y[0])
    xp, yp = c.x[post], c.y[post]
    level = float(np.median(yp))
    t = trend(xp, yp)
    # Still improving after it, however slowly (a significant fall worth 3% of the level over
    # the rest of the run): a recovery.
    improving = t.falling(0.05, 0.05) or (t.z < 0 and t.p < 0.01 and -t.slope * (xp[-1] - xp[0]) >= 0.03 * level)
    # Still falling but ending ten times or more above where the run started: the explosion
    # wrecked the weights and the "recovery" is far from undoing it (a loss of 100 where it
    # started at 2). Divergence either way.
    end = float(np.median(yp[-max(3, yp.size // 10):]))
    if (improving and end < 10.0 * ref) or level < 0.6 * ref:
        return None
    big = max(sp, key=lambda s: s.ratio)
    return {"start_level": ref, "peak": big.peak, "peak_step": big.peak_step, "ratio": big.ratio,
            "after_level": level, "after_trend_p": t.p, "after_from": float(xp[0]), "end_level": end,
            "end_over_start": round(end / ref, 2) if ref > 0 else None}


@per_curve
def explodes_to_nonfinite(c: Curve) -> dict | None:
    """The finite part of a loss that ends in NaN/Inf grew by an order of magnitude first."""
    s = c.series
    if c.n < MIN_POINTS or s.n_nonfinite == 0 or np.isfinite(s.values[-1]) or not np.all(c.y > 0):
        return None
    k = max(3, c.n // 20)
    base = float(np.min(rolling_median(c.y[:-k], 5))) if c.n - k >= 3 else float(np.min(c.y[:-k]))
    peak = float(np.max(c.y[-k:]))
    # The growth must also undo a tenth of the descent from the start, as a spike must to be an
    # explosion (``_spike_finding``): a loss resting at 1e-4 of its start that wanders 2.5e-5 -> 3e-4
    # before a NaN is a converged loss's noise on the run's scale, and its NaN an undefined operation
    # (log of 0), not a blow-up.
    if base <= 0 or peak < 10 * base or c.y[-1] < 3 * base or peak - base < 0.1 * abs(c.head):
        return None
    ip = int(np.argmax(c.y[-k:])) + c.n - k
    return {"min_level": base, "peak": peak, "peak_step": float(c.x[ip]), "last_finite": float(c.y[-1]),
            "last_finite_step": float(c.x[-1])}


def _steady_climb(c: Curve, up: dict, span: float) -> bool:
    """A smaller rise that is still no accident: 15%+ above the minimum, climbing at four of five
    evaluations or more since it, over the last 30% of the run or more, at p < 1e-3 and still rising
    in its later half. A training loss on fixed data does not climb like that for a third of a run
    in a healthy run (on the dev logs no healthy run's training loss rises significantly at all)."""
    if not (up["best"] > 0 and up["end"] >= 1.15 * up["best"] and up["p"] < 1e-3 and span > 0):
        return False
    if (c.xb[-1] - up["best_step"]) < 0.3 * span:
        return False
    seg = c.yb[c.ibest:]
    if seg.size < 8 or float(np.mean(np.diff(seg) > 0)) < 0.8:
        return False
    late = c.xb >= up["best_step"] + 0.5 * (c.xb[-1] - up["best_step"])
    return late.sum() >= 4 and trend(c.xb[late], c.yb[late]).rising(0.05, 0.02)


MONOTONE_MIN = 5  # evaluations after the minimum, every one higher than the one before


def _monotone_climb(c: Curve, up: dict) -> bool:
    """Every evaluation since the minimum higher than the one before, five or more of them, the last
    at double the minimum or more. Why apart from ``persistent``: on a short per-epoch curve a rank
    test cannot reach p < 1e-3 (six rising points give 1/720 at best) and a late turn covers less
    than a third of the run, yet a training loss that rises at every epoch to twice its minimum is
    the strongest evidence those points can give, at any length; noise does not climb five times in
    a row to a doubling."""
    seg = c.yb[c.ibest:]
    seg = seg[int(np.argmin(seg)):]  # from the lowest point of the smoothed curve itself
    return (seg.size >= MONOTONE_MIN + 1 and float(seg[0]) > 0 and bool(np.all(np.diff(seg) > 0))
            and float(seg[-1]) >= 2.0 * float(seg[0]))


@per_curve
def divergence_of(c: Curve) -> dict | None:
    """The loss grows persistently or explodes above where it started (or explodes into NaN, or
    explodes and never learns again)."""
    if c.n < MIN_POINTS or c.yb.size < MIN_POINTS:
        return None
    nf = explodes_to_nonfinite(c)
    if nf is not None:
        return {"kind": "to-nonfinite", "best": nf["min_level"], "best_step": float(c.x[0]), "end": nf["peak"],
                "start": c.head, "p": None, "slope": None, "exploded": True, **nf}
    ex = explosion_of(c)
    if ex is not None:
        return {"kind": "dead-explosion", "best": ex["start_level"], "best_step": ex["peak_step"],
                "end": ex["after_level"], "start": ex["start_level"], "p": ex["after_trend_p"], "slope": None,
                "exploded": True, **ex}
    up = rising_after_min(c, 0.2)
    if up is None:
        return _end_blowup(c)
    start = c.head
    noise = max(c.noise, 1e-12)
    above_start = rel(up["end"], start) > 0.05 and (up["end"] > start + 2 * noise or _ends_above_opening(c))
    exploded = up["best"] > 0 and up["end"] >= 2.0 * up["best"] and up["end"] - up["best"] >= 0.5 * max(start - up["best"], 0)
    # Persistent growth after an initial fall: the rise takes a large part of the run, is highly
    # significant, adds half the minimum again and is still going on at the end.
    span = c.xb[-1] - c.xb[0]
    persistent = False
    if up["best"] > 0 and up["end"] >= 1.5 * up["best"] and up["p"] < 1e-3 and span > 0 \
            and up["end"] - up["best"] >= 0.02 * abs(start) \
            and (c.xb[-1] - up["best_step"]) >= 0.35 * span:
        late = c.xb >= up["best_step"] + 0.5 * (c.xb[-1] - up["best_step"])
        persistent = late.sum() >= 4 and trend(c.xb[late], c.yb[late]).rising(0.05, 0.02)
    persistent = persistent or _monotone_climb(c, up)
    steady = not (above_start or exploded or persistent) and _steady_climb(c, up, span)
    if not (above_start or exploded or persistent or steady):
        return None
    return {**up, "start": start, "exploded": exploded, "kind": "rise", "steady": steady}


OPENING_SHARE = 0.2  # the opening and the closing stretch: a fifth of the points each ...
OPENING_MIN = 5  # ... and five at least
OPENING_P = 0.01


def _ends_above_opening(c: Curve) -> bool:
    """The closing fifth of the points sits above the opening fifth by rank (Mann-Whitney, 1%):
    the loss ended above where it started, judged against the spread of the opening itself and not
    against a noise scale of the whole curve. A noisy per-epoch loss (a squared error jumping by a
    fifth between epochs) makes ``2 * noise`` larger than a climb back over the start that every
    late point shows; the rank test needs no scale. A healthy training loss ends below its opening,
    so the test holds its level there (``bench/short_run_distributions.py``: on the dev logs no
    healthy training loss even rises after its minimum by ``rising_after_min``)."""
    k = max(OPENING_MIN, int(OPENING_SHARE * c.n))
    if c.n < 2 * k:
        return False
    return above_p(c.y[-k:], c.y[:k]) <= OPENING_P


END_BLOWUP_MAX_N = 30  # a per-epoch curve; on a longer one a last spike is the spike rules' to weigh
END_BLOWUP_P = 0.01


def _end_blowup(c: Curve) -> dict | None:
    """A short loss curve (6-30 points) that fell steadily and then, at its last point, jumped back
    above where it started (3.88 -> 1.89 over six epochs, then 3.97). Undoing the whole descent in
    one epoch is a blow-up, not noise: the points before it fall by the exact rank test at 1%, so
    a noisy curve whose last value happens to be high does not qualify, and the jump is 1.5x the
    lowest point or more. No point after it can show a recovery, so it is read as it stands."""
    y = c.y
    if c.n < MIN_POINTS or c.n > END_BLOWUP_MAX_N or np.any(y <= 0):
        return None
    pre, last = y[:-1], float(y[-1])
    low = float(np.min(pre))
    if last < float(pre[0]) or last < 1.5 * low or fall_p(np.log(pre)) > END_BLOWUP_P:
        return None
    ib = int(np.argmin(pre))
    return {"best": low, "best_step": float(c.x[ib]), "end": last, "start": float(pre[0]), "p": None, "slope": None,
            "exploded": True, "kind": "rise", "steady": False}


@rule("divergence", family="stability", severity=Severity.ERROR, title="The loss grows persistently or explodes",
      needs=(Role.TRAIN_LOSS,))
def divergence(run: Run):
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is None:
        g = generator_losing_finding(run)  # a GAN's losses are a game: its pair is read instead
        if g is not None:
            yield g
        return
    d = divergence_of(c)
    if d is None:
        runaway = negative_runaway_finding(c)  # the mirror image: a loss falling below zero without bound
        if runaway is not None:
            yield runaway
        return
    if _weight_changed_the_loss(run, c, d):
        return
    s = c.series
    tail_nonfinite = s.n_nonfinite > 0 and not np.isfinite(s.values[-1])
    u = unit(c)
    if d["kind"] == "dead-explosion":
        title = (f"{c.name} exploded x{d['ratio']:.3g} to {fmt(d['peak'])} at {u} {fmt(d['peak_step'])}, then sat "
                 f"flat at {fmt(d['end'])} (started at {fmt(d['start'])}): no recovery, nothing learned after")
        evidence = {"start_level": d["start"], "peak": d["peak"], "peak_step": d["peak_step"],
                    "explosion_ratio": d["ratio"], "level_after": d["end"], "trend_after_p": d["p"]}
    elif d["kind"] == "to-nonfinite":
        title = (f"{c.name} grew from {fmt(d['best'])} to {fmt(d['peak'])} (x{d['peak'] / d['best']:.3g}) and then "
                 f"became non-finite after {u} {fmt(d['last_finite_step'])}")
        evidence = {"min_level": d["best"], "peak": d["peak"], "peak_step": d["peak_step"],
                    "last_finite": d["last_finite"], "last_finite_step": d["last_finite_step"],
                    "ends_nonfinite": True}
    else:
        # "(started at X)" only when the start was above the minimum: a start below it reads as a contradiction.
        title = (f"{c.name} diverged: rose from {fmt(d['best'])} at {u} {fmt(d['best_step'])} to {fmt(d['end'])}"
                 + (f" (started at {fmt(d['start'])})" if d["start"] > d["best"] else ""))
        evidence = {"start_level": d["start"], "min_level": d["best"], "min_step": d["best_step"],
                    "end_level": d["end"], "trend_p": d["p"], "slope_per_step": d["slope"],
                    "ends_nonfinite": tail_nonfinite}
    vs = run.primary(Role.VAL_LOSS)
    if d["kind"] == "dead-explosion" and vs is not None and curve(vs).n:
        vlevel = float(np.median(curve(vs).y))
        if vlevel >= 100 * max(d["start"], 1e-12):  # the model is still broken on held-out data
            evidence["val_level"] = vlevel
            title += f"; {vs.name} sits at {vlevel:.3g}"
    v = loss_curve(run, Role.VAL_LOSS, 5)
    if v is not None and d["kind"] == "rise":
        rv = rising_after_min(v, p=0.05)
        if rv is not None and d.get("steady"):
            return  # a moderate climb of both losses: `both-rising` names it
        if rv is not None:  # reading 5 (both rise) is folded in here rather than raised twice
            evidence.update({"val_min": rv["best"], "val_min_step": rv["best_step"], "val_end": rv["end"]})
            title += f"; {v.name} rose too ({fmt(rv['best'])} -> {fmt(rv['end'])})"
    yield make("divergence", title, series=[c.name], steps=[d["best_step"], c.span[1]], evidence=evidence,
               causes=["learning rate too high (or raised by a schedule)", "exploding gradients",
                       "numerical instability (fp16 overflow, log of 0)", "a data problem that starts mid-run"],
               fixes=["lower the learning rate by 3-10x, or add warm-up", "clip the gradient norm (1.0 is a common "
                      "start) and log it", "restart from the checkpoint at the minimum with a lower LR"],
               # a dead explosion's step is its peak, not a minimum: the marker says so
               marks=[Mark("point", c.name, d["best_step"],
                           label="explosion peak" if d["kind"] == "dead-explosion" else "minimum before the rise"),
                      Mark("span", c.name, d["best_step"], c.span[1], label="divergence")])


def _weight_changed_the_loss(run: Run, c: Curve, d: dict) -> bool:
    """The jump or rise coincides with a logged loss weight switching on or moving (``_loss_weights``):
    the loss's definition changed there, so its levels before and after are not one objective. An
    explosion counts when the weight changed between the last point before the peak and the peak; a
    rise when the weight moved between the minimum and the end, and the loss does not rise
    significantly (5%) on its own once the weight holds still. Noted on the run, once."""
    from ._loss_weights import note_weight_change, rise_explained, weight_step_between

    if d["kind"] == "dead-explosion":
        before = c.x[c.x < d["peak_step"]]
        if before.size == 0:
            return False
        ws = weight_step_between(run, float(before[-1]), float(d["peak_step"]))
        at = d["peak_step"]
    elif d["kind"] == "rise":
        ws, at = rise_explained(run, c.x, c.y, float(d["best_step"])), d["best_step"]
    else:
        return False
    if ws is None:
        return False
    note_weight_change(run, c.name, f"{unit(c)} {fmt(at)}", ws, "divergence")
    return True


def _warmup_end(run: Run) -> float | None:
    """The step where a logged LR warm-up peaks (None without a warm-up: a first LR under half its peak)."""
    s = run.primary(Role.LR)
    if s is None:
        return None
    lr = curve(s)
    if lr.n < 3:
        return None
    i = int(np.argmax(lr.y))
    peak = float(lr.y[i])
    return float(lr.x[i]) if i > 0 and peak > 0 and float(lr.y[0]) < 0.5 * peak else None


RECENT_POINTS = 10  # at least this many points before a spike make its "recent highs"
# A spike is a jump a person sees on the run's own plot: a fifth or more above the level it came
# from. A 5-15% bump of a very smooth curve stands many noise units clear (the z-score test sees
# it) but is no event; on the real-log dev split every such bump was on a healthy run.
MIN_SEEN_RATIO = 1.2
# A spike's rise must be this share of the curve's progress (``progress_drop``) to be seen on its plot.
PROGRESS_SHARE = 0.1
RECENT_HIGH_FACTOR = 2.0


def progress_drop(c: Curve) -> float:
    """How far a loss came down: from where it started to its lowest point (0 when it never fell). A spike
    is seen against this on the run's own plot: 0.0001 -> 0.02 is a blip on a loss that fell from 0.9, a
    jump on one that fell from 0.05. A per-epoch curve's first point is an epoch's average like any other,
    so its start is read there too (0.906, 0.084, 0.037, ...: the plot starts at 0.9, not at the median of
    the first three), unless it is off the scale the run settles at (``off_scale_start.OFF_SCALE`` times
    the next point: 194 -> 0.235 is a broken start, reported as such, and the plot a person reads begins
    after it)."""
    if c.n == 0:
        return 0.0
    start = c.head
    if c.series.axis == "epoch" and (c.n < 2 or float(c.y[0]) < OFF_SCALE * float(c.y[1])):
        start = max(start, float(c.y[0]))
    return max(start - float(np.min(c.y)), 0.0)


# How far past the recent high, in log-distance from the recent median, a peak may reach and still be
# the band's own tail. For log-normal batch noise the highest of 40 points sits ~2.2 sigma above the
# median; 1.5x that (3.3 sigma) is a level about one batch in 2,000 reaches.
BAND_TAIL_FACTOR = 1.5


def _within_recent_highs(c: Curve, s, factor: float = RECENT_HIGH_FACTOR, tail: bool = True) -> bool:
    """The spike's peak stays within the band of the points just before it (a tenth of the curve): under
    ``factor`` times their highest, or (with ``tail``), where that band already spans several-fold (a
    per-batch loss over a few samples, 0.001 one batch and 3 the next), no further out from its median in
    log units than BAND_TAIL_FACTOR times its highest point is."""
    before = c.y[c.x < s.start]
    if before.size < RECENT_POINTS:
        return False
    recent = before[-max(RECENT_POINTS, c.n // 10):]
    high, mid = float(np.max(recent)), float(np.median(recent))
    if s.peak < factor * high:
        return True
    return bool(tail and mid > 0 and s.peak > 0
                and math.log(s.peak / mid) <= BAND_TAIL_FACTOR * math.log(high / mid))


def _settles_back(c: Curve, s) -> bool:
    """A "slow" spike of a positive curve whose very next point is already back under its recovery
    threshold (30% of the excess above the level before, in log terms) and whose next points, over three
    times the window a fast recovery may take, have a median under it too: the curve came straight
    back and stays back, and only the noise of its next few points (a band that straddles the
    threshold) made the return look slow. A level that stays raised (a loss knocked back up to where it
    started) keeps its median above the threshold and stays slow."""
    if not np.all(c.y > 0) or s.before <= 0 or s.ratio <= 1:
        return False
    thresh = s.before * s.ratio ** 0.3
    after = c.y[c.x > s.peak_step][:3 * max(5, c.n // 100)]
    return bool(after.size >= 3 and after[0] <= thresh and np.median(after) <= thresh)


FEW_ROWS = 4  # a per-batch loss averaged over this many labelled rows or fewer (median of the sampled batches)


def _few_rows(run: Run) -> bool:
    """Whether each batch's loss averages only a handful of labelled rows (the watcher's count of labels
    per batch, ignored and unlabelled rows left out): one hard row is then a one-batch spike of any size."""
    s = run.series.get("target_batch_size")
    return s is not None and len(s) >= 3 and float(np.nanmedian(s.values)) <= FEW_ROWS


def _redefined_at(run: Run, c: Curve):
    """Whether a spike starts where a logged loss weight switched on or stepped (``_loss_weights``): the
    loss changed definition there (a DANN term joining at epoch 5), so its level before is no baseline.
    Noted on the run, once per series."""
    from ._loss_weights import note_weight_change, weight_step_between

    def check(s) -> bool:
        before = c.x[c.x < s.start]
        ws = weight_step_between(run, float(before[-1]), float(s.start)) if before.size else None
        if ws is not None:
            note_weight_change(run, c.name, f"{unit(c)} {fmt(s.start)}", ws, "loss-spikes")
        return ws is not None

    return check


def _spike_finding(c: Curve, resume_steps: list[float], warm_end: float | None = None, few_rows: bool = False,
                   val_only=None, redefined=None):
    """Spikes of one loss curve; ``val_only(spike)`` says a validation bump that training did not share,
    ``redefined(spike)`` a jump where the loss's own definition changed (not a spike)."""
    per_step = c.series.axis != "epoch"
    scan = scan_spikes(c.x, c.y, per_step=per_step)
    sp = scan.spikes
    # Per-epoch points are averages: from the second one on, a bump is an event, not a warm-up batch.
    skip_before = c.x[min(c.n - 1, max(2, c.n // 100))] if per_step else c.x[0]
    tol = max(1.0, 0.01 * (c.span[1] - c.span[0]))
    # Negligible spikes are dropped: a loss near zero jumping from 1e-5 to 1e-3 is a large ratio
    # but no event on a curve that started at 2.3. A curve that is not positive (a Gaussian NLL
    # crossing zero) has no distance to zero to measure by: its own range is its scale.
    positive = scan.positive
    # The same scale the spikes' heights were read in: the range of the points that are no spike
    # (``spike_free_range``), so a size floor here and a spike's ratio never disagree on the unit.
    ref = abs(c.head) if positive else scan.span
    # A spike is also judged against the progress the curve made (``progress_drop``): a rise under a
    # tenth of it is invisible on the run's own plot (0.0002 -> 0.016 on a loss that fell from 1.7).
    floor = max(0.01 * ref, PROGRESS_SHARE * progress_drop(c))
    # Spikes in the first 1% are skipped (early bumps are common and harmless) unless they are
    # explosions: an order of magnitude or more.
    sp = [s for s in sp if (s.start > skip_before or s.ratio >= 10) and s.peak - s.before >= floor
          and s.ratio >= MIN_SEEN_RATIO
          and not any(abs(s.start - r) <= tol for r in resume_steps)
          # Bumps while the LR is still warming up, back down quickly, are part of warm-up.
          and not (warm_end is not None and s.start <= warm_end and s.ratio < 10 and s.recovery == "fast")
          # ... and so are validation bumps in warm-up that the training loss fell straight through.
          and not (warm_end is not None and s.start <= warm_end and s.ratio < 10 and val_only is not None
                   and val_only(s))
          and not (redefined is not None and redefined(s))]
    if not sp:
        return None
    # An order of magnitude is an explosion when it lasts, or when it undoes a good part of the run's
    # progress; a lone blip from a 0.001 floor to 0.03 on a loss that started at 0.26, back down at
    # the next log, is a hard batch on the run's own scale.
    bad = [s for s in sp if (s.recovery in ("slow", "none") and s.ratio >= 1.5)
           or (s.ratio >= 10 and s.peak - s.before >= 0.1 * ref and (s.points >= 2 or c.n < 200 or not per_step)
               and (s.recovery != "fast" or s.points >= 2 or s.peak >= 0.5 * ref))]
    # Calibrated on the real-log dev split (docs/rules.md): no healthy run there has more than one
    # spike of 10x or more, and every healthy run with spikes ends below 0.65x its start. Repeated
    # explosions (3+ of 10x), or 2+ in a loss that never got below its start, are a problem even
    # when each one recovers.
    if per_step:
        # A per-batch loss resting near zero is heavy-tailed: a batch with a few hard samples is 30x the
        # floor, yet no higher than the loss's own highs of the batches just before. Such a peak is that
        # noise, not an explosion (a real one towers over the recent highs).
        # A peak too close to the end to see its return ("pending") is judged the same way: no higher than the
        # band's recent highs, it is that band's noise whatever follows it.
        bad = [s for s in bad
               if not (s.ratio >= 10 and s.recovery in ("fast", "pending") and _within_recent_highs(c, s))]
        # A slow return from a peak no higher than that band's highest point is the band staying noisy,
        # not the optimiser knocked into a worse region. A smooth loss that jumps 60% and decays back is
        # not in its band (one that never returns is still judged).
        bad = [s for s in bad if not (s.recovery == "slow" and _within_recent_highs(c, s, 1.0, tail=False))]
        # So is a "slow" return that came straight back and stayed back over a longer look: the band's
        # noise around the recovery threshold made the few points after it look slow.
        bad = [s for s in bad if not (s.recovery == "slow" and _settles_back(c, s))]
    explosions = [s for s in sp if s.ratio >= 10]
    if per_step:
        # ... and so is a run of them: a per-batch loss at rest near zero throws such batches all along,
        # each back down at once and no higher than the highs before it. Counted as repeated
        # explosions only when they tower over the curve's own recent highs or last.
        explosions = [s for s in explosions if not (s.recovery in ("fast", "pending") and _within_recent_highs(c, s))]
    if per_step and few_rows:  # a loss over a few rows: a jump of a batch or two, gone at once, is a hard row
        bad = [s for s in bad if not (s.recovery == "fast" and s.points <= 2)]
        explosions = [s for s in explosions if not (s.recovery == "fast" and s.points <= 2)]
    no_progress = c.head > 0 and c.tail >= 0.9 * c.head
    repeated = len(explosions) >= 3 or (len(explosions) >= 2 and no_progress)
    from ..stats.fading import fading_spikes

    fading = fading_spikes(sp) if per_step else None  # hard batches, shrinking as they are learned
    if fading is not None:
        bad, repeated = [], False
    # A spike is one bad batch or evaluation; three or more in one per-epoch curve recur, as for an
    # evaluation curve (eval_swings.REPEATED). On the real-log dev split no healthy per-epoch curve
    # with spikes has more than two (0 of 22), 7 of 55 labelled loss-spikes do. Per-batch losses are
    # left out: their heavy tail makes many.
    recurring = not per_step and len(sp) >= REPEATED
    sev = Severity.WARNING if bad or repeated or recurring else Severity.INFO
    big = max(sp, key=lambda s: s.ratio)
    counts = {k: sum(1 for s in sp if s.recovery == k) for k in ("fast", "slow", "none", "pending")}
    u = unit(c)
    what = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    listed = [{"step": s.peak_step, "value": s.peak, "before": s.before, "ratio": round(s.ratio, 3),
               "z": round(s.z, 1), "recovery": s.recovery, "recovery_steps": s.recovery_steps} for s in sp[:20]]
    if bad or repeated or recurring:
        causes = ["learning rate too high (an explosion by orders of magnitude is the classic sign)"
                  if max(b.ratio for b in (bad or explosions or sp)) >= 10 else "learning rate too high for this stage of training", "a batch of bad data (corrupt or mislabeled "
                  "samples, extreme values)", "numerical instability (fp16, attention logits growing)",
                  "exploding gradients"]
        fixes = ["lower the peak learning rate or lengthen warm-up", "clip the gradient norm", "find the batches at "
                 "the spike steps and inspect them", "for large models: skip the offending batches, or rewind to a "
                 "checkpoint before the spike"]
    else:
        causes = ["mini-batch noise and momentum overshooting (normal when spikes recover quickly)",
                  "a small validation set makes evaluations noisy"]
        fixes = ["nothing, if spikes stay rare and recover quickly", "if they grow in size or frequency, lower the "
                 "learning rate or clip gradients"]
    size = f"x{big.ratio:.3g}" if positive else f"+{fmt(big.peak - big.before)} ({big.ratio - 1:.3g}x the curve's range)"
    title = f"{len(sp)} spike(s) in {c.name} ({what} recovery); largest {size} at {u} {fmt(big.peak_step)}"
    f = make("loss-spikes", title, severity=sev, series=[c.name], steps=[sp[0].start, sp[-1].end],
             evidence={"count": len(sp), "recovery": counts, "largest_ratio": round(big.ratio, 3),
                       "explosions_10x": len(explosions), **_end_vs_start(c, positive, ref),
                       "spikes": listed},
             causes=causes, fixes=fixes,
             marks=[Mark("point", c.name, s.peak_step, label=f"spike x{s.ratio:.2f} ({s.recovery})") for s in sp[:50]])
    if fading is not None:
        f.evidence["fading"] = fading
        f.causes = ["a few hard samples (outliers, rare cases) land in some batches: each spike lasts a batch or a few, and "
                    "the spikes shrink as the model learns those samples"]
        f.fixes = ["nothing, if they keep shrinking; look at the samples of the largest spikes if they are errors"]
        f.verdict = "worth a look"
        f.verdict_reason = (f"{fading['spikes']} short spikes whose size fell from x{1 + fading['first_excess']:.3g} "
                            f"to x{1 + fading['last_excess']:.3g} over the run: hard samples being learned, not an "
                            "unstable optimiser")
    elif sev == Severity.WARNING and not (repeated or recurring) and _recovered_event(c, bad, positive):
        # One spike the run came back from and ended below: an event worth finding (a bad batch or shard, a
        # step too far), but the training it interrupted recovered, so it alone does not make the run broken.
        f.verdict = "worth a look"
        f.verdict_reason = (f"one spike, recovered: {c.name} ended at {fmt(c.tail)}, below its level before the spike "
                            f"({fmt(bad[0].before)}); find what the spike's {u} read or did")
    elif sev == Severity.INFO:
        if all(s.recovery == "fast" for s in sp):
            f.verdict = "normal"
            f.verdict_reason = ("every spike recovered within a few points: noisy gradient estimates on a hard batch, "
                                "momentum overshooting, or a small validation set")
        else:
            f.verdict = "worth a look"
            f.verdict_reason = "some spikes took a while to recover; fine if they stay rare and small"
    return f


def _recovered_event(c: Curve, bad: list, positive: bool) -> bool:
    """A single spike of a positive loss that recovered (fast or slow) and after which the curve ended
    below its pre-spike level: one event the run got past, not an unstable optimiser."""
    return (positive and len(bad) == 1 and bad[0].recovery in ("fast", "slow") and c.head > 0
            and c.tail < bad[0].before)


def _end_vs_start(c: Curve, positive: bool, ref: float) -> dict:
    """Where the curve ended against where it started: a ratio on a positive loss, the change in units of
    the curve's own range on one that is not (a ratio across zero, -0.02 -> -1.6, reads as x80)."""
    if positive:
        return {"end_over_start": round(c.tail / c.head, 4) if c.head else None}
    return {"end_minus_start_in_range": round((c.tail - c.head) / ref, 4) if ref > 0 else None}


def _graver(a, b) -> bool:
    """Whether finding a says more than b: a higher severity, or a worse verdict at the same one."""
    rank = {"normal": 0, None: 1, "worth a look": 1, "problem": 2}
    return a.severity > b.severity or (a.severity == b.severity and rank[a.verdict] > rank[b.verdict])


@rule("loss-spikes", family="stability", severity=Severity.INFO, title="Transient spikes in the loss")
def loss_spikes(run: Run):
    from .schedule import resume_points

    for role in LOSS_ROLES:
        c = loss_curve(run, role, 8)
        if c is None:
            if role == Role.VAL_LOSS:
                f = _few_eval_spikes(run)
                if f is not None:
                    yield f
            continue
        resumes = resume_points(run, c.series)
        if _reported_divergence(c, role):
            continue  # spikes riding a divergence are part of it, reported there
        val_only = (lambda sp, c=c: training_kept_falling(run, c, sp)) if role == Role.VAL_LOSS else None
        f = _spike_finding(c, resumes, _warmup_end(run), few_rows=role == Role.TRAIN_LOSS and _few_rows(run),
                           val_only=val_only, redefined=_redefined_at(run, c))
        if f is None and role == Role.TRAIN_LOSS:
            from .epoch_rebounds import epoch_rebound_finding

            f = epoch_rebound_finding(c, resumes)
        if role == Role.VAL_LOSS and zigzag_of(c, run_scale(run, c)) is None:
            # Evaluation averages: a one-point jump is an event, judged by its size too (the
            # z-score test misses it on a rough curve, and knows nothing of the run's start).
            g = eval_spikes_finding(c, run_scale(run, c))
            if g is None and f is None:
                from .late_eval_spikes import late_spikes_finding

                g = late_spikes_finding(c)  # judged on the late part's own level
            if g is not None and (f is None or _graver(g, f)):
                f = g
            if f is None:
                from .part_spikes import part_spike_finding

                f = part_spike_finding(run, c, _warmup_end(run))  # another part, confirmed by the metric
        if f is not None:
            bad_batch_first(run, f)  # one spike at a constant logged rate: the batch, not the rate, leads
            yield f
    from .agent_spikes import agent_spike_finding

    f = agent_spike_finding(run)  # a reinforcement-learning agent's losses are not judged above
    if f is not None:
        yield f
    from .game_spikes import game_spike_finding

    f = game_spike_finding(run)  # nor are a GAN's: its spikes are reported at info
    if f is not None:
        yield f


FEW_EVALS = 5  # the fewest evaluations in which a jump up and back down can stand between two levels


def _few_eval_spikes(run: Run):
    """A validation loss of 5-7 evaluations, too few for the noise-relative spike test, judged by
    effect size alone (``eval_spikes_finding``: up 2x and straight back down, each move a tenth of
    the run's scale). A jump that large needs no noise estimate to be seen, however short the run."""
    c = loss_curve(run, Role.VAL_LOSS, FEW_EVALS)
    if c is None or _reported_divergence(c, Role.VAL_LOSS):
        return None
    return eval_spikes_finding(c, run_scale(run, c))


def _reported_divergence(c: Curve, role: Role) -> bool:
    """Whether a divergence of this curve is reported elsewhere, so its spikes are part of it.

    The divergence rule reads the training loss; a validation loss that rises for good is named by
    the generalisation rules. A validation loss that exploded and came back to a level below where it
    started (``dead-explosion`` of a curve that never learned much: 3.7 -> 8e5 -> 2.2 ... 2.7) is
    named by neither: its explosions are spikes and are judged as such."""
    d = divergence_of(c)
    if d is None:
        return False
    if role == Role.VAL_LOSS and d["kind"] == "dead-explosion":
        return not d["end_over_start"] or d["end_over_start"] >= 1.0
    return True


@per_curve
def oscillation_of(c: Curve, bounded: bool = False) -> dict | None:
    """Zig-zag with no trend: alternating steps, large relative to the level, going nowhere."""
    yb = c.yb
    if yb.size < 8:
        return None
    z, p = mann_kendall(yb, c.xb)
    if p < 0.05:
        return None
    d = np.diff(yb)
    nz = d[d != 0]
    if nz.size < 6:
        return None
    # Independent noise already reverses direction two times in three: a zig-zag must do clearly
    # better than that to be an oscillation rather than noise.
    alternation = float(np.mean(np.sign(nz[1:]) != np.sign(nz[:-1])))
    amp = float(np.median(np.abs(nz)))
    level = float(np.median(np.abs(yb)))
    size = amp if bounded else amp / (level if level > 0 else 1.0)
    if nz.size < 10 or alternation < 0.85 or size < (0.05 if bounded else 0.15):
        return None
    # "Going nowhere": a curve that improved a lot since its start and now jitters around its
    # plateau is converged, not oscillating.
    k = max(2, 2 * (yb.size // 8))  # an even window: a zig-zag's ups and downs cancel in its mean
    start, end = float(np.mean(yb[:k])), float(np.mean(yb[-k:]))
    if bounded and abs(end - start) >= 0.1:
        return None
    if not bounded and abs(end - start) >= 0.2 * (abs(start) or 1.0):
        return None
    return {"alternation": round(alternation, 3), "median_swing": amp, "relative_swing": round(size, 4),
            "trend_p": p, "level": level}


SHUFFLES = 7  # random orders of a curve's values, for the reference wander of its rolling median


def _median_swing(t: np.ndarray, w: int) -> float:
    """The spread (robust sigma) of a series' rolling median over ``w`` points."""
    sm = rolling_median(t, w)
    return 1.4826 * float(np.median(np.abs(sm - np.median(sm))))


@per_curve
def swings_of(c: Curve) -> dict | None:
    """Large slow swings around a level with no trend (SGD with high momentum at the edge of
    stability): over the last 60% of the run, the rolling median of the log-loss wanders by
    +-25% or more, far more than independent per-step noise would let a median of that many
    points move, and no significant trend either way."""
    if c.n < 50 or not np.all(c.y > 0):
        return None
    x0, x1 = c.span
    keep = c.x >= x0 + 0.4 * (x1 - x0)
    xs, t = c.x[keep], np.log(c.y[keep])
    if t.size < 30:
        return None
    # Long curves are judged on 2,000 block medians: the rolling medians below cost O(n * window).
    xs, t = bin_median(xs, t, 2000)
    tr = trend(xs, t)
    if tr.p < 0.05:
        return None
    # Several window widths: a fast zig-zag (period ~10 steps) is smoothed away by a wide window,
    # a slow wander is hidden in the noise of a narrow one.
    sigma = noise_sigma(t)
    # The same values in random orders: what the rolling median wanders by with no swing at all. Per-batch
    # losses near a low level are skewed and heavy-tailed (a few hard samples per batch), and their rolling
    # median moves far more than the Gaussian reference allows; the shuffled values keep that distribution.
    rng = np.random.default_rng(0)  # fixed: the same curve always gets the same verdict
    shuffled = [rng.permutation(t) for _ in range(SHUFFLES)]
    found = None
    for w in sorted({5, 9, max(5, (t.size // 15) | 1)}):
        swing = _median_swing(t, w)
        ref = 1.25 * sigma / np.sqrt(w)
        if swing < 0.25 or swing < 1.5 * ref:
            continue
        ref = max(ref, float(np.median([_median_swing(u, w) for u in shuffled])))
        if swing >= 1.5 * ref and (found is None or swing > found[0]):
            found = (swing, ref)
    if found is None:
        return None
    swing, ref = found
    level = float(np.exp(np.median(t)))
    start = max(abs(c.head), abs(float(c.y[0])))
    if level * float(np.expm1(swing)) < 0.03 * start:
        return None  # +-50% of a loss near zero (0.01 after starting at 15) is invisible on the run's scale
    if level < CONVERGED_SHARE * start:
        # A loss resting at a twentieth of its start has converged: per-batch losses near zero are
        # dominated by a few hard samples and swing by multiples in log terms without any overshoot.
        return None
    return {"level": level, "relative_swing": round(float(np.expm1(swing)), 4), "median_swing": level * float(np.expm1(swing)),
            "noise_reference": round(float(ref), 4), "trend_p": tr.p, "from_step": float(xs[0])}


@per_curve
def val_swings_of(c: Curve, scale: float = 0.0) -> dict | None:
    """A validation loss jumping widely from one evaluation to the next with no trend: the typical
    move between evaluations is 20% of the level or more (in log terms), over at least 10
    evaluations, a 10th-90th percentile range of 2.2x or more (and a 20th of the run's loss
    scale), judged from where it first reaches its median level, and neither a significant trend nor a net change between the first and last
    quarters. A noisy small-set validation loss that trends down is learning, and a plateau with
    a few percent of noise or one or two spikes moves far less than this."""
    if c.n < 10 or c.n > 5000 or not np.all(c.y > 0):
        return None
    # Judged from where the curve first reaches its median level: the initial descent from a
    # random start is learning, and would make a wandering plateau look like a trend. The part
    # judged must still hold half the curve.
    i0 = int(np.argmax(c.y <= np.median(c.y)))
    if c.n - i0 < max(10, c.n // 2):
        i0 = 0
    x, y = c.x[i0:], c.y[i0:]
    ly = np.log(y)
    d = np.diff(ly)
    nz = d[d != 0]
    if nz.size < 9:
        return None
    swing = float(np.median(np.abs(nz)))
    alternation = float(np.mean(np.sign(nz[1:]) != np.sign(nz[:-1])))
    lo, hi = np.percentile(y, [10, 90])
    if swing < 0.2 or alternation < 0.55 or hi < 2.2 * lo:
        return None
    # A band narrower than a 20th of the run's loss scale reads as a flat line on a plot of the
    # whole run: 0.03 <-> 0.07 after starting at 1.6 is a converged loss, however many times it doubles.
    if hi - lo < 0.05 * scale:
        return None
    _, p = mann_kendall(y, x)
    k = max(3, y.size // 4)
    net = abs(float(np.mean(ly[-k:])) - float(np.mean(ly[:k])))
    if p < 0.1 or net > 0.75 * swing:
        return None
    return {"low": float(lo), "high": float(hi), "median_relative_move": round(float(np.expm1(swing)), 4),
            "alternation": round(alternation, 3), "trend_p": p, "evaluations": y.size, "from_step": float(x[0])}


NOWHERE_MOVE = 0.08  # a typical move between evaluations a plot shows (8%); val_swings_of asks 20% and a 2.2x band
# ... and a quarter of the training's progress over the same span at least: beside a training loss that fell
# ninefold, an 8% jitter of a validation loss that sat at its level from the first evaluation is a flat line
# on the run's plot (converged early), not swings as large as the progress.
SWING_SHARE_OF_PROGRESS = 0.25


def _quarter_progress(y: np.ndarray) -> float:
    """How far a positive curve went down, in log terms: the mean of its first quarter minus the mean of its
    last (2 points at least). Even windows of means: a zig-zag's ups and downs cancel in them."""
    ly = np.log(y)
    k = max(2, ly.size // 4)
    return float(np.mean(ly[:k]) - np.mean(ly[-k:]))


def _held_out_score_improved(run: Run, move: float) -> bool:
    """A held-out score (accuracy, F1, dice... on [0, 1], higher better) whose last quarter sits above its
    first by more than the loss's own typical move, in the same log terms on the error (1 - score): the
    model gets better at the task, whatever the noisy held-out loss does (a small validation set's loss
    jitters while its accuracy climbs)."""
    from ._common import bounded_metric_curves

    for c, y in bounded_metric_curves(run, (Role.VAL_METRIC,), MIN_POINTS):
        if not c.series.higher_is_better:
            continue
        err = np.clip(1.0 - y, 1e-6, None)
        if _quarter_progress(err) > move:
            return True
    return False


def swings_without_progress(c: Curve, train: Curve | None) -> dict | None:
    """A validation loss that moves between evaluations by as much as it improved over the whole run, with
    no trend, while the training loss of the same run went clearly further: the held-out loss is noise
    around a level the training progress does not reach (swings as large as the progress, going nowhere).

    Read on 10+ evaluations (400 at most: per-evaluation values), from where the curve first reaches its
    median level (the first descent is learning): the typical move (median |change of log|) is 8% or
    more, most moves reverse (55%, as for ``val_swings_of``), Mann-Kendall finds no trend (p >= 0.1), the
    first and last quarters differ by at most two typical moves, and the training loss, over the same
    span of steps, fell by more than the validation did plus one typical move, and by at most four typical
    moves (SWING_SHARE_OF_PROGRESS): beside a training loss that fell ninefold, a validation loss jittering
    by 8% at the level it reached by its first evaluation converged early. A converged run whose validation jitters around a
    level it reached by falling far (0.6 -> 0.1) has progressed far beyond its swings; one whose training
    is as flat as its validation is `stalled`'s or `no-learning`'s to read."""
    if train is None or c.n < 10 or c.n > 400 or train.n < MIN_POINTS or not (np.all(c.y > 0) and np.all(train.y > 0)):
        return None
    if c.series.axis != train.series.axis:
        return None  # the training progress is read over the validation's span: on one step counter only
    i0 = int(np.argmax(c.y <= np.median(c.y)))
    if c.n - i0 < max(10, c.n // 2):
        i0 = 0
    x, y = c.x[i0:], c.y[i0:]
    d = np.diff(np.log(y))
    nz = d[d != 0]
    if nz.size < 9:
        return None
    move = float(np.median(np.abs(nz)))
    alternation = float(np.mean(np.sign(nz[1:]) != np.sign(nz[:-1])))
    if move < NOWHERE_MOVE or alternation < 0.55:
        return None
    _, p = mann_kendall(y, x)
    progress = _quarter_progress(c.y)
    if p < 0.1 or abs(progress) > 2.0 * move:
        return None
    # Training read over the validation's own span: a first evaluation after some epochs comes after the
    # training's first fall, which validation never had the chance to show.
    inside = (train.x >= c.x[0]) & (train.x <= c.x[-1])
    if int(inside.sum()) < MIN_POINTS:
        return None
    t_progress = _quarter_progress(train.y[inside])
    if t_progress < progress + move or move < SWING_SHARE_OF_PROGRESS * t_progress:
        return None
    return {"median_relative_move": round(float(np.expm1(move)), 4), "alternation": round(alternation, 3),
            "val_progress_log": round(progress, 4), "train_progress_log": round(t_progress, 4), "trend_p": p,
            "evaluations": int(y.size), "from_step": float(x[0]), "low": float(np.percentile(y, 10)),
            "high": float(np.percentile(y, 90))}


SHORT_TRAIN_POINTS = 30  # a training loss this short is logged per epoch or so: each point a mean of many batches


def _short_train_zigzag(run: Run, c: Curve):
    """A short training loss (8-30 points, each a mean over many batches) that zig-zags by effect size
    (``eval_swings.zigzag_of``: three 1.5x excursions up and back within ten points, moving 2x
    between neighbours, each a tenth of the run's scale), has no trend (Mann-Kendall p >= 0.1) and
    goes nowhere (its last quarter where its first was, within the typical move).
    An epoch's mean loss does not double and halve from one epoch to the next by batch noise;
    ``oscillation_of`` asks 85% of moves to reverse, which a wild curve whose jumps sometimes come
    two in a row (23M, 19M, 23M, 16M, 4M, 8M, 20M, 4M, 48M...) misses."""
    if c.n > SHORT_TRAIN_POINTS or reinforcement(run) or not np.all(c.y > 0):
        return None
    _, p = mann_kendall(c.y, c.x)
    if p < 0.1:
        return None
    z = zigzag_of(c, run_scale(run, c))
    if z is None or _weights_improved_steadily(run, c):
        return None
    # Going nowhere, as for a validation loss's swings: the first and last quarters (mean log) differ by
    # less than three quarters of the typical move. A loss that fell 0.26 -> 0.03 and then jitters by
    # multiples near zero (a short Trainer log of single-batch windows) learned; it is not zig-zagging.
    ly = np.log(c.y)
    k = max(3, c.n // 4)
    if abs(float(np.mean(ly[-k:])) - float(np.mean(ly[:k]))) > 0.75 * float(np.log(z["typical_move"])):
        return None
    return make("oscillation", f"{c.name} zig-zags with no trend: {z['count']} times within {z['window_evaluations']} "
                f"points ({unit(c)} {fmt(z['from_step'])}-{fmt(z['to_step'])}) it rose by x{ZIGZAG_RATIO:g} or more "
                f"and fell back as far (largest x{z['largest_ratio']:.3g}; typical move x{z['typical_move']:.3g})",
                series=[c.name], steps=[z["from_step"], z["to_step"]], evidence={**z, "trend_p": p},
                causes=["learning rate too high: the optimiser overshoots back and forth", "unscaled targets or "
                        "inputs (a loss in the millions): steps far too large for the loss surface",
                        "batch size too small for this learning rate"],
                fixes=["lower the learning rate (3-10x)", "standardise the targets and inputs",
                       "clip gradients; add a decay schedule"],
                marks=[Mark("point", c.name, e["step"], label=f"up and down x{e['ratio']:.2f}")
                       for e in z["excursions"]])


STEADY_P = 0.01  # a held-out curve improving this significantly (Mann-Kendall), with no zig-zag of its own


def _weights_improved_steadily(run: Run, c: Curve) -> bool:
    """The same run's validation loss, over the training loss's epochs, fell steadily: a significant
    downward trend (Mann-Kendall p < 0.01) and no zig-zag of its own by the same effect-size test.

    An optimiser that overshoots back and forth moves the weights back and forth, and a loss measured
    on fixed held-out data swings with them. When that loss improves epoch after epoch while the
    training "loss" doubles and halves, the weights did not oscillate: the training values are
    snapshots of single batches (the last batch's loss printed beside each epoch), whose spread is one
    batch's noise, not a mean over the epoch."""
    v = run.primary(Role.VAL_LOSS)
    if v is None or v is c.series:
        return False
    vc = curve(v)
    if vc.n < 8 or not np.all(vc.y > 0):
        return False
    lo, hi = c.span
    inside = (vc.x >= lo) & (vc.x <= hi)
    if int(inside.sum()) < 0.75 * c.n:
        return False  # judged over the same stretch of training only
    z, p = mann_kendall(vc.y[inside], vc.x[inside])
    return z < 0 and p < STEADY_P and zigzag_of(vc, run_scale(run, vc)) is None


SETTLED_SHARE = 0.5  # a held-out loss at half its first value or less has learned


def _held_out_settled(run: Run, lo: float, hi: float, swing: float) -> bool:
    """The validation loss, over the stretch where the training loss swings (by ``swing``, relative), sat
    at half its first value or less and never back above it, did not rise (no upward trend at 5%), did not
    zig-zag itself and moved between evaluations by under half the training swing (median, in log
    terms). An optimiser that overshoots
    moves the weights back and forth and a loss on fixed held-out data swings with them; when it stays
    low and calm, the training swings are the batches' own spread (augmentation, dropout, a few hard
    samples per batch), measured in training mode, not the weights moving."""
    v = run.primary(Role.VAL_LOSS)
    if v is None:
        return False
    vc = curve(v)
    if vc.n < 5 or not np.all(vc.y > 0):
        return False
    inside = (vc.x >= lo) & (vc.x <= hi)
    if int(inside.sum()) < 4:
        return False
    y, x = vc.y[inside], vc.x[inside]
    z, p = mann_kendall(y, x)
    moves = float(np.median(np.abs(np.diff(np.log(y)))))
    if not (float(np.median(y)) <= SETTLED_SHARE * float(vc.y[0]) and float(np.max(y)) <= float(vc.y[0])
            and moves <= 0.5 * math.log1p(swing) and not (z > 0 and p < 0.05)):
        return False
    scale = run_scale(run, vc)
    return zigzag_of(vc, scale) is None and val_swings_of(vc, scale) is None


@rule("oscillation", family="stability", severity=Severity.WARNING, title="The loss or metric zig-zags with no trend")
def oscillation(run: Run):
    for role in (*LOSS_ROLES, *METRIC_ROLES):
        s = run.primary(role)
        if s is None:
            continue
        c = curve(s)
        if c.n < 8 or (role in METRIC_ROLES and adversary_at_equilibrium(run, c)):
            continue
        o = oscillation_of(c, bounded=role in METRIC_ROLES)
        if o is None and role == Role.TRAIN_LOSS and not adversarial(run):
            w = swings_of(c)
            if w is not None and _held_out_settled(run, w["from_step"], c.span[1], w["relative_swing"]):
                w = None  # the weights did not swing: the held-out loss sat low and calm meanwhile
            if w is not None:
                yield make("oscillation", f"{c.name} swings by about +-{w['relative_swing']:.0%} around "
                           f"{fmt(w['level'])} with no trend since {unit(c)} {fmt(w['from_step'])}",
                           series=[c.name], steps=[w["from_step"], c.span[1]], evidence=w,
                           causes=["momentum too high for this learning rate: the optimiser overshoots back and "
                                   "forth across a valley (edge of stability)", "learning rate too high",
                                   "batch size too small for this learning rate"],
                           fixes=["lower the learning rate (3-10x) or the momentum (0.9 instead of 0.99)",
                                  "add a decay schedule", "clip gradients"],
                           marks=[Mark("span", c.name, w["from_step"], c.span[1], label="swings")])
                return
            f = _short_train_zigzag(run, c)
            if f is not None:
                yield f
                return
        if o is None and role == Role.VAL_LOSS and not adversarial(run):
            w = val_swings_of(c, run_scale(run, c))
            if w is not None:
                yield make("oscillation", f"{c.name} jumps between about {fmt(w['low'])} and {fmt(w['high'])} from "
                           f"one evaluation to the next (typical move {w['median_relative_move']:.0%}) with no trend",
                           series=[c.name], steps=[w["from_step"], c.span[1]], evidence=w,
                           causes=["learning rate too high: each evaluation catches the weights at a different point "
                                   "of their overshoot", "a tiny or unrepresentative validation set",
                                   "batch-norm statistics or dropout differing between train and eval mode",
                                   "momentum too high"],
                           fixes=["lower the learning rate (3-10x) or decay it", "use a larger validation set",
                                  "check model.eval() / model.train() around the evaluation"],
                           marks=[Mark("span", c.name, w["from_step"], c.span[1], label="oscillation")])
                return
        if o is None and role == Role.VAL_LOSS and not adversarial(run):
            z = zigzag_of(c, run_scale(run, c))
            if z is not None:
                yield zigzag_finding(c, z)
                return
            w = swings_without_progress(c, loss_curve(run, Role.TRAIN_LOSS))
            if w is not None and not _held_out_score_improved(run, math.log1p(w["median_relative_move"])):
                yield make("oscillation", f"{c.name} moves by about {w['median_relative_move']:.0%} from one evaluation "
                           f"to the next, as much as it improved over the run, with no trend ({fmt(w['low'])}-"
                           f"{fmt(w['high'])}), while the training loss kept improving",
                           series=[c.name], steps=[w["from_step"], c.span[1]], evidence=w,
                           causes=["learning rate too high: each evaluation catches the weights at a different point "
                                   "of their overshoot", "a tiny or unrepresentative validation set",
                                   "the model fits the training set without gaining on held-out data"],
                           fixes=["lower the learning rate (3-10x) or decay it", "use a larger validation set",
                                  "add regularisation or data; check that validation data match training data"],
                           marks=[Mark("span", c.name, w["from_step"], c.span[1], label="no progress")])
                return
        if o is None:
            continue
        yield make("oscillation", f"{c.name} zig-zags by about {fmt(o['median_swing'])} per point "
                   f"({o['alternation']:.0%} of moves reverse) with no overall trend", series=[c.name],
                   steps=list(c.span), evidence=o,
                   causes=["learning rate too high: updates overshoot back and forth across a valley",
                           "batch size too small for this learning rate", "a tiny or unshuffled evaluation set",
                           "momentum too high"],
                   fixes=["lower the learning rate (3-10x) or decay it", "increase the batch size",
                          "shuffle the data every epoch; use a larger validation set"],
                   marks=[Mark("span", c.name, c.span[0], c.span[1], label="oscillation")])
        return  # one finding is enough: the causes are shared
    from .accuracy_swings import accuracy_zigzag_finding

    f = accuracy_zigzag_finding(run)  # no loss or metric zig-zagged in its own units: the accuracy's scale
    if f is not None:
        yield f
