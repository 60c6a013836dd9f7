"""A file whose name says only that it is a training record (``train_log.txt``, ``log_train.txt``,
``train_history.txt``, ``progress.csv``, ``training_stats.csv``, ``train.out``) and whose lines hold a
counter and one number (``f.write(f"{epoch} {value}\\n")``) or two: what are they?

A loss and a task metric are the two things such a loop keeps, and they are judged the opposite way up
(a rising loss is a failure, a rising accuracy the goal), so the reading must follow from the numbers,
not from which way they move (reading a rising curve as an accuracy would call every diverging loss
healthy). One fact decides it without looking at the trend: an accuracy, F1, IoU, AUC or any other
bounded score lies in [0, 1] or, in percent, in [0, 100]. Values that are never negative, mostly
fractions (an average over a batch, not a count), and go above 100 somewhere are none of those: they are
a loss (or a perplexity, an error sum: lower is better either way), and the file is read so, with a note
saying why. Values inside [0, 100] may be either, so the file is refused, the message saying so; a
negative value (a log-likelihood, a reward) is refused too.

Two values beside the counter (``f"{epoch} {train_loss} {val_loss}"``) are read the same way when both
are such losses and sit at one level (``_headerless.pair_names``): training, then validation.
"""

from __future__ import annotations

import math
import re

from ..run import Role, RoleInfo

# Words a training record's file name is made of; one of _RECORD_KEY must be among them.
_RECORD_WORDS = {"train", "training", "trainer", "log", "logs", "history", "hist", "progress", "stats",
                 "statistics", "record", "records", "results", "out", "output", "epoch", "epochs"}
_RECORD_KEY = {"train", "training", "trainer", "history", "progress"}
BOUND = 100.0  # the largest value a bounded score takes (in percent)
LOSS = ("loss", RoleInfo(Role.TRAIN_LOSS, higher_is_better=False, metric="loss"))


def record_name(stem: str) -> bool:
    """The file name says "a record of the training" and nothing about what was recorded."""
    words = [w for w in re.split(r"[\s_.\-]+", stem.lower()) if w]
    return bool(words) and all(w in _RECORD_WORDS for w in words) and any(w in _RECORD_KEY for w in words)


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def unbounded(values: list[float]) -> bool:
    """Never negative, mostly fractions, and above ``BOUND`` somewhere: no bounded score, so a loss."""
    fin = _finite(values)
    if len(fin) < 2 or min(fin) < 0 or max(fin) <= BOUND:
        return False
    fractions = sum(1 for v in fin if not float(v).is_integer())
    return fractions * 2 >= len(fin)


def loss_note(file_name: str, columns: list[int], values: list[list[float]]) -> str:
    """The one line a run read this way carries, saying what was assumed and why."""
    top = max(max(_finite(v)) for v in values)
    what = (f"column {columns[0] + 1} of {file_name} is the training loss" if len(columns) == 1 else
            f"columns {columns[0] + 1} and {columns[1] + 1} of {file_name} are the training and validation loss "
            "(the order loops write them in; both sit at one level)")
    return (f"assumed: {what}: the name says only that the file is a training record, and its values reach "
            f"{top:.4g}, above the {BOUND:.0f} no accuracy or other bounded score exceeds (name the columns with "
            "--columns to read it otherwise)")


def refusal_hint(file_name: str, values: list[float]) -> str:
    """Why a record's one value column is not read as a loss (for the refusal message), or "" when it is."""
    fin = _finite(values)
    if not fin or unbounded(values):
        return ""
    lo, hi = min(fin), max(fin)
    if lo < 0:
        return (f"; its values go below 0 ({lo:.4g}), as a log-likelihood's or a reward's can, so {file_name} "
                "is not read as a loss")
    if hi <= BOUND:
        return (f"; the values seen lie in [{lo:.4g}, {hi:.4g}], where a loss and an accuracy can both lie, and "
                "which way is better is not guessed from the curve")
    return "; its values are mostly whole numbers (a count, not a loss averaged over a batch)"
