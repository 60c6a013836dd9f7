"""Outcome assessment: where each loss and task metric started, its best, and where it ended.

Rules look for named shapes; a person looks first at the outcome. Every run gets this plain
summary (in the JSON and the reports), and ``safety_net`` uses it so that a visibly failed run is
never called healthy just because no shape rule fired: when nothing at warning or above was
found and the outcome itself shows a failure, the finding that fits it is raised with the
outcome as its evidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from ..findings import Finding, Severity
from ..run import Role, Run, Series
from ..run.roles import name_tokens
from ..stats import bin_median, mann_kendall
from ..stats.core import jitter_sigma
from ..stats.exact import EXACT_MAX_N, rise_p_exact
from ._common import (BOUNDED01, LOSS_ROLES, METRIC_ROLES, Curve, adversarial, agent_scores, chance, curve, fmt, make,
                      normalised_metric, reinforcement, scores_an_agent, unit)

# Per-metric floors where the metric has no chance level of its own: a detector's mAP, an F1,
# an IoU at 0 means nothing was found; an accuracy's floor is chance when the class count is known.
_ZERO_FLOOR = {"map", "f1", "iou", "precision", "recall", "auc", "balanced_accuracy"}


@dataclass
class LossOutcome:
    series: str
    role: str
    points: int
    start: float
    best: float
    best_step: float
    end: float
    chance: float | None = None  # ln(C) when the class count is known and the loss is a cross-entropy

    @property
    def end_over_start(self) -> float:
        return self.end / self.start if self.start > 0 else math.nan


@dataclass
class MetricOutcome:
    series: str
    role: str
    metric: str | None
    higher_is_better: bool
    points: int
    floor: float | None  # chance or floor on the metric's own scale (percent logs stay in percent)
    floor_source: str
    start: float
    best: float
    best_step: float
    end: float


@dataclass
class Outcome:
    losses: list[LossOutcome] = field(default_factory=list)
    metrics: list[MetricOutcome] = field(default_factory=list)

    def to_json(self) -> dict:
        """Plain data for the JSON report (numbers rounded to 6 significant digits)."""
        from ..findings.finding import _plain

        def clean(d: dict) -> dict:
            return _plain({k: (float(f"{v:.6g}") if isinstance(v, float) and math.isfinite(v) else v)
                           for k, v in d.items()})

        return {"losses": [clean(asdict(o)) for o in self.losses], "metrics": [clean(asdict(o)) for o in self.metrics]}


def end_level(y: np.ndarray) -> float:
    """Where a curve ended: its last point on a handful of evaluations, else the median of the last
    few (a fifth of the points, 2 to 5), so that one noisy last step is not "the end"."""
    k = max(1, min(5, y.size // 5))
    return float(np.median(y[-k:]))


def _loss_outcome(s: Series, cc_loss: float | None) -> LossOutcome | None:
    c = curve(s)
    if c.n < 2:
        return None
    # Per-evaluation curves: the best is a point a person can point at; long noisy per-step curves:
    # the lowest of the smoothed block medians (one lucky batch is not "the best").
    long = c.n >= 30
    ib = int(np.argmin(c.smooth)) if long else int(np.argmin(c.y))
    best_x = float(c.xb[ib]) if long else float(c.x[ib])
    end = end_level(c.y)
    best = min(float(c.smooth[ib]) if long else float(c.y[ib]), end)
    return LossOutcome(s.name, s.role.value, c.n, float(c.head), best, best_x, end, cc_loss)


def _metric_outcome(run: Run, s: Series) -> MetricOutcome | None:
    c = curve(s)
    if c.n < 2 or s.higher_is_better is None:
        return None
    hib = bool(s.higher_is_better)
    y = c.y
    i = int(np.argmax(y) if hib else np.argmin(y))
    floor, source = None, ""
    if hib and s.metric in BOUNDED01:
        _, div = normalised_metric(c)
        if s.metric == "accuracy":
            cc = chance(run)
            if cc is not None:
                floor, source = div / cc.n, f"chance 1/{cc.n} ({cc.source})"
        elif s.metric in _ZERO_FLOOR:
            floor, source = 0.0, "nothing found or predicted"
    elif hib and s.metric == "bleu":  # BLEU, ROUGE, METEOR, chrF: 0 on either scale is no n-gram in common
        floor, source = 0.0, "no overlap with the references"
    return MetricOutcome(s.name, s.role.value, s.metric, hib, c.n, floor, source, float(y[0]), float(y[i]),
                         float(c.x[i]), end_level(y))


def assess(run: Run) -> Outcome:
    """Per loss: start, best, end; per task metric: its chance or floor, best and end."""
    cc = chance(run)
    out = Outcome()
    for role in LOSS_ROLES:
        for s in run.by_role(role):
            o = _loss_outcome(s, cc.chance_loss if cc else None)
            if o is not None:
                out.losses.append(o)
    for role in METRIC_ROLES:
        for s in run.by_role(role):
            o = _metric_outcome(run, s)
            if o is not None:
                out.metrics.append(o)
    return out


# ---------------------------------------------------------------- the safety net

def _val_rose_every_time(run: Run) -> Finding | None:
    """Too few evaluations for the overfitting rule (3-5), but each one after the best is worse,
    ending 20%+ above it, while the training loss fell 10%+ over the same span; or, without that
    order, every one after the best is 30%+ above it and the last 50%+ while training halved."""
    t, v = run.primary(Role.TRAIN_LOSS), run.primary(Role.VAL_LOSS)
    if t is None or v is None or adversarial(run):
        return None
    tc, vc = curve(t), curve(v)
    # Longer curves are the trend tests' (and early stopping's, stopped_after_turn, which weighs the
    # rise against the curve's own bumps): on 30 noisy evaluations a best two from the end followed
    # by two worse ones is chance about once in thirty runs, and says nothing on its own.
    if vc.n < 3 or vc.n > 5 or tc.n < 2 or not np.all(vc.y > 0):
        return None
    ib = int(np.argmin(vc.y))
    after = vc.y[ib:]
    t_at_best = float(np.interp(vc.x[ib], tc.x, tc.y))
    t_end = float(tc.y[-1]) if tc.n < 5 else end_level(tc.y)
    if after.size < 3 or not t_end <= 0.9 * t_at_best:
        return None
    every = bool(np.all(np.diff(after) > 0)) and after[-1] >= 1.2 * after[0]
    # Or a large effect that needs no ordering: every later evaluation 30%+ above the best, the last
    # 50%+, while training fell to half its level at the best or below (a gap opening by a factor).
    large = float(np.min(after[1:])) >= 1.3 * after[0] and after[-1] >= 1.5 * after[0] and t_end <= 0.5 * t_at_best
    if not (every or large):
        return None
    said = "got worse at every evaluation after its best" if every else "stayed far above its best at every later evaluation"
    return make("overfitting", f"{v.name} {said} ({fmt(float(after[0]))} at "
                f"{fmt(float(vc.x[ib]))} -> {fmt(float(after[-1]))}, +{after[-1] / after[0] - 1:.0%}) while {t.name} "
                f"fell {fmt(t_at_best)} -> {fmt(t_end)}", series=[t.name, v.name],
                steps=[float(vc.x[ib]), float(vc.x[-1])],
                evidence={"best_step": float(vc.x[ib]), "best_val_loss": float(after[0]), "val_end": float(after[-1]),
                          "val_points_after_best": int(after.size - 1), "train_at_best": t_at_best,
                          "train_at_end": t_end, "judged_on": "outcome (too few evaluations for the trend test)"},
                causes=["the model memorises the training set: training for too long for this data",
                        "too little regularisation", "a learning rate that is still high late in fine-tuning"],
                fixes=[f"keep the checkpoint from step {fmt(float(vc.x[ib]))}", "evaluate more often to see the turn",
                       "fewer epochs, or weight decay / dropout"])


_BOX_PART = re.compile(r"(^|[^a-z])(box|bbox|dfl|giou|l1)(_?loss)?([^a-z]|$)")


def _empty_loss_part(run: Run) -> str | None:
    """A training loss part that is exactly 0 at every one of 3+ logged points while another part
    moves: a detector's box (or DFL) loss is 0 only when no ground-truth box reaches it (empty or
    unmatched label files), so the falling part is learning nothing the task metric can see."""
    parts = [s for s in run.by_role(Role.TRAIN_LOSS) if curve(s).n >= 3]
    # Box-regression parts only: an unused term (YOLOv8-pose's kobj_loss) is 0 in healthy runs too.
    zero = [s for s in parts if _BOX_PART.search(s.name.lower()) and np.all(curve(s).y == 0.0)]
    moving = [s for s in parts if float(np.ptp(curve(s).y)) > 0]
    return zero[0].name if zero and moving else None


_CLS_PART = re.compile(r"(^|[^a-z])(cls|class)(_?loss)?([^a-z]|$)")
CLASS_STILL = 0.9  # the class part ended at 90%+ of its early level ...
BOX_FELL = 0.6  # ... while the box part ended at 60% or less of its own


def _early_to_end(c: Curve) -> float:
    """Where a curve ended over the highest of its first three points (a warm-up bump is the start)."""
    top = float(np.max(c.y[:3]))
    return end_level(c.y) / top if top > 0 else math.nan


def _class_part_unmoved(run: Run) -> Finding | None:
    """A detector's held-out class loss that ended within 10% of its early level over 10+ evaluations
    while its held-out box loss fell to 60% or less: the model learned where the objects are and
    nothing about what they are. On the real-log dev split every healthy detector whose box loss fell
    that far ended its class loss at 65% of its early level or lower (a class head learns as soon as
    objects are found); the class part only stays put when the class labels carry no consistent
    signal (ids shuffled or remapped between files, names in data.yaml not matching the label ids)."""
    vals = [s for s in run.by_role(Role.VAL_LOSS) if curve(s).n >= 10]
    cls = [s for s in vals if _CLS_PART.search(s.name.lower())]
    box = [s for s in vals if _BOX_PART.search(s.name.lower()) and s not in cls]
    if len(cls) != 1 or not box:
        return None
    cc, bc = curve(cls[0]), curve(box[0])
    if not (np.all(cc.y > 0) and np.all(bc.y > 0)):
        return None
    rc, rb = _early_to_end(cc), _early_to_end(bc)
    if not (rc >= CLASS_STILL and rb <= BOX_FELL):
        return None
    f = make("no-learning", f"{cc.name} ended at {rc:.0%} of its early level ({fmt(float(np.max(cc.y[:3])))} -> "
             f"{fmt(end_level(cc.y))}) over {cc.n} evaluations while {bc.name} fell to {rb:.0%}: the detector learned "
             "where the objects are, not what they are", series=[cc.name, bc.name], steps=list(cc.span),
             evidence={"class_end_over_early": rc, "box_end_over_early": rb, "evaluations": cc.n,
                       "judged_on": "outcome (class part of a detector's loss)"},
             causes=["class labels that carry no consistent signal: class ids shuffled or remapped between label "
                     "files, or the names in the dataset config not in the order of the label ids",
                     "classes that cannot be told apart at this resolution, or one class for objects that differ",
                     "a class loss weight near 0"],
             fixes=["count the labels per class id in the training and validation label files and compare with "
                    "the dataset config", "plot a few labelled boxes with their class names over the images",
                    "train on two clearly different classes first: the class loss must fall"])
    f.verdict = "problem"
    f.verdict_reason = "the class loss did not fall while the box loss did"
    return f


def _metric_at_floor(run: Run, out: Outcome) -> Finding | None:
    """A task metric that never left its floor (mAP 0, F1 0) over 5+ evaluations while a loss fell 20%+.

    With a loss part exactly 0 throughout (no targets reach the loss), 3 evaluations are enough when
    the metric is exactly 0 at each of them: that is no slow start, there is nothing to find."""
    empty = _empty_loss_part(run)
    need = 3 if empty else 5
    falls = [o for o in out.losses if o.points >= need and o.start > 0 and o.end <= 0.8 * o.start]
    # A metric exactly 0 at every one of 5+ evaluations is no slow start: beside it, any loss whose fall
    # is significant in its own noise (a steady 16% over five evaluations) says the model changes.
    steady = [o for o in out.losses if o.points >= 5 and o.start > 0 and o.end < o.start
              and curve(run.series[o.series]).trend.falling(0.05, 0.05)]
    if not falls and not steady:
        return None
    def left_floor(m: MetricOutcome) -> bool:
        return m.best / normalised_metric(curve(run.series[m.series]))[1] > 0.01

    for m in out.metrics:
        if m.floor != 0.0 or m.points < need or not m.higher_is_better:
            continue
        s = run.series[m.series]
        if left_floor(m) or float(np.min(curve(s).y)) < 0:
            continue  # it moved; or COCO's -1 sentinel ("no objects of this size"), not a score
        if m.points < 5 and not np.all(curve(s).y == 0.0):
            continue
        if not falls and not (m.points >= 5 and np.all(curve(s).y == 0.0)):
            continue
        head = task_head(m.series)
        risen = [o for o in out.metrics if o.metric == m.metric and o is not m and o.higher_is_better and left_floor(o)]
        if any(task_head(o.series) == head for o in risen):
            continue  # a sibling (bbox mAP beside mAP_small) rose: the evaluator works, this slice is empty or hard
        dead_head = head is not None and bool(risen) and np.all(curve(s).y == 0.0)
        lo = falls[0] if falls else steady[0]
        # Held out, nothing moved: within 20% of its start, or (judged on steady falls) no steady fall of its own.
        held_flat = _held_out_loss_flat(run) if falls else (
            run.primary(Role.VAL_LOSS) is not None and not any(o.role == Role.VAL_LOSS.value for o in steady))
        if dead_head or held_flat:
            return _metric_never_learned(run, m, lo, head if dead_head else None, risen[0].series if dead_head else None)
        return make("loss-metric-mismatch", f"{m.series} never left {fmt(m.best)} in {m.points} evaluations while "
                    f"{lo.series} fell {lo.start:.4g} -> {lo.end:.4g}", series=[lo.series, m.series],
                    steps=[float(curve(s).x[0]), float(curve(s).x[-1])],
                    evidence={"metric_best": m.best, "metric_floor": m.floor, "metric_points": m.points,
                              "loss_start": lo.start, "loss_end": lo.end, "judged_on": "outcome",
                              **({"zero_loss_part": empty} if empty else {})},
                    causes=([f"{empty} is exactly 0 at every step: no ground-truth box reaches the loss (empty or "
                             "unmatched label files, wrong label folder or format)"] if empty else [])
                    + ["the metric is computed on something else than the loss: wrong label mapping, class ids "
                            "off by one, boxes in the wrong format or scale", "evaluation on an empty or wrong split",
                            "a confidence threshold that drops every prediction"],
                    fixes=["compute the metric by hand on a few predictions", "check the label/box format the "
                           "evaluator expects"])
    return None


# Ultralytics suffixes (B)ox, (M)ask, (P)ose and the words that name a head of a multi-task model: the
# mask or keypoint head is scored on the same objects as the box head, so it is no slice of the data.
_HEAD_SUFFIX = re.compile(r"\((m|p|k)\)\s*$")
_HEAD_WORDS = {"mask": "mask", "segm": "mask", "seg": "mask", "pose": "keypoints", "kpt": "keypoints",
               "keypoint": "keypoints", "keypoints": "keypoints", "kp": "keypoints"}


def task_head(name: str) -> str | None:
    """The head of a multi-task model a metric scores ("mask", "keypoints"), or None for the main one."""
    low = name.strip().lower()
    hit = _HEAD_SUFFIX.search(low)
    if hit:
        return {"m": "mask", "p": "keypoints", "k": "keypoints"}[hit.group(1)]
    return next((_HEAD_WORDS[t] for t in name_tokens(name) if t in _HEAD_WORDS), None)


def _held_out_loss_flat(run: Run) -> bool:
    """The primary held-out loss ended within 20% of its start (3+ evaluations): nothing held out moved.
    One that fell says the model generalises by the loss's reading, one that rose that the model fits
    its training set and changes (overfitting): beside a metric at its floor, both are the loss and
    the metric disagreeing. Without a held-out loss the training loss alone is what the metric
    contradicts."""
    v = run.primary(Role.VAL_LOSS)
    if v is None:
        return False
    c = curve(v)
    if c.n < 3 or float(c.head) <= 0:
        return False
    return 0.8 * float(c.head) < end_level(c.y) < 1.2 * float(c.head)


def _metric_never_learned(run: Run, m: MetricOutcome, lo: LossOutcome, head: str | None,
                          working: str | None) -> Finding:
    """A task metric at its floor for the whole run where nothing held out says the model learned: the
    held-out loss stayed within 20% of its start, or the metric is one head's (mask, keypoints) exactly 0 while the
    main head's sibling rose. Either way that task was never learned: no-learning, with the causes
    that leave a metric at zero rather than those of a slow start."""
    s = run.series[m.series]
    c = curve(s)
    if working is not None:
        title = (f"{m.series} was exactly 0 at all {m.points} evaluations while {working} rose: the {head} head "
                 f"never produced a correct prediction, though the rest of the model learned")
        causes = [f"the {head} labels are missing, empty or in the wrong format for this head (keypoint count or "
                  "order not matching the model's kpt_shape, masks not written, polygons read as boxes)",
                  f"the {head} loss is weighted to nothing or not connected to the head"]
    else:
        title = (f"{m.series} never left {fmt(m.best)} in {m.points} evaluations while the held-out loss did not "
                 f"fall 20% ({lo.series} {lo.start:.4g} -> {lo.end:.4g})")
        causes = ["the model predicts nothing of this class or region (background everywhere, every score under "
                  "the threshold)", "labels that do not match the inputs (wrong mask or label folder, class ids "
                  "beyond the ignore index)"]
    f = make("no-learning", title, series=[lo.series, m.series], steps=[float(c.x[0]), float(c.x[-1])],
             evidence={"metric_best": m.best, "metric_floor": m.floor, "metric_points": m.points,
                       "loss_start": lo.start, "loss_end": lo.end, "judged_on": "outcome (metric at its floor)",
                       **({"head": head, "working_sibling": working} if working else {})},
             causes=causes + ["the metric is computed on something else than the model's output (wrong label "
                              "mapping, ignore index, a confidence threshold that drops every prediction)"],
             fixes=[f"plot a few {head or 'validation'} labels over their images, and the model's predictions for "
                    "them", "compute the metric by hand on a few predictions", "overfit a handful of items first: "
                    "the metric must leave 0 there"])
    f.verdict = "problem"
    f.verdict_reason = "the task metric never left its floor"
    return f


def _rose_over_run(y: np.ndarray, p: float = 0.01) -> bool:
    """A rising trend over the whole run, significant on its own length: the exact Kendall test on
    a handful of evaluations, Mann-Kendall beyond. On 8 points of pure noise a low first point and
    a high last one make "3x the start" by chance; the order of the points in between does not."""
    yb = bin_median(np.arange(y.size, dtype=float), y)[1]
    if yb.size <= EXACT_MAX_N:
        return rise_p_exact(yb) < p
    z, pv = mann_kendall(yb)
    return z > 0 and pv < p


def _one_objective(run: Run, c: Curve) -> bool:
    """No logged loss weight switched on or moved by half over the curve's span (``_loss_weights``):
    only then are its start and end values of the same objective, to be compared."""
    from ._loss_weights import weight_step_between

    return weight_step_between(run, *c.span) is None


def _loss_far_from_progress(run: Run, out: Outcome) -> Finding | None:
    """The main loss ended far above where it started (divergence), or never once got below its
    start over a run long enough to judge (no-learning)."""
    got = _main_loss(run, out)
    if got is None:
        return None
    main, o, c = got
    if o.points < 4 or o.start <= 0:
        return None
    short = False
    if o.points < 6:
        # 4-5 evaluations: too few for a noise estimate, but a loss that rose at every one of
        # them (exact p = 1/n! <= 1/24 under random order) to 3x its start is no accident.
        short = bool(np.all(np.diff(c.y) > 0)) and rise_p_exact(c.y) <= 0.05
    if np.all(c.y > 0):
        sigma = jitter_sigma(np.log(c.y)) if o.points >= 6 else 0.0
        rose = short or (o.points >= 6 and _rose_over_run(c.y))
        if o.end >= 3.0 * o.start and math.log(o.end / o.start) > 4 * sigma and rose:
            every = f", rising at every one of its {o.points} evaluations" if o.points < 6 else ""
            return make("divergence", f"{main.name} ended at {fmt(o.end)}, {o.end / o.start:.3g}x where it started "
                        f"({fmt(o.start)}){every}", series=[main.name], steps=list(c.span),
                        evidence={"start": o.start, "best": o.best, "end": o.end, "judged_on": "outcome"},
                        causes=["learning rate too high", "numerical instability"],
                        fixes=["lower the learning rate", "clip gradients"])
    return _worse_than_guessing(main, o, c)


def _main_loss(run: Run, out: Outcome) -> tuple[Series, LossOutcome, Curve] | None:
    """The run's main loss (training, else validation) with its outcome and curve, when the run is no
    adversarial game and its start and end are values of one objective; else None."""
    main = run.primary(Role.TRAIN_LOSS) or run.primary(Role.VAL_LOSS)
    if main is None or adversarial(run):
        return None
    o = next((o for o in out.losses if o.series == main.name), None)
    if o is None:
        return None
    c = curve(main)
    return (main, o, c) if _one_objective(run, c) else None


def _worse_than_guessing_run(run: Run, out: Outcome) -> Finding | None:
    got = _main_loss(run, out)
    return _worse_than_guessing(*got) if got is not None else None


WORSE_THAN_GUESS = 2.0  # the later half's typical loss, this many times the loss of a uniform guess
GUESS_POINTS = 8


def _worse_than_guessing(s: Series, o: LossOutcome, c: Curve) -> Finding | None:
    """A classifier's cross-entropy that began at the loss of a uniform guess, ln(C), and spent the
    later half of the run at twice that or more, ending well above it. A model that has learned
    nothing scores ln(C); one that has learned something scores less; to score far more it must be
    confidently wrong, which is what weights thrown about by too large a step do (Adam at lr=2 on a
    GRU: 1.08 -> 13.9 -> 2.8 at ln 3 = 1.10). A first loss near ln(C) says the loss is a mean
    cross-entropy over C classes (a summed or weighted loss starts elsewhere and is not judged);
    the later half's median, not one point, says where the run spent its time."""
    if o.chance is None or o.chance <= 0 or o.points < GUESS_POINTS:
        return None
    if not any(0.5 <= v / o.chance <= 1.5 for v in (float(c.y[0]), o.start)):
        return None  # the first logged loss (at initialisation), or the smoothed start
    y = c.y[np.isfinite(c.y)]
    late = float(np.median(y[y.size // 2:]))
    if late < WORSE_THAN_GUESS * o.chance or o.end < 1.5 * o.chance:
        return None
    return make("divergence", f"{s.name} spent the later half of the run at {fmt(late)}, {late / o.chance:.2g}x the "
                f"loss of a uniform guess over the classes (ln C = {fmt(o.chance)}, where it started), and ended at "
                f"{fmt(o.end)}: the model is confidently wrong, worse than guessing", series=[s.name],
                steps=list(c.span), evidence={"start": o.start, "chance_loss": o.chance, "later_half_median": late,
                                              "end": o.end, "judged_on": "outcome: the loss against ln(C)"},
                causes=["learning rate too high: each step throws the weights past any minimum",
                        "exploding gradients", "labels that do not match the outputs"],
                fixes=["lower the learning rate (by 10x or more)", "clip gradients",
                       "check that the labels are class ids in the order the outputs use"])


_ERROR_RATES = {"wer", "cer", "error"}
# Where an error rate counts as "nothing right" at its best evaluation. A word or character error rate
# has no chance level: a transcript unrelated to the reference scores ~100% (more with insertions),
# and a recogniser that learned anything at all gets more than one word in twenty right, so a best
# WER/CER of 95%+ is an output that does not follow the audio or text. A bare classification error
# rate can sit near 1 - 1/k by chance on many classes: it must reach 99%.
_WORST = {"wer": 0.95, "cer": 0.95}


def _metric_curves(run: Run, roles, want, min_points: int):
    """(series, curve, values on the [0, 1] scale) of the metrics of ``roles`` that ``want`` accepts,
    with ``min_points`` finite points or more."""
    for role in roles:
        for s in run.by_role(role):
            if want(s):
                c = curve(s)
                if c.n >= min_points:
                    yield s, c, normalised_metric(c)[0]


def _error_rate_at_worst(run: Run) -> Finding | None:
    """A held-out error rate (WER, CER, error) at 100% at every one of 3+ evaluations, or a held-out
    accuracy at exactly 0 at every one of them: the model gets nothing right (an empty or constant
    output, as a CTC model emitting only blanks). A classifier guessing at random scores 1/k and one
    giving every item one class scores that class's share, so an accuracy of exactly 0 is worse than
    any guess: the held-out labels do not match what the model predicts (class order or mapping
    differs between the splits, or the held-out items are of classes never trained). With the
    validation loss flat or rising over the same evaluations the model sits at a trivial solution
    (``stuck-at-chance``); with it falling 20%+ the loss and the metric disagree
    (``loss-metric-mismatch``)."""
    def error_rate(s: Series) -> bool:
        return (s.metric in _ERROR_RATES and not s.higher_is_better) or (s.metric == "accuracy" and
                                                                          bool(s.higher_is_better))

    for s, c, y in _metric_curves(run, (Role.VAL_METRIC,), error_rate, 3):
        if s.higher_is_better:
            if not np.all(c.y == 0.0):
                continue
        elif float(np.min(y)) < _WORST.get(s.metric, 0.99) or float(np.ptp(y)) > 0.02:
            continue
        v = run.primary(Role.VAL_LOSS)
        vc = curve(v) if v is not None else None
        fell = vc is not None and vc.n >= 3 and float(vc.y[0]) > 0 and float(vc.y[-1]) <= 0.8 * float(vc.y[0])
        fid = "loss-metric-mismatch" if fell else "stuck-at-chance"
        loss = (f", while {v.name} went {fmt(float(vc.y[0]))} -> {fmt(float(vc.y[-1]))}" if vc is not None and vc.n >= 2
                else "")
        causes = ["the model's output is empty or constant (a CTC model emitting only blanks, a decoder "
                  "stopping at once)", "a learning rate too high or too low to leave the trivial output",
                  "labels or vocabulary not matching the model's output (a wrong tokenizer or character set)"]
        if s.higher_is_better:  # accuracy 0: worse than a guess, so the labels, not the output, come first
            causes = ["validation labels that do not match the training classes (class indices ordered differently "
                      "in the validation split, a wrong label column or mapping, classes never trained on)"] + causes[:2]
        elif fell and s.metric in ("wer", "cer"):
            # A held-out loss that fell while the transcripts stay wrong: the model fits the reference
            # tokens, so the metric's decoding, not the model, is the first suspect.
            causes = ["the metric decodes differently from what the loss scores: predictions or references decoded "
                      "with another tokenizer, -100 padding not replaced before decoding, language or task tokens "
                      "left in, or words split on spaces in a language written without them (Thai, Chinese, "
                      "Japanese: use CER)", "generation at evaluation differs from the teacher-forced loss (a "
                      "wrong forced language, a max length cutting every transcript)"] + causes[:1]
        worse = ", worse than any guess" if s.higher_is_better else ""
        total = s.higher_is_better or float(np.min(y)) >= 0.99
        wrong = "100% wrong" if total else f"at best {float(np.min(y)):.0%} wrong"
        f = make(fid, f"{s.name} was {fmt(float(np.median(c.y)))} ({wrong}) at all {c.n} evaluations{loss}: "
                 f"the model gets {'nothing' if total else 'almost nothing'} right{worse}",
                 series=[s.name] + ([v.name] if vc is not None else []),
                 steps=list(c.span), evidence={"metric": s.name, "evaluations": c.n, "level": float(np.median(c.y)),
                                               "judged_on": "outcome (error rate at its worst)"},
                 causes=causes,
                 fixes=["decode a few validation items by hand and look at the output", "check the vocabulary and "
                        "the label encoding against the model's output layer", "try a lower learning rate with "
                        "warm-up, and overfit a handful of items first"])
        f.verdict = "problem"
        f.verdict_reason = f"every evaluation scored {wrong}"
        return f
    return None


_EXACT_ERRORS = {"mae", "mse", "mape", "error", "wer", "cer"}


def _error_metric_exactly_zero(run: Run) -> Finding | None:
    """An error metric (MAE, RMSE, MAPE, an error rate) exactly 0 at every one of 3+ evaluations beside a
    loss of the same split that is above 0 at every point and moves. An error of exactly 0 means every
    prediction equals its target; a loss that is not 0 on the same data says they are not equal. The
    metric was never fed (a metric object read before its first update, or reset before it is read),
    or it compares the targets with themselves: a broken evaluation, not a perfect model."""
    zeros = [(s, c) for s, c, _ in _metric_curves(run, (Role.VAL_METRIC, Role.TRAIN_METRIC),
                                                  lambda s: s.metric in _EXACT_ERRORS and s.higher_is_better is False,
                                                  3) if np.all(c.y == 0.0)]
    for s, c in zeros:
        loss = run.primary(Role.VAL_LOSS if s.role == Role.VAL_METRIC else Role.TRAIN_LOSS)
        lc = curve(loss) if loss is not None else None
        if lc is None or lc.n < 3:
            continue
        lo, hi = c.span
        y = lc.y[(lc.x >= lo) & (lc.x <= hi)] if np.any((lc.x >= lo) & (lc.x <= hi)) else lc.y
        if not (np.all(y > 0) and float(np.ptp(lc.y)) > 0):
            continue
        zero = [z.name for z, _ in zeros if z.role == s.role]
        f = make("loss-metric-mismatch", f"{s.name} was exactly 0 at all {c.n} evaluations"
                 + (f" (as were {len(zero) - 1} other error metrics)" if len(zero) > 1 else "")
                 + f" while {loss.name} was {fmt(float(np.min(y)))} to {fmt(float(np.max(y)))}: an error of 0 means "
                 "every prediction is exact, which the loss says it is not", series=[s.name, loss.name],
                 steps=list(c.span), evidence={"metric": s.name, "zero_metrics": zero, "evaluations": c.n,
                                               "loss_min": float(np.min(y)), "loss_max": float(np.max(y)),
                                               "judged_on": "outcome (error metric exactly 0)"},
                 causes=["the metric is never fed: a metric object computed before its first update, or reset "
                         "before it is read (torchmetrics update/compute/reset order, a callback that logs a fresh "
                         "metric)", "the metric compares the targets with themselves or with a copy of them "
                         "(predictions overwritten by labels, the wrong output of a multi-output model)",
                         "the metric is computed on an empty batch or split and defaults to 0"],
                 fixes=["compute the metric by hand on one validation batch and compare with the logged value",
                        "check that the metric's update() receives the model's predictions and the targets, every "
                        "step, before it is computed and logged"])
        f.verdict = "problem"
        f.verdict_reason = "an error of exactly 0 beside a non-zero loss: the evaluation is broken"
        return f
    return None


def _agent_no_better(run: Run) -> Finding | None:
    """A reinforcement-learning agent whose score per episode (return, win or success rate) averaged
    no higher over the last third of 8+ logged points than over the first third, with no significant
    rise across the run: whatever its losses did (they chase moving targets), the agent plays no
    better than it did while still exploring at random."""
    if not scores_an_agent(run):
        return None
    from .agent_returns import MIN_GAIN_SHARE, late_climb_of, mean_of_every_episode, still_exploring

    exploring = still_exploring(run)
    for name in agent_scores(run):
        c = curve(run.series[name])
        if c.n < 8 or late_climb_of(c.y) is not None:  # climbing at last: a late start, not no learning
            continue
        if mean_of_every_episode(run, name):  # a cumulative mean: its thirds are not separate samples
            continue
        k = c.n // 3
        first, last = float(np.mean(c.y[:k])), float(np.mean(c.y[-k:]))
        # "No better" within the episodes' own noise: a last third a hair above the first (+1% on
        # returns that swing 6% from one episode to the next) is no learning either.
        se = math.sqrt((float(np.var(c.y[:k])) + float(np.var(c.y[-k:]))) / k)
        # While most actions are still random the return is a random policy's: only a gain of the size
        # the return rules count as skill learned (a quarter of its magnitude) says more than its drift.
        if exploring is not None:
            if last - first > max(2.0 * se, MIN_GAIN_SHARE * max(abs(first), abs(last))):
                continue
        elif last - first > 2.0 * se or (c.trend.z > 0 and c.trend.p < 0.05):
            continue
        if first - last > 2.0 * se:
            mismatch = _actor_improved_while_score_fell(run, name, c, first, last)
            if mismatch is not None:
                return mismatch
        f = make("no-learning", f"{name} averaged {fmt(last)} over the last third of the run, no better than over "
                 f"the first ({fmt(first)}; best {fmt(float(np.max(c.y)))}): the agent plays no better than while it "
                 "was exploring", series=[name], steps=list(c.span),
                 evidence={"first_third_mean": first, "last_third_mean": last, "best": float(np.max(c.y)),
                           "points": c.n, "judged_on": "outcome (agent score)"},
                 causes=["the value estimates do not carry a useful policy (target network, reward scale, discount)",
                         "exploration decayed before anything was learned", "an opponent or environment the "
                         "agent cannot beat at this capacity"],
                 fixes=["check the reward signal and its scale on a few episodes", "decay exploration more slowly",
                        "compare with a random and a scripted policy"])
        if exploring is not None:  # the schedule itself is the first suspect
            f.evidence["exploration_at_end"] = exploring[1]
            f.causes = [x for x in f.causes if not x.startswith("exploration decayed")]
            f.fixes = [x for x in f.fixes if not x.startswith("decay exploration more slowly")]
            f.causes.insert(0, f"exploration never decayed: {exploring[0]} is still {fmt(exploring[1])} at the end, "
                               "so most actions are random and the return is a random policy's")
            f.fixes.insert(0, f"decay {exploring[0]} per step rather than per episode, or faster (to about 0.05 over "
                              "the first 10-20% of training), and judge the greedy policy on separate episodes")
        f.verdict = "problem"
        f.verdict_reason = "the agent's score did not improve over the run"
        return f
    return None


def _ended_no_lower(run: Run, out: Outcome) -> Finding | None:
    """The main training loss ended within 10% of its start with no significant fall, and no rule
    said why. Info, "worth a look": on real logs (``bench/calibrate_outcome.py``)
    on the real-log dev split and the older labelled corpus this shape held on none of 127
    healthy files and on 18 of 94 problem files, but a warning fails the synthetic sweep: early
    prefixes of healthy noisy runs (a live run at 20%) end no lower than they started too.
    A warning when a logged accuracy ended no better than its start as well (``_accuracy_no_better``):
    0 of 230 healthy files, 10 of 223 problem files; or when the logged learning rate ran its schedule
    to the end (``schedule.schedule_ran_out``): a finished run, which no live prefix is."""
    main = run.primary(Role.TRAIN_LOSS)
    if main is None or adversarial(run) or reinforcement(run):
        return None
    o = next((o for o in out.losses if o.series == main.name), None)
    if o is None or o.points < 6 or o.start <= 0 or o.end < 0.9 * o.start:
        return None
    if not _one_objective(run, curve(main)):
        return None
    t = curve(main).trend
    if t.z < 0 and t.p < 0.05:
        return None  # a significant fall, however small: it learned something
    v = run.primary(Role.VAL_LOSS)
    if v is not None and curve(v).n >= 5:
        from .generalization import val_falls

        if val_falls(curve(v)):
            return None  # the held-out loss fell clearly: it learned; the training loss is noisy (dropout)
    from .logged_late import learned_before_logged

    if learned_before_logged(run, curve(main)) is not None:
        return None  # the held-out loss fell before the training loss was first logged
    acc = _accuracy_no_better(run)
    from .schedule import schedule_ran_out

    done = None if acc else schedule_ran_out(run, curve(main))
    why = (f", and {acc['series']} averaged {acc['second_half_mean']:.3g} over its second half, no higher than over its "
           f"first ({acc['first_half_mean']:.3g})" if acc else
           f", over a learning-rate schedule run to its end ({fmt(done['lr_peak'])} -> {fmt(done['lr_end'])})" if done
           else ", and no rule found a cause")
    f = make("no-learning", f"{main.name} ended at {fmt(o.end)}, no lower than it started ({fmt(o.start)}; best "
             f"{fmt(o.best)})" + why,
             severity=Severity.WARNING if acc or done else Severity.INFO,
             series=[main.name] + ([acc["series"]] if acc else []),
             steps=list(curve(main).span),
             evidence={"start": o.start, "best": o.best, "end": o.end, "judged_on": "outcome",
                       **({"accuracy": acc} if acc else {}), **({"schedule": done} if done else {})},
             causes=["a learning rate too low or too high to make progress", "noise larger than the progress "
                     "over this span", "a fine-tune starting at its floor (then the validation curve or task "
                     "metric improves)"],
             fixes=["compare with the loss of a run that learns; look at the validation curve and task metric"])
    if acc:
        f.verdict = "problem"
        f.verdict_reason = "neither the loss nor the accuracy ended better than it started: two readings of one failure"
        return f
    if done:
        f.verdict = "problem"
        f.verdict_reason = ("the learning-rate schedule ran to its end: a finished run, not the opening of a live one, "
                            "and its loss ended no lower than it started")
        return f
    f.verdict = "worth a look"
    f.verdict_reason = "the run did not end better than it started; nothing says it is broken, nothing says it learned"
    return f


def _accuracy_no_better(run: Run) -> dict | None:
    """A logged accuracy (6+ points) whose second half is no higher than its first (within one
    standard error), with no significant rise, and that ended low (under 0.6, where ``stalled`` too calls a model not working): a second,
    independent reading that the run learned nothing. A loss alone ending at its start is also a
    noisy prefix of a run that will learn (``bench/rules_sweep.py``); its accuracy would not stay
    at its start and low as well. A fine-tune already at its floor has a high accuracy."""
    for role in (Role.VAL_METRIC, Role.TRAIN_METRIC):
        got = accuracy_no_better(run, role, below=0.6)
        if got is not None:
            return got
    return None


def accuracy_no_better(run: Run, role: Role, below: float) -> dict | None:
    """The first accuracy of ``role`` (6+ points, on [0, 1]) whose second half is no higher than its
    first (within one standard error), with no significant rise, and that ended below ``below``."""
    for s, c, y in _metric_curves(run, (role,), lambda s: s.metric == "accuracy" and bool(s.higher_is_better), 6):
        if float(np.min(y)) < 0 or float(np.max(y)) > 1:
            continue
        # Halves, not end points: a batch accuracy jitters by many points, and its first value
        # alone is no level. "No higher": the second half's mean within one standard error.
        h = y.size // 2
        a, b = y[:h], y[h:]
        se = math.sqrt(float(np.var(a, ddof=1)) / a.size + float(np.var(b, ddof=1)) / b.size)
        t = c.trend
        if float(b.mean() - a.mean()) <= se and end_level(y) < below and not (t.z > 0 and t.p < 0.05):
            return {"series": s.name, "first_half_mean": float(a.mean()), "second_half_mean": float(b.mean()),
                    "end": end_level(y), "points": c.n}
    return None


_ACTOR_LOSS = re.compile(r"(?<![a-z])(actor_?loss|policy_?loss|loss_?pi|pi_?loss)$")


def _actor_improved_while_score_fell(run: Run, name: str, c, first: float, last: float) -> Finding | None:
    """The agent's score fell while its actor loss (minus the critic's value of the policy's actions,
    in DDPG, TD3 and SAC) fell significantly over the same run: the objective says the policy gets
    better while the returns say it gets worse, so the critic's values have drifted from the real
    returns. A score that merely stayed flat is no-learning's; one that fell against an improving
    objective is a mismatch between the two."""
    for s in run.by_role(Role.TRAIN_LOSS):
        if not _ACTOR_LOSS.search(s.name.lower().rsplit("/", 1)[-1]):
            continue
        lc = curve(s)
        if lc.n < 8:
            continue
        k = lc.n // 3
        a_first, a_last = float(np.mean(lc.y[:k])), float(np.mean(lc.y[-k:]))
        se = math.sqrt((float(np.var(lc.y[:k])) + float(np.var(lc.y[-k:]))) / k)
        if not (a_first - a_last > 2.0 * se and lc.trend.z < 0 and lc.trend.p < 0.05):
            continue
        f = make("loss-metric-mismatch", f"{s.name} fell {fmt(a_first)} -> {fmt(a_last)} (first third to last) while "
                 f"{name} fell {fmt(first)} -> {fmt(last)}: the objective improves while the agent's return gets "
                 "worse", series=[s.name, name], steps=list(c.span),
                 evidence={"loss_first_third_mean": a_first, "loss_last_third_mean": a_last,
                           "score_first_third_mean": first, "score_last_third_mean": last, "points": c.n,
                           "judged_on": "outcome (agent score against actor loss)"},
                 causes=["the critic overestimates: its values rise while the real returns fall (no target network, "
                         "a target updated too fast, no clipped double-Q)", "a reward scale or discount that makes the "
                         "value targets drift", "the policy exploits errors of the critic instead of the environment"],
                 fixes=["use target networks with a slow soft update (tau 0.005) and twin critics (TD3)",
                        "compare the critic's Q values with the real discounted returns of a few episodes",
                        "lower the actor's learning rate or update it less often than the critic"])
        f.verdict = "problem"
        f.verdict_reason = "the agent's return fell while its objective improved"
        return f
    return None


OPENING_SHARE = 0.02  # fell under 2% of its level after the opening tenth ...
OPENING_Z = 1.0  # ... and by less than one standard error of the difference: no fall beyond noise,
# where that standard error is under 1% of the level (a 2% fall would have shown at two of them)
# A model that learned and then stopped: its last fall beyond noise may come well before the end, the
# opening read as the first 1..4 tenths, so that the plateau holds 60% of the run or more
# (``bench/stalled_distributions.py``: on the dev split until 0b9c7f88 no healthy training-only run
# that was not alarmed already reads flat after any opening up to 5 tenths; of the 3,752 prefixes of
# healthy runs in ``bench/real_prefixes.py`` two read flat only after 5 tenths, none after 1..4).
STALLED_OPENING_TENTHS = 4
_TENTHS = {1: "nine tenths", 2: "eight tenths", 3: "seven tenths", 4: "six tenths"}


def flat_after_opening(y: np.ndarray, tenths: int) -> tuple[float, float] | None:
    """(share, z) of ``fall_after_opening`` when the curve fell under OPENING_SHARE and under
    OPENING_Z standard errors after its first ``tenths`` tenths, where the noise could have shown
    such a fall; None otherwise (a fall or a rise beyond 2% or beyond noise, or too short)."""
    from ..stats.after_start import fall_after_opening

    got = fall_after_opening(y, tenths)
    if got is None:
        return None
    share, z = got
    # "No fall beyond noise" says something only where the noise could have shown one: a fall of
    # OPENING_SHARE must be two standard errors or more (a diffusion loss, whose per-step values swing
    # by a third of their level, hides a 10% fall in its noise).
    resolution = abs(share / z) if z and math.isfinite(z) else 0.0
    if abs(share) >= OPENING_SHARE or abs(z) >= OPENING_Z or resolution > OPENING_SHARE / 2:
        return None
    return got


def _nothing_after_opening(run: Run) -> Finding | None:
    """A training loss (40+ points, no validation of any kind logged) that after the first tenth of
    the run fell by under 2% of its level and by less than its own noise (one standard error of the
    difference of the means of the remainder's first and last tenths, itself under 1% of the level,
    so that a 2% fall would have shown): whatever the opening did,
    nine tenths of the run taught the model nothing. ``stalled`` when the last tenth still sits 10%+
    below the start (the opening learned something), ``no-learning`` otherwise. On the dev split
    (``bench/never_learned_distributions.py``) this holds on 0 of 46 healthy training-only runs and
    on 4 of 13 never-learned ones; a healthy run keeps improving beyond its noise after its opening.
    A loss too noisy to resolve 2% (a diffusion loss; a per-batch loss swinging by a third) is left
    alone: there a prefix of a healthy run reads as flat too. Runs with a validation series are the pair
    rules' (``stalled``), where converged runs sit flat too.

    ``stalled`` is also read after a longer opening, of up to four tenths of the run: a model that
    learned (10%+ below its start, but not down to a twentieth of it: that has converged) and whose
    last fall beyond noise came that early spent the rest of the run at a level it no longer
    improved; a converged healthy run still creeps down beyond its noise (the selection rule and
    the table: ``bench/stalled_distributions.py``)."""
    if run.by_role(Role.VAL_LOSS) or run.by_role(Role.VAL_METRIC) or adversarial(run) or reinforcement(run):
        return None
    from ._common import warming_up

    main = run.primary(Role.TRAIN_LOSS)
    if main is None or warming_up(run):
        return None
    c = curve(main)
    if c.n < 40 or not _one_objective(run, c):
        return None
    # Learned in the opening: the last tenth 10%+ below the start (the first points' level, or the
    # first point: an opening fall can be over in two points).
    first, last = max(float(c.head), float(c.y[0])), float(np.mean(c.y[-max(3, c.n // 10):]))
    learned = last <= 0.9 * first
    from .stability import CONVERGED_SHARE

    if last <= CONVERGED_SHARE * first:
        return None  # at a twentieth of its start or less: converged, not a level far from a good one
    for tenths in range(1, STALLED_OPENING_TENTHS + 1 if learned else 2):
        got = flat_after_opening(c.y, tenths)
        if got is not None:
            break
    else:
        return None
    share, z = got
    x_open = float(c.x[c.n * tenths // 10])
    rest = _TENTHS[tenths]
    rule_id = "stalled" if learned else "no-learning"
    f = make(rule_id, f"{main.name} fell {share:+.1%} over the last {rest} of the run (from {unit(c)} "
             f"{fmt(x_open)} to {fmt(float(c.x[-1]))}; {z:+.2f} standard errors): "
             + ("after its opening fall the model learned nothing more" if learned else "the model learned nothing"),
             series=[main.name], steps=[x_open, float(c.x[-1])],
             evidence={"fall_after_opening": round(share, 5), "fall_over_standard_error": round(z, 3),
                       "start": first, "last_tenth_mean": last, "points": c.n, "opening_tenths": tenths,
                       "judged_on": "outcome (training loss after its opening "
                                    + ("tenth)" if tenths == 1 else f"{tenths} tenths)")},
             causes=(["a learning rate too low to move further (or decayed too early), or too high to settle",
                      "a model too small for the task", "inputs not normalised, or features that do not carry the "
                      "target"] if learned else
                     ["a learning rate far too small (or 0) for the scale of the loss", "parameters not updated "
                      "(not in the optimiser, frozen, detached)", "targets that do not depend on the inputs"]),
             fixes=["overfit a small subset first: the loss must fall well below this level",
                    "raise the learning rate (or try a range test), check that the optimiser steps",
                    "log a validation metric to tell a floor of the task from a model that stopped"])
    f.verdict = "problem"
    f.verdict_reason = f"{rest} of the run brought no fall beyond the loss's own noise"
    return f


def safety_net(run: Run, findings: list[Finding]) -> list[Finding]:
    """Findings for a visible failure that no rule named.

    A task metric that never left its floor while the loss fell is a failure of its own, whatever
    else was found (a detector whose loss spiked mid-run *and* whose mAP stayed 0 has two
    problems; the spike does not explain the mAP), so that check runs always, as does a classifier's loss far
    above a uniform guess's when nothing named its instability. The others stand in
    for a missing shape rule and run only when nothing at warning or above was found."""
    out = assess(run)
    if any(f.severity >= Severity.WARNING for f in findings):
        if any(f.id == "loss-metric-mismatch" for f in findings):
            return []
        f = _metric_at_floor(run, out) or _error_metric_exactly_zero(run)
        if f is None and not any(g.id in ("divergence", "lr-too-high", "nonfinite") for g in findings):
            f = _worse_than_guessing_run(run, out)  # more specific than a "no-learning" beside it
        return [f] if f is not None else []
    got = []
    for check in (lambda: _val_rose_every_time(run), lambda: _metric_at_floor(run, out),
                  lambda: _error_metric_exactly_zero(run),
                  lambda: _loss_far_from_progress(run, out), lambda: _agent_no_better(run),
                  lambda: _error_rate_at_worst(run), lambda: _class_part_unmoved(run)):
        f = check()
        if f is not None:
            got.append(f)
    if not got:  # an agent that learned and then lost it (one that never learned is _agent_no_better's)
        from .adversarial_pair import critic_silent_finding
        from .agent_returns import agent_collapse_finding

        f = agent_collapse_finding(run) or critic_silent_finding(run)
        if f is not None:
            got.append(f)
    if not got and not any(f.id in ("no-learning", "stuck-at-chance", "late-start", "too-short") for f in findings):
        from .unmoved_accuracy import unmoved_accuracy

        f = _nothing_after_opening(run) or _ended_no_lower(run, out) or unmoved_accuracy(run)
        if f is not None:
            got.append(f)
    return got
