"""A console printed in two columns under a "Training:" / "Testing:" header (a Caffe-like C++
framework): the test lines are indented to the Testing column and share the training lines' steps,
so they are that split's values, not the training loss printed again; and a value keyed by a split
word alone ("eval = 0.91") beside a loss on the same line is a score, not that split's loss
(``readers/text/parser.py``: ``split_column``, ``_Plan``). Control: "120 val 3.21" with no loss on the
line stays the validation loss."""

from __future__ import annotations

import math

from traindoc.readers import load
from traindoc.run import Role


def _two_columns(path, n: int = 11):
    pad = " " * 88
    lines = ["  Training:" + " " * 76 + "Testing:", "=" * 139]
    for i in range(n):
        it = 100 * i
        loss = 0.2 + 2.1 * math.exp(-i / 1.5)
        acc = min(0.98, 0.12 + 0.2 * i)
        if i % 2 == 0:
            lines.append(f"{pad}Epoch {i // 6}  Iteration {it} loss = {loss + 0.05:.6g} * 1  eval = {acc - 0.02:.3g}   ")
        lines.append(f"Epoch {i // 6}  Iteration {it}  learning_rate = {0.01 * (1 - 0.0007 * i):.6g} "
                     f"loss = {loss:.6g} * 1  eval = {acc:.3g}   ")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_testing_column_is_its_own_split_and_eval_beside_a_loss_is_no_loss(tmp_path):
    (run,) = load(_two_columns(tmp_path / "train_output.txt")).runs
    assert run.series["loss"].role == Role.TRAIN_LOSS and len(run.series["loss"]) == 11
    test = run.series["test_loss"]
    assert test.role == Role.VAL_LOSS and len(test) == 6
    assert float(test.values[0]) > float(run.series["loss"].values[0])  # the test line's own value
    assert not [s for s in run.series.values() if s.name.startswith("eval") and s.role == Role.VAL_LOSS]


def test_a_split_word_alone_on_a_line_without_a_loss_is_still_that_splits_loss(tmp_path):
    p = tmp_path / "log.txt"
    p.write_text("".join(f"step {10 * i} train {3.0 - 0.1 * i:.3f} val {3.1 - 0.09 * i:.3f}\n" for i in range(12)))
    (run,) = load(p).runs
    assert run.series["val_loss"].role == Role.VAL_LOSS and len(run.series["val_loss"]) == 12
