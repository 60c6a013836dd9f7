"""Generalisation: the five readings of train vs. validation loss.

both fall -> nothing; train falls, validation turns up -> overfitting; train flat,
validation falls -> val-without-train; both flat -> stalled; both rise -> both-rising.
"""

from __future__ import annotations

import re

import numpy as np

from ..findings import Mark, Severity
from ..run import Role, Run
from ..stats.core import jitter_sigma
from ..stats import bin_median, mann_kendall, overfit_onset, projected_improvement, trend
from ..stats.earlystop import rank_turn, rise_after_best, stopped_after_turn
from ..stats.exact import fall_p
from ..stats.late_level import late_above_best, risen
from ..stats.per_eval import denser, levels_at, levels_since
from ..stats.worse_than_before import worse_than_before
from ._common import _ADVERSARIAL as _ADVERSARIAL_NAME, BOUNDED01, bounded_metric_curves, MIN_POINTS, MIN_VAL_POINTS, adversarial, curve, end_now, normalised_metric, flat_from_start, slow_fall, warming_up, Curve, chance, fmt, loss_curve, make, rel, rising_after_min, unit
from .ended_above_best import ended_above_best_note, training_fell_since
from .few_evals_overfit import P_MAX, few_evals_overfitting
from .registry import rule

_BOTH = (Role.TRAIN_LOSS, Role.VAL_LOSS)


def _pair(run: Run) -> tuple[Curve, Curve] | None:
    t = loss_curve(run, Role.TRAIN_LOSS)
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    return (t, v) if t is not None and v is not None else None


def val_falls(v: Curve) -> bool:
    """A significant falling trend, or a large drop standing far clear of the curve's noise
    (a fast early fall then a flat tail is weak evidence for Mann-Kendall, strong for the eye)."""
    drop = v.head - v.tail
    return v.trend.falling(0.01, 0.1) or (-rel(v.tail, v.head) >= 0.2 and drop > 5.0 * jitter_sigma(v.y))


# The two sides of a trade-off: where a run logs both, its confidence threshold (or calibration) moves
# them against each other, precision falling where recall rises, so either alone getting worse says
# nothing about held-out quality (a detector finding more boxes early in training loses precision
# while its mAP climbs). Logged alone (a recommender's precision@k at a fixed k), it is the quality measure.
_TRADE_OFF = ("precision", "recall")


def val_metric_as_error(run: Run) -> tuple[Curve, np.ndarray, np.ndarray, bool] | None:
    """Without a validation loss, a validation metric judged as an error to minimise: 1 - accuracy
    (on the 0-1 scale) for a bounded higher-is-better metric, the metric itself when lower is
    better. Precision and recall are not judged alone where the run logs both (``_TRADE_OFF``).
    Returns (curve, x, error, higher_is_better)."""
    vals = run.by_role(Role.VAL_METRIC)
    both_sides = all(any(s.metric == m for s in vals) for m in _TRADE_OFF)
    for s in vals:
        if s.higher_is_better is None or s.metric in ("perplexity",) or (both_sides and s.metric in _TRADE_OFF):
            continue
        c = curve(s)
        if c.n < MIN_VAL_POINTS:
            continue
        if s.higher_is_better:
            if s.metric not in BOUNDED01:
                continue
            y01, _ = normalised_metric(c)
            if float(np.max(y01)) > 1.0 or float(np.min(y01)) < 0.0:
                continue
            err = 1.0 - y01
        else:
            err = c.y
        if np.all(err > 0):
            return c, c.x, err, bool(s.higher_is_better)
    return None


@rule("overfitting", family="generalization", severity=Severity.WARNING,
      title="Validation loss passed its minimum and rises while training loss falls",
      needs=())
def overfitting(run: Run):
    found = list(_loss_turn_overfitting(run))
    if not found:
        found = _gap_overfitting(run)
    if not found:
        from .gave_back import gave_back_overfitting

        f = gave_back_overfitting(run, _OVERFIT_CAUSES, _overfit_fixes)
        found = [f] if f is not None else []
    if not found:
        from .overfit_score import score_overfitting

        f = score_overfitting(run, _OVERFIT_CAUSES, _overfit_fixes)
        found = [f] if f is not None else []
    if not found:
        f = ended_above_best_note(run, _overfit_fixes)  # info: the verdict must not say healthy
        found = [f] if f is not None else []
    never = _never_below_chance(run) if found else None
    for f in found:
        if never is not None:
            # Memorising from the first evaluation on, never generalising at all: capacity and
            # early stopping are not the story; labels that do not follow the inputs are.
            f.evidence.update(never)
            ref = (f"about ln({never['classes']}) = {fmt(never['chance_loss'])}, a uniform guess" if "classes" in never
                   else f"about where it and {never['train_series']} started ({fmt(never['val_start'])})")
            f.causes = [f"{never['val_series']} never got below {fmt(never['val_best'])}, {ref}: nothing learned "
                        f"carried to held-out rows. "
                        f"The model memorised training labels that do not follow from their inputs (shuffled or "
                        f"sorted apart from them, a wrong label column or mapping), or validation is prepared "
                        f"differently"] + f.causes
            f.fixes = ["check a few (input, label) pairs by eye, in training and validation; shuffle inputs and "
                       "labels together (one index, or a Dataset that returns both)"] + f.fixes
        yield f


def _never_below_chance(run: Run) -> dict | None:
    """A cross-entropy validation loss whose best is still about ln(C) (within 5%) while the
    training loss went well below it: the run never generalised anything."""
    from ._common import cross_entropy_like

    from .progress import inferred_classes

    v, t = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS), loss_curve(run, Role.TRAIN_LOSS)
    if v is None or t is None or not cross_entropy_like(run):
        return None
    cc = inferred_classes(run, t)  # the log's count, else one the curves show (both starting at ln C)
    if cc is None or cc.n < 2:
        return _never_below_start(v, t)
    ln = cc.chance_loss
    best = float(np.min(v.y))
    # Training well below ln C; or below it while validation ends clearly worse than a uniform guess
    # (what the model picked up on training rows makes held-out rows worse: memorised labels).
    if best < 0.95 * ln or not (t.tail <= 0.8 * ln or (t.tail < ln and float(v.y[-1]) >= 1.05 * ln)):
        return None
    return {"val_series": v.name, "val_best": best, "chance_loss": ln, "classes": cc.n}


def _never_below_start(v: Curve, t: Curve) -> dict | None:
    """Without a class count: training and validation losses that start level (within 2%: at the
    first evaluation nothing had generalised either), a validation loss never 3% below that start
    and ending 5% above it, while training fell below 80% of it. A model that learns real signal
    improves validation before it overfits; this one only memorised."""
    start = float(v.y[0])
    if start <= 0 or abs(float(t.y[0]) - start) > 0.02 * start:
        return None
    best = float(np.min(v.y))
    if best < 0.97 * start or float(v.y[-1]) < 1.05 * start or t.tail > 0.8 * float(t.y[0]):
        return None
    return {"val_series": v.name, "val_best": best, "val_start": start, "train_series": t.name}


def _gap_overfitting(run: Run) -> list:
    """No validation curve turned up, but the accuracies parted: training far above validation
    (``_accuracy_gap``), a gap that opened during the run."""
    from ._accuracy_gap import accuracy_gap

    g = accuracy_gap(run)
    if g is None:
        return []
    u = "epoch" if g["axis"] == "epoch" else "step"
    how = (f"a gap of {g['gap_end']:.2f} that opened during training (it was {g['gap_start']:.2f} at the start)"
           if "loss_ratio_end" not in g else
           f"a gap of {g['gap_end']:.2f} ({g['gap_start']:.2f} over the first evaluations), while {g['val_loss']} "
           f"went from {g['loss_ratio_start']:.3g}x {g['train_loss']} to {g['loss_ratio_end']:.3g}x: the losses parted")
    return [make("overfitting", f"{g['train_metric']} reached {g['train_end']:.3g} while {g['val_metric']} ended at "
                 f"{g['val_end']:.3g}: {how}", series=[g["train_metric"], g["val_metric"]],
                 steps=g["steps"], evidence={k: v for k, v in g.items() if k not in ("steps", "axis")} |
                 {"judged_on": "accuracy gap (training minus validation)"},
                 causes=_OVERFIT_CAUSES, fixes=_overfit_fixes(u, g["val_best_step"]),
                 marks=[Mark("point", g["val_metric"], g["val_best_step"], label="best validation accuracy")])]


def _loss_turn_overfitting(run: Run):
    if adversarial(run):
        yield from _adversarial_turn(run)
        return
    pair = _pair(run)
    if pair is None and not run.by_role(Role.TRAIN_LOSS):
        yield from _val_only_turn(run)
        return
    if pair is None:
        f = few_evals_overfitting(run, _OVERFIT_CAUSES, _overfit_fixes)
        if f is not None:
            yield f
            return
        t = loss_curve(run, Role.TRAIN_LOSS)
        vm = val_metric_as_error(run) if t is not None and loss_curve(run, Role.VAL_LOSS, 1) is None else None
        if vm is None:
            return
        v, x, y, metric_hib = vm
        ov = overfit_onset(x, y)
        if ov is not None:
            yield from _metric_overfitting(run, t, v, ov, metric_hib)
        return
    f = _loss_pair_overfitting(*pair)
    if f is None:
        # A detector or multi-task model logs its loss in parts (box / cls / dfl) and no total: the
        # primary pair is one part, and memorisation often shows in another (classification).
        # A part is a share of the objective, so its rise must also be large on its own plot: it gave
        # back at least a quarter of what it had gained (a late drift of 8% in a detector's
        # objectness loss, beside a flat mAP, is not memorisation).
        for t, v in _component_pairs(run, pair[1]):
            f = _loss_pair_overfitting(t, v, min_giveback=0.25)
            if f is not None:
                break
    if f is None:
        f = few_evals_overfitting(run, _OVERFIT_CAUSES, _overfit_fixes)  # 6-7 evaluations: too few for the turns
    if f is not None:
        yield f


_GENERATOR = re.compile(r"(^|[^a-z])(g|gen|generator)([^a-z]|$)|(?<![a-z])(loss|err)_?g(?![a-z])|(?<![a-z])g_?loss")


def _adversarial_turn(run: Run):
    """A GAN trained with a supervised target (pix2pix, super-resolution): its generator and
    discriminator losses are a game and need not fall, but a held-out reconstruction measure
    (validation L1 / MAE / MSE, or a validation loss) should. That measure passing its best and
    staying 10% or more above it, while the generator's own training loss keeps falling, is the
    generator memorising its training pairs."""
    gens = [curve(s) for s in run.by_role(Role.TRAIN_LOSS) if _GENERATOR.search(s.name.lower())]
    gens = [g for g in gens if g.n >= MIN_POINTS]
    if len(gens) != 1:
        return
    g = gens[0]
    held = [curve(s) for s in run.by_role(Role.VAL_LOSS) if not _ADVERSARIAL_NAME.search(s.name.lower())]
    held = [c for c in held if c.n >= MIN_VAL_POINTS and np.all(c.y > 0)]
    if held:
        v, y = held[0], held[0].y
    else:
        vm = val_metric_as_error(run)
        if vm is None:
            return
        v, _, y, _ = vm
    ov = overfit_onset(v.x, y)
    if ov is None or ov.final_gl < 10.0:
        return
    g_best, g_end = g.at(ov.best_step), g.tail
    if not g_best - g_end > max(2 * g.noise, 0.05 * abs(g_best)):
        return
    u = unit(v)
    yield make("overfitting", f"{v.name} bottomed at {fmt(ov.best_value)} ({u} {fmt(ov.best_step)}) and stayed "
               f"{ov.final_gl:.0f}% above it, while the generator's {g.name} kept falling ({fmt(g_best)} -> "
               f"{fmt(g_end)})", series=[g.name, v.name], steps=[ov.onset_step, v.span[1]],
               evidence={"best_step": ov.best_step, "best_val": ov.best_value, "onset_step": ov.onset_step,
                         "generalization_loss_pct": round(ov.final_gl, 2), "train_at_best": g_best,
                         "train_at_end": g_end, "judged_on": "held-out reconstruction measure of an adversarial run"},
               causes=["the generator memorises its training pairs: too little data for the model",
                       *_OVERFIT_CAUSES[1:]],
               fixes=_overfit_fixes(u, ov.best_step),
               marks=[Mark("line", v.name, ov.onset_step, label="overfitting onset"),
                      Mark("point", v.name, ov.best_step, label="best held-out value")])


def _component_pairs(run: Run, primary_val: Curve) -> list[tuple[Curve, Curve]]:
    """(train, validation) parts of the loss with the same name once the split is dropped
    (``train/cls_loss`` and ``val/cls_loss``), other than the primary validation loss."""
    from ..run.roles import quantity_name

    if adversarial(run):
        return []
    trains = {quantity_name(s.name): s for s in run.by_role(Role.TRAIN_LOSS)}
    out = []
    for s in run.by_role(Role.VAL_LOSS):
        if s.name == primary_val.name:
            continue
        ts = trains.get(quantity_name(s.name))
        if ts is None:
            continue
        t, v = curve(ts), curve(s)
        if t.n >= MIN_POINTS and v.n >= MIN_VAL_POINTS:
            out.append((t, v))
    return out


def _loss_pair_overfitting(t: Curve, v: Curve, min_giveback: float = 0.0):
    """The overfitting finding of one (train, validation) loss pair, or None. ``min_giveback``: the
    share of its fall (start to best) the validation loss must have climbed back by the end."""
    x, y = (v.x, v.y) if v.n <= 2000 else (v.xb, v.yb)
    ov = overfit_onset(x, y)
    stopped = False
    if ov is None:
        # Two independent lines of evidence may stand for one strong one: a rise after the best that
        # is significant at 1% (not 5%) and a training loss that fell by a quarter since that best
        # (the gap widening) need the rise to be only 3 units of the curve's jitter, not 4.
        ov = overfit_onset(x, y, size_sigmas=3.0, trend_p=0.01)
        if ov is not None and not end_now(t) <= 0.75 * t.at(ov.best_step):
            ov = None
    if ov is None and v.n <= 40:
        # Stopped (early stopping) 2-4 evaluations after the turn: too few for a trend test.
        ov, stopped = stopped_after_turn(x, y), True
    if ov is None:
        # 4-12 evaluations whose last ones are the largest, each above the one before: an exact rank
        # test (no noise estimate needed), with training still improving since the best (below).
        ov, stopped = rank_turn(x, y), False
    if ov is None:
        ov, stopped = _short_turn(t, x, y), False
    if ov is None:
        ov, stopped = _floor_turn(t, x, y), True
    if ov is None:
        ov, stopped = _held_turn(t, x, y), False
    if ov is None:
        ov, stopped = _climb_turn(t, x, y), False
    if ov is None:
        ov, stopped = _worse_than_before_turn(t, v, x, y), False
    if ov is None:
        ov, stopped = _drift_turn(t, x, y), False
    if ov is None:
        return None
    # Training must not be rising with it (that is both-rising), and must be low or still falling.
    if rising_after_min(t) is not None:
        return None
    # Practical size: a rise from 0.012 to 0.015 after the loss fell from 2.3 is real but invisible
    # on the run's own scale (a near-perfect model growing slightly over-confident); not a warning.
    scale = max(float(np.max(np.abs(t.y[:3]))), abs(v.head))
    if v.tail - ov.best_value < 0.005 * scale:
        return None
    # From where it really started: its first point (first_level's median of the first points
    # already holds part of a fast first fall, and how much depends on how often it was logged).
    if v.tail - ov.best_value < min_giveback * (max(v.head, float(v.y[0])) - ov.best_value):
        return None
    t_at_best, t_end = t.at(ov.best_step), end_now(t)
    if t_end > t_at_best + 2 * t.noise and rel(t_end, t_at_best) > 0.02:
        return None
    # Overfitting is a widening gap: training must have gone on improving after the validation best,
    # or validation must end clearly above training. Both flat at one level (a model stuck at chance,
    # validation wandering by noise a few percent above it) is not memorisation.
    kept_falling = (t_at_best - t_end > max(2 * t.noise, 0.02 * abs(t_at_best)) or _fell_every_point(t, ov.best_step)
                    or _levels_fell(t, v, ov.best_step))
    gap_opened = v.tail > 1.25 * t_end if t_end > 0 else True
    if not (kept_falling or gap_opened):
        return None
    if stopped and not _train_fell_tenth(t, t_at_best, x, y, ov.best_step):
        return None  # with so few evaluations, memorisation must show: training still clearly improving
    u = unit(v)
    # A percentage of a negative loss (a log-likelihood) reads wrong: say where it ended instead.
    rose = f"{ov.final_gl:.0f}% since" if ov.best_value > 0 else f"to {fmt(v.tail)} since"
    return make("overfitting", f"{v.name} bottomed at {fmt(ov.best_value)} ({u} {fmt(ov.best_step)}) and rose "
                f"{rose}, while {t.name} kept falling", series=[t.name, v.name],
                steps=[ov.onset_step, v.span[1]],
                evidence={"best_step": ov.best_step, "best_val_loss": ov.best_value, "onset_step": ov.onset_step,
                          "generalization_loss_pct": round(ov.final_gl, 2), "successive_rises": ov.rises,
                          "val_points_after_best": ov.points_after, "train_at_best": t_at_best,
                          "train_at_end": t_end},
                causes=_OVERFIT_CAUSES, fixes=_overfit_fixes(u, ov.best_step),
                marks=[Mark("line", v.name, ov.onset_step, label="overfitting onset"),
                       Mark("point", v.name, ov.best_step, label="best validation loss")])


def _train_fell_tenth(t: Curve, t_at_best: float, x: np.ndarray, y: np.ndarray, best_step: float) -> bool:
    """Training 10% or more below where it stood at the validation best, for a turn that stopped the
    run 2-4 evaluations after that best. Training's level at the end is read where it stands now
    (``end_now``) only while validation is still climbing at its last evaluation (its worst since the
    best): one already coming back down may be a noisy level around a lucky low, and is read against
    training's median level of the last points, half a window back, as a noisy curve's end should be."""
    if t.tail <= 0.9 * t_at_best:
        return True
    climbing = float(y[-1]) >= float(np.max(y[x > best_step]))
    return climbing and end_now(t) <= 0.9 * t_at_best


def _fell_every_point(t: Curve, since: float) -> bool:
    """Training fell at every logged point from the validation best on (two steps at least) and by
    2% or more: order evidence that needs no noise estimate. ``t.noise`` on a short per-epoch curve
    that falls every epoch holds the curve's bend (0.43, 0.32, 0.27, 0.24, 0.23, 0.21 reads as
    0.018 of noise), and would call a steady fall of 0.031 since the best "within the noise"."""
    ts = t.y[t.x >= since - 1e-9]
    return ts.size >= 3 and bool(np.all(np.diff(ts) < 0)) and float(ts[-1]) <= 0.98 * float(ts[0])


def _levels_fell(t: Curve, v: Curve, since: float) -> bool:
    """Training logged several times per evaluation (single noisy batches) whose level per
    evaluation interval (``per_eval.levels_at``) fell since the validation best: three levels at
    least, a one-sided rank test at 5% (``few_evals_overfit``'s level) and 2% or more from the
    first to the last. ``t.noise`` is the spread of single batches; the fall of a level made of
    many of them stands against far less, as the epoch means a person reads show."""
    if not denser(t.x, v.x, since) or not np.all(t.y > 0):
        return False
    lv = levels_since(t.x, t.y, v.x, since)
    return lv.size >= 3 and float(lv[-1]) <= 0.98 * float(lv[0]) and fall_p(np.log(lv)) <= P_MAX


def _short_turn(t: Curve, x: np.ndarray, y: np.ndarray):
    """A noisy short validation curve whose evaluations after the best trend up at 1% (tested
    without the best itself, ``rise_after_best``), with training fallen by a quarter or more since
    the best as independent evidence: too small a rise for the size guard of ``overfit_onset``."""
    ov = rise_after_best(x, y)
    if ov is not None and end_now(t) <= 0.75 * t.at(ov.best_step):
        return ov
    ov = _smooth_small_turn(x, y)
    if ov is not None and end_now(t) <= 0.75 * t.at(ov.best_step):
        return ov
    # Weaker order evidence (10%) stands beside a large effect on both sides: validation ending 20%+
    # above its best with its whole later half 15%+ above it, and training fallen to a quarter of its
    # level at that best or below. On synthetic short runs (9-12 evaluations) this names 74% of a
    # drift up through spiky noise (35% without it) for 0.75% more alarms on a flat noisy validation.
    ov = rise_after_best(x, y, p_max=0.1, gl_threshold=20.0)
    if ov is not None and end_now(t) <= 0.25 * t.at(ov.best_step):
        late = y[x > ov.best_step][-max(2, int(np.sum(x > ov.best_step)) // 2):]
        if float(np.min(late)) >= 1.15 * ov.best_value:  # the whole later half stands clear of the best
            return ov
    return None


SMALL_TURN_GL = 2.0  # percent above the best: Prechelt's 5% is a bar for a noisy curve
SMALL_TURN_SIGMAS = 4.0


def _smooth_small_turn(x: np.ndarray, y: np.ndarray):
    """A rise after the best of 2-5%, on a curve smooth enough that it stands four units of its own
    jitter clear of the best (a language model's loss of 5.05 -> 5.21 nats is perplexity +17%),
    with the same order test on the evaluations after the best (1%). The best must come after a
    real descent, larger than the rise since: a curve that is worst at its end, or best at its
    first evaluation, did not turn."""
    ov = rise_after_best(x, y, gl_threshold=SMALL_TURN_GL)
    if ov is None:
        return None
    ib = int(np.argmin(y))
    k = max(2, (y.size - 1 - ib) // 3)
    end = float(np.median(y[-k:]))
    rise = float(np.log(end / ov.best_value))
    if ib < 2 or float(y[0]) - ov.best_value < end - ov.best_value:
        return None
    return ov if rise >= SMALL_TURN_SIGMAS * jitter_sigma(np.log(y)) else None


def _floor_turn(t: Curve, x: np.ndarray, y: np.ndarray, b: int = 3):
    """A noisy validation curve (24-90 evaluations) whose noise is one-sided: single evaluations
    jump up (a small validation set, an unlucky batch) and fall back, so a person reads its floor.
    The floor is the minimum of each block of ``b`` evaluations (blocks end at the last one, so the
    latest level is a whole block); the turn is then judged on that shorter, cleaner curve with the
    same tests as a short curve, with training fallen by a quarter or more since the best as
    independent evidence. Spikes that recover hide a turn from the tests on every point; they do not
    move a block's minimum."""
    n = y.size
    if n < 24 or n > 90 or np.any(~np.isfinite(y)) or np.any(y <= 0):
        return None  # under 8 blocks the floor is too short a curve to judge
    starts = np.arange(n - (n // b) * b, n, b)
    idx = np.array([s0 + int(np.argmin(y[s0:s0 + b])) for s0 in starts])
    bx, by = x[idx], y[idx]
    ov = overfit_onset(bx, by) or stopped_after_turn(bx, by) or rank_turn(bx, by)
    if ov is not None and end_now(t) <= 0.75 * t.at(ov.best_step):
        return ov
    return None


def _held_turn(t: Curve, x: np.ndarray, y: np.ndarray):
    """A short validation curve that stepped up after its best and stayed there (``held_turn``),
    with training fallen by a quarter or more since that best as the independent evidence."""
    from ..stats.held_turn import held_turn

    ov = held_turn(x, y)
    if ov is not None and end_now(t) <= 0.75 * t.at(ov.best_step):
        return ov
    return None


def _climb_turn(t: Curve, x: np.ndarray, y: np.ndarray):
    """A short validation curve that rose at every evaluation since its lowest (``climb_from_best``),
    with training as the independent evidence: its points since that best fall by the exact rank
    test at 5% and end 10% or more below where training stood at the best."""
    from ..stats.climb_from_best import climb_from_best

    ov = climb_from_best(x, y)
    if ov is None:
        return None
    ts = t.y[t.x >= ov.best_step - 1e-9]
    if ts.size < 4:
        return None
    if fall_p(ts) > 0.05:
        return None
    return ov if float(ts[-1]) <= 0.9 * t.at(ov.best_step) else None


def _worse_than_before_turn(t: Curve, v: Curve, x: np.ndarray, y: np.ndarray):
    """A short validation curve whose every evaluation after its best is worse than all up to it
    (``worse_than_before``; any sign, a negative log-likelihood too), with training as the
    independent evidence: its level per evaluation since the best falls by the exact rank test at 5%."""
    ov = worse_than_before(x, y)
    if ov is None:
        return None
    lv = levels_since(t.x, t.y, v.x, ov.best_step)
    return ov if lv.size >= 3 and fall_p(lv) <= P_MAX else None


DRIFT_P = 0.05  # the order test on the evaluations after the best
DRIFT_GL = 10.0  # Prechelt's generalisation loss, on the median of the last third after the best
DRIFT_MIN_AFTER = 6  # evaluations after the best: on five, one pair out of order gives p = 5/120 = 0.042


def _drift_turn(t: Curve, x: np.ndarray, y: np.ndarray):
    """A validation loss (8-60 evaluations) that drifts up for the rest of the run after its best:
    the evaluations after the best, the best left out, trend up by rank at 5% (``rise_after_best``)
    and their last third sits 10% or more above the best, while training, read as its level per
    evaluation interval, ended 5% or more below its level at that best and below where it began.

    The two halves are the two readings a person makes: the outcome of ``ended_above_best_note``
    (the late checkpoints are worse on held-out data while training went on down) and an order
    test that a single final jump cannot pass (a late stretch of 6 or more evaluations rising in
    order: on five, one noisy evaluation out of order already decides the 5% level, p = 0.042, and
    a healthy run's noisy band logged half as often passed so; on six a single pair out of order
    gives 0.008, two 0.028). On the dev set no healthy run passes both (the nearest: p 0.06 at 129% above the best;
    p 0.014 at 5%), ``bench/short_run_distributions.py`` prints the distribution."""
    ov = rise_after_best(x, y, p_max=DRIFT_P, gl_threshold=DRIFT_GL)
    if ov is None or ov.points_after < DRIFT_MIN_AFTER or not np.all(t.y > 0):
        return None
    return ov if training_fell_since(t, x, int(np.argmin(y)))[0] else None


_OVERFIT_CAUSES = ["the model memorises the training set: too much capacity for the data",
                   "too little regularisation (no dropout, weight decay or augmentation)",
                   "training for too long", "a small training set"]


def _overfit_fixes(u: str, best_step: float) -> list[str]:
    return [f"restore the checkpoint from {u} {fmt(best_step)} (early stopping)",
            "add regularisation: weight decay, dropout, data augmentation", "get more data, or a smaller "
            "model", "stop on validation loss (patience of a few evaluations)"]


def _val_only_turn(run: Run):
    """Only a validation loss is logged, and it turned up for good and ended well above its best.
    Without the training loss the pattern cannot be confirmed, so the finding says so; it is still
    not a healthy run (a validation loss 10%+ above its best at the end is lost model quality)."""
    v = loss_curve(run, Role.VAL_LOSS, 10)
    if v is None:
        yield from _val_only_climb(run)
        return
    x, y = (v.x, v.y) if v.n <= 2000 else (v.xb, v.yb)
    ov = overfit_onset(x, y)
    if ov is None or not ov.final_gl >= 10.0 or v.tail < 1.1 * ov.best_value:
        return
    u = unit(v)
    yield make("overfitting", f"{v.name} bottomed at {fmt(ov.best_value)} ({u} {fmt(ov.best_step)}) and rose "
               f"{ov.final_gl:.0f}% since; no training loss is logged to confirm it (a training loss rising "
               "too would make it divergence)", series=[v.name], steps=[ov.onset_step, v.span[1]],
               evidence={"best_step": ov.best_step, "best_val_loss": ov.best_value, "onset_step": ov.onset_step,
                         "generalization_loss_pct": round(ov.final_gl, 2), "val_points_after_best": ov.points_after,
                         "train_logged": False},
               causes=_OVERFIT_CAUSES + ["(if the training loss rose as well) a learning rate too high"],
               fixes=["log the training loss too, to tell overfitting from divergence", *_overfit_fixes(u, ov.best_step)],
               marks=[Mark("line", v.name, ov.onset_step, label="turn"),
                      Mark("point", v.name, ov.best_step, label="best validation loss")])


VAL_ONLY_CLIMB = 5  # evaluations after the best, each above the one before: 1 in 5! = 120 orders of a flat curve


def _val_only_climb(run: Run):
    """A validation loss alone, too short for the trend test (6-9 evaluations), that fell to its best
    and then rose at every one of the ``VAL_ONLY_CLIMB`` or more evaluations since, ending 10% or more
    above that best. Order evidence needs no noise estimate: for a curve that merely wanders after its
    best, every order of the points after it is equally likely, so five rising in a row happens once
    in 120. The best must come after a fall (not at the first evaluation: a loss that rises from the
    start never learned, the divergence rules' reading). Like ``_val_only_turn``, it says that the
    training side is unknown."""
    v = loss_curve(run, Role.VAL_LOSS, VAL_ONLY_CLIMB + 1)
    if v is None or v.n >= 10 or not np.all(v.y > 0):
        return
    y = v.y
    ib = int(np.argmin(y))
    after = y[ib + 1:]
    if ib == 0 or after.size < VAL_ONLY_CLIMB or not np.all(np.diff(y[ib:]) > 0) or y[-1] < 1.1 * y[ib]:
        return
    u, best, best_step = unit(v), float(y[ib]), float(v.x[ib])
    gl = 100.0 * (float(y[-1]) / best - 1.0)
    yield make("overfitting", f"{v.name} bottomed at {fmt(best)} ({u} {fmt(best_step)}) and rose at each of the "
               f"{after.size} evaluations since, {gl:.0f}% above it at the end; no training loss is logged to confirm "
               "it (a training loss rising too would make it divergence)", series=[v.name],
               steps=[float(v.x[ib + 1]), float(v.x[-1])],
               evidence={"best_step": best_step, "best_val_loss": best, "val_end": float(y[-1]),
                         "generalization_loss_pct": round(gl, 2), "val_points_after_best": int(after.size),
                         "rises_in_a_row": int(after.size), "train_logged": False,
                         "judged_on": "order: every evaluation after the best above the one before"},
               causes=_OVERFIT_CAUSES + ["(if the training loss rose as well) a learning rate too high"],
               fixes=["log the training loss too, to tell overfitting from divergence", *_overfit_fixes(u, best_step)],
               marks=[Mark("point", v.name, best_step, label="best validation loss")])


def _metric_overfitting(run: Run, t: Curve, v: Curve, ov, higher_is_better: bool):
    """Overfitting read from a validation metric (no validation loss logged)."""
    if rising_after_min(t) is not None:
        return
    t_at_best, t_end = t.at(ov.best_step), t.tail
    if t_end > t_at_best + 2 * t.noise and rel(t_end, t_at_best) > 0.02:
        return
    # Overfitting is a widening gap: training must have gone on improving after the held-out best, as
    # the loss pair asks (``_loss_pair_overfitting``). A held-out score slipping while training sits
    # flat is noise or a run that stopped improving everywhere, not memorisation.
    if not (t_at_best - t_end > max(2 * t.noise, 0.02 * abs(t_at_best)) or _fell_every_point(t, ov.best_step)
            or _levels_fell(t, v, ov.best_step)):
        return
    u = unit(v)
    i = int(np.argmin(np.abs(v.x - ov.best_step)))
    best = float(v.y[i])
    end = float(np.median(v.y[-max(1, min(3, v.n // 4)):]))
    what = "peaked" if higher_is_better else "bottomed"
    yield make("overfitting", f"{v.name} {what} at {fmt(best)} ({u} {fmt(ov.best_step)}) and got worse since "
               f"({fmt(end)} at the end), while {t.name} kept falling", series=[t.name, v.name],
               steps=[ov.onset_step, v.span[1]],
               evidence={"best_step": ov.best_step, "best_val_metric": best, "val_metric_end": end,
                         "onset_step": ov.onset_step, "judged_on": "validation metric (no validation loss logged)"
                         + (" as error = 1 - value" if higher_is_better else ""),
                         "generalization_loss_pct": round(ov.final_gl, 2), "train_at_best": t_at_best,
                         "train_at_end": t_end},
               causes=["the model memorises the training set: too much capacity for the data",
                       "too little regularisation (no dropout, weight decay or augmentation)",
                       "training for too long", "a small training set"],
               fixes=[f"restore the checkpoint from {u} {fmt(ov.best_step)} (early stopping)",
                      "add regularisation: weight decay, dropout, data augmentation",
                      "log a validation loss too: it shows the turn earlier than the metric"],
               marks=[Mark("line", v.name, ov.onset_step, label="overfitting onset"),
                      Mark("point", v.name, ov.best_step, label="best validation metric")])


def _metric_climbs_while_train_flat(run: Run, t: Curve) -> dict | None:
    """A validation accuracy-like metric climbing clearly while the training loss sits flat over
    the same span. The training loss is judged after its first fifth (a first-epoch fall is
    allowed) and over the span where the metric climbs: no significant fall there and under 5%
    lower at the end; the metric gains >= 20 points overall and >= 8 over that span, with a significant (1%) trend."""
    x0, x1 = t.span
    if x1 <= x0:
        return None
    for m, y01 in bounded_metric_curves(run, (Role.VAL_METRIC,), MIN_VAL_POINTS):
        frm = max(x0 + 0.2 * (x1 - x0), float(m.x[0]))
        keep = m.x >= frm
        if int(keep.sum()) < MIN_VAL_POINTS:
            continue
        mx, my = m.x[keep], y01[keep]
        k = max(1, my.size // 4)
        first = float(np.median(y01[:max(1, min(3, m.n // 8))]))
        end = float(np.median(my[-k:]))
        mt = trend(mx, my)
        # A clear climb overall, and still a significant one over the span where training is flat.
        if end - first < 0.2 or end - float(np.median(my[:k])) < 0.08 or not (mt.z > 0 and mt.p < 0.01):
            continue
        tk = (t.xb >= frm) & (t.xb <= float(mx[-1]))
        if int(tk.sum()) < MIN_VAL_POINTS:
            continue
        tx, ty = t.xb[tk], t.yb[tk]
        tt = trend(tx, ty)
        j = max(1, ty.size // 5)
        t_start, t_end = float(np.median(ty[:j])), float(np.median(ty[-j:]))
        if (tt.z < 0 and tt.p < 0.05) or rel(t_end, t_start) < -0.05 or tt.rising(0.01, 0.1):
            continue
        return {"metric": m.name, "metric_start": first, "metric_end": end,
                "metric_trend_p": mt.p, "train_start": t_start, "train_end": t_end, "train_trend_p": tt.p,
                "from_step": frm}
    return None


def _another_train_part_fell(run: Run, t: Curve) -> bool:
    """Another part of the training loss (a detector's cls beside its box loss) fell significantly,
    by 10% or more: training improved, whatever the judged part did (YOLOv8's box loss steps up when
    mosaic augmentation is switched off for the last epochs, and looks flat over the run)."""
    for s in run.by_role(Role.TRAIN_LOSS):
        if s.name == t.name:
            continue
        c = curve(s)
        if c.n >= MIN_POINTS and c.trend.falling(0.01, 0.1):
            return True
    return False


def _train_flat_beside_val(t: Curve, v: Curve) -> bool:
    """Over the span both were logged, validation fell (10%+, clear of its own noise) and training
    fell less than half as much *even at the upper bound of its fall*.

    Validation logged before the first training point fell because of training nobody logged
    (a training loss logged from step 50, validation from step 7), so only the common span counts.
    And "training stayed flat" is a claim about size: a short noisy training curve whose fall is
    not known to within the validation's fall is not evidence that it did not fall."""
    from ..stats.logfit import log_change

    keep = (v.x >= t.x[0]) & (v.x <= t.x[-1])
    if int(keep.sum()) < MIN_VAL_POINTS:
        return False
    dv, se_v = log_change(v.x[keep], v.y[keep])
    tk = (t.xb >= float(v.x[keep][0])) & (t.xb <= float(v.x[keep][-1]))
    if int(tk.sum()) < 3:
        tk = np.ones(t.xb.size, dtype=bool)
    dt, se_t = log_change(t.xb[tk], t.yb[tk])
    if not (np.isfinite(dv) and np.isfinite(dt)):
        return False
    val_fall = -dv
    return val_fall >= np.log(1.1) and val_fall > 2.0 * se_v and -dt + 2.0 * se_t < 0.5 * val_fall


TRAIN_BAND = (0.1, 0.9)  # the band the training loss filled: its 10th to 90th percentile


def _val_fell_to_training_level(t: Curve, v: Curve) -> bool:
    """The validation loss ended inside the band the flat training loss filled over the same span
    (its 10th to 90th percentile): the two losses agree at the end, the model fits held-out data as
    well as the training data shows. Validation then fell only to the level training sat at from its
    first logged point, a level training reached within that first interval (an epoch's mean, or
    single batches scattered around a level reached early); the first evaluations lagged (batch-norm
    statistics, averaged weights) and caught up. Validation improving while training did not means
    validation ending clear of where training sat: below anything it showed, or (held-out data still
    worse) above it while training never moved."""
    keep = (t.x >= v.x[0]) & (t.x <= v.x[-1])
    ty = t.y[keep] if int(keep.sum()) >= MIN_VAL_POINTS else t.y
    end = float(np.median(v.y[-max(1, v.n // 4):]))
    lo, hi = np.quantile(ty, TRAIN_BAND)
    return bool(lo <= end <= hi)


@rule("val-without-train", family="generalization", severity=Severity.WARNING,
      title="Validation improves while training does not", needs=())
def val_without_train(run: Run):
    t = loss_curve(run, Role.TRAIN_LOSS)
    if t is None:
        yield from _training_never_written(run)
        return
    if _another_train_part_fell(run, t):
        return
    from .progress import loss_not_recorded

    if loss_not_recorded(run, t):
        return  # a training loss never filled in (0.0 in every row) says nothing about training
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    # The validation fall is the strong evidence here; for training it is enough that it did
    # not fall (no significant trend, and less than 10% lower than it started).
    by_loss = v is not None and val_falls(v) and (
        flat_from_start(t) or (not t.trend.falling(0.05, 0.05) and not slow_fall(t)
                               and -rel(t.tail, t.head) < 0.1 and not t.trend.rising(0.01, 0.1))) \
        and _train_flat_beside_val(t, v) and not _val_fell_to_training_level(t, v)
    if not by_loss:
        mc = _metric_climbs_while_train_flat(run, t)
        if mc is None:
            return
        u = unit(t)
        yield make("val-without-train", f"{mc['metric']} climbed {fmt(mc['metric_start'])} -> {fmt(mc['metric_end'])} "
                   f"while {t.name} stayed flat ({fmt(mc['train_start'])} -> {fmt(mc['train_end'])}) since {u} "
                   f"{fmt(mc['from_step'])}", series=[t.name, mc["metric"]], steps=[mc["from_step"], t.span[1]],
                   evidence=mc, causes=_VWT_CAUSES, fixes=_VWT_FIXES)
        return
    yield make("val-without-train", f"{v.name} fell {abs(v.trend.rel_change):.0%} while {t.name} stayed flat "
               f"({fmt(t.head)} -> {fmt(t.tail)})", series=[t.name, v.name], steps=list(v.span),
               evidence={"train_start": t.head, "train_end": t.tail, "val_start": v.trend.start,
                         "val_end": v.trend.end, "val_trend_p": v.trend.p, "train_trend_p": t.trend.p},
               causes=_VWT_CAUSES, fixes=_VWT_FIXES)


# Writers that record the training loss on their own at every logging interval (MMCV / MMEngine
# ``mode: train`` lines, HF Trainer ``loss`` rows, Ultralytics and Detectron2 train columns). A user's
# own CSV or Lightning's ``self.log`` may log validation alone by choice. The Keras formats are not
# here: they are recognised by their shape (a table or a dict of per-epoch columns), and Keras's
# ``fit`` always writes ``loss``, so a Keras-shaped file without any training column was written by
# the user's own code (``epoch,val_loss,val_acc,time``; a list of ``eval_*`` dicts), which may log
# validation alone.
_TRAIN_ALWAYS_WRITTEN = {"mmdet2_log_json", "mmengine", "hf_trainer_state", "ultralytics", "detectron2"}


def _training_never_written(run: Run):
    """Five or more evaluations, and not one training value, in a format whose writer logs the
    training loss by itself: training was never written (a logging interval longer than an epoch,
    ``logging_steps`` above the run's length), so the run cannot be judged from the training side."""
    if run.format not in _TRAIN_ALWAYS_WRITTEN or run.by_role(Role.TRAIN_LOSS) or run.by_role(Role.TRAIN_METRIC):
        return
    vals = [curve(s) for role in (Role.VAL_LOSS, Role.VAL_METRIC) for s in run.by_role(role)]
    vals = [c for c in vals if c.n >= MIN_VAL_POINTS]
    if not vals:
        return
    v = max(vals, key=lambda c: c.n)
    yield make("val-without-train", f"{v.name} was logged at {v.n} evaluations and no training loss at all, though "
               f"this log format ({run.format}) records it on its own: nothing shows how training went",
               series=[v.name], steps=list(v.span),
               evidence={"val_series": v.name, "val_points": v.n, "train_series": 0, "format": run.format,
                         "judged_on": "validation logged without any training series"},
               causes=["the training logging interval is longer than an epoch (MMCV log_config interval, HF "
                       "logging_steps), so no training line is ever written", "training logging switched off or "
                       "filtered out of the file"],
               fixes=["log training at an interval shorter than an epoch (e.g. interval=10 / logging_steps=10)",
                      "keep the training lines when copying or filtering the log"])


_VWT_CAUSES = ["the training and validation data differ: labels or preprocessing of the training set are "
                       "broken (shuffled labels, wrong augmentation), or the validation set leaks training data",
                       "the logged training loss is not the optimised one (a regulariser dominates, wrong series)",
                       "very heavy augmentation or dropout that makes training much harder than evaluation"]
_VWT_FIXES = ["compare a few training and validation samples with their labels", "check the training "
                      "pipeline's transforms against the validation one", "log the plain data loss separately"]


def early_plateau(c: Curve, min_fall: float = 0.25) -> float | None:
    """The step from which a curve that fell only part of the way sat flat: reached in the first
    fifth of the run, still at least 55% of where it started, and no significant fall after it.

    A healthy converge-then-plateau run falls to a small fraction of its start before flattening
    (or keeps creeping down, which the trend test sees); one that gave up 30-45% early and never
    moved again is stuck at a high level. None when the curve does not look like that."""
    # The start is the higher of the first point and the first-points median: a per-epoch mean
    # of the first epoch already holds much of a healthy fall.
    start = max(c.head, float(c.y[0]))
    if c.yb.size < MIN_VAL_POINTS or not np.all(c.y > 0) or c.tail < 0.55 * start or c.tail > (1 - min_fall) * start:
        return None  # fell 25-45%: less is `stalled`'s own "under 10%" reading or not a clear fall
    sm = c.smooth
    tol = max(0.05 * c.tail, 3.0 * c.noise)
    near = np.abs(sm - c.tail) <= tol
    # First block from which the smoothed curve stays within the tolerance of its final level.
    off = np.flatnonzero(~near)
    i = int(off[-1]) + 1 if off.size else 0
    x0, x1 = c.span
    if i >= sm.size or c.xb[i] - x0 > 0.2 * (x1 - x0) or sm.size - i < max(4, int(0.7 * sm.size)):
        return None
    # Judged from the end of the first fifth on: the last of an early exponential fall is not
    # a trend of the plateau.
    j = max(i, int(np.searchsorted(c.xb, x0 + 0.2 * (x1 - x0))))
    seg, xs = c.yb[j:], c.xb[j:]
    if seg.size < 4:
        return None
    tr = trend(xs, seg)
    moved = abs(tr.slope) * float(xs[-1] - xs[0])
    k = max(2, seg.size // 5)
    fall = float(np.median(seg[:k])) - float(np.median(seg[-k:]))
    if (tr.p < 0.05 and moved > 0.01 * c.tail) or fall > 0.03 * c.tail:
        return None
    return float(c.xb[i])


HALF_RUN_POINTS = 40  # a training curve this long has a last half of 20+ points to read a plateau on


def _half_run_flat(t: Curve) -> bool:
    """A long training loss (40+ points) whose whole second half is one level: it fell by at most 3%
    of that level from the start of the half to its end (medians of a fifth of the half at each end),
    having fallen no more than 45% before. ``early_plateau`` asks the level to be reached in the first
    fifth; a run that creeps for a while before it stops (a step decay's last cut at mid-run, then
    nothing) spends its whole second half on a plateau all the same. Only with a logged accuracy, far
    from good (below 0.6), as the independent reading that the level is high."""
    n = t.yb.size
    start = max(t.head, float(t.y[0]))
    if t.n < HALF_RUN_POINTS or n < 20 or not np.all(t.y > 0) or t.tail < 0.55 * start:
        return False
    half = t.yb[n // 2:]
    k = max(2, half.size // 5)
    return float(np.median(half[:k])) - float(np.median(half[-k:])) <= 0.03 * t.tail


# An underfitting plateau (``bench/never_learned_distributions.py``): a training accuracy or F1 of 20+
# points that ended below 0.6 and gained under 2% of the room left to 1 over its second half. On the
# dev split every healthy run whose training score ended that low still gained 4% or more of its room.
UNDERFIT_POINTS = 20
UNDERFIT_LEVEL = 0.6
UNDERFIT_GAIN = 0.02


def training_scores(run: Run, min_points: int) -> list[tuple[str, np.ndarray]]:
    """Each training accuracy or F1 of ``min_points``+ points, on the [0, 1] scale."""
    return [(c.name, y) for c, y in bounded_metric_curves(run, (Role.TRAIN_METRIC,), min_points)
            if c.series.metric in ("accuracy", "f1")]


def underfit_plateau(run: Run) -> dict | None:
    """A training accuracy (or F1) that stopped rising far from fitting its own data: 20+ points,
    ended below 0.6, and gained under 2% of the room left to 1 over its second half; with every
    validation score of the same kind ended below 0.6 too. The model no longer gets better even at
    the examples it trains on, which a run that converged on a hard task still does (it overfits
    slowly); validation no better says it is not training-time augmentation holding the training
    score down. None when the run does not look like that."""
    from ..stats.headroom import late_gain_share
    from .outcome import end_level

    for name, y in training_scores(run, UNDERFIT_POINTS):
        end, share = end_level(y), late_gain_share(y)
        if end >= UNDERFIT_LEVEL or share >= UNDERFIT_GAIN:
            continue
        metric = run.series[name].metric
        vals = [curve(s) for s in run.by_role(Role.VAL_METRIC) if s.metric == metric and s.higher_is_better]
        vals = [normalised_metric(c)[0] for c in vals if c.n >= 3]
        if any(end_level(v) >= UNDERFIT_LEVEL for v in vals):
            continue
        return {"series": name, "train_score_end": end, "late_gain_share_of_room": share, "points": int(y.size),
                **({"val_score_end": max(end_level(v) for v in vals)} if vals else {})}
    return None


FLAT_HALF_POINTS = 20  # a second half of 10+ points to read "nothing moved" on
FLAT_HALF_MOVE = 0.01


def _half_move(c: Curve) -> float:
    """How much a loss fell over its second half, as a share of its level there: the median of the
    half's first fifth minus the median of its last fifth (2 points at least), over the latter."""
    half = c.y[c.n // 2:]
    k = max(2, half.size // 5)
    last = float(np.median(half[-k:]))
    return (float(np.median(half[:k])) - last) / abs(last) if last else 0.0


def _flat_second_half_note(t: Curve, v: Curve):
    """Info, "worth a look": both losses (20+ training points, 10+ evaluations) moved under 1% over the
    second half of the run, with nothing to tell a converged level from a stalled one (no chance
    level, no task score far from good, no plateau from the first fifth). Half of the compute brought
    nothing measurable; whether the level is good enough only the task can say. On the dev split the
    losses of never-learned and healthy runs overlap at every level (``bench/never_learned_distributions.py``
    reads the training score instead, where they part), so this stays a note."""
    if t.n < FLAT_HALF_POINTS or v.n < FLAT_HALF_POINTS // 2 or not (np.all(t.y > 0) and np.all(v.y > 0)):
        return
    mt, mv = _half_move(t), _half_move(v)
    if abs(mt) >= FLAT_HALF_MOVE or abs(mv) >= FLAT_HALF_MOVE:
        return
    start = float(t.xb[len(t.xb) // 2]) if t.xb.size else float(t.x[t.n // 2])
    f = make("stalled", f"{t.name} and {v.name} moved under 1% over the second half of the run ({mt:+.1%}, "
             f"{mv:+.1%}): converged, or stalled at a level the log cannot judge", severity=Severity.INFO,
             series=[t.name, v.name], steps=[start, t.span[1]],
             evidence={"train_second_half_fall": round(mt, 5), "val_second_half_fall": round(mv, 5),
                       "train_end": t.tail, "val_end": v.tail,
                       "note": "no chance level, task score or early plateau says whether this level is good"},
             causes=["the model converged: the rest of the run was spent at its floor",
                     "the model stopped improving at a level that is not good enough (a learning rate too low or "
                     "decayed, a model too small, inputs not normalised)"],
             fixes=["compare the level with what this task reaches elsewhere (a baseline, a published result)",
                    "if it is good enough, stop earlier (early stopping); if not, raise the learning rate or the "
                    "model size"],
             marks=[Mark("span", t.name, start, t.span[1], label="flat")])
    f.verdict = "worth a look"
    f.verdict_reason = "half the run changed nothing; whether the level is good only the task can say"
    yield f


def _another_part_learning(run: Run, t: Curve) -> bool:
    """Whether another training loss of the run fell clearly (10% or more, beyond its noise).

    Why: detectors log their loss in parts; during a warm-up the box part can rest while the class
    part halves. `stalled` says the *model* stopped improving, which one resting part cannot show."""
    for s in run.by_role(Role.TRAIN_LOSS):
        if s.name == t.name:
            continue
        c = curve(s)
        if c.n >= 3 and -rel(c.tail, c.head) >= 0.1 and c.head - c.tail > 3.0 * jitter_sigma(c.y):
            return True
    return False


def _gain(c: Curve) -> tuple[float, float, float]:
    """How much lower a loss ended than it started: the larger of the robust reading (first points'
    median to the last tenth's) and the mean reading (first tenth's mean to the last tenth's).

    The loss a framework reports for an epoch, and the one the optimiser lowers, is a mean over the
    batches. With a heavy-tailed per-batch loss (a target that is mostly zero with rare large
    values: a few batches 3x the rest) the medians sit on the common batches, where a fix of the
    rare ones does not show, and the first three points fall anywhere in a wide noise band; a run
    whose epoch loss fell 30% must not read as "no gain". A run under 10% both ways gained little.
    Returns the gain with the start and end levels it was read from."""
    robust = (-rel(c.tail, c.head), c.head, c.tail)
    k = max(3, c.y.size // 10)
    if c.y.size < 2 * k or not np.all(c.y > 0):
        return robust
    first, last = float(np.mean(c.y[:k])), float(np.mean(c.y[-k:]))
    return max(robust, (-rel(last, first), first, last))


STILL_FALLING_POINTS = 5  # strictly falling over the last 5 evaluations: 1 in 5! = 120 orders of flat noise


def still_falling_every_evaluation(v: Curve, k: int = STILL_FALLING_POINTS) -> bool:
    """A validation loss lower at each of its last ``k`` evaluations (and its whole second half, when
    that is longer) than at the one before. Order evidence that needs no noise estimate and no size:
    for a curve with no trend every order of ``k`` points is equally likely, so all ``k`` falling has
    a chance of 1/k!. A fine-tune that is still gaining a little at every evaluation as its learning
    rate decays (1.27 -> 1.15 nats, a level that only looks high against its own start) has not
    stopped improving; a plateau wanders. On every dev run the `stalled` warning fired on, the
    labelled stalls fell over at most the last 3 evaluations in a row
    (``bench/short_run_distributions.py``)."""
    y = v.y
    n = max(k, y.size // 2)
    if y.size < n or not np.all(np.isfinite(y[-n:])):
        return False
    return bool(np.all(np.diff(y[-n:]) < 0))


@rule("stalled", family="generalization", severity=Severity.WARNING,
      title="Training and validation both stopped improving at a high level", needs=_BOTH)
def stalled(run: Run):
    pair = _pair(run)
    if pair is None:
        return
    t, v = pair
    from .progress import stuck_of
    from .schedule import decay_of

    if warming_up(run) or stuck_of(run) is not None or decay_of(run) is not None:
        return
    if flat_from_start(t):
        return  # never improved at all: `no-learning`, not a run that stalled after learning
    from .frozen import frozen_finding, frozen_of

    fz = frozen_of(run)
    if fz is not None:
        yield frozen_finding(fz)
        return
    if _another_part_learning(run, t):
        return  # a loss logged in parts (box/cls/dfl): one part resting is not the model stalling
    from ._loss_weights import note_weight_change, weight_step_between

    ws = weight_step_between(run, *t.span)
    if ws is not None:
        # Its gain from the start is read across a change of objective (a term weighted in mid-run).
        note_weight_change(run, t.name, f"{unit(t)}s {fmt(t.span[0])}-{fmt(t.span[1])}", ws, "stalled",
                           how="was logged over")
        return
    if still_falling_every_evaluation(v):
        return  # improved at each of its last evaluations: it has not stopped improving
    cc = chance(run)
    plateaus = []
    for c in (t, v):
        k = max(3, c.n // 2)
        gain = projected_improvement(c.x[-k:], c.y[-k:], horizon=c.span[1] - c.span[0])
        plateaus.append(gain)
        _, p_recent = mann_kendall(*bin_median(c.x[-k:], c.y[-k:])[::-1])
        # On a short window an insignificant slope is no evidence of a plateau: it must be small.
        # (unless the whole curve has not moved either).
        still = abs(rel(c.tail, c.head)) < 0.05 and c.trend.p >= 0.05
        if (gain > 0.03 and (p_recent < 0.05 or (k < 8 and not still))) or c.trend.rising(0.01, 0.1):
            return
    improved, t_start, t_end = _gain(t)
    v_gain, v_start, v_end = _gain(v)
    # A later stage that starts where a trained run left off is not "high" for gaining little on
    # its own start; only a known chance level can say it sits high.
    high = improved < 0.1 and v_gain < 0.1 and not run.meta.continues_previous
    if cc is not None and not high:
        high = t.tail >= 0.8 * cc.chance_loss
    elif cc is not None and t.tail < 0.5 * cc.chance_loss:
        # The other way round: a known chance level also says a loss under half of it is low, however
        # little it gained on its own start (a resumed run or a fine-tune from trained weights).
        high = False
    early, half, underfit = None, False, None
    if not high:
        # The first evaluation comes after some training: validation need only have fallen 10%.
        et, ev = early_plateau(t), early_plateau(v, 0.1)
        accs = [curve(s) for s in run.by_role(Role.VAL_METRIC) + run.by_role(Role.TRAIN_METRIC)
                if s.metric == "accuracy" and curve(s).n >= 3]
        half = et is None and ev is not None and bool(accs) and _half_run_flat(t)
        if half:
            et = float(t.xb[len(t.xb) // 2])
        if et is None or t.n < 20 or ev is None:
            # The losses fell too far for a plateau read on them alone; a training score that stopped
            # rising far from a fit, with validation no better, says the level is high all the same.
            underfit = underfit_plateau(run)
            if underfit is None:
                if not run.meta.continues_previous:  # a later stage starts at its floor: flat is expected
                    yield from _flat_second_half_note(t, v)
                return
            et = ev = float(t.xb[len(t.xb) // 2])
        early = max(et, ev)
        # A logged accuracy must be far from good too (a 10-class model at 62% is working).
        for c in accs:
            y01, _ = normalised_metric(c)
            if float(np.median(y01[-max(3, y01.size // 4):])) >= 0.6:
                return
    u = unit(t)
    start = float(t.xb[len(t.xb) // 2])
    yield make("stalled", f"{t.name} and {v.name} both stopped improving: train {fmt(t_start)} -> {fmt(t_end)} "
               + (f"({improved:.0%} better than the start)" if improved >= 0
                  else f"({-improved:.0%} worse than the start)"), series=[t.name, v.name], steps=[start, t.span[1]],
               evidence={"train_start": t_start, "train_end": t_end, "val_start": v_start, "val_end": v_end,
                         "improvement": round(improved, 4), "projected_train_gain": round(plateaus[0], 4),
                         "projected_val_gain": round(plateaus[1], 4),
                         **({"chance_loss": cc.chance_loss} if cc else {}),
                         **({"flat_from": early, "note": "flat over the whole second half of a long run, still above "
                             "55% of its start, with accuracy below 0.6" if half else "reached its plateau in the "
                             "first fifth of the run, still above 55% of its start, and never moved again"}
                            if early is not None and underfit is None else {}),
                         **({"underfit": underfit, "note": f"{underfit['series']} ended at "
                             f"{underfit['train_score_end']:.3g} and gained {underfit['late_gain_share_of_room']:.1%} "
                             "of the room left to 1 over the second half: the model stopped fitting even its "
                             "training data"} if underfit is not None else {})},
               causes=["a bottleneck: learning rate too high to settle (or too low to move)", "batch size too large",
                       "a model too small or too shallow for the task", "inputs not normalised"],
               fixes=["lower the learning rate (or decay it) and the batch size", "try a larger model",
                      "normalise inputs; check the data pipeline"],
               marks=[Mark("span", t.name, start, t.span[1], label="plateau")])


def _risen_and_held(c: Curve, ratio: float = 1.2) -> dict | None:
    """A step up that stays: the curve's minimum comes before its last quarter and every point
    of that quarter (3 at least) sits 20% or more above it, clear of the noise. A loss that jumps
    when a warm-up reaches its peak and holds there has no trend for a rank test to find (the
    climb is over in a few points), yet it ends far above its best."""
    sm = c.smooth
    last = max(3, sm.size // 4)
    ib = c.ibest
    if sm.size < MIN_VAL_POINTS or ib >= sm.size - last or c.best <= 0:
        return None
    floor = float(np.min(sm[-last:]))
    if floor < ratio * c.best or floor - c.best < 3.0 * c.noise:
        return None
    return {"best": c.best, "best_step": float(c.xb[ib]), "end": float(np.median(sm[-last:])), "held": True}


def _late_levels_risen(t: Curve, v: Curve) -> tuple[dict | None, dict | None]:
    """Both losses of a short per-epoch run (8-30 evaluations) whose last third sits above the
    evaluations around their best by rank (``late_level.late_above_best``, 5%) and 10% or more
    above it: a rise read as levels, which spikes of a too-high learning rate hide from the trend
    test. Training is read as its level per evaluation interval, on the validation's steps."""
    if not np.all(t.y > 0):
        return None, None
    tl = levels_at(t.x, t.y, v.x)
    lv, lt = late_above_best(v.y), late_above_best(tl) if np.all(np.isfinite(tl)) else None
    if not (risen(lv) and risen(lt)):
        return None, None
    return ({"best": lt.best, "best_step": float(v.x[lt.best_index]), "end": lt.late_median, "p": lt.p},
            {"best": lv.best, "best_step": float(v.x[lv.best_index]), "end": lv.late_median, "p": lv.p})


@rule("both-rising", family="generalization", severity=Severity.WARNING,
      title="Training and validation losses both rise", needs=_BOTH)
def both_rising(run: Run):
    pair = _pair(run)
    if pair is None:
        return
    t, v = pair
    rt, rv = rising_after_min(t) or _risen_and_held(t), rising_after_min(v, p=0.05) or _risen_and_held(v)
    if rt is None or rv is None:
        rt, rv = _late_levels_risen(t, v)
    if rt is None or rv is None:
        return
    if rt["end"] - rt["best"] < 0.01 * abs(t.head):
        return  # a rise from 0.02 to 0.1 after falling from 15 is invisible on the run's own scale
    from ._loss_weights import note_weight_change, rise_explained

    ws = rise_explained(run, t.x, t.y, float(rt["best_step"]))
    if ws is not None:
        note_weight_change(run, t.name, f"{unit(t)} {fmt(rt['best_step'])}", ws, "both-rising")
        return  # training rose because a weighted term joined its loss, not because the model got worse
    from .stability import divergence_of

    d = divergence_of(t)
    if d is not None and not d.get("steady"):
        return  # the same rise is reported once, as `divergence` (error), with the validation rise in it
    u = unit(t)
    yield make("both-rising", f"{t.name} and {v.name} both rise: train {fmt(rt['best'])} -> {fmt(rt['end'])}, "
               f"validation {fmt(rv['best'])} -> {fmt(rv['end'])}", series=[t.name, v.name],
               steps=[min(rt["best_step"], rv["best_step"]), t.span[1]],
               evidence={"train_min": rt["best"], "train_min_step": rt["best_step"], "train_end": rt["end"],
                         "val_min": rv["best"], "val_min_step": rv["best_step"], "val_end": rv["end"]},
               causes=["learning rate too high (or rising with a schedule)", "broken data: labels or inputs "
                       "corrupted partway through", "bad architecture or hyper-parameters (e.g. a wrong loss sign)"],
               fixes=["lower the learning rate", "check the data pipeline from the step where the rise starts",
                      "restore the checkpoint at the minimum"],
               marks=[Mark("line", t.name, rt["best_step"], label="train starts rising"),
                      Mark("line", v.name, rv["best_step"], label="validation starts rising")])
