"""A file of bare numbers, one per line, whose name says what they are (``losses.csv``,
``val_loss.txt``): what ``np.savetxt(losses)``, ``pd.Series(losses).to_csv(index=False,
header=False)`` or a loop of ``f.write(f"{loss}\\n")`` leaves behind.

Without a header the numbers name nothing, so the file name must: its stem has to read as a loss
or a metric (``infer_role``), else the file is not claimed (a column of numbers called
``data.csv`` could be anything). The x axis is the line number (no step is written); the note
says so. The last reader tried: every other format is more specific.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..run import Role, Run, Series, infer_role
from . import _table as T
from .base import HEAD_BYTES

NAME = "value_list"
DIRECTORY = False
MIN_VALUES = 3  # lines in the head that must be bare numbers before the file is claimed
_SUFFIXES = {".csv", ".txt", ".log", ".dat", ""}


def _role_of(path: Path):
    info = infer_role(path.stem)
    return info if info.role in (Role.TRAIN_LOSS, Role.VAL_LOSS, Role.TRAIN_METRIC, Role.VAL_METRIC) else None


def _value(line: str) -> float | None:
    cell = line.strip().rstrip(",").strip()
    return T.parse_number(cell) if cell else None


def sniff(path: Path, head: bytes) -> bool:
    if path.suffix.lower() not in _SUFFIXES or _role_of(path) is None:
        return False
    text = T.head_text(head)
    if text is None:
        return False
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(head) >= HEAD_BYTES and not text.endswith("\n"):
        lines = lines[:-1]  # the head's last line may be cut
    return len(lines) >= MIN_VALUES and all(_value(ln) is not None for ln in lines)


def read(path: Path) -> list[Run]:
    info = _role_of(path)
    if info is None:
        raise InputError(path, "a list of bare numbers whose file name names no loss or metric "
                         "(expected a name such as losses.csv or val_accuracy.txt)")
    values: list[float] = []
    for i, line in enumerate(T.read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        v = _value(line)
        if v is None:
            raise InputError(path, f"line {i} is not a number ({line.strip()[:40]!r}); expected one value per line")
        values.append(v)
    if not values:
        raise InputError(path, "holds no values (expected one number per line)")
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    y = np.asarray(values, dtype=float)
    run.add(Series.named(path.stem, np.arange(y.size, dtype=float), y, role=info))
    run.meta.notes.append(f"{path.name}: one value per line and no step column; the line number is the x axis")
    return [run]
