"""A Markdown report written by a training script: a "Best Performance" block at the top (each line a
best value with the epoch it came from), then one heading per epoch ("## Epoch no. = 3", "## Epoch 3")
with a bullet per metric. The heading is the epoch's counter, its bullets are its record, and the best
block restates later points: one run of N epochs, not a point at the best epoch and a restart.
Control: the same bullets under prose headings name no epoch (the records are counted in order)."""

from __future__ import annotations

import contextlib
import math

import pytest

from traindoc.readers import load

N = 15


def _loss(e: int) -> float:
    return 0.2 + 0.9 * math.exp(-(e - 1) / 4.0)


def _write(path, heading) -> None:
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        print("# Training Log\n")
        print("## Best Performance:")
        print(f"- Best Accuracy: 0.8925 (Epoch {N - 3})")
        print(f"- Best Validation Loss: {_loss(N - 3):.4f} (Epoch {N - 3})\n")
        for e in range(1, N + 1):
            print(heading(e))
            print(f"- Accuracy: {1.0 - _loss(e) / 2:.4f}")
            print(f"- Train Loss: {_loss(e):.4f}")
            print(f"- Validation Loss: {_loss(e) + 0.05:.4f}\n")


@pytest.mark.parametrize("heading", [lambda e: f"## Epoch no. = {e}", lambda e: f"## Epoch {e}",
                                     lambda e: f"Epoch number: {e}"])
def test_epoch_headings_with_bullets_are_one_run_of_epochs(tmp_path, heading):
    path = tmp_path / "scores.md"
    _write(path, heading)
    (run,) = load(path).runs
    s = run.series["train_loss"]
    assert list(s.steps) == list(range(1, N + 1)) and abs(s.values[0] - _loss(1)) < 1e-4
    assert len(run.series["validation_loss"]) == N


def test_prose_headings_name_no_epoch(tmp_path):
    path = tmp_path / "scores.md"
    _write(path, lambda e: "## Results")
    (run,) = load(path).runs
    # the records are counted in order (a counter-less print log), not placed at an epoch of a heading
    assert list(run.series["train_loss"].steps) == list(range(N))
    assert "best_accuracy" not in run.series  # the best block is a summary, not a point
