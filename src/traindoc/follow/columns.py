"""Growing columns of points, so a followed run is extended in place instead of rebuilt.

Why: a poll must cost O(new data). Appending to numpy arrays with doubling capacity is amortised
O(1) per point, and handing the rules a Run built from views of these buffers costs O(number of
series), not O(points).
"""

from __future__ import annotations

import math

import numpy as np

from ..run import Run, Series
from ..run.roles import RoleInfo


class Grow:
    """A float64 array that grows at the end; ``view()`` is the filled part (no copy)."""

    __slots__ = ("_buf", "n")

    def __init__(self, capacity: int = 64) -> None:
        self._buf = np.empty(capacity, dtype=np.float64)
        self.n = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=np.float64)
        need = self.n + values.shape[0]
        if need > self._buf.shape[0]:
            grown = np.empty(max(need, 2 * self._buf.shape[0]), dtype=np.float64)
            grown[: self.n] = self._buf[: self.n]
            self._buf = grown
        self._buf[self.n:need] = values
        self.n = need

    def append(self, value: float) -> None:
        if self.n == self._buf.shape[0]:
            self.extend([value])
            return
        self._buf[self.n] = value
        self.n += 1

    def view(self) -> np.ndarray:
        return self._buf[: self.n]

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the points where ``mask`` holds (a resume drops what it replaced)."""
        kept = self.view()[mask]
        self._buf[: kept.shape[0]] = kept
        self.n = kept.shape[0]


class Column:
    """One series as it grows: steps, values and (optionally) wall times."""

    __slots__ = ("steps", "values", "walls", "has_wall")

    def __init__(self) -> None:
        self.steps, self.values, self.walls = Grow(), Grow(), Grow()
        self.has_wall = False

    def add(self, step: float, value: float, wall: float = math.nan) -> None:
        self.steps.append(step)
        self.values.append(value)
        self.walls.append(wall)
        if wall == wall:
            self.has_wall = True

    def extend(self, steps, values, walls=None) -> None:
        self.steps.extend(steps)
        self.values.extend(values)
        if walls is None:
            self.walls.extend(np.full(len(self.steps.view()) - self.walls.n, math.nan))
        else:
            self.walls.extend(walls)
            self.has_wall = self.has_wall or not np.all(np.isnan(np.asarray(walls, dtype=np.float64)))

    def drop_from(self, step: float) -> int:
        """Drop the points at or past ``step`` (a checkpoint resume replaces them); how many went."""
        keep = ~(self.steps.view() >= step)
        dropped = int(keep.size - keep.sum())
        if dropped:
            for g in (self.steps, self.values, self.walls):
                g.keep(keep)
        return dropped

    def __len__(self) -> int:
        return self.values.n

    def series(self, name: str, *, axis: str, role: RoleInfo | None = None) -> Series:
        walls = self.walls.view() if self.has_wall else None
        return Series.named(name, self.steps.view(), self.values.view(), walls, axis=axis, role=role)


class Columns:
    """Named columns of one run, in first-seen order."""

    def __init__(self) -> None:
        self.by_name: dict[str, Column] = {}

    def column(self, name: str) -> Column:
        col = self.by_name.get(name)
        if col is None:
            col = self.by_name[name] = Column()
        return col

    def drop_from(self, step: float) -> int:
        return sum(c.drop_from(step) for c in self.by_name.values())

    def points(self) -> int:
        return sum(len(c) for c in self.by_name.values())

    def add_to(self, run: Run, *, axis: str, role_of=None) -> Run:
        for name, col in self.by_name.items():
            if len(col):
                run.add(col.series(name, axis=axis, role=role_of(name) if role_of else None))
        return run
