"""Text files committed with unresolved version-control conflict markers.

A log kept in git and changed on two branches ends up as::

    common rows
    <<<<<<< HEAD
    rows of one side
    =======            (diff3 style adds "||||||| base" + the base rows before it)
    rows of the other side
    >>>>>>> branch
    common rows

Each side is a whole version of the log. The reader keeps one: the side with more lines (it
holds more of the run), plus the common parts, and says in a note what it left out, so nothing
is lost silently and the markers never reach a CSV parser as rows.
"""

from __future__ import annotations

import re

_MARK = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?:\s.*)?$")


def has_markers(text: str) -> bool:
    return "<<<<<<<" in text and any(_MARK.match(ln) for ln in text.splitlines() if ln[:1] in "<=>|")


def resolve(text: str) -> tuple[str, str | None]:
    """The text with each conflict replaced by its longer side, and a note (None when no markers)."""
    if not has_markers(text):
        return text, None
    out: list[str] = []
    sides: list[list[str]] = []
    state = None  # None outside a conflict; else index of the side being read
    left_out = conflicts = 0
    for line in text.splitlines():
        m = _MARK.match(line)
        kind = m.group(1)[0] if m else None
        if kind == "<" and state is None:
            sides, state = [[]], 0
        elif kind in ("=", "|") and state is not None:
            sides.append([])
            state = len(sides) - 1
        elif kind == ">" and state is not None:
            ours, theirs = sides[0], sides[-1]  # a diff3 base side in the middle is the older version
            keep = theirs if len(theirs) > len(ours) else ours
            out.extend(keep)
            left_out += sum(len(s) for s in sides) - len(keep)
            conflicts += 1
            state = None
        elif state is not None:
            sides[state].append(line)
        else:
            out.append(line)
    if state is not None:  # an unterminated conflict: keep what was read of its first side
        out.extend(sides[0])
        left_out += sum(len(s) for s in sides[1:])
        conflicts += 1
    note = (f"holds {conflicts} unresolved version-control conflict(s) (<<<<<<< … >>>>>>>): read the longer side "
            f"of each; {left_out} line(s) of the other side(s) left out")
    return "\n".join(out) + "\n", note
