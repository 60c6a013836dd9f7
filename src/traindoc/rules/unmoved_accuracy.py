"""A held-out accuracy that never improved while the training loss fell: the loss moved, the model's
predictions did not get better.

A falling loss is usually progress; but a loss can also fall back from a blow-up (a learning rate
far too high throws the model out in its first steps, then the decaying schedule lets it settle at
the class prior), and the accuracy, read on the same evaluations, shows it never learned. The
accuracy reading is ``outcome._accuracy_no_better`` (6+ evaluations, second half no higher than the
first, no rising trend, ended under 0.6).

Named ``lr-too-high`` when the log supports it: a logged rate that peaked at 0.05 or more (beyond
what Adam-type optimisers take, Hugging Face's default) and a training loss that climbed 20%+ above
its first value early on. Otherwise ``no-learning``, a warning: the run is not healthy, and the
finding says what was seen. Used by ``outcome.safety_net`` only when no rule found a warning.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding, Severity
from ..run import Role, Run
from ._common import adversarial, curve, fmt, loss_curve, make

HIGH_RATE = 0.05
EARLY_CLIMB = 1.2


def unmoved_accuracy(run: Run) -> Finding | None:
    from .outcome import _accuracy_no_better

    t = loss_curve(run, Role.TRAIN_LOSS)
    if t is None or adversarial(run) or t.head <= 0 or t.tail > 0.9 * t.head:
        return None  # a loss that did not fall is outcome._ended_no_lower's
    acc = _accuracy_no_better(run)
    if acc is None or run.series[acc["series"]].role != Role.VAL_METRIC:
        return None
    lr = run.primary(Role.LR)
    peak_lr = float(np.nanmax(curve(lr).y)) if lr is not None and curve(lr).n else float("nan")
    early = t.y[: max(3, t.n // 3)]
    climb = float(np.nanmax(early)) / float(t.y[0]) if float(t.y[0]) > 0 else 0.0
    seen = (f"{acc['series']} never improved ({acc['first_half_mean']:.3g} over its first half, "
            f"{acc['second_half_mean']:.3g} over its second; ended {acc['end']:.3g}) while {t.name} fell "
            f"{fmt(t.head)} -> {fmt(t.tail)}")
    ev = {"accuracy": acc, "train_start": t.head, "train_end": t.tail, "judged_on": "outcome"}
    if peak_lr >= HIGH_RATE and climb >= EARLY_CLIMB:
        f = make("lr-too-high", f"{seen}; the learning rate peaked at {fmt(peak_lr)} and {t.name} first climbed "
                 f"{climb:.2g}x above its first value", series=[t.name, acc["series"], lr.name],
                 steps=list(t.span), evidence=ev | {"peak_lr": peak_lr, "early_climb": climb},
                 causes=[f"the learning rate ({fmt(peak_lr)}) is far too high: the first steps threw the model out "
                         f"(the loss climbed), and the loss only fell back as the schedule lowered the rate, to "
                         f"where the model predicts the class prior, not to where it learned"],
                 fixes=["lower the learning rate 10-100x (Adam/AdamW: 1e-5 to 1e-3), then bisect",
                        "add warm-up and gradient clipping"])
        f.verdict = "problem"
        f.verdict_reason = "the accuracy never improved: the falling loss is the run recovering from its own steps"
        return f
    f = make("no-learning", seen, severity=Severity.WARNING, series=[t.name, acc["series"]], steps=list(t.span),
             evidence=ev, causes=["the loss fell to the class prior, not below it: the model predicts the class "
                                  "shares (a learning rate too high or too low, labels that do not follow the inputs)",
                                  "the accuracy is computed on something else than the loss (label mapping, "
                                  "argmax over the wrong axis)"],
             fixes=["overfit one batch; check a few (input, label) pairs by eye",
                    "compute the accuracy by hand on a few predictions"])
    f.verdict = "problem"
    f.verdict_reason = "the accuracy did not improve over the run although the loss fell"
    return f
