"""Following logs that can only be read whole: re-read on change, never faster than the CPU budget.

Some logs are rewritten rather than appended (``trainer_state.json`` at each save, a Keras History
JSON), some are binary stores with their own framing (an MLflow SQLite store, a W&B run), and text
logs need the whole file for the text reader to learn its line shapes. These are re-read by the
readers themselves when a ``stat`` says they changed, at most once per ``cost / DUTY`` seconds so a
large log costs a bounded share of one core.

Torn writes: a document read while half written fails to parse and the last good reading is kept.
A line-based file whose last line is still being written is read from a snapshot of its complete
lines (its siblings linked beside it, so readers that look next to the log still find them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from ..readers import read_file
from ..run import Run

DUTY = 0.05  # share of one core a re-read log may take
_LINE_FORMATS = {"text_log", "generic_table", "detectron2", "mmengine", "ultralytics", "traindoc-watch",
                 "lightning_csv", "keras_csv", "value_list"}
_MAX_SIBLINGS = 200


def signature(path: Path) -> tuple:
    """What a ``stat`` can tell about a file, or about the files of a folder (two levels deep)."""
    try:
        st = os.stat(path)
    except OSError:
        return ()
    if not path.is_dir():
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    out = []
    for root, dirs, files in os.walk(path):
        depth = Path(root).relative_to(path).parts
        if len(depth) >= 2:
            dirs[:] = []
        for name in files:
            try:
                s = os.stat(os.path.join(root, name))
            except OSError:
                continue
            out.append((root, name, s.st_size, s.st_mtime_ns))
    return tuple(sorted(out))


class WholeTail:
    """A log re-read by its reader whenever it changed, within the CPU budget."""

    def __init__(self, reader: ModuleType, path: Path) -> None:
        self.reader = reader
        self.format = reader.NAME
        self.path = Path(path)
        self._sig: tuple = ()
        self._runs: list[Run] = []
        self._next = 0.0
        self.cost = 0.0
        self.problem: str | None = None

    def poll(self) -> bool:
        sig = signature(self.path)
        if sig == self._sig or time.monotonic() < self._next:
            return False
        t0 = time.monotonic()
        try:
            runs = self._read()
        except InputError as exc:
            # Half written, or not yet holding a curve: keep what was read before, try again later.
            self.problem = exc.problem
            self._sig = sig
            self._wait(t0)
            return False
        if self._runs and any(r.meta.salvaged for r in runs):
            # A document caught mid-rewrite (the Trainer rewrites trainer_state.json at every save): its
            # intact fragment would replace the complete reading already held. Keep that; read again when
            # the file next changes.
            self.problem = "the file does not parse (being rewritten?): kept the last complete reading"
            self._sig = sig
            self._wait(t0)
            return False
        self.problem = None
        self._sig = sig
        self._runs = runs
        self._wait(t0)
        return True

    def _wait(self, t0: float) -> None:
        self.cost = time.monotonic() - t0
        self._next = time.monotonic() + self.cost * (1 / DUTY - 1)

    def pending(self) -> int:
        return 0

    def force(self) -> None:
        """Read on the next poll if anything changed, whatever the budget (the final summary)."""
        self._next = 0.0

    def runs(self) -> list[Run]:
        return self._runs

    def _read(self) -> list[Run]:
        if self.format in _LINE_FORMATS and self.path.is_file():
            cut = _complete_prefix(self.path)
            if cut is not None:
                return _read_snapshot(self.path, cut)
        return read_file(self.path)


def _complete_prefix(path: Path) -> int | None:
    """Length of the complete lines when the file ends inside a line; None when it ends cleanly."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            if size == 0:
                return None
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return None
            pos = size
            while pos > 0:
                step = min(65536, pos)
                fh.seek(pos - step)
                block = fh.read(step)
                nl = block.rfind(b"\n")
                if nl >= 0:
                    return pos - step + nl + 1
                pos -= step
            return 0
    except OSError:
        return None


def _read_snapshot(path: Path, cut: int) -> list[Run]:
    """Read the first ``cut`` bytes of ``path`` as if they were the whole file, then name it back."""
    if cut == 0:
        raise InputError(path, "its first line is still being written")
    tmp = Path(tempfile.mkdtemp(prefix="traindoc-follow-"))
    try:
        copy = tmp / path.name
        with open(path, "rb") as src, open(copy, "wb") as dst:
            remaining = cut
            while remaining:
                block = src.read(min(remaining, 1 << 20))
                if not block:
                    break
                dst.write(block)
                remaining -= len(block)
        try:
            siblings = [p for p in path.parent.iterdir() if p.name != path.name]
        except OSError:
            siblings = []
        if len(siblings) <= _MAX_SIBLINGS:
            for sib in siblings:
                try:
                    (tmp / sib.name).symlink_to(sib.resolve())
                except OSError:
                    pass
        runs = read_file(copy)
        for run in runs:
            run.source = run.source.replace(str(copy), str(path))
            run.name = run.name.replace(tmp.name, path.parent.name)
            run.meta.notes.append("its last line was still being written: read up to the line before it")
        return runs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
