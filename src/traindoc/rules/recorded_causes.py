"""Causes the Keras callback records under a symptom's id, rebuilt when its log is diagnosed.

A regularisation penalty that swamped the data loss is reported as ``stuck-at-chance`` (a
classifier) or ``no-learning`` (a regression), with its cause; only the callback can see it
(``model.losses``), so it is recorded as a ``check/<id>/regularization`` series. Without a rule
that rebuilds it, the final diagnosis (a diagnosis of that log) would withdraw it.
"""

from __future__ import annotations

from . import model_checks

_PENALTY = (["the regularisation penalty (kernel_regularizer) is far too strong: the weights were shrunk until the "
             "model ignored its inputs"], ["Lower the regularisation factor 100-10000x (l2(1e-4) is a usual strength)."])
model_checks.RECORDED_TEXT.setdefault(
    "stuck-at-chance", ("the regularisation penalty swamped the loss; the model ended predicting the label prior "
                        "(recorded by the Keras callback)", *_PENALTY))
model_checks.RECORDED_TEXT.setdefault(
    "no-learning", ("the regularisation penalty swamped the loss; the model ended predicting the target mean "
                    "(recorded by the Keras callback)", *_PENALTY))

# A CosineAnnealingLR stepped far past T_max (checks/schedule_horizon.py): read from the scheduler object.
model_checks.RECORDED_TEXT.setdefault(
    "lr-decay-too-fast", ("the cosine schedule was stepped far past T_max and cycled (recorded by the watcher)",
                          ["T_max set in epochs while scheduler.step() is called every batch"],
                          ["Call scheduler.step() once per epoch, or set T_max = epochs * batches per epoch."]))

from . import progress as _progress  # noqa: E402,F401  (the rules extended below must exist)
from . import schedule as _schedule  # noqa: E402,F401

for _cid in ("stuck-at-chance", "no-learning", "lr-decay-too-fast"):
    model_checks._with_recorded(_cid)
