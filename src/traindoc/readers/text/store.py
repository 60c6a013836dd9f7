"""Records kept as columns of machine floats, so memory follows the numbers kept.

A million-line console holds a million small records; as Python dicts they cost ~20x the
numbers themselves. Here each record is one x (``array('d')``) and one axis byte, and each named
value lands in its column as (record index, value). Only the last record stays a dict, because a
redraw of the same x may still replace or update it.
"""

from __future__ import annotations

from array import array

import numpy as np

AXES = ("step", "epoch")


class RecordStore:
    """Append-only ``(x, axis, {name: value})`` records with a mutable last one."""

    def __init__(self) -> None:
        self.xs = array("d")
        self.axes = bytearray()
        self.cols: dict[str, tuple[array, array]] = {}
        self.last: tuple[float, str, dict[str, float]] | None = None
        self.dropped: set[int] = set()

    def __len__(self) -> int:
        return len(self.xs) + (self.last is not None)

    def __bool__(self) -> bool:
        return self.last is not None or len(self.xs) > 0

    def _commit(self) -> None:
        if self.last is None:
            return
        x, axis, values = self.last
        i = len(self.xs)
        self.xs.append(x)
        self.axes.append(AXES.index(axis))
        for k, v in values.items():
            col = self.cols.get(k)
            if col is None:
                col = self.cols[k] = (array("q"), array("d"))
            col[0].append(i)
            col[1].append(v)
        self.last = None

    def append(self, x: float, axis: str, values: dict[str, float]) -> int:
        """Add a record; its index."""
        self._commit()
        self.last = (x, axis, values)
        return len(self.xs)

    def replace_last(self, x: float, axis: str, values: dict[str, float]) -> None:
        self.last = (x, axis, values)

    def last_x(self) -> tuple[float, str] | None:
        if self.last is not None:
            return self.last[0], self.last[1]
        if self.xs:
            return self.xs[-1], AXES[self.axes[-1]]
        return None

    def finish(self) -> None:
        self._commit()

    def arrays(self) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """x per record, axis code per record, and per name (record indices, values), as numpy."""
        self._commit()
        keep = None
        if self.dropped:
            keep = np.ones(len(self.xs), dtype=bool)
            keep[list(self.dropped)] = False
        xs = np.frombuffer(self.xs, dtype=np.float64) if self.xs else np.zeros(0)
        axes = np.frombuffer(bytes(self.axes), dtype=np.uint8) if self.axes else np.zeros(0, dtype=np.uint8)
        cols = {}
        for k, (idx, vals) in self.cols.items():
            i = np.frombuffer(idx, dtype=np.int64) if idx else np.zeros(0, dtype=np.int64)
            v = np.frombuffer(vals, dtype=np.float64) if vals else np.zeros(0)
            if keep is not None:
                m = keep[i]
                i, v = i[m], v[m]
            cols[k] = (i, v)
        return xs, axes, cols
