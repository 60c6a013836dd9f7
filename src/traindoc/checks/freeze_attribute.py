"""Freezing that does nothing: ``module.requires_grad = False`` set as a plain attribute.

Why: ``nn.Module`` has ``requires_grad_()`` (a method) but no ``requires_grad`` switch, so the
assignment only stores a Python attribute on the module; every parameter keeps requiring grad and the
optimizer keeps changing the layers the user believes frozen (or, with ``= True``, layers meant to be
unfrozen stay frozen). A common fine-tuning mistake ("my frozen layers' weights still change"), and
visible from the model alone: a bool ``requires_grad`` in a module's own ``__dict__`` that its
parameters contradict.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


def attribute_freeze_findings(model: Any) -> list[Finding]:
    """frozen-parameters per module whose ``requires_grad`` attribute says the opposite of its parameters."""
    named = getattr(model, "named_modules", None)
    if not callable(named):
        return []
    out: list[Finding] = []
    for name, m in named():
        flag = vars(m).get("requires_grad")
        if not isinstance(flag, bool):
            continue
        params = [p for p in m.parameters() if p is not None]
        if not params or any(p.requires_grad == flag for p in params):
            continue  # the parameters agree (set properly as well), or only some were switched
        where = f"model.{name}" if name else "model"
        n = sum(p.numel() for p in params)
        state = "still require grad and keep training" if not flag else "stay frozen"
        meant = "frozen" if not flag else "unfrozen"
        out.append(Finding(
            "frozen-parameters", Severity.WARNING,
            f"{where}.requires_grad = {flag} sets a plain attribute: its {n:,} parameters {state}",
            evidence={"subject": f"requires-grad-attribute:{name or 'model'}", CAUSE: True, "module": name,
                      "parameters": n, "attribute": flag},
            causes=[f"nn.Module has no requires_grad switch (only the method requires_grad_()), so the assignment "
                    f"stores a Python attribute and the parameters meant to be {meant} are unchanged"],
            fixes=[f"Call {where}.requires_grad_({flag}), or set p.requires_grad = {flag} for p in "
                   f"{where}.parameters(), then build the optimizer."]))
    return out
