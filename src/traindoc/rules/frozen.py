"""A frozen model: the validation loss repeats one value to every logged digit, evaluation after
evaluation, to the end of the run.

A model whose weights move gives a (slightly) different held-out loss at every evaluation; the
same five-digit value at ten evaluations and more, half the run, means its predictions no longer
change at all: zero gradients (a training loss at exactly 0, saturated units), or an optimiser
that no longer steps. Read as ``stalled`` (the run stopped improving), with this evidence.
"""

from __future__ import annotations

import math

import numpy as np

from ..findings import Finding, Mark
from ..run import Role, Run
from ..stats import trend
from ._common import MIN_VAL_POINTS, curve, fmt, loss_curve, make, unit

MIN_FROZEN = 10  # evaluations in a row; and at least half of them
MIN_DIGITS = 4  # a value printed with 2-3 digits (0.31) repeats on any converged run


def significant_digits(v: float) -> int:
    """Digits a logged value carries (0.31323 -> 5, 1e-05 -> 1, 0.31 -> 2)."""
    if not math.isfinite(v) or v == 0.0:
        return 0
    mant = repr(abs(float(v))).split("e")[0].replace(".", "").lstrip("0")
    return len(mant.rstrip("0")) or 1


def _frozen_tail(y: np.ndarray) -> int:
    """How many points at the end repeat the last value exactly."""
    k = 1
    while k < y.size and y[-k - 1] == y[-1]:
        k += 1
    return k


def frozen_of(run: Run) -> dict | None:
    """The validation loss identical (nonzero, 4+ digits) at its last 10+ evaluations, half of
    them or more, while the training loss did not fall over that span and the LR (if logged) is
    not zero there: nothing the optimiser does reaches the model any more."""
    v = loss_curve(run, Role.VAL_LOSS, MIN_VAL_POINTS)
    t = loss_curve(run, Role.TRAIN_LOSS)
    if v is None or t is None:
        return None
    k = _frozen_tail(v.y)
    level = float(v.y[-1])
    if k < max(MIN_FROZEN, v.n // 2) or significant_digits(level) < MIN_DIGITS:
        return None
    since = float(v.x[-k])
    span = t.x >= since
    ty = t.y[span]
    if ty.size < MIN_VAL_POINTS:
        return None
    tr = trend(t.x[span], ty)
    if tr.falling(0.05, 0.01):
        return None  # training still learns: the evaluation is what is stuck (a stale checkpoint)
    lr = run.primary(Role.LR)
    if lr is not None:
        lc = curve(lr)
        on = lc.y[lc.x >= since]
        if on.size and float(np.max(on)) <= 0.0:
            return None  # the LR is zero: the schedule froze it
    return {"series": v.name, "train_series": t.name, "level": level, "evaluations_frozen": k, "of": v.n,
            "since": since, "end": v.span[1], "train_start_of_span": float(ty[0]), "train_end": float(ty[-1]),
            "train_ends_at_zero": bool(ty[-1] == 0.0), "unit": unit(v)}


def frozen_finding(fz: dict) -> Finding:
    """``stalled``, with the frozen span as evidence."""
    zero = f" while {fz['train_series']} went to exactly 0" if fz["train_ends_at_zero"] else ""
    f = make("stalled", f"{fz['series']} is exactly {fz['level']:.6g} at its last {fz['evaluations_frozen']} of "
             f"{fz['of']} evaluations ({fz['unit']} {fmt(fz['since'])}-{fmt(fz['end'])}){zero}: the model no longer "
             f"changes at all", series=[fz["series"], fz["train_series"]], steps=[fz["since"], fz["end"]],
             evidence={k: v for k, v in fz.items() if k not in ("series", "train_series", "unit")},
             causes=["no gradient reaches the weights: a training loss at exactly 0 (a task solved after one epoch: a "
                     "single class, duplicated or leaked validation data), or saturated units",
                     "the optimiser no longer steps: parameters frozen, a learning rate rounded to 0",
                     "the evaluation scores a stale checkpoint or the same cached predictions"],
             fixes=["check the class balance and that training and validation data do not overlap",
                    "check that the weights change between two evaluations",
                    "stop the run early: nothing after the freeze changes the model"],
             marks=[Mark("span", fz["series"], fz["since"], fz["end"], label="frozen")])
    f.verdict = "problem"
    f.verdict_reason = "every evaluation after the freeze gives the same loss to the last digit: training does nothing"
    return f


FROZEN_START_MIN = 4  # evaluations, every one of the run's
FROZEN_TRAIN_RTOL = 1e-5  # a training loss that moves only in its sixth digit: float rounding, not steps


def frozen_from_start(run: Run) -> dict | None:
    """The whole run frozen from its first evaluation, however short: the validation loss the same
    value to every logged digit (4+) at each of its 4+ evaluations, and the training loss within a
    hundred-thousandth of its level at each epoch. No trend test is needed for that: a model whose
    weights move gives a different held-out loss at the next evaluation, and two losses that agree
    to the digit from the start mean no step ever reached the model (the optimiser was given no or
    frozen parameters, a learning rate of 0, a loss detached from the graph). A run that logs no
    training loss at all is read on its validation loss alone: the same held-out loss to every digit
    at each evaluation is the same evidence that no step reached the model."""
    vs, ts = run.primary(Role.VAL_LOSS), run.primary(Role.TRAIN_LOSS)
    if vs is None:
        return None
    v = curve(vs)
    if v.n < FROZEN_START_MIN:
        return None
    level = float(v.y[0])
    if not np.all(v.y == level) or significant_digits(level) < MIN_DIGITS:
        return None
    if ts is None:
        return {"series": v.name, "train_series": None, "level": level, "evaluations_frozen": v.n, "of": v.n,
                "since": v.span[0], "end": v.span[1], "unit": unit(v)}
    t = curve(ts)
    if t.n < FROZEN_START_MIN:
        return None
    tl = float(np.median(t.y))
    if tl == 0.0 or float(np.ptp(t.y)) > FROZEN_TRAIN_RTOL * abs(tl):
        return None
    return {"series": v.name, "train_series": t.name, "level": level, "evaluations_frozen": v.n, "of": v.n,
            "train_level": tl, "train_relative_range": float(np.ptp(t.y)) / abs(tl), "since": v.span[0],
            "end": v.span[1], "unit": unit(v)}
