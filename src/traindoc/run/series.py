"""One logged quantity over time: the unit every rule and report reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .roles import Role, RoleInfo, infer_role


@dataclass
class Series:
    """Steps, values and optional wall times as numpy arrays, plus what the values mean.

    ``axis`` says what the step counts ("step" for optimiser steps, "epoch" for epochs), so
    rules can tell a 10-point per-epoch curve from a 10,000-point per-step one. Non-finite
    values are kept as NaN/Inf: they are evidence, never dropped.
    """

    name: str
    steps: np.ndarray
    values: np.ndarray
    wall_time: np.ndarray | None = None
    role: Role = Role.OTHER
    higher_is_better: bool | None = None
    metric: str | None = None
    axis: str = "step"
    # The scale a writer states for the values (detectron2's AP: (0, 100)); None: not stated.
    value_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        self.steps = np.asarray(self.steps, dtype=np.float64)
        self.values = np.asarray(self.values, dtype=np.float64)
        if self.wall_time is not None:
            self.wall_time = np.asarray(self.wall_time, dtype=np.float64)
        if self.steps.shape != self.values.shape:
            raise ValueError(f"series {self.name!r}: {self.steps.shape[0]} steps but {self.values.shape[0]} values")

    @classmethod
    def named(cls, name: str, steps, values, wall_time=None, *, axis: str = "step",
              role: RoleInfo | Role | None = None) -> "Series":
        """Build a series whose role is inferred from its name unless given."""
        info = role if isinstance(role, RoleInfo) else (RoleInfo(role) if role is not None else infer_role(name))
        return cls(name=name, steps=steps, values=values, wall_time=wall_time, role=info.role,
                   higher_is_better=info.higher_is_better, metric=info.metric, axis=axis)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def finite(self) -> np.ndarray:
        """Boolean mask of finite values."""
        return np.isfinite(self.values)

    @property
    def n_nonfinite(self) -> int:
        return int((~self.finite).sum())

    def summary(self) -> dict:
        """First/last/min/max over finite values and counts, for `traindoc show`."""
        fin = self.values[self.finite]
        out = {
            "name": self.name, "role": self.role.value, "axis": self.axis, "points": len(self),
            "nonfinite": self.n_nonfinite,
            "step_min": float(self.steps.min()) if len(self) else None,
            "step_max": float(self.steps.max()) if len(self) else None,
            "first": float(self.values[0]) if len(self) else None,
            "last": float(self.values[-1]) if len(self) else None,
            "min": float(fin.min()) if fin.size else None,
            "max": float(fin.max()) if fin.size else None,
        }
        if self.higher_is_better is not None:
            out["higher_is_better"] = self.higher_is_better
        if self.value_range is not None:
            out["value_range"] = list(self.value_range)
        return out

    def sorted_by_step(self) -> "Series":
        """A copy ordered by step (stable, so equal steps keep their logged order)."""
        order = np.argsort(self.steps, kind="stable")
        wt = self.wall_time[order] if self.wall_time is not None else None
        return Series(self.name, self.steps[order], self.values[order], wt, self.role,
                      self.higher_is_better, self.metric, self.axis, self.value_range)


@dataclass
class SeriesBuilder:
    """Append-only buffer for series that grow point by point (readers, the live watcher)."""

    name: str
    steps: list = field(default_factory=list)
    values: list = field(default_factory=list)
    wall_time: list = field(default_factory=list)

    def add(self, step: float, value: float, wall_time: float | None = None) -> None:
        self.steps.append(step)
        self.values.append(value)
        self.wall_time.append(np.nan if wall_time is None else wall_time)

    def build(self, *, axis: str = "step", role: RoleInfo | Role | None = None) -> Series:
        wt = np.asarray(self.wall_time, dtype=np.float64)
        has_wt = wt.size and not np.all(np.isnan(wt))
        return Series.named(self.name, self.steps, self.values, wt if has_wt else None, axis=axis, role=role)
