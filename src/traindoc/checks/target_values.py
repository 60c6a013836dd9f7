"""Targets that are themselves -inf, +inf or NaN: the loss is non-finite before any weight is wrong.

``torch.log(counts)`` on counts with zeros gives -inf targets; a missing value read as NaN gives
NaN ones. The loss of such a batch is inf or NaN at once, the first update spreads NaN into the
weights, and the NaN-origin probe then finds a parameter, which points at the learning rate. The
watcher looks at the targets it is handed on the first step and on the step where the loss first
goes non-finite (both read back already), so the cause is named as the data, with its fix.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity


def nonfinite_targets_finding(targets: Any, step: int, loss_bad: bool) -> Finding | None:
    """The finding when a float target tensor holds -inf, +inf or NaN values (None otherwise)."""
    import torch

    from ..probes.data import _first_tensor
    from .structure import CAUSE

    t = _first_tensor(targets)
    if not isinstance(t, torch.Tensor) or not t.is_floating_point() or t.numel() == 0:
        return None
    t = t.detach()
    neg, pos, nan = (int(torch.isneginf(t).sum()), int(torch.isposinf(t).sum()), int(torch.isnan(t).sum()))
    if not neg + pos + nan:
        return None
    parts = [f"{n} {what}" for n, what in ((neg, "-inf"), (pos, "+inf"), (nan, "NaN")) if n]
    when = "the loss went non-finite at this step" if loss_bad else "the loss cannot be finite on such a batch"
    causes = []
    if neg:
        causes.append("-inf targets come from a log of zero: torch.log(y) (or np.log) on targets that include 0 "
                      "(counts, prices, durations with zeros)")
    if nan:
        causes.append("NaN targets are missing values (an empty cell read as NaN) or 0/0 in the target "
                      "preprocessing")
    if pos:
        causes.append("+inf targets come from a division by zero or an overflow in the target preprocessing")
    fixes = []
    if neg:
        fixes.append("Use torch.log1p(y) (log(1 + y)) for targets with zeros, and torch.expm1 to map predictions "
                     "back; or add a small constant before the log.")
    fixes.append("Drop or fill the rows whose target is not finite before training (check torch.isfinite(y).all()).")
    return Finding(
        "label-problem", Severity.ERROR,
        f"the targets of step {step} hold {', '.join(parts)} values (of {t.numel()}): {when}",
        steps=[float(step)],
        evidence={"subject": "nonfinite-targets", CAUSE: True, "neg_inf": neg, "pos_inf": pos, "nan": nan,
                  "targets": int(t.numel())},
        causes=causes, fixes=fixes)
