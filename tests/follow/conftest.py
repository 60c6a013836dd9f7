"""Helpers for the follow tests: compare what a tailer holds with what the reader reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def series_of(runs) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """``{(run index, series name): (steps, values)}`` of a list of runs."""
    return {(i, s.name): (s.steps, s.values) for i, r in enumerate(runs) for s in r.series.values()}


def assert_same_runs(got, want, context: str = "") -> None:
    a, b = series_of(got), series_of(want)
    assert a.keys() == b.keys(), f"{context}: series differ: {sorted(a)} vs {sorted(b)}"
    for key in a:
        np.testing.assert_array_equal(a[key][0], b[key][0], err_msg=f"{context}: steps of {key}")
        np.testing.assert_array_equal(a[key][1], b[key][1], err_msg=f"{context}: values of {key}")


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(data)
