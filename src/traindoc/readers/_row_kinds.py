"""Rows of a table tagged by their kind in a column of their own, and rows wider or narrower than the header.

Why: a hand-written loop often writes one row per split and epoch (``epoch,phase,loss,acc`` holding
``1,train,…`` and ``1,val,…``), or a summary row after each epoch's batch rows (``1,summary,…``). Read as one
table, the validation values land under the training names and the x repeats on every second row, so the
run seems to restart or resume at every epoch. Here each kind's cells get names of their own: a split's
rows as wide as the header take its names with the split in front (``val_loss``); rows of another width,
or of a kind that is no split, keep their cells as unnamed series (``val field 5``), since the header does
not say what they are, and no value is dropped. Trailing empty fields (a separator at the end of a row)
are not cells.
"""

from __future__ import annotations

import re

from . import _split_keys as SK
from . import _table as T

# Words that tag a row's kind: the splits, and the summary written after an epoch's batch rows.
_SUMMARY = ("summary", "avg", "average", "mean", "total")
_CANON = {"training": "train", "valid": "val", "validation": "val", "evaluation": "eval"}
_KIND_WORDS = frozenset(SK.SPLITS) | frozenset(_SUMMARY)
_X_NAMES = frozenset({"epoch", "step", "global_step", "iter", "iteration", "_step", "steps", "ep"})
_SPLIT_FIRST = re.compile(r"(?:" + "|".join(SK.SPLITS) + r")(?![a-z])")  # val_loss, not value
MIN_TAGGED = 2  # rows a kind needs before its column is read as the rows' kind


def _word(cell: str) -> str | None:
    w = cell.strip().lower()
    return _CANON.get(w, w) if w in _KIND_WORDS else None


def _cells(row: list[str]) -> list[str]:
    """The row without its trailing empty fields (``1,0.5,0.7,`` has three cells)."""
    end = len(row)
    while end > 0 and not row[end - 1].strip():
        end -= 1
    return row[:end]


def kind_column(header: list[str], body: list[list[str]]) -> int | None:
    """The column whose cells tag each row's kind: split or summary words in MIN_TAGGED rows at least, every
    other cell of it a number or empty (a batch counter whose summary rows say ``summary``); None if none."""
    best = None
    for j in range(len(header)):
        tagged, other = 0, False
        for r in body:
            cell = r[j] if j < len(r) else ""
            if _word(cell) is not None:
                tagged += 1
            elif cell.strip() and T.parse_number(cell) is None:
                other = True
                break
        if not other and tagged >= MIN_TAGGED and (best is None or tagged > best[1]):
            best = (j, tagged)
    return None if best is None else best[0]


def _prefixed(kind: str, name: str) -> str:
    low = name.strip().lower()
    if low in _X_NAMES or _SPLIT_FIRST.match(low):
        return name
    return f"{kind}_{name}"


def widen(header: list[str], body: list[list[str]], notes: list[str], j: int | None
          ) -> tuple[list[str], list[dict[str, str]]] | None:
    """The rows as ``{name: cell}`` with each kind's cells under names of its own (see the module doc), and
    the header with those names; None when the table has no kind column ``j`` (``kind_column``): read as it is."""
    if j is None:
        return None
    width = len(header)
    # Plain rows (a number in the kind column) and training rows keep the header's names.
    plain = {"train", None}
    names: dict[str, None] = dict.fromkeys(h for i, h in enumerate(header) if i != j)
    rows: list[dict[str, str]] = []
    unnamed: dict[str, int] = {}
    renamed: set[str] = set()
    for r in body:
        cells = _cells(r)
        kind = _word(cells[j]) if j < len(cells) else None
        rec: dict[str, str] = {}
        if len(cells) <= width:
            for i, (name, cell) in enumerate(zip(header, cells)):
                if i == j:
                    continue
                key = name if kind in plain else _prefixed(kind, name)
                if key != name:
                    renamed.add(kind)
                rec[key] = cell
                names.setdefault(key, None)
            if kind is not None and len(cells) < width and kind not in plain:
                pass  # narrower: the cells it has sit under their names, the rest was not logged
        else:
            # Wider than the header: the cells before the kind keep their names (the x), the others are
            # not what the header names (their count differs): kept, unnamed.
            for i, cell in enumerate(cells):
                if i < j:
                    rec[header[i]] = cell
                elif i > j:
                    key = f"{kind or 'row'} field {i + 1}"
                    rec[key] = cell
                    names.setdefault(key, None)
            unnamed[kind or "row"] = len(cells)
        rows.append(rec)
    kinds = sorted({_word(r[j]) for r in body if j < len(r) and _word(r[j]) is not None})
    notes.append(f"column {header[j]!r} tags each row's kind ({', '.join(kinds)}): "
                 + ("; ".join(filter(None, [
                     f"the {', '.join(sorted(renamed))} rows' values read under the header's names with that prefix"
                     if renamed else "",
                     *(f"{k} rows hold {n} fields under a header of {width}: their values kept as unnamed series "
                       f"('{k} field N', N the field's place in the row)" for k, n in sorted(unnamed.items()))]))
                    or "read as one table"))
    return list(names), rows
