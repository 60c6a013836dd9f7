"""Loss weights logged beside the loss: a coefficient that is switched on or annealed mid-run.

A run that logs the weight of a loss term (a VAE's KL ``beta`` ramped 0 -> 1, a domain-adversarial
``dann_lambda`` switched on at epoch 5) changes what its loss measures while that weight moves: the
values before and after are values of different objectives. A step up of the loss at the epoch the
weight switched on is the new term joining, not an explosion; a reconstruction term held level or
pushed up while the KL weight grows is the trade-off the schedule asks for, not a model that learns
nothing. Rules that compare a loss with its own earlier levels read it only where the weight is fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..run import Role, Run, Series
from ..stats.exact import rise_p

# Names of a loss term's weight: beta (beta-VAE) and lambda / lambd (DANN, gradient reversal, any
# regulariser) alone or with a prefix, or a term's name joined to weight / coef / w / lambda / beta
# (kl_weight, adv_weight, ent_coef, loss_weight, lambda_gp, w_recon). A layer's weights ("weights/fc",
# "fc_weight_mean"), Adam's beta1/beta2, weight decay and update-to-weight ratios are not loss weights.
_TERM = (r"(kl|kld|adv|adversarial|dann|domain|grl|aux|auxiliary|recon|rec|reg|ent|entropy|vf|value|gp|cycle|cyc|idt"
         r"|identity|perceptual|style|content|consistency|contrastive|distill|kd|commit|commitment|loss)")
_WEIGHT = re.compile(r"(?<![a-z])(beta|lambda|lambd|lamb)(?![a-z0-9])"
                     rf"|(?<![a-z]){_TERM}_?(weight|coef|coeff|w|lambda|lambd|beta)(?![a-z0-9])"
                     rf"|(?<![a-z])(weight|coef|coeff|w|lambda|lambd|beta)_?{_TERM}(?![a-z0-9])")
_NOT_WEIGHT = re.compile(r"decay|update|ratio|norm|grad|(^|[^a-z])lr([^a-z]|$)|learning|momentum|beta_?[12]|class")

# A change of a weight by half its size or more (or from/to zero) changes the loss's definition.
STEP_FACTOR = 1.5
MIN_SETTLED = 6  # points after the weights settle for a rise there to be judged on its own


@dataclass
class WeightStep:
    """A loss weight that changed between two logged steps of the loss."""

    name: str
    before: float
    after: float


def _weight_series(run: Run) -> list[tuple[Series, np.ndarray, np.ndarray]]:
    """Logged loss weights that move during the run: (series, steps, values), finite, non-negative."""
    out = []
    for s in run.by_role(Role.OTHER):
        name = s.name.lower()
        if not _WEIGHT.search(name) or _NOT_WEIGHT.search(name):
            continue
        ok = np.isfinite(s.values) & np.isfinite(s.steps)
        x, y = s.steps[ok], s.values[ok]
        if y.size < 3 or float(np.min(y)) < 0 or float(np.ptp(y)) == 0.0:
            continue
        order = np.argsort(x, kind="stable")
        out.append((s, x[order], y[order]))
    return out


def _value_at(x: np.ndarray, y: np.ndarray, step: float) -> float | None:
    """The weight in force at ``step``: its last logged value at or before it."""
    i = int(np.searchsorted(x, step, side="right")) - 1
    return float(y[i]) if i >= 0 else None


def _changed(before: float, after: float) -> bool:
    if before == after:
        return False
    if min(before, after) == 0.0:
        return True
    return max(before, after) >= STEP_FACTOR * min(before, after)


def weight_step_between(run: Run, x0: float, x1: float) -> WeightStep | None:
    """A loss weight switched on, off, or changed by half or more between the loss's steps x0 and x1."""
    for s, x, y in _weight_series(run):
        a, b = _value_at(x, y, x0), _value_at(x, y, x1)
        if a is not None and b is not None and _changed(a, b):
            return WeightStep(s.name, a, b)
    return None


def settled_from(run: Run) -> tuple[str, float] | None:
    """(name, step) of the loss weight that moved last, and the step from which every logged loss
    weight holds its value to the end; None when no loss weight moves during the run."""
    last: tuple[str, float] | None = None
    for s, x, y in _weight_series(run):
        moves = np.flatnonzero(np.diff(y) != 0.0)
        step = float(x[int(moves[-1]) + 1])
        if last is None or step > last[1]:
            last = (s.name, step)
    return last


def rise_explained(run: Run, x: np.ndarray, y: np.ndarray, since: float) -> WeightStep | None:
    """The loss weight that moved between ``since`` (where a loss's rise began) and the loss's last
    step, when the loss (steps ``x``, values ``y``) does not rise on its own once every weight holds
    still (the rank test at 5% over MIN_SETTLED points or more after that); else None."""
    ws = weight_step_between(run, since, float(x[-1]))
    if ws is None:
        return None
    settled = settled_from(run)
    after = y[x >= settled[1]] if settled is not None else y[:0]
    if after.size >= MIN_SETTLED and rise_p(after) < 0.05:
        return None  # still rising on a fixed objective: a rise of its own
    return ws


def note_weight_change(run: Run, series: str, where: str, ws: WeightStep, finding: str,
                       how: str = "changed level at") -> None:
    """Say on the run why ``finding`` was not read across a loss weight's change: one note per series
    and finding, the newest kept (a live run diagnosed again and again must not pile them up as the
    weight keeps moving)."""
    from ._common import fmt

    tail = f"so {finding} is not read across it"
    note = (f"{series} {how} {where} while the loss weight {ws.name} went {fmt(ws.before)} -> {fmt(ws.after)}: the "
            f"loss changed definition there, {tail}")
    run.meta.notes[:] = [n for n in run.meta.notes if not (n.startswith(f"{series} ") and n.endswith(tail))]
    run.meta.notes.append(note)
