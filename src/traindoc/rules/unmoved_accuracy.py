"""A held-out accuracy that never improved while the training loss fell: the loss moved, the model's
predictions did not get better.

A falling loss is usually progress; but a loss can also fall back from a blow-up (a learning rate
far too high throws the model out in its first steps, then the decaying schedule lets it settle at
the class prior), and the accuracy, read on the same evaluations, shows it never learned. The
accuracy reading is ``outcome._accuracy_no_better`` (6+ evaluations, second half no higher than the
first, no rising trend, ended under 0.6).

Named ``lr-too-high`` when the log supports it: a logged rate that peaked at 0.05 or more (beyond
what Adam-type optimisers take, Hugging Face's default) and a training loss that climbed 20%+ above
its first value early on. Named ``no-learning`` when the training accuracy did not improve either
(short of 1.0): the predictions never changed. Without either, nothing is raised: the model may have
learned before the first evaluation (a real text log sat at 0.44 on ten classes from its first
evaluation on, with a noisy validation loss that fell). Used by ``outcome.safety_net`` only when no
rule found a warning.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding
from ..run import Role, Run
from ._common import adversarial, curve, fmt, loss_curve, make

HIGH_RATE = 0.05
EARLY_CLIMB = 1.2
TOP = 0.99  # a training accuracy at 1.0 has nothing left to gain: flat there is a fit, not no learning


def unmoved_accuracy(run: Run) -> Finding | None:
    from .outcome import _accuracy_no_better, accuracy_no_better

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
    # Without the rate's evidence, a held-out accuracy that did not rise after its first evaluation
    # says little: the model may have learned before it (a real log at 0.44 on ten classes did), and
    # its validation loss may be falling under the noise. Unless the training accuracy did not rise
    # either: a model that learned before the first evaluation still fits its training examples
    # better as its loss falls. Both flat (each second half within a standard error of its first),
    # short of a perfect score, while the loss fell 10%+: the loss fell by sharpening one unchanged
    # guess (the class prior), not by telling the classes apart. On the dev split
    # (``bench/never_learned_distributions.py``) no healthy run has both accuracies flat but runs
    # pegged at 1.0.
    train_acc = accuracy_no_better(run, Role.TRAIN_METRIC, below=TOP)
    if train_acc is None:
        return None
    f = make("no-learning", f"{seen}, and {train_acc['series']} did not improve either "
             f"({train_acc['first_half_mean']:.3g} -> {train_acc['second_half_mean']:.3g} by halves): the "
             "predictions never changed", series=[t.name, acc["series"], train_acc["series"]], steps=list(t.span),
             evidence=ev | {"train_accuracy": train_acc},
             causes=["the model predicts the same class (or class mix) throughout: the falling loss only calibrates "
                     "that guess towards the class prior", "labels that carry no signal the model can reach (shuffled "
                     "against the inputs, or inputs that do not reach the classifier)",
                     "a learning rate too small for anything but the output bias to move"],
             fixes=["count the predicted classes on a validation batch", "overfit a handful of training examples: "
                    "the training accuracy must reach 1", "check that inputs and labels stay paired in the loader"])
    f.verdict = "problem"
    f.verdict_reason = "neither the training nor the held-out accuracy improved while the loss fell"
    return f
