"""Weights that shrink towards zero while the loss does not move: a weight penalty stronger than the data.

Gradient steps on a data loss grow or reshape the weights; only a penalty pulls every layer
towards zero at once. When most layers' weight norms fall fivefold or more and the training
loss ends where it began, the decay (``weight_decay`` in a torch optimizer, an L2 term) has won
over the data: the model ignores its inputs. Read from a watcher's ``weight_norm/<layer>``
series; reported under the symptom's id (``stuck-at-chance`` for a classifier, else
``no-learning``) with the cause, so it leads that symptom.
"""

from __future__ import annotations

import numpy as np

from ..findings import Finding, Severity
from ..run import Run
from .step_size import CAUSE, _extend, _finite, _layers, _loss_did_not_fall

SHRINK = 0.2  # a layer's weight norm ended at or below this share of its first reading


def _classifier(run: Run) -> bool:
    return bool(run.meta.num_classes) or any(n.startswith("target_classes_seen") for n in run.series)


def weights_collapsed(run: Run, rule_id: str) -> list[Finding]:
    norms = _layers(run, "weight_norm/")
    shrink = {}
    for n, s in norms.items():
        _, v = _finite(s)
        if v.size >= 4 and v[0] > 0:
            shrink[n] = float(v[-1] / v[0])
    if len(shrink) < 1:
        return []
    collapsed = {n: r for n, r in shrink.items() if r <= SHRINK}
    if len(collapsed) * 2 < len(shrink):
        return []
    flat, start, end = _loss_did_not_fall(run)
    if not flat or (rule_id == "stuck-at-chance") != _classifier(run):
        return []
    worst = min(collapsed, key=collapsed.get)
    s = norms[worst]
    return [Finding(
        rule_id, Severity.WARNING,
        f"the weights collapsed towards zero ({len(collapsed)} of {len(shrink)} layers shrank 5x or more, "
        f"{worst} to {collapsed[worst]:.2g} of its start) while the loss stayed at {end:.3g} (started at {start:.3g}): "
        "a weight penalty stronger than the data",
        series=[f"weight_norm/{n}" for n in collapsed][:10], steps=[float(s.steps[0]), float(s.steps[-1])],
        evidence={"subject": "weight-decay", "shrink": collapsed, "loss_start": start, "loss_end": end, CAUSE: True},
        causes=["weight decay (or an L2 / kernel regularizer) far too strong: each step pulls every weight towards "
                "zero harder than the data pushes it, so the model ends ignoring its inputs"],
        fixes=["Lower the weight decay 100-10000x (weight_decay=1e-4 with SGD/Adam; AdamW's decoupled 0.01 is usual), "
               "or the regularisation factor (l2(1e-4)).",
               "Use AdamW's decoupled weight decay instead of Adam's weight_decay (coupled L2)."])]


def _for(rule_id: str):
    def extra(run: Run) -> list[Finding]:
        return weights_collapsed(run, rule_id)

    extra.__name__ = "weights_collapsed"
    return extra


from . import progress as _progress  # noqa: E402,F401  (the rules extended below must exist)
from . import recorded_causes as _recorded  # noqa: E402,F401

for _cid in ("stuck-at-chance", "no-learning"):
    _extend(_cid, _for(_cid))
