"""A row-number or id column fed as a feature (pandas' ``Unnamed: 0``, a saved index, a customer id).

``df.to_csv(path)`` writes the index; ``pd.read_csv(path)`` without ``index_col=0`` reads it back
as a column, and ``df.values`` hands it to the model as the first feature. An id column taken
along with the features does the same. Such a column is recognisable in any sample of the rows:
whole numbers, every row its own, packed densely in a range about as wide as the data set has
rows. Its scale (hundreds to millions) is what the input-scale check sees; the fix is not to
standardise it but to drop it, so the scale finding names the column and says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIN_ROWS = 64
DENSITY = 8.0  # the column's range is at most this many times the rows (or the data set's rows, when known)


def index_columns(x: Any, total_rows: int | None = None) -> list[dict]:
    """Columns of a (rows, features) sample that hold distinct whole numbers >= 0 packed like row numbers."""
    a = np.asarray(x)
    if a.ndim != 2 or a.dtype.kind not in "fiu" or a.shape[0] < MIN_ROWS:
        return []
    n = a.shape[0]
    bound = DENSITY * max(n, total_rows or 0)
    out = []
    for j in range(a.shape[1]):
        col = a[:, j].astype("float64")
        if not np.isfinite(col).all() or col.min() < 0 or not np.array_equal(col, np.round(col)):
            continue
        lo, hi = float(col.min()), float(col.max())
        if hi - lo + 1 < n or hi - lo + 1 > bound or len(np.unique(col)) != n:
            continue  # repeated values (a count, a category) or too sparse for row numbers (a timestamp)
        out.append({"column": j, "min": int(lo), "max": int(hi), "rows": n})
    return out


def describe(cols: list[dict]) -> tuple[str, str, str]:
    """(title clause, cause, fix) naming the first index-like column."""
    c = cols[0]
    more = f" (and {len(cols) - 1} more such column(s))" if len(cols) > 1 else ""
    title = (f"column {c['column']} holds whole numbers {c['min']}..{c['max']}, a different one in every sampled row: "
             f"a row number / id column fed as a feature{more}")
    cause = ("a saved DataFrame index read back as a column (df.to_csv then pd.read_csv without index_col=0 gives "
             "'Unnamed: 0'), or an id column left among the features: it carries no information about the label, "
             "and on its scale it swamps the real features and kills units")
    fix = (f"Drop column {c['column']} from the features: read the CSV with pd.read_csv(path, index_col=0) (or "
           "df.drop(columns=['Unnamed: 0'] / the id column)); do not standardise it, remove it.")
    return title, cause, fix
