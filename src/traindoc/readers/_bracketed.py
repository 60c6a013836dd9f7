"""Lists of numbers printed in brackets: what ``json.dump(losses)``, ``print(losses)`` (a Python list,
numpy 2 writing ``np.float64(0.5)`` cells, a list of formatted strings ``['0.7705', …]``) and ``print(np.array(losses))`` / ``str(array)`` (spaces, no
commas, wrapped over several lines at 75 characters) leave in a file.

Why apart from one-number-per-line: each of those writers puts the whole curve inside one pair of
brackets, spread over one line or many; a file may hold several such lists one after another (a
training list, then a validation list). A nested list (a 2-D array) is not this case: its rows
name nothing. ``labelled_lists``: one list per line after a label (``BRNN:[0.71, …]``, ``lr=0.1 [0.9 0.7 …]``),
the way a loop over runs prints each run's curve.
"""

from __future__ import annotations

import re

from . import _table as T

_LIST = re.compile(r"\[([^\[\]]*)\]")
# "BRNN:[0.71, 0.69, …]", "run 2 = [0.7 0.6 …]": print(f"{model}:{losses}") once per run, one line each
_LABELLED = re.compile(r"\s*([A-Za-z][\w .()/=,-]{0,60}?)\s*[:=]?\s*\[([^\[\]]*)\]\s*")
_CELL_SEP = re.compile(r"[,\s]+")


def lists(text: str, min_values: int, cut: bool = False) -> list[list[float]] | None:
    """The bracketed lists of numbers that make up ``text`` (nothing else but blank space between them),
    or None. ``cut``: ``text`` is a head whose last list may be unfinished; it is kept when it already
    holds ``min_values`` numbers. Every list must hold ``min_values`` numbers or more, except that a
    file of one list may hold fewer when it holds at least one."""
    body = text.strip()
    if not body.startswith("[") or body.startswith("[["):
        return None
    found: list[list[float]] = []
    at = 0
    while at < len(body):
        m = _LIST.match(body, at)
        if m is None:
            rest = body[at:]
            if cut and rest.startswith("[") and "]" not in rest and "[" not in rest[1:]:
                values = _numbers(rest[1:], partial=True)
                if values is not None and len(values) >= min_values:
                    found.append(values)
                    break
            return None
        values = _numbers(m.group(1))
        if values is None:
            return None
        found.append(values)
        at = m.end()
        while at < len(body) and body[at].isspace():
            at += 1
    if not found or (len(found) > 1 and any(len(v) < min_values for v in found)) or not found[0]:
        return None
    return found


def _numbers(inner: str, partial: bool = False) -> list[float] | None:
    cells = [c for c in _CELL_SEP.split(inner.strip()) if c]
    if partial and cells:
        cells = cells[:-1]  # the head may cut the last number short
    nums = [T.parse_number(_unquoted(c)) for c in cells]
    return None if any(n is None for n in nums) else [float(n) for n in nums]  # type: ignore[arg-type]


def _unquoted(cell: str) -> str:
    """A number printed as a string (``print([f"{l:.4f}" for l in losses])``, ``json.dump`` of formatted values)
    loses its one pair of matching quotes; anything else is left for the number parser to accept or refuse."""
    if len(cell) >= 3 and cell[0] == cell[-1] and cell[0] in "'\"":
        return cell[1:-1]
    return cell


def labelled_lists(lines: list[str], min_values: int, cut: bool = False) -> list[tuple[str, list[float]]] | None:
    """``[(label, values)]`` when every line is a label and a one-line bracketed list of ``min_values``
    numbers or more (``print(f"{model}:{losses}")`` once per run), else None. The label is what the
    user called the run; what the numbers are only the file name can say (``value_list``). ``cut``:
    the lines are a head, whose last line may be cut short (it is left out)."""
    if cut and lines and _LABELLED.fullmatch(lines[-1]) is None:
        lines = lines[:-1]
    found: list[tuple[str, list[float]]] = []
    for line in lines:
        m = _LABELLED.fullmatch(line)
        values = _numbers(m.group(2)) if m else None
        if values is None or len(values) < min_values:
            return None
        found.append((m.group(1).strip(), values))  # type: ignore[union-attr]
    return found or None
