"""Readers: one module per log format, registered in one table.

``load(path)`` is the single entry point: a file is sniffed and read; a directory is walked
and every run beneath it is found. Format knowledge lives in the reader modules only.
"""

from __future__ import annotations

import contextvars
import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from ..run import Run
from . import _safe
from ._counted_block import counted_block_run
from ._crash import crash_hint
from ._empty import declared_only
from ._final import final_results
from ._fit_loop import join_fit_loop
from ._per_class import set_aside_per_class
from ._given_columns import parse_names, read_named
from ._lone import lone_line_hint, lone_line_run
from ._pickled import pickle_facts, pickle_refusal
from ._unnamed import unnamed_numbers_hint
from .base import HEAD_BYTES, read_head

_WIDE_HEAD = 1 << 20  # bytes a sniffer may see when the first 4 KiB hold under three lines

# Order matters: specific formats before generic ones (a Lightning metrics.csv is also a CSV).
_READER_MODULES = (
    "traindoc_jsonl",
    "tensorboard",
    "mlflow",
    "wandb",
    "hf_trainer_state",
    "lightning_csv",
    "ultralytics",
    "keras_csv",
    "keras_history",
    "detectron2",
    "mmengine",
    "sb3_console",
    "sb3_monitor",
    "list_cells",
    "generic_table",
    "text_log",
    "value_list",
)


def _load_readers() -> list[ModuleType]:
    mods = []
    for name in _READER_MODULES:
        try:
            mods.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return mods


READERS: list[ModuleType] = _load_readers()
# Config files a reader reads with the log beside it (hparams.yaml…): not "skipped" when it did.
_SIDE_FILES = {name for r in READERS for name in getattr(r, "SIDE_FILES", ())}

# Directories never worth descending into when scanning for logs.
_SKIP_DIRS = {".git", "__pycache__", "node_modules", ".venv", "venv", "site-packages", "checkpoints", ".ipynb_checkpoints"}


_MISSING = "no such file or directory (expected a training log file or a folder of them)"


@dataclass
class LoadResult:
    """Runs found, plus the per-file problems of a directory scan (reported, not fatal)."""

    runs: list[Run] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    # Files a folder scan passed over that are not unreadable logs (not a log, a FIFO, a link out
    # of the tree, a superseded copy): (path, reason). Reported so nothing vanishes without a word.
    skipped: list[tuple[str, str]] = field(default_factory=list)

    # The README says ``load`` returns Runs: ``load(p)[0]``, ``for run in load(p)`` and ``len``
    # work on the runs, so a first script does not stop on a TypeError.
    def __iter__(self):
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, i):
        return self.runs[i]

    def all_skipped(self) -> list[tuple[str, str]]:
        """Every file not read, with why: unreadable logs first, then the rest."""
        return [(p.path, p.problem) for p in self.problems] + self.skipped


def format_names() -> list[str]:
    return [r.NAME for r in READERS]


def reader_for(path: Path) -> ModuleType | None:
    """The first registered reader that claims this file or directory."""
    return _claim(path)[0]


def _claim(path: Path) -> tuple[ModuleType | None, tuple[int, int | None] | None]:
    """(the first registered reader that claims ``path``, the facts of a pickle, see ``_pickled``): a
    pickle is claimed by no reader, and its opcodes are decoded here once for both answers."""
    if path.is_dir():
        return next((r for r in READERS if getattr(r, "DIRECTORY", False) and _sniff(r, path, b"")), None), None
    reason = _safe.not_regular_reason(path)
    if reason is not None:
        raise InputError(path, reason)
    try:
        head = _sniff_head(path)
    except OSError as exc:
        raise InputError(path, f"cannot be opened ({exc.strerror or exc})") from None
    pickled = pickle_facts(path, head)
    if pickled is not None:
        return None, pickled  # never unpickled, nor read as text (a protocol-0 pickle is printable)
    return next((r for r in READERS if _claims_files(r) and _sniff(r, path, head)), None), None


def _sniff_head(path: Path) -> bytes:
    """The head the sniffers see: 4 KiB, or, when those hold under three line ends (a table of
    hundreds of columns, per-layer statistics), up to 1 MiB cut after its sixth line end, so
    a wide header and its first rows are seen whole."""
    head = read_head(path)
    if len(head) < HEAD_BYTES or head.count(b"\n") >= 3:
        return head
    longer = read_head(path, _WIDE_HEAD)
    at = -1
    for _ in range(6):
        at = longer.find(b"\n", at + 1)
        if at < 0:
            return longer
    return longer[:at + 1]


def _sniff(reader: ModuleType, path: Path, head: bytes) -> bool:
    """A sniffer that trips over a damaged head does not claim it (and never aborts a folder scan)."""
    try:
        return bool(reader.sniff(path, head))
    except (ValueError, UnicodeError, OSError, RecursionError, OverflowError, IndexError, KeyError, TypeError):
        return False


def _claims_files(reader: ModuleType) -> bool:
    """File readers, plus directory readers that also accept one file on its own (``FILES = True``)."""
    return getattr(reader, "FILES", not getattr(reader, "DIRECTORY", False))


_LONG_LINE = 64 * 1024


def _one_line_hint(path: Path) -> str:
    """Why a big file may not be recognised: no line break in its first 64 KiB (sniffers read a head)."""
    try:
        if path.is_file() and path.stat().st_size > _LONG_LINE:
            head = read_head(path, _LONG_LINE)
            if b"\n" not in head and b"\r" not in head:
                return f"; its first {_LONG_LINE >> 10} KiB hold no line break (one long line)"
    except OSError:
        pass
    return ""


def _own_report_hint(path: Path) -> str:
    """A file holding traindoc's own report, saved beside the logs: say so, not just 'unrecognised'."""
    from .text_log import own_report_file

    return "; it is traindoc's own report (a diagnosis), not a training log" if own_report_file(path) else ""


# ``diagnose --jobs``: logs already read by worker processes (path -> runs, or the InputError's
# (path, problem)), handed out here so that the scan itself, and so its output, is the one-process scan.
PREREAD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("traindoc_preread", default=None)


def read_file(path: Path, columns: list[str] | None = None) -> list[Run]:
    """Read one file (or a directory a reader claims whole); raise InputError if nothing fits.

    ``columns`` names the columns of a header-less table (see ``_given_columns``): the file is then
    read as that table, whatever a sniffer would make of it."""
    path = Path(path)
    done = PREREAD.get()
    if done is not None and str(path) in done:
        kind, value = done.pop(str(path))
        if kind == "problem":
            raise InputError(*value)
        return value
    if not path.exists():
        raise InputError(path, _MISSING)
    if columns:
        return _read_given(path, columns)
    reader, pickled = _claim(path)
    if reader is None:
        if path.is_file() and path.stat().st_size == 0:
            raise InputError(path, "file is empty (expected a training log)")
        if pickled is not None:
            raise InputError(path, pickle_refusal(pickled))
        empty = declared_only(path)
        if empty is not None:
            return [empty]
        final = final_results(path) or lone_line_run(path) or counted_block_run(path)
        if final is not None:
            return [final]
        raise InputError(path, "not a recognised training log (expected one of: " + ", ".join(format_names()) + ")"
                         + (_own_report_hint(path) or _one_line_hint(path) or crash_hint(path)
                            or lone_line_hint(path) or unnamed_numbers_hint(path)))
    token = _safe.start_file()
    try:
        runs = reader.read(path)
        saturated = _safe.saturation_note()
    except InputError:
        empty = declared_only(path)  # a format's log with its columns named and no value in them
        if empty is not None:
            return [empty]
        raise
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError, OSError, RecursionError,
            OverflowError, MemoryError) as exc:
        raise InputError(path, f"cannot be read as {reader.NAME} ({type(exc).__name__}: {exc})") from None
    finally:
        _safe._saturated.reset(token)
    if not runs:
        empty = declared_only(path)
        if empty is not None:
            return [empty]
        raise InputError(path, f"looks like {reader.NAME} but holds no numeric series")
    runs = join_fit_loop(runs)  # blocks of one fit called in a loop are one run, not appended runs
    runs = set_aside_per_class(runs)  # class_0_f1 … class_49_f1 beside the loss: kept, not judged
    if saturated:
        for run in runs:
            run.meta.notes.append(saturated)
    return runs


def _read_given(path: Path, columns: list[str]) -> list[Run]:
    """A file read under the column names the user gave: one line of refusal when they do not fit it."""
    if path.is_dir():
        raise InputError(path, "is a folder; column names fit one file (expected the path of a header-less table)")
    reason = _safe.not_regular_reason(path)
    if reason is not None:
        raise InputError(path, reason)
    try:
        return read_named(path, columns)
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError, OSError, RecursionError,
            OverflowError, MemoryError) as exc:
        raise InputError(path, f"cannot be read under the column names given ({type(exc).__name__}: {exc})") from None


def load(path: str | os.PathLike, columns: str | list[str] | None = None) -> LoadResult:
    """Find and read every run at ``path``: a file, or a directory walked recursively.

    ``columns`` (``"epoch,loss"`` or a list; ``-`` skips a column) names the columns of a header-less
    table at ``path``, which must then be a file."""
    root = Path(path)
    if not root.exists():
        raise InputError(root, _MISSING)
    if columns is not None:
        try:
            names = parse_names(columns)
        except ValueError as exc:
            raise InputError(root, f"column names: {exc}") from None
        token = _safe.set_tree_root(root if root.is_dir() else root.resolve().parent)
        try:
            return LoadResult(runs=read_file(root, names))
        finally:
            _safe.reset_tree_root(token)
    # Nothing outside what the user named is read through a symlink (a named symlink is the tree).
    token = _safe.set_tree_root(root if root.is_dir() else root.resolve().parent)
    try:
        if not root.is_dir():
            return LoadResult(runs=read_file(root))
        result = LoadResult()
        _scan(root, result)
    finally:
        _safe.reset_tree_root(token)
    if not result.runs and not result.problems:
        raise InputError(root, "directory holds no training logs (expected files of: " + ", ".join(format_names()) + ")")
    return result


def _scan(directory: Path, result: LoadResult, claimed: tuple = ()) -> None:
    """Read every log under ``directory``. A folder reader (TensorBoard) reads its own files; the
    other logs beside them (a Lightning metrics.csv next to event files) are still read."""
    reader = reader_for(directory)
    owns = None
    if reader is not None and reader not in claimed:
        try:
            result.runs.extend(read_file(directory))
        except InputError as exc:
            result.problems.append(exc)
        owns = getattr(reader, "owns", None)
        if owns is None:
            return  # the reader took the whole folder (an MLflow store, a W&B run)
        claimed = claimed + (reader,)
    elif claimed:
        owns = getattr(claimed[-1], "owns", None)
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        result.problems.append(InputError(directory, f"cannot be listed ({exc.strerror or exc})"))
        return
    runs_before = len(result.runs)
    side: list[Path] = []
    for entry in entries:
        if entry.is_symlink() and not _safe.inside_tree(entry):
            result.skipped.append((str(entry), "symbolic link to outside the folder given (not followed)"))
            continue
        if entry.is_dir():
            if entry.name not in _SKIP_DIRS and not entry.is_symlink():
                _scan(entry, result, claimed)
            continue
        if owns is not None and owns(entry):
            continue  # already read by the folder's reader
        reason = _safe.not_regular_reason(entry)
        if reason is not None:
            result.skipped.append((str(entry), reason.removeprefix("is ")))
            continue
        try:
            file_reader, pickled = _claim(entry)
            if file_reader is None:
                # Checkpoints, images, configs are expected in run folders: listed, not warned about.
                if entry.name in _SIDE_FILES:
                    side.append(entry)
                elif pickled is not None:
                    result.skipped.append((str(entry), "a Python pickle (never unpickled)"))
                else:
                    result.skipped.append((str(entry), "not a training log"))
                continue
            if getattr(file_reader, "superseded", lambda _p: False)(entry):
                result.skipped.append((str(entry), "a copy of a log read elsewhere in this scan"))
                continue
            result.runs.extend(read_file(entry))
        except InputError as exc:
            result.problems.append(exc)
    if len(result.runs) == runs_before:  # no log here read its config beside it: say so
        result.skipped.extend((str(p), "not a training log") for p in side)
