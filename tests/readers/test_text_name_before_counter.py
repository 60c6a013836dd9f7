"""A value named before its counter ("Loss at step 12: 5.3"), as printed through Python's logging."""

from __future__ import annotations

import logging

import pytest

from traindoc.readers import load
from traindoc.errors import InputError
from traindoc.run import Role


def _write(path, lines_fmt: str, n: int = 40) -> None:
    logger = logging.getLogger(f"traindoc-test-{path.name}")
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s:\t%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.info("Start training epoch 1.")
    for i in range(1, n + 1):
        logger.info(lines_fmt, i, 8.0 - 0.05 * i)
    handler.close()
    logger.removeHandler(handler)


def test_loss_at_step_is_read_with_its_steps(tmp_path):
    path = tmp_path / "train.log"
    _write(path, "Loss at step %d: %f")
    run = load(path).runs[0]
    s = run.series["loss"]
    assert s.role == Role.TRAIN_LOSS
    assert list(s.steps[:3]) == [1, 2, 3] and len(s) == 40
    assert abs(s.values[-1] - 6.0) < 1e-6


def test_held_out_name_before_the_counter_keeps_its_split(tmp_path):
    path = tmp_path / "train.log"
    _write(path, "Validation loss at epoch %d = %f", n=12)
    run = load(path).runs[0]
    assert run.series["validation_loss"].role == Role.VAL_LOSS and len(run.series["validation_loss"]) == 12


def test_a_counter_with_no_name_before_it_stays_unnamed(tmp_path):
    """"Saved at step 5: 0.3" names no loss or metric: the file is refused in one line, not guessed into a loss."""
    path = tmp_path / "train.log"
    _write(path, "Saved at step %d: %f")
    with pytest.raises(InputError, match="not a recognised training log"):
        load(path)
