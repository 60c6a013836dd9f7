"""Schedule: the learning rate against the loss, and resumes."""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats import bin_median, mann_kendall, projected_improvement
from ._common import MIN_POINTS, Curve, curve, fmt, loss_curve, make, rel, unit
from ._yolo_warmup import warmup_worsened_of
from .registry import rule


def _lr(run: Run) -> Curve | None:
    s = run.primary(Role.LR)
    if s is None:
        return None
    c = curve(s)
    return c if c.n >= 3 and float(np.max(c.y)) > 0 else None


def _lr_at(lr: Curve, steps: np.ndarray | float) -> np.ndarray | float:
    """LR in effect at a step (the last logged value at or before it)."""
    i = np.searchsorted(lr.x, steps, side="right") - 1
    return lr.y[np.clip(i, 0, lr.n - 1)]


RAN_OUT = 0.05  # the learning rate at the end, at most this share of its peak: the schedule is over


def schedule_ran_out(run: Run, loss: Curve) -> dict | None:
    """The logged learning rate decayed to 5% of its peak or less by the end of the loss curve (a linear
    or cosine schedule run to zero, a step schedule through its last cut), with the peak before the
    last fifth: the run was trained to its planned end. Why it matters: a loss that did not fall over
    a finished schedule is a complete run that learned nothing, not the opening of a live one (a run
    20% in has its learning rate still near the peak)."""
    lr = _lr(run)
    if lr is None or loss.n < 2:
        return None
    x0, x1 = loss.span
    if lr.x[-1] < x1 - 0.05 * (x1 - x0) or lr.x[0] > x0 + 0.2 * (x1 - x0):
        return None  # the schedule is not logged over the loss's own span
    ip = int(np.argmax(lr.y))
    peak, end = float(lr.y[ip]), float(lr.y[-1])
    if end > RAN_OUT * peak or lr.x[ip] > x0 + 0.8 * (x1 - x0):
        return None
    return {"lr_peak": peak, "lr_peak_step": float(lr.x[ip]), "lr_end": end}


def lr_restarts(run: Run) -> list[float]:
    """Steps where the LR schedule jumps back to its very first value: a resume that did not
    restore the scheduler (warm-up or the initial LR again). Two or more such jumps are a
    periodic schedule by design (warm restarts), not a resume, and none is returned."""
    lr = _lr(run)
    if lr is None or lr.n < 6:
        return []
    y = lr.y
    y0 = float(y[0])
    tol = 0.1 * abs(y0) + 1e-12 * float(np.max(np.abs(y)))
    back = np.abs(y[1:] - y0) <= tol
    away = (np.abs(y[:-1] - y0) > 1.0 * abs(y0) + tol) | (np.abs(y[:-1]) < 0.5 * abs(y0))
    hits = np.flatnonzero(back & away) + 1
    hits = hits[hits >= 3]
    return [float(lr.x[hits[0]])] if hits.size == 1 else []


def resume_points(run: Run, s) -> list[float]:
    """Every step where the run was (or looks) resumed: metadata, re-logged steps, a long pause in
    wall time, or the LR schedule restarting."""
    c = curve(s)
    return sorted(set(run.meta.resume_steps) | set(c.resumes) | set(_wall_gaps(run, s)) | set(lr_restarts(run)))


def _climbing_into_jump(c: Curve, lr: Curve, i: int, j: int) -> bool:
    """A warm-up still climbing when the loss jumps and stays up: the LR at the jump is the
    highest yet and 3x or more its first value, and the loss holds at 1.5x its best or more to the
    end. The LR need not have grown 1.5x since the best loss (a long linear warm-up adds little
    between the two), the step it took the model over is the one that counts. A rate held flat since
    the best loss (the warm-up ended before it) took no new step at the jump, so "stays up" is the
    only evidence: it must be seen, the loss high over a tenth of the run after the jump, not only in
    the run's last few points (noise at the end of a run that would have come back down)."""
    sm = c.smooth
    lr_i, lr_j = float(_lr_at(lr, c.xb[i])), float(_lr_at(lr, c.xb[j]))
    upto = lr.y[lr.x <= c.xb[j]]
    if upto.size < 3 or lr_j < float(np.max(upto)) * 0.999 or lr_j < 3.0 * float(upto[0]):
        return False
    x0, x1 = c.span
    if lr_j <= lr_i * 1.001 and x1 - c.xb[j] < 0.1 * (x1 - x0):  # not climbing, and too near the end
        return False
    return bool(float(np.min(sm[j:])) >= 1.5 * float(sm[i]))


def too_high_of(run: Run) -> dict | None:
    c, lr = loss_curve(run, Role.TRAIN_LOSS), _lr(run)
    if c is None or lr is None or c.smooth.size < MIN_POINTS:
        return None
    sm, xb = c.smooth, c.xb
    runmin = np.minimum.accumulate(sm)
    if np.any(sm <= 0):
        return None
    # 30% above the running minimum, and clear of the curve's (multiplicative) noise.
    up = np.log(sm / runmin) >= max(np.log(1.3), 3.0 * c.rel_noise)
    for j in np.flatnonzero(up):
        if j + 2 >= sm.size or not up[j:j + 3].all():
            continue
        i = int(np.argmin(sm[:j]))
        if any(xb[i] < r <= xb[j] for r in lr_restarts(run)):
            return None  # the LR "rose" because the schedule restarted (a resume): `resume-spike`
        lr_i, lr_j = float(_lr_at(lr, xb[i])), float(_lr_at(lr, xb[j]))
        if lr_i > 0 and (lr_j >= 1.5 * lr_i or _climbing_into_jump(c, lr, i, j)):
            return {"min_step": float(xb[i]), "min_loss": float(sm[i]), "lr_at_min": lr_i, "rise_step": float(xb[j]),
                    "loss_at_rise": float(sm[j]), "lr_at_rise": lr_j, "series": c.name, "lr_series": lr.name,
                    "unit": unit(c), "end": c.span[1], "kind": "rising"}
        if lr_i > 0:
            return _held_too_high(c, lr, i, j)
        return None  # the first sustained rise is not LR-driven: other rules judge it
    return None


def warmup_spike_of(run: Run) -> dict | None:
    """A loss spike that starts while the LR is still warming up (or at its peak), doubles the
    loss or more, and does not come straight back (slow to recover, or high for three points
    and more), or is an order of magnitude: the rate hit
    what the model tolerates on its way up. Bumps that recover at once are part of warm-up (the
    loss-spikes rule skips those), and the run's first point has no level before it to judge by.
    """
    from .stability import _warmup_end
    from .val_only import training_kept_falling
    from ..stats import detect_spikes

    warm_end, lr = _warmup_end(run), _lr(run)
    if warm_end is None or lr is None:
        return None
    for role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        c = loss_curve(run, role, 8)
        if c is None:
            continue
        per_step = c.series.axis != "epoch"
        resumes = resume_points(run, c.series)
        for sp in detect_spikes(c.x, c.y, per_step=per_step):
            if sp.start > warm_end or sp.start <= c.x[0] or any(abs(sp.start - r) <= 1 for r in resumes):
                continue
            # Lasting: slow to recover, or high for three evaluations and more, or 10x at once.
            lasting = sp.recovery in ("slow", "none") or sp.points >= 3 or sp.ratio >= 10
            if role == Role.VAL_LOSS and training_kept_falling(run, c, sp):
                continue  # the validation set's bump alone: a rate too high shows in the training loss
            if sp.ratio >= 2.0 and lasting and (sp.points >= 2 or not per_step):
                lr_before, lr_at = float(_lr_at(lr, c.x[0])), float(_lr_at(lr, sp.start))
                if lr_before > 0 and lr_at >= 1.5 * lr_before:
                    return {"series": c.name, "lr_series": lr.name, "unit": unit(c), "spike_start": sp.start,
                            "peak_step": sp.peak_step, "peak": sp.peak, "before": sp.before, "ratio": sp.ratio,
                            "recovery": sp.recovery, "recovery_steps": sp.recovery_steps, "lr_at_spike": lr_at,
                            "lr_at_start": lr_before, "warmup_end": warm_end}
    return None


HELD_GIVE_BACK = 0.1  # the climb at the held peak must undo this share of what the loss had gained


def _held_too_high(c: Curve, lr: Curve, i: int, j: int) -> dict | None:
    """The loss climbs while the LR is held at its peak, and comes back down only once the LR is cut.

    The rise alone could be a data problem or divergence; the recovery right after a cut of the
    LR (to half or less) is what ties it to the rate: the same weights, the same data, a smaller
    step, and the loss falls back. Needs the LR held within 10% of its peak from the minimum to
    the rise, the loss to double (smoothed) before the cut, and to fall back to half that peak or
    below within the next tenth of the run after it. The climb must also give back a tenth or more
    of the fall from the run's start to its minimum: a loss near zero doubles on noise alone (a
    solved task whose augmentation still varies), which costs nothing the run had learned.
    """
    sm, xb = c.smooth, c.xb
    lr_i = float(_lr_at(lr, xb[i]))
    peak_lr = float(np.max(lr.y))
    held = lr.y[(lr.x >= xb[i]) & (lr.x <= xb[j])]
    if lr_i < 0.9 * peak_lr or held.size == 0 or float(np.min(held)) < 0.9 * lr_i:
        return None
    later = (lr.x > xb[j]) & (lr.y <= 0.5 * lr_i)
    if not later.any():
        return None
    cut = float(lr.x[int(np.argmax(later))])
    before = (xb >= xb[j]) & (xb < cut)
    if not before.any():
        return None
    k = int(np.flatnonzero(before)[int(np.argmax(sm[before]))])
    if sm[k] < 2.0 * sm[i]:
        return None
    gained = c.head - float(sm[i])
    if gained > 0 and float(sm[k] - sm[i]) < HELD_GIVE_BACK * gained:
        return None  # a solved task's noise floor doubling (1e-6 -> 1e-5), not a rate undoing the learning
    after = (xb >= cut) & (xb <= cut + 0.1 * (xb[-1] - xb[0]))
    if int(after.sum()) < 2 or float(np.min(sm[after])) > 0.5 * sm[k]:
        return None
    return {"min_step": float(xb[i]), "min_loss": float(sm[i]), "lr_at_min": lr_i, "rise_step": float(xb[j]),
            "loss_at_rise": float(sm[k]), "lr_at_rise": float(_lr_at(lr, xb[k])), "peak_step": float(xb[k]),
            "cut_step": cut, "lr_after_cut": float(_lr_at(lr, cut)), "loss_after_cut": float(np.min(sm[after])),
            "series": c.name, "lr_series": lr.name, "unit": unit(c), "end": c.span[1], "kind": "held"}


@rule("lr-too-high", family="schedule", severity=Severity.WARNING,
      title="The loss rises as the learning rate rises", needs=(Role.TRAIN_LOSS, Role.LR))
def lr_too_high(run: Run):
    d = too_high_of(run)
    if d is None:
        w = warmup_spike_of(run)
        if w is not None:
            rec = {"slow": "recovered slowly", "none": "never recovered", "fast": "came back down",
                   "pending": "had not recovered by the end"}[w["recovery"]]
            yield make("lr-too-high", f"{w['series']} jumped x{w['ratio']:.3g} ({fmt(w['before'])} -> {fmt(w['peak'])} "
                       f"at {w['unit']} {fmt(w['peak_step'])}) as the learning-rate warm-up reached "
                       f"{fmt(w['lr_at_spike'])} ({w['lr_at_spike'] / w['lr_at_start']:.3g}x its first value), and "
                       f"{rec}", series=[w["series"], w["lr_series"]], steps=[w["spike_start"], w["peak_step"]],
                       evidence={k: w[k] for k in ("spike_start", "peak_step", "peak", "before", "ratio", "recovery",
                                                   "recovery_steps", "lr_at_spike", "lr_at_start", "warmup_end")},
                       causes=["the warm-up's peak learning rate is beyond what this model and batch size tolerate"],
                       fixes=[f"lower the peak learning rate (below {fmt(w['lr_at_spike'])})", "lengthen the warm-up",
                              "clip gradients"],
                       marks=[Mark("point", w["series"], w["peak_step"], label=f"spike x{w['ratio']:.2f} in warm-up"),
                              Mark("line", w["series"], w["warmup_end"], label="warm-up peak")])
            return
        y = warmup_worsened_of(run)
        if y is not None:
            yield make("lr-too-high", f"the training losses ({y['series']}) rose {y['rise_pct']:.3g}% from epoch "
                       f"{fmt(y['first_step'])} to {fmt(y['peak_step'])} while the warm-up raised {y['lr_series']} "
                       f"{fmt(y['lr_first'])} -> {fmt(y['lr_peak'])}, and {y['metric']} fell "
                       f"{fmt(y['metric_first'])} -> {fmt(y['metric_low'])}",
                       series=[y["metric"], y["lr_series"]], steps=[y["first_step"], y["peak_step"]],
                       evidence={k: y[k] for k in ("first_step", "first_loss", "peak_step", "peak_loss", "rise_pct",
                                                   "noise", "lr_first", "lr_peak", "lr_peak_step", "metric_first",
                                                   "metric_low", "metric_low_step")},
                       causes=["the warm-up's peak rate (lr0) is too high for weights that were already good: the "
                               "training loss of a healthy run falls in its first epochs, here it climbed with the rate",
                               "a fine-tune or resume from trained weights run with a from-scratch learning rate"],
                       fixes=[f"lower lr0 (below {fmt(y['lr_peak'])}), e.g. a tenth for a fine-tune",
                              "shorten or drop the warm-up (warmup_epochs=0) when starting from trained weights",
                              "freeze the backbone for the first epochs (freeze=10)"],
                       marks=[Mark("point", y["metric"], y["metric_low_step"], label="metric lowest in warm-up"),
                              Mark("line", y["metric"], y["lr_peak_step"], label="warm-up peak")])
        return
    if d["kind"] == "held":
        yield make("lr-too-high", f"{d['series']} climbed from {fmt(d['min_loss'])} to {fmt(d['loss_at_rise'])} "
                   f"({d['unit']} {fmt(d['min_step'])}-{fmt(d['peak_step'])}) while the learning rate was held at "
                   f"its peak {fmt(d['lr_at_min'])}, and fell back to {fmt(d['loss_after_cut'])} only once it was "
                   f"cut to {fmt(d['lr_after_cut'])}", series=[d["series"], d["lr_series"]],
                   steps=[d["min_step"], d["cut_step"]],
                   evidence={k: d[k] for k in ("min_step", "min_loss", "lr_at_min", "rise_step", "peak_step",
                                               "loss_at_rise", "cut_step", "lr_after_cut", "loss_after_cut")},
                   causes=["the peak learning rate (reached at the end of warm-up) is beyond what this model and "
                           "batch size tolerate: the loss climbs at it and recovers as soon as it is lowered"],
                   fixes=["lower the peak learning rate (the rate after the cut worked)", "lengthen the warm-up",
                          "clip gradients", "decay sooner"],
                   marks=[Mark("point", d["series"], d["min_step"], label="best loss at the peak LR"),
                          Mark("point", d["series"], d["peak_step"], label="loss peak, LR unchanged"),
                          Mark("line", d["series"], d["cut_step"], label="LR cut: the loss recovers")])
        return
    climb = _rate_climbs_to_end(run)
    causes = ["the peak learning rate (or the schedule's increase) is beyond what this model and batch size tolerate"]
    fixes = [f"cap the learning rate at or below {fmt(d['lr_at_min'])}, where the loss was still falling",
             "lengthen the warm-up", "clip gradients"]
    if climb is not None:
        # Highest at the last step, many times the first: the schedule never came down.
        causes.insert(0, f"the schedule raised the rate through the whole run ({fmt(climb[0])} -> {fmt(climb[1])}, "
                         f"highest at the end) instead of lowering it: a decay's floor (eta_min, end_factor, min_lr) "
                         f"set above the starting rate, often a fraction (0.1 for '10% of the start') where an "
                         f"absolute rate is meant; or a warm-up longer than the run")
        fixes.insert(0, f"give the decay an absolute floor below the starting rate (eta_min=0.1 * {fmt(climb[0])}, "
                        f"not eta_min=0.1), or shorten the warm-up")
    yield make("lr-too-high", f"{d['series']} rose from {fmt(d['min_loss'])} to {fmt(d['loss_at_rise'])} as the "
               f"learning rate went from {fmt(d['lr_at_min'])} to {fmt(d['lr_at_rise'])}",
               series=[d["series"], d["lr_series"]], steps=[d["min_step"], d["rise_step"]],
               evidence={k: d[k] for k in ("min_step", "min_loss", "lr_at_min", "rise_step", "loss_at_rise",
                                           "lr_at_rise")} | ({"lr_first": climb[0], "lr_last": climb[1]} if climb else {}),
               causes=causes, fixes=fixes,
               marks=[Mark("point", d["series"], d["min_step"], label="best loss before LR rose"),
                      Mark("line", d["series"], d["rise_step"], label="loss rising with LR")])


CLIMB = 10.0  # the last rate against the first: an order of magnitude is no drift


def _rate_climbs_to_end(run: Run) -> tuple[float, float] | None:
    """(first, last) learning rate when the rate never fell, ended at its highest and CLIMB times or more
    above where it started: a schedule that only went up, to the last step."""
    s = run.primary(Role.LR)
    if s is None or len(s.values) < 4:
        return None
    y = np.asarray(s.values, dtype=float)
    if not np.all(np.isfinite(y)) or not y[0] > 0 or np.any(np.diff(y) < -1e-4 * y[:-1]):
        return None
    return (float(y[0]), float(y[-1])) if y[-1] >= CLIMB * y[0] else None


def _cut_after_no_gain(run: Run, c: Curve, lr: Curve, peak_i: int) -> bool:
    """The first LR cut came after 3+ evaluations at the peak LR none of which improved on the
    first (the validation loss, else the training loss): a scheduler answering a plateau
    (ReduceLROnPlateau), so the decay followed the failure to learn and did not cause it."""
    peak = float(lr.y[peak_i])
    cut = np.flatnonzero(lr.y[peak_i:] < 0.9 * peak)
    if not cut.size:
        return False
    s_cut = float(lr.x[peak_i + int(cut[0])])
    ref = loss_curve(run, Role.VAL_LOSS, 3) or c
    y = ref.y[(ref.x >= float(lr.x[peak_i])) & (ref.x < s_cut)]
    return y.size >= 3 and float(np.min(y[1:])) >= float(y[0])


def _cut_by_orders_of_magnitude(c, lr, peak_i: int, s_low: float, gain_post: float) -> bool:
    """The LR ends 100x or more below its peak after decaying by itself; the loss fell significantly (1%) from the peak to
    the point the LR passed 5% of it, then sat flat (no significant fall, projected gain < 3%)
    while still at 30% or more of where it started: learning was switched off, not finished."""
    if float(lr.y[-1]) > 0.01 * float(lr.y[peak_i]) or gain_post > 0.03 or c.tail < 0.3 * c.head:
        return False
    before = (c.x >= float(lr.x[peak_i])) & (c.x < s_low)
    after = c.x >= s_low
    if before.sum() < 4 or after.sum() < MIN_POINTS:
        return False
    # A schedule decaying by itself (4+ decreases on the way down), not ReduceLROnPlateau
    # answering a plateau with one or two 10x cuts.
    seg = lr.y[peak_i:int(np.searchsorted(lr.x, s_low)) + 1]
    if int(np.sum(np.diff(seg) < 0)) < 4:
        return False
    xb, yb = bin_median(c.x[before], c.y[before], 200)
    z, p = mann_kendall(yb, xb)
    if not (z < 0 and p < 0.01):
        return False
    xa, ya = bin_median(c.x[after], c.y[after], 200)
    za, pa = mann_kendall(ya, xa)
    return not (za < 0 and pa < 0.05)


def decay_of(run: Run) -> dict | None:
    """Progress stops once the LR has decayed to a tiny value early in the run."""
    c, lr = loss_curve(run, Role.TRAIN_LOSS), _lr(run)
    if c is None or lr is None:
        return None
    peak_i = int(np.argmax(lr.y))
    peak = float(lr.y[peak_i])
    low = np.flatnonzero(lr.y[peak_i:] <= 0.05 * peak)
    if not low.size:
        return None
    s_low = float(lr.x[peak_i + int(low[0])])
    if float(np.max(lr.y[lr.x > s_low], initial=0.0)) >= 0.5 * peak:
        return None  # the LR came back up (warm restarts): it did not decay to nothing
    x0, x1 = c.span
    if s_low > x0 + 0.6 * (x1 - x0):
        return None
    post = c.x >= s_low
    # "Still improving" is judged just before the decay bit (the last tenth of the run's length),
    # not over the early fast fall that every run has.
    pre_from = max(float(lr.x[peak_i]), s_low - 0.1 * (x1 - x0))
    pre = (c.x < s_low) & (c.x >= pre_from)
    if post.sum() < MIN_POINTS or pre.sum() < 3:
        return None
    gain_post = projected_improvement(c.x[post], c.y[post])
    gain_pre = projected_improvement(c.x[pre], c.y[pre], horizon=x1 - s_low)
    from ._common import flat_from_start

    if flat_from_start(c) and gain_post <= 0.03 and int((c.x < s_low).sum()) >= 3:
        if _cut_after_no_gain(run, c, lr, peak_i):
            return None  # ReduceLROnPlateau answering a run that learned nothing at full LR: `no-learning`
        # The LR was gone before the run could learn anything: the decay, not the model, is the
        # first suspect (a flat loss under a constant tiny LR stays `no-learning`).
        return {"series": c.name, "lr_series": lr.name, "lr_peak": peak, "lr_low_step": s_low,
                "lr_final": float(lr.y[-1]), "loss_at_low": c.at(s_low), "loss_end": c.tail,
                "projected_gain_before": round(gain_pre, 4), "projected_gain_after": round(gain_post, 4),
                "end": x1, "unit": unit(c), "flat_from_start": True}
    if _cut_by_orders_of_magnitude(c, lr, peak_i, s_low, gain_post):
        # An exponential schedule (ExponentialLR stepped per epoch) already slows learning before
        # the LR passes 5% of its peak, so the last tenth before it shows little: the evidence is
        # the whole pre-decay fall, the LR gone by orders of magnitude, and a high flat loss after.
        gain_pre = max(gain_pre, 0.1)
    # Stopped: the projected gain collapsed (under 3%, or under 1% of the pace before the decay).
    elif gain_post > max(0.03, 0.01 * gain_pre) or gain_post > 0.1 or gain_pre < 0.1:
        return None
    elif mann_kendall(c.y[pre])[1] >= 0.05:
        return None  # no significant progress right before the decay: nothing was cut short
    # When validation had already stopped improving before the decay, the decay is a response to
    # the plateau (ReduceLROnPlateau), not its cause.
    v = loss_curve(run, Role.VAL_LOSS, 5)
    if v is not None:
        vpre = (v.x < s_low) & (v.x >= pre_from)
        if vpre.sum() >= 3:
            vy = v.y[vpre]
            z, p = mann_kendall(vy)
            # Mann-Kendall needs 4+ points; three evaluations that each improve are evidence enough.
            falling = (z < 0 and p < 0.1) if vy.size >= 4 else bool(np.all(np.diff(vy) < 0))
            if projected_improvement(v.x[vpre], vy, horizon=x1 - s_low) < 0.05 or not falling:
                return None
    return {"series": c.name, "lr_series": lr.name, "lr_peak": peak, "lr_low_step": s_low,
            "lr_final": float(lr.y[-1]), "loss_at_low": c.at(s_low), "loss_end": c.tail,
            "projected_gain_before": round(gain_pre, 4), "projected_gain_after": round(gain_post, 4),
            "end": x1, "unit": unit(c)}


@rule("lr-decay-too-fast", family="schedule", severity=Severity.WARNING,
      title="Progress stops as the learning rate decays to a tiny value", needs=(Role.TRAIN_LOSS, Role.LR))
def lr_decay_too_fast(run: Run):
    d = decay_of(run)
    if d is None:
        return
    yield make("lr-decay-too-fast", f"{d['series']} stopped improving at {d['unit']} {fmt(d['lr_low_step'])}, when "
               f"the learning rate fell below 5% of its peak ({fmt(d['lr_peak'])} -> {fmt(d['lr_final'])})",
               series=[d["series"], d["lr_series"]], steps=[d["lr_low_step"], d["end"]],
               evidence={k: v for k, v in d.items() if k not in ("series", "lr_series", "unit", "end")},
               causes=["the schedule decays too fast for the run's length (e.g. x0.9995 per step)",
                       "a step schedule with milestones set for a much shorter run"],
               fixes=["decay more slowly, or over the whole run (cosine to the last step)",
                      "with Adam, try a constant learning rate", "resume from here with a higher learning rate"],
               marks=[Mark("line", d["series"], d["lr_low_step"], label="LR below 5% of peak"),
                      Mark("span", d["series"], d["lr_low_step"], d["end"], label="no progress")])


def _wall_gaps(run: Run, s) -> list[float]:
    """Steps after a long pause in wall time: restarts the log does not otherwise mark."""
    wt = s.wall_time
    if wt is None or len(s) < 10:
        return []
    ok = np.isfinite(wt)
    if ok.sum() < 10:
        return []
    st, w = s.steps[ok], wt[ok]
    d = np.diff(w)
    med = float(np.median(d[d > 0])) if np.any(d > 0) else 0.0
    if med <= 0:
        return []
    gaps = np.flatnonzero(d > max(600.0, 50.0 * med))
    return [float(st[i + 1]) for i in gaps]


def _jump_at(c: Curve, r: float) -> tuple[float, float, float, int] | None:
    """(before, after, noise, k) when the curve's level right after ``r`` is clearly above the level
    right before it (over four noise widths and 10%), else None."""
    from ..stats import noise_sigma

    before, after = c.y[c.x < r], c.y[c.x >= r]
    k = max(3, min(20, c.n // 50))
    if before.size < 3 or after.size < 3:
        return None
    b, a = float(np.median(before[-k:])), float(np.median(after[:k]))
    noise = noise_sigma(before[-max(3 * k, 10):])
    if a <= b + max(4 * noise, 1e-12) or rel(a, b) < 0.1:
        return None
    return b, a, noise, k


def _corroborated(run: Run, judged, r: float) -> bool:
    """A resume read from a wall-time pause alone needs a second witness: most of the run's other
    losses (the other parts, the other split) jump at the same step too. A real restart without
    the optimiser state disturbs the whole objective, not one term of it."""
    others = [curve(o) for role in (Role.TRAIN_LOSS, Role.VAL_LOSS) for o in run.by_role(role)
              if o.name != judged.name and len(o) >= MIN_POINTS]
    others = [o for o in others if o.n >= MIN_POINTS and np.any(o.x < r) and np.any(o.x >= r)]
    if not others:
        return False
    jumped = sum(_jump_at(o, r) is not None for o in others)
    return jumped >= max(1, (len(others) + 1) // 2)


@rule("resume-spike", family="schedule", severity=Severity.WARNING,
      title="A jump in the loss right where the run was resumed")
def resume_spike(run: Run):
    s = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if s is None:
        return
    c = curve(s)
    if c.n < 2 * MIN_POINTS:
        return
    resumes = resume_points(run, s)
    restarts = lr_restarts(run)
    marked = set(run.meta.resume_steps) | set(c.resumes) | set(restarts)
    for r in resumes:
        jump = _jump_at(c, r)
        if jump is None:
            continue
        b, a, noise, k = jump
        if r not in marked and not _corroborated(run, s, r):
            continue  # a pause in wall time alone is no resume: people stop and restart notebooks
        after = c.y[c.x >= r]
        yield make("resume-spike", f"{c.name} jumped from {fmt(b)} to {fmt(a)} (+{rel(a, b):.0%}) where the run "
                   f"resumed at {unit(c)} {fmt(r)}", series=[c.name], steps=[r, float(c.x[c.x >= r][min(k, after.size) - 1])],
                   evidence={"resume_step": r, "before": b, "after": a, "jump": round(rel(a, b), 4),
                             "noise": noise,
                             "source": ("run metadata" if r in run.meta.resume_steps else "the learning-rate schedule "
                                        "restarted (jumped back to its first value)" if r in restarts
                                        else "step log or wall-time gap")},
                   causes=["the optimiser state (Adam moments) was not restored: the first updates are far too "
                           "large", "the LR scheduler restarted (warm-up or a high LR again)", "a different data "
                           "order or augmentation seed, or weights loaded from the wrong checkpoint"],
                   fixes=["save and load the optimiser and scheduler state_dict with the model",
                          "verify the resumed step count and LR match the checkpoint"],
                   marks=[Mark("line", c.name, r, label="resume")])
