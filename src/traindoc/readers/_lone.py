"""Why a text file with one line of metrics is not read as a run: one evaluation is no curve.

A log that ends in a single result line (conlleval's ``accuracy:  69.18%; precision:   0.00%; …``,
a final ``Test set: Average loss: …``) after pages of start-up output holds the run's outcome,
but no series over steps or epochs: no rule can judge a training from one point, and reading any
text with one ``name: number`` line as a run would claim READMEs and configs. The refusal says
which line it found, so the user knows where the number is and why it was not enough.
"""

from __future__ import annotations

from pathlib import Path

from .base import HEAD_BYTES, read_head
from .text.decode import iter_lines, sniff_text
from .text.parser import LineParser

_MAX_BYTES = 4 << 20  # a refusal costs no more than reading this much
_MAX_LINES = 200_000
_SHOWN = 80


def lone_line_hint(path: Path) -> str:
    """``"; it holds one line of metrics (…) and no series …"`` for such a text file, else ""."""
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return ""
        if sniff_text(path, read_head(path, HEAD_BYTES), HEAD_BYTES) is None:
            return ""  # binary: no lines to speak of
        parser = LineParser()
        found = None
        for n, line in enumerate(iter_lines(path, [])):
            if n >= _MAX_LINES:
                return ""
            if parser.feed(line):
                if found is not None:
                    return ""  # two lines or more: not this case
                found = line.strip()
    except (OSError, ValueError, UnicodeDecodeError):
        return ""
    last = parser.records.last
    if found is None or last is None or len(last[2]) < 2:
        return ""  # a lone "loss: 0.3" could be anything: no claim made
    shown = found if len(found) <= _SHOWN else found[:_SHOWN - 3] + "..."
    return f"; it holds one line of metrics ({shown}) and no series over steps or epochs to judge a training from"
