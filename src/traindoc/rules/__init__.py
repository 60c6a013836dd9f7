"""Rules: one module per family, all registered in ``registry.RULES``."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np

from ..findings import Finding
from ..run import Run
from .registry import RULES, RuleSpec, rule

# Every module in this package except the registry is a family; importing it registers its rules.
_FAMILIES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "registry" and not m.name.startswith("_"))

for _family in _FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")


def diagnose_run(run: Run) -> list[Finding]:
    """Every finding for one run, most severe first (registry order within a severity).

    Deterministic and cheap, so the live watcher can call it on a growing run. A rule that
    raises does not stop the others: the failure is noted once in ``run.meta.notes``.
    """
    findings: list[Finding] = []
    for spec in RULES.values():
        if spec.needs and not all(run.by_role(role) for role in spec.needs):
            continue
        try:
            # Absurd magnitudes (1e300) may overflow intermediate sums; the statistics treat the
            # resulting inf/nan as "no evidence", so numpy's warnings would only be noise.
            with np.errstate(all="ignore"):
                findings.extend(spec.func(run))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others' findings
            note = f"rule {spec.id} failed: {type(exc).__name__}: {exc}"
            if note not in run.meta.notes:
                run.meta.notes.append(note)
    # A visibly failed run is never left "healthy" because no shape rule fired (see outcome.py).
    from .outcome import safety_net

    try:
        with np.errstate(all="ignore"):
            findings.extend(safety_net(run, findings))
    except Exception as exc:  # noqa: BLE001 - as for a rule: noted, never fatal
        note = f"outcome check failed: {type(exc).__name__}: {exc}"
        if note not in run.meta.notes:
            run.meta.notes.append(note)
    # Within a severity a named cause (a check that found the mechanism: zero_grad missing, a
    # frozen or unregistered layer) leads the symptoms it produces (exploding gradients,
    # divergence), so the first thing read is the change to make.
    findings.sort(key=lambda f: (-int(f.severity), not f.evidence.get("cause")))
    # A structural or data cause the log records (a watcher's check, a dead layer) relabels the
    # symptoms it explains "Explained by <cause>", as the live watcher does at its close: the
    # diagnosis of the log and the live run then give the same first cause and fix.
    from ..checks.structure import lead_with_causes

    return lead_with_causes(findings)


__all__ = ["RULES", "RuleSpec", "rule", "diagnose_run"]
