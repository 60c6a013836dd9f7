"""Plain-text training consoles and logs, read by learning each file's line templates.

No format list: every line is split into numbers and a skeleton (``text.template``); the words
before each number name it (``key: v``, ``key=v``, ``key v``, ``| key v |``, ``'key': v``, tqdm
postfixes ``[…, loss=0.3]``), and counters give the x (``step``/``iter``/``iteration``/
``num_updates``/``batch:`` keys, ``Epoch e/E``, ``[step=N/M]``, ``Epoch: [e][b/B]``, ``N/M``
progress counts, a bare integer opening the line). Multi-line records (a counter-only header
followed by ``name=value`` lines), printed tables (header row + rows, YOLO consoles, markdown)
and JSON lines (with or without a metadata record first) are read by the same parser
(``text.parser``, ``text.tables``). Captures in UTF-16, with a NUL-filled prefix (a truncated
``nohup.out``), ANSI colours or ``\\r`` redraws are cleaned first (``text.decode``).

Conventions kept from known writers: fairseq's ``| train |`` epoch summaries are ``epoch_*``
and its ``gnorm`` is the gradient norm; ``valid``/``test`` contexts prefix their keys; a value
keyed only by a split (build-nanogpt ``120 val 3.21``) is that split's loss; YOLO console and
``results.txt`` columns get their loss/metric names.

In a log that has step-keyed lines, a line keyed only by epoch (an epoch summary) is placed at
the last step seen. x going back to the first x means another run was appended (a new Run);
back to a later x is a resume. Sniffing needs several matching lines in the head, or a file made
only of rows of a layout a writer fixes (a YOLOv5 ``results.txt`` stopped after one or two epochs).
A printed table with no step or epoch column (a hand-written training summary) has its rows
counted as epochs, each header starting over (``text.counted``).
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import numpy as np

from ..run import MEASURED_ROLES, Role, RoleInfo, Run, Series, infer_role
from . import _table as T
from ._appended import split_counterless, split_marked
from ._conventions import drop_not_measured, drop_placeholder_metrics, summary_note
from .base import HEAD_BYTES, read_head
from .text.decode import clean_lines, iter_lines, sniff_text
from .text.parser import MAX_LINE, NONFINITE_SERIES, LineParser
from .text.store import AXES

NAME = "text_log"
DIRECTORY = False

_LOG_SUFFIXES = {".log", ".txt", ".out", ".err", ".md"}
# Documents and code: a training line in them is an example (see ``_short_log``).
_NOT_LOG_SUFFIXES = {".md", ".rst", ".py", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh", ".html",
                     ".tex", ".c", ".cpp", ".h", ".js", ".ts", ".java", ".r", ".jl", ".sql", ".xml"}
# Configs and code: never read as a console log (an indented "epochs: 100" over "loss_weight: 0.5"
# reads like an epoch header and its record).
_CODE_SUFFIXES = {".py", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh", ".c", ".cpp", ".h", ".js", ".ts",
                  ".java", ".jl", ".r", ".sql"}
_LONG_HEAD_BYTES = 64 * 1024
_DEEP_HEAD_BYTES = 4 << 20  # looked at past progress bars only (see ``sniff``)
# A progress bar's redraw (tqdm "45%|####  | 45/100 [00:05<00:06, 8.9it/s]", Keras "━━━━", rich): no record
# of its own unless it carries values, and then the first look has already found them.
_BAR_LINE = re.compile(r"\d%\|.*\||\bit/s\b|\bs/it\b|━|\d+/\d+ \[[=.>]*\]")
_SNIFF_LINES = 1000


def _own_role(name: str) -> RoleInfo | None:
    """fairseq spells the gradient norm ``gnorm``."""
    return RoleInfo(Role.GRAD_NORM) if name in ("gnorm", "epoch_gnorm") else None


# A line opening with a counter padded to its total's width (f"[{epoch:3d}/{epochs}]": "[  1/20] loss: ..."),
# which no JSON document opens with.
_PADDED_COUNT = re.compile(r"\[\s+\d+\s*/\s*\d+\s*\]")


def sniff(path: Path, head: bytes) -> bool:
    code = path.suffix.lower() in _CODE_SUFFIXES
    if code and path.suffix.lower() != ".py":
        return False  # a config or a script: its numbers are settings and examples, never a record
    text = sniff_text(path, head, HEAD_BYTES)
    if text is None or code and _python_source(text, whole=len(head) < HEAD_BYTES):
        return False
    stripped = text.lstrip()
    if stripped.startswith(("<", "[{", "[[", "[\n", "[\r", "{\n", "{\r", "{ \n")) or stripped.startswith("[") and \
            stripped[1:2].isspace() and not _PADDED_COUNT.match(stripped):
        return False  # JSON documents and markup belong to other readers
    if own_report(text):
        return False  # `traindoc diagnose > report.txt` saved beside the logs is not a run
    short_ok = path.suffix.lower() not in _NOT_LOG_SUFFIXES
    if _claims(text, short_ok, whole=len(head) < HEAD_BYTES):
        return True
    if len(head) < HEAD_BYTES or path.suffix.lower() not in _LOG_SUFFIXES:
        return False
    # Scripts often print a long banner (config, model summary) before the first epoch line:
    # a file named like a log gets a longer look before it is passed over.
    longer = sniff_text(path, head, _LONG_HEAD_BYTES)
    if longer is None:
        return False
    if len(longer) > len(text) and _claims(longer, short_ok):
        return True
    # A progress bar redrawn thousands of times (tqdm with "\r", or one line per update) can fill the
    # longer look before the first epoch line: when bars are most of it, look further, without them.
    lines = clean_lines(longer)
    if _size(path) <= _LONG_HEAD_BYTES or sum(1 for ln in lines if _BAR_LINE.search(ln)) * 2 < len(lines):
        return False
    deep = sniff_text(path, head, _DEEP_HEAD_BYTES)
    return deep is not None and _claims("\n".join(ln for ln in clean_lines(deep) if not _BAR_LINE.search(ln)), short_ok,
                                        whole=_size(path) <= _DEEP_HEAD_BYTES)


def _python_source(text: str, whole: bool) -> bool:
    """Whether a ``.py`` file is Python, as its name says, or a console saved under that name
    ("Train Epoch: 0 [0/1464 (0%)]\tLoss: 0.19" is no Python): parsed (``ast.parse``: read, never run),
    its head cut at its last whole line, and at most the last 40 lines dropped in case the cut split a
    statement. A script, or anything that parses as one, is never read as a log."""
    lines = text.splitlines()
    if not whole and lines:
        lines = lines[:-1]
    for drop in (0, 1, 2, 5, 10, 20, 40):
        if drop and drop >= len(lines):
            break
        try:
            with warnings.catch_warnings():  # "\d" in a string: a SyntaxWarning on stderr from Python 3.12
                warnings.simplefilter("ignore")
                ast.parse("\n".join(lines[:len(lines) - drop]))
            return True
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return False


_REPORT_MARKS = ("likely causes:", "what to do:", "evidence:", "is this normal?")
_REPORT_VERDICTS = ("healthy: no warnings or errors",)
# the table headers of `traindoc show` (series, role, points, steps ... non-finite) and `diagnose --brief`
_SHOW_HEADER = re.compile(r"series\s+role\s+points\s+steps\b.*\bnon-finite|run\s+verdict\s+worst finding\b.*")


def own_report(text: str) -> bool:
    """traindoc's own terminal report (findings with their evidence, causes and fixes): its numbers
    are a diagnosis, never a training record. Two of its section headings as whole lines, or its
    healthy verdict line; a training log that carries the watcher's one-line findings still reads."""
    stripped = [ln.strip() for ln in text.splitlines()[:400]]
    marks = {m for ln in stripped for m in _REPORT_MARKS if ln.startswith(m)}
    return len(marks) >= 2 or any(ln in _REPORT_VERDICTS or _SHOW_HEADER.fullmatch(ln) for ln in stripped)


def own_report_file(path: Path) -> bool:
    """Whether the file at ``path`` is traindoc's own report (see ``own_report``), from its first 64 KiB."""
    try:
        return path.is_file() and own_report(read_head(path, 1 << 16).decode("utf-8", "replace"))
    except OSError:
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _claims(text: str, short_ok: bool = False, whole: bool = False) -> bool:
    """Several lines of one recognised shape: enough to say this text is a training log. With
    ``short_ok``, also a log stopped after its first print or two: see ``_short_log``. ``whole``:
    ``text`` is the whole file, so its last line is not cut even without a line end."""
    lines = clean_lines(text)[:_SNIFF_LINES]
    if not whole and not text.endswith(("\n", "\r")):
        short_ok = short_ok and len(lines) > 1  # one line cut by the head: no whole record seen
        if len(lines) > 1:
            lines = lines[:-1]  # the head's last line may be cut
    parser = LineParser()
    for line in lines:
        parser.feed(line)
    store = parser.finish()
    if parser.fixed_rows and parser.fixed_rows == sum(1 for line in lines if line.strip()):
        return True  # only rows of a layout a writer fixes (YOLOv5 results.txt): one epoch is a valid file
    if parser.list_series():
        return True  # whole curves printed as lists under a loss or metric name
    if len(store) - len(store.dropped) >= 2 and parser.matched >= 3:
        return True
    return short_ok and _short_log(parser, store)


def _short_log(parser: LineParser, store) -> bool:
    """A run that stopped (or was cut) after one or two prints: every record kept carries its own
    step, iteration or epoch counter and at least one loss or metric beside it. One ``name: value``
    line with no counter (a final result, a setting) is no such record, so configs and READMEs with
    a number in them are not claimed (``_lone`` says why they were refused); documents and code
    (``.md``, ``.py``…) are not read this way at all: a line there is an example, not a record."""
    kept = len(store) - len(store.dropped)
    if kept < 1 or parser.countered < kept:
        return False
    _, _, cols = store.arrays()
    return any(infer_role(name).role in MEASURED_ROLES or "loss" in name for name, (idx, _) in cols.items() if idx.size)


def read(path: Path) -> list[Run]:
    notes: list[str] = []
    parser = LineParser()
    for line in iter_lines(path, notes):
        parser.feed(line)
    parser.finish()
    return runs_of(path, parser, notes)


def runs_of(path: Path, parser: LineParser, notes: list[str]) -> list[Run]:
    """The runs of the lines fed to ``parser`` so far. The parser is left as it was, so a follower
    (``follow.tail_text``) can ask between polls and keep feeding: the same answer ``read`` gives
    for a file holding those lines."""
    lists = parser.list_series()
    if lists:
        return [_list_run(path, lists, notes)]
    dropped, split_keys = parser.outcome()
    xs, axes, cols = parser.records.arrays(dropped, commit=False)
    notes = list(notes)
    if parser.counted_by_line:
        notes.append("some values have no step or epoch counter on their lines: their lines are counted in order")
    if parser.nonfinite_reports:
        notes.append(f"{parser.nonfinite_reports} line(s) report a NaN/Inf loss in words (\"NaN loss detected\"): "
                     f"kept as NaN points of '{NONFINITE_SERIES}'")
    if parser.range_rows:
        notes.append(f"{parser.range_rows} markdown table row(s) whose step cell is no single number (a range such "
                     "as 3-5, summarised by hand) passed over: no point of the curve")
    if parser.cut_lines:
        notes.append(f"{parser.cut_lines} line(s) longer than {MAX_LINE} characters read only up to that length")
    if parser.inner_steps:
        notes.append("steps counted within each epoch were made global (the largest step printed in each earlier "
                     "epoch added): exact when the last step of an epoch is printed")
    if any(i not in dropped for i, _ in parser.tables.rows):
        notes.append("rows of a printed table with no step or epoch column counted as epochs 1, 2, … (a header "
                     "printed again starts the count over)")
    if parser.bare_numbers >= 3:  # a curve's worth (one or two are a count or a setting printed alone)
        notes.append(f"{parser.bare_numbers} line(s) holding a number alone, which nothing names (a loss? a metric?): "
                     "not read")
    if split_keys:
        names = ", ".join(sorted(split_keys))
        notes.append(f"values keyed only by a split name ({names}) read as that split's loss")
    alive = np.ones(len(xs), dtype=bool)
    alive[list(dropped)] = False
    order = _newest_first(xs, alive, parser)
    if order is not None:
        xs, axes, alive = xs[order], axes[order], alive[order]
        cols = _reordered(cols, order)
        notes.append(f"the {int(np.unique(xs[alive]).size)} counters are listed newest first (each lower than the one "
                     "above it, never higher): read in counter order, as one run")
    placed, axis_of, attempts = _stitch(xs, axes, alive, single=parser.counted_by_line, level=_main_level(cols, len(xs)),
                                        ends=parser.run_ends, relaunches=parser.relaunches,
                                        resized=parser.resized)
    runs, starts = [], []
    for k, att in enumerate(attempts):
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        in_att = alive & (att.ids == att.k) if len(attempts) > 1 else alive
        for name, (idx, vals) in cols.items():
            m = in_att[idx]
            if m.any():
                run.add(Series.named(name, placed[idx[m]], vals[m], axis=att.axis, role=_own_role(name)))
        drop_not_measured(run, nan=False, minus_one=True)  # MMDetection consoles print COCO's -1
        drop_placeholder_metrics(run)
        run.meta.notes.extend(notes)
        if parser.redraws:
            run.meta.notes.append(f"{parser.redraws} redraw(s) or restatement(s) of the same step kept as their last values")
        T.resume_notes(run, att, unit=att.axis)
        # an empty summary (wandb's "Run summary:" with no value under it) says nothing
        ended = [v for at, v in parser.summaries if v and _ends_attempt(at, k, attempts, len(xs))]
        if ended:
            run.meta.notes.append(summary_note(ended[0]))
        if run.series:
            runs.append(run)
            starts.append(att.start_row + 1)
    runs, starts = _without_settings_banners(runs, starts)
    runs, starts = _quantity_blocks(runs, starts)
    _without_bar_copies(runs, parser)
    # Counted lines share one x only when one line shape is counted (each shape has its own count).
    if parser.counted_by_line and len(runs) == 1 and len(parser.implicit) <= 1:
        return split_counterless(runs[0], unit="record")  # no counter to start over: the loss tells
    if len(runs) == 1 and parser.banners_again:  # the opening lines again while the counter went on
        marks = [float(placed[c]) for c in parser.banners_again if c < len(placed) and alive[c] and placed[c] == placed[c]]
        return split_marked(runs[0], marks, path, NAME, marker="the log's opening lines are printed again")
    return T.segment_runs(path, NAME, runs, starts[1:], unit="record")


def _newest_first(xs: np.ndarray, alive: np.ndarray, parser: LineParser) -> np.ndarray | None:
    """The record order that puts a log listed newest first (``Validation Report - Epoch 6`` above
    ``Epoch 5`` ... above ``Epoch 1``: blocks pasted in reverse) in counter order, else None. Its counter
    never goes up and goes down at least twice: read in order it would be a string of runs one counter
    long each, which no training writes. Records at one counter keep their order. Not when the parser
    marked records by index (a run's end, a relaunch, a resize, the banner again, a summary): those
    marks would no longer point at their records."""
    if parser.run_ends or parser.relaunches or parser.resized or parser.banners_again or parser.summaries:
        return None
    live = np.flatnonzero(alive & np.isfinite(xs))
    if live.size < 3 or live.size < int(alive.sum()):
        return None
    steps = np.diff(xs[live])
    if (steps > 0).any() or int((steps < 0).sum()) < 2:
        return None
    order = np.arange(len(xs))
    order[live] = live[np.argsort(xs[live], kind="stable")]
    return order


def _reordered(cols: dict, order: np.ndarray) -> dict:
    """``cols`` (name -> (record indices, values)) with the records put in ``order`` (new -> old index)."""
    new_of = np.empty_like(order)
    new_of[order] = np.arange(order.size)
    out = {}
    for name, (idx, vals) in cols.items():
        idx = np.asarray(idx)
        moved = new_of[idx] if idx.size else idx
        k = np.argsort(moved, kind="stable")
        out[name] = (moved[k], np.asarray(vals)[k])
    return out


_BAR_NOTE = ("progress-bar values left out ({}): the loop prints each epoch's value of the same quantity on a line "
             "of its own, the bar only redraws a running value")


def _without_bar_copies(runs: list[Run], parser: LineParser) -> None:
    """What a progress bar showed that the loop also prints on a line of its own, left out in one pass
    with one note per run: the printed line is the epoch's record, the bar a running display of it.

    Two shapes. Values the bar placed by its own n/N count, when lines counted by their epoch give every
    quantity it shows: the parser has left those records out already (``LineParser.bar_copies``), before
    the runs are cut, since that count starts over each epoch and would read as a new run each time.
    A bar's running value at an epoch's x (tqdm's ``loss=0.42`` postfix under "Epoch 3/10", kept at its
    last redraw) beside the value the loop prints for the same epochs (``Epoch 3: train loss 0.40``): its
    series is dropped here when another series of its role covers its x's. A bar that is the only record
    of its quantity (Keras, a tqdm-only loop) is kept."""
    counted = sorted(parser.bar_counted_names()) if parser.bar_copies() else []
    bar_only = parser.bar_only_names()
    for run in runs:
        gone = list(counted)
        for name in sorted(bar_only & set(run.series)):
            bar = run.series[name]
            if bar.role not in MEASURED_ROLES or len(bar) < 2:
                continue
            if any(s.name not in bar_only and s.role is bar.role and s.axis == bar.axis and len(s) >= len(bar) - 1
                   and np.isin(bar.steps[:-1], s.steps).all() for s in run.series.values()):
                gone.append(name)
                del run.series[name]
        if gone:
            run.meta.notes.append(_BAR_NOTE.format(", ".join(dict.fromkeys(gone))))


def _settings_only(run: Run) -> bool:
    """One record of settings and nothing measured: a config banner ("epochs: 5, lr: 0.001,
    batch_size: 16") printed before training, whose "epochs: 5" read as a counter."""
    return all(len(s) <= 1 for s in run.series.values()) and not any(
        s.role in MEASURED_ROLES for s in run.series.values())


def _without_settings_banners(runs: list[Run], starts: list[int]) -> tuple[list[Run], list[int]]:
    """Drop the settings banners of a log whose training records are in other runs: a banner is no
    run of its own (it would read as an appended run holding no loss), and the settings it printed
    are not a curve. A file of settings alone is left as it is, for the caller to refuse or report."""
    keep = [not _settings_only(r) for r in runs]
    if not any(keep) or all(keep):
        return runs, starts
    return [r for r, k in zip(runs, keep) if k], [st for st, k in zip(starts, keep) if k]


def _quantity_blocks(runs: list[Run], starts: list[int]) -> tuple[list[Run], list[int]]:
    """One run printed a block per quantity ("Validation Loss for Epoch 1 : …" for every epoch, then
    the validation accuracy for every epoch, then the training loss…): each block starts the counter
    over, but no quantity appears in two blocks and every block covers the same epochs, so the blocks
    are one run's columns, not appended runs."""
    if len(runs) < 2:
        return runs, starts
    names = [set(r.series) for r in runs]
    if sum(len(n) for n in names) != len(set().union(*names)):
        return runs, starts  # a quantity printed again: a restart, as read
    xs = [tuple(np.unique(np.concatenate([np.asarray(sr.steps, float) for sr in r.series.values()]))) for r in runs]
    if len(set(xs)) != 1 or len(xs[0]) < 2:
        return runs, starts
    merged = Run(name=runs[0].name.split("#")[0], source=runs[0].source, format=NAME)
    for r in runs:
        for sr in r.series.values():
            merged.add(sr)
    merged.meta.notes.extend(n for n in runs[0].meta.notes if not n.startswith("file holds"))
    merged.meta.notes.append(f"each quantity printed in a block of its own ({len(runs)} blocks over the same "
                             f"{len(xs[0])} {next(iter(runs[0].series.values())).axis}s): read as one run")
    return [merged], starts[:1]


def _list_run(path: Path, lists: dict[str, list[float]], notes: list[str]) -> Run:
    """A file whose curves are printed whole as lists (``print("train_loss:", losses)``): each list's
    positions are its epochs 1, 2, …; a list printed again replaces the earlier one."""
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    for name, vals in lists.items():
        y = np.asarray(vals, dtype=float)
        run.add(Series.named(name, np.arange(1, y.size + 1, dtype=float), y, axis="epoch", role=_own_role(name)))
    run.meta.notes.extend(notes)
    run.meta.notes.append("curves printed whole as lists: each list's positions are read as epochs 1, 2, …")
    return run


def _ends_attempt(at: int, k: int, attempts: list, n: int) -> bool:
    """Whether a summary printed when ``at`` records had been read closes attempt ``k``."""
    start = attempts[k].start_row if k else 0
    stop = attempts[k + 1].start_row if k + 1 < len(attempts) else n
    return start < at <= stop


def _level_at(level: np.ndarray, placed: np.ndarray, i: int, x: float) -> float:
    """The loss of the first records at x from record i on (a record may hold only other values)."""
    j = i
    while j < level.size and j < i + 8 and placed[j] == x:
        if level[j] == level[j]:
            return float(level[j])
        j += 1
    return float("nan")


class _Attempt(T.Attempt):
    """One run in the record stream (see ``_table.stitch_resumes``), as masks over the records."""

    def __init__(self) -> None:
        super().__init__()
        self.axis = "step"
        self.ids: np.ndarray = np.zeros(0)
        self.k = 0


_HISTORY = 2000  # records before a resume whose losses it is compared with


def _main_level(cols: dict, n: int) -> np.ndarray | None:
    """The training loss (else the validation loss) of each record, NaN where it has none."""
    for want in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        named = [(len(idx), name) for name, (idx, _) in cols.items() if infer_role(name).role == want]
        if named:
            idx, vals = cols[max(named)[1]]
            out = np.full(n, np.nan)
            out[idx] = vals
            return out
    return None


def _stitch(xs: np.ndarray, axes: np.ndarray, alive: np.ndarray, single: bool, level: np.ndarray | None = None,
            ends: list[int] = (), relaunches: list[int] = (), resized: list[int] = ()):
    """Place epoch summaries among step lines at the last step, then split runs (x back to the
    first x) and stitch resumes (x back to a later x: the abandoned attempt's later points dropped).
    Same rules as ``_table.stitch_resumes``, over arrays so a million records stay cheap. With the
    records' loss (``level``), an x going back to a later x whose loss starts below anything the run
    had logged up to there is another run, not a resume (``_table.resumed_below_history``); so is
    one after the run printed that it was over (``ends``: record indices, ``parser._END_KEYS``). A record in
    ``relaunches`` (a one-row-per-epoch layout writing the same epoch again) starts another run too, and so
    does one in ``resized`` (a within-epoch count whose printed total changed while x went back)."""
    n = len(xs)
    placed = xs.copy()
    has_steps = bool((axes[alive] == 0).any()) if n else False
    if has_steps:
        last = None
        waiting: list[int] = []
        step_mask = axes == 0
        for i in range(n):
            if step_mask[i]:
                last = placed[i]
                if waiting:  # epoch lines before the first step line: at that first step
                    placed[waiting] = last
                    waiting = []
            elif last is None:
                waiting.append(i)
            else:
                placed[i] = last  # an epoch summary among step lines: at the last step seen
        if waiting:
            placed[waiting] = 0.0
    ids = np.zeros(n, dtype=np.int32)
    attempts = [_Attempt()]
    track = T.XTrack()  # the current run's first, second and top x
    cur = 0
    start = 0  # first record index of the current attempt
    end_marks = np.asarray(sorted(ends), dtype=np.int64)
    again = set(relaunches)
    resized_at = set(resized)
    for i in range(n):
        if not alive[i]:
            ids[i] = cur
            continue
        x = placed[i]
        first, top = track.first, track.top
        if (i in again or i in resized_at) and top is not None:
            cur += 1
            attempts.append(_Attempt())
            attempts[-1].notes.append(
                f"the row of epoch {x:g} is written again: another launch appended to the file" if i in again else
                f"the count went back to {x:g} with another total per epoch (the loader changed size, which a resume "
                "never does): another launch appended to the file")
            attempts[-1].start_row = start = i
            track = T.XTrack()
        elif not single and x == x and top is not None and x < top:
            lo = max(start, i - _HISTORY)  # bounded: a log whose x keeps going back stays linear
            below = x > first and level is not None and T.resumed_below_history(
                level[lo:i][alive[lo:i] & (placed[lo:i] < x)], _level_at(level, placed, i, x))
            k = int(np.searchsorted(end_marks, i, side="right"))  # marks at or before record i
            finished = k > 0 and int(end_marks[k - 1]) > start
            near_start = track.near_start(x)
            if x <= first or below or finished or near_start:
                cur += 1
                attempts.append(_Attempt())
                if finished and not (x <= first or below or near_start):
                    attempts[-1].notes.append(
                        f"x went back to {x:g} after the run before it printed that it had finished (an end-of-training "
                        "summary): another run or training stage, not a resume")
                if below:
                    attempts[-1].notes.append(
                        f"x went back to {x:g} with a loss ({_level_at(level, placed, i, x):.4g}) below anything the "
                        "run had logged up to there: another run appended, not a resume of this one")
                attempts[-1].start_row = i
                start = i
                track = T.XTrack()
            else:
                j = i - 1
                dropped = 0
                while j >= start and (not alive[j] or placed[j] >= x):
                    if alive[j] and ids[j] == cur:
                        alive[j] = False
                        dropped += 1
                    j -= 1
                attempts[-1].superseded += dropped
                attempts[-1].resume_steps.append(float(x))
                track.top = x
        if x == x:
            track.see(x)
        ids[i] = cur
    for k, att in enumerate(attempts):
        att.ids, att.k = ids, k
        rows = np.flatnonzero(alive & (ids == k))
        att.axis = "step" if has_steps or not rows.size else AXES[int(axes[rows[-1]])]
        att.records = [None] * int(rows.size)
    return placed, None, [a for a in attempts if a.records]
