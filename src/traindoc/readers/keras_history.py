"""A Keras ``History`` saved as JSON (``json.dump(history.history, f)``).

The file is a dict of equal-length lists, one value per epoch (or pandas' ``to_json()`` of it:
a dict of ``{"0": value, "1": value…}``). Epochs are numbered from 0 like
``history.epoch`` and the CSVLogger. ``null`` (a value json could not hold) becomes NaN.
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


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None or not text.lstrip().startswith("{"):
        return False
    if '"log_history"' in text:
        return False
    return bool(_LIST_KEY.search(text))


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


_ANY_LIST_KEY = re.compile(r'"([^"\\]{1,200})"\s*:\s*\[')


def _salvage(text: str) -> dict[str, list]:
    """The per-epoch lists of a torn or damaged history, each up to its first damaged value."""
    out = {}
    for key in dict.fromkeys(_ANY_LIST_KEY.findall(text)):
        found = salvage_list(text, key, accept=(int, float, type(None)))
        if found and found[0]:
            out[key] = found[0]
    return out
