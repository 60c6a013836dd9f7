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

    def arrays(self, dropped: set[int] | None = None,
               commit: bool = True) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """x per record, axis code per record, and per name (record indices, values), as numpy.

        ``commit=False`` leaves the store as it was (the last record still open to a redraw) and
        returns copies, so a follower can look between lines and keep appending; ``dropped``
        replaces the store's own set for that look."""
        if commit:
            self._commit()
        dropped = self.dropped if dropped is None else dropped
        last = None if commit else self.last
        n = len(self.xs)
        keep = None
        if dropped:
            keep = np.ones(n + (last is not None), dtype=bool)
            keep[list(dropped)] = False

        def arr(buf: array, dtype, extra: list) -> np.ndarray:
            out = np.frombuffer(buf, dtype=dtype) if buf else np.zeros(0, dtype=dtype)
            return np.concatenate([out, np.array(extra, dtype=dtype)]) if not commit else out

        lx = [last[0]] if last is not None else []
        xs = arr(self.xs, np.float64, lx)
        axes = np.frombuffer(bytes(self.axes), dtype=np.uint8) if self.axes else np.zeros(0, dtype=np.uint8)
        if last is not None:
            axes = np.concatenate([axes, np.array([AXES.index(last[1])], dtype=np.uint8)])
        cols = {}
        names = list(self.cols) + [k for k in (last[2] if last is not None else {}) if k not in self.cols]
        for k in names:
            idx, vals = self.cols.get(k, (array("q"), array("d")))
            tail = last is not None and k in last[2]
            i = arr(idx, np.int64, [n] if tail else [])
            v = arr(vals, np.float64, [last[2][k]] if tail else [])
            if keep is not None:
                m = keep[i]
                i, v = i[m], v[m]
            cols[k] = (i, v)
        return xs, axes, cols
