"""Why a file of bare numbers, or of rows holding whole curves as lists, is refused: nothing names them.

``print(f"{loss.item()}, {i}")`` under ``Epoch: N`` headers, or a header-less CSV whose rows each hold a
run's per-epoch values as ``"[22.5, 13.8, …]"``, leave curves a person can plot but no word saying
what they are: a loss, an accuracy, a reward. Reading them as a training loss would be a guess (a
column of numbers called ``data.csv`` could be anything; ``value_list`` claims bare numbers only when
the file name says what they are). The same holds for a JSON object of number lists keyed by model
or run names (``{"Quantum_QVAE": [...]}``) and for lines that give only a counter and a number
(``Episodes 001-018:   7.24 ####``; a block of those is read when an episode counter or the file name
says what the number is, ``_counted_block``). The refusal says what was found and what would make it readable,
so the user is not left with "not a recognised training log" alone.

This module owns "numbers nothing names": its refusal hints (``unnamed_numbers_hint``, a header-less
table of many columns included) and the one layout of a counter beside an unnamed number
(``counted_value``) that ``value_list`` reads only when the file name names the number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..run import MEASURED_ROLES, Role, infer_role
from ._pyliteral import parse as parse_literal
from ._table import parse_number
from .base import HEAD_BYTES, read_head
from .text.decode import sniff_text

_MAX_LINES = 2000
_MIN_ROWS = 5  # rows of bare numbers before the file is said to hold them
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_BARE = re.compile(rf"\s*{_NUM}(?:\s*[,;\t ]\s*{_NUM})*\s*,?\s*")
_LIST = re.compile(rf"\[\s*{_NUM}(?:\s*,\s*{_NUM}){{2,}}\s*,?\s*\]")
_SHOWN = 40
# A line that is only a printed array of two or more numbers ("[0.5234 0.8123]", "[0.52, 0.81, 0.7]").
# The separator is never empty: "4.2345" must not also read as "4.23" "45" (a line that then fails to match
# would try every split of every number, exponential in its digits).
_ARRAY = re.compile(rf"\s*\[\s*({_NUM}(?:(?:\s*,\s*|\s+){_NUM})+)\s*,?\s*\]\s*")
_ARRAY_SPLIT = re.compile(r"\s*,\s*|\s+")
_ARRAY_MAX = 8  # numbers a printed array of one epoch's metrics holds at most
# "Episodes 001-018:   7.24 ####", "Epoch 3: 0.52": a counter (or a range of it) then a number no word names
_COUNTED = re.compile(rf"(?i)\s*[\[(]?\s*(?P<word>episodes?|epochs?|steps?|iter(?:ation)?s?|batch(?:es)?|blocks?|rounds?|updates?)"
                      rf"\s*[#:=]?\s*[\[(]?\s*(?P<n>\d+)(?:\s*(?P<sep>[-/])\s*(?P<m>\d+))?\s*[\])]?\s*(?:->|=>|[:|,=-])?\s*"
                      rf"(?P<v>{_NUM})(?:\s+[#*=|]+)?\s*")


# "12:0.5234", "3: 41.7": a whole-number counter joined to one number by a colon, nothing else on the line
# (``print(f"{epoch}:{value}")``, ``f.write(f"{i}: {acc}\n")``): the same row as "12 0.5234".
_COLON_ROW = re.compile(rf"\s*(\d+)\s*:\s*({_NUM}|[-+]?(?:nan|NaN|inf|Inf|Infinity))\s*")


def colon_row(line: str) -> tuple[int, float] | None:
    """``(counter, value)`` of a ``counter:value`` line (see ``_COLON_ROW``), else None. A clock time
    (``12:30:05``) has a second colon and never matches."""
    m = _COLON_ROW.fullmatch(line)
    return None if m is None else (int(m.group(1)), float(m.group(2)))


def counted_value(line: str) -> tuple[int, float] | None:
    """``(counter, value)`` of a line that gives a counter and one number nothing names (``Epoch 3: 0.52``,
    ``Episodes 001-018:   7.24 ####``), else None. ``3/10`` is the 3rd of 10; ``1-18`` a block ending at 18.
    What the value is only a file name can say (``value_list``): this module never calls it a loss."""
    m = _COUNTED.fullmatch(line)
    if m is None:
        return None
    n = int(m.group("m")) if m.group("sep") == "-" else int(m.group("n"))
    return n, float(m.group("v"))


def counter_word(line: str) -> str | None:
    """The counter word of a ``counted_value`` line, lower case and singular (``episode`` for
    ``Episodes 001-018:   7.24``), else None."""
    m = _COUNTED.fullmatch(line)
    return None if m is None else m.group("word").lower().rstrip("s").replace("batche", "batch")


def _cut(line: str) -> str:
    line = line.strip()
    return line if len(line) <= _SHOWN else line[:_SHOWN - 3] + "..."


_MAX_JSON_BYTES = 4 << 20  # a refusal costs no more than reading this much


def _json_lists_hint(path: Path) -> str:
    """``"; it holds 2 lists of numbers under names that say no loss or metric ('Quantum_QVAE', …)"`` for a
    JSON object of number lists keyed by model or run names (``json.dump({"Quantum_QVAE": losses, …})``), else ""."""
    literal = ""
    try:
        if path.stat().st_size > _MAX_JSON_BYTES:
            return ""
        text = path.read_text(errors="replace")
        try:
            doc = json.loads(text)
        except ValueError:
            doc, literal = parse_literal(text), " (a printed Python dict, not JSON)"  # parsed, never evaluated
    except (OSError, ValueError, RecursionError):
        return ""
    if not isinstance(doc, dict):
        return ""
    lists = [k for k, v in doc.items() if _numbers(v.values() if _counted_map(v) else v)]
    if not lists or any(infer_role(str(k)).role is not Role.OTHER for k in lists):
        return ""  # a list under a known name ("dice") is another reader's to explain
    shown = ", ".join(repr(_cut(str(k))) for k in lists[:3]) + (", ..." if len(lists) > 3 else "")
    maps = all(_counted_map(doc[k]) for k in lists)
    held = "map(s) of counters to numbers" if maps else "list(s) of numbers"
    if len(lists) >= 2 and all(_EPOCH_KEY.fullmatch(str(k)) for k in lists):
        one = "map of counters to numbers" if maps else "list of numbers"
        return (f"; it holds {len(lists)} epochs ({shown}){literal}, each a {one} that nothing names "
                "(expected each epoch's numbers under a name such as loss, {'ep1': {'loss': [...]}})")
    return (f"; it holds {len(lists)} {held}{literal} under names that say no loss or metric ({shown}) "
            "(expected keys such as loss, val_loss, or a file name saying what they all are, such as losses.json)")


_EPOCH_KEY = re.compile(r"(?i)\s*(?:epoch|ep)[_ ]?\d+\s*")
_ONE_LINE_SPLIT = re.compile(r"\s*[,;\t ]\s*")
_DICT_LINE = re.compile(r"\s*\{.*\}\s*")


def _dict_lines_hint(text: str) -> str:
    """``"; its 12 lines each print a dict of numbers under names that say no loss or metric ('textcat')"`` for
    lines of printed dicts (``print(losses)`` once per epoch) whose names all say nothing, else "". The lines
    are parsed as literals (``_pyliteral``: never evaluated)."""
    lines = [ln for ln in text.splitlines()[:_MAX_LINES] if ln.strip()]
    if len(lines) < 2 or not all(_DICT_LINE.fullmatch(ln) for ln in lines[:200]):
        return ""
    keys: dict[str, None] = {}
    for ln in lines[:200]:
        try:
            obj = parse_literal(ln)
        except (ValueError, RecursionError):
            return ""
        if not isinstance(obj, dict) or not obj or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                           for v in obj.values()):
            return ""
        keys.update(dict.fromkeys(str(k) for k in obj))
    if any(infer_role(k).role is not Role.OTHER for k in keys):
        return ""
    shown = ", ".join(repr(_cut(k)) for k in list(keys)[:3]) + (", ..." if len(keys) > 3 else "")
    return (f"; its {len(lines)} lines each print a dict of numbers under names that say no loss or metric ({shown}) "
            "(expected names such as loss, val_loss, or a file name saying what they are, such as loss.txt)")


def _counted_map(v) -> bool:
    """A dict keyed by counters (``{0: 575981.9, 1: 464670.5, …}``, a batch index to its value)."""
    return isinstance(v, dict) and all(isinstance(k, int) and not isinstance(k, bool) or str(k).isdigit() for k in v)


def _numbers(values) -> bool:
    """Enough numbers (no booleans) to be a curve: a list's items, or a dict's values keyed by counters."""
    if not isinstance(values, (list, type({}.values()))):
        return False
    values = list(values)
    return len(values) >= _MIN_ROWS and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values)


_WIDE_MIN = 4  # numbers per line from which unnamed columns cannot be told apart by their levels
_WIDE_ROWS = 20
_SEP = re.compile(r"\s*[,;\t ]\s*")


def _wide_hint(path: Path, lines: list[str]) -> str:
    """``"; its lines hold N unnamed numbers each …"`` for a header-less table of four or more numbers
    per line (``f"{epoch},{batch},{d_loss},{g_loss},…"``), or of two or more in a file named for one
    quantity that ``value_list`` did not read, else "". One or two values beside a counter are read when
    the file name names them; with more, which column is which loss cannot be known, and a guess would
    judge a discriminator's loss as the model's."""
    head = lines[:_WIDE_ROWS]
    head = head[:-1] if len(head) > 2 else head  # the head's last line may be cut
    rows = [[parse_number(c) for c in _SEP.split(ln.strip().strip(",").strip())] for ln in head]
    if len(rows) < 2 or any(any(n is None for n in r) for r in rows):
        return ""
    widths = {len(r) for r in rows}
    named = infer_role(path.stem).role in MEASURED_ROLES
    # under a name that says what one value is, any width value_list did not read is this case (one value
    # beside a counter, or a training and a validation value at one level, would have been read)
    if len(widths) != 1 or (width := widths.pop()) < (2 if named else _WIDE_MIN):
        return ""
    said = (f"; its lines hold {width} unnamed numbers each" + (f" and the file name ({path.name}) says what one "
            "of them is, not which" if named else ""))
    return said + " (expected a header row naming the columns, e.g. epoch,d_loss,g_loss, or one value per line in a " \
        "file named for it)" + name_them(width)


def unnamed_numbers_hint(path: Path) -> str:
    """Why a file of numbers that nothing names is refused, for the refusal message: rows of bare
    numbers, a table of many unnamed columns, curves held as lists in header-less rows, a counter and
    one number per line, or number lists under run names in JSON; else ""."""
    try:
        if not path.is_file():
            return ""
        text = sniff_text(path, read_head(path, HEAD_BYTES), HEAD_BYTES)
    except (OSError, ValueError, UnicodeDecodeError):
        return ""
    if text is None:
        return ""
    if text.lstrip().startswith("{"):
        return _json_lists_hint(path) or _dict_lines_hint(text)
    nested = _nested_rows_hint(text)
    if nested:
        return nested
    lines = [ln for ln in text.splitlines()[:_MAX_LINES] if ln.strip()]
    if not lines:
        return ""
    from ._headerless import counter_header_rows

    grid = counter_header_rows(lines, _MIN_ROWS, cut=True)
    if grid is not None:
        counts, rows = grid
        return (f"; it holds {len(rows)} row(s) of values under a header of counters {counts[0]:g}…{counts[-1]:g} "
                "(one run per row) and nothing names the quantity (expected a file name saying what they are, "
                "such as val_losses.csv or train_acc.csv)")
    cells = len(_ONE_LINE_SPLIT.split(lines[0].strip())) if len(lines) == 1 else 0  # one line of numbers
    if cells >= _MIN_ROWS and _BARE.fullmatch(lines[0]):
        return (f"; it holds one line of {cells} numbers (e.g. '{_cut(lines[0])}') "
                "and nothing names them (expected a file name saying what they are, such as loss.txt or val_acc.txt)")
    wide = _wide_hint(path, lines)
    if wide:
        return wide
    bare = [ln for ln in lines if _BARE.fullmatch(ln)]
    arrays = [ln for ln in lines if _ARRAY.fullmatch(ln)]
    width = len(_ARRAY_SPLIT.split(_ARRAY.fullmatch(arrays[0]).group(1).strip())) if arrays else 0
    # a few numbers per printed array: one epoch's metrics (a whole curve per line is the case below)
    if len(arrays) >= _MIN_ROWS and len(arrays) >= 0.3 * len(lines) and width <= _ARRAY_MAX:
        return (f"; its {len(arrays)} lines each print an array of {width} numbers that nothing names "
                f"(e.g. '{_cut(arrays[0])}': a printed list or NumPy array of metrics, whose order only the script "
                "knows) (expected each value printed with its name, such as 'loss: 0.52 acc: 0.81')"
                + name_them(width, None))
    listed = [ln for ln in lines if _LIST.search(ln)]
    if len(listed) >= 2 and len(listed) >= 0.8 * len(lines) and not re.search(r"[A-Za-z_]\w*\s*[:=]\s*\[", listed[0]):
        return (f"; its {len(listed)} rows each hold a curve as a list ({_cut(_LIST.search(listed[0]).group(0))}) "
                "but no header names the columns (expected a first row of column names such as loss, val_loss)"
                + name_them(_width(listed[0])))
    counted = [ln for ln in lines if _COUNTED.fullmatch(ln) or _COLON_ROW.fullmatch(ln)]
    if len(counted) >= _MIN_ROWS and len(counted) >= 0.5 * len(lines):
        return (f"; its {len(counted)} lines each give a counter and a number that nothing names "
                f"(e.g. '{_cut(counted[0])}') (expected the quantity named on the line, such as "
                "'epoch 3 loss 0.52')")
    if len(bare) >= _MIN_ROWS and len(bare) >= 0.5 * len(lines):
        width = len(_SEP.split(bare[0].strip().rstrip(",").strip()))
        headers = [ln for ln in lines if _EPOCH_HEADER.fullmatch(ln)]
        inner = _batch_column(lines, width) if len(headers) >= 2 else None
        counter = _counter_of(bare, width) if inner is None else inner
        within = inner is not None
        others = f"nothing names the other{'s' if width > 2 else ''}"
        said = "nothing names them" if counter is None else (
            f"column {counter + 1} counts the batches of each epoch under its '{_cut(headers[0])}' line but {others}"
            if within else f"column {counter + 1} counts up (an epoch or a step) but {others}")
        return (f"; it holds {len(bare)} rows of bare numbers (e.g. '{_cut(bare[0])}') and {said}"
                + (_value_beside_counter_hint(path, bare, counter)
                   if width == 2 and counter is not None and not within else "")
                + " (expected a header row naming the columns, or a file name saying what they are, such as loss.txt)"
                + name_them(width, counter, "batch" if within else "epoch"))
    return ""


def _value_beside_counter_hint(path: Path, bare: list[str], counter: int) -> str:
    """Why the one value beside a counter in a file named only as a training record is not read (``_record``)."""
    from ._record import record_name, refusal_hint

    if not record_name(path.stem):
        return ""
    values = [parse_number(_SEP.split(ln.strip().rstrip(",").strip())[1 - counter]) for ln in bare]
    return refusal_hint(path.name, [v for v in values if v is not None])


_ROW_CELL = rf"(?:{_NUM}|[-+]?(?:nan|NaN|inf|Infinity))"
_ROW = re.compile(rf"[\[(]\s*{_ROW_CELL}(?:\s*,\s*{_ROW_CELL})*\s*,?\s*[\])]")
_NESTED_START = re.compile(r"\s*\[\s*[\[(]")


def _nested_rows_hint(text: str) -> str:
    """A nested list of rows of numbers (``json.dump`` of ``[[step, loss, val_loss], ...]``, ``str()`` of
    tuples) under a file name that does not say what the numbers are, for the refusal message; else ""."""
    if not _NESTED_START.match(text):
        return ""
    rows = _ROW.findall(text[:_WIDE_ROWS * 400])
    if len(rows) < 2:
        return ""
    widths = {len(_SEP.split(r[1:-1].strip().rstrip(",").strip())) for r in rows}
    if len(widths) != 1:
        return ""
    shown = _cut(" ".join(rows[0].split()))
    return (f"; it holds rows of {widths.pop()} numbers in a nested list (e.g. '{shown}') and nothing names "
            "them (expected a file name saying what they are, such as loss_history.json for [step, loss, "
            "val_loss] rows, or a JSON object naming each list, {\"loss\": [...], \"val_loss\": [...]})")


# "Epoch: 3", "=== Epoch 3 ===", "[Epoch 3/20]": a line that only opens an epoch's block of rows.
_EPOCH_HEADER = re.compile(r"(?i)[\s=#*\[-]*epoch\s*[:#]?\s*\d+(?:\s*/\s*\d+)?[\s=#*\]:-]*")


def _batch_column(lines: list[str], width: int) -> int | None:
    """The column of whole numbers that rises within each block of rows under an epoch header line and
    starts over under the next one (a batch count of each epoch), else None."""
    blocks: list[list[list[float | None]]] = []
    for ln in lines[:_WIDE_ROWS * 10]:
        if _EPOCH_HEADER.fullmatch(ln):
            blocks.append([])
        elif blocks and _BARE.fullmatch(ln):
            blocks[-1].append([parse_number(c) for c in _SEP.split(ln.strip().rstrip(",").strip())])
    blocks = [b for b in blocks if b]
    if len(blocks) < 2 or any(len(r) != width or None in r for b in blocks for r in b):
        return None
    for col in range(width):
        runs = [[r[col] for r in b] for b in blocks]
        if all(float(v).is_integer() for run in runs for v in run) and all(  # 1e999 counts nothing
                all(y > x for x, y in zip(run, run[1:])) for run in runs) \
                and any(nxt[0] <= prev[-1] for prev, nxt in zip(runs, runs[1:])):
            return col
    return None


def _counter_of(bare: list[str], width: int) -> int | None:
    """The counter column (first or last, ``_headerless.counter_column``) of rows of bare numbers, else None."""
    from ._headerless import counter_column

    rows = [[parse_number(c) for c in _SEP.split(ln.strip().rstrip(",").strip())] for ln in bare[:_WIDE_ROWS * 10]]
    if width < 2 or any(len(r) != width or None in r for r in rows):
        return None
    return counter_column(rows)


_EXAMPLE = ("epoch", "loss", "val_loss")
_VALUES = ("loss", "val_loss", "val_acc")


def name_them(width: int, counter: int | None = 0, counts: str = "epoch") -> str:
    """How to name a header-less table's columns without editing the file, for a refusal: the CLI's
    ``--columns`` (``-`` skips one) and the API's ``load(path, columns=...)``. ``counter``: the column
    that counts (named ``counts`` in the example: an epoch, or a batch within one), None when none does."""
    names = list(_VALUES[:width - (counter is not None)])
    if counter is not None:
        names.insert(min(counter, len(names)), counts)
    shown = ",".join(names[:len(_EXAMPLE)]) + (",..." if width > len(_EXAMPLE) else "")
    return (f"; or name its {width} column(s) in order, e.g. --columns {shown} (- skips a column; "
            "traindoc.load(path, columns=...) in Python)")


def _width(line: str) -> int:
    """Cells of a CSV line whose cells may be quoted lists (``"[0.5, 0.4]"``)."""
    import csv

    try:
        return len(next(csv.reader([line.strip()]), []))
    except csv.Error:
        return 0
