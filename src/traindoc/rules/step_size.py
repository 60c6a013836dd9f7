"""Learning-rate findings read from inside the model: the size of the steps, not the shape of the loss.

The schedule family judges the learning rate from the loss curve against the logged rate. A
watcher's log holds more direct evidence, the per-layer update-to-weight ratio and weight norms:

- **steps too large** (``lr-too-high``): from the first readings each step moved the weights by
  10% or more of their size, the weights grew tenfold or more, and training broke (layers whose
  gradient was alive fell to exactly zero, or the loss ended no lower than it began). The dead
  units, vanishing gradients and spikes that follow are symptoms of that one cause.
- **a rate decayed to nothing** (``lr-decay-too-fast``): the logged rate fell 100x below its peak
  in the first 60% of the run and the weights stopped moving with it (update ratio below 1e-5):
  the schedule switched learning off, whatever the loss curve looks like.

Both extend the rules of the same id (one rule per id): their findings are added to the others'.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable, Iterable

import numpy as np

from ..findings import Finding, Severity
from ..run import Role, Run, Series
from ..stats.input_scale import input_scale_reasons
from .internals import _layer_label
from .registry import RULES

BIG_STEP = 0.1  # an update of 10% of the weights' size per step
GROWTH = 10.0  # the weights' norm grew this much or more
DEAD_GRAD = 1e-12  # a layer gradient at or below this is exactly zero (float32)
COLLAPSE = 1e-2  # the rate fell to this share of its peak
FROZEN = 1e-5  # update ratio below this: the weights no longer move
EARLY_SHARE = 0.6  # the collapse happened in this first share of the run
CAUSE = "cause"  # the same evidence key as checks/structure.py: this finding explains its symptoms
# Recorded check findings that already name a structural or data cause; the steps blow up because of them.
_OTHER_CAUSES = ("label-problem", "wrong-output-activation", "double-softmax", "unnormalized-input", "zero-gradients")


def _layers(run: Run, prefix: str) -> dict[str, Series]:
    return {n[len(prefix):]: s for n, s in run.series.items()
            if n.startswith(prefix) and len(s) and s.role == Role.LAYER_STAT}


def _finite(s: Series) -> tuple[np.ndarray, np.ndarray]:
    m = s.finite
    return s.steps[m], s.values[m]


def _other_cause(run: Run) -> bool:
    """A structural or data cause was recorded, or the inputs themselves are unscaled."""
    if any(n.startswith(f"check/{cid}/") for n in run.series for cid in _OTHER_CAUSES):
        return True
    need = ("input_mean", "input_std", "input_min", "input_max")
    if all(n in run.series and len(run.series[n]) for n in need):
        med = {n: float(np.nanmedian(run.series[n].values)) for n in need}
        lo, hi = float(np.nanmin(run.series["input_min"].values)), float(np.nanmax(run.series["input_max"].values))
        return bool(input_scale_reasons(med["input_mean"], med["input_std"], lo, hi))
    return False


def _loss_did_not_fall(run: Run) -> tuple[bool, float, float]:
    loss = run.primary(Role.TRAIN_LOSS)
    if loss is None or len(loss) < 8:
        return False, math.nan, math.nan
    _, v = _finite(loss)
    if v.size < 8:
        return False, math.nan, math.nan
    k = max(2, v.size // 10)
    start, end = float(np.median(v[:k])), float(np.median(v[-k:]))
    return end >= 0.9 * start, start, end


def steps_too_large(run: Run) -> list[Finding]:
    """Updates of 10%+ of the weights from the start, weights grown 10x+, and training broken by it."""
    ratios, norms, grads = _layers(run, "update_ratio/"), _layers(run, "weight_norm/"), _layers(run, "grad_norm/")
    if len(ratios) < 1 or len(norms) < 1 or _other_cause(run):
        return []
    big = {}
    for n, s in ratios.items():
        _, v = _finite(s)
        if v.size >= 4:
            early = v[: max(2, v.size // 4)]
            big[n] = float(np.median(early))
    growth = {}
    for n, s in norms.items():
        _, v = _finite(s)
        if v.size >= 4 and v[0] > 0:
            growth[n] = float(v.max() / v[0])
    if not big or not growth:
        return []
    large = {n: r for n, r in big.items() if r >= BIG_STEP}
    grown = {n: g for n, g in growth.items() if g >= GROWTH}
    if len(large) * 2 < len(big) or len(grown) * 2 < len(growth):
        return []
    died = []
    for n, s in grads.items():
        _, v = _finite(s)
        if v.size >= 4 and v[0] > DEAD_GRAD and np.all(v[-3:] <= DEAD_GRAD):
            died.append(n)
    flat, start, end = _loss_did_not_fall(run)
    if not died and not flat:
        return []  # big steps that the model survived: the update-ratio rule judges the rate
    worst = max(grown, key=grown.get)
    s = norms[worst]
    lr = run.series.get("lr")
    rate = ""
    if lr is not None and len(lr) and np.isfinite(lr.values).any():
        rate = f" ({float(np.nanmax(lr.values)):.3g})"
    broke = []
    if died:
        broke.append(f"the gradients of {len(died)} layer(s) that were alive at the start fell to exactly zero")
    if flat:
        broke.append(f"the loss ended at {end:.3g}, no lower than its start ({start:.3g})")
    return [Finding(
        "lr-too-high", Severity.ERROR,
        f"the learning rate{rate} is too high: each early step moved the weights by {max(large.values()):.0%} of "
        f"their size and the weights of {_layer_label(worst)} grew {grown[worst]:.3g}x; " + " and ".join(broke),
        series=[f"weight_norm/{n}" for n in grown][:10] + [f"update_ratio/{n}" for n in large][:10],
        steps=[float(s.steps[0]), float(s.steps[-1])],
        evidence={"subject": "step-size", "early_update_ratio": large, "weight_growth": grown,
                  "dead_gradients": died[:20], "loss_start": start, "loss_end": end, CAUSE: True},
        causes=["each update is a large share of the weights (a healthy step is ~1e-3 of them): the weights are "
                "thrown far from where they started, units die or saturate and stop passing gradient"],
        fixes=[f"Lower the learning rate{rate} by 10-100x (an LR range test finds the usable band: traindoc check).",
               "Add warm-up and gradient clipping (clipnorm=1.0) so no single step can move the weights that far."])]


def rate_collapsed(run: Run) -> list[Finding]:
    """The logged rate fell 100x below its peak early in the run, and the weights stopped moving with it."""
    lr, ratios = run.series.get("lr"), _layers(run, "update_ratio/")
    if lr is None or len(lr) < 4 or not ratios:
        return []
    st, v = _finite(lr)
    if v.size < 4 or v.max() <= 0:
        return []
    peak_i = int(np.argmax(v))
    peak = float(v[peak_i])
    low = np.flatnonzero((v <= COLLAPSE * peak) & (np.arange(v.size) > peak_i))
    if not low.size or not np.all(v[low[0]:] <= COLLAPSE * peak):
        return []  # never collapsed, or rose again (a cyclic schedule or a restart)
    at = float(st[low[0]])
    loss = run.primary(Role.TRAIN_LOSS)
    end = float(loss.steps[-1]) if loss is not None and len(loss) else float(st[-1])
    first = float(loss.steps[0]) if loss is not None and len(loss) else float(st[0])
    if end <= first or (at - first) > EARLY_SHARE * (end - first):
        return []  # the rate reaches ~0 near the end of a planned schedule: that is how schedules end
    frozen = {}
    for n, s in ratios.items():
        rs, rv = _finite(s)
        after = rv[rs >= at]
        if after.size >= 2:
            frozen[n] = float(np.median(after))
    still = {n: r for n, r in frozen.items() if r < FROZEN}
    if not frozen or len(still) * 2 < len(frozen):
        return []
    final = float(v[-1])
    return [Finding(
        "lr-decay-too-fast", Severity.WARNING,
        f"the learning rate fell from {peak:.3g} to {final:.3g} by step {at:g} ({(at - first) / (end - first):.0%} "
        f"of the run), and the weights stopped moving with it (update ratio {min(still.values()):.2g}, a healthy "
        "level is ~1e-3)",
        series=["lr"] + [f"update_ratio/{n}" for n in still][:10], steps=[at, end],
        evidence={"subject": "lr-schedule", "lr_peak": peak, "lr_final": final, "lr_low_step": at,
                  "update_ratio_after": still, CAUSE: True},
        causes=["the schedule decays far too fast for the run's length: a decay meant per epoch applied every "
                "step (decay_steps=1), or a per-step factor that compounds to nothing"],
        fixes=["Decay per epoch, not per step: set the schedule's decay_steps to the steps per epoch (or decay over "
               "the whole run, e.g. cosine to the last step).",
               "With Adam, try a constant learning rate."])]


def _extend(rule_id: str, extra: Callable[[Run], Iterable[Finding]]) -> None:
    """Add ``extra``'s findings to the registered rule of the same id."""
    spec = RULES.get(rule_id)
    if spec is None or getattr(spec.func, f"_with_{extra.__name__}", False):
        return
    original = spec.func

    def func(run: Run) -> list[Finding]:
        found = list(original(run))
        return found + [f for f in extra(run) if f.severity >= Severity.WARNING]

    setattr(func, f"_with_{extra.__name__}", True)
    func.__name__ = getattr(original, "__name__", rule_id)
    RULES[rule_id] = replace(spec, func=func)


from . import model_checks as _model_checks  # noqa: E402,F401  (the rules this module extends must exist)
from . import schedule as _schedule  # noqa: E402,F401

_extend("lr-too-high", steps_too_large)
_extend("lr-decay-too-fast", rate_collapsed)
