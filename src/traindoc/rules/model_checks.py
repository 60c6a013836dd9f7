"""Recorded model and data checks, turned back into findings for ``diagnose`` on a watcher's log.

The watcher records each check finding as a ``check/<id>/<subject>`` series (its value is the
severity). The internals family rebuilds the checks it knows; this module rebuilds the rest:
zero gradients (only the Keras callback and ``check`` see them) and, through
``recorded_findings``, the label and input checks the Keras callback runs on the batches ``fit``
hands to ``train_step``. Without this, ``diagnose`` of the log (and the watcher's final pass,
which is that same diagnosis) would drop a finding the live run raised.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from ..run import Role, Run
from .registry import rule

FAMILY = "checks"
PREFIX = "check/"

# What a rebuilt check says when only its series is left (the live finding has the exact change).
RECORDED_TEXT: dict[str, tuple[str, list[str], list[str]]] = {
    "zero-gradients": ("every gradient was exactly zero at the start of training (recorded by the watcher)",
                       ["the output does not depend on the weights: a softmax over one unit, a saturated or dead "
                        "output, or a detached loss"],
                       ["Look at the last layer's activation against the loss."]),
    "linear-network": ("no activation between the hidden layers: the network is one linear map (recorded by the "
                       "watcher)", ["Dense/Linear layers with no activation compose to a single linear layer"],
                       ["Add activation='relu' to the hidden layers (nn.ReLU() after each hidden nn.Linear)."]),
    "label-problem": ("the labels do not fit the loss or the output (checked on the first batches)",
                      ["labels outside the loss's domain, scaled like inputs, constant, or more classes than outputs"],
                      ["Check the label array passed to fit against the loss: class ids 0..K-1 for a sparse "
                       "cross-entropy, 0/1 for a binary one, one-hot rows for a categorical one."]),
    "unnormalized-input": ("inputs are not normalised (checked on the first batches)",
                           ["raw features fed without standardisation"],
                           ["Standardise each feature (subtract the training mean, divide by the std)."]),
    "class-imbalance": ("the label distribution is heavily skewed (checked on the first batches)",
                        ["a skewed data set"], ["Weight the loss by inverse class frequency, or resample."]),
    "lr-too-high": ("the first update killed every gradient: the learning rate is far too high (recorded by the "
                    "watcher)", ["one step saturated the output or killed every unit"],
                    ["Lower the learning rate by 10-100x, or clip gradients."]),
    "unshuffled-data": ("batches hold one class each (checked on the first batches)",
                        ["data sorted by label and not shuffled"], ["Shuffle the training data every epoch."]),
}


def recorded_findings(run: Run, check_id: str) -> list[Finding]:
    """One finding per ``check/<check_id>/<subject>`` series of the run."""
    title, causes, fixes = RECORDED_TEXT[check_id]
    out = []
    for name, s in run.series.items():
        if not name.startswith(f"{PREFIX}{check_id}/") or not len(s):
            continue
        value = float(s.values[0])
        sev = Severity(int(value)) if value in (1.0, 2.0, 3.0) else Severity.WARNING
        out.append(Finding(check_id, sev, title, series=[name], steps=[float(s.steps[0])],
                           evidence={"subject": name[len(PREFIX) + len(check_id) + 1:], "recorded_by": "watch"},
                           causes=list(causes), fixes=list(fixes)))
    return out


@rule("zero-gradients", family=FAMILY, severity=Severity.ERROR,
      title="every gradient exactly zero: the loss does not depend on the weights", needs=(Role.LAYER_STAT,))
def zero_gradients(run: Run) -> list[Finding]:
    return recorded_findings(run, "zero-gradients")


@rule("linear-network", family=FAMILY, severity=Severity.WARNING,
      title="no activation between the hidden layers: the network is one linear map", needs=(Role.LAYER_STAT,))
def linear_network(run: Run) -> list[Finding]:
    return recorded_findings(run, "linear-network")


def _with_recorded(check_id: str) -> None:
    """Extend another family's rule of the same id with the recorded checks (one rule per id)."""
    from dataclasses import replace

    from .registry import RULES

    spec = RULES.get(check_id)
    if spec is None or getattr(spec.func, "_with_recorded", False):
        return
    original = spec.func

    def func(run: Run) -> list[Finding]:
        return list(original(run)) + recorded_findings(run, check_id)

    func._with_recorded = True  # type: ignore[attr-defined]
    func.__name__ = getattr(original, "__name__", check_id)
    RULES[check_id] = replace(spec, func=func)


from . import internals as _internals  # noqa: E402,F401  (their rules must exist before they are extended)
from . import schedule as _schedule  # noqa: E402,F401

for _cid in ("label-problem", "unnormalized-input", "class-imbalance", "unshuffled-data", "lr-too-high"):
    _with_recorded(_cid)
