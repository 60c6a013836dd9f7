"""Tables printed with no step or epoch column: a training summary written by hand or by a script's
own print loop (``train_loss  val_loss  train_acc  val_acc`` over one row per epoch).

Why: such a table is a whole run's curve, yet none of its rows carries a counter. Its rows are
counted as epochs 1, 2, … from the header line; a header printed again starts the count over, so
runs appended one after another (a summary per training, separator lines between) read as
separate runs; a header printed again over every single row (one print per epoch) does not. Only tables that look like training curves are counted: every column a loss or a
metric (no hyperparameter, size or time column, which marks a results or sweep table), one of
them a training loss, no label column (a per-model or per-class table), at least ``MIN_ROWS``
rows, and no counter anywhere else in the file (then those lines give the x, and a counter-less
table is a final report).
"""

from __future__ import annotations

from ...run import MEASURED_ROLES, Role, infer_role
from .tables import columns_for

MIN_ROWS = 3  # fewer rows is a results table (one line per split), not a curve


class CountedTables:
    """Counts the rows under each header; remembers which records each table gave."""

    def __init__(self) -> None:
        self.table = 0  # id of the table being printed (one per header line)
        self.sizes: dict[int, int] = {}
        self.rows: list[tuple[int, int]] = []  # (record index, table id)
        self._ok: dict[tuple[str, ...], bool] = {}
        self.indented = False  # the last header line starts with blanks (over a pandas row index)
        self._last: list[str] = []  # the last header's names
        self._under = 0  # rows counted since the last header

    def header(self, cells: list[str], indented: bool) -> None:
        """A header line was read: the rows after it are a new table, counted from 1. A script that
        prints the header again above every row (one row per epoch) goes on counting the same table."""
        self.indented = indented
        if self.sizes.get(self.table) and not (self._under == 1 and cells == self._last):
            self.table += 1
        self._last = cells
        self._under = 0

    def columns(self, headers: list[list[str]], n: int, first: str) -> list[str] | None:
        """The names of a row of ``n`` numbers under the latest header that fits it. pandas prints a
        DataFrame with its row index first, under blanks: one number more than the header names,
        the first a whole number, the header line indented; that index is left unnamed."""
        last = headers[-1]
        if n == len(last) + 1 and self.indented and first.isdigit():
            return ["", *last]
        return next((c for h in reversed(headers) if (c := columns_for(h, None, n))), None)

    def counts(self, names: list[str]) -> bool:
        """True when rows under these column names are counted (see module doc)."""
        key = tuple(names)
        ok = self._ok.get(key)
        if ok is None:
            names = [n for n in names if n]
            roles = [infer_role(n).role for n in names]
            ok = self._ok[key] = len(names) >= 2 and all(r in MEASURED_ROLES for r in roles) and \
                Role.TRAIN_LOSS in roles
        return ok

    def next_x(self) -> float:
        """The epoch of the next row of the current table."""
        n = self.sizes.get(self.table, 0) + 1
        self._under += 1
        self.sizes[self.table] = n
        return float(n)

    def dropped(self, counted: bool) -> set[int]:
        """Records of counted rows that are no curve: all of them when the file has counters of its
        own, else those of tables shorter than ``MIN_ROWS``."""
        return {i for i, t in self.rows if counted or self.sizes.get(t, 0) < MIN_ROWS}
