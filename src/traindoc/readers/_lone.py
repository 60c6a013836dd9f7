"""A text file whose only metrics are one final evaluation: one point per quantity, no curve.

A log that ends in a single result line (conlleval's ``accuracy:  69.18%; precision:   0.00%; …``,
a final ``Test set: Average loss: …``) after pages of start-up output holds the run's outcome,
but no series over steps or epochs: no rule can judge a training from one point, and reading any
text with one ``name: number`` line as a run would claim READMEs and configs. The refusal says
which line it found, so the user knows where the number is and why it was not enough.

When that line (or a few lines of it, ``Test loss: 0.25`` then ``Test accuracy: 0.91``, each
quantity once) names two losses or metrics or more (not a code, config or document file), it is the
run's outcome in named numbers: it loads as a run of one point (``lone_line_run``), so the rules
that judge final values alone can speak (69% accuracy beside a recall of 0 is one class predicted
for everything) and every curve rule says the run is too short. A lone ``loss: 0.3`` is no claim.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..run import Run, Series
from . import _table as T
from ._final import NOT_RESULTS, measured_name
from .base import HEAD_BYTES, read_head
from .text.decode import iter_lines, sniff_text
from .text.parser import LineParser
from .text_log import own_report_file

_MAX_BYTES = 4 << 20  # a refusal costs no more than reading this much
_MAX_LINES = 200_000
_SHOWN = 80
_MAX_RESULT_LINES = 8  # a final evaluation printed one quantity per line; more is a log of its own


def _lone_line(path: Path) -> tuple[list[str], dict[str, float], bool] | None:
    """The record lines of a text file that hold its only values (each quantity once: a final
    evaluation, on one line or a few), those values (two or more), and whether their names were guessed
    from a known headerless layout (a YOLOv5 results row) rather than printed; else None. Read once per
    file version: a file refused is looked at again for the refusal's hint."""
    try:
        if not path.is_file() or (st := path.stat()).st_size > _MAX_BYTES:
            return None
    except OSError:
        return None
    return _lone_line_of(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _lone_line_of(name: str, _size: int, _mtime_ns: int) -> tuple[list[str], dict[str, float], bool] | None:
    path = Path(name)
    try:
        if sniff_text(path, read_head(path, HEAD_BYTES), HEAD_BYTES) is None:
            return None  # binary: no lines to speak of
        parser = LineParser()
        lines: list[str] = []
        values: dict[str, float] = {}
        for n, line in enumerate(iter_lines(path, [])):
            if n >= _MAX_LINES:
                return None
            if not parser.feed(line):
                continue
            last = parser.records.last
            got = dict(last[2]) if last is not None else {}
            if not any(measured_name(k) for k in got):
                continue  # settings printed at start-up (``Namespace(batch_size=64, lr=1.0)``): no metric line
            if any(k in values and values[k] != v and v == v for k, v in got.items()):
                return None  # a quantity with two values is a series: not this case
            values.update(got)
            lines.append(line.strip())
            if len(lines) > _MAX_RESULT_LINES:
                return None
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not lines or len(values) < 2:
        return None  # a lone "loss: 0.3" could be anything: no claim made
    return lines, values, parser.fixed_rows > 0


def lone_line_run(path: Path) -> Run | None:
    """A run of one point from a file whose only record lines name two losses or metrics or more."""
    if path.suffix.lower() in NOT_RESULTS:
        return None
    lone = _lone_line(path)
    if lone is None:
        return None
    lines, values, guessed = lone
    measured = [name for name in values if measured_name(name)]
    if len(measured) < 2 or guessed:
        return None  # names guessed from a layout name nothing on a line alone
    if own_report_file(path):
        return None  # traindoc's own report saved beside the logs: its numbers are a diagnosis
    run = Run(name=T.run_name(path), source=str(path), format="final_results")
    for name in measured:
        run.add(Series.named(name, np.ones(1), np.asarray([values[name]], dtype=float), axis="step"))
    run.meta.notes.append(f"{path.name}: {_what(lines)} and no series over steps or epochs: one point per quantity, "
                          "no curve to judge")
    return run


def _what(lines: list[str]) -> str:
    first = lines[0] if len(lines[0]) <= _SHOWN else lines[0][:_SHOWN - 3] + "..."
    if len(lines) == 1:
        return f"one line of metrics ({first})"
    return f"{len(lines)} lines of final metrics, each quantity once (the first: {first})"


def lone_line_hint(path: Path) -> str:
    """``"; it holds one line of metrics (…) and no series …"`` for such a text file, else ""."""
    lone = _lone_line(path)
    if lone is None:
        return ""
    return f"; it holds {_what(lone[0])} and no series over steps or epochs to judge a training from"
