"""An accuracy read against the cross-entropy of the same split and the same evaluations.

Two identities tie them, whatever the class count:

- the Markov floor: a sample whose true class gets probability > 1/2 is classified correctly and
  costs < ln 2, and by Markov's inequality at most CE / ln 2 of the samples cost more, so
  accuracy >= 1 - CE / ln 2 on the same predictions (``markov_shortfall``). Label smoothing, mixup
  or a regulariser only raise the loss (a weaker floor), never lower it;
- the uniform guess: a model predicting the prior over C equal classes has CE = ln C and top-m
  accuracy m / C, i.e. accuracy = m * exp(-CE) without naming C (``uniform_ratio``).

Both hold for a plain cross-entropy only (``summed_loss``): a loss that adds a triplet, centre,
reconstruction, KL or regularisation term, or weights its cross-entropy by a factor, is no
cross-entropy, and a loss that is one of several logged parts may be the term that is not one.
Columns logged side by side for several folds, models, data sets or heads (``fold1_loss`` beside
``fold1_acc``, ``group_word``) are no parts of one loss: each loss is read with its own group's
accuracy (``same_group``).

``bench/metric_chance_distributions.py`` prints both over every dev run with such a pair.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..run import Role, Run, Series
from ..run.roles import is_loss_component, name_tokens, part_template
from ..stats.chance import top_m
from ._common import LOSS_ROLES, Curve, curve, normalised_metric

_SPLITS = ((Role.TRAIN_LOSS, Role.TRAIN_METRIC), (Role.VAL_LOSS, Role.VAL_METRIC))
_METRIC_ROLES = (Role.TRAIN_METRIC, Role.VAL_METRIC)
MIN_PAIRED = 3  # evaluations where both are logged: fewer say nothing about a level


# Words that name a term other than a classification cross-entropy (metric learning, auto-encoders,
# distillation, regularisers, margin or focal variants that re-weight it). A loss carrying one, or a
# run that logs one beside its loss, has no cross-entropy floor: the total need not bound the
# cross-entropy of the predictions the accuracy counts (weights below 1, a focal or margin variant).
OTHER_TERMS = frozenset({
    "triplet", "tri", "trip", "htri", "center", "centre", "cent", "cen", "contrastive", "supcon", "infonce", "nce",
    "arcface", "cosface", "sphereface", "circle", "margin", "focal", "dice", "reg", "regularization",
    "regularisation", "regulariser", "regularizer", "penalty", "wd", "ortho", "orthogonal", "aux", "auxiliary",
    "kl", "kld", "elbo", "vae", "recon", "rec", "reconstruction", "distill", "distillation", "kd", "mmd",
    "consistency", "adv", "adversarial", "vq", "commitment", "perceptual", "metric", "embedding", "mse", "mae",
    "l1", "l2", "sum", "total", "combined", "weighted", "joint"})


_INDEXED = re.compile(r"[a-z]+\d+")  # fold1, worker0, run2, seed3, model4: one of several parallel runs


def _qualifier(name: str) -> str | None:
    """The one word that qualifies a loss name (``part_template``): "font" of ``font_val_loss``."""
    template = part_template(name)
    if template is None:
        return None
    left = set(name_tokens(name)) - set(name_tokens(template.replace("*", " ")))
    return next(iter(left)) if len(left) == 1 else None


def _names_metrics(run: Run, word: str) -> bool:
    """Some task metric of the run carries ``word`` in its name (``font_val_acc`` for "font")."""
    return any(word in name_tokens(s.name) for r in _METRIC_ROLES for s in run.by_role(r))


def group_word(run: Run, loss: Series) -> str | None:
    """The word that makes ``loss`` one of several parallel evaluations logged side by side (a fold, a
    model, a data set, a task head), each with its own metrics: a qualifier that carries an index
    (``fold1_loss``) or that also names a task metric of the run (``font_val_loss`` beside
    ``font_val_acc``). A term of a composite loss has no accuracy of its own. None otherwise."""
    q = _qualifier(loss.name)
    if q is None or q in OTHER_TERMS:
        return None
    return q if _INDEXED.fullmatch(q) or _names_metrics(run, q) else None


def same_group(run: Run, loss: Series, metric: Series) -> bool:
    """``metric`` scores the predictions ``loss`` is computed on, as far as the names tell: a loss of a
    group of parallel columns (``group_word``) goes with the metrics of its own group only."""
    word = group_word(run, loss)
    return word is None or word in name_tokens(metric.name)


# Words of OTHER_TERMS that may still name cross-entropies: a total or a weighted sum of heads, an
# auxiliary head, a focal loss (at most the cross-entropy of each item).
_CROSS_ENTROPY_SUMS = frozenset({"sum", "total", "combined", "weighted", "joint", "aux", "auxiliary", "focal"})
# Words of OTHER_TERMS that a column which is no loss uses for other things (TensorBoard's hp_metric, a
# logged embedding_dim).
_NOT_TERMS_ELSEWHERE = frozenset({"metric", "embedding"})


def _other_losses(run: Run, loss: Series) -> list[Series]:
    """The run's other logged losses (every loss role), ``loss`` left out."""
    return [s for r in LOSS_ROLES for s in run.by_role(r) if s is not loss and len(s)]


def other_objective(run: Run, loss: Series) -> str | None:
    """The name that shows ``loss`` carries a term that is no cross-entropy at all (a triplet, KL,
    reconstruction, margin or regulariser term): its own name, another loss of the run naming one, or
    a column of the run that is neither a loss nor a metric naming one (a re-identification log's
    ``reg`` and ``mean_margin`` beside its ``train_loss``). A total of several heads' cross-entropies
    is not one (``loss_terms.summed_terms`` counts those)."""
    words = OTHER_TERMS - _CROSS_ENTROPY_SUMS
    for s in [loss] + _other_losses(run, loss):
        if set(name_tokens(s.name)) & words:
            return s.name
    for s in run.by_role(Role.OTHER):
        if len(s) and set(name_tokens(s.name)) & (words - _NOT_TERMS_ELSEWHERE):
            return s.name
    return None


def summed_loss(run: Run, loss: Series) -> str | None:
    """The name that shows ``loss`` is no plain cross-entropy: its own name carries another term, or
    the run logs a loss term beside it (a known part or a named term), or a sibling under the same name
    template (``Loss_t`` beside ``Loss_x``: two parts, neither the total). A sibling that is a parallel
    column (another fold, model, data set or head, ``group_word``) is no term of this loss. None:
    nothing says so."""
    if set(name_tokens(loss.name)) & OTHER_TERMS:
        return loss.name
    other = other_objective(run, loss)
    if other is not None:
        return other
    template = part_template(loss.name)
    for o in _other_losses(run, loss):
        if set(name_tokens(o.name)) & OTHER_TERMS or is_loss_component(o.name):
            return o.name
        if template is not None and part_template(o.name) == template \
                and (group_word(run, loss) is None or group_word(run, o) is None):
            return o.name
    return None


def loss_accuracy_pairs(run: Run) -> list[tuple[Curve, Curve, int]]:
    """(primary loss, accuracy, m of its top-m) of each split that logs both, held-out last."""
    out = []
    for loss_role, metric_role in _SPLITS:
        ls = run.primary(loss_role)
        if ls is None:
            continue
        lc = curve(ls)
        if lc.n < MIN_PAIRED or not np.all(lc.y >= 0):
            continue
        for s in run.by_role(metric_role):
            if s.metric != "accuracy" or not same_group(run, ls, s):
                continue
            ac = curve(s)
            if ac.n >= MIN_PAIRED:
                out.append((lc, ac, top_m(s.name)))
    return out


def _paired(loss: Curve, acc: Curve, run: Run | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(steps, loss, accuracy on [0, 1]) at the accuracy's evaluations inside the loss's span; the loss
    there is the median of its points since the previous evaluation (the epoch's mean when the loss
    is per step), or its value interpolated when no point falls in between."""
    y01, _ = normalised_metric(acc, run)
    if y01.size == 0 or float(np.min(y01)) < 0.0 or float(np.max(y01)) > 1.0:
        return None
    inside = (acc.x >= loss.x[0]) & (acc.x <= loss.x[-1])
    xs, ys = acc.x[inside], y01[inside]
    if xs.size < MIN_PAIRED:
        return None
    ls = np.empty(xs.size)
    prev = -math.inf
    for i, x in enumerate(xs):
        w = (loss.x > prev) & (loss.x <= x)
        ls[i] = float(np.median(loss.y[w])) if w.any() else float(np.interp(x, loss.x, loss.y))
        prev = x
    return xs, ls, ys


def markov_shortfall(loss: Curve, acc: Curve, run: Run | None = None) -> dict | None:
    """How far a top-1 accuracy sits under 1 - CE / ln 2 over the second half of the paired
    evaluations (median), with the numbers for the evidence; None without three pairs."""
    if top_m(acc.name) != 1:
        return None
    got = _paired(loss, acc, run)
    if got is None:
        return None
    xs, ls, ys = got
    floor = 1.0 - ls / math.log(2.0)
    half = slice(xs.size // 2, None)
    short = floor[half] - ys[half]
    return {"shortfall": float(np.median(short)), "share_below": float(np.mean(short > 0.0)),
            "loss_half": float(np.median(ls[half])), "accuracy_half": float(np.median(ys[half])),
            "floor_half": float(np.median(floor[half])), "evaluations": int(xs.size),
            "steps": [float(xs[0]), float(xs[-1])], "loss": loss.name, "accuracy": acc.name}


def uniform_ratio(loss: Curve, acc: Curve, m: int, run: Run | None = None) -> dict | None:
    """The accuracy over m * exp(-CE) over the last third of the paired evaluations (median): about
    1 for a model guessing the prior over equal classes; with how far the loss ever fell below its
    first value."""
    got = _paired(loss, acc, run)
    if got is None:
        return None
    xs, ls, ys = got
    k = max(2, xs.size // 3)
    guess = np.minimum(1.0, m * np.exp(-ls))[-k:]
    # A loss of hundreds of nats leaves exp(-CE) at 0: no accuracy is "at" that guess.
    ratio = float(np.median(ys[-k:] / guess)) if np.all(guess > 0.0) else math.inf
    first = float(loss.y[0])
    fall = 1.0 - float(np.min(ls)) / first if first > 0 else 0.0
    return {"ratio": ratio, "loss_level": float(np.median(ls[-k:])), "loss_fall": fall,
            "accuracy_end": float(np.median(ys[-k:])), "evaluations": int(xs.size), "m": m,
            "steps": [float(xs[0]), float(xs[-1])], "loss": loss.name, "accuracy": acc.name}
