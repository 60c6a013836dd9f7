"""Several runs side by side in one table (a W&B chart export: per run ``<run> - _step``, the
metric, and their ``__MIN``/``__MAX`` band columns; every field quoted). A run that stopped earlier
leaves its cells empty below its last row: a gap, not NaN. A loss gone NaN that pandas writes as
empty cells keeps its step filled, so it stays NaN. Frames are built and written by pandas."""

from __future__ import annotations

import csv

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from traindoc.readers import read_file  # noqa: E402
from traindoc.rules import diagnose_run  # noqa: E402


def _run_columns(name: str, epochs: int, start: float) -> "pd.DataFrame":
    steps = 601.0 * np.arange(1, epochs + 1)
    loss = 0.85 + (start - 0.85) * np.exp(-0.5 * np.arange(epochs))
    cols = {}
    for key, vals in ((f"{name} - _step", steps), (f"{name} - epoch/val_loss", loss)):
        cols[key], cols[key + "__MIN"], cols[key + "__MAX"] = vals, vals, vals
    return pd.DataFrame(cols)


def _export(path, lengths):
    frames = [_run_columns(f"run-{i}", n, 1.0 + 0.05 * i) for i, n in enumerate(lengths)]
    wide = pd.concat(frames, axis=1)  # shorter runs padded with NaN, written as empty cells
    wide.insert(0, "epoch/epoch", np.arange(len(wide)))
    wide.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
    return path


def test_runs_that_stopped_earlier_are_gaps_not_nan(tmp_path):
    (run,) = read_file(_export(tmp_path / "val_loss.csv", [10, 9, 8, 10]))
    losses = [s for n, s in run.series.items() if n.endswith("val_loss")]
    assert len(losses) == 4  # the __MIN/__MAX bands are not curves of their own
    assert sorted(len(s.values) for s in losses) == [8, 9, 10, 10]
    assert all(np.isfinite(s.values).all() for s in losses)
    assert "nonfinite" not in {f.id for f in diagnose_run(run)}


def test_a_loss_gone_nan_with_its_step_still_counting_stays_nan(tmp_path):
    steps = np.arange(1, 13) * 10.0
    loss = np.r_[np.linspace(2.0, 1.0, 8), [np.nan] * 4]
    path = tmp_path / "log.csv"
    pd.DataFrame({"step": steps, "loss": loss}).to_csv(path, index=False)
    (run,) = read_file(path)
    assert np.isnan(run.series["loss"].values).sum() == 4
    assert "nonfinite" in {f.id for f in diagnose_run(run)}
