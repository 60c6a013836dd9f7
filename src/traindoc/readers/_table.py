"""Helpers the table, JSON and text-log readers share.

Why one place: every format spells non-finite numbers differently (``nan``, ``-nan``, ``Infinity``,
``null``…), every table may hold several appended runs, and every reader must turn its columns into
named Series the same way. Format knowledge stays in the reader modules; this module only knows
numbers, delimiters, restarts and how to hand Runs back.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
from typing import Any, Callable, Iterable

from ..errors import InputError
from ..run import Role, Run, Series
from ._conflicts import resolve as resolve_conflicts
from ._hparams import MAX_CLASSES
from ._safe import is_regular, json_loads, to_float, yaml_load

NAN = float("nan")

# Spellings of "no number here" that still mean a number belongs in the cell.
_NAN_WORDS = {"nan", "-nan", "+nan", "nan(ind)", "-nan(ind)", "null", "none", "na_value"}
_POS_INF = {"inf", "+inf", "infinity", "+infinity", "1.#inf", "inf%"}
_NEG_INF = {"-inf", "-infinity", "-1.#inf"}
# Spellings of "not logged in this row" (Keras CSVLogger writes NA for keys missing that epoch).
MISSING_WORDS = {"", "na", "n/a", "-"}

_NUM_RE = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A cell as a float, NaN/Inf however spelled; None when the cell is text or not logged."""
    try:
        return float(text)  # the common case, fast: plain numbers, nan, inf, infinity (any case and sign)
    except ValueError:
        pass
    s = text.strip().strip('"').strip()
    if s.endswith("%") and _NUM_RE.match(s[:-1]):
        s = s[:-1]
    if _NUM_RE.match(s):
        return float(s)
    low = s.lower()
    if low in _NAN_WORDS:
        return NAN
    if low in _POS_INF:
        return math.inf
    if low in _NEG_INF:
        return -math.inf
    if low.startswith("tensor(") and low.endswith(")"):  # str(torch.tensor(x)) written by hand-rolled loggers
        return parse_number(low[7:-1].split(",")[0])
    if low.startswith(("np.", "numpy.")) and low.endswith(")") and "(" in low:  # numpy 2's repr: np.float64(0.69)
        inner = low[low.index("(") + 1:-1]
        return parse_number(inner) if "(" not in inner else None
    return None


def is_missing(text: str) -> bool:
    if len(text) > 8:
        return not text.strip().strip('"').strip()
    return text.strip().strip('"').strip().lower() in MISSING_WORDS


def json_number(value: Any) -> float | None:
    """A JSON value as a float: numbers (NaN/Infinity included), null -> NaN, numeric strings; else None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return to_float(value)
    if value is None:
        return NAN
    if isinstance(value, str):
        return parse_number(value)
    return None


def looks_binary(head: bytes) -> bool:
    """NUL bytes or undecodable text: never a text log or table."""
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 4 KiB boundary is still text.
        return exc.start < len(head) - 4
    return False


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _utf16(data: bytes) -> str | None:
    """Text saved as UTF-16 with a byte-order mark (Windows PowerShell's ``>`` does this)."""
    if not data.startswith(_UTF16_BOMS):
        return None
    data = data[: len(data) // 2 * 2]
    return data.decode("utf-16", errors="replace").lstrip("\ufeff")


def head_text(head: bytes) -> str | None:
    """The sniffing head as text, or None for binary content."""
    text = _utf16(head)
    if text is not None:
        return text if "\x00" not in text else None
    if looks_binary(head):
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return resolve_conflicts(text)[0] if "<<<<<<<" in text else text


def read_text(path: Path) -> str:
    """A whole file as text; binary content is an InputError, not a crash."""
    data = path.read_bytes()
    text = _utf16(data)
    if text is not None:
        return text
    if b"\x00" in data[:65536]:
        raise InputError(path, "holds binary data (expected a text log or table)")
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def sniff_delimiter(header_line: str) -> str | None:
    """The separator of a table's header line: the most frequent of , tab ; |, or None."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] >= 1 else None


def head_columns(head: bytes) -> list[str] | None:
    """The header cells of a file's first bytes when they start a table, for sniffing."""
    text = head_text(head)
    found = header_fields(text) if text is not None else None
    return found[0] if found else None


def header_fields(head: str) -> tuple[list[str], str] | None:
    """The header cells (stripped) and delimiter of a table head, or None if it is no table."""
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    delim = sniff_delimiter(first)
    if delim is None:
        return None
    try:
        cells = next(csv.reader([first], delimiter=delim))
    except (csv.Error, StopIteration):
        return None
    return uncomment_header([c.strip() for c in cells]), delim


_MAX_TITLE_LINES = 3


def without_title(text: str) -> tuple[str, str | None]:
    """The text of a table without the title line(s) written above its header, and the title (None if none).

    Why: a user who saves a history by hand often writes the table's name first (``model_history_log``
    on its own line, then ``epoch;accuracy;loss;...``); read as the header, that one cell would hide
    every column. A title is a line with no column separator at all, over a line that names two or more
    columns (no cell a number), over a row as wide as that header holding a number; anything else is
    left as it is."""
    lines = text.splitlines(keepends=True)
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    for n in range(1, min(_MAX_TITLE_LINES, len(filled) - 2) + 1):
        title = [lines[i].strip() for i in filled[:n]]
        if sniff_delimiter(title[-1]) is not None and not settings_line(title[-1]):
            return text, None
        head, row = lines[filled[n]], lines[filled[n + 1]]
        delim = sniff_delimiter(head)
        if delim is None:
            continue
        try:
            cells, values = (next(csv.reader([ln.strip()], delimiter=delim)) for ln in (head, row))
        except (csv.Error, StopIteration):
            return text, None
        if len(cells) < 2 or len(values) != len(cells) or any(parse_number(c) is not None for c in cells if c):
            return text, None
        if not any(parse_number(v) is not None for v in values):
            return text, None
        if any(parse_number(t) is not None for t in title):
            return text, None
        return "".join(lines[filled[n]:]), " / ".join(title)
    return text, None


_SETTING = re.compile(r"[^\W\d][^:=]*\s*[:=]\s*\S")


def settings_line(line: str) -> bool:
    """A line of settings written above a table's header ("Trial Details: Model ID: I, Batch Size: 50,
    Epochs: 15, Learning Rate: 0.01,,,"): two or more cells, every one that is filled a name followed by
    ``:`` or ``=`` and a value. A hand-written loop prints the configuration of each trial before its
    header; it names no column, so it is a title, never the header."""
    delim = sniff_delimiter(line)
    if delim is None:
        return False
    try:
        cells = [c.strip() for c in next(csv.reader([line.strip()], delimiter=delim)) if c.strip()]
    except (csv.Error, StopIteration):
        return False
    return len(cells) >= 2 and all(_SETTING.match(c) for c in cells)


def uncomment_header(cells: list[str]) -> list[str]:
    """A header row written as a comment (``# epoch,loss``: ``np.savetxt(header=..., delimiter=",")``,
    loops that mark it so plotting tools skip it) names its first column without the ``#``."""
    if cells and cells[0].startswith("#") and not cells[0].startswith("##") and cells[0][1:].strip():
        return [cells[0][1:].strip(), *cells[1:]]
    return cells


_MD_RULE = re.compile(r":?-{2,}:?")


def read_table(path: Path, notes: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a delimited text table; malformed content is an InputError.

    A repeated column name would silently merge two columns (or interleave them into one
    series); the repeats are renamed ``name (2)`` and, when ``notes`` is given, a note says so."""
    text = read_text(path)
    if "<<<<<<<" in text:
        text, note = resolve_conflicts(text)
        if note and notes is not None:
            notes.append(note)
    text, title = without_title(text)
    if title and notes is not None:
        notes.append(f"a title line above the header ({title[:60]!r}): skipped it")
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        raise InputError(path, "holds no table rows")
    delim = sniff_delimiter(first)
    if delim is None:
        raise InputError(path, "has no column separator (expected a CSV/TSV table)")
    try:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise InputError(path, f"is not a well-formed table ({exc})") from None
    header, renamed = dedupe_header(uncomment_header([c.strip() for c in rows[0]]))
    if renamed and notes is not None:
        notes.append("repeated column name(s) kept apart: " + ", ".join(renamed))
    body = rows[1:]
    if delim == "|":  # a markdown table's rule under its header ("|---|:---:|"): layout, no row of values
        body = [r for r in body if not all(_MD_RULE.fullmatch(c.strip()) for c in r if c.strip())]
    # a markdown row closed by its "|" under a header closed the same way is whole: a cut leaves fewer cells
    closed = delim == "|" and bool(body) and len(body[-1]) == len(header) and not header[-1] and \
        not body[-1][-1].strip()
    if len(body) > 1 and torn_tail(text) and not closed and not whole_last_row(len(header), body):
        # A last line without its line end may have been cut mid-write (0.165 for 0.16529): unless it is
        # plainly whole, it is dropped rather than read as a wrong number or a restart.
        body.pop()
        if notes is not None:
            notes.append("the last line has no line end (the file was cut while being written): skipped it")
    gap = extra_empty_field(len(header), body)
    if gap is not None:
        body = [r[:gap] + r[gap + 1:] for r in body]
        if notes is not None:
            notes.append(f"every row holds one field more than the header, empty in every row (field {gap + 1}): "
                         "dropped it, so the values sit under their names")
    return header, _drop_torn_rows(header, body, notes)


def extra_empty_field(width: int, rows: list[list[str]]) -> int | None:
    """The index of a field that makes every row one wider than a header of ``width`` names and is empty in
    every row, or None.

    Why: a writer that puts one delimiter too many in each row (Flair's ``loss.tsv`` writes an empty field
    after the training loss; a loop writes ``f"{a},{b},"`` under a header without the trailing comma)
    shifts every later value one column right of its name, so a dev loss would be read as a precision.
    Only one such all-empty field: with several the shift is not known, and the table is left alone."""
    if len(rows) < 2 or any(len(r) != width + 1 for r in rows):
        return None
    empty = [j for j in range(width + 1) if all(not r[j].strip() for r in rows)]
    return empty[0] if len(empty) == 1 else None


def _drop_torn_rows(header: list[str], body: list[list[str]], notes: list[str] | None) -> list[list[str]]:
    """Rows shorter than the header inside a table whose every other row is as wide as it.

    A write cut mid-line and resumed by another process leaves a row that starts mid-record
    (``.667079,0.1039,...`` under ``epoch,train_loss,...``): read from the left, its first field
    would be the epoch, 0.667, and the run would seem to restart. One such row in fifty or fewer,
    among full rows only, is a torn line; a table of ragged rows (summaries wider or narrower
    than the header) is left as it is."""
    width = len(header)
    short = [i for i, r in enumerate(body) if len(r) < width]
    if not short or len(body) < 10 or len(short) > max(1, len(body) // 50):
        return body
    if any(len(r) != width for i, r in enumerate(body) if i not in short):
        return body
    if notes is not None:
        notes.append(f"{len(short)} row(s) with fewer fields than the header (a line torn by a write cut short): "
                     f"skipped (data row {', '.join(str(i + 1) for i in short)})")
    return [r for i, r in enumerate(body) if i not in short]


_WHOLE_WINDOW = 20  # rows above the last whose cells say how long its last cell should be


def whole_last_row(width: int, body: list[list[str]]) -> bool:
    """Whether the table's last row, written without a line end, is whole.

    Why: many files at rest end without one (a W&B chart export, Flair's loss.tsv, a loop writing
    ``"\n".join(rows)``, a file edited on GitHub), and dropping their last line loses the last epoch.
    A cut can only shorten the row's last cell (one earlier and the row has fewer cells), so the row
    is whole when it has a cell under every name and its last cell is no shorter than any in that
    column over the rows above, and is a number where they are (``0.165`` under ``0.16529``,
    ``0.16`` under ``0.1653``, or an empty cell after the last separator read as cut)."""
    last = body[-1]
    above = [r[-1].strip() for r in body[-_WHOLE_WINDOW - 1:-1] if len(r) == width and r[-1].strip()]
    if len(last) != width or not above or not last[-1].strip():
        return False
    cell = last[-1].strip()
    if len(cell) < min(len(c) for c in above):
        return False
    return parse_number(cell) is not None or any(parse_number(c) is None for c in above)


def torn_tail(text: str) -> bool:
    """Whether a text file's last line lacks its line end (a write cut short)."""
    return bool(text) and not text.endswith(("\n", "\r")) and bool(text.strip())


def dedupe_header(header: list[str]) -> tuple[list[str], list[str]]:
    """Rename the 2nd, 3rd… column of one name to ``name (2)``, ``name (3)``; say which."""
    seen: dict[str, int] = {}
    out, renamed = [], []
    taken = set(header)
    for name in header:
        if not name or name not in seen:
            seen[name] = 1
            out.append(name)
            continue
        k = seen[name] + 1
        while f"{name} ({k})" in taken:
            k += 1
        seen[name] = k
        new = f"{name} ({k})"
        taken.add(new)
        out.append(new)
        renamed.append(f"column {len(out)} '{name}' read as '{new}'")
    return out, renamed


def read_json_lines(path: Path) -> tuple[list[dict], list[str]]:
    """Objects of a JSON-lines file plus notes on lines that could not be parsed.

    A truncated last line is normal (training killed mid-write): it is skipped with a note.
    Garbage elsewhere is reported in notes too, so data loss is never silent.
    """
    text = read_text(path)
    rows: list[dict] = []
    bad: list[int] = []
    lines = text.splitlines()
    for i, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json_loads(line)
        except ValueError:
            bad.append(i)
            continue
        if isinstance(obj, dict):
            rows.append(obj)
        else:
            bad.append(i)
    notes = []
    if bad:
        where = ", ".join(str(b) for b in bad[:5]) + ("…" if len(bad) > 5 else "")
        notes.append(f"skipped {len(bad)} line(s) that are not JSON objects (line {where})")
    return rows, notes


def first_json_object(head: str) -> dict | None:
    """The first line of a JSON-lines head as a dict, if it is one."""
    for line in head.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json_loads(line)
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None
    return None


def json_lines_head(head: str, limit: int = 20) -> list[dict]:
    """The complete JSON objects among the head's lines (the last may be cut at 4 KiB)."""
    out = []
    for line in head.splitlines()[:limit]:
        line = line.strip()
        if not line:
            continue
        try:
            obj = json_loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def segment_runs(path: Path, fmt: str, parts: list[Run], split_rows: list[float], unit: str = "row",
                 reason: str = "the x column starts over") -> list[Run]:
    """Name the runs split out of one file "#1", "#2"… and say where each was cut. A part that only
    repeats the one before it (the same values at the same x: the log written twice) is no run of its
    own; it is folded back (``_appended.drop_copies``)."""
    from ._appended import drop_copies

    parts, split_rows, folded = drop_copies(parts, split_rows)
    if folded:
        parts[0].meta.notes.append(
            f"{folded} stretch(es) of the log repeat, at the same {unit}s, the very values logged before them "
            "(the log written twice, not another run): read once")
    if len(parts) <= 1:
        return parts
    count = len(parts)
    for i, run in enumerate(parts):
        run.name = f"{run.name}#{i + 1}"
        run.meta.segment = (i + 1, count)
        if i > 0:
            run.meta.notes.append(
                f"file holds {count} runs: this is run {i + 1}, starting at {unit} {split_rows[i - 1]:g} "
                f"where {reason}")
        else:
            run.meta.notes.append(f"file holds {count} runs ({reason}); this is run 1")
    mark_continuations(parts)
    return parts


def mark_continuations(parts: list[Run]) -> None:
    """Flag each run that picks up where the one before it left off (same training loss level).

    A file of two stages (a head-only stage, then fine-tuning with the step counter reset) or a
    restart from the last checkpoint starts already trained: the run before it fell clearly, and
    this one's first loss is within 10% of that one's last.
    """
    for before, run in zip(parts, parts[1:]):
        prev, cur = before.primary(Role.TRAIN_LOSS), run.primary(Role.TRAIN_LOSS)
        if prev is None or cur is None or prev.name != cur.name:
            continue
        pv, cv = prev.values[np.isfinite(prev.values)], cur.values[np.isfinite(cur.values)]
        if pv.size < 2 or cv.size < 1 or pv[-1] <= 0:
            continue
        if pv[0] > 1.15 * pv[-1] and abs(cv[0] / pv[-1] - 1) < 0.1:
            run.meta.continues_previous = True
            run.meta.notes.append(f"{cur.name} starts at {cv[0]:.4g}, where the run before it ended "
                                  f"({pv[-1]:.4g}): a later training stage or a restart from its checkpoint")


def duplicate_log_copy(path: Path) -> bool:
    """A file known to repeat another log beside it, so no reader claims it twice.

    MMEngine writes the same rows to ``vis_data/<timestamp>.json`` and ``vis_data/scalars.json``.
    """
    return (path.parent.name == "vis_data" and re.fullmatch(r"\d{8}_\d{6}\.json", path.name) is not None
            and (path.parent / "scalars.json").is_file())


def run_name(path: Path) -> str:
    """A readable run name: the file's folder for fixed file names, else the file stem."""
    generic = {"metrics", "results", "trainer_state", "scalars", "history", "log", "train", "training", "events"}
    if path.stem.lower() in generic and path.parent.name:
        return f"{path.parent.name}/{path.name}"
    return path.name


def pivot_records(records, *, skip=(), convert=None, carry_x: bool = False) -> dict[str, tuple[list[float], list[float]]]:
    """Turn ``(x, {name: value})`` records into ``{name: (steps, values)}`` columns, in record order.

    ``skip`` names keys that are the x axis itself; ``convert(value)`` returns a number or None to
    drop the cell; with ``carry_x`` a record without x is placed at the last x seen (0 before any).
    """
    columns: dict[str, tuple[list[float], list[float]]] = {}
    last = 0.0
    for x, record in records:
        if carry_x:
            x = last if x is None else x
            last = x
        for key, value in record.items():
            if key in skip:
                continue
            if convert is not None:
                value = convert(value)
                if value is None:
                    continue
            steps, values = columns.setdefault(key, ([], []))
            steps.append(x)
            values.append(value)
    return columns


def add_column_series(run: Run, columns: dict[str, tuple[list[float], list[float]]], *, axis: str,
                      wall: dict[str, list[float]] | None = None, role_of=None) -> None:
    """Add every non-empty column as a Series with its role inferred from the name.

    ``role_of(name)`` may return a RoleInfo for names a format spells its own way (None: infer).
    """
    for name, (steps, values) in columns.items():
        if not values:
            continue
        wt = wall.get(name) if wall else None
        run.add(Series.named(name, steps, values, wt, axis=axis, role=role_of(name) if role_of else None))


MAX_VOCAB = 100_000_000


def hparams_num_classes(run: Run) -> None:
    """Set meta.num_classes / vocab_size from hyper-parameters that state them."""
    hp = {str(k).lower(): v for k, v in run.meta.hparams.items()}
    for key in ("num_classes", "n_classes", "num_labels", "nc", "n_labels", "num_class"):
        val = hp.get(key)
        if isinstance(val, int) and not isinstance(val, bool) and 0 < val <= MAX_CLASSES:
            run.meta.num_classes = val
            break
    for key in ("vocab_size", "n_vocab"):
        val = hp.get(key)
        if isinstance(val, int) and not isinstance(val, bool) and 0 < val <= MAX_VOCAB:
            run.meta.vocab_size = val
            break


def flatten_params(obj: Any, prefix: str = "", out: dict | None = None, depth: int = 0) -> dict[str, Any]:
    """Nested config mappings flattened to plain scalars (``model.num_classes``) plus bare keys."""
    out = {} if out is None else out
    if isinstance(obj, dict) and depth < 6:
        for k, v in obj.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                flatten_params(v, key, out, depth + 1)
            elif isinstance(v, (str, int, float, bool)) or v is None:
                out[key] = v
                out.setdefault(str(k), v)
    return out


class Attempt:
    """One run inside a step-indexed log, after resumes were stitched in (see ``stitch_resumes``)."""

    def __init__(self) -> None:
        self.records: list[tuple[float, Any]] = []
        self.resume_steps: list[float] = []
        self.superseded = 0
        self.start_row = 0
        self.notes: list[str] = []
        # The x column held one value in every row (``fit(epochs=1)`` called in a loop, each call's
        # CSVLogger row at epoch 0): the records are numbered by row, and only the curve can tell runs apart.
        self.counterless = False


# More runs than this in one file, most of them one or two rows long, is an x column running
# backwards (or scrambled), not that many training runs: it is read as one run ordered by x.
MAX_SPLIT_RUNS = 16


def stitch_resumes(records: Iterable[tuple[float | None, Any]], *, strict: bool = False,
                   kind: Callable[[Any], str | None] | None = None) -> list[Attempt]:
    """Split a step-indexed record stream into runs, and stitch resumes inside each run.

    Why: frameworks that continue from a checkpoint (Lightning, detectron2, MMEngine) keep
    appending to the same log, so the step goes back to the checkpoint's step. That is the same
    run resumed: the points logged past the checkpoint by the abandoned attempt are superseded by
    the resumed ones (counted, reported in a note). A step going back to (or below) the first step
    of the run is a fresh start from scratch: a new run. Records without a step stay in place.
    ``strict``: one record per x (epoch tables), so a repeated x goes back too.
    ``kind``: for logs that write several kinds of record at one x (detectron2's training and
    evaluation rows), a record whose kind already has a record at this very x goes back too.
    Linear time: finite steps inside an attempt only go up, so a resume pops from the end.
    """
    if strict:
        records = list(records)
        constant = _constant_x(records)
        if constant is not None:
            return [constant]
    attempts = [Attempt()]
    track = XTrack()  # the current run's first, second and top x
    rows = 0
    last_of_kind: dict[str, float] = {}
    for row, (x, rec) in enumerate(records):
        rows = row + 1
        cur = attempts[-1]
        if x is not None and math.isfinite(x):
            k = kind(rec) if kind is not None else None
            repeated = k is not None and last_of_kind.get(k) == x
            top = track.top
            if top is not None and (x < top or (strict and x == top) or repeated):
                if track.first is not None and (x <= track.first or track.near_start(x)):
                    cur = Attempt()
                    cur.start_row = row
                    attempts.append(cur)
                    track = XTrack()
                    last_of_kind = {}
                else:
                    kept_tail = []
                    while cur.records:
                        s = cur.records[-1][0]
                        if s is not None and math.isfinite(s) and s < x:
                            break
                        item = cur.records.pop()
                        if s is not None and s >= x:
                            cur.superseded += 1
                        else:
                            kept_tail.append(item)  # no step (or NaN): stays in place
                    cur.records.extend(reversed(kept_tail))
                    cur.resume_steps.append(x)
                    track.top = x
                    last_of_kind = {kk: v for kk, v in last_of_kind.items() if v < x}
            if k is not None:
                last_of_kind[k] = x
            track.see(x)
        cur.records.append((x, rec))
    found = [a for a in attempts if a.records]
    if len(found) > MAX_SPLIT_RUNS and sorted(len(a.records) for a in found)[len(found) // 2] <= 2:
        return [_one_run_by_x(found, rows)]
    return found


def _constant_x(records: list[tuple[float | None, Any]]) -> Attempt | None:
    """One attempt numbered by row when every record of an epoch table has the same x (see
    ``Attempt.counterless``); None otherwise. Three rows at least: fewer say nothing."""
    xs = {x for x, _ in records if x is not None and math.isfinite(x)}
    if len(records) < 3 or len(xs) != 1:
        return None
    att = Attempt()
    att.records = [(float(i), rec) for i, (_, rec) in enumerate(records)]
    att.counterless = True
    att.notes.append(f"the x column is {xs.pop():g} in every one of its {len(records)} rows (a fit of one epoch "
                     "called again and again): rows counted in order")
    return att


RESTART_MIN_UPS = 4  # x steps forward a run needs before "back to its second x" reads as a restart


class XTrack:
    """The x of one run seen so far: its first and second x, its top, and how often it went up."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.second: float | None = None
        self.top: float | None = None
        self.ups = 0

    def see(self, x: float) -> None:
        if self.first is None:
            self.first = x
        elif self.second is None and x > self.first:
            self.second = x
        if self.top is not None and x > self.top:
            self.ups += 1
        self.top = x if self.top is None else max(self.top, x)

    def near_start(self, x: float) -> bool:
        return restarts_near_start(x, self.second, self.ups)


def restarts_near_start(x: float, second: float | None, ups: int) -> bool:
    """x going back to the run's second x (or between its first and second) after the run went on
    for several more: another run whose counter starts one later (epoch 1 after epoch 0, a first
    log at step 20 after one at 10), not a resume. A checkpoint to resume from is the latest one,
    never the run's first save once it has gone on well past it."""
    return second is not None and x <= second and ups >= RESTART_MIN_UPS


def resumed_below_history(before: np.ndarray, first: float) -> bool:
    """Whether an x going back to a later x starts another run rather than resuming this one.

    A checkpoint holds a state the run had: resumed from it, the loss carries on from about where
    the run was at that x (or worse, when optimiser state or warm-up is lost: a resume spike). It
    cannot start clearly better than anything the run had logged up to there. ``before``: the
    run's losses logged before that x; ``first``: the loss the resumed attempt logs first.
    "Clearly": 5% below the lowest and 5 typical moves between neighbouring points of the last
    ten (a per-epoch average lags the end-of-epoch state by about one move)."""
    b = before[np.isfinite(before)]
    if b.size < 5 or not math.isfinite(first):
        return False
    low = float(np.min(b))
    moves = np.abs(np.diff(b[-11:]))
    gap = max(0.05 * abs(low), 5.0 * float(np.median(moves)) if moves.size else 0.0)
    return first < low - gap


def _one_run_by_x(attempts: list[Attempt], rows: int) -> Attempt:
    """The attempts of an x column that keeps going back, as one run sorted by x (with a note)."""
    merged = Attempt()
    merged.records = sorted((r for a in attempts for r in a.records),
                            key=lambda r: r[0] if r[0] is not None and math.isfinite(r[0]) else math.inf)
    merged.superseded = sum(a.superseded for a in attempts)
    merged.notes.append(f"the x column goes back {len(attempts) - 1} times in {rows} rows (it runs backwards "
                        "or is scrambled, not a series of restarts): read as one run ordered by x")
    return merged


def resume_notes(run: Run, attempt: Attempt, unit: str = "step") -> None:
    """Record resumes found by ``stitch_resumes`` on the run, with a note each."""
    run.meta.notes.extend(attempt.notes)
    if attempt.resume_steps:
        run.meta.resume_steps.extend(attempt.resume_steps)
        steps = ", ".join(f"{s:g}" for s in attempt.resume_steps)
        run.meta.notes.append(
            f"resumed from a checkpoint at {unit} {steps}: {attempt.superseded} point(s) the interrupted attempt "
            f"logged past that {unit} were replaced by the resumed ones")


class Skipped:
    """Counts table cells that were neither a number, NaN/Inf nor empty, so their loss is never silent."""

    def __init__(self) -> None:
        self.by_column: dict[str, int] = {}

    def add(self, column: str) -> None:
        self.by_column[column] = self.by_column.get(column, 0) + 1

    def note(self, run: Run) -> None:
        if self.by_column:
            cols = ", ".join(f"{c} ({n})" for c, n in list(self.by_column.items())[:5])
            total = sum(self.by_column.values())
            run.meta.notes.append(f"skipped {total} cell(s) that are not numbers, in column(s) {cols}")


def yaml_params_beside(path: Path, name: str, run: Run) -> bool:
    """Hyper-parameters from a YAML file next to the log (``yaml.safe_load`` only: no Python objects)."""
    import yaml

    cfg = path.parent / name
    if not is_regular(cfg):
        return False
    try:
        doc = yaml_load(cfg.read_text(encoding="utf-8", errors="replace"))
    except (yaml.YAMLError, OSError) as exc:
        run.meta.notes.append(f"{name} beside it could not be read safely ({type(exc).__name__}); no hyper-parameters")
        return False
    if not isinstance(doc, dict):
        return False
    run.meta.hparams.update(flatten_params(doc))
    hparams_num_classes(run)
    return True


_NUM_CLASSES_TEXT = re.compile(r"\bnum_classes\s*=\s*(\d+)")


def num_classes_from_config_text(text: str) -> int | None:
    """``num_classes=N`` in a Python config *text* (read, never executed), when it names one value."""
    found = {int(m) for m in _NUM_CLASSES_TEXT.findall(text)}
    return found.pop() if len(found) == 1 else None
