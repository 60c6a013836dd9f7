"""Recorded model checks that only the Keras callback and ``check`` make (curves cannot show them).

The watcher records each check finding as a ``check/<id>/<subject>`` series so ``diagnose`` on
its log reports it too; this module turns the ones the internals family does not know back
into findings.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from ..run import Role, Run
from .registry import rule

FAMILY = "checks"


@rule("zero-gradients", family=FAMILY, severity=Severity.ERROR,
      title="every gradient exactly zero: the loss does not depend on the weights", needs=(Role.LAYER_STAT,))
def zero_gradients(run: Run) -> list[Finding]:
    out = []
    for name, s in run.series.items():
        if name.startswith("check/zero-gradients/") and len(s):
            out.append(Finding("zero-gradients", Severity.ERROR,
                               "every gradient was exactly zero at the start of training (recorded by the watcher)",
                               series=[name], steps=[float(s.steps[0])],
                               evidence={"subject": name.rsplit("/", 1)[-1], "recorded_by": "watch"},
                               causes=["the output does not depend on the weights: a softmax over one unit, a "
                                       "saturated or dead output, or a detached loss"],
                               fixes=["Look at the last layer's activation against the loss."]))
    return out
