"""A log that names its training columns but holds no value: a run that logged nothing yet.

Why apart from "not a recognised log": a CSV with only its header (``train_loss,valid_loss,dice``)
or a JSON history whose loss lists are all empty is a real log of a run that stopped (or hung)
before its first value. That is "too early to tell", not bad input; the run comes back with no
series and a note, and ``too-short`` says so in one line. A header of words that name no loss or
metric, or a JSON object with any value logged, is not this case. A text log that announces
``Epoch 1/100`` and holds no loss or metric value anywhere (and no traceback) is: training started
and stopped before its first value.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ..run import MEASURED_ROLES, Run, infer_role
from . import _table as T

MAX_BYTES = 1 << 16  # a header or a few empty lists: small by nature


def _judged(names: list[str]) -> list[str]:
    return [n for n in names if infer_role(n).role in MEASURED_ROLES]


def _json_names(text: str) -> list[str] | None:
    """Keys of a JSON object (or one nested under a key) mapped to empty lists, when no key holds a value."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth: not this case
        return None
    if not isinstance(obj, dict):
        return None
    lists = {k: v for k, v in obj.items() if isinstance(v, list)}
    if any(isinstance(x, (int, float)) and not isinstance(x, bool) for v in lists.values() for x in v):
        return None
    return [k for k, v in lists.items() if not v]


MAX_HEADER = 4096  # characters in a header line worth sniffing


def _header_names(text: str) -> list[str] | None:
    """The fields of a table's lone line, when none of them is a number."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) != 1 or len(lines[0]) > MAX_HEADER:
        return None  # a header is short; csv.Sniffer is quadratic on long quote-heavy lines
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",\t;|")
        fields = next(csv.reader(io.StringIO(lines[0]), dialect))
    except (csv.Error, StopIteration):
        return None
    fields = [f.strip() for f in fields if f.strip()]
    if len(fields) < 2 or any(T.parse_number(f) is not None for f in fields):
        return None
    return fields


# A text log announcing an epoch of a planned count ("Epoch 1/100", "Epoch [1/100]", "epoch 1 of 100"),
# and no loss or metric word followed by a number anywhere: training began and logged no value.
_EPOCH_START = re.compile(r"(?i)\bepoch\s*\[?\s*(\d+)\s*(?:/|of)\s*(\d+)")
_MEASURE_VALUE = re.compile(r"(?i)(loss|acc\w*|metric|score|f1|map\d*|iou|dice|bleu|wer|cer|ppl|perplexity|mae|mse|"
                            r"rmse|auc|reward|return)\W{0,3}\s*[:=]?\s*[-+]?(\d|\.\d|nan|inf)")

_CLOCK = re.compile(r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?")
_DECIMAL = re.compile(r"\d\.\d|\d[eE][-+]\d")


def _started_epochs(text: str) -> str | None:
    """"epoch N/M" of a text log that started training and logged no value, else None. Not a crash
    (a traceback is the crash hint's to explain)."""
    if "Traceback (most recent call last)" in text or _MEASURE_VALUE.search(text):
        return None
    if _DECIMAL.search(_CLOCK.sub(" ", text)):
        return None  # a fraction somewhere (a table of values under other names): not "no value"
    found = _EPOCH_START.findall(text)
    return f"epoch {found[-1][0]}/{found[-1][1]}" if found else None


def declared_only(path: Path) -> Run | None:
    """The empty run of a log that declares loss or metric columns and logged none of them, else None."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        text = T.head_text(path.read_bytes())
    except OSError:
        return None
    if not text or not text.strip():
        return None
    names = _json_names(text) if text.lstrip()[:1] in "{[" else _header_names(text)
    judged = _judged(names or [])
    started = None if judged or text.lstrip()[:1] in "{[" else _started_epochs(text)
    if not judged and started is None:
        return None
    run = Run(name=T.run_name(path), source=str(path), format="empty")
    if started is not None:
        run.meta.notes.append(f"the log reaches {started} but holds no loss or metric value: the run logged nothing "
                              "before it stopped")
        return run
    run.meta.notes.append("the log names " + ", ".join(judged[:4]) + (" …" if len(judged) > 4 else "") +
                          " but holds no value: the run logged nothing")
    return run
