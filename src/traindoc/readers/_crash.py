"""Why a console capture holds no metric: the run crashed first.

A log of a run that died before its first metric (a data-loading error, an encoding error on
Windows' console) is not "an unrecognised file": it is a training log whose answer is the
traceback at its end. Saying so in the one-line refusal saves the user opening the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import read_head
from .text.decode import decode, utf16_order

_TAIL = 256 * 1024
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)):?\s*(.*)$")


def crash_hint(path: Path) -> str:
    """``"; it ends in a Python traceback (KeyError: 'x'): ..."`` for a text file ending in one, else ""."""
    try:
        if not path.is_file():
            return ""
        size = path.stat().st_size
        head = read_head(path, 4096)
        with open(path, "rb") as fh:
            start = max(0, size - _TAIL)
            if utf16_order(head) is not None:
                start -= start % 2  # keep UTF-16 code units aligned
            fh.seek(start)
            tail = fh.read(_TAIL)
    except OSError:
        return ""
    if start and utf16_order(head) == "utf-16":
        tail = head[:2] + tail  # the BOM tells the decoder the byte order
    text, _notes = decode(tail)
    lines = text.splitlines()
    at = max((i for i, line in enumerate(lines) if "Traceback (most recent call last)" in line), default=None)
    if at is None:
        return ""
    error = next((m for line in reversed(lines[at + 1:]) if (m := _EXCEPTION.match(line.strip()))), None)
    what = f"{error.group(1)}: {error.group(2)}".strip().rstrip(":") if error else "see its last lines"
    if len(what) > 100:
        what = what[:97] + "..."
    return f"; it holds no metric and ends in a Python traceback ({what}): the run crashed before logging one"
