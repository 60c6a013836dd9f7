"""Two layouts of hand-kept histories (realdev rounds 28-31): a title line written above a
``;``-separated Keras history, and deepspeech.pytorch's epoch summaries, whose epoch counter is
named with its split and the word "Summary" ("Training Summary Epoch: [3]")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from traindoc.readers import load
from traindoc.readers import _table as T


def _keras_history_with_title(path, epochs: int, sep: str = ";", title: str = "model_history_log") -> pd.DataFrame:
    """A Keras ``History.history`` saved by hand: the title first, then ``DataFrame.to_csv`` (Windows line ends)."""
    e = np.arange(epochs)
    df = pd.DataFrame({"accuracy": 0.99 - 0.5 * np.exp(-e / 2), "loss": 1.5 * np.exp(-e / 3) + 0.04,
                       "val_accuracy": 0.95 - 0.2 * np.exp(-e), "val_loss": 0.6 * np.exp(-e / 2) + 0.15})
    df.index.name = "epoch"
    with open(path, "w", newline="") as f:
        f.write(title + "\r\n")
        df.to_csv(f, sep=sep, lineterminator="\r\n")
    return df


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_title_line_above_a_table_is_skipped(tmp_path, sep):
    path = tmp_path / "model_history_log.csv"
    df = _keras_history_with_title(path, 17, sep)
    (run,) = load(path).runs
    assert set(df.columns) <= set(run.series)
    assert np.allclose(run.series["val_loss"].values, df["val_loss"].to_numpy())
    assert run.series["loss"].axis == "epoch"
    assert any("title line" in n for n in run.meta.notes)


def test_title_is_only_a_line_without_separators_over_a_named_header():
    table = "epoch;loss\n0;1.0\n1;0.5\n"
    assert T.without_title("history\n" + table) == (table, "history")
    # a first line that is itself a header row, or a number, is no title
    assert T.without_title(table)[1] is None
    assert T.without_title("42\n" + table)[1] is None
    # the line under it must name columns: a row of numbers under a sentence is no table header
    assert T.without_title("Training log\n0;1.0\n1;0.5\n2;0.2\n")[1] is None
    # and the row under the header must be as wide as it and hold a number
    assert T.without_title("Notes\nfirst, second\nsome words here\n")[1] is None


def _deepspeech_log(path, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """deepspeech.pytorch's ``train.py`` prints, per epoch (copied into a results file by hand)."""
    loss = 40 * np.exp(-np.arange(epochs) / 3) + 1.5
    wer = 60 * np.exp(-np.arange(epochs) / 4) + 25
    with open(path, "w") as f:
        f.write("## Training with 5 layers - LSTM:\n\n")
        for e in range(1, epochs + 1):
            f.write("Training Summary Epoch: [{0}]\tTime taken (s): {1:.0f}\tAverage Loss {2:.3f}\t\n"
                    .format(e, 600 + e, loss[e - 1]))
            f.write("Validation Summary Epoch: [{0}]\tAverage WER {1:.3f}\tAverage CER {2:.3f}\t\n"
                    .format(e, wer[e - 1], wer[e - 1] / 4))
            f.write(f"Learning rate annealed to: {3e-4 * 0.9 ** e:.6f}\n\n")
    return loss, wer


def test_deepspeech_epoch_summaries_are_counted_by_their_epoch(tmp_path):
    path = tmp_path / "training_results.txt"
    loss, wer = _deepspeech_log(path, 12)
    (run,) = load(path).runs
    train = run.series["loss"]
    assert train.axis == "epoch"
    assert list(train.steps) == list(range(1, 13))
    assert np.allclose(train.values, np.round(loss, 3))
    assert np.allclose(run.series["wer"].values, np.round(wer, 3))
    assert list(run.series["wer"].steps) == list(range(1, 13))


def test_epoch_named_with_words_that_are_no_split_stays_a_value():
    from traindoc.readers.text.template import _split_epoch
    assert _split_epoch("training_summary_epoch") and _split_epoch("validation_epoch")
    assert not _split_epoch("best_epoch") and not _split_epoch("epoch") and not _split_epoch("total_epoch")
