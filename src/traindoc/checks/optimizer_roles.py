"""A torch optimizer setting given in the role it has elsewhere: the rate the code meant is not the one used.

Why: hyper-parameter names move between papers, Keras, Lua Torch and PyTorch with other meanings, and
torch accepts them without a word:

* a parameter group key spelt as elsewhere (``{'params': ..., 'learning_rate': 0.1}``, Keras' name): torch
  keeps the unknown key and gives the group the optimizer's default for the setting it never read;
* RMSprop's ``alpha`` set to a step size (the paper's notation): in torch it is the smoothing constant of the
  squared-gradient average (default 0.99), so a small alpha averages over one step and the rate stays at
  its default;
* SGD ``dampening`` equal to the momentum (Lua Torch's default): each gradient enters the momentum buffer
  scaled by ``1 - dampening``, so the steps are that many times smaller than PyTorch's usual
  ``lr / (1 - momentum)``.

Read once from ``param_groups`` at ``watch()`` start; costs nothing inside the loop.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE
from .torch_config import _groups, _num

# Keys known to come from torch's schedulers or from common user bookkeeping: never read as a misspelling.
_SCHEDULER_KEYS = {"initial_lr", "max_lr", "min_lr", "base_momentum", "max_momentum", "name", "names",
                   "param_names", "swa_lr"}
# Other frameworks' names for a torch setting.
_ALIASES = {"learning_rate": "lr", "learningrate": "lr", "lr_rate": "lr", "step_size": "lr", "eta": "lr",
            "wd": "weight_decay", "l2": "weight_decay", "decay": "weight_decay", "beta_1": "betas",
            "beta_2": "betas", "beta1": "betas", "beta2": "betas", "epsilon": "eps", "mom": "momentum"}
SMALL_ALPHA = 0.5  # RMSprop alpha below this averages the squared gradient over fewer than 2 steps
DAMPENED = 0.5  # SGD dampening at or above this halves (or worse) every step


def _meant(key: str, defaults: dict) -> str | None:
    """The optimizer setting an unread group key was most likely meant to be."""
    if key in _ALIASES and _ALIASES[key] in defaults:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, [d for d in defaults if d != "params"], n=1, cutoff=0.8)
    return close[0] if close else None


def misspelt_group_key_findings(optimizer: Any) -> list[Finding]:
    """update-ratio for a parameter-group key the optimizer never reads that names one of its settings."""
    defaults = getattr(optimizer, "defaults", None)
    if not isinstance(defaults, dict) or not str(type(optimizer).__module__).startswith("torch."):
        return []
    name = type(optimizer).__name__
    for i, g in enumerate(_groups(optimizer)):
        for key in g:
            if key in defaults or key == "params" or key in _SCHEDULER_KEYS or not isinstance(key, str):
                continue
            meant = _meant(key, defaults)
            if meant is None or _num(g.get(key)) is None and not isinstance(g.get(key), (tuple, list)) \
                    or g.get(key) == g.get(meant):
                continue
            used, given = g.get(meant), g.get(key)
            return [Finding(
                "update-ratio", Severity.WARNING,
                f"optimizer.param_groups[{i}] has the key '{key}' = {given!r}, which {name} never reads: the group "
                f"steps with {meant} = {used!r} (the default)",
                evidence={"subject": f"group-key:{key}", CAUSE: True, "key": key, "meant": meant,
                          "given": repr(given), "in_use": repr(used)},
                causes=[f"the key is misspelt for torch ('{key}' where {name} reads '{meant}'): torch optimizers "
                        "keep unknown parameter-group keys without a word, so the value meant never took effect"],
                fixes=[f"Name the group's setting '{meant}': {{'params': ..., '{meant}': {given!r}}}."])]
    return []


def rmsprop_alpha_finding(optimizer: Any) -> Finding | None:
    """update-ratio when RMSprop's smoothing constant is small enough to be a step size given as alpha."""
    if type(optimizer).__name__ != "RMSprop" or not str(type(optimizer).__module__).startswith("torch."):
        return None
    for g in _groups(optimizer):
        alpha, lr = _num(g.get("alpha")), _num(g.get("lr"))
        if alpha is None or lr is None or not 0 <= alpha < SMALL_ALPHA:
            continue
        return Finding(
            "update-ratio", Severity.WARNING,
            f"RMSprop alpha = {alpha:g} with lr = {lr:g}: alpha looks like a step size, but torch's alpha is the "
            "smoothing constant of the squared-gradient average",
            evidence={"subject": "rmsprop-alpha", CAUSE: True, "alpha": alpha, "lr": lr},
            causes=[f"torch.optim.RMSprop's alpha (default 0.99) sets how many steps the squared-gradient moving "
                    f"average remembers; alpha = {alpha:g} keeps only the current gradient, so every step is about "
                    f"lr * sign(gradient) for every weight, and the learning rate stays {lr:g}"],
            fixes=[f"Give the step size as lr: RMSprop(params, lr={alpha:g}) and keep the default alpha=0.99."])
    return None


def dampening_finding(optimizer: Any) -> Finding | None:
    """update-ratio when SGD's dampening shrinks each gradient's share of the momentum buffer."""
    if type(optimizer).__name__ != "SGD" or not str(type(optimizer).__module__).startswith("torch."):
        return None
    for g in _groups(optimizer):
        d, m, lr = _num(g.get("dampening")), _num(g.get("momentum")), _num(g.get("lr"))
        if d is None or m is None or lr is None or not m > 0 or not DAMPENED <= d < 1:
            continue
        return Finding(
            "update-ratio", Severity.WARNING,
            f"SGD dampening = {d:g} with momentum = {m:g}: each gradient enters the momentum buffer scaled by "
            f"{1 - d:.2g}, so every step is {1 / (1 - d):.0f}x smaller than PyTorch's usual momentum SGD",
            evidence={"subject": "sgd-dampening", CAUSE: True, "dampening": d, "momentum": m, "lr": lr},
            causes=["dampening (PyTorch default 0; Lua Torch's optim.sgd defaults it to the momentum) multiplies "
                    f"the gradient by 1 - dampening before it is added to the momentum buffer: the effective "
                    f"rate is lr = {lr:g} instead of lr / (1 - momentum) = {lr / (1 - m):.3g}"],
            fixes=["Use dampening=0 (PyTorch's default): torch.optim.SGD(params, lr=..., momentum=...)."])
    return None


def role_findings(optimizer: Any) -> list[Finding]:
    """All three, for the configuration read at start."""
    if optimizer is None:
        return []
    found = misspelt_group_key_findings(optimizer)
    found += [f for f in (rmsprop_alpha_finding(optimizer), dampening_finding(optimizer)) if f is not None]
    return found
