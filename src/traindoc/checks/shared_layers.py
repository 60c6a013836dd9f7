"""One layer object listed several times in a container: ``nn.Sequential(*[nn.Linear(h, h), nn.ReLU()] * n)``.

Why: multiplying a Python list repeats references, not copies, so the n "layers" are one layer
applied n times with shared weights; the model has a fraction of the parameters it appears to have
and every repeat gets the same update. The user almost always meant n independent layers (a list
comprehension). Weight sharing on purpose is written as a loop over one module in ``forward``, not
as the same object at several positions of one container, so the check reads only containers.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, Severity
from .structure import CAUSE


def shared_layer_findings(model: Any) -> list[Finding]:
    """poor-initialization when a Sequential/ModuleList holds the same weighted module at several positions."""
    named = getattr(model, "named_modules", None)
    if not callable(named):
        return []
    for name, container in named(remove_duplicate=True):
        children = list(getattr(container, "_modules", {}).items())
        if type(container).__name__ not in ("Sequential", "ModuleList") or len(children) < 2:
            continue
        positions: dict[int, list[str]] = {}
        for key, child in children:
            # weight matrices only: a shared PReLU or norm (1-D parameters) may well be meant
            if child is not None and any(p.dim() >= 2 for p in child.parameters()):
                positions.setdefault(id(child), []).append(key)
        repeated = [keys for keys in positions.values() if len(keys) > 1]
        if not repeated:
            continue
        where = f"model.{name}" if name else "model"
        keys = repeated[0]
        child = dict(children)[keys[0]]
        shown = ", ".join(f"[{k}]" for k in keys[:6])
        # One object at every position of a ModuleList may be deliberate sharing (an ALBERT-style stack).
        everywhere = type(container).__name__ == "ModuleList" and len(keys) == len(children)
        return [Finding(
            "poor-initialization", Severity.INFO if everywhere else Severity.WARNING,
            f"{where}{shown} are the same {type(child).__name__} object: {len(keys)} positions share one set of "
            "weights",
            evidence={"subject": f"shared-layers:{name or 'model'}", CAUSE: True, "container": name,
                      "positions": [str(k) for k in keys][:20], "layer": type(child).__name__},
            causes=["a list multiplied by n ([layer, act] * n) repeats references to the same modules, so the "
                    "'layers' are one layer applied several times: they start as copies, get one shared update and "
                    "the network has a fraction of the capacity it appears to have"],
            fixes=["Build independent layers with a list comprehension: nn.Sequential(*[m for _ in range(n) for m "
                   "in (nn.Linear(h, h), nn.ReLU())]) (or copy.deepcopy each repeat), then build the optimizer.",
                   "If the weights are meant to be shared, apply one module in a loop in forward() instead."])]
    return []
