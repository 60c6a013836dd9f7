"""Gradients that are exactly zero at every sampled step, read from the watcher's gradient norms.

A gradient of exactly 0.0 (not None: backward reached the layer) on every sample is never a
matter of tuning: the loss does not depend on those weights. The evidence says where the
dependence is cut:

* every layer at once, with an output that takes only whole values: a ``torch.round``, a
  threshold or an ``argmax`` inside ``forward`` (their gradient is zero everywhere);
* some layers only, while the rest learn:
  - one of them ends in a single unit: a softmax (or other normalisation) over that size-1 axis
    is the constant 1 (attention scores of shape (batch, steps, 1) with ``softmax(dim=-1)``);
  - a recurrent layer run on a ``PackedSequence``: the part read after ``pad_packed_sequence``
    is padding (``out[:, -1]`` is zeros for every shorter sequence);
  - otherwise the layers' output does not reach the loss (multiplied by zero, masked away).

A layer that is dead (every ReLU after it off) also gets zero gradients; then dead-relu names
the cause and nothing is said here
(poor-initialization: the change is the initialisation). When no ReLU module shows it (``F.relu`` in ``forward``), the
layers' own biases can: all of them below zero (default initialisation gives both signs; the
layers never moved, so this is their start) put every pre-activation below 0, and dead-relu is
said here
(poor-initialization: the change is the initialisation).
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE, zero_gradients_finding

MIN_SAMPLES = 3  # sampled steps with a gradient of exactly zero before anything is said
DEAD = 0.99  # a layer this dead blocks the gradient itself


def zero_layers(series: dict, names: list[str]) -> tuple[list[str], bool] | None:
    """(layers whose gradient norm was 0.0 at every sample, whether that is every layer with a gradient)."""
    total = series.get("grad_norm")
    if total is None or len(total.values) < MIN_SAMPLES:
        return None
    if any(k.startswith("dead_frac/") and len(s.values) and float(s.values[-1]) >= DEAD for k, s in series.items()):
        return None
    zero, alive = [], 0
    for n in names:
        s = series.get(f"grad_norm/{n}")
        if s is None or len(s.values) < MIN_SAMPLES:
            continue
        if all(float(v) == 0.0 for v in s.values):
            zero.append(n)
        else:
            alive += 1
    if not zero:
        return None
    return zero, alive == 0


def whole_valued(output: Any) -> list[float] | None:
    """The distinct values of a float output that holds only whole numbers (0/1 from a round), else None."""
    import torch

    if not isinstance(output, torch.Tensor) or not output.is_floating_point() or output.numel() < 4:
        return None
    o = output.detach().float()
    if not bool(torch.isfinite(o).all()) or not bool((o == o.round()).all()):
        return None
    return sorted(float(v) for v in o.unique()[:6])


def all_zero_finding(output: Any, samples: int, step: float) -> Finding:
    values = whole_valued(output)
    if values is None:
        return zero_gradients_finding(samples, step)
    shown = ", ".join(f"{v:g}" for v in values)
    return Finding("zero-gradients", Severity.ERROR,
                   f"every gradient was exactly zero at all {samples} sampled steps, and the model's output takes only "
                   f"whole values ({shown}): it is rounded or thresholded inside forward",
                   steps=[1.0, step], evidence={"subject": "model", "batches": samples, CAUSE: True,
                                                "output_values": values},
                   causes=["torch.round, a comparison (> 0.5), floor or argmax in forward has a gradient of zero "
                           "everywhere: no weight ever changes and the loss stays where it started"],
                   fixes=["Return the probability (or logit) from forward and round only when predicting, outside "
                          "the loss: loss = BCEWithLogitsLoss()(logits, y); pred = (logits > 0).float().",
                          "For a hard output that must be trained, use a straight-through estimator: "
                          "p + (p.round() - p).detach()."])


def some_zero_finding(model: Any, zero: list[str], output_layer: str | None, packed: set[str], samples: int,
                      step: float) -> Finding:
    """frozen-parameters for layers that get an exactly-zero gradient while the others learn."""
    mods = dict(model.named_modules())
    one_unit = [n for n in zero if n != output_layer and _units(mods.get(n)) == 1]
    rnn = [n for n in zero if n in packed]
    shown = ", ".join(f"'{n}'" for n in zero[:6]) + (f" and {len(zero) - 6} more" if len(zero) > 6 else "")
    ev = {"subject": "zero-gradient-layers", CAUSE: True, "layers": zero[:20], "samples": samples}
    if one_unit:
        n = one_unit[0]
        return Finding("frozen-parameters", Severity.WARNING,
                       f"layer '{n}' has one output unit and its gradient was exactly zero at all {samples} sampled "
                       "steps, while other layers learn: its output does not change the loss",
                       steps=[step], evidence={**ev, "one_unit": n},
                       causes=[f"a softmax taken over the size-1 axis of '{n}''s output is the constant 1 (attention "
                               "scores of shape (batch, steps, 1) normalised with softmax(dim=-1)): every weight is 1 "
                               "and no gradient reaches the scores"],
                       fixes=["Take the softmax over the steps: torch.softmax(scores, dim=1) for (batch, steps, 1) "
                              "scores (never over an axis of size 1)."])
    if rnn:
        return Finding("frozen-parameters", Severity.WARNING,
                       f"the gradient of {shown} was exactly zero at all {samples} sampled steps, while the layers "
                       f"after them learn; '{rnn[0]}' runs on a packed sequence",
                       steps=[step], evidence={**ev, "packed": rnn[0]},
                       causes=["after pad_packed_sequence the positions past each sequence's length are padding: "
                               "out[:, -1] is a zero vector for every sequence shorter than the padded length, so the "
                               "head reads no information and no gradient flows back into the recurrent layer"],
                       fixes=["Classify from the last real step: the final hidden state h_n[-1] (out, (h_n, c_n) = "
                              "lstm(packed)), or gather out at lengths - 1."])
    negative = _negative_biases(mods, zero)
    if negative is not None:  # dead units born dead: the initialisation is the change to make
        ev["subject"] = "negative-bias-init"
        return Finding("poor-initialization", Severity.WARNING,
                       f"the gradient of {shown} was exactly zero at all {samples} sampled steps, while other layers "
                       f"learn, and every bias of these layers is below zero (largest {negative:.3g}): the ReLUs after "
                       "them never fire", steps=[step], evidence={**ev, "largest_bias": negative},
                       causes=["biases initialised below zero (nn.init.constant_(bias, -c), a 'bias shift' recipe) put "
                               "every pre-activation below 0; a ReLU (F.relu in forward) then outputs 0 and passes no "
                               "gradient, so these layers never move and the network works from its last layer only"],
                       fixes=["Initialise the biases to zero (nn.init.zeros_(layer.bias)) or keep the default "
                              "initialisation; He (kaiming) init for the weights of ReLU layers.",
                              "Or use LeakyReLU, which passes a gradient below zero."])
    return Finding("frozen-parameters", Severity.WARNING,
                   f"the gradient of {shown} was exactly zero at all {samples} sampled steps, while other layers learn: "
                   "their output does not reach the loss", steps=[step], evidence=ev,
                   causes=["the path from these layers to the loss is cut: their output is multiplied by zero, masked "
                           "away, read only at padded positions, or normalised over an axis of size 1"],
                   fixes=["Follow these layers' output to the loss and find where it stops mattering (print the "
                          "tensor there: constant or all zeros)."])


MIN_BIASES = 8  # units whose biases all sit below zero: default initialisation gives both signs


def _negative_biases(mods: dict, zero: list[str]) -> float | None:
    """The largest bias of the zero-gradient layers when every one of them has all its biases below zero
    (they never moved, so this is how they started), else None."""
    largest, count = None, 0
    for n in zero:
        b = getattr(mods.get(n), "bias", None)
        if b is None or not hasattr(b, "detach") or b.numel() == 0:
            return None
        top = float(b.detach().max())
        if top >= 0:
            return None
        largest = top if largest is None else max(largest, top)
        count += int(b.numel())
    return largest if count >= MIN_BIASES else None


def _units(m: Any) -> int | None:
    for attr in ("out_features", "out_channels", "hidden_size"):
        v = getattr(m, attr, None)
        if isinstance(v, int):
            return v
    return None


def record_packed_rnns(model: Any, wrap: Any) -> tuple[set[str], list]:
    """One-shot forward pre-hooks on recurrent layers: which ones are run on a PackedSequence."""
    from torch import nn

    packed: set[str] = set()
    handles: list = []
    for name, m in model.named_modules():
        if isinstance(m, nn.RNNBase):
            def hook(mod, args, _name=name):
                if args and isinstance(args[0], nn.utils.rnn.PackedSequence):
                    packed.add(_name)

            handles.append(m.register_forward_pre_hook(wrap(hook)))
    return packed, handles
