"""A first logged loss off the scale the run settles at, when no class count gives ln(C).

Without C there is no chance level to read the first loss against, but two bounds need none:

1. **Token cross-entropy above uniform over any vocabulary** (a Hugging Face Trainer log). The
   Trainer's ``loss`` is the model's own loss, a mean cross-entropy per token (or per item) for its
   language, sequence-to-sequence and classification heads, and its first logged value is the mean
   over the first ``logging_steps`` steps, not one batch. Uniform guessing over V tokens costs ln V,
   12.48 nats for 262,144 tokens, the largest vocabularies in use; an untrained head starts near
   ln V and a pretrained model at a few nats. A first mean above 12.48 that the run then brings down
   to a per-token level (under half that: a working language model sits at a few nats, a summed or
   CTC loss stays in the hundreds) says the first steps predicted worse than uniform guessing.
2. **A first interval two orders of magnitude above what follows.** A logged point is a mean over an
   interval (an epoch, ``logging_steps`` batches). When the first one is 100x or more both the next
   one and the held-out loss measured at the end of that same interval, the first batches cost
   orders of magnitude more than the scale the model reaches within one interval: outputs (or
   unnormalised targets) off scale at the start. On the real-log dev split no healthy run's first
   point is more than 44x its next (bench/initial_loss_distributions.py); learning that is merely
   fast drops a first epoch's mean 5-40x. A classifier (an accuracy logged beside a cross-entropy) whose
   first mean is below ln 2, the chance level of the fewest classes, was never off scale: its first
   interval already beat guessing, and a 100x ratio only says the next point came near 0.

Both are "worth a look", not "problem": the run recovered, but its first steps were spent undoing a
broken start, and whatever caused it (initialisation, scale, a loss summed instead of averaged) may
cost more elsewhere.
"""

from __future__ import annotations

import math

import numpy as np

from ..findings import Mark
from ..run import Role, Run
from ._common import Curve, cross_entropy_like, curve, fmt, make, unit

V_MAX = 262_144  # tokens: the largest vocabularies in wide use (Gemma 3); ln V_MAX = 12.48 nats
TOKEN_CEILING = math.log(V_MAX)
SETTLED = 0.5 * TOKEN_CEILING  # a level on the per-token scale: a summed or CTC loss never gets this low
CHANCE_FLOOR = math.log(2)  # the smallest chance level a classifier's cross-entropy can have (2 classes)
OFF_SCALE = 100.0  # two orders of magnitude; healthy dev runs reach 44x at most (see the module doc)


def _trainer_loss(run: Run) -> bool:
    """Whether the training loss is a Hugging Face Trainer's logged ``loss`` of a cross-entropy head:
    the Trainer's own log (or its ``logging_steps`` recorded beside another format), nothing naming a
    regression (``problem_type``, one label) or a loss that is not a cross-entropy."""
    hp = run.meta.hparams
    if run.format != "hf_trainer_state" and "logging_steps" not in hp:
        return False
    if str(hp.get("problem_type", "")).lower() == "regression" or hp.get("num_labels") == 1:
        return False
    return cross_entropy_like(run)


def token_ceiling_start(run: Run, c: Curve) -> dict | None:
    """A Trainer's first logged loss above ln(V_MAX) that later falls to the per-token scale."""
    if c.n < 2 or not _trainer_loss(run):
        return None
    first = float(c.y[0])
    later = c.y[1:]
    if not first > TOKEN_CEILING or not np.all(np.isfinite(later)):
        return None
    low = int(np.argmin(later)) + 1
    if float(c.y[low]) > SETTLED:
        return None
    high = int(np.sum(c.y[:low] > TOKEN_CEILING))  # how many logged points the high start lasts
    return {"first_loss": first, "ceiling": TOKEN_CEILING, "vocabulary_bound": V_MAX, "high_points": high,
            "settled_loss": float(c.y[low]), "settled_step": float(c.x[low]),
            "logging_steps": run.meta.hparams.get("logging_steps"), "steps": [float(c.x[0]), float(c.x[low])]}


def off_scale_interval(run: Run, c: Curve) -> dict | None:
    """A first logged point 100x or more both the next one and the held-out loss measured by then."""
    if c.n < 3:
        return None
    first, nxt = float(c.y[0]), float(c.y[1])
    if not (nxt > 0 and math.isfinite(first) and first >= OFF_SCALE * nxt):
        return None
    if _classifier(run) and cross_entropy_like(run) and first < CHANCE_FLOOR:
        # A classifier's first mean below ln 2, the lowest chance level of any class count, was already
        # better than guessing: the ratio measures how low the next point fell, not how high the start was.
        return None
    out = {"first_loss": first, "next_loss": nxt, "ratio_next": first / nxt, "steps": [float(c.x[0]), float(c.x[1])]}
    v = run.primary(Role.VAL_LOSS)
    if v is not None:
        vc = curve(v)
        by_then = vc.y[vc.x <= c.x[1]] if vc.n else vc.y
        if by_then.size:
            v0 = float(by_then[0])
            # A held-out loss as high as the first training mean says the model had not reached a lower
            # scale: the next training point is a collapse onto the training set (a floor), not the scale.
            if not (v0 > 0 and first >= OFF_SCALE * v0):
                return None
            out.update({"val_loss_by_then": v0, "ratio_val": first / v0})
    return out


def _finding(c: Curve, d: dict, title: str, judged_on: str, causes: list[str], fixes: list[str], mark: str,
             reason: str):
    """The worth-a-look high-initial-loss finding of either reading."""
    f = make("high-initial-loss", title, series=[c.name], steps=d["steps"], evidence={**d, "judged_on": judged_on},
             causes=causes, fixes=fixes, marks=[Mark("point", c.name, float(c.x[0]), label=mark)])
    f.verdict = "worth a look"
    f.verdict_reason = reason + ". The run recovered, but its start was broken"
    return f


def token_ceiling_finding(c: Curve, d: dict):
    steps = d["logging_steps"]
    over = f"the mean over the first {steps} steps (logging_steps)" if steps else "the mean over the first logged steps"
    return _finding(
        c, d, f"{c.name} starts at {fmt(d['first_loss'])}, above ln({V_MAX:,}) = {d['ceiling']:.2f}: worse than uniform "
        f"guessing over any vocabulary, then {fmt(d['settled_loss'])} by {unit(c)} {fmt(d['settled_step'])}",
        "the Trainer's first logged loss",
        ["a new or resized head (added tokens, a classification head) initialised too large: confident wrong "
         "predictions from the first step", "the loss summed over tokens or accumulated over steps instead of averaged",
         "labels not aligned with the inputs (padding not masked with -100, a wrong chat template), or a tokenizer "
         "that does not match the model", "half precision overflowing in the first steps"],
        ["log the loss of one batch before training: a pretrained model should give a few nats",
         "initialise new heads or embeddings small (the mean of the existing embeddings)",
         "check the labels of one batch (masked padding, the template's answer span) and the tokenizer",
         "a warm-up or a lower peak learning rate if the first steps blow up"], "first logged loss",
        f"the first logged loss is {over}: those steps averaged {fmt(d['first_loss'])} nats, more than uniform "
        f"guessing costs ({d['ceiling']:.2f}); a pretrained model starts at a few nats")


CLASSIFIER_CAUSES = [
    "a learning rate that blows the first steps up: a fresh classifier's cross-entropy is about ln C (a few nats), "
    "so a first interval averaging hundreds of nats means its outputs were thrown off scale within it",
    "initial weights or output scale too large: confident wrong outputs at the start", "inputs not normalised"]
CLASSIFIER_FIXES = ["lower the learning rate (or add a short warm-up and gradient clipping) and log the loss of the "
                    "first batches", "use variance-scaling initialisation (He / Xavier) with biases at 0; initialise "
                    "the last layer small", "normalise the inputs"]


def _classifier(run: Run) -> bool:
    """The run logs an accuracy beside its loss: a classifier, whose targets are labels, not raw values."""
    return any(s.metric == "accuracy" for s in run.series.values())


def off_scale_finding(c: Curve, d: dict, classifier: bool = False):
    u = unit(c)
    val = (f" and {d['ratio_val']:.3g}x the validation loss measured by then ({fmt(d['val_loss_by_then'])})"
           if "ratio_val" in d else "")
    f = _finding(
        c, d, f"{c.name} starts at {fmt(d['first_loss'])}, {d['ratio_next']:.3g}x its next point "
        f"({fmt(d['next_loss'])}){val}: the first batches were orders of magnitude off the scale the model reached",
        f"the first logged point (a mean over the first {u}) against what followed",
        ["targets not normalised (a regression on raw values): the first predictions are off by their whole scale",
         "initial weights or output scale too large: confident wrong outputs at the start", "inputs not normalised",
         "a learning rate that blows the first steps up before they settle"],
        ["normalise the targets (and the inputs); undo the scaling when predicting",
         "use variance-scaling initialisation (He / Xavier) with biases at 0; initialise the last layer small (for a "
         "regression: its bias at the targets' mean)", "a short warm-up or a lower learning rate for the first steps"],
        "first loss", f"the first logged point is a mean over the first {u}; at {d['ratio_next']:.3g}x what followed "
        f"(over {OFF_SCALE:g}x, beyond what fast learning gives) its first batches started off scale")
    if classifier:  # labels are no raw values to normalise: the first steps' own scale is the suspect
        f.causes, f.fixes = list(CLASSIFIER_CAUSES), list(CLASSIFIER_FIXES)
    elif (settled := float(np.median(c.y[1:]))) <= UNIT_SCALE:
        # After its first point the loss sits at the scale of unit-variance targets (predicting their mean
        # costs 1): targets on a raw scale keep the loss that large for many points, not for one. What
        # threw the first interval off is the first steps themselves.
        f.causes = [f"a learning rate that blows the first steps up before they settle: after its first point "
                    f"the loss sits at {fmt(settled)}, the scale of targets that are already "
                    "normalised", f.causes[1], f.causes[0], f.causes[2]]
        f.fixes = [f.fixes[2], f.fixes[1], f.fixes[0]]
    return f


UNIT_SCALE = 2.0  # a regression loss this low after the first point: the targets are not on a raw scale


def off_scale_start_finding(run: Run, c: Curve):
    """high-initial-loss with no class count: a Trainer's token bound, else the first interval's ratio."""
    d = token_ceiling_start(run, c)
    if d is not None:
        return token_ceiling_finding(c, d)
    d = off_scale_interval(run, c)
    if d is not None:
        return off_scale_finding(c, d, _classifier(run))
    return None
