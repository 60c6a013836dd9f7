"""Per-class metrics beside the run's own: kept as series, never judged as the run's outcome.

A very wide log (a hundred columns: ``class_0_f1`` … ``class_49_f1``, ``cls12_acc``, ``val_precision_cls7``)
prints one metric per class beside the losses and the main metrics. Each class's curve is noisy and
small classes sit near 0 by nature, so judged one by one they swamp the rules (a "misleading accuracy"
from the rarest class, a "loss-metric mismatch" from one class's flat curve). Mechanism: a metric that
is one of at least ``MIN_CLASSES`` series whose names differ only in one number is one class's share
of a metric the run also reports whole, or a breakdown a reader of the log looks up, not its outcome:
its role becomes ``other`` (still shown, still in ``--json``) and a note says how many were set aside.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..run import Role, Run

MIN_CLASSES = 5  # acc1/acc5, R@1/R@5/R@10, AP50/AP75 are a handful of cut-offs, not a class breakdown
_NUMBER = re.compile(r"\d+")
_METRIC_ROLES = (Role.TRAIN_METRIC, Role.VAL_METRIC)


def _families(name: str) -> list[tuple[str, str]]:
    """``class_12_f1`` -> ``[("class_#_f1", "12"), ("class_12_f#", "1")]``: the name with each of its numbers
    blanked in turn, with the number blanked."""
    found = list(_NUMBER.finditer(name))
    return [(name[:m.start()] + "#" + name[m.end():], m.group()) for m in found]


def set_aside_per_class(runs: list[Run]) -> list[Run]:
    """Give the per-class metric series of each run the role ``other`` (see the module's docstring)."""
    for run in runs:
        groups: dict[str, dict[str, str]] = defaultdict(dict)  # family -> {number: series name}
        for name, s in run.series.items():
            if s.role in _METRIC_ROLES:
                for fam, number in _families(name):
                    groups[fam][number] = name
        wide = {fam: sorted(by.values()) for fam, by in groups.items() if len(by) >= MIN_CLASSES}
        if not wide:
            continue
        aside = {n for names in wide.values() for n in names}
        # the run's own outcome must stay: set aside only beside a loss or a metric that is no class's share
        if not any(s.role in (Role.TRAIN_LOSS, Role.VAL_LOSS) or (s.role in _METRIC_ROLES and n not in aside)
                   for n, s in run.series.items()):
            continue
        for fam, names in sorted(wide.items()):
            names = [n for n in names if run.series[n].role is not Role.OTHER]
            for name in names:
                run.set_role(name, Role.OTHER)
            if names:
                run.meta.notes.append(f"{len(names)} per-class metrics ({fam.replace('#', 'N')}) kept as series, "
                                      "not judged as the run's outcome")
    return runs
