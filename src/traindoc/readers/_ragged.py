"""Rows wider than the header, separators left at the end of rows, and a second header part-way down a table.

Why: a hand-written loop's CSV drifts from its header. It appends the validation numbers to each row without
naming them (``epoch,loss,acc`` over ``1,0.52,0.81,0.61,0.78``), writes one more number than it names, ends
some rows with a stray separator, or, relaunched with more to log, writes a new header below the old rows.
Zipped with the first header, the extra cells vanish and the new header's columns are lost. Here:

- empty fields past the header's width are separators, not cells, and are dropped;
- a row of names only, sharing a name with the header (or naming the step or epoch), is a new header: the
  rows below it are read under its names, and a run starts there (a launch appended to the file);
- cells past the header's width are kept. When every wider row holds exactly one more block of the header's
  value columns, each extra column on the scale of the one it repeats (a loss beside a loss, a percentage
  beside a percentage), they are the same quantities on held-out data and read as ``val_<name>``; otherwise
  they stay unnamed series (``field N``, N the field's place in the row), never dropped.
"""

from __future__ import annotations

import re
import statistics

from . import _split_keys as SK
from . import _table as T

_X_NAMES = frozenset({"epoch", "step", "global_step", "iter", "iteration", "_step", "steps", "ep"})
_SPLIT_FIRST = re.compile(r"(?:" + "|".join(SK.SPLITS) + r")(?![a-z])")
SCALE = 3.0  # an extra column and the column it repeats: medians within this factor of each other


def _trim(cells: list[str], width: int) -> list[str]:
    end = len(cells)
    while end > width and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def is_header(cells: list[str], header: list[str]) -> bool:
    """A row of names only, sharing one with ``header`` or naming the step or epoch."""
    if len(cells) < 2 or any(not c.strip() or T.parse_number(c) is not None for c in cells):
        return False
    names = {c.strip().lower() for c in cells}
    return bool(names & {h.strip().lower() for h in header}) or bool(names & _X_NAMES)


def _median_abs(values: list[str]) -> float | None:
    nums = [abs(v) for v in (T.parse_number(c) for c in values) if v is not None and v == v and abs(v) != float("inf")]
    return statistics.median(nums) if nums else None


def _block_names(header: list[str], wide: list[list[str]]) -> dict[int, str]:
    """``{field index: val_<name>}`` when the wider rows repeat the header's value columns (see the module doc)."""
    width = len(header)
    if not wide or len({len(r) for r in wide}) != 1 or len(wide[0]) != 2 * width - 1 or width < 2:
        return {}
    if header[0].strip().lower() not in _X_NAMES:
        return {}
    out = {}
    for j in range(1, width):
        name = header[j].strip()
        if _SPLIT_FIRST.match(name.lower()):
            return {}  # the header already names a split: the second block is not known
        a, b = _median_abs([r[j] for r in wide]), _median_abs([r[width + j - 1] for r in wide])
        if a is None or b is None or not (a == b == 0 or (a > 0 and b > 0 and 1 / SCALE <= b / a <= SCALE)):
            return {}
        out[width + j - 1] = f"val_{name}"
    return out


def drifted(header: list[str], body: list[list[str]]) -> bool:
    """Whether some row is wider than the header (past its trailing separators) or is another header."""
    width = len(header)
    return any(len(_trim(r, width)) > width or (is_header(r, header) and [c.strip() for c in r] != header)
               for r in body)


def regularise(header: list[str], body: list[list[str]], notes: list[str]
               ) -> tuple[list[str], list[dict[str, str]], list[int]] | None:
    """The rows as ``{name: cell}``, every name in order, and the row indexes where a new header starts a run;
    None when no row is wider than the header and no second header is there (the table is read as it is)."""
    width = len(header)
    trimmed = [_trim(r, width) for r in body]
    if not any(len(r) > width or is_header(r, header) for r in trimmed):
        return None
    cur = [h.strip() for h in header]
    names: dict[str, None] = dict.fromkeys(cur)
    rows: list[dict[str, str]] = []
    cuts: list[int] = []
    new_headers: list[str] = []
    seg_start = 0
    extra: dict[int, str] = {}
    for k, cells in enumerate(trimmed + [None]):
        if cells is not None and not is_header(cells, cur):
            continue
        # the rows of one header, from seg_start to k
        part = trimmed[seg_start:k]
        wide = [r for r in part if len(r) > len(cur)]
        extra = _block_names(cur, wide)
        for r in part:
            rec = dict(zip(cur, r))
            for i in range(len(cur), len(r)):
                key = extra.get(i, f"field {i + 1}")
                rec[key] = r[i]
                names.setdefault(key, None)
            rows.append(rec)
        if wide:
            notes.append(f"{len(wide)} row(s) hold more fields than the {len(cur)} named"
                         + (": the extra ones repeat the named values on the same scale, read as "
                            + ", ".join(sorted(set(extra.values()))[:4]) if extra else
                            ": the extra values kept as unnamed series ('field N', N the field's place in the row)"))
        if cells is None:
            break
        if rows:
            cuts.append(len(rows))
        if [c.strip() for c in cells] != cur:
            cur = [c.strip() for c in cells]
            names.update(dict.fromkeys(cur))
            new_headers.append(",".join(cur)[:60])
        seg_start = k + 1
    if new_headers:
        notes.append(f"a new header part-way down the file ({'; '.join(new_headers[:3])}): the rows below it read "
                     "under its names")
    if sum(len(r) > width for r in body) > sum(len(r) > width for r in trimmed):
        notes.append("empty fields after the last named column (separators at the end of rows): ignored")
    # A name another header (or a wider row) has and this row does not: not logged here, never a NaN.
    for rec in rows:
        for name in names:
            rec.setdefault(name, "NA")
    return list(names), rows, cuts
