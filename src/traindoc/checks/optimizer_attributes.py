"""An optimizer setting assigned as a plain attribute: ``optimizer.lr = 1e-3`` changes nothing.

Why: a torch optimizer reads its rate, momentum, betas and weight decay from ``param_groups`` on every
step, and a Keras 3 optimizer from ``learning_rate`` (Keras 2's ``lr`` alias is gone). Assigning
``optimizer.lr = ...`` (to lower the rate after a first phase, or decay it by hand in the loop) only
stores a Python attribute: the run keeps the old setting and nothing says so ("changing the learning
rate has no effect"). Visible from the optimizer alone: an attribute named like one of its settings
whose value differs from the setting in use.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE
from .torch_config import _num  # a float, or None for what is not one (NaN included)

# Keras 3 reads these names; an instance attribute spelled otherwise is ignored.
_KERAS_ALIASES = {"lr": "learning_rate"}


def torch_attribute_findings(optimizer: Any) -> list[Finding]:
    """update-ratio per torch setting (lr, momentum, weight_decay ...) set on the optimizer instead of its groups."""
    defaults = getattr(optimizer, "defaults", None)
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(defaults, dict) or not isinstance(groups, list) or not groups or not _builtin_step(optimizer):
        return []
    own = vars(optimizer)
    out = []
    for name in defaults:
        if name not in own or name == "params":
            continue
        meant = own[name]
        used = [g.get(name) for g in groups if isinstance(g, dict)]
        if any(u == meant for u in used):
            continue  # set in the groups as well (or the same value): nothing lost
        out.append(_finding(type(optimizer).__name__, name, meant, used[0] if used else None,
                            f"for g in optimizer.param_groups: g['{name}'] = {meant!r}",
                            "a torch optimizer reads its settings from optimizer.param_groups on every step"))
    return out


def _builtin_step(optimizer: Any) -> bool:
    """Whether the step that runs is one of torch's own (which reads param_groups, never instance attributes);
    a custom optimizer may well read self.lr in its own step()."""
    for cls in type(optimizer).__mro__:
        if "step" in vars(cls):
            return str(getattr(cls, "__module__", "")).startswith("torch.")
    return False


def keras_attribute_findings(optimizer: Any) -> list[Finding]:
    """update-ratio for a Keras 2 name (``lr``) assigned on a Keras 3 optimizer, which never reads it."""
    own = getattr(optimizer, "__dict__", {})
    out = []
    for old, new in _KERAS_ALIASES.items():
        if old not in own or isinstance(getattr(type(optimizer), old, None), property):
            continue
        meant = _num(own[old])
        used = _num(getattr(optimizer, new, None))
        if meant is None or used is None or abs(meant - used) <= 1e-12 * max(1.0, abs(used)):
            continue
        out.append(_finding(type(optimizer).__name__, old, meant, used,
                            f"model.optimizer.{new} = {meant:g} (or optimizer.{new}.assign({meant:g}))",
                            f"Keras 3 optimizers read {new}; the Keras 2 alias {old} no longer exists"))
    return out


def _finding(opt: str, name: str, meant: Any, used: Any, fix: str, why: str) -> Finding:
    shown = lambda v: f"{v:g}" if isinstance(v, float) else repr(v)  # noqa: E731
    return Finding(
        "update-ratio", Severity.WARNING,
        f"optimizer.{name} = {shown(meant)} is a plain attribute: {opt} still steps with {name} {shown(used)}",
        evidence={"subject": f"optimizer-attribute:{name}", CAUSE: True, "attribute": name,
                  "assigned": meant if isinstance(meant, (int, float)) else repr(meant),
                  "in_use": used if isinstance(used, (int, float)) else repr(used)},
        causes=[f"{why}, so assigning optimizer.{name} stores a Python attribute and the setting in use stays "
                f"{shown(used)}: the change meant by the assignment never happened"],
        fixes=[f"Set it where the optimizer reads it: {fix}."])
