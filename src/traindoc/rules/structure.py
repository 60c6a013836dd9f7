"""Structure of the log itself: several runs appended to one file."""

from __future__ import annotations

import numpy as np

from ..findings import Mark, Severity
from ..run import Run
from ._common import fmt, make, split_restarts
from .registry import rule


@rule("appended-runs", family="structure", severity=Severity.INFO,
      title="One file holds several runs (steps restart)")
def appended_runs(run: Run):
    if run.meta.segment is not None:
        i, count = run.meta.segment  # 1-based, as the readers number them ("#1", "#2"...)
        i = i if i >= 1 else i + 1
        starts = [s for s in run.series.values() if len(s)]
        evidence = {"segment": i, "segments": count}
        where = ""
        if starts:
            first = min(starts, key=lambda s: float(s.steps[0]))
            last = max(float(s.steps[-1]) for s in starts if s.axis == first.axis)
            evidence["starts_at"] = float(first.steps[0])
            evidence["ends_at"] = last  # the run's bounds, on its own counter
            where = f" ({first.axis} {fmt(float(first.steps[0]))} to {fmt(last)})"
        # the reader's note says what marked the boundary (the steps restarting, a header written again...)
        yield make("appended-runs", f"{run.source} holds {count} runs one after another; this is run {i} of "
                   f"{count}{where}, diagnosed on its own", evidence=evidence,
                   fixes=["log each run to its own file or directory"])
        return
    for s in run.series.values():
        if len(s) < 4:
            continue
        # Only the steps matter here: the full prepared curve (a trend fit) of every series is
        # the cost of the live watcher's rule pass, and a restart is where steps go back.
        start = split_restarts(s.steps)[0]
        if start:
            r = float(s.steps[start])
            yield make("appended-runs", f"{s.name} restarts from step {fmt(r)}: several runs in one log; only the "
                       "last one is judged", series=[s.name], steps=[r],
                       evidence={"restart_steps": [r], "points": len(s)},
                       fixes=["log each run to its own file or directory",
                              "split the file so each run can be diagnosed"],
                       marks=[Mark("line", s.name, r, label="steps restart")])
            return
