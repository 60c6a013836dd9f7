"""Keras training-loop misuse: the callbacks beside traindoc's, weights reset between epochs, layers after the output.

- ``sibling_callbacks`` reads the other callbacks of the same ``fit`` (the CallbackList that
  calls ours): an EarlyStopping's min_delta and patience are settings, readable without running
  anything. One whose min_delta is larger than an epoch's progress stops a run that is still
  improving, which the curves alone can only call "too short".
- ``WeightResets`` fingerprints the weights at the first batch of every epoch: weights exactly
  back at their starting values after an epoch that moved them mean the model was rebuilt or
  re-initialised (or reloaded from the same file) inside the epoch loop.
- ``StepWriteBacks`` fingerprints the weights at the start of each sampled step and of the step before it: a
  built-in Keras optimizer moves every weight that has a finite non-zero gradient and a non-zero rate (both read
  at that step), so weights equal before and after a step (at most sampled steps, after a first step that moved them) mean something that runs after
  the update writes them back: a callback copying an average or "best" weights into the model.
- ``layer_after_output_finding``: a Dropout (or noise) layer after the output layer randomises
  the predictions during training; after a softmax, Keras' cross-entropy renormalises rows that
  are all dropped as 0 / 0 (NaN).
"""

from __future__ import annotations

import math
import sys
from typing import Any

from ...findings import Finding, Severity
from .keras_config import _walk as _leaves

_STOCHASTIC = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
               "GaussianDropout", "AlphaDropout")
_WEIGHTLESS_OK = ("Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "Reshape", "Flatten", "Lambda",
                  "InputLayer", "Identity") + _STOCHASTIC


def _cause() -> str:
    from ...checks.structure import CAUSE

    return CAUSE


def sibling_callbacks(callback: Any, depth: int = 6) -> list[Any]:
    """The other callbacks of the ``fit`` that is calling ``callback`` now (read from the calling frames)."""
    frame = sys._getframe(1)
    for _ in range(depth):
        if frame is None:
            break
        owner = frame.f_locals.get("self")
        group = getattr(owner, "callbacks", None)
        if isinstance(group, list) and any(c is callback for c in group):
            return [c for c in group if c is not callback]
        frame = frame.f_back
    return []


_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "iou", "r2", "dice")


def _lower_is_better(monitor: str) -> bool:
    base = monitor[4:] if monitor.startswith("val_") else monitor
    return not any(k in base.lower() for k in _HIGHER_IS_BETTER)


def early_stop_finding(stoppers: list[Any], history: list[dict], planned: int | None, step: float) -> Finding | None:
    """too-short: an EarlyStopping stopped the run while its monitored value was still improving.

    Two settings do this. A mode against the metric's direction (mode='min' on an accuracy): each
    rise counts as a worsening. A min_delta larger than the run's progress per epoch (a delta
    copied from a run whose loss was in the tens): the value improved at every epoch of the
    patience window, each time by less than min_delta, so none counted. A run that stopped because
    the value got worse is not judged.
    """
    ran = len(history)
    if planned is None or ran >= planned:
        return None
    for es in stoppers:
        if type(es).__name__ != "EarlyStopping" or not getattr(es, "stopped_epoch", 0):
            continue
        monitor = getattr(es, "monitor", "val_loss")
        delta = abs(float(getattr(es, "min_delta", 0.0) or 0.0))
        patience = int(getattr(es, "patience", 0) or 0)
        values = [h.get(monitor) for h in history]
        if any(not isinstance(v, float) or not math.isfinite(v) for v in values) or len(values) < 2:
            continue
        natural = _lower_is_better(monitor)
        op = getattr(getattr(es, "monitor_op", None), "__name__", "")
        sign = 1.0 if natural else -1.0
        window = values[-(max(patience, 1) + 1):]
        gains = [sign * (a - b) for a, b in zip(window, window[1:])]
        if op in ("less", "greater") and (op == "less") != natural and gains and min(gains) > 0:
            return _mode_against(es, monitor, natural, gains, ran, planned, step)
        if delta <= 0 or not gains or min(gains) <= 0 or max(gains) >= delta:
            continue  # it got worse (a real stop) or one gain passed min_delta
        per = sum(gains) / len(gains)
        return Finding(
            "too-short", Severity.WARNING,
            f"EarlyStopping(monitor='{monitor}', min_delta={delta:g}, patience={patience}) stopped training after "
            f"{ran} of {planned} epochs while {monitor} was still improving, by about {per:.3g} per epoch: each gain was "
            "below min_delta, so none counted as an improvement",
            steps=[1.0, step],
            evidence={"subject": "early-stopping", "monitor": monitor, "min_delta": delta, "patience": patience,
                      "epochs_run": ran, "epochs_planned": planned, "gains": gains, _cause(): True},
            causes=[f"min_delta={delta:g} is larger than what an epoch gains on {monitor} ({per:.3g}): the stop "
                    "triggered on a run that was still learning"],
            fixes=[f"Set EarlyStopping's min_delta below the per-epoch gain (e.g. min_delta={_nice(per / 10)} or 0) and "
                   f"a patience of 3 or more, so early stopping waits for a real plateau."])
    return None


def _mode_against(es: Any, monitor: str, natural: bool, gains: list[float], ran: int, planned: int,
                  step: float) -> Finding:
    mode = getattr(es, "mode", "?")
    right = "min" if natural else "max"
    return Finding(
        "too-short", Severity.WARNING,
        f"EarlyStopping(monitor='{monitor}', mode='{mode}') stopped training after {ran} of {planned} epochs while "
        f"{monitor} was still improving: mode='{mode}' counts every {'fall' if natural else 'rise'} of {monitor} as a "
        "worsening",
        steps=[1.0, step],
        evidence={"subject": "early-stopping", "monitor": monitor, "mode": mode, "epochs_run": ran,
                  "epochs_planned": planned, "gains": gains, _cause(): True},
        causes=[f"{monitor} is better when {'lower' if natural else 'higher'}, but the callback was told mode='{mode}'"],
        fixes=[f"Set EarlyStopping's mode='{right}' (or 'auto', which reads it from the name) for {monitor}."])


def _nice(x: float) -> str:
    if x <= 0:
        return "0"
    return f"{10 ** math.floor(math.log10(x)):g}"


def fingerprint(model: Any) -> tuple[float, ...] | None:
    """Two sums per trainable weight: equal fingerprints mean (practically) equal weights."""
    import torch

    out: list[float] = []
    with torch.no_grad():
        for v in getattr(model, "trainable_weights", []):
            t = getattr(v, "value", v)
            if not isinstance(t, torch.Tensor):
                return None
            t = t.detach()
            out.append(float(t.sum()))
            out.append(float((t * t).sum()))
    return tuple(out) if out else None


class WeightResets:
    """Weights found back at their starting values at an epoch's first batch, after an epoch moved them."""

    def __init__(self) -> None:
        self.start: tuple[float, ...] | None = None
        self.moved = False  # the weights differed from the start at the last epoch end
        self.resets: list[int] = []  # epochs (0-based) that began from the starting weights
        self.epochs = 0
        self.off = False

    def batch_begin(self, model: Any, epoch: int, batch: int) -> None:
        if batch != 0:
            return
        fp = fingerprint(model)
        if epoch == 0 or self.start is None:
            self.start = fp
            return
        if fp is not None and self.moved and fp == self.start:
            self.resets.append(epoch)

    def epoch_end(self, model: Any, epoch: int) -> None:
        self.epochs = epoch + 1
        if self.start is not None:
            self.moved = fingerprint(model) != self.start

    def finding(self, step: float) -> Finding | None:
        later = self.epochs - 1  # epochs after the first
        if not self.resets or later < 2 or len(self.resets) < max(2, later // 2):
            return None
        shown = ", ".join(str(e + 1) for e in self.resets[:8]) + ("..." if len(self.resets) > 8 else "")
        return Finding(
            "no-learning", Severity.WARNING,
            f"the weights were back at their initial values at the start of epoch(s) {shown} ({len(self.resets)} of "
            f"{later} epochs after the first): every epoch trained from scratch, so the model never gets past its first "
            "epoch",
            steps=[1.0, step],
            evidence={"subject": "weights-reset", "reset_epochs": self.resets[:50], "epochs": self.epochs,
                      _cause(): True, "explains": ["no-learning", "stalled", "loss-spikes", "oscillation",
                                                   "resume-spike", "stuck-at-chance"]},
            causes=["the model is rebuilt (or re-initialised, or its weights reloaded from the same file) inside the "
                    "epoch loop, e.g. model = build_model() before each fit(..., epochs=1)"],
            fixes=["Build and compile the model once, outside the epoch loop, and call fit(epochs=N) once (or keep "
                   "calling fit on the same model); do not reset or reload its weights at each epoch."])


class StepWriteBacks:
    """Weights unchanged over single optimiser steps although the rate is non-zero (see the module doc)."""

    MIN_PAIRS = 6  # later sampled steps with a fingerprint of the step before
    SHARE = 0.75  # of them, the share at which the weights did not change

    def __init__(self) -> None:
        self.prev: tuple[int, tuple[float, ...]] | None = None
        self.first_moved: bool | None = None  # whether the first measured step changed the weights
        self.pairs = 0
        self.unchanged: list[int] = []
        self.off = False

    def batch_begin(self, model: Any, step: int, sampled: bool, before_sampled: bool, rate: float | None) -> None:
        """``step``: the step about to run (1-based); fingerprints at sampled steps and the steps before them."""
        if not (sampled or before_sampled):
            self.prev = None
            return
        fp = fingerprint(model)
        prev, self.prev = self.prev, ((step, fp) if fp is not None else None)
        if fp is None or prev is None or prev[0] != step - 1:
            return
        same = fp == prev[1]
        if self.first_moved is None:
            self.first_moved = not same
            return
        if rate is None or rate == 0.0 or not math.isfinite(rate):
            return  # a zero rate explains still weights (checks/lr_floor.py names it)
        from .keras_config import grad_norms

        g = grad_norms(model)  # the step's gradients, still on the weights until the next train_step
        if g is None or not (math.isfinite(g.global_norm) and g.global_norm > 0):
            return  # no gradient (dead units after a blow-up, NaN) also leaves a built-in step still
        self.pairs += 1
        if same:
            self.unchanged.append(step - 1)

    def finding(self, optimizer: Any, step: float) -> Finding | None:
        kind = type(getattr(optimizer, "inner_optimizer", None) or optimizer)
        if not kind.__module__.startswith("keras.") or not self.first_moved:
            return None  # a user's optimizer may skip weights on purpose; still from the start: no gradient
        if self.pairs < self.MIN_PAIRS or len(self.unchanged) < self.SHARE * self.pairs:
            return None
        return Finding(
            "update-ratio", Severity.ERROR,
            f"the weights were the same before and after {len(self.unchanged)} of {self.pairs} sampled steps although "
            f"{kind.__name__} ran with a non-zero rate: something writes them back after each update",
            steps=[float(self.unchanged[0]), step],
            evidence={"subject": "undone-updates", "pairs": self.pairs, "unchanged_at": self.unchanged[:20],
                      _cause(): True, "explains": ["no-learning", "stalled", "stuck-at-chance", "update-ratio"]},
            causes=["A callback (or code between fit calls) overwrites the weights after each update: an exponential "
                    "moving average with decay 1 (or close to it) copied back with set_weights, a 'restore best "
                    "weights' rule whose comparison is inverted so it restores every batch, or a load_weights inside "
                    "the loop."],
            fixes=["Find what overwrites the weights after each step and stop it: keep an average or the best "
                   "weights aside (evaluate or save with them), never set them into the model being trained; check "
                   "the comparison of a 'restore best' rule (loss < best)."])


def layer_after_output_finding(model: Any) -> Finding | None:
    """A Dropout or noise layer after the output layer: it randomises the predictions during training.

    Reported as wrong-output-activation (a function applied to the output), a named cause that
    explains the NaN, spike and stall symptoms it produces.
    """
    leaves = _leaves(model)
    last = max((i for i, lay in enumerate(leaves) if getattr(lay, "weights", None)), default=None)
    if last is None:
        return None
    tail = leaves[last + 1:]
    if any(type(lay).__name__ not in _WEIGHTLESS_OK for lay in tail):
        return None  # something we cannot read follows the last weighted layer
    noise = [lay for lay in tail if type(lay).__name__ in _STOCHASTIC]
    if not noise:
        return None
    outputs = getattr(model, "outputs", None) or []
    made_by = getattr(getattr(outputs[0], "_keras_history", None), "operation", None) if len(outputs) == 1 else None
    if made_by is not None and made_by is not tail[-1]:
        return None  # the layers' order is not the graph's: the model's output comes from elsewhere
    out = leaves[last]
    act = getattr(getattr(out, "activation", None), "__name__", "linear")
    acts = [getattr(getattr(lay, "activation", None), "__name__", "") for lay in tail
            if type(lay).__name__ == "Activation"] + ["softmax" for lay in tail if type(lay).__name__ == "Softmax"]
    act = next((a for a in acts if a), act)
    kind = type(noise[0]).__name__
    rate = getattr(noise[0], "rate", None) or getattr(noise[0], "stddev", None)
    spelled = f"{kind}({rate:g})" if isinstance(rate, (int, float)) else kind
    nan = " Keras' cross-entropy renormalises each row of probabilities by its sum, so a row whose outputs are all " \
          "dropped gives 0 / 0 (NaN)." if act == "softmax" and "Dropout" in kind else ""
    return Finding(
        "wrong-output-activation", Severity.ERROR if nan else Severity.WARNING,
        f"{spelled} comes after the output layer {out.name} ({act}): during training it randomly zeroes or perturbs "
        "the predictions themselves, so the loss is computed on corrupted outputs",
        steps=[1.0],
        evidence={"subject": "layer-after-output", "layer": noise[0].name, "output_layer": out.name,
                  "activation": act, _cause(): True,
                  "explains": ["nonfinite", "nonfinite-origin", "loss-spikes", "stalled", "val-without-train",
                               "stuck-at-chance", "no-learning", "oscillation", "high-initial-loss"]},
        causes=[f"a {kind} layer was appended as the model's last layer (meant as regularisation); it acts on the "
                f"output, not on a hidden layer.{nan}"],
        fixes=[f"Remove the {kind} after the output layer {out.name} (put dropout between the hidden layers, before "
               "the output layer)."])


MIN_CUTS = 2  # reductions, each made while the monitored value was still improving...
IMPROVING_CUTS = 2 / 3  # this share of the cuts at least came right after an improvement
MIN_FALL = 10.0  # ...that took the learning rate down at least this many times


def _counted_improvements(values: list[float], sign: float, delta: float) -> int:
    """Epochs after the first that ReduceLROnPlateau itself counted as an improvement (beat the best by min_delta)."""
    best, count = values[0], 0
    for v in values[1:]:
        if sign * (best - v) > delta:
            best, count = v, count + 1
    return count


def plateau_finding(reducers: list[Any], history: list[dict], rates: list[float], step: float) -> Finding | None:
    """lr-decay-too-fast: a ReduceLROnPlateau that cut the learning rate while the run was still improving.

    The callback cuts the rate when the monitored value has not improved for ``patience`` epochs;
    a mode against the metric's direction (mode='min' on an accuracy) or a min_delta larger than an
    epoch's gain makes every epoch look like a plateau, so the rate collapses while the run learns.
    ``rates``: the learning rate after each epoch end (after the callback acted).
    """
    plateau = next((r for r in reducers if type(r).__name__ == "ReduceLROnPlateau"), None)
    if plateau is None or len(rates) != len(history) or len(rates) < MIN_CUTS + 1:
        return None
    monitor = getattr(plateau, "monitor", "val_loss")
    values = [h.get(monitor) for h in history]
    if any(not isinstance(v, float) or not math.isfinite(v) for v in values) or not all(r > 0 for r in rates):
        return None
    natural = _lower_is_better(monitor)
    sign = 1.0 if natural else -1.0
    cuts = [e for e in range(1, len(rates)) if rates[e] < rates[e - 1] * 0.999]
    if len(cuts) < MIN_CUTS or rates[0] / rates[-1] < MIN_FALL:
        return None
    gains = [sign * (values[e - 1] - values[e]) for e in cuts]
    if sum(g > 0 for g in gains) < max(MIN_CUTS, IMPROVING_CUTS * len(cuts)):
        return None  # the cuts came at real plateaus or worsenings
    mode = str(getattr(plateau, "mode", "auto"))
    delta = abs(float(getattr(plateau, "min_delta", 0.0) or 0.0))
    against = mode in ("min", "max") and (mode == "min") != natural
    if against:
        why = f"mode='{mode}' counts every {'fall' if natural else 'rise'} of {monitor} as a worsening"
        fix = f"Set ReduceLROnPlateau's mode='{'min' if natural else 'max'}' (or 'auto') for {monitor}."
    elif delta > max(gains):
        if _counted_improvements(values[:cuts[0]], sign, delta):
            return None  # the callback saw its min_delta met before: it cut when the gains slowed, as it should
        why = f"min_delta={delta:g} is larger than what an epoch gains on {monitor} (up to {max(gains):.3g})"
        fix = (f"Set ReduceLROnPlateau's min_delta below the per-epoch gain (e.g. {_nice(max(gains) / 10)}) or to 0, "
               "and a patience of 3 or more.")
    else:
        why = f"patience={getattr(plateau, 'patience', '?')} reacts to every small wobble of {monitor}"
        fix = "Give ReduceLROnPlateau a patience of 3-5 epochs (and a cooldown) so it waits for a real plateau."
    return Finding(
        "lr-decay-too-fast", Severity.WARNING,
        f"ReduceLROnPlateau cut the learning rate {len(cuts)} times ({rates[0]:.3g} -> {rates[-1]:.3g}) at epochs where "
        f"{monitor} had just improved: {why}",
        steps=[1.0, step],
        evidence={"subject": "reduce-lr-on-plateau", "monitor": monitor, "mode": mode, "min_delta": delta,
                  "cut_epochs": cuts, "rates": rates[:50], _cause(): True},
        causes=[f"the plateau callback misreads {monitor}: {why}"],
        fixes=[fix])
