"""Which findings are new, which changed enough to say so again, and which stopped holding.

Why a threshold: the rules are re-run on a growing run, so a finding's numbers move a little on
every poll. Repeating it each time would bury the news; an update is worth a line only when the
severity or verdict changes, or a number of its evidence moved by more than a quarter since it was
last shown. Step positions, p-values and counts that grow with the run are not "evidence changes".
A finding that stops holding is said once, after it has been absent from a few diagnoses in a row
(so a rule that flickers at its threshold does not flood the output).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, Severity

MATERIAL = 0.25
ABSENT_TIMES = 3
# Only warnings and errors are streamed: info findings on a young run come and go as it grows
# (a "late start" after ten points), and announcing them would be a false alarm. The final
# summary lists them as ``diagnose`` does.
STREAM_MIN = Severity.WARNING


def finding_key(f: Finding) -> tuple:
    return (f.id, tuple(f.series))


def _growing(key: str) -> bool:
    k = key.lower()
    return ("step" in k or k == "p" or k.endswith("_p") or "count" in k or k.startswith("n_")
            or k.endswith("_n") or k in {"points", "nonfinite_points", "segments", "window", "successive_rises"})


def _moved(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a != b
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    a, b = float(a), float(b)
    if math.isfinite(a) != math.isfinite(b):
        return True
    if not math.isfinite(a):
        return False
    scale = max(abs(a), abs(b))
    return scale > 0 and abs(a - b) > MATERIAL * scale


def material_change(old: Finding, new: Finding) -> str | None:
    """Why ``new`` is worth showing again after ``old`` was shown, or None."""
    if new.severity != old.severity:
        return f"severity {old.severity.label} -> {new.severity.label}"
    if new.resolved_verdict() != old.resolved_verdict():
        return f"verdict {old.resolved_verdict()} -> {new.resolved_verdict()}"
    for key, value in new.evidence.items():
        if _growing(key) or key not in old.evidence:
            continue
        if _moved(old.evidence[key], value):
            return f"{key} {_fmt(old.evidence[key])} -> {_fmt(value)}"
    return None


def _fmt(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v):
        return f"{v:.4g}"
    return str(v)


@dataclass
class Event:
    kind: str  # "new", "update", "resolved"
    finding: Finding
    why: str = ""


@dataclass
class Tracker:
    """The findings shown so far for one run, and how each was last shown."""

    shown: dict[tuple, Finding] = field(default_factory=dict)
    absent: dict[tuple, int] = field(default_factory=dict)

    def update(self, findings: list[Finding]) -> list[Event]:
        events: list[Event] = []
        now = {finding_key(f): f for f in findings if f.severity >= STREAM_MIN}
        for key, f in now.items():
            self.absent.pop(key, None)
            old = self.shown.get(key)
            if old is None:
                events.append(Event("new", f))
                self.shown[key] = f
                continue
            why = material_change(old, f)
            if why:
                events.append(Event("update", f, why))
                self.shown[key] = f
        for key in list(self.shown):
            if key in now:
                continue
            self.absent[key] = self.absent.get(key, 0) + 1
            if self.absent[key] >= ABSENT_TIMES:
                events.append(Event("resolved", self.shown.pop(key)))
                self.absent.pop(key)
        return events
