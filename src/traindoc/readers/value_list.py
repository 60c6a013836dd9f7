"""A file of bare numbers whose name says what they are (``losses.csv``, ``val_loss.txt``): what
``np.savetxt(losses)``, ``np.save("loss.npy", losses)``, ``pd.Series(losses).to_csv()`` or a loop of
``f.write(f"{loss}\\n")`` leaves behind.

Layouts, all written by those writers: one value per line; the same under a one-word header (a
one-column ``DataFrame.to_csv(index=False)``: ``loss``; an unnamed ``Series``: ``0``); a counter
and a value per line (``Series.to_csv()`` with its index, a loop writing ``f"{epoch}\\t{loss}"``),
the counter giving the x; all values on one line (``", ".join(...)``); a 1-D ``.npy`` array.
Also headerless rows of a counter (first or last) and two values of one loss, read as training then
validation (``_headerless.pair_names``), the same two values with no counter (the line number is the
x), and a title line over each line of values (a sweep's runs). Bracketed lists (``json.dump``, a
printed Python list or NumPy array, ``_bracketed``): one list is the named series, two lists of one
loss at one level are training then validation; lines of a label and a list (``print(f"{model}:{losses}")``
once per run, labels that name no quantity) are a run each. Lines that give only a counter word and
one number (``Epoch 3: 0.52``, ``[Epoch 3] 0.52``: ``_unnamed.counted_value``) are a counter and a value;
a counter repeated over consecutive lines (an epoch written beside each batch's loss) places each line
at its share of that epoch (``_headerless.spread_repeats``).

Two values of one metric beside a counter (``acc.txt``: ``f"{epoch} {train_acc} {val_acc}"``) are its
training then validation value when they share a scale and move the same way; a value beside its
exponential moving average (``f"{loss},{ema}"``) is read alone, the smoothed copy left out; ``json.dump``
of [step, train, val] rows is read as the same text rows. A file named only as a training record
(``train_log.txt``, ``progress.csv``: ``_record``) is read when its values beside the counter can only be
a loss (above 100, never negative, mostly fractions), with a note saying it was assumed.

Two layouts name each value's place by counters: a header of counters (``,1,2,…,100``: the epochs) over one
row per run (``pd.DataFrame(histories).to_csv("val_losses.csv")``, ``_headerless.counter_header_rows``), each
row a run of the named quantity; and lines of an epoch, a batch index counted from 0 or 1 inside it and the
value (``f"{epoch},{batch},{loss}"``, ``_headerless.nested_counter``), the index a place, not a value.

A file named for an episode's reward or score (``rewards.csv``, ``scores.txt``) is read too: the
series keeps that name (higher is better; it is never taken for a loss).

Several runs in one file: a counter starting over, the header line written again, or, with no
counter, the loss starting over (``_appended``); each becomes a Run of its own.

Without a header naming a loss or metric the numbers name nothing, so the file name must: its stem
has to read as a loss or a metric (``infer_role``), else the file is not claimed (a column of
numbers called ``data.csv`` could be anything). Without a counter the x axis is the line number (no
step is written); the note says so. The last reader tried: every other format is more specific.
"""

from __future__ import annotations

import math
import re
import tokenize
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..run import MEASURED_ROLES, Role, RoleInfo, Run, Series, infer_role
from . import _bracketed as B
from . import _headerless as H
from . import _record as R
from . import _table as T
from ._appended import split_counterless
from ._unnamed import colon_row, counted_value
from .base import HEAD_BYTES

NAME = "value_list"
DIRECTORY = False
MIN_VALUES = 3  # lines in the head that must be bare numbers before the file is claimed
_SUFFIXES = {".csv", ".txt", ".log", ".dat", ".tsv", ".out", ""}
_LIST_SUFFIXES = _SUFFIXES | {".json"}  # json.dump of a bare list
# An episode's reward or score, as RL scripts name the file they save it in: higher is better.
# A record word after it (``reward_history.txt``, ``rewards_per_episode.csv``) says how it was kept, not what it is.
_REWARD = re.compile(r"(?:^|[_\-. ])(?:episode_?|ep_?|mean_?|avg_?|total_?)?(?:rewards?|returns?|scores?)"
                     r"(?:[_\-. ](?:history|log|list|values|curve|per_episode|per_ep|by_episode))?$")
_NPY_MAGIC = b"\x93NUMPY"
MAX_NPY_BYTES = 256 << 20  # a loss array this big is no training log
_SEP = re.compile(r"\s*[,;\t ]\s*")
_PROBE_ROWS = 400  # lines looked at to find the counter (an epoch repeated beside each batch needs more than a few)


def _role_of(name: str) -> RoleInfo | None:
    info = infer_role(name)
    if info.role in MEASURED_ROLES:
        return info
    if _REWARD.search(name.strip().lower()):
        return RoleInfo(Role.OTHER, higher_is_better=True, metric="reward")
    return None


def _uncounted(lines: list[str]) -> list[str]:
    """Lines that each name only their counter (``Epoch 3: 0.52``, ``print(f"Epoch {e}: {loss:.4f}")``)
    or join a bare counter to the value by a colon (``3:0.52``), as the bare ``counter value`` rows they
    stand for, when every line is one; else ``lines`` as they are."""
    found = [counted_value(ln) or colon_row(ln) for ln in lines]
    if not found or any(f is None for f in found):
        return lines
    return [f"{n} {v!r}" for n, v in found]  # type: ignore[misc]


# A dict of one number printed per line under a name that says no loss or metric (spaCy's ``print(losses)``:
# ``{'textcat': 0.123}``, the loss keyed by the pipeline component): in a file named for the value, the value.
_ONE_KEY_DICT = re.compile(r"""\s*\{\s*(['"])([A-Za-z_][\w.\- ]{0,40})\1\s*:\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"""
                           r"""|[-+]?(?:nan|inf|NaN|Infinity))\s*,?\s*\}\s*""")


def _unkeyed(lines: list[str]) -> tuple[list[str], str | None]:
    """(the values, their key) of lines that each print a dict of one number under one same key that names
    nothing (see ``_ONE_KEY_DICT``); else (``lines``, None). A key that names a loss or metric is the text
    reader's to read under that name."""
    found = [_ONE_KEY_DICT.fullmatch(ln) for ln in lines]
    if not found or any(m is None for m in found) or len({m.group(2) for m in found}) != 1:  # type: ignore[union-attr]
        return lines, None
    key = found[0].group(2)  # type: ignore[union-attr]
    if _role_of(key) is not None:
        return lines, None
    return [m.group(3) for m in found], key  # type: ignore[union-attr]


def _value(line: str) -> float | None:
    cell = line.strip().rstrip(",").strip()
    return T.parse_number(cell) if cell else None


def _header(first: str, second: str | None) -> tuple[str | None, bool] | None:
    """(name, indexed) of a one-word header line over numbers, or None when ``first`` is data.
    pandas writes an unnamed Series' header as ``0`` (``,0`` with its index): no name."""
    cells = [c.strip().strip("\"'") for c in _SEP.split(first.strip())]
    if len(cells) == 2 and cells[0] == "":
        name = cells[1]
        return (None if name == "0" else name), True
    if len(cells) != 1:
        return None
    if cells[0] == "0" and second is not None and re.search(r"[.eE]", second):
        return None, False  # an unnamed pandas Series: "0", then its values
    if T.parse_number(cells[0]) is not None:
        return None
    return (cells[0] if re.fullmatch(r"[A-Za-z_][\w./ -]{0,80}", cells[0]) else None), False


def _layout(lines: list[str]) -> tuple[str | None, bool, int, list[str]] | None:
    """(header name, header line present, cells per data line, data lines) of the numbers, or None
    when they are in none of the layouts of the module doc."""
    if not lines:
        return None
    head = _header(lines[0], lines[1] if len(lines) > 1 else None)
    data = [ln for ln in lines[1:] if ln.strip() != lines[0].strip()] if head is not None else lines
    if not data:
        return None
    width = len(_cells(data[0]))
    if width > 3 and len(data) > 1:
        return None  # a table of several columns is the generic table's
    rows = []
    for ln in data:
        nums = [T.parse_number(c) for c in _cells(ln)]
        if len(nums) != width or any(n is None for n in nums):
            return None
        rows.append(nums)
    if len(data) > 1 and width == 3 and H.counter_column(rows) is None and H.nested_counter(rows) is None:
        return None  # three values per line and no counter among them name nothing
    name = head[0] if head is not None else None
    return name, head is not None, width, data


def _cells(line: str) -> list[str]:
    """The cells of a data line; an empty cell at either end (a trailing comma, or a row written
    with an empty label or index cell first: ``csv.writer().writerow(["", *losses])``) holds nothing."""
    return _SEP.split(line.strip().strip(",").strip())


def _named(path: Path, header: str | None) -> tuple[str, RoleInfo] | None:
    """The series name and role: from the header when it names a loss or metric, else the file name."""
    if header and _role_of(header):
        return header, _role_of(header)
    info = _role_of(path.stem)
    return (path.stem, info) if info is not None else None


def sniff(path: Path, head: bytes) -> bool:
    if path.suffix.lower() == ".npy":
        return head.startswith(_NPY_MAGIC) and _role_of(path.stem) is not None
    if path.suffix.lower() not in _LIST_SUFFIXES:
        return False
    text = T.head_text(head)
    if text is None:
        return False
    if text.lstrip().startswith("[") and B.lists(text, MIN_VALUES, cut=len(head) >= HEAD_BYTES) is not None:
        return _named(path, None) is not None
    if _PRINTED_SEQUENCE.match(text):
        return _named(path, None) is not None
    if path.suffix.lower() not in _SUFFIXES:
        return False
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(head) >= HEAD_BYTES and not text.endswith("\n"):
        lines = lines[:-1]  # the head's last line may be cut
    if _named(path, None) is not None and H.counter_header_rows(lines, MIN_VALUES, cut=len(head) >= HEAD_BYTES):
        return True
    lines = _uncounted(_unkeyed(lines)[0])
    if _named(path, None) is not None and (H.titled_rows(lines, _cells, MIN_VALUES, cut=True)
                                           or _run_lists(B.labelled_lists(text.splitlines()[:50], MIN_VALUES,
                                                                         cut=len(head) >= HEAD_BYTES))):
        return True
    found = _layout(lines)
    if found is None:
        return False
    record = _named(path, found[0]) is None  # no name: read only as a training record's loss (``_record``)
    if record and _record_loss(path, found[0], found[3]) is None:
        return False
    data = found[3]
    if found[2] >= 2 and len(data) > 1 and not record and _two_values(data) and _pair(path, found[0], data) is None \
            and _beside_a_count(data) is None and _smoothed(data) is None and _nested(data) is None:
        return False  # a counter and two values, or two values: both must read as one loss's train and val
    if len(data) >= MIN_VALUES or (len(data) == 1 and len(_SEP.split(data[0].strip())) >= MIN_VALUES):
        return True
    # The whole file is one or two numbers, one per line, and its name says what they are (loss.txt):
    # it is that quantity's log, too short to judge, and saying so beats refusing it.
    return found[2] == 1 and len(head) < HEAD_BYTES and len(data) == len(lines)


def read(path: Path) -> list[Run]:
    if path.suffix.lower() == ".npy":
        return _read_npy(path)
    text = T.read_text(path)
    if _PRINTED_SEQUENCE.match(text):
        return _sequence_runs(path, text)
    if text.lstrip().startswith("[") and counted_value(text.lstrip().split("\n", 1)[0]) is None:
        return _list_runs(path, text)  # a bracketed list; "[Epoch 1] 2.05" lines are read below
    lines = [(i, ln) for i, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise InputError(path, "holds no values (expected one number per line)")
    wide = H.counter_header_rows([ln for _, ln in lines], MIN_VALUES)
    if wide is not None:
        return _counter_header_runs(path, *wide, first_row=lines[1][0])
    values, key = _unkeyed([ln for _, ln in lines])
    lines = list(zip([i for i, _ in lines], _uncounted(values)))
    blocks = H.titled_rows([ln for _, ln in lines], _cells, MIN_VALUES) or \
        _run_lists(B.labelled_lists([ln for _, ln in lines], MIN_VALUES))
    if blocks is not None:
        return _titled_runs(path, blocks, [i for i, ln in lines if T.parse_number(_cells(ln)[0]) is None])
    found = _layout([ln for _, ln in lines[:5]])
    if found is None:
        raise InputError(path, "expected one number per line (or a counter and a number)")
    header, has_header, width, _ = found
    body = lines[1:] if has_header else lines
    named, assumed = _named(path, header), None
    if named is None:
        record = _record_loss(path, header, [ln for _, ln in body])
        if record is None:
            raise InputError(path, "a list of bare numbers whose file name names no loss or metric "
                             "(expected a name such as losses.csv or val_accuracy.txt)"
                             + _record_values_hint(path, body))
        named, assumed = R.LOSS, record
    # The header line written again (``to_csv(mode="a")`` once per run): another run starts there.
    again = {i for i, ln in body if has_header and ln.strip() == lines[0][1].strip()}
    body = [(i, ln) for i, ln in body if i not in again]
    one_row = len(body) == 1 and len(_cells(body[0][1])) >= MIN_VALUES
    if not one_row and width >= 2:
        if width == 2 and H.counter_column([_row(path, i, ln, 2) for i, ln in body[:_PROBE_ROWS]]) is None:
            return _paired_run(path, body, named)
        runs = _counted_runs(path, body, width, named, stem=path.stem if assumed is None else R.LOSS[0])
        for run in runs if assumed is not None else ():
            run.meta.notes.insert(0, assumed)
        return runs
    if one_row:
        values = [T.parse_number(c) for c in _cells(body[0][1])]
        if any(v is None for v in values):
            raise InputError(path, "line 1 holds something that is not a number; expected values separated by commas")
        blocks = [values]
    else:
        starts = sorted(again)
        blocks = [[_row(path, i, line, 1)[0] for i, line in body if lo < i < hi]
                  for lo, hi in zip([0, *starts], [*starts, math.inf])]
        blocks = [b for b in blocks if b]
    if not blocks:
        raise InputError(path, "holds no values (expected one number per line)")
    where = "the position in the line" if one_row else "the line number"
    note = (f"{path.name}: {'all values on one line' if one_row else 'one value per line'} and no step column; "
            f"{where} is the x axis")
    if key is not None:
        note += (f"; each line prints a dict of one number under {key!r}, a name that says no loss or metric: read "
                 f"as {named[0]}, what the file name says")
    runs = []
    for values in blocks:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.add(Series.named(named[0], np.arange(len(values), dtype=float), np.asarray(values, dtype=float),
                             role=named[1]))
        run.meta.notes.append(note)
        if has_header and header is None:
            run.meta.notes.append("the first line (pandas' header of an unnamed column) is no value")
        runs.append(run)
    if len(runs) > 1:
        return T.segment_runs(path, NAME, runs, sorted(again), unit="line", reason="the header line is written again")
    return split_counterless(runs[0], unit="value")  # no counter to start over: the loss tells


def _record_values(data: list[str]) -> tuple[int, list[list[float]]] | None:
    """(counter column, value columns) of lines of a counter and one or two numbers, else None."""
    rows = [[T.parse_number(c) for c in _cells(ln)] for ln in data]
    width = len(rows[0]) if rows else 0
    if len(rows) < MIN_VALUES or width not in (2, 3) or any(len(r) != width or None in r for r in rows):
        return None
    col = H.counter_column(rows[:_PROBE_ROWS])  # type: ignore[arg-type]
    if col is None:
        return None
    return col, [[float(r[j]) for r in rows] for j in range(width) if j != col]  # type: ignore[arg-type]


def _record_loss(path: Path, header: str | None, data: list[str]) -> str | None:
    """The note of a training record's values beside a counter read as its loss (``_record``): one value, or
    two at one level (training then validation, ``_headerless.pair_names``); else None."""
    if header is not None or not R.record_name(path.stem):
        return None
    found = _record_values(data)
    if found is None or not all(R.unbounded(v) for v in found[1]):
        return None
    col, values = found
    columns = [j for j in range(len(values) + 1) if j != col]
    smooth = _smoothed(data) if len(values) == 2 else None
    if smooth is not None:  # a loss beside its moving average: the raw one is the loss
        return R.loss_note(path.name, [smooth[0]], [values[columns.index(smooth[0])]])
    if len(values) == 2 and H.pair_names(R.LOSS[0], R.LOSS[1], np.asarray(values[0]), np.asarray(values[1])) is None:
        return None
    return R.loss_note(path.name, columns, values)


def _record_values_hint(path: Path, body: list[tuple[int, str]]) -> str:
    """Why the values beside a counter (``_record_values``) in a file named only as a training record are
    not read as a loss, for the refusal message (``_record.refusal_hint``); "" for any other file."""
    found = _record_values([ln for _, ln in body]) if R.record_name(path.stem) else None
    return R.refusal_hint(path.name, [v for col in found[1] for v in col]) if found is not None else ""


def _kind(named: tuple[str, RoleInfo]) -> str:
    """What the file name names, as a note says it: a loss, or a metric (``_headerless.pair_names``)."""
    return "loss" if named[1].role is Role.TRAIN_LOSS else "metric"


def _smoothed(data: list[str]) -> tuple[int, int] | None:
    """(column read, column left out) of two values per line, beside a counter or not, when one is the
    exponential moving average of the other (``_headerless.smoothed_copy``): the raw column is the named
    quantity, the smoothed copy adds nothing a rule should judge twice. None otherwise."""
    split = [_cells(ln) for ln in data]
    rows = [[T.parse_number(c) for c in cells] for cells in split]
    if not rows or any(len(r) != len(rows[0]) or None in r for r in rows):
        return None
    arr = np.asarray(rows, dtype=float)
    col = H.counter_column(rows) if arr.shape[1] == 3 else None  # type: ignore[arg-type]
    vals = [j for j in range(arr.shape[1]) if j != col]
    if len(vals) != 2:
        return None
    rounding = max(H.resolution([cells[j] for cells in split]) for j in vals)
    smooth = H.smoothed_copy(arr[:, vals[0]], arr[:, vals[1]], rounding)
    return None if smooth is None else (vals[1 - smooth], vals[smooth])


def _nested(data: list[str]) -> int | None:
    """The batch-index column of lines of an epoch, a batch index and a value (``_headerless.nested_counter``)."""
    rows = [[T.parse_number(c) for c in _cells(ln)] for ln in data]
    return None if any(None in r for r in rows) else H.nested_counter(rows)  # type: ignore[arg-type]


def _smoothed_note(path: Path, read: int, left: int) -> str:
    return (f"column {left + 1} of {path.name} is an exponential moving average of column {read + 1} (each value "
            f"the last one's weighted mean with the new raw value): column {read + 1} is read, its smoothed copy "
            "is not")


def _two_values(data: list[str]) -> bool:
    """Lines of two values beside their counter, or of two values and no counter."""
    rows = [[T.parse_number(c) for c in _cells(ln)] for ln in data]
    return len(rows[0]) == 3 or H.counter_column(rows) is None


_MIN_COUNTED = 5  # lines before a column of whole numbers is taken for a count, not the named value


def _beside_a_count(data: list[str]) -> int | None:
    """The column of the named value on lines of two numbers and no counter, when the other column holds
    whole numbers on every line and the value does not (``f"{loss},{elapsed_ms}"``, ``f"{loss},{n_tokens}"``):
    a loss or metric averaged over a batch is not a whole number line after line, a duration or a count is,
    so which column the file name names is known. None otherwise (two columns of fractions are a pair or
    nothing, ``_pair``)."""
    rows = [[T.parse_number(c) for c in _cells(ln)] for ln in data]
    if len(rows) < _MIN_COUNTED or any(len(r) != 2 or None in r for r in rows) or H.counter_column(rows) is not None:
        return None
    whole = [all(math.isfinite(r[j]) and float(r[j]).is_integer() for r in rows) for j in (0, 1)]
    if whole.count(True) != 1:
        return None
    value = whole.index(False)
    counts = np.diff([r[1 - value] for r in rows])
    ups = counts[counts > 0]
    if ups.size and np.max(np.unique(ups, return_counts=True)[1]) * 2 >= counts.size:
        return None  # mostly one step up: a counter starting over often (short appended runs), not a count
    fractions = sum(1 for r in rows if math.isfinite(r[value]) and not float(r[value]).is_integer())
    return value if fractions * 2 >= len(rows) else None


def _pair(path: Path, header: str | None, data: list[str]) -> tuple[str, str] | None:
    """The names of the two values on each line, beside a counter or not (see ``_headerless.pair_names``)."""
    rows = np.asarray([[T.parse_number(c) for c in _cells(ln)] for ln in data], dtype=float)
    col, named = H.counter_column(rows.tolist()), _named(path, header)
    if named is None or (col is None and rows.shape[1] != 2):
        return None
    vals = rows if col is None else np.delete(rows, col, axis=1)
    if vals.shape[1] != 2:
        return None
    return H.pair_names(path.stem, named[1], vals[:, 0], vals[:, 1])


def _list_runs(path: Path, text: str) -> list[Run]:
    """One bracketed list: the series the file name names; two: training then validation of that loss."""
    found = B.lists(text, MIN_VALUES)
    if found is None:
        raise InputError(path, "expected a bracketed list of numbers ([0.9, 0.7, ...] or a printed NumPy array)")
    named = _named(path, None)
    if named is None:
        raise InputError(path, "a list of numbers whose file name names no loss or metric (expected a name such "
                         "as losses.json or val_accuracy.txt)")
    if len(found) == 1:
        names = [named]
    else:
        pair = H.pair_names(path.stem, named[1], np.asarray(found[0]), np.asarray(found[1])) if len(found) == 2 else None
        if pair is None:
            raise InputError(path, f"{len(found)} lists of numbers that do not read as one loss's training and "
                             "validation values (expected one list, or two at one level)")
        names = [(n, _role_of(n)) for n in pair]
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    for (name, info), values in zip(names, found):
        run.add(Series.named(name, np.arange(len(values), dtype=float), np.asarray(values, dtype=float), role=info))
    run.meta.notes.append(f"{path.name}: {len(found)} bracketed list(s) of numbers and no step; the position in "
                          "the list is the x axis")
    if len(names) == 2:
        run.meta.notes.append(f"the two lists read as {names[0][0]} and {names[1][0]} (the order scripts print "
                              f"them in; the file name names one {_kind(named)} and both sit at one level)")
    return [run]


_N = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf|NaN|Infinity)"
# What str() or json.dump() of (counter, value) pairs leaves ("[(0, 2.3), (1, 1.9), …]", "[[0, 2.3], …]"),
# or of (counter, train, val) triples ("[[200, 5.95, 6.02], …]", a loop appending [step, loss, val_loss]):
# the bracketed-list reader takes flat lists only.
_PRINTED_SEQUENCE = re.compile(rf"\s*[\[(]\s*[\[(]\s*\d+\s*,\s*(?:{_N})\s*(?:,\s*(?:{_N})\s*)?[\])]\s*,")


def _sequence_runs(path: Path, text: str) -> list[Run]:
    """A printed list of (counter, value) pairs in a file named for the value: parsed as a literal
    (``_pyliteral``: never evaluated). The pairs' first items must count up (an epoch or a step); the
    file name says what the second ones are. (counter, value, value) triples are the same rows as a text
    file's ``counter train val`` lines: the two values are that loss's training and validation value
    when both sit at one level (``_headerless.pair_names``), else the file is refused."""
    from ._pyliteral import parse as parse_literal

    named = _named(path, None)
    if named is None:
        raise InputError(path, "a sequence of numbers whose file name names no loss or metric (expected a name "
                         "such as losses.txt or val_accuracy.txt)")
    try:
        seq = parse_literal(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"is not a plain printed list of (counter, value) pairs ({exc}); expected "
                         "[(step, value), ...]") from None
    width = len(seq[0]) if isinstance(seq, (list, tuple)) and seq and isinstance(seq[0], (list, tuple)) else 0
    rows = [list(p) for p in seq] if width in (2, 3) and all(
        isinstance(p, (list, tuple)) and len(p) == width and all(_number(v) for v in p) for p in seq) else []
    if len(rows) < MIN_VALUES or H.counter_column(rows) != 0:
        raise InputError(path, "expected (counter, value) pairs whose first items count up, e.g. [(0, 2.3), (1, 1.9)], "
                         "or (counter, train, val) triples")
    body = [(k + 1, " ".join([str(int(r[0]))] + [repr(float(v)) for v in r[1:]])) for k, r in enumerate(rows)]
    runs = _counted_runs(path, body, width, named)
    what = "(counter, value) pairs" if width == 2 else "(counter, value, value) triples"
    for run in runs:
        run.meta.notes = [f"{path.name}: a printed list of {what}; the counter is the x axis"
                          if n.startswith(f"{path.name}: no header") else n for n in run.meta.notes]
    return runs


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _run_lists(found: list[tuple[str, list[float]]] | None) -> list[tuple[str, list[float]]] | None:
    """Labelled lists whose labels name runs (a model, a setting), not quantities: a label that names a
    loss or metric (``val_loss: [...]``) makes the line the text reader's, and a file mixing both is no
    file of runs."""
    if not found or any(_role_of(label) is not None for label, _ in found):
        return None
    return found


def _titled_runs(path: Path, blocks: list[tuple[str, list[float]]], title_lines: list[int]) -> list[Run]:
    """One run per titled line of values (a sweep's runs written one after another)."""
    return _row_runs(path, [(None, values, f"{path.name}: the values on one line titled {title[:60]!r}; their "
                             "position in the line is the x axis") for title, values in blocks],
                     title_lines[1:], "a new title opens a line of values",
                     "lines of values whose file name names no loss or metric (expected a name such as losses.txt)")


def _counter_header_runs(path: Path, counts: list[float], rows: list[tuple[str, list[float]]],
                         first_row: int) -> list[Run]:
    """One run per row of a table whose header is the counter (``_headerless.counter_header_rows``), each
    the quantity the file name names, at the header's counts."""
    stem = path.stem
    return _row_runs(path, [(counts, values, f"{path.name}: one row per run under a header of counters "
                             f"{counts[0]:g}…{counts[-1]:g} (the x); this row is {label[:40]!r}, its values the {stem} "
                             "the file name names") for label, values in rows],
                     [float(first_row + k) for k in range(1, len(rows))], "each row of the table is a run of its own",
                     "rows of values under a header of counters, and the file name names no loss or metric "
                     "(expected a name such as val_losses.csv)")


def _row_runs(path: Path, rows: list[tuple[list[float] | None, list[float], str]], starts: list[float], reason: str,
              unnamed: str) -> list[Run]:
    """One run per line of values, each the quantity the file name names: ``rows`` of (x, or None for the
    position in the line; values; the run's note). ``starts``: the line each run after the first opens at."""
    named = _named(path, None)
    if named is None:
        raise InputError(path, unnamed)
    runs = []
    for xs, values, note in rows:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.add(Series.named(named[0], np.arange(len(values), dtype=float) if xs is None else np.asarray(xs),
                             np.asarray(values), role=named[1]))
        run.meta.notes.append(note)
        runs.append(run)
    return T.segment_runs(path, NAME, runs, starts, unit="line", reason=reason)


def _row(path: Path, i: int, line: str, width: int) -> list[float]:
    nums = [T.parse_number(c) for c in _cells(line)]
    if len(nums) != width or any(n is None for n in nums):
        what = "one value per line" if width == 1 else f"{width} numbers per line, one of them a counter"
        raise InputError(path, f"line {i} is not a number ({line.strip()[:40]!r}); expected {what}")
    return nums


def _paired_run(path: Path, body: list[tuple[int, str]], named: tuple[str, RoleInfo]) -> list[Run]:
    """Two values per line and no counter: one loss's training and validation value, the line number the x."""
    rows = np.asarray([_row(path, i, line, 2) for i, line in body], dtype=float)
    smooth = _smoothed([line for _, line in body])
    pair = H.pair_names(path.stem, named[1], rows[:, 0], rows[:, 1]) if smooth is None else None
    value = None if pair is not None or smooth is not None else _beside_a_count([line for _, line in body])
    if smooth is not None:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.add(Series.named(named[0], np.arange(len(rows), dtype=float), rows[:, smooth[0]], role=named[1]))
        run.meta.notes.append(f"{path.name}: no header and no counter; the line number is the x axis")
        run.meta.notes.append(_smoothed_note(path, *smooth))
        return split_counterless(run, unit="value")
    if value is not None:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        run.add(Series.named(named[0], np.arange(len(rows), dtype=float), rows[:, value], role=named[1]))
        run.meta.notes.append(f"{path.name}: no header and no counter; the line number is the x axis. Column "
                              f"{value + 1} is {named[0]}: column {2 - value} holds whole numbers that do not count "
                              "up (a duration or a count, never an averaged loss or metric) and is not read")
        return split_counterless(run, unit="value")
    if pair is None:
        raise InputError(path, "two unnamed values per line whose levels differ (expected a counter and a value, "
                         "or a training and a validation loss of one objective)")
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    xs = np.arange(len(rows), dtype=float)
    for j, name in enumerate(pair):
        run.add(Series.named(name, xs, rows[:, j], role=_role_of(name)))
    run.meta.notes.append(f"{path.name}: no header and no counter; the line number is the x axis, and the two "
                          f"columns read as {pair[0]} and {pair[1]} (the order loops write them in; the file name "
                          f"names one {_kind(named)} and both sit at one level)")
    return [run]


def _counted_runs(path: Path, body: list[tuple[int, str]], width: int, named: tuple[str, RoleInfo],
                  stem: str | None = None) -> list[Run]:
    """Lines of a counter and one or two values: the counter is the x; where it starts over another
    run was appended (a new Run each), unless it is an index counted inside each epoch. ``stem``: the
    name two values are paired by (``_headerless.pair_names``), the file's own by default."""
    rows = np.asarray([_row(path, i, line, width) for i, line in body], dtype=float)
    nested = H.nested_counter(rows.tolist()) if width == 3 else None
    col = H.counter_column(rows.tolist()) if nested is None else nested[0]
    if col is None:
        raise InputError(path, "expected a counter (whole numbers going up) in the first or last column")
    xs = rows[:, col]
    inner = None if nested is None else nested[1]
    vals = np.delete(rows, [col] if inner is None else [col, inner], axis=1)
    names = [named] if vals.shape[1] == 1 else None
    extra = [] if inner is None else [f"column {inner + 1} counts the lines of each epoch from its start (a batch "
                                      f"index): a place, not a value; the other column is the {named[0]}"]
    if names is None:
        smooth = _smoothed([line for _, line in body])
        pair = H.pair_names(path.stem if stem is None else stem, named[1], vals[:, 0], vals[:, 1]) \
            if smooth is None else None
        if smooth is not None:
            extra.append(_smoothed_note(path, *smooth))
            vals, names = rows[:, [smooth[0]]], [named]
        elif pair is None:
            raise InputError(path, "two unnamed values per line whose levels differ (expected a counter and a "
                             "value, or a training and a validation loss of one objective)")
        else:
            names = [(n, _role_of(n)) for n in pair]
    notes = [f"{path.name}: no header; column {col + 1} is a counter and the x axis", *extra]
    if np.any(np.diff(xs) == 0):
        xs = H.spread_repeats(xs)
        notes.append("the counter repeats over consecutive lines (an epoch beside each batch's value): each line "
                     "sits at its share of that epoch")
    if len(names) == 2:
        notes.append(f"the two other columns read as {names[0][0]} and {names[1][0]} (the order loops write them "
                     f"in; the file name names one {_kind(named)} and both sit at one level)")
    cuts = H.restarts(xs)
    if H.inner_counter(xs, cuts):
        xs = H.globalise(xs, cuts)
        notes.append("the counter starts over every few lines, as an index inside each epoch does: counted on "
                     "globally")
    attempts = T.stitch_resumes(zip(xs.tolist(), range(len(xs))), strict=True)
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        idx = np.asarray([r for _, r in att.records], dtype=int)
        for j, (name, info) in enumerate(names):
            run.add(Series.named(name, xs[idx], vals[idx, j], role=info))
        run.meta.notes.extend(notes)
        T.resume_notes(run, att, unit="line")
        runs.append(run)
    return T.segment_runs(path, NAME, runs, [body[a.start_row][0] for a in attempts[1:]], unit="line",
                          reason="the counter starts over")


def _read_npy(path: Path) -> list[Run]:
    """A 1-D array (or a column, or (step, value) rows) saved with ``np.save``; never unpickled."""
    named = _named(path, None)
    if named is None:
        raise InputError(path, "a NumPy array whose file name names no loss or metric (expected loss.npy, "
                         "val_acc.npy…)")
    if path.stat().st_size > MAX_NPY_BYTES:
        raise InputError(path, f"NumPy array over {MAX_NPY_BYTES >> 20} MiB: expected a loss or metric per step")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, SyntaxError, tokenize.TokenError) as exc:
        # numpy parses the header dict as a literal (tokenize + literal_eval): a damaged one raises these
        raise InputError(path, f"cannot be read as a NumPy array ({exc}); expected np.save of a 1-D array") from None
    if arr.dtype.kind not in "fiub":
        raise InputError(path, f"holds a NumPy array of {arr.dtype} (expected numbers)")
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2 and arr.shape[1] == 2 and arr.shape[0] >= 2 and np.all(np.diff(arr[:, 0]) > 0):
        x, y = arr[:, 0], arr[:, 1]
        note = "(step, value) rows; the first column is the x axis"
    elif arr.ndim == 1 and arr.size:
        x, y = np.arange(arr.size, dtype=float), arr
        note = "a 1-D array; its index is the x axis"
    else:
        raise InputError(path, f"holds a NumPy array of shape {arr.shape} (expected a 1-D array of values)")
    name, info = named
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    run.add(Series.named(name, x, y, role=info))
    run.meta.notes.append(f"{path.name}: {note}")
    return [run]
