"""A Keras ``History`` saved as JSON (``json.dump(history.history, f)``), or a hand-written history.

The file is a dict of equal-length lists, one value per epoch (or pandas' ``to_json()`` of it:
a dict of ``{"0": value, "1": value…}``). Epochs are numbered from 0 like
``history.epoch`` and the CSVLogger. ``null`` (a value json could not hold) becomes NaN.
Hand-written loops often save the other orientation instead: one object per epoch in a list under
a key (``{"config": {...}, "history": [{"epoch": 1, "train_loss": ...}, ...]}``); that list is read
as the rows of the run, numbered by its own epoch/step key when it has one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError
from ..run import Run, Series
from . import _table as T
from ._safe import json_loads, salvage_list

NAME = "keras_history"
DIRECTORY = False

# A per-epoch list, or pandas' {"0": …} form of one, under a loss- or metric-like key.
_LIST_KEY = re.compile(r'"(?:val_)?[\w/]*(?:loss|acc|accuracy|mae|mse)[\w/]*"\s*:\s*(?:\[|\{\s*"0"\s*:)')


# A list of per-epoch objects under a key, whose first object holds a loss- or metric-like number.
_RECORDS_KEY = re.compile(r'"[^"\\]{1,100}"\s*:\s*\[\s*\{[^\[\]{}]{0,400}?"[\w/]*(?:loss|acc|accuracy|mae|mse)[\w/]*"\s*:\s*-?[\d.]')


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None or not text.lstrip().startswith("{"):
        return False
    if '"log_history"' in text:
        return False
    return bool(_LIST_KEY.search(text) or _RECORDS_KEY.search(text))


def read(path: Path) -> list[Run]:
    text = T.read_text(path)
    salvaged = None
    try:
        doc = json_loads(text)
    except ValueError as exc:
        doc = _salvage(text)  # a file cut while being written: keep every complete value
        if not doc:
            raise InputError(path, f"is not valid JSON ({exc}); expected a Keras history dict of lists") from None
        salvaged = (f"the file is not valid JSON ({str(exc)[:80]}): kept the complete values of "
                    f"{len(doc)} list(s)")
    if isinstance(doc, dict) and isinstance(doc.get("history"), dict):
        doc = doc["history"]  # {"history": {...}, "params": {...}} wrappers
    if not isinstance(doc, dict):
        raise InputError(path, "expected a Keras history: a JSON object of per-epoch lists")
    records = _record_list(doc)
    if records is not None:
        return _read_records(path, *records)
    lists = {k: v for k, v in doc.items() if isinstance(v, list) and v}
    for k, v in doc.items():  # pandas' DataFrame(history.history).to_json(): {"loss": {"0": 0.5, "1": 0.4}}
        if isinstance(v, dict) and v and all(str(i).isdigit() for i in v):
            lists[k] = [v[i] for i in sorted(v, key=int)]
    if not lists:
        raise InputError(path, "expected a Keras history: a JSON object of per-epoch lists")
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    if salvaged:
        run.meta.notes.append(salvaged)
    lengths = {len(v) for v in lists.values()}
    if len(lengths) > 1:
        run.meta.notes.append("history lists have different lengths " + str(sorted(lengths))
                              + ": each series keeps its own epochs from 0")
    for name, values in lists.items():
        nums = [T.json_number(v) for v in values]
        if any(n is None for n in nums):
            continue  # not a numeric history entry
        run.add(Series.named(name, list(range(len(nums))), nums, axis="epoch"))
    return [run] if run.series else []


_X_KEYS = ("epoch", "step", "global_step", "iteration", "iter")


def _record_list(doc: dict) -> tuple[str, list[dict]] | None:
    """The longest list of per-epoch objects with numbers in them, and its key; None when there is none
    (a dict of lists is the Keras orientation, read by the caller)."""
    best = None
    for key, value in doc.items():
        if not (isinstance(value, list) and len(value) >= 1 and all(isinstance(r, dict) for r in value)):
            continue
        if not any(T.json_number(v) is not None for r in value[:5] for k, v in r.items() if k not in _X_KEYS):
            continue
        if best is None or len(value) > len(best[1]):
            best = (str(key), value)
    return best


def _read_records(path: Path, key: str, rows: list[dict]) -> list[Run]:
    """One series per numeric field of the rows, on the rows' own epoch/step numbers when they carry them."""
    x_key = next((k for k in _X_KEYS if all(k in r and T.json_number(r[k]) == T.json_number(r[k]) for r in rows)), None)
    xs = [T.json_number(r[x_key]) for r in rows] if x_key else list(range(len(rows)))
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    run.meta.notes.append(f"read the {len(rows)} per-epoch object(s) under {key!r}")
    names = list(dict.fromkeys(k for r in rows for k in r if k != x_key))
    axis = "step" if x_key and x_key not in ("epoch",) else "epoch"
    for name in names:
        pts = [(x, T.json_number(r.get(name))) for x, r in zip(xs, rows) if name in r]
        pts = [(x, v) for x, v in pts if v is not None]
        if pts and len(pts) * 2 >= sum(name in r for r in rows):
            run.add(Series.named(str(name), [x for x, _ in pts], [v for _, v in pts], axis=axis))
    return [run] if run.series else []


_ANY_LIST_KEY = re.compile(r'"([^"\\]{1,200})"\s*:\s*\[')


def _salvage(text: str) -> dict[str, list]:
    """The per-epoch lists of a torn or damaged history, each up to its first damaged value."""
    out = {}
    for key in dict.fromkeys(_ANY_LIST_KEY.findall(text)):
        found = salvage_list(text, key, accept=(int, float, type(None)))
        if found and found[0]:
            out[key] = found[0]
    return out
