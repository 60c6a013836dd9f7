"""Progress: too short to judge, stuck at chance, no learning, late start, high first loss."""

from __future__ import annotations

import math
import re

import numpy as np

from ..stats import noise_sigma, rolling_median, trend

from ..findings import Mark, Severity
from ..run import MEASURED_ROLES, Role, Run, Series
from ..run.run import batch_counted
from ..stats.chance import ClassCount, match_chance, match_chance_tight
from ..stats.pinned import complement_pair, pinned_tail
from ._common import (REGRESSION_ERRORS, adversarial, bounded_metric_curves, agent_scores, cross_entropy_like, reinforcement, scores_an_agent, flat_from_start, warming_up, MIN_POINTS, MIN_VAL_POINTS, Curve, chance, curve, fmt, loss_curve, make, normalised_metric,
                      rel, unit)
from .registry import rule
from .chance_throughout import never_left_chance
from .chance_heldout import held_out_accuracy_pinned, held_out_at_chance
from .chance_uniform import uniform_guess_at_chance
from .short_chance import short_run_at_chance
from .loss_terms import summed_terms


MIN_RL_POINTS = 20  # logged points of an agent's score (each a mean over a few episodes) before a trend is judged


@rule("too-short", family="progress", severity=Severity.INFO, title="Too few points to judge")
def too_short(run: Run):
    if run.meta.segment is not None and run.meta.segment[0] < run.meta.segment[1]:
        # A run the same file goes on after (a reader split it at a restart) was stopped and launched
        # again: its few points are a launch cut short, which ``appended-runs`` names, not a log too
        # short to judge. The file's last run is the one whose length says what can be read.
        return
    missing: list[str] = []
    judged = [s for r in MEASURED_ROLES for s in run.by_role(r)]
    scores = agent_scores(run) if (not judged or reinforcement(run)) else []
    if scores:
        # An RL run is judged on the agent's score per episode (its losses chase moving targets), also
        # when it logs nothing else (a DQN progress.csv of returns): each point averages a few episodes,
        # and fewer than MIN_RL_POINTS of them cannot tell learning from the episodes' own noise.
        best = max((run.series[n] for n in scores), key=lambda s: curve(s).n)
        n = curve(best).n
        if n < MIN_RL_POINTS:
            yield make("too-short", f"Too few points to judge: {best.name} has {n} point(s); an agent's score needs "
                       f"at least {MIN_RL_POINTS} to tell learning from episode noise", series=[best.name],
                       evidence={"missing": [f"{best.name} has {n} point(s) of the agent's score"]},
                       fixes=["let the run go on for more episodes, then diagnose again",
                              "log the episode return more often"])
        return
    if not run.series and run.format == "empty":
        # A log that names its columns and holds no value (a header only, empty lists): nothing to judge yet.
        yield make("too-short", "Too few points to judge: " + (run.meta.notes[0] if run.meta.notes else
                   "the log holds no value"), series=[], evidence={"missing": ["no value logged"]},
                   fixes=["let the run log its first epochs, then diagnose again",
                          "if it stopped here, look for the error that ended it before the first value"])
        return
    if not judged:
        roles = sorted({s.role.value for s in run.series.values()})
        missing.append("no loss or metric series (found: " + (", ".join(roles) or "nothing") +
                       "); name a series with --role NAME=train_loss")
    # Only the main loss decides: a fine-tune with hundreds of training points and three
    # evaluations can be judged (a short eval series is not "too short to judge").
    main = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if main is not None:
        n = curve(main).n
        # Logged often enough but (nearly) all NaN: the log is not short, the run broke; that is
        # `nonfinite`'s to say, and "too few points to judge" beside it would say the opposite.
        if n < MIN_POINTS and len(main) >= MIN_POINTS:
            return
        if n < MIN_POINTS:
            missing.append(f"{main.name} has {n} finite point(s); the trend rules need at least {MIN_POINTS}")
        # One or two evaluations cannot show where the validation is heading (no trend, no
        # distance from a best, no noise to judge either against): the generalisation is unread
        # however long the training loss is. Said at info; the training trend is still judged.
        # Values logged per batch inside an evaluation (their own batch axis) are one pass at least,
        # not one evaluation per point.
        evals = [1 if batch_counted(s) else curve(s).n
                 for r in (Role.VAL_LOSS, Role.VAL_METRIC) for s in run.by_role(r)]
        if n >= MIN_POINTS and evals and 0 < max(evals) <= 2 and main.role == Role.TRAIN_LOSS:
            missing.append(f"the validation has only {max(evals)} evaluation(s) beside {n} points of {main.name}: "
                           "too few to judge the generalisation (its trend or its distance from its best)")
    elif judged:
        best = max(judged, key=lambda s: curve(s).n)
        if curve(best).n < MIN_POINTS:
            missing.append(f"{best.name} has {curve(best).n} finite point(s); the trend rules need at least "
                           f"{MIN_POINTS}")
    if not missing:
        return
    yield make("too-short", "Too few points to judge: " + missing[0], series=[s.name for s in judged][:4],
               evidence={"missing": missing},
               fixes=["log the loss more often (every few steps) and validate every epoch",
                      "let the run go on, then diagnose again"])


# A classifier may sit near ln(C) for its first few dozen optimiser steps before it finds a way
# down (deep sigmoid nets, small learning rates): only a longer stay there says "stuck".
MIN_STUCK_STEPS = 100


def _long_enough_to_be_stuck(c) -> bool:
    if c.series.axis != "step":
        return c.n >= MIN_VAL_POINTS
    return c.n >= MIN_POINTS and float(c.x[-1] - c.x[0]) >= MIN_STUCK_STEPS


def _flat_accuracy_band(classes: int) -> float:
    """How far an accuracy at chance wanders on its own: a few hundred validation samples give a
    binomial spread of a few points at 1/k, so the band scales with the chance level (0.04 at 10
    classes), never below 3 points."""
    return min(0.05, max(0.03, 0.4 / max(classes, 1)))


def _spread(y: np.ndarray) -> float:
    """Range of the middle 80%: one lucky or unlucky evaluation does not make a flat curve move."""
    return float(np.ptp(np.percentile(y, [10, 90]))) if y.size else 0.0


def collapse_to_chance(run: Run) -> dict | None:
    """A classifier's training loss that started at ln(C), learned (its smoothed best 30%+ below
    ln C), then jumped back to ln(C) and sat there flat for the last fifth of the run and more:
    the model fell back to predicting the prior. C is read from the start (a fresh classifier
    starts at ln C, within 5% and a quarter of the gap to its neighbours) unless the log names it.

    Unlike a flat start this is no warm-up's doing, so an LR still rising does not excuse it."""
    c = loss_curve(run, Role.TRAIN_LOSS, 20)
    if c is None or not cross_entropy_like(run) or not np.all(c.y > 0):
        return None
    cc = chance(run)
    # C from the log, else from where the curve ends (many points: a precise level), confirmed by
    # the start (a few noisy points: within 10%).
    end = float(np.median(c.y[-max(4, c.n // 5):]))
    k = cc.n if cc is not None else int(round(math.exp(end))) if end < math.log(1001) else 0
    if not 2 <= k <= 1000:
        return None
    ln = math.log(k)
    gap = min(math.log(k + 1) - ln, ln - math.log(k - 1) if k > 2 else math.inf)
    tol = min(0.05 * ln, 0.25 * gap)
    sm = c.smooth
    ib = int(np.argmin(sm))
    if abs(c.head - ln) > max(tol, 0.1 * ln) or float(sm[ib]) > 0.7 * ln:
        return None
    # The return: the first block after the best back up at ln C; from there on the smoothed curve
    # never comes down by more than twice the tolerance, and its median sits at ln C.
    back = np.flatnonzero(sm[ib:] >= ln - tol)
    if not back.size:
        return None
    j = ib + int(back[0])
    if sm.size - j < max(4, sm.size // 5):
        return None
    seg = c.yb[j:]
    if abs(float(np.median(seg)) - ln) > tol or float(np.min(sm[j:])) < ln - 2 * tol or \
            trend(c.xb[j:], seg).falling(0.05, 0.05):
        return None  # not at chance, or finding its way down again
    return {"series": c.name, "level": float(np.median(seg)), "chance_loss": ln, "classes": k,
            "source": cc.source if cc is not None else f"the loss starts at {c.head:.4g} and ends at {end:.4g} ~ "
            f"ln({k}) (no class count in the log: inferred)",
            "steps": [float(c.xb[j]), c.span[1]], "unit": unit(c), "best": float(sm[ib]),
            "best_step": float(c.xb[ib]), "collapsed_at": float(c.xb[j])}


def _loss_and_accuracy_at_chance(run: Run, level: float) -> ClassCount | None:
    """ln(k) matched loosely (3%, up to 100 classes) when an accuracy corroborates it: its last
    third at or below 1/k. One reading near ln(k) can be chance; two agreeing on the same k are
    not (a 4-class model at 1.375 with a training accuracy of 0.26)."""
    if not math.isfinite(level) or not 0.0 < level <= math.log(100) * 1.03:
        return None
    k = int(round(math.exp(level)))
    if not 2 <= k <= 100 or abs(level - math.log(k)) > 0.03 * math.log(k):
        return None
    for s in run.by_role(Role.TRAIN_METRIC) + run.by_role(Role.VAL_METRIC):
        mc = curve(s)
        if s.metric != "accuracy" or mc.n < MIN_VAL_POINTS:
            continue
        y, _ = normalised_metric(mc)
        if _at_or_below_chance(float(np.median(y[-max(3, y.size // 3):])), 1.0 / k):
            return ClassCount(k, f"loss level {level:.4g} ~ ln({k}) with {s.name} at chance (1/{k})", guessed=True)
    return None


def _zero_beside_falling_loss(run: Run, y: np.ndarray) -> bool:
    """An accuracy of exactly 0 at every evaluation while a loss of the run fell to half its start
    or less: no class has a share of 0 among items it is given, and a model whose loss halves gets
    some right, so the metric is not computed (loss-metric-mismatch names it), not a one-class model."""
    if float(np.max(y)) != 0.0:
        return False
    for role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        c = loss_curve(run, role)
        if c is not None and c.head > 0 and c.tail <= 0.5 * c.head:
            return True
    return False


def _below_one_class_loss(run: Run, acc: Series, level: float) -> bool:
    """A constant accuracy that one-class predictions cannot explain: the same split's loss sits
    below the least cross-entropy a model giving every item one class can reach, while the run's
    other accuracy stands clearly above this one.

    Predicting one class scores the majority share m, and the best constant prediction then costs
    the label entropy, at least -m ln m - (1 - m) ln(1 - m) (the rest in one class is the least
    spread). A loss under that at every evaluation means the predictions differ from item to item:
    a trained model at a small rate (a resumed run, a fine-tune) whose few predictions on a small
    validation set simply did not flip. The second accuracy (training beside validation) clear of
    this one rules out a loss on another scale (a squared error) carrying the argument alone."""
    if not 0.0 < level < 1.0 or not cross_entropy_like(run):
        return False
    role = Role.VAL_LOSS if acc.role == Role.VAL_METRIC else Role.TRAIN_LOSS
    c = loss_curve(run, role)
    if c is None or c.n < 3:
        return False
    floor = -level * math.log(level) - (1.0 - level) * math.log(1.0 - level)
    if float(np.max(c.y)) >= floor:
        return False
    other = Role.TRAIN_METRIC if acc.role == Role.VAL_METRIC else Role.VAL_METRIC
    for s in run.by_role(other):
        if s.metric == "accuracy" and curve(s).n >= 3:
            y, _ = normalised_metric(curve(s))
            if float(np.median(y)) >= level + 0.1:
                return True
    return False


def _at_or_below_chance(level: float, chance_acc: float) -> bool:
    """An accuracy no better than chance: a little above it (sampling noise), or below it. A model
    that learned nothing scores under 1/k as readily as over it (labels shuffled apart from the
    inputs give 0.06-0.09 at 10 classes), so the band reaches further down than up; half of chance
    is the floor, lower than that is a scoring bug of its own, not a guess."""
    up = max(0.02, 0.05 * chance_acc)
    down = max(0.03, 0.3 * chance_acc)
    return chance_acc - down <= level <= chance_acc + up


def _one_term(run: Run, c: Curve) -> bool:
    """The loss is one term, not the logged sum of several (``loss_terms.summed_terms``): ln C is the
    level of one classifier head, and a sum of two binary heads at 2 ln 2 = 1.386 is not ln 4."""
    return summed_terms(run, c.series) == 1


def stuck_of(run: Run) -> dict | None:
    """Loss flat at ln(C), or accuracy flat at chance or constant."""
    collapsed = collapse_to_chance(run)
    if collapsed is not None:
        return collapsed
    if warming_up(run):
        return None
    cc = chance(run)
    c = loss_curve(run, Role.TRAIN_LOSS) or loss_curve(run, Role.VAL_LOSS)
    if cc is None and c is not None:
        # No class count logged: an accuracy flat at 1/k while the loss sits near ln(k) is itself
        # the count (a model predicting the prior over k classes shows both at once).
        cc = inferred_classes(run, c)
    if c is not None:
        half = c.yb[c.yb.size // 2:]
        last_flat = float(np.ptp(np.percentile(half, [10, 90]))) <= max(0.05 * abs(c.tail), 3 * c.noise) if half.size else False
        if cc is not None and last_flat and _long_enough_to_be_stuck(c):
            ln = cc.chance_loss
            if abs(c.tail - ln) <= max(0.03 * ln, 0.02) and _one_term(run, c):
                return {"series": c.name, "level": c.tail, "chance_loss": ln, "classes": cc.n, "source": cc.source,
                        "steps": list(c.span), "unit": unit(c)}
        elif cc is None and cross_entropy_like(run) and flat_from_start(c):
            m = match_chance(c.tail) or match_chance_tight(c.tail) or _loss_and_accuracy_at_chance(run, c.tail)
            # A model predicting the prior gives (nearly) the same loss on every batch.
            quiet = noise_sigma(c.y) <= 0.01 * abs(c.tail)
            if m is not None and quiet and c.n >= MIN_POINTS and _one_term(run, c):
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
            if (mc.n >= MIN_VAL_POINTS and float(np.ptp(y)) == 0.0 and y[0] < 0.95 and not _zero_beside_falling_loss(run, y)
                    and not _below_one_class_loss(run, s, float(y[0]))):
                return {"series": s.name, "level": float(y[0]), "constant": True, "steps": list(mc.span),
                        "unit": unit(mc)}
            repeats = _one_class_throughout(y)
            if repeats is not None:
                return {"series": s.name, "level": float(y[0]), "constant": True, "repeats": repeats,
                        "evaluations": int(mc.n), "steps": list(mc.span), "unit": unit(mc)}
            fell = _fell_then_pinned(y)
            if fell is not None:
                return {"series": s.name, "level": fell["level"], "constant": True, **fell,
                        "evaluations": int(mc.n), "steps": list(mc.span), "unit": unit(mc)}
            pair = complement_pair(y) if mc.n >= MIN_VAL_POINTS and _binary(run, cc) else None
            if pair is not None:
                # p and 1 - p and nothing else: a binary model giving every item one class, now this
                # class, now the other; its accuracy is the class share, whatever its loss does.
                return {"series": s.name, "level": float(np.median(y[-3:])), "one_class": True, **pair,
                        "classes": 2, "steps": list(mc.span), "unit": unit(mc)}
            if cc is not None and cc.n <= 1000:
                tail = float(np.median(y[-max(3, y.size // 3):]))
                flat = _spread(y[y.size // 2:]) <= _flat_accuracy_band(cc.n)
                if flat and _at_or_below_chance(tail, cc.chance_accuracy):
                    return {"series": s.name, "level": tail, "chance_accuracy": cc.chance_accuracy, "classes": cc.n,
                            "source": cc.source, "steps": list(mc.span), "unit": unit(mc)}
    return (short_run_at_chance(run) or never_left_chance(run) or held_out_at_chance(run)
            or uniform_guess_at_chance(run) or held_out_accuracy_pinned(run))


def _count_is_firm(run: Run, st: dict) -> bool:
    """Whether a stuck reading's class count can be stated as fact: logged (the run's metadata or series
    names give it), or read off a loss level that sits tightly at ln(C) (``match_chance_tight``). A count
    matched loosely from the loss level (2.0 read as ln 7 = 1.946) is only a guess: a loss near ln(C)
    that is not exactly there need not be a uniform guess over C classes at all."""
    cc = chance(run)
    if cc is not None and not cc.guessed and cc.n == st.get("classes"):
        return True
    tight = match_chance_tight(float(st["level"])) if "chance_loss" in st else None
    if tight is None and "chance_accuracy" in st and st.get("series") in run.series:
        # An accuracy reading: its count came with a loss at ln(C); judge that loss's own level.
        for role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
            c = loss_curve(run, role, 3)
            if c is not None:
                tight = match_chance_tight(float(np.median(c.y[-max(3, c.n // 4):])))
                break
    return tight is not None and tight.n == st.get("classes")


@rule("stuck-at-chance", family="progress", severity=Severity.WARNING,
      title="The model predicts a constant: loss or accuracy at chance level")
def stuck_at_chance(run: Run):
    st = stuck_of(run)
    if st is not None and st.get("series") in run.series:
        from .adversarial_pair import adversary_at_chance, adversary_at_equilibrium

        if adversary_at_equilibrium(run, curve(run.series[st["series"]])):
            return  # a discriminator at one half is the game's goal, not a model giving one class
        if adversary_at_chance(run, curve(run.series[st["series"]])):
            return  # a domain classifier at ln C: the features no longer tell the domains apart, as meant
    if st is None or st.get("read") == "throughout":
        from .majority import majority_of

        # The count test names the majority share and the set size: better evidence than a noisy
        # loss at ln(k), so it speaks first when both see the run at chance.
        mj = majority_of(run) if not warming_up(run) else None
        if mj is not None:
            yield _majority_finding(mj)
            return
        if st is None:
            return
    if not math.isfinite(float(st["level"])):  # an all-NaN series is not "constant at nan"
        return
    if "collapsed_at" in st:
        title = (f"{st['series']} fell to {fmt(st['best'])} ({st['unit']} {fmt(st['best_step'])}), then went back to "
                 f"{fmt(st['level'])} ~ ln({st['classes']}) from {st['unit']} {fmt(st['collapsed_at'])} and stayed: the "
                 f"model collapsed to predicting the prior over {st['classes']} classes")
    elif st.get("held_out"):
        title = (f"{st['series']} never got more than {1 - st['level'] / st['chance_loss']:.0%} under ln({st['classes']}) "
                 f"= {fmt(st['chance_loss'])} (best third {fmt(st['level'])}), the loss of a uniform guess over "
                 f"{st['classes']} classes, and the held-out accuracy stayed near chance")
    elif "chance_loss" in st and not _count_is_firm(run, st):
        # A count read off the loss level itself, and not tightly: say it is a guess.
        title = (f"{st['series']} sits at {fmt(st['level'])}, about ln({st['classes']}) = {fmt(st['chance_loss'])}: "
                 f"{st['classes']} classes if this is a uniform guess")
    elif "chance_loss" in st:
        title = (f"{st['series']} sits at {fmt(st['level'])} = ln({st['classes']}), the loss of a uniform guess over "
                 f"{st['classes']} classes")
    elif st.get("one_class"):
        title = (f"{st['series']} is {fmt(st['share_low'])} or {fmt(st['share_high'])} (p or 1 - p) at "
                 f"{st['evaluations']} of {st['of']} evaluations: every item got the same class")
    elif st.get("pinned_evaluations"):
        title = (f"{st['series']} fell from {fmt(st['before_best'])} to {fmt(st['level'])} and is exactly that at its "
                 f"last {st['pinned_evaluations']} evaluations: the model collapsed to giving every item one class")
    elif st.get("repeats"):
        title = (f"{st['series']} is exactly {fmt(st['level'])} at {st['repeats']} of its {st['evaluations']} "
                 f"evaluations, from the first, and never higher: the model gives every item one class")
    elif st.get("constant"):
        title = f"{st['series']} is constant at {fmt(st['level'])}: the model predicts one class (majority share)"
    elif "chance_accuracy" in st and "classes" in st and not _count_is_firm(run, st):
        title = (f"{st['series']} sits at {fmt(st['level'])}, about chance ({fmt(st['chance_accuracy'])} if there are "
                 f"{st['classes']} classes; the count is a guess)")
    elif st["level"] < st.get("chance_accuracy", 0.0):
        title = (f"{st['series']} sits at {fmt(st['level'])}, no better than chance ({fmt(st['chance_accuracy'])} "
                 f"for {st['classes']} classes)")
    else:
        title = f"{st['series']} sits at {fmt(st['level'])}, chance for {st['classes']} classes"
    ev = {k: v for k, v in st.items() if k not in ("series", "steps", "unit")}
    causes = ["learning rate far too high (the model collapsed to the prior) or far too low",
              "inputs and labels no longer correspond: shuffled separately, a wrong column, or a reshape "
              "or stack that mixes samples across the batch (check every view/reshape); or constant labels",
              "inputs not normalised, or all zeros after a preprocessing bug",
              "dead or saturated units (ReLU all off, sigmoid saturated); a wrong last-layer activation",
              "gradients not flowing: detached tensors, frozen layers, optimiser given the wrong parameters"]
    fixes = ["overfit a single batch first: if the loss cannot reach ~0, the model or code is broken",
             "check a few (input, label) pairs by eye", "try lr 1e-3 with Adam, then bisect",
             "run `traindoc check` on the model and data loader"]
    collapsed = "collapsed_at" in st
    fit = None if collapsed else _train_fits_while_metric_at_chance(run, st)
    peak = _early_peak_above_chance(run, st) if fit is None and not collapsed else None
    if not collapsed:
        title += _training_loss_meanwhile(run, st, fits=fit is not None)
    inside = _inside_cause(run) if fit is None and peak is None and not collapsed else None
    if inside is not None:
        ev.update(inside[2])
        causes = [inside[0]] + [c for c in causes if not c.startswith("learning rate far too high")]
        fixes = [inside[1]] + fixes
    thrown = _thrown_by_the_rate(run, st) if fit is None and peak is None and inside is None and not collapsed else None
    if thrown is None and inside is None and peak is None and fit is None and not collapsed:
        high = _flat_but_too_high(run)
        still = _never_moved(run) if high is None else None
        if high is not None:
            # Flat, but far above where a fresh model starts: the outputs are saturated, which a
            # rate too low cannot do; "never moved" would send the user to raise it.
            ev.update(high[2])
            causes = [high[0]] + [c for c in causes if not c.startswith("learning rate far too high")]
            fixes = [high[1]] + [f for f in fixes if not f.startswith("try lr")]
        if still is not None:
            causes = [still] + [c for c in causes if not c.startswith("learning rate far too high")] + \
                ["gradients not flowing: detached tensors, frozen layers, optimiser given the wrong parameters"]
            causes = list(dict.fromkeys(causes))
    if thrown is not None:
        ev.update({k: v for k, v in thrown.items() if k != "cause"})
        causes = [thrown["cause"]] + causes[1:]
        fixes = ["lower the learning rate 10x (for Adam/AdamW 1e-4 to 1e-3), then bisect; add warm-up and gradient "
                 "clipping"] + [f for f in fixes if not f.startswith("try lr")]
    if collapsed:
        causes = ["the learning rate grew too high for the model (check a warm-up that never ends, or its peak): "
                  "one bad step threw the weights where every input gets the prior"] + causes[1:]
        fixes = ["lower the peak learning rate or end the warm-up sooner; clip gradients",
                 "restart from the checkpoint before the collapse"] + [f for f in fixes if not f.startswith("try lr")]
    elif fit is not None:
        # The training loss fell: the step size and the gradient path work, so the generic LR advice
        # does not fit. What the model learns on the training rows does not carry to held-out rows.
        ev.update(fit)
        rose = (f" and {fit['val_loss_series']} rose {fmt(fit['val_loss_start'])} -> {fmt(fit['val_loss_end'])}, "
                f"worse than a uniform guess" if "val_loss_series" in fit else "")
        causes = [f"{fit['train_series']} fell {fmt(fit['train_start'])} -> {fmt(fit['train_end'])} while "
                  f"{st['series']} stayed at chance{rose}: the model memorises the training rows, so their labels do "
                  f"not follow from their inputs (labels shuffled or sorted apart from the inputs, a wrong label "
                  f"column or mapping)",
                  "the validation inputs or labels are prepared differently from the training ones (another "
                  "normalisation, class ids in another order, another tokeniser)"] + causes[2:]
        fixes = ["check a few (input, label) pairs by eye, from the training set and the validation set",
                 "shuffle inputs and labels together (one index, or a Dataset that returns both)",
                 "run `traindoc check` on the model and data loader"]
        tiny = _tiny_training_set(run)
        if tiny is not None:
            # So few rows are memorised whatever their labels: the log says which story is likelier.
            ev.update(tiny[1])
            causes = [tiny[0]] + causes
            fixes = ["train on more rows (or augment), and use a smaller or pretrained model with regularisation"] + fixes
    if peak is not None:
        # The curve itself says which cause: lead with it and its fix instead of the generic list.
        ev.update(peak)
        if peak["rose"]:
            causes = [f"the learning rate is too high: {peak['peak_series']} rose to {fmt(peak['early_peak'])}, far "
                      f"above chance, then the model collapsed to predicting the prior"] + causes[1:]
            fixes = ["lower the learning rate 10x (or add warm-up and gradient clipping), then bisect"] + \
                [f for f in fixes if not f.startswith("try lr")]
        else:
            # Began far above chance: a step size that threw the model out in its first steps, or an
            # initialisation that saturated the output; the log alone cannot tell which.
            causes = [f"{peak['peak_series']} began at {fmt(peak['early_peak'])}, far above chance, then the model "
                      f"collapsed to the prior: a learning rate too high for the first steps, or an output layer "
                      f"initialised too large"] + causes[1:]
            fixes = ["lower the learning rate 10x or add warm-up; initialise the last layer small"] + \
                [f for f in fixes if not f.startswith("try lr")]
    nan = _nan_to_the_end(run)
    if nan is not None:
        # NaN weights give every item the same class: the one-class accuracy is the NaN's symptom.
        ev["loss_nonfinite_from"] = nan[1]
        causes = [f"{nan[0]} became NaN/Inf at step {fmt(nan[1])} and stayed so: the weights are NaN, and a NaN "
                  f"model gives every item the same class; fix the NaN first (see nonfinite)"] + causes
        fixes = ["find where the NaN starts (traindoc.watch names the first module) and fix that first"] + fixes
    yield make("stuck-at-chance", title, series=[st["series"]], steps=st["steps"], evidence=ev,
               causes=causes, fixes=fixes)


def _nan_to_the_end(run: Run) -> tuple[str, float] | None:
    """(loss name, first non-finite step) of a loss that is non-finite from some point to its end."""
    for role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        for s in run.by_role(role):
            bad = ~np.isfinite(s.values)
            if len(s) and bad[-1] and bad.any():
                good = np.flatnonzero(~bad)
                first = int(good[-1]) + 1 if good.size else 0
                return s.name, float(s.steps[first])
    return None


def _training_loss_meanwhile(run: Run, st: dict, fits: bool = False) -> str:
    """What the training loss did while a held-out metric sat at chance, for the title: a person
    asks first whether the model fits its training data at all (a fitting model with a metric at
    chance points at the labels; one that does not fit, at the optimisation)."""
    if st.get("chance_loss") is not None or run.series[st["series"]].role != Role.VAL_METRIC:
        return ""
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is None or c.head <= 0:
        return ""
    if fits or c.tail <= 0.9 * c.head:
        how = "fell"
    elif c.tail < c.head:
        how = "barely fell"
    else:
        how = "did not fall"
    return f", while {c.name} {how} ({fmt(c.head)} -> {fmt(c.tail)})"


def _inside_cause(run: Run) -> tuple[str, str, dict] | None:
    """A model at chance whose watcher log says why from inside: steps far too large (step_size's
    lr-too-high, whose symptoms the rest are), units dead, steps too small to move the weights
    (update-to-weight ratio below 1e-5: the learning rate is too low), or a gradient that
    vanishes through the depth before it reaches the first layers. Read from the same per-layer
    series as those rules, so `diagnose` of the log and the live run agree."""
    from .internals import dead_relu, update_ratio, vanishing_gradients
    from .step_size import steps_too_large

    big = steps_too_large(run)
    if big:  # the dead units and vanishing gradients that follow are its symptoms
        t = big[0].title
        return (t if "too high" in t else f"the learning rate is too high: {t}", big[0].fixes[0] if big[0].fixes else
                "lower the learning rate 10-100x", {"steps_too_large": True})
    dead = [f for f in dead_relu(run) if max((f.evidence.get("dead_share") or {0: 0.0}).values()) >= 0.9]
    if dead:
        return (f"dead ReLU units: {dead[0].title}; no gradient passes a unit that never fires, so the layers "
                f"behind it do not learn", dead[0].fixes[0] if dead[0].fixes else "initialise biases at 0 (He "
                "initialisation); use LeakyReLU/GELU", {"dead_relu": True})
    low = [f for f in update_ratio(run) if f.evidence.get("subject") == "low"]
    if low:
        worst = min(low[0].evidence["layers"].values())
        return (f"the learning rate is too low: each step changes the weights by {worst:.2g} of their size (a "
                f"healthy step is ~1e-3), so the model never leaves its starting guess",
                "raise the learning rate 10-100x (an LR range test finds the usable band: `traindoc check`)",
                {"update_ratio": worst})
    van = vanishing_gradients(run)
    if van:
        r = van[0].evidence["ratio"]
        size = f"{1 / r:.2g}x smaller than" if r > 0 else "zero, unlike"
        return (f"the gradient vanishes through the depth: the first layer's gradient is {size} the last layer's, "
                f"so the early layers do not learn (saturating sigmoid/tanh layers, or an initialisation too small "
                f"for the depth)", "use ReLU-family activations with He initialisation (or Xavier for tanh); add "
                "normalisation layers or residual connections", {"first_to_last_gradient": r})
    return None


def _never_moved(run: Run) -> str | None:
    """The training loss flat from its first point and never 10% above it: nothing threw the model
    to the prior (no early peak, no collapse), it simply never left its starting guess, which a rate
    far too low or gradients that do not reach the weights give; a rate too high does not."""
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is None or c.n < MIN_POINTS or not flat_from_start(c) or float(c.y[0]) <= 0:
        return None
    if float(np.nanmax(c.y)) > 1.1 * float(c.y[0]):
        return None
    # "Never left" is a claim about the first value itself: the end must lie within the opening's
    # noise of it. A first point of 2.57 ending at 1.82 (the head's median of a few points can still
    # read as flat) fell 29%: it moved, and the text would send the user to raise the rate.
    opening = c.y[:max(5, c.n // 5)]  # the opening fifth, five points at least
    if abs(c.tail - float(c.y[0])) > max(3.0 * noise_sigma(opening), 0.05 * abs(float(c.y[0]))):
        return None
    return (f"{c.name} never left its first value ({fmt(float(c.y[0]))} -> {fmt(c.tail)}): the model never moved "
            f"from its starting guess; a learning rate far too low, or gradients that do not reach the weights")


LR_FAR_TOO_HIGH = 0.05  # a logged rate at or above this is beyond Adam/AdamW's working range (1e-5 to 1e-2)


def _thrown_by_the_rate(run: Run, st: dict) -> dict | None:
    """A model that predicts one class while the curves show the learning rate threw it there: the
    training loss peaked early at twice or more where it ended (no known chance level needed; a
    model sitting at its prior has the lowest loss it can reach without learning), or the logged
    rate peaked at 0.05 or more; or it learned below its end and was thrown back to it
    (``_learned_then_thrown_back``). Only for a constant accuracy or one at chance, or (for the last,
    whose own curve shows the fall and the return) a training loss sitting at ln C."""
    c = loss_curve(run, Role.TRAIN_LOSS)
    if not (st.get("constant") or "chance_accuracy" in st):
        if "chance_loss" not in st or c is None or c.name != st.get("series"):
            return None
        tb = _learned_then_thrown_back(c)
        if tb is None:
            return None
        return {"cause": f"the learning rate is too high: {c.name} fell to {fmt(tb['early_low'])} early, below "
                         f"ln({st.get('classes')}) = {fmt(st['chance_loss'])}, then jumped to {fmt(tb['jump_to'])} and "
                         f"sat at chance: the model had started to learn and a step threw it back to the prior", **tb}
    lr = run.primary(Role.LR)
    peak_lr = float(np.nanmax(curve(lr).y)) if lr is not None and curve(lr).n else math.nan
    early = None
    if c is not None and c.tail > 0:
        head = c.y[: max(2, c.n // 3)]
        i = int(np.nanargmax(head))
        if float(head[i]) >= 2.0 * c.tail:
            early = {"early_peak": float(head[i]), "peak_series": c.name, "peak_step": float(c.x[i])}
    high_lr = math.isfinite(peak_lr) and peak_lr >= LR_FAR_TOO_HIGH
    thrown_back = _learned_then_thrown_back(c) if early is None and c is not None else None
    if early is None and not high_lr and thrown_back is None:
        return None
    said = []
    if high_lr:
        said.append(f"the logged rate peaked at {fmt(peak_lr)}")
    if early is not None:
        said.append(f"{early['peak_series']} was {fmt(early['early_peak'])} early on, {early['early_peak'] / c.tail:.2g}x "
                    f"where it ended")
    if thrown_back is not None:
        said.append(f"{c.name} fell to {fmt(thrown_back['early_low'])} early, below where it ended, then jumped to "
                    f"{fmt(thrown_back['jump_to'])} and sat at {fmt(c.tail)}")
    cause = (f"the learning rate is too high: {' and '.join(said)}; the first steps threw the model to predicting one "
             f"class, and it never recovered")
    return {"cause": cause, **({"peak_lr": peak_lr} if high_lr else {}), **(early or {}), **(thrown_back or {})}


THROWN_LOW = 0.9  # an early level this far under the end (rolling median of 3) ...
THROWN_JUMP = 1.2  # ... then a point this far over it


def _learned_then_thrown_back(c: Curve) -> dict | None:
    """In its first third the training loss got clearly below where it ended (a rolling median of three
    points 10% under the end) and then jumped 20% above the end, and the run ends predicting one class:
    the model had started to learn and a step threw it back to the prior, where it stayed (a rate that
    rises through a warm-up to a value too high does this). A rate too low never learns first."""
    if c.n < MIN_POINTS or c.tail <= 0:
        return None
    early = c.y[: max(3, c.n // 3)]
    if early.size < 3:
        return None
    sm = rolling_median(early, 3)
    i = int(np.argmin(sm[1:-1])) + 1 if sm.size > 2 else int(np.argmin(sm))
    if float(sm[i]) > THROWN_LOW * c.tail:
        return None
    after = early[i + 1:]
    if after.size == 0 or float(np.max(after)) < THROWN_JUMP * c.tail:
        return None
    j = i + 1 + int(np.argmax(after))
    return {"early_low": float(sm[i]), "early_low_step": float(c.x[i]), "jump_to": float(early[j]),
            "jump_step": float(c.x[j])}


def _majority_finding(mj: dict):
    u = mj
    title = (f"{u['series']} began at {u['first_share']:.4g} for {u['evaluations_pinned']} evaluations (one class for "
             f"every item; {u['loss_series']} {fmt(u['loss_at_start'])} ~ {fmt(u['prior_entropy'])}, the entropy of that share) and ended at "
             f"{u['end']:.4g} ({u['end_count']}/{u['items']}), not significantly above the majority share "
             f"{u['majority_count']}/{u['items']} (exact binomial p = {u['binomial_p']:.2g})")
    ev = {k: v for k, v in mj.items() if k not in ("series", "steps")} | {"judged_on": "counts of the validation set"}
    f = make("stuck-at-chance", title, series=[mj["series"], mj["loss_series"]], steps=mj["steps"], evidence=ev,
                causes=["the model predicts the class shares: too little signal in the inputs for this model, or "
                        "inputs and labels that no longer correspond", "a learning rate too low to leave the prior",
                        "class imbalance: predicting the majority class is a strong local minimum"],
                fixes=["overfit a small batch first: if it cannot, the model or the data pipeline is broken",
                       "check a few (input, label) pairs by eye", "weight the classes or resample; report a balanced "
                       "metric", "a larger validation set: on a few dozen items a real gain of a few points cannot "
                       "be told from chance"])
    f.verdict = "problem"
    f.verdict_reason = ("the model began by giving every item one class and never scored significantly better than "
                        "that on the validation set")
    return f


def _train_fits_while_metric_at_chance(run: Run, st: dict) -> dict | None:
    """A held-out accuracy at chance while the training loss fell clearly (a significant trend and
    10%+ below its start): the model fits something, only not anything that generalises."""
    held_out = st.get("held_out") or ("chance_accuracy" in st and run.series[st["series"]].role == Role.VAL_METRIC)
    if not held_out:
        return None
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is None or c.head <= 0 or not (c.trend.z < 0 and c.trend.p < 0.01):
        return None
    ln = math.log(st["classes"]) if st.get("classes") else None
    if ln is not None and c.tail >= ln:
        return None  # back down to the prior's loss from a blown-up start fits nothing: not memorising
    if c.tail <= 0.9 * c.head:
        return {"train_series": c.name, "train_start": c.head, "train_end": c.tail}
    # A smaller fall counts when the held-out loss rose meanwhile, from its start to above the
    # prior's ln C: what the model picks up on the training rows makes held-out rows worse than a
    # uniform guess, which is memorising labels that do not follow from the inputs.
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    if v is None or ln is None or not (c.tail < ln and v.y[-1] > max(float(v.y[0]), ln) * 1.01 and v.trend.z > 0
                                       and v.trend.p < 0.05):
        return None
    return {"train_series": c.name, "train_start": c.head, "train_end": c.tail, "val_loss_series": v.name,
            "val_loss_start": float(v.y[0]), "val_loss_end": float(v.y[-1])}


TINY_TRAIN_ROWS = 128  # rows an epoch below which a model memorises its training set whatever the labels


def _tiny_training_set(run: Run) -> tuple[str, dict] | None:
    """A training set of a few dozen rows, where the log says its size: Hugging Face's
    trainer_state.json records max_steps, num_train_epochs and train_batch_size. Gradient
    accumulation would make the real count larger, so this errs towards not saying it."""
    h = run.meta.hparams if isinstance(run.meta.hparams, dict) else {}
    try:
        steps, epochs, batch = (float(h[k]) for k in ("max_steps", "num_train_epochs", "train_batch_size"))
    except (KeyError, TypeError, ValueError):
        return None
    if not (steps > 0 and epochs >= 1 and batch > 0):
        return None
    per_epoch = max(1, round(steps / epochs))
    rows = int(per_epoch * batch)
    if rows > TINY_TRAIN_ROWS:
        return None
    return (f"the training set is tiny: about {rows} rows an epoch ({per_epoch} steps x batch size {int(batch)}, "
            f"more only if gradients were accumulated); a model memorises so few rows and nothing carries to "
            f"held-out data", {"train_rows_per_epoch": rows})


def _early_peak_above_chance(run: Run, st: dict) -> dict | None:
    """The training loss far above chance early on (beyond the high-initial-loss limit) before the
    run sat at chance: the signature of a step size that threw the model out, not of a bad start."""
    classes = st.get("classes")
    c = loss_curve(run, Role.TRAIN_LOSS)
    if not classes or c is None or c.n < 3:
        return None
    ln = math.log(classes)
    early = c.y[: max(2, c.n // 3)]
    peak = float(np.max(early))
    if not math.isfinite(peak) or peak <= ln + max(1.0, min(0.5 * ln, 3.0)):
        return None
    i = int(np.argmax(early))
    # "Rose" only when the curve started lower: a high first point may be the initialisation.
    rose = i > 0 and float(c.y[0]) <= ln + max(1.0, min(0.5 * ln, 3.0))
    return {"early_peak": peak, "peak_series": c.name, "peak_step": float(c.x[i]), "rose": rose}


def objective_curve(run: Run) -> Curve | None:
    """The training loss; in a run that logs no loss at all, its regression error (an ``RMSE``
    column alone, training before validation): what the model minimises, so a flat one is a
    run that learns nothing just as a flat loss is."""
    c = loss_curve(run, Role.TRAIN_LOSS)
    if c is not None or run.by_role(Role.TRAIN_LOSS) or run.by_role(Role.VAL_LOSS) or adversarial(run):
        return c
    for role in (Role.TRAIN_METRIC, Role.VAL_METRIC):
        errs = [s for s in run.by_role(role) if s.metric in REGRESSION_ERRORS and s.higher_is_better is False]
        best = max(errs, key=lambda s: curve(s).n, default=None)
        if best is not None and curve(best).n >= MIN_POINTS:
            return curve(best)
    return None


def held_out_objective(run: Run) -> Curve | None:
    """The validation loss of a run that logs no training loss curve (none, or one or two points beside
    it): the one measure of what the model learned. Flat from its first evaluation, it says the same as a
    flat training loss, and more: nothing was learned that reaches unseen data. (Read only when
    ``objective_curve`` has nothing; an adversary's losses are a game, not an objective.)"""
    if any(curve(s).n >= MIN_POINTS for s in run.by_role(Role.TRAIN_LOSS)):
        return None
    return loss_curve(run, Role.VAL_LOSS)


@rule("no-learning", family="progress", severity=Severity.WARNING, title="The loss is flat from the start")
def no_learning(run: Run):
    from .frozen import frozen_from_start

    fz = frozen_from_start(run)
    if fz is not None:
        yield _frozen_start_finding(fz)
        return
    c = objective_curve(run) or held_out_objective(run)
    if c is None or warming_up(run) or not flat_from_start(c) or stuck_of(run) is not None:
        return
    if loss_not_recorded(run, c) or _term_traded_by_weight(run, c):
        return
    from .adversarial_pair import adversary_at_chance

    if adversary_at_chance(run, c):
        return  # an adversary's loss held level is the game (a domain classifier the features defeat)
    from .stability import divergence_of, oscillation_of, swings_of

    if oscillation_of(c) is not None or swings_of(c) is not None or divergence_of(c) is not None:
        return
    from .schedule import decay_of

    if decay_of(run) is not None:
        return  # the LR decayed to nothing early: reported as lr-decay-too-fast
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    from .generalization import val_falls

    if v is not None and val_falls(v):
        return  # validation falling while training is flat is `val-without-train`
    from .generalization import _metric_climbs_while_train_flat

    if _metric_climbs_while_train_flat(run, c) is not None:
        return  # likewise with a validation accuracy climbing
    from .logged_late import learned_before_logged

    if learned_before_logged(run, c) is not None:
        return  # the validation loss fell before the first training point: a converged tail
    # Validation flat too is still no-learning: `stalled` is for a run that improved first.
    u = unit(c)
    causes = ["learning rate far too low (or zero after a schedule bug)", "gradients not reaching the "
              "weights: the optimiser was given another model's parameters (or built before the model "
              "moved), parameters frozen, zero_grad misplaced",
              "loss computed on something that does not depend on the parameters",
              "a reshape or stack that mixes samples across the batch (check every view/reshape)",
              "saturated activations or bad initialisation"]
    fixes = ["print the learning rate actually used at step 1", "check that parameters change between two "
             "steps", "overfit one batch", "raise the learning rate 10x for quick feedback"]
    ev = {"start_level": c.head, "end_level": c.tail, "best_level": c.best,
          "relative_change": round(c.trend.rel_change, 4), "trend_p": c.trend.p}
    high = _flat_but_too_high(run, c)
    if high is not None:
        # A rate too low cannot raise a loss or hold it far above a uniform guess (or saturate the
        # outputs): lead with what did, and drop the advice to raise the rate.
        ev.update(high[2])
        causes = [high[0]] + causes[1:]
        fixes = [high[1]] + fixes[1:3]
    else:
        causes, fixes = _order_by_rate_and_validation(run, c, causes, fixes, ev)
    yield make("no-learning", f"{c.name} is flat from the start: {fmt(c.head)} -> {fmt(c.tail)} ({rel(c.tail, c.head):+.2%}) over {c.n} points "
               f"({u}s {fmt(c.span[0])}-{fmt(c.span[1])})", series=[c.name], steps=list(c.span),
               evidence=ev, causes=causes, fixes=fixes,
               marks=[Mark("span", c.name, c.span[0], c.span[1], label="flat")])


ORDINARY_SGD_STEP = 0.03  # lr / (1 - momentum) at or above this is not "far too low" for SGD
ORDINARY_ADAPTIVE_LR = 3e-4  # nor this for Adam-like optimisers (their usual is 1e-3)


def _ordinary_rate(run: Run) -> str | None:
    """The optimizer setting the watcher recorded, in words, when it is not far below the usual one."""
    from ..checks.rate_range import USUAL_1E3
    from .internals import recorded_optimizer

    rec = recorded_optimizer(run)
    if rec is None or not isinstance(rec[1], (int, float)):
        return None
    name, lr, m = rec
    s = run.primary(Role.LR)
    if s is not None and len(s) and not float(np.nanmin(s.values)) >= 0.1 * lr:
        return None  # the rate a schedule reached (or a zero) is what the run trained at, not the one set
    if (name == "SGD" and lr / (1 - m) >= ORDINARY_SGD_STEP) or (name in USUAL_1E3 and lr >= ORDINARY_ADAPTIVE_LR):
        return f"{name} at lr {lr:g}" + (f" with momentum {m:g}" if m else "")
    return None


def _order_by_rate_and_validation(run: Run, c: Curve, causes: list[str], fixes: list[str],
                                  ev: dict) -> tuple[list[str], list[str]]:
    """Reorder the flat-loss causes by what this run shows.

    A recorded rate that is not far below its optimizer's usual one rules out "far too low" as the lead
    (it goes last, and "raise the rate 10x" is dropped). A validation loss that rises significantly from
    its first evaluation while the training loss edges down is a model learning its training rows and
    nothing that carries over: the targets do not follow from the inputs (shuffled apart, joined on the
    wrong key), which then leads."""
    rate = _ordinary_rate(run)
    if rate is not None:
        ev["recorded_rate"] = rate
        low = causes[0]
        causes = causes[1:] + [f"{low}: unlikely, the recorded rate ({rate}) is an ordinary one"]
        fixes = [f for f in fixes if not f.startswith("raise the learning rate")]
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    if (v is not None and c.tail < c.head and float(v.y[-1]) > 1.01 * float(v.y[0]) and v.trend.z > 0
            and v.trend.p < 0.05):
        ev.update({"val_loss_series": v.name, "val_loss_start": float(v.y[0]), "val_loss_end": float(v.y[-1])})
        causes = [f"the targets do not follow from the inputs: {c.name} edges down while {v.name} rises from its "
                  f"first evaluation ({fmt(float(v.y[0]))} -> {fmt(float(v.y[-1]))}), so the model learns its "
                  "training rows and nothing that carries over (inputs and targets shuffled with different "
                  "permutations, joined on the wrong key, or labels from another file)"] + causes
        fixes = ["check a few (input, target) pairs by eye; shuffle inputs and targets together (one permutation, "
                 "or one Dataset returning both)"] + fixes
    return causes, fixes


def _term_traded_by_weight(run: Run, c: Curve) -> bool:
    """The judged loss is one term of a sum (``recon_loss``, ``kl_loss``) whose weights a logged schedule
    moves during the run (a KL ``beta`` annealed 0 -> 1): that term is traded against the weighted
    one by design (reconstruction held level or pushed up while the KL weight grows), so its flat
    course says nothing about whether the model learns. A total loss is still judged."""
    from ..run.roles import is_loss_component
    from ._loss_weights import note_weight_change, weight_step_between

    if not is_loss_component(c.name):
        return False
    ws = weight_step_between(run, *c.span)
    if ws is None:
        return False
    note_weight_change(run, c.name, f"{unit(c)}s {fmt(c.span[0])}-{fmt(c.span[1])}", ws, "no-learning",
                       how="is one term of a sum whose weight moved over")
    return True


def loss_not_recorded(run: Run, c: Curve) -> bool:
    """A loss identical to the last bit at every point (0.0 in every row, typically) beside a task
    metric that climbs clearly: the column is a placeholder the logger never filled. An average over
    batches of a model that changes wanders in its last digits, and a model that does not change
    cannot raise its metric, so the flat loss is not evidence that nothing was learned. The metric
    must gain 10 points or more of a 0-1 scale (first points to last quarter) with a rising trend
    significant at 1%."""
    if c.n < MIN_POINTS or float(np.ptp(c.y)) != 0.0:
        return False
    for m, y in bounded_metric_curves(run, (Role.VAL_METRIC, Role.TRAIN_METRIC), MIN_VAL_POINTS):
        first = float(np.median(y[:max(1, min(3, m.n // 8))]))
        last = float(np.median(y[-max(1, m.n // 4):]))
        if last - first >= 0.1 and m.trend.rising(0.01, 0.0):
            return True
    return False


def _frozen_start_finding(fz: dict):
    """``no-learning`` for a run whose losses agree to the digit from the first evaluation."""
    train = (f" and {fz['train_series']} stays at {fmt(fz['train_level'])} (it moves by "
             f"{fz['train_relative_range']:.1e} of its level)" if fz["train_series"] else "")
    return make("no-learning", f"{fz['series']} is exactly {fz['level']:.6g} at all {fz['of']} evaluations{train}: "
                "the weights never changed",
                series=[n for n in (fz["series"], fz["train_series"]) if n], steps=[fz["since"], fz["end"]],
                evidence={k: v for k, v in fz.items() if k not in ("series", "train_series", "unit")},
                causes=["the optimiser never steps the model: it was given no or another model's parameters, the "
                        "parameters are frozen (requires_grad=False, trainable=False), or the learning rate is 0",
                        "the loss does not depend on the parameters (detached from the graph, computed on "
                        "constants)"],
                fixes=["check that parameters change between two steps", "print the learning rate actually used "
                       "at step 1", "check which parameters the optimiser holds and that they require gradients"],
                marks=[Mark("span", fz["series"], fz["since"], fz["end"], label="frozen")])


def _flat_but_too_high(run: Run, c: Curve | None = None) -> tuple[str, str, dict] | None:
    """(cause, fix, evidence) for a flat training loss that a rate too low cannot explain: every
    prediction certain and wrong (saturated outputs), or steps too large, a loss that rose, or one
    held far above ln C. Shared by no-learning and stuck-at-chance so both name the same cause."""
    c = c if c is not None else loss_curve(run, Role.TRAIN_LOSS)
    if c is None:
        return None
    certain = _certain_predictions(run, c)
    if certain is not None:
        return (f"the outputs are saturated: {certain}. Inputs on a large scale (not normalised) or a learning rate "
                f"far too high blew up the logits", "standardise the inputs (mean 0, std 1 per feature); if it "
                "persists, lower the learning rate 10x", {"saturated_outputs": certain})
    high = _too_high_for_flat(run, c)
    if high is not None:
        return (f"the learning rate is too high: {high}", "lower the learning rate 10-100x, then bisect; add "
                "gradient clipping", {"lr_too_high_because": high})
    return None


CLIP_LOSS = -math.log(1e-7)  # Keras' cross-entropy clips probabilities to [1e-7, 1 - 1e-7]: 16.12 per miss


def _certain_predictions(run: Run, c: Curve) -> str | None:
    """A cross-entropy equal to (1 - accuracy) x 16.12 at the same evaluations (within 2%, over the
    second half): every prediction is certain, every miss costs the clipped maximum -ln(1e-7). The
    outputs are saturated one-hots, which steps far too large produce (the logits blown up)."""
    for s in run.by_role(Role.TRAIN_METRIC):
        if s.metric != "accuracy":
            continue
        mc = curve(s)
        y, _ = normalised_metric(mc)
        if mc.n < MIN_VAL_POINTS or not np.all((y >= 0) & (y < 1)):
            continue
        at = np.interp(mc.x, c.x, c.y)
        want = (1.0 - y) * CLIP_LOSS
        half = slice(mc.n // 2, None)
        if np.all(np.abs(at[half] - want[half]) <= 0.02 * want[half]):
            return (f"{c.name} equals (1 - {s.name}) x 16.12 at every later evaluation ({fmt(float(at[-1]))} at "
                    f"{s.name} {y[-1]:.3g}): every prediction is certain and every miss costs the clipped "
                    f"maximum -ln(1e-7)")
    return None


def _too_high_for_flat(run: Run, c: Curve) -> str | None:
    """Why a flat loss points at a rate too high rather than too low: the watcher measured steps of
    10%+ of the weights' size, or the loss rose 20%+ over the run, or it sits far above the chance
    level ln C (confidently wrong, saturated outputs), where a fresh model starts and a slow one stays."""
    from .internals import update_ratio

    high = [f for f in update_ratio(run) if f.evidence.get("subject") == "high"]
    if high:
        worst = max(high[0].evidence["layers"].values())
        return f"each step moved the weights by {worst:.2g} of their size (a healthy step is ~1e-3)"
    if c.head > 0 and c.tail >= 1.2 * c.head:
        return f"{c.name} rose {fmt(c.head)} -> {fmt(c.tail)}, which a rate too small cannot do"
    cc = inferred_classes(run, c) if cross_entropy_like(run) else None
    if cc is not None:
        ln = cc.chance_loss
        if c.tail > ln + max(1.0, min(0.5 * ln, 3.0)):
            return (f"{c.name} sits at {fmt(c.tail)}, far above a uniform guess ln({cc.n}) = {fmt(ln)}: the outputs "
                    f"are confidently wrong (saturated)")
    return None


def late_start_of(c: Curve) -> dict | None:
    """A long flat start, then a fast drop. Judged on a heavily smoothed curve and at the quarter
    and three-quarter marks of the total drop, so per-step noise on the flat part (tanh/sigmoid
    nets wander there) neither ends the flat start early nor hides the drop."""
    nb = c.yb.size
    if nb < 10:
        return None
    # A per-evaluation curve (under 60 points) is one point per evaluation: three evaluations at
    # the starting level are a flat start a person sees, however long the run goes on after it.
    per_eval = c.n < 60
    if nb >= 30 and not per_eval:
        yb = rolling_median(c.yb, max(5, (nb // 15) | 1))
    else:
        # On a short per-epoch curve the first evaluation is its own level: smoothing must not turn
        # a fast first fall (1.45 -> 0.42 -> 0.32 -> 0.11) into a flat start at 0.42.
        yb = c.smooth.copy()
        yb[0] = c.yb[0]
    head = float(np.median(yb[: max(2, nb // 20)]))
    tail = float(np.median(yb[-max(2, nb // 10):]))
    total = head - tail
    if total <= 0 or rel(tail, head) > -0.25:
        return None
    below25 = yb <= head - 0.25 * total
    below75 = yb <= head - 0.75 * total
    if not below25.any() or not below75.any():
        return None
    i25, i75 = int(np.argmax(below25)), int(np.argmax(below75))
    x0, x1 = c.span
    flat_len = c.xb[i25] - x0
    if i25 < 3 or flat_len < (0.05 if per_eval else 0.2) * (x1 - x0):
        return None
    # The flat part is flat: its first and last tenths (of the flat span) sit at the same level.
    flat = c.xb < c.xb[i25]
    fy = yb[flat]
    k = max(1, fy.size // 10)
    # (an empty flat part has nothing to compare: it passes, as before, without numpy's warning)
    if fy.size and abs(float(np.median(fy[:k])) - float(np.median(fy[-k:]))) > 0.25 * total:
        return None
    # ... and 70% of the way along it too (clear of the drop's shoulder, which smoothing spreads
    # back): a curve falling steadily from its first point has lost ~0.7 of the quarter there
    # (0.175 of the drop), a plateau next to nothing. That is a start, not a wait.
    m = fy.size
    if m >= 4 and float(np.median(fy[:k])) - float(np.median(fy[int(0.6 * m):max(int(0.8 * m), int(0.6 * m) + 1)])) \
            > 0.12 * total:
        return None
    # A few evaluations are judged raw: a spike among them (0.83, 1.36, 0.75, then down) is no
    # plateau, so their whole spread must stay under a third of the drop that follows.
    if per_eval and float(np.ptp(c.yb[flat])) > total / 3.0:
        return None
    # ... and not a descent already under way: raw evaluations that fall at every step, by more than
    # the tenth of the drop a wait may wander (2.92 -> 2.73 -> 2.52, then 1.72: a warm-up ramp),
    # were learning from the first point (too few of them for the 70% test above).
    raw = c.yb[flat]
    if per_eval and raw.size >= 2 and np.all(np.diff(raw) < 0) and float(raw[0] - raw[-1]) > 0.1 * total:
        return None
    if c.xb[i75] - c.xb[i25] > max(flat_len, 0.1 * (x1 - x0)):  # the drop is quicker than the wait
        return None
    return {"flat_until": float(c.xb[i25]), "flat_level": head, "drop_to": tail,
            "flat_share": round(flat_len / (x1 - x0), 3), "drop_steps": float(c.xb[i75] - c.xb[i25])}


def _agent_late_start(run: Run):
    """An agent's score per episode (its return, mean reward) that sat flat for a long start and then
    climbed: ``late_start_of`` on the score turned upside down (the range added, so the mirrored curve
    stays positive and a climb across the whole range is a fall to half its start). The losses of an
    agent chase moving targets and say nothing of this; its score is what a person reads. Judged on
    MIN_RL_POINTS or more (fewer cannot tell a wait from the episodes' own noise), and the wait must be
    long: a fifth of the run or more, as for any curve logged often (a score climbing from its first
    few points has no flat start to speak of)."""
    for name in agent_scores(run):
        s = run.series[name]
        c = curve(s)
        if c.n < MIN_RL_POINTS or not np.all(np.isfinite(c.y)):
            continue
        lo, hi = float(np.min(c.y)), float(np.max(c.y))
        if hi <= lo:
            continue
        mirrored = curve(Series.named(name, c.x, (hi - c.y) + (hi - lo), axis=s.axis))
        ls = late_start_of(mirrored)
        if ls is None or ls["flat_share"] < 0.2:
            continue
        level = hi + (hi - lo) - ls["flat_level"]
        ev = {**ls, "flat_level": level, "rise_to": hi + (hi - lo) - ls["drop_to"]}
        ev.pop("drop_to", None)
        u = unit(c)
        f = make("late-start", f"{name} stayed flat near {fmt(level)} until {u} {fmt(ls['flat_until'])} "
                 f"({ls['flat_share']:.0%} of the run), then climbed to {fmt(ev['rise_to'])}", series=[name],
                 steps=[c.span[0], ls["flat_until"]], evidence=ev,
                 causes=["often normal for value-based agents: the score is measured while exploring at random, "
                         "and rises once exploration decays", "a sparse reward found late",
                         "a replay buffer or target network that takes long to fill or settle"],
                 fixes=["nothing, if the score then holds", "to shorten the wait: decay exploration sooner, "
                        "shape the reward, start learning from a smaller filled buffer"],
                 marks=[Mark("span", name, c.span[0], ls["flat_until"], label="flat start")])
        f.verdict = "worth a look"
        f.verdict_reason = "usually normal for an exploring agent, but a long wait costs episodes"
        return f
    return None


@rule("late-start", family="progress", severity=Severity.INFO, title="A long flat start, then a sudden drop")
def late_start(run: Run):
    c = loss_curve(run, Role.TRAIN_LOSS, 10)
    ls = late_start_of(c) if c is not None else None
    if ls is None and scores_an_agent(run):
        from .agent_returns import late_climb_finding

        f = _agent_late_start(run) or late_climb_finding(run)
        if f is not None:
            yield f
            return
    if ls is None:
        from .val_lag import metric_late_start_of, plateau_escape_of, val_late_start_of, val_only_late_start_of

        vl = val_late_start_of(run)
        ml = metric_late_start_of(run) if vl is None else None
        vo = val_only_late_start_of(run) if vl is None and ml is None else None
        if vl is not None:
            yield _val_late_start_finding(run, vl)
        elif ml is not None:
            yield _metric_late_start_finding(ml)
        elif vo is not None:
            yield _val_only_late_start_finding(run, vo)
        else:
            pc = c or loss_curve(run, Role.VAL_LOSS, 10)
            pe = plateau_escape_of(pc) if pc is not None else None
            if pe is not None:
                yield _plateau_escape_finding(pc, pe)
            else:
                from .chance_start import chance_start_finding, chance_start_of

                cs = chance_start_of(run)
                if cs is not None:
                    yield chance_start_finding(cs)
        return
    u = unit(c)
    f = make("late-start", f"{c.name} stayed flat near {fmt(ls['flat_level'])} until {u} {fmt(ls['flat_until'])} "
               f"({ls['flat_share']:.0%} of the run), then dropped", series=[c.name],
               steps=[c.span[0], ls["flat_until"]], evidence=ls,
               causes=["often normal: the optimiser crosses a flat region before finding a descent direction",
                       "learning-rate warm-up", "saturated sigmoid/tanh units or a small random initialisation "
                       "lengthen the flat start"],
               fixes=["nothing, if it happens once and the run then learns", "to shorten it: He/Xavier "
                      "initialisation, ReLU instead of sigmoid, batch normalisation, a slightly higher LR"],
               marks=[Mark("span", c.name, c.span[0], ls["flat_until"], label="flat start")])
    f.verdict = "worth a look"
    f.verdict_reason = ("usually normal once the run learns, but a long flat start can mean saturated units or a "
                        "poor initialisation: check those")
    yield f


def _val_late_start_finding(run: Run, vl: dict):
    v = curve(run.primary(Role.VAL_LOSS))
    u = unit(v)
    last_flat = float(v.x[vl["evaluations_waiting"] - 1])
    f = make("late-start", f"{v.name} made no progress for its first {vl['evaluations_waiting']} evaluations (near "
             f"{fmt(vl['flat_level'])} to {u} {fmt(last_flat)}) while {vl['train_series']} fell "
             f"{fmt(vl['train_start'])} -> {fmt(vl['train_at_wait_end'])}; then it dropped to {fmt(vl['drop_to'])}",
             series=[v.name, vl["train_series"]], steps=[v.span[0], last_flat], evidence=vl,
             causes=["often harmless: the model fits the training set first and generalisation follows later",
                     "batch-norm running statistics still settling (small batches, a high momentum), so eval mode "
                     "differs from train mode for the first epochs",
                     "a learning rate high enough that the weights only settle after some epochs",
                     "a validation set pre-processed differently from the training set (scaling, resizing)"],
             fixes=["nothing, if the validation loss then falls with the training loss",
                    "compare the pre-processing of the training and validation inputs",
                    "to shorten the wait: a lower or warmed-up learning rate, a larger batch for batch norm"],
             marks=[Mark("span", v.name, v.span[0], last_flat, label="validation waits")])
    f.verdict = "worth a look"
    f.verdict_reason = ("the training loss halved while the held-out loss did not move: usually generalisation "
                        "catching up late, but eval-mode statistics or a pre-processing mismatch look the same")
    return f


def _val_only_late_start_finding(run: Run, vo: dict):
    v = curve(run.primary(Role.VAL_LOSS))
    last_flat = float(v.x[vo["evaluations_waiting"] - 1])
    f = make("late-start", f"{v.name} made no progress for its first {vo['evaluations_waiting']} evaluations (near "
             f"{fmt(vo['flat_level'])} to {unit(v)} {fmt(last_flat)}), then dropped to {fmt(vo['drop_to'])}",
             series=[v.name], steps=[v.span[0], last_flat], evidence=vo,
             causes=["often normal: the optimiser crosses a flat region before finding a descent direction",
                     "learning-rate warm-up", "saturated units or a small random initialisation lengthen the wait",
                     "no training loss in this log: it cannot say whether training moved meanwhile"],
             fixes=["nothing, if it happens once and the run then learns", "log the training loss beside it"],
             marks=[Mark("span", v.name, v.span[0], last_flat, label="flat start")])
    f.verdict = "worth a look"
    f.verdict_reason = "usually normal once the run learns; a long wait can mean saturated units or a poor initialisation"
    return f


def _plateau_escape_finding(c: Curve, pe: dict):
    u = unit(c)
    f = make("late-start", f"{c.name} sat flat near {fmt(pe['flat_level'])} from {u} {fmt(pe['flat_from'])} to "
             f"{fmt(pe['flat_until'])} ({pe['flat_share']:.0%} of the run), then fell {pe['flat_level'] / pe['drop_to']:.3g}x "
             f"to {fmt(pe['drop_to'])}",
             series=[c.name], steps=[pe["flat_from"], pe["flat_until"]], evidence=pe,
             causes=["often normal: a saddle the optimiser crossed late (a model that first learns the mean of the "
                     "targets, then their structure)", "a learning rate too low to leave the plateau sooner",
                     "saturated units or a small initialisation lengthen such plateaus"],
             fixes=["nothing, if the run then learns", "to shorten it: a slightly higher learning rate, normalised "
                    "targets and inputs, batch normalisation"],
             marks=[Mark("span", c.name, pe["flat_from"], pe["flat_until"], label="plateau")])
    f.verdict = "worth a look"
    f.verdict_reason = "the run escaped its plateau and learned: compute was spent waiting, nothing is broken"
    return f


def _metric_late_start_finding(ml: dict):
    f = make("late-start", f"{', '.join(ml['metrics_at_floor'])} stayed at 0 (1% or less) for the first "
             f"{ml['evaluations_waiting']} of {ml['of']} evaluations while {ml['train_series']} fell "
             f"{fmt(ml['train_start'])} -> {fmt(ml['train_at_wait_end'])}; then {ml['best_metric']} rose to "
             f"{ml['best_after']:.3g}", series=[ml["series"], ml["train_series"]],
             steps=[ml["flat_until"]], evidence=ml,
             causes=["often harmless: a detector finds no box above the confidence threshold until its "
                     "scores have grown (a small data set, a low learning rate or a long warm-up lengthen this)",
                     "anchors or image size poorly matched to the objects, so matching starts late",
                     "a validation set pre-processed differently from the training set"],
             fixes=["nothing, if the metric then climbs and holds", "check a few predictions and the labels' "
                    "format on the validation images", "pretrained weights, or anchors fitted to the data set, "
                    "shorten the wait"])
    f.verdict = "worth a look"
    f.verdict_reason = ("the training loss fell while the task metric found nothing: usually a late start, but a "
                        "mismatch between training and validation data looks the same until the metric moves")
    return f


def inferred_classes(run: Run, c: Curve) -> ClassCount | None:
    """The class count from the log, else inferred from sound evidence in the curves: the loss
    later sitting quietly at ln(C) (a stuck run shows its chance level), or an accuracy sitting flat
    at 1/C while the loss sits at ln(C). Never for losses that are not classification cross-entropies."""
    cc = chance(run)
    if cc is not None or not cross_entropy_like(run):
        return cc
    for role in (Role.VAL_METRIC, Role.TRAIN_METRIC):
        for s in run.by_role(role):
            if s.metric != "accuracy":
                continue
            mc = curve(s)
            if mc.n < MIN_VAL_POINTS:
                continue
            y, _ = normalised_metric(mc)
            tail = y[y.size // 2:]
            acc = float(np.median(tail))
            if acc <= 0:
                continue
            # Accuracy at 1/k alone is ambiguous (a 10-class model plateaued at 50%); with the loss
            # sitting at ln(k) as well, the model predicts the prior over k classes. Neighbouring
            # counts (1/9 vs 1/10) are told apart by the loss, which is far more precise than an
            # accuracy measured on a few hundred samples.
            loss_tail = float(np.median(c.y[-max(3, c.n // 4):]))
            # A collapsed model predicts its most frequent class, so its accuracy is that class's
            # share (0.115 on a 10-class validation set), not exactly 1/k: the tolerance is loose.
            fits = [k for k in range(2, 21) if abs(acc - 1.0 / k) <= max(0.1 / k, _flat_accuracy_band(k) / 2)
                    and abs(loss_tail - math.log(k)) <= 0.1 * math.log(k)
                    and _spread(tail) <= _flat_accuracy_band(k)
                    # never far below 1/k: a model that climbed from 0.2 to 0.5 is learning 5 classes,
                    # not predicting the prior of 2
                    and float(np.percentile(y, 10)) >= 1.0 / k - 2 * _flat_accuracy_band(k)]
            # An untrained classifier's first loss sits at or just above ln C (random logits are not
            # exactly uniform), never clearly below it: a count whose ln C is above where a loss
            # began (a validation loss starting at 2.350 < ln 11 = 2.398) is out, when any other fits.
            begun = [k for k in fits if math.log(k) <= 1.005 * _first_loss(run, c)]
            fits = begun or fits
            if fits:
                # A quiet loss pins the count (a prior over k classes gives exactly ln k); a loss
                # still thrashing (a too-high LR overshoots the prior) does not, the accuracy does.
                quiet = noise_sigma(c.y[-max(3, c.n // 4):]) <= 0.01 * abs(loss_tail)
                by_loss = min(fits, key=lambda n: abs(loss_tail - math.log(n)) / math.log(n))
                by_acc = min(fits, key=lambda n: abs(acc - 1.0 / n))
                # Neighbouring counts (1/10 vs 1/11: 0.009 apart) are within an accuracy's own noise.
                # An untrained classifier's loss sits at or a little above ln C (random logits are not
                # exactly uniform), never below it: of the two, the count whose ln C the loss is above.
                close = abs(abs(acc - 1.0 / by_acc) - abs(acc - 1.0 / by_loss)) < _flat_accuracy_band(by_acc) / 2
                # A quiet loss between two ln k is an untrained model's, not a prior's: the same holds.
                # When the loss sits above both (a too-high rate overshooting the prior), it tells
                # nothing: the accuracy decides, as before.
                under = [n for n in {by_acc, by_loss} if math.log(n) <= 1.005 * loss_tail]
                k = under[0] if (quiet or close) and len(under) == 1 else by_loss if quiet else by_acc
                return ClassCount(k, f"{s.name} sits at {acc:.3g} ~ 1/{k} (no class count in the log: inferred)",
                                  guessed=True)
    pinned = _classes_from_pinned_accuracy(run)
    if pinned is not None:
        return pinned
    started = _classes_from_start(run)
    if started is not None:
        return started
    half = c.y[c.n // 2:]
    if half.size >= 50 and c.series.axis != "epoch":
        level = float(np.median(half))
        m = match_chance(level)
        # A model predicting the prior gives (nearly) the same loss on every batch: quiet, where a
        # learning model's per-batch loss jitters by a few percent. Per-epoch means are quiet
        # anyway, so a healthy plateau near ln(C) by coincidence would pass: per-step curves only.
        if m is not None and noise_sigma(half) <= 0.005 * level:
            return ClassCount(m.n, f"the loss later sits at {level:.4g} ~ ln({m.n}) (no class count in the log: "
                              "inferred)", guessed=True)
    return None


def _first_loss(run: Run, c: Curve) -> float:
    """The lowest first value of the training and validation losses: where a fresh model began."""
    firsts = [float(c.y[0])] if c.n else []
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    if v is not None and v.n:
        firsts.append(float(v.y[0]))
    firsts = [f for f in firsts if math.isfinite(f) and f > 0]
    return min(firsts) if firsts else math.inf


_BINARY_NAME = re.compile(r"(^|[^a-z])(binary|auc|roc)([^a-z]|$)")


def _binary(run: Run, cc: ClassCount | None) -> bool:
    """The task has two classes: the count says so, a series is named for a binary metric (Keras'
    ``binary_accuracy``, an ROC AUC), or a loss started at ln 2 (within 5%), where a binary
    cross-entropy starts. A p / 1 - p accuracy means one class for all only on two classes: on
    sixteen validation items of ten classes 3/16 and 13/16 are two ordinary scores."""
    if cc is not None:
        return cc.n == 2
    if any(_BINARY_NAME.search(n.lower()) for n in run.names()):
        return True
    return any(curve(s).n and abs(float(curve(s).y[0]) - math.log(2)) <= 0.05 * math.log(2)
               for r in (Role.TRAIN_LOSS, Role.VAL_LOSS) for s in run.by_role(r))


def _classes_from_start(run: Run) -> ClassCount | None:
    """C from a training loss and a validation loss that both begin at ln C, tightly (15% of the gap
    to ln(C +- 1), 0.5%): a fresh classifier predicts the prior, so two independent curves starting
    on the same ln C name the class count (Hugging Face's trainer_state.json logs no class count)."""
    t, v = loss_curve(run, Role.TRAIN_LOSS), loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    if t is None or v is None:
        return None
    a, b = match_chance_tight(float(t.y[0])), match_chance_tight(float(v.y[0]))
    if a is None or b is None or a.n != b.n:
        return None
    return ClassCount(a.n, f"{t.name} and {v.name} both start at ln({a.n}) = {math.log(a.n):.4g} ({float(t.y[0]):.4g}, "
                      f"{float(v.y[0]):.4g}; no class count in the log: inferred)", guessed=True)


def _one_class_throughout(y: np.ndarray) -> int | None:
    """How often an accuracy repeats its first value exactly, when it does so at 5+ evaluations and
    two thirds of them, never beats it, and it is low (under 0.6): the model gives every item one
    class from the first evaluation on (the value is that class's share); the few other values are
    other one-class shares or no better. A learning model's accuracy moves off its first value."""
    if y.size < MIN_VAL_POINTS + 1:
        return None
    v = float(y[0])
    k = int(np.sum(y == v))
    if k < max(MIN_VAL_POINTS, math.ceil(2 * y.size / 3)) or float(np.max(y)) > v or not 0.0 < v < 0.6:
        return None
    return k


def _fell_then_pinned(y: np.ndarray) -> dict | None:
    """An accuracy that fell from a clearly better value (0.1 or more above) to one it then repeats
    exactly at every later evaluation, 5 or more and half the run at least, below 0.6: the model
    collapsed to giving every item one class (the value is that class's share). A learning model's
    accuracy moves between evaluations; one that repeats a high value has converged, not collapsed."""
    pin = pinned_tail(y, MIN_VAL_POINTS)
    if pin is None:
        return None
    level, count = pin
    before = y[: y.size - count]
    if count < y.size / 2 or not before.size or not 0.0 < level < 0.6:
        return None
    best = float(np.nanmax(before))
    if best < level + 0.1:
        return None
    return {"level": level, "pinned_evaluations": count, "before_best": best}


def _classes_from_pinned_accuracy(run: Run) -> ClassCount | None:
    """C from an accuracy repeating 1/C exactly at its last 5+ evaluations, confirmed by a loss of
    the run that started or ended at ln C (within 3%, and nearer ln C than ln(C +- 1) by far).

    The two readings are independent: a repeated accuracy is a model giving every item one class
    (``stats.pinned``), and a classifier's cross-entropy is ln C when it predicts the prior, which
    is where a fresh one starts. Either alone is weak (1/C is also a plain low score, ln C a healthy
    start); together they say the model sits at the prior over C classes, and its training loss may
    fall meanwhile (memorising the training set while predicting one class on the validation set)."""
    losses = [curve(s) for r in (Role.TRAIN_LOSS, Role.VAL_LOSS) for s in run.by_role(r)]
    levels = [float(v) for lc in losses if lc.n >= 1 for v in (lc.y[0], lc.tail) if math.isfinite(float(v))]
    for role in (Role.VAL_METRIC, Role.TRAIN_METRIC):
        for s in run.by_role(role):
            if s.metric != "accuracy":
                continue
            mc = curve(s)
            y, _ = normalised_metric(mc)
            pin = pinned_tail(y, MIN_VAL_POINTS)
            if pin is None or not 0.0 < pin[0] <= 0.5:
                continue
            k = int(round(1.0 / pin[0]))
            if not 2 <= k <= 1000 or abs(pin[0] - 1.0 / k) > max(0.1 / k, _flat_accuracy_band(k) / 2):
                continue
            # The loss must name k alone: within a quarter of the gap to ln(k - 1) and ln(k + 1) (and
            # 3%). Above a few classes 3% spans neighbours (ln 9 = 2.197, ln 10 = 2.303), and a
            # majority share of 0.11 on ten classes would be read as nine.
            gap = min(math.log(k + 1) - math.log(k), math.log(k) - math.log(k - 1) if k > 2 else math.inf)
            tol = min(0.03 * math.log(k), 0.25 * gap)
            hit = [v for v in levels if abs(v - math.log(k)) <= tol]
            if hit:
                return ClassCount(k, f"{s.name} repeats {pin[0]:.4g} ~ 1/{k} at its last {pin[1]} evaluations and a "
                                  f"loss sits at {hit[0]:.4g} ~ ln({k}) (no class count in the log: inferred)",
                                  guessed=True)
    return None


@rule("high-initial-loss", family="progress", severity=Severity.WARNING,
      title="The first loss is far above chance level", needs=(Role.TRAIN_LOSS,))
def high_initial_loss(run: Run):
    s = run.primary(Role.TRAIN_LOSS)
    if s is None or curve(s).n < 2:
        return
    cc: ClassCount | None = inferred_classes(run, curve(s)) if curve(s).n >= 3 else chance(run)
    if cc is None:
        from .off_scale_start import off_scale_start_finding
        from .saturated_start import saturated_start_finding, saturated_start_of

        ss = saturated_start_of(run)
        if ss is not None:
            yield saturated_start_finding(ss)
            return
        f = off_scale_start_finding(run, curve(s))  # no ln(C): bounds the format or the run itself gives
        if f is not None:
            yield f
        return
    if curve(s).n < 3:
        return
    st = stuck_of(run)
    if st is not None and (_early_peak_above_chance(run, st) or {}).get("rose"):
        return  # not the initial loss: it rose there; stuck-at-chance names the peak and the LR
    c = curve(s)
    # A per-batch curve's first loss is the median of its first 1% (3 to 50 points): one noisy batch is not
    # "the first loss". A per-epoch point is already a mean over an epoch of batches: the first one is it.
    first = float(c.y[0]) if c.series.axis == "epoch" else c.head
    ln = cc.chance_loss
    limit = ln + max(1.0, min(0.5 * ln, 3.0))
    if first <= limit:
        return
    if float(c.y[0]) <= limit:
        return  # the very first loss was fine and the next ones rose: the updates did that, not the start
    terms = summed_terms(run, s)
    if terms > 1 and float(c.y[0]) <= terms * limit:
        return  # a sum of k logged terms, each a fresh head's ln C at the start: k times the reference
    from .bounded_logits import scaled_rows

    scale = scaled_rows(run)
    if scale is not None:
        # A cosine head with its scale: every logit row has length s, so the first loss is set by s
        # and the random angles at the start, not by the initialisation the fixes below would change.
        yield make("high-initial-loss", f"{c.name} starts at {fmt(first)}, above chance ln({cc.n}) = {fmt(ln)}: the "
                   f"logit rows all have length {fmt(scale)} (a normalised head times a scale)",
                   severity=Severity.INFO, series=[c.name], steps=[float(c.x[0]), float(c.x[min(2, c.n - 1)])],
                   evidence={"first_loss": first, "chance_loss": ln, "classes": cc.n, "row_length": scale},
                   causes=[f"a cosine head's scale s = {fmt(scale)} turns the random angles at the start into "
                           "confident logits: expected, and gone once the classes separate"],
                   fixes=["nothing, if the loss falls below chance within the first steps; a smaller scale, or one "
                          "warmed up, if the early steps matter"])
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
