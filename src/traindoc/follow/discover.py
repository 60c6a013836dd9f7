"""Finding the logs under the followed paths, again on every poll, cheaply.

The same decisions as ``readers.load`` (a folder a directory reader claims is one source; files are
sniffed by the registered readers; skip lists and ``superseded`` copies are honoured), but
remembered: a file is sniffed again only while it is shorter than the sniffing head and has grown
(a log just created may not show its format yet), so a poll over a known tree costs one ``stat``
per folder and file. Each source gets a stable key: a Hugging Face output folder is one source
whichever ``checkpoint-N/trainer_state.json`` is newest.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from ..readers import _SKIP_DIRS, READERS, _safe, reader_for
from ..readers.base import HEAD_BYTES
from .tail_events import OWN_FOLDER

_CHECKPOINT = re.compile(r"checkpoint-\d+")


@dataclass(frozen=True)
class Source:
    key: str
    reader: ModuleType
    path: Path


def source_key(reader: ModuleType, path: Path) -> str:
    """Stable identity of a log across polls."""
    if reader.NAME == "hf_trainer_state" and _CHECKPOINT.fullmatch(path.parent.name):
        return f"hf:{path.parent.parent}"
    if reader.NAME == "hf_trainer_state":
        return f"hf:{path.parent}"
    return str(path)


class Discovery:
    """Remembers what each file and folder was sniffed as."""

    def __init__(self) -> None:
        self._files: dict[Path, tuple[ModuleType | None, int]] = {}  # path -> (reader, size when sniffed)
        self._dirs: dict[Path, ModuleType] = {}  # folders a directory reader claimed
        self.problems: dict[Path, str] = {}

    def sources(self, roots: list[Path]) -> list[Source]:
        found: dict[str, Source] = {}
        for root in roots:
            if not root.exists():
                continue
            if root.is_file():
                reader = self._file_reader(root, explicit=True)
                if reader is not None:
                    found.setdefault(source_key(reader, root), Source(source_key(reader, root), reader, root))
                continue
            token = _safe.set_tree_root(root)
            try:
                self._walk(root, found)
            finally:
                _safe.reset_tree_root(token)
        return list(found.values())

    def _walk(self, directory: Path, found: dict[str, Source]) -> None:
        reader = self._dir_reader(directory)
        if reader is not None:
            key = str(directory)
            found.setdefault(key, Source(key, reader, directory))
            return
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink() and not _safe.inside_tree(path):
                    continue  # as readers.load: nothing outside the named tree is read through a link
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _SKIP_DIRS and entry.name != OWN_FOLDER:
                        self._walk(path, found)
                    continue
                if not entry.is_file():
                    continue
                size = entry.stat().st_size
            except OSError:
                continue
            reader = self._file_reader(path, size=size)
            if reader is None:
                continue
            if getattr(reader, "superseded", lambda _p: False)(path):
                continue
            key = source_key(reader, path)
            old = found.get(key)
            # Several checkpoint states of one output folder: the newest (highest N) is the source.
            if old is None or _checkpoint_n(path) > _checkpoint_n(old.path):
                found[key] = Source(key, reader, path)

    def _dir_reader(self, directory: Path) -> ModuleType | None:
        known = self._dirs.get(directory)
        if known is not None:
            return known
        try:
            reader = next((r for r in READERS if getattr(r, "DIRECTORY", False) and r.sniff(directory, b"")), None)
        except OSError:
            return None
        if reader is not None:
            self._dirs[directory] = reader
        return reader

    def _file_reader(self, path: Path, size: int | None = None, explicit: bool = False) -> ModuleType | None:
        if size is None:
            try:
                size = path.stat().st_size
            except OSError:
                return None
        known = self._files.get(path)
        # Sniffed on a full head, or unchanged since: the decision stands. A file sniffed while
        # shorter than the head is sniffed again as it grows (its format may only show later).
        if known is not None and (known[1] == size or known[1] >= HEAD_BYTES):
            return known[0]
        if size == 0:
            return None
        try:
            reader = reader_for(path)
        except InputError as exc:
            if explicit:
                self.problems[path] = exc.problem
            return None
        self._files[path] = (reader, size)
        return reader


def _checkpoint_n(path: Path) -> int:
    m = re.fullmatch(r"checkpoint-(\d+)", path.parent.name)
    return int(m.group(1)) if m else 1 << 62
