"""A held-out accuracy that never improved while the training loss fell: the loss moved, the model's
predictions did not get better.

A falling loss is usually progress; but a loss can also fall back from a blow-up (a learning rate
far too high throws the model out in its first steps, then the decaying schedule lets it settle at
the class prior), and the accuracy, read on the same evaluations, shows it never learned. The
accuracy reading is ``outcome._accuracy_no_better`` (6+ evaluations, second half no higher than the
first, no rising trend, ended under 0.6).

Named ``lr-too-high`` when the log supports it: a logged rate that peaked at 0.05 or more (beyond
what Adam-type optimisers take, Hugging Face's default) and a training loss that climbed 20%+ above
its first value early on. Without that evidence nothing is raised: the model may have learned before
the first evaluation (a real text log sat at 0.44 on ten classes from its first evaluation on, with
a noisy validation loss that fell). Used by ``outcome.safety_net`` only when no rule found a warning.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding
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
    # Without the rate's evidence, an accuracy that did not rise after its first evaluation says
    # little: the model may have learned before it (a real log at 0.44 on ten classes did), and its
    # validation loss may be falling under the noise. No finding then.
    return None
