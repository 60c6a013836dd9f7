"""Why a text file with one line of metrics is not read as a run: one evaluation is no curve.

A log that ends in a single result line (conlleval's ``accuracy:  69.18%; precision:   0.00%; …``,
a final ``Test set: Average loss: …``) after pages of start-up output holds the run's outcome,
but no series over steps or epochs: no rule can judge a training from one point, and reading any
text with one ``name: number`` line as a run would claim READMEs and configs. The refusal says
which line it found, so the user knows where the number is and why it was not enough.

When that line names two losses or metrics or more (not a code, config or document file), it is the
run's outcome in named numbers: it loads as a run of one point (``lone_line_run``), so the rules
that judge final values alone can speak (69% accuracy beside a recall of 0 is one class predicted
for everything) and every curve rule says the run is too short. A lone ``loss: 0.3`` is no claim.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..run import Run, Series
from . import _table as T
from ._final import NOT_RESULTS, measured_name
from .base import HEAD_BYTES, read_head
from .text.decode import iter_lines, sniff_text
from .text.parser import LineParser

_MAX_BYTES = 4 << 20  # a refusal costs no more than reading this much
_MAX_LINES = 200_000
_SHOWN = 80


def _lone_line(path: Path) -> tuple[str, dict[str, float], bool] | None:
    """The one record line of a text file, its values (two or more), and whether their names were
    guessed from a known headerless layout (a YOLOv5 results row) rather than printed; else None."""
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        if sniff_text(path, read_head(path, HEAD_BYTES), HEAD_BYTES) is None:
            return None  # binary: no lines to speak of
        parser = LineParser()
        found = None
        for n, line in enumerate(iter_lines(path, [])):
            if n >= _MAX_LINES:
                return None
            if not parser.feed(line):
                continue
            last = parser.records.last
            values = dict(last[2]) if last is not None else {}
            if not any(measured_name(k) for k in values):
                continue  # settings printed at start-up (``Namespace(batch_size=64, lr=1.0)``): no metric line
            if found is not None:
                return None  # two lines or more: not this case
            found = (line.strip(), values)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if found is None or len(found[1]) < 2:
        return None  # a lone "loss: 0.3" could be anything: no claim made
    return found[0], found[1], parser.fixed_rows > 0


def lone_line_run(path: Path) -> Run | None:
    """A run of one point from a file whose one record line names two losses or metrics or more."""
    if path.suffix.lower() in NOT_RESULTS:
        return None
    lone = _lone_line(path)
    if lone is None:
        return None
    line, values, guessed = lone
    measured = [name for name in values if measured_name(name)]
    if len(measured) < 2 or guessed:
        return None  # names guessed from a layout name nothing on a line alone
    run = Run(name=T.run_name(path), source=str(path), format="final_results")
    for name in measured:
        run.add(Series.named(name, np.ones(1), np.asarray([values[name]], dtype=float), axis="step"))
    run.meta.notes.append(f"{path.name}: one line of metrics ({_shown(line)}) and no series over steps or epochs: "
                          "one point per quantity, no curve to judge")
    return run


def _shown(line: str) -> str:
    return line if len(line) <= _SHOWN else line[:_SHOWN - 3] + "..."


def lone_line_hint(path: Path) -> str:
    """``"; it holds one line of metrics (…) and no series …"`` for such a text file, else ""."""
    lone = _lone_line(path)
    if lone is None:
        return ""
    return f"; it holds one line of metrics ({_shown(lone[0])}) and no series over steps or epochs to judge a training from"
