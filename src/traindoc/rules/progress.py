"""Progress: too short to judge, stuck at chance, no learning, late start, high first loss."""

from __future__ import annotations

import math

import numpy as np

from ..stats import noise_sigma

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats.chance import ClassCount, match_chance
from ._common import (flat_from_start, warming_up, MIN_POINTS, MIN_VAL_POINTS, Curve, chance, curve, fmt, loss_curve, make, normalised_metric,
                      rel, unit)
from .registry import rule


@rule("too-short", family="progress", severity=Severity.INFO, title="Too few points to judge")
def too_short(run: Run):
    missing: list[str] = []
    judged = [s for r in (Role.TRAIN_LOSS, Role.VAL_LOSS, Role.TRAIN_METRIC, Role.VAL_METRIC) for s in run.by_role(r)]
    if not judged:
        roles = sorted({s.role.value for s in run.series.values()})
        missing.append("no loss or metric series (found: " + (", ".join(roles) or "nothing") +
                       "); name a series with --role NAME=train_loss")
    for role, need, what in ((Role.TRAIN_LOSS, MIN_POINTS, "trend rules"), (Role.VAL_LOSS, MIN_VAL_POINTS,
                                                                             "overfitting and train-vs-validation readings")):
        s = run.primary(role)
        if s is None:
            continue
        n = curve(s).n
        if n < need:
            missing.append(f"{s.name} has {n} finite point(s); {what} need at least {need}")
    if not missing:
        return
    yield make("too-short", "Too few points to judge: " + missing[0], series=[s.name for s in judged][:4],
               evidence={"missing": missing},
               fixes=["log the loss more often (every few steps) and validate every epoch",
                      "let the run go on, then diagnose again"])


def stuck_of(run: Run) -> dict | None:
    """Loss flat at ln(C), or accuracy flat at chance or constant."""
    if warming_up(run):
        return None
    cc = chance(run)
    c = loss_curve(run, Role.TRAIN_LOSS) or loss_curve(run, Role.VAL_LOSS)
    if c is not None:
        half = c.yb[c.yb.size // 2:]
        last_flat = float(np.ptp(np.percentile(half, [10, 90]))) <= max(0.05 * abs(c.tail), 3 * c.noise) if half.size else False
        if cc is not None and last_flat:
            ln = cc.chance_loss
            if abs(c.tail - ln) <= max(0.03 * ln, 0.02):
                return {"series": c.name, "level": c.tail, "chance_loss": ln, "classes": cc.n, "source": cc.source,
                        "steps": list(c.span), "unit": unit(c)}
        elif cc is None and flat_from_start(c):
            m = match_chance(c.tail)
            # A model predicting the prior gives (nearly) the same loss on every batch.
            quiet = noise_sigma(c.y) <= 0.01 * abs(c.tail)
            if m is not None and quiet and c.n >= MIN_POINTS:
                return {"series": c.name, "level": c.tail, "chance_loss": m.chance_loss, "classes": m.n,
                        "source": m.source + " (no class count in the log: matched)", "steps": list(c.span),
                        "unit": unit(c)}
    for role in (Role.VAL_METRIC, Role.TRAIN_METRIC):
        for s in run.by_role(role):
            if s.metric != "accuracy":
                continue
            mc = curve(s)
            if mc.n < 3:
                continue
            y, _ = normalised_metric(mc)
            if mc.n >= MIN_VAL_POINTS and float(np.ptp(y)) == 0.0 and y[0] < 0.95:
                return {"series": s.name, "level": float(y[0]), "constant": True, "steps": list(mc.span),
                        "unit": unit(mc)}
            if cc is not None and cc.n <= 1000:
                tail = float(np.median(y[-max(3, y.size // 3):]))
                flat = float(np.ptp(y[y.size // 2:])) <= 0.03
                if flat and abs(tail - cc.chance_accuracy) <= max(0.02, 0.1 * cc.chance_accuracy):
                    return {"series": s.name, "level": tail, "chance_accuracy": cc.chance_accuracy, "classes": cc.n,
                            "source": cc.source, "steps": list(mc.span), "unit": unit(mc)}
    return None


@rule("stuck-at-chance", family="progress", severity=Severity.WARNING,
      title="The model predicts a constant: loss or accuracy at chance level")
def stuck_at_chance(run: Run):
    st = stuck_of(run)
    if st is None:
        return
    if "chance_loss" in st:
        title = (f"{st['series']} sits at {fmt(st['level'])} = ln({st['classes']}), the loss of a uniform guess over "
                 f"{st['classes']} classes")
    elif st.get("constant"):
        title = f"{st['series']} is constant at {fmt(st['level'])}: the model predicts one class (majority share)"
    else:
        title = f"{st['series']} sits at {fmt(st['level'])}, chance for {st['classes']} classes"
    ev = {k: v for k, v in st.items() if k not in ("series", "steps", "unit")}
    yield make("stuck-at-chance", title, series=[st["series"]], steps=st["steps"], evidence=ev,
               causes=["learning rate far too high (the model collapsed to the prior) or far too low",
                       "labels not matching inputs (shuffled separately, wrong column) or constant labels",
                       "inputs not normalised, or all zeros after a preprocessing bug",
                       "dead or saturated units (ReLU all off, sigmoid saturated); a wrong last-layer activation",
                       "gradients not flowing: detached tensors, frozen layers, optimiser given the wrong parameters"],
               fixes=["overfit a single batch first: if the loss cannot reach ~0, the model or code is broken",
                      "check a few (input, label) pairs by eye", "try lr 1e-3 with Adam, then bisect",
                      "run `traindoc check` on the model and data loader"])


@rule("no-learning", family="progress", severity=Severity.WARNING, title="The loss is flat from the start",
      needs=(Role.TRAIN_LOSS,))
def no_learning(run: Run):
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is None or warming_up(run) or not flat_from_start(c) or stuck_of(run) is not None:
        return
    from .stability import divergence_of, oscillation_of

    if oscillation_of(c) is not None or divergence_of(c) is not None:
        return
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    from .generalization import val_falls

    if v is not None and (abs(v.trend.rel_change) < 0.05 or val_falls(v)):
        return  # both flat is `stalled`; val falling is `val-without-train`
    u = unit(c)
    yield make("no-learning", f"{c.name} is flat from the start: {fmt(c.head)} -> {fmt(c.tail)} over {c.n} points "
               f"({u}s {fmt(c.span[0])}-{fmt(c.span[1])})", series=[c.name], steps=list(c.span),
               evidence={"start_level": c.head, "end_level": c.tail, "best_level": c.best,
                         "relative_change": round(c.trend.rel_change, 4), "trend_p": c.trend.p},
               causes=["learning rate far too low (or zero after a schedule bug)", "gradients not reaching the "
                       "weights: optimiser built before the model moved, parameters frozen, zero_grad misplaced",
                       "loss computed on something that does not depend on the parameters",
                       "saturated activations or bad initialisation"],
               fixes=["print the learning rate actually used at step 1", "check that parameters change between two "
                      "steps", "overfit one batch", "raise the learning rate 10x for quick feedback"],
               marks=[Mark("span", c.name, c.span[0], c.span[1], label="flat")])


def late_start_of(c: Curve) -> dict | None:
    yb = c.smooth
    nb = yb.size
    if nb < 10:
        return None
    head = float(np.median(yb[: max(2, nb // 20)]))
    total = head - c.tail
    if total <= 0 or rel(c.tail, head) > -0.25:
        return None
    i10 = int(np.argmax(yb <= head - 0.1 * total))
    i60 = int(np.argmax(yb <= head - 0.6 * total))
    x0, x1 = c.span
    flat_len = c.xb[i10] - x0
    if i10 < 3 or flat_len < 0.2 * (x1 - x0):
        return None
    if c.xb[i60] - c.xb[i10] > max(0.5 * flat_len, 0.1 * (x1 - x0)):
        return None
    return {"flat_until": float(c.xb[i10]), "flat_level": head, "drop_to": c.tail,
            "flat_share": round(flat_len / (x1 - x0), 3), "drop_steps": float(c.xb[i60] - c.xb[i10])}


@rule("late-start", family="progress", severity=Severity.INFO, title="A long flat start, then a sudden drop",
      needs=(Role.TRAIN_LOSS,))
def late_start(run: Run):
    c = loss_curve(run, Role.TRAIN_LOSS, 10)
    if c is None:
        return
    ls = late_start_of(c)
    if ls is None:
        return
    u = unit(c)
    yield make("late-start", f"{c.name} stayed flat near {fmt(ls['flat_level'])} until {u} {fmt(ls['flat_until'])} "
               f"({ls['flat_share']:.0%} of the run), then dropped", series=[c.name],
               steps=[c.span[0], ls["flat_until"]], evidence=ls,
               causes=["often normal: the optimiser crosses a flat region before finding a descent direction",
                       "learning-rate warm-up", "saturated sigmoid/tanh units or a small random initialisation "
                       "lengthen the flat start"],
               fixes=["nothing, if it happens once and the run then learns", "to shorten it: He/Xavier "
                      "initialisation, ReLU instead of sigmoid, batch normalisation, a slightly higher LR"],
               marks=[Mark("span", c.name, c.span[0], ls["flat_until"], label="flat start")])


@rule("high-initial-loss", family="progress", severity=Severity.WARNING,
      title="The first loss is far above chance level", needs=(Role.TRAIN_LOSS,))
def high_initial_loss(run: Run):
    cc: ClassCount | None = chance(run)
    s = run.primary(Role.TRAIN_LOSS)
    if cc is None or s is None:
        return
    c = curve(s)
    if c.n < 3:
        return
    first = c.head  # median of the first 1% (3 to 50 points): one noisy batch is not "the first loss"
    ln = cc.chance_loss
    limit = ln + max(1.0, min(0.5 * ln, 3.0))
    if first <= limit:
        return
    yield make("high-initial-loss", f"{c.name} starts at {fmt(first)}, far above chance ln({cc.n}) = {fmt(ln)}",
               series=[c.name], steps=[float(c.x[0]), float(c.x[min(2, c.n - 1)])],
               evidence={"first_loss": first, "chance_loss": ln, "classes": cc.n, "source": cc.source,
                         "ratio": round(first / ln, 3)},
               causes=["initial weights too large: confident wrong predictions from the first step",
                       "an activation on the output layer, or logits scaled up (temperature, missing normalisation)",
                       "inputs not normalised", "the class count in the log does not match the model's output"],
               fixes=["use variance-scaling initialisation (He / Xavier) with biases at 0; initialise the last "
                      "layer small", "no activation before a cross-entropy loss", "normalise the inputs"],
               marks=[Mark("point", c.name, float(c.x[0]), label="first loss")])
