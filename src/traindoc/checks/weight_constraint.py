"""A max-norm weight constraint sized like a penalty: every unit's weights are cut to a tiny norm.

Why: ``kernel_constraint=MaxNorm(c)`` rescales each unit's incoming weight vector to norm c after every
update. The dropout paper's c is 3 to 4, about the norm an initialiser already gives; a value written
like an L2 coefficient (0.01) shrinks every layer's output about a hundredfold, so the logits stay near 0
and the loss sits at chance. The constraint's value against the kernel's own norms at the start (read
before the first update) says how far it cuts; judged when the run fit poorly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..findings import Finding, Severity
from .model_view import nested_layers
from .structure import CAUSE

CUT = 0.1  # a constraint at a tenth of the initial norms (or less) shrinks each layer tenfold


def constraint_norms(model: Any) -> list[dict]:
    """For each layer with a MaxNorm / MinMaxNorm kernel constraint: its bound and the kernel's median norm now."""
    import keras

    layers = nested_layers(model)
    out = []
    for lay in layers:
        c = getattr(lay, "kernel_constraint", None)
        kernel = getattr(lay, "kernel", None)
        if type(c).__name__ not in ("MaxNorm", "MinMaxNorm") or kernel is None:
            continue
        bound = getattr(c, "max_value", None)
        w = np.asarray(keras.ops.convert_to_numpy(kernel), dtype="float64")
        axis = getattr(c, "axis", 0)
        norms = np.sqrt(np.sum(w * w, axis=axis))
        if isinstance(bound, (int, float)) and norms.size and np.all(np.isfinite(norms)):
            out.append({"layer": lay.name, "constraint": type(c).__name__, "max_value": float(bound),
                        "initial_norm": float(np.median(norms))})
    return out


def tight_constraint_finding(records: list[dict], poor_fit: bool, moved: str, step: float) -> Finding | None:
    """stalled naming the layers whose max-norm bound cuts the initial weights tenfold or more."""
    tight = [r for r in records if r["initial_norm"] > 0 and r["max_value"] <= CUT * r["initial_norm"]]
    if not poor_fit or not tight:
        return None
    r = tight[0]
    names = ", ".join(f"'{t['layer']}'" for t in tight[:4]) + (" ..." if len(tight) > 4 else "")
    return Finding(
        "stalled", Severity.WARNING,
        f"kernel_constraint={r['constraint']}({r['max_value']:g}) on {len(tight)} layer(s) ({names}) holds each "
        f"unit's weight norm at {r['max_value']:g}, {r['initial_norm'] / r['max_value']:.0f}x below the "
        f"{r['initial_norm']:.2g} the initial weights had, and {moved}",
        steps=[1.0, step], evidence={"subject": "weight-constraint", CAUSE: True, "layers": tight[:10],
                                     "explains": ["stuck-at-chance", "no-learning", "stalled", "cannot-overfit-batch",
                                                  "vanishing-gradients", "update-ratio"]},
        causes=["a max-norm weight constraint rescales every unit's incoming weights to the bound after each "
                "update; a bound sized like a penalty coefficient shrinks each layer's output by that factor, so "
                "the signal (and the gradient) fades layer by layer and the outputs stay near 0"],
        fixes=[f"Use a max-norm bound near the weights' own size: MaxNorm(3) (the usual 3-4), or drop the "
               "kernel_constraint; for a penalty use kernel_regularizer=keras.regularizers.L2(...)."])
