"""A classifier whose held-out loss never got clear of ln(k) while its held-out accuracy stayed near 1/k.

The held-out cross-entropy measures how much the model's predictions tell about the true class: a
uniform guess over k classes costs ln(k), and every nat below that is information gained. A run
whose validation loss stays within 15% of ln(k) in every third of the run has gained almost none,
whatever the training loss does; with the validation accuracy still near 1/k beside it (at most
twice chance) two independent readings agree that held-out predictions are at chance. The number of
classes comes from the log, else from the validation loss's first value (a fresh classifier head
starts at ln(k)) matched within 2% for 3 to 10 classes, with the first training loss at ln(k) too
(-5% to +10%: the mean of a first epoch that began at ln(k)); two classes are left out (class imbalance
puts a binary prior's loss anywhere under ln 2, so the band says less there).

``bench/metric_chance_distributions.py`` prints both readings over every dev run with a known or
matched k: on healthy runs with an accuracy the best third of the validation loss was at most 0.72
of ln(k) (and their accuracies 2.9x chance or more at k >= 3).
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Role, Run
from ..stats.chance import match_chance, top_m
from ._common import chance, cross_entropy_like, curve, loss_curve, normalised_metric, unit

MIN_EVALS = 10  # shorter runs are the short-run readings'
LOSS_BAND = (0.85, 1.25)  # every third's median validation loss within this multiple of ln(k)
FIRST_MATCH = 0.02  # the first validation loss within 2% of ln(k), when the log names no k
MAX_K = 10  # a first loss matched to ln(k) names k only while the ln grid is coarse
TRAIN_START = (0.95, 1.10)  # ... and the first training loss within this multiple of that ln(k)
MAX_TIMES_CHANCE = 2.0  # the validation accuracy at most twice 1/k ...
MAX_ABOVE_CHANCE = 0.25  # ... and at most 25 points above it


def held_out_reading(run: Run) -> dict | None:
    """(k, its source, validation loss thirds / ln k, accuracies / chance) of a run with a validation
    loss of MIN_EVALS points and k >= 3 known or matched; None otherwise. The bench prints it."""
    if not cross_entropy_like(run):
        return None
    v = loss_curve(run, Role.VAL_LOSS, MIN_EVALS)
    if v is None or not np.all(v.y > 0):
        return None
    cc = chance(run)
    if cc is None:
        cc = match_chance(float(v.y[0]), tolerance=FIRST_MATCH, max_classes=MAX_K)
        t = loss_curve(run, Role.TRAIN_LOSS, 1)
        # The first validation loss comes after a first epoch of training: ln(k) there is a
        # coincidence unless the first training loss (a fresh head's) starts at ln(k) too.
        if cc is None or t is None or not TRAIN_START[0] <= float(t.y[0]) / cc.chance_loss <= TRAIN_START[1]:
            return None
        source = (f"{v.name} started at {float(v.y[0]):.4g} and {t.name} at {float(t.y[0]):.4g}, both ~ ln({cc.n}) = "
                  f"{cc.chance_loss:.4g} (no class count in the log: matched)")
    else:
        source = cc.source
    if cc is None or not 3 <= cc.n <= 1000:
        return None
    k = cc.n
    ln = math.log(k)
    thirds = [float(np.median(part)) / ln for part in np.array_split(v.y, 3)]
    accs = []
    for s in run.by_role(Role.VAL_METRIC):
        if s.metric != "accuracy" or top_m(s.name) != 1:
            continue
        c = curve(s)
        y, _ = normalised_metric(c)
        if y.size >= 3 and float(np.min(y)) >= 0.0 and float(np.max(y)) <= 1.0:
            accs.append((s.name, float(np.median(y[-max(3, y.size // 3):]))))
    return {"classes": k, "source": source, "loss": v.name, "thirds": thirds, "accuracies": accs,
            "steps": list(v.span), "unit": unit(v)}


def held_out_at_chance(run: Run) -> dict | None:
    """stuck-at-chance evidence: every third of the validation loss within LOSS_BAND of ln(k) and every
    top-1 validation accuracy (one at least) near 1/k at its end."""
    r = held_out_reading(run)
    if r is None or not r["accuracies"]:
        return None
    k = r["classes"]
    lo, hi = LOSS_BAND
    if not all(lo <= t <= hi for t in r["thirds"]):
        return None
    most = min(MAX_TIMES_CHANCE / k, 1.0 / k + MAX_ABOVE_CHANCE)
    if not all(a <= most for _, a in r["accuracies"]):
        return None
    ln = math.log(k)
    level = min(r["thirds"]) * ln
    accs = ", ".join(f"{n} {a:.3g}" for n, a in r["accuracies"])
    return {"read": "throughout", "series": r["loss"], "level": level, "chance_loss": ln, "classes": k,
            "source": f"{r['source']}; its median never more than {1 - lo:.0%} under ln({k}) in any third of the "
                      f"run, with {accs} at the end (chance 1/{k} = {1 / k:.3g})",
            "held_out": True, "steps": r["steps"], "unit": r["unit"]}


PINNED_EVALS = 10  # evaluations of the held-out accuracy, from the first
PINNED_SHARE = 0.5  # median and spread within this share of the band a chance-level accuracy wanders
TRAIN_ABOVE = 0.25  # the same run's training accuracy ended this far above 1/k: it learned its rows
MAX_PINNED_K = 10  # 1/k and 1/(k+1) at least 0.009 apart, several times the pinned spread


def held_out_accuracy_pinned(run: Run) -> dict | None:
    """stuck-at-chance evidence that needs no loss (a summed loss has no ln k): a top-1 validation
    accuracy of PINNED_EVALS or more evaluations that sits at 1/k from its first evaluation, its
    median and the spread of its middle 80% within half the band an accuracy at chance wanders
    (``progress._flat_accuracy_band``: binomial noise of a few hundred items), while a training
    accuracy of the same run ended TRAIN_ABOVE or more above 1/k.

    Two accuracies of one model on two splits: the training one shows the optimisation works and the
    model fits its rows; the held-out one sat on 1/k, within sampling noise, at every evaluation, which
    a model that carried anything over to held-out rows does not do. A plateau of a learning model at
    1/k (a 4-class model at 25%) wanders by more than that, and its training accuracy stays near it."""
    from .progress import _flat_accuracy_band, _spread

    trained = []
    for s in run.by_role(Role.TRAIN_METRIC):
        c = curve(s)
        if s.metric == "accuracy" and top_m(s.name) == 1 and c.n >= 3:
            y, _ = normalised_metric(c)
            trained.append((s.name, float(np.median(y[-max(1, y.size // 3):]))))
    if not trained:
        return None
    for s in run.by_role(Role.VAL_METRIC):
        if s.metric != "accuracy" or top_m(s.name) != 1:
            continue
        c = curve(s)
        if c.n < PINNED_EVALS:
            continue
        y, _ = normalised_metric(c)
        if not np.all(np.isfinite(y)):
            continue
        med = float(np.median(y))
        if not 0.0 < med <= 0.5:
            continue
        k = int(round(1.0 / med))
        if not 2 <= k <= MAX_PINNED_K:
            continue
        band = PINNED_SHARE * _flat_accuracy_band(k)
        if abs(med - 1.0 / k) > band or _spread(y) > band:
            continue
        name, fit = max(trained, key=lambda t: t[1])
        if fit < 1.0 / k + TRAIN_ABOVE:
            continue
        return {"series": s.name, "level": med, "chance_accuracy": 1.0 / k, "classes": k,
                "source": f"{s.name} sits at {med:.3g} ~ 1/{k} at all {c.n} evaluations (middle 80% within "
                          f"{_spread(y):.2g}) while {name} ended at {fit:.3g} (no class count in the log: inferred)",
                "train_accuracy_series": name, "train_accuracy_end": fit, "steps": list(c.span), "unit": unit(c)}
    return None
