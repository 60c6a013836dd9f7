"""too-short and files holding several runs: a run the same file goes on after (a launch stopped and
started again, split by the reader at the restart) is a launch cut short, which appended-runs names,
not a log too short to judge; the file's last run is judged for its length as any run is."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import traindoc


def _keras_csv(path: Path, launches: list[int]) -> Path:
    """A Keras CSVLogger file appended to once per launch, each launch ``n`` epochs of a falling loss."""
    rows = ["epoch,loss,val_loss"]
    for n in launches:
        loss = np.geomspace(0.9, 0.2, n)
        rows += [f"{e},{loss[e]:.4f},{1.1 * loss[e]:.4f}" for e in range(n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _ids(run) -> set[str]:
    return {f.id for f in traindoc.diagnose(run)}


def test_a_short_launch_the_file_goes_on_after_is_not_too_short(tmp_path):
    runs = traindoc.load(_keras_csv(tmp_path / "training.log", [3, 12])).runs
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    first, last = runs
    assert "appended-runs" in _ids(first) and "too-short" not in _ids(first)
    assert "too-short" not in _ids(last)


def test_the_file_s_last_run_is_still_judged_for_its_length(tmp_path):
    runs = traindoc.load(_keras_csv(tmp_path / "training.log", [12, 3])).runs
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert "too-short" in _ids(runs[1]) and "too-short" not in _ids(runs[0])
