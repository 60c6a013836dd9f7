"""Bounded, growing series for the live watcher.

A run of 100,000 steps must not grow memory without bound, yet the rules want the whole
history (where did the loss start?) and the recent detail (is it spiking now?). Each series
keeps a fixed number of points: when full, its older half is thinned two-to-one, so memory
is constant and the early history survives at coarser resolution. Non-finite points are
never thinned away: they are the evidence of the most serious findings.
"""

from __future__ import annotations

import math

import numpy as np

from ..run import MEASURED_ROLES, Role, Run, RunMeta, Series
from ..run.roles import RoleInfo, infer_role


class BoundedSeries:
    """Append-only (step, value, time) buffer of at most ``capacity`` points."""

    __slots__ = ("name", "role", "capacity", "steps", "values", "times", "total")

    def __init__(self, name: str, role: RoleInfo, capacity: int = 2048) -> None:
        self.name = name
        self.role = role
        self.capacity = max(16, capacity)
        self.steps: list[float] = []
        self.values: list[float] = []
        self.times: list[float] = []
        self.total = 0  # points ever appended

    def append(self, step: float, value: float, t: float) -> None:
        self.total += 1
        self.steps.append(step)
        self.values.append(value)
        self.times.append(t)
        if len(self.values) > self.capacity:
            self._thin()

    def _thin(self) -> None:
        """Halve the older half of the buffer, keeping every non-finite point."""
        half = len(self.values) // 2
        keep = [i for i in range(half) if i % 2 == 0 or not math.isfinite(self.values[i])]
        keep.extend(range(half, len(self.values)))
        self.steps = [self.steps[i] for i in keep]
        self.values = [self.values[i] for i in keep]
        self.times = [self.times[i] for i in keep]
        if len(self.values) > self.capacity:  # pathological: all non-finite; drop oldest
            drop = len(self.values) - self.capacity
            del self.steps[:drop], self.values[:drop], self.times[:drop]

    def to_series(self) -> Series:
        return Series(self.name, np.asarray(self.steps, dtype=float), np.asarray(self.values, dtype=float),
                      np.asarray(self.times, dtype=float), self.role.role, self.role.higher_is_better,
                      self.role.metric, "step")


def _metric_fields(name: str, role: Role) -> dict:
    if role in MEASURED_ROLES:
        info = infer_role(name)
        return {"higher_is_better": info.higher_is_better if info.higher_is_better is not None else False,
                "metric": info.metric or "loss"}
    return {}


class RunStore:
    """The growing Run of a watched training: named bounded series plus metadata."""

    def __init__(self, name: str, source: str, capacity: int = 2048) -> None:
        self.name = name
        self.source = source
        self.capacity = capacity
        self.series: dict[str, BoundedSeries] = {}
        self.meta = RunMeta()
        self.new_series: list[BoundedSeries] = []  # declared since the writer last looked

    def add(self, name: str, step: float, value: float, t: float, role: Role | None = None) -> None:
        s = self.series.get(name)
        if s is None:
            info = RoleInfo(role, **_metric_fields(name, role)) if role is not None else infer_role(name)
            s = self.series[name] = BoundedSeries(name, info, self.capacity)
            self.new_series.append(s)
        s.append(step, value, t)

    def to_run(self) -> Run:
        run = Run(name=self.name, source=self.source, format="traindoc_jsonl", meta=self.meta)
        for s in self.series.values():
            if s.values:
                run.add(s.to_series())
        return run

    def point_count(self) -> int:
        return sum(len(s.values) for s in self.series.values())
