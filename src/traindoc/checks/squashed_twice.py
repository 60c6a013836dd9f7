"""An output squashed twice: a sigmoid (or softmax) applied to what is already a probability (or a ReLU output).

Why: ``Dense(1, activation='sigmoid')`` followed by ``Activation('sigmoid')``, a network ending in
``nn.Sigmoid()`` whose forward (or the training loop) applies ``torch.sigmoid`` once more before
``nn.BCELoss``: the second sigmoid maps [0, 1] onto [0.5, 0.73], so no sample can be called negative
and the loss on negatives never falls below ln 2. A second softmax squeezes every class into a narrow
band around 1/C. Nothing errors; the curves only show a loss that will not fall. Two readings:

* Keras: the model's last layers, read from its structure (no call);
* torch: the values a probability loss (``nn.BCELoss``) is given, watched by a forward pre-hook on
  that loss module (two reductions per call, stopped after ``MAX_CALLS``): inputs held at 0.5 from
  below while the targets hold negatives are a sigmoid of a probability (at most sigmoid(1)) or of a
  ReLU output (up to 1), the same bug one layer earlier.
"""

from __future__ import annotations

import math
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE

SQUASHES = ("sigmoid", "softmax")
NON_NEGATIVE = ("relu", "relu6", "softplus", "exponential")  # a sigmoid of these lies in [0.5, 1)
LOW, HIGH = 0.5, 1.0 / (1.0 + math.exp(-1.0))  # sigmoid of [0, 1]
TOL = 1e-4
MIN_CALLS = 20  # loss calls seen before the value reading may judge
MAX_CALLS = 200  # the hook removes itself after this many calls
MIN_SPAN = 0.03  # the inputs spread at least this far above 0.5: not a constant output
PINNED = 0.005  # the lowest input within this of 0.5: the value under the sigmoid reaches 0 and never below


# ---------------------------------------------------------------- Keras: the last layers

def _tail(model: Any) -> list:
    """The layers leading to the model's one output, last first: a Sequential's list in reverse (nested ones
    opened up); for a Functional model the chain of producers behind its output, so the heads of a
    multi-output model are never read as one chain."""
    if type(model).__name__ == "Sequential":
        out: list = []
        for layer in reversed(getattr(model, "layers", []) or []):
            out += _tail(layer) if type(layer).__name__ in ("Sequential", "Functional") else [layer]
        return out
    outputs = getattr(model, "outputs", None) or []
    if len(outputs) != 1:
        return []
    chain: list = []
    op = _operation(outputs[0])
    while op is not None and len(chain) < 8:
        if type(op).__name__ in ("Sequential", "Functional"):
            chain += _tail(op)
            break
        chain.append(op)
        op = _operation(getattr(op, "input", None)) if len(getattr(op, "_inbound_nodes", [1])) == 1 else None
    return chain


def _operation(tensor: Any) -> Any:
    """The layer that produced a symbolic tensor (None for several tensors or a model input)."""
    try:
        hist = tensor._keras_history
    except Exception:
        return None
    op = hist[0] if hist else None
    return None if op is None or type(op).__name__ == "InputLayer" else op


def _squash(layer: Any) -> str | None:
    name = type(layer).__name__
    if name == "Softmax":
        return "softmax"
    act = getattr(layer, "activation", None)
    fn = getattr(act, "__name__", None) if act is not None else None
    return fn if fn in SQUASHES + NON_NEGATIVE else None


def keras_squashed_twice_finding(model: Any) -> Finding | None:
    """wrong-output-activation / double-softmax when the output's last two activations are both squashes."""
    chain: list[tuple[str, str]] = []  # (activation, layer) from the output backwards
    for layer in _tail(model):
        kind = type(layer).__name__
        if kind in ("Dropout", "ActivityRegularization"):
            continue  # identity at inference, not between the two squashes in any way that matters
        fn = _squash(layer)
        if fn is None or (not chain and fn not in SQUASHES):
            break
        chain.append((fn, f"{kind} '{layer.name}'"))
        if layer.weights or len(chain) == 2:
            break  # a weighted layer (Dense(..., activation=...)) ends the output's activation chain
    if len(chain) < 2:
        return None
    (outer, outer_layer), (inner, inner_layer) = chain[0], chain[1]
    if inner in NON_NEGATIVE:
        if outer != "sigmoid":
            return None  # a softmax of non-negative scores can still express any split
        fix = (f"remove the {inner} from {inner_layer} (no activation before the sigmoid), so the sigmoid is "
               "applied only once, to raw scores")
    else:
        fix = f"remove the extra {outer_layer.split()[0]} layer ({outer_layer}): apply the {inner} only once"
    return _finding(outer, inner, f"{inner_layer} then {outer_layer}", fix, "keras-output-squash")


def _finding(outer: str, inner: str, where: str, fix: str, subject: str, extra: str = "") -> Finding:
    fid = "double-softmax" if outer == "softmax" else "wrong-output-activation"
    if inner == "sigmoid" and outer == "sigmoid":
        effect = ("a sigmoid of a probability lies in [0.5, 0.73]: no sample can be predicted negative and the "
                  "loss on the negatives cannot fall below ln 2")
    elif inner in NON_NEGATIVE:
        effect = ("a sigmoid of a value that is never negative lies in [0.5, 1): no sample can be predicted "
                  "negative and the loss on the negatives cannot fall below ln 2")
    else:
        effect = (f"a {outer} of probabilities squeezes every output into a narrow band around an even split: "
                  "the loss has a high floor and a weak gradient")
    return Finding(fid, Severity.WARNING, f"the output is squashed twice: {inner}, then {outer} ({where})",
                   evidence={"subject": subject, CAUSE: True, "inner": inner, "outer": outer, **(
                       {"seen": extra} if extra else {})},
                   causes=[f"the {outer} is applied to what is already a {inner} output: {effect}"],
                   fixes=[fix[0].upper() + fix[1:] + "."])


# ---------------------------------------------------------------- torch: what a probability loss is given

class ProbabilityInputs:
    """Running range of the inputs and targets each ``nn.BCELoss`` inside the loss receives."""

    def __init__(self) -> None:
        self.lo: Any = None
        self.hi: Any = None
        self.tlo: Any = None
        self.calls = 0
        self.handles: list = []
        self.where = ""

    def hook(self, loss_fn: Any, wrap: Any) -> None:
        from torch import nn

        mods = [(n, m) for n, m in loss_fn.named_modules()] if isinstance(loss_fn, nn.Module) else []
        for name, mod in mods:
            if type(mod) is nn.BCELoss:
                self.where = f"{type(loss_fn).__name__}.{name}" if name else type(loss_fn).__name__
                self.handles.append(mod.register_forward_pre_hook(wrap(self._see)))
                return  # one probability loss is enough

    def _see(self, mod: Any, args: tuple) -> None:
        import torch

        if len(args) < 2 or not isinstance(args[0], torch.Tensor) or not isinstance(args[1], torch.Tensor):
            return
        with torch.no_grad():
            p, t = args[0].detach(), args[1].detach()
            lo, hi, tlo = p.amin(), p.amax(), t.amin()
            self.lo = lo if self.lo is None else torch.minimum(self.lo, lo)
            self.hi = hi if self.hi is None else torch.maximum(self.hi, hi)
            self.tlo = tlo if self.tlo is None else torch.minimum(self.tlo, tlo)
        self.calls += 1
        if self.calls >= MAX_CALLS:
            self.remove()

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def finding(self, step: float) -> Finding | None:
        self.remove()
        if self.calls < MIN_CALLS or self.lo is None:
            return None
        lo, hi, tlo = float(self.lo), float(self.hi), float(self.tlo)
        if not (LOW - TOL <= lo <= LOW + PINNED and tlo <= 0.0) or hi - lo < MIN_SPAN:
            return None  # not held at 0.5 from below (a model stuck at its base rate is not), no negatives, constant
        inner = "sigmoid" if hi <= HIGH + TOL else "relu"  # up to sigmoid(1) a ReLU output is not ruled out yet
        where = f"{self.where} given values in [{lo:.3f}, {hi:.3f}] over {self.calls} calls"
        fix = ("remove the second sigmoid (in forward or in the loop), or the ReLU under it if there is one: apply "
               "the sigmoid only once, to raw scores, or drop it from the model and use nn.BCEWithLogitsLoss") \
            if inner == "sigmoid" else ("remove the ReLU (or other non-negative activation) before the sigmoid, so "
                                        "the sigmoid is applied only once, to raw scores (or pass the raw scores "
                                        "to nn.BCEWithLogitsLoss)")
        f = _finding("sigmoid", inner, where, fix, "bce-input-squash", f"[{lo:.4f}, {hi:.4f}]")
        f.steps = [step]
        return f
