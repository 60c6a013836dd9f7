"""Stability: non-finite values, divergence, loss spikes, oscillation."""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats import detect_spikes, mann_kendall, trend
from ._common import (per_curve, LOSS_ROLES, METRIC_ROLES, MIN_POINTS, Curve, curve, fmt, loss_curve, make, rel,
                      rising_after_min, unit)
from .registry import rule

_WATCHED = (Role.TRAIN_LOSS, Role.VAL_LOSS, Role.TRAIN_METRIC, Role.VAL_METRIC, Role.LR, Role.GRAD_NORM)


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
        if sev == Severity.INFO:
            causes = ["mixed-precision training: the loss scaler skipped steps whose gradients overflowed (normal "
                      "while the scale settles)"]
            fixes = ["nothing, if it happens rarely and the loss stays finite; otherwise lower the learning rate"]
        yield make("nonfinite", f"{s.name} became {'/'.join(kinds)} at {('epoch' if s.axis == 'epoch' else 'step')} "
                   f"{fmt(step)} ({nbad} of {len(s)} points)", severity=sev, series=[s.name],
                   steps=[step, float(s.steps[-1])], evidence=ev, causes=causes, fixes=fixes,
                   marks=[Mark("point", s.name, step, label="first non-finite")])


@per_curve
def divergence_of(c: Curve) -> dict | None:
    """The loss grows persistently and ends above where it started, or explodes."""
    if c.n < MIN_POINTS or c.yb.size < MIN_POINTS:
        return None
    up = rising_after_min(c, 0.2)
    if up is None:
        return None
    start = c.head
    noise = max(c.noise, 1e-12)
    above_start = up["end"] > start + 2 * noise and rel(up["end"], start) > 0.05
    exploded = up["best"] > 0 and up["end"] >= 2.0 * up["best"] and up["end"] - up["best"] >= 0.5 * max(start - up["best"], 0)
    if not (above_start or exploded):
        return None
    return {**up, "start": start, "exploded": exploded}


@rule("divergence", family="stability", severity=Severity.ERROR, title="The loss grows persistently or explodes",
      needs=(Role.TRAIN_LOSS,))
def divergence(run: Run):
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is None:
        return
    d = divergence_of(c)
    if d is None:
        return
    s = c.series
    tail_nonfinite = s.n_nonfinite > 0 and not np.isfinite(s.values[-1])
    u = unit(c)
    yield make("divergence", f"{c.name} diverged: rose from {fmt(d['best'])} at {u} {fmt(d['best_step'])} to "
               f"{fmt(d['end'])} (started at {fmt(d['start'])})", series=[c.name],
               steps=[d["best_step"], c.span[1]],
               evidence={"start_level": d["start"], "min_level": d["best"], "min_step": d["best_step"],
                         "end_level": d["end"], "trend_p": d["p"], "slope_per_step": d["slope"],
                         "ends_nonfinite": tail_nonfinite},
               causes=["learning rate too high (or raised by a schedule)", "exploding gradients",
                       "numerical instability (fp16 overflow, log of 0)", "a data problem that starts mid-run"],
               fixes=["lower the learning rate by 3-10x, or add warm-up", "clip the gradient norm (1.0 is a common "
                      "start) and log it", "restart from the checkpoint at the minimum with a lower LR"],
               marks=[Mark("point", c.name, d["best_step"], label="minimum before the rise"),
                      Mark("span", c.name, d["best_step"], c.span[1], label="divergence")])


def _spike_finding(c: Curve, resume_steps: list[float]):
    per_step = c.series.axis != "epoch"
    sp = detect_spikes(c.x, c.y, per_step=per_step)
    skip_before = c.x[min(c.n - 1, max(2, c.n // 100))]
    tol = max(1.0, 0.01 * (c.span[1] - c.span[0]))
    # Negligible spikes are dropped: a loss near zero jumping from 1e-5 to 1e-3 is a large ratio
    # but no event on a curve that started at 2.3.
    floor = 0.01 * abs(c.head)
    # Spikes in the first 1% are skipped (early bumps are common and harmless) unless they are
    # explosions: an order of magnitude or more.
    sp = [s for s in sp if (s.start > skip_before or s.ratio >= 10) and s.peak - s.before >= floor
          and not any(abs(s.start - r) <= tol for r in resume_steps)]
    if not sp:
        return None
    bad = [s for s in sp if (s.recovery in ("slow", "none") and s.ratio >= 1.5)
           or (s.ratio >= 10 and s.peak - s.before >= 0.1 * abs(c.head) and (s.points >= 2 or c.n < 200 or not per_step))]
    sev = Severity.WARNING if bad else Severity.INFO
    big = max(sp, key=lambda s: s.ratio)
    counts = {k: sum(1 for s in sp if s.recovery == k) for k in ("fast", "slow", "none", "pending")}
    u = unit(c)
    what = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    listed = [{"step": s.peak_step, "value": s.peak, "before": s.before, "ratio": round(s.ratio, 3),
               "z": round(s.z, 1), "recovery": s.recovery, "recovery_steps": s.recovery_steps} for s in sp[:20]]
    if bad:
        causes = ["learning rate too high (an explosion by orders of magnitude is the classic sign)"
                  if max(b.ratio for b in bad) >= 10 else "learning rate too high for this stage of training", "a batch of bad data (corrupt or mislabeled "
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
    title = (f"{len(sp)} spike(s) in {c.name} ({what} recovery); largest x{big.ratio:.3g} at {u} {fmt(big.peak_step)}")
    return make("loss-spikes", title, severity=sev, series=[c.name], steps=[sp[0].start, sp[-1].end],
                evidence={"count": len(sp), "recovery": counts, "largest_ratio": round(big.ratio, 3),
                          "spikes": listed},
                causes=causes, fixes=fixes,
                marks=[Mark("point", c.name, s.peak_step, label=f"spike x{s.ratio:.2f} ({s.recovery})") for s in sp[:50]])


@rule("loss-spikes", family="stability", severity=Severity.INFO, title="Transient spikes in the loss")
def loss_spikes(run: Run):
    resumes = list(run.meta.resume_steps)
    for role in LOSS_ROLES:
        c = loss_curve(run, role, 8)
        if c is None:
            continue
        if divergence_of(c) is not None:
            continue  # spikes riding a divergence are part of it, reported there
        f = _spike_finding(c, resumes + c.resumes)
        if f is not None:
            yield f


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


@rule("oscillation", family="stability", severity=Severity.WARNING, title="The loss or metric zig-zags with no trend")
def oscillation(run: Run):
    for role in (*LOSS_ROLES, *METRIC_ROLES):
        s = run.primary(role)
        if s is None:
            continue
        c = curve(s)
        if c.n < 8:
            continue
        o = oscillation_of(c, bounded=role in METRIC_ROLES)
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
