"""Following TensorBoard event files record by record.

Each poll frames only the bytes written since the last one into TFRecord records, checks both
checksums, and decodes the complete records with the TensorBoard reader's own decoder. A record
still being written (its length says more bytes are coming) is left for the next poll, so a torn
write is never decoded. A record whose bytes are all there but whose checksum is wrong is given a
few polls (a network file system may show the size before the data) and then reported as damage;
reading of that file stops there, as the reader does.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np

from ..readers import tensorboard as tb
from ..readers._hparams import apply_hparams, load_yaml_hparams
from ..readers._tfrecord import MAX_RECORD, masked_crc
from ..run import Run, Series
from .columns import Column
from .cursor import Cursor

_HEADER = struct.Struct("<QI")
_U32 = struct.Struct("<I")
# Folder traindoc writes its own findings into (see traindoc.publish.tensorboard): never followed.
OWN_FOLDER = "traindoc"
_PATIENCE = 3  # polls a complete-looking but failing record is waited for before it counts as damage


def frame(buf: bytes) -> tuple[list[int], list[int], int, str | None]:
    """``(data_starts, data_ends, consumed, problem)`` of the complete, verified records in ``buf``.

    ``consumed`` stops before the first record that is incomplete (wait for it) or fails a
    checksum (``problem`` says which).
    """
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    end = len(buf)
    known: dict[bytes, int] = {}
    view = memoryview(buf)
    try:
        while pos + 12 <= end:
            header = buf[pos:pos + 12]
            length = known.get(header)
            if length is None:
                length, length_crc = _HEADER.unpack(header)
                if masked_crc(header[:8]) != length_crc:
                    return starts, ends, pos, "length checksum mismatch (corrupt record header)"
                if length > MAX_RECORD:
                    return starts, ends, pos, f"implausible record length {length}"
                if len(known) < 1024:
                    known[header] = length
            stop = pos + 12 + length
            if stop + 4 > end:
                break  # still being written
            if masked_crc(view[pos + 12:stop]) != _U32.unpack_from(buf, stop)[0]:
                return starts, ends, pos, "data checksum mismatch (corrupt record)"
            starts.append(pos + 12)
            ends.append(stop)
            pos = stop + 4
    finally:
        view.release()
    return starts, ends, pos, None


class EventFile:
    """The scalar points of one growing event file, by tag, in file order."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.cursor = Cursor(self.path)
        self._clear()

    def _clear(self) -> None:
        self.tags: dict[str, Column] = {}
        self.plugin: dict[bytes, bytes] = {}
        self.hparams: dict = {}
        self.first_step = math.nan
        self.max_step = -math.inf
        self.first_wall = math.nan
        self.records = 0
        self.problem: str | None = None
        self._failing = 0

    def poll(self) -> bool:
        """Read and decode what was appended; True when new points arrived."""
        if self.problem is not None or (not self._failing and not self.cursor.changed()):
            return False
        got = False
        while True:
            chunk = self.cursor.read()
            if chunk is None:
                return got
            if chunk.reset:
                self._clear()
                got = True
            starts, ends, used, problem = frame(chunk.data)
            if starts:
                got = self._decode(chunk.data, starts, ends) or got
            self.cursor.consume(chunk, used)
            if problem is not None:
                self._failing += 1
                if self._failing >= _PATIENCE:
                    self.problem = f"{problem} at byte {self.cursor.offset}; reading of this file stopped there"
                return got
            self._failing = 0
            if not chunk.more or not used:
                return got

    def _decode(self, buf: bytes, starts: list[int], ends: list[int]) -> bool:
        acc = tb._Accumulator()
        acc.plugin = self.plugin  # TF2 writes a tag's plugin metadata once, in its first record
        tb._decode_events(buf, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64), acc)
        self.records += len(starts)
        if math.isnan(self.first_wall):
            self.first_wall = acc.first_wall
        if math.isnan(self.first_step):
            self.first_step = acc.first_step
        if acc.max_step > self.max_step:
            self.max_step = acc.max_step
        self.hparams.update(acc.hparams)
        series = acc.series()
        for tag, (steps, values, walls) in series.items():
            col = self.tags.get(tag)
            if col is None:
                col = self.tags[tag] = Column()
            col.extend(steps, values, walls)
        return bool(series)


class TensorBoardTail:
    """One TensorBoard run (a run folder, or one event file), grouped as the reader groups it."""

    format = tb.NAME

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.files: dict[Path, tuple[str, EventFile]] = {}

    def _discover(self) -> None:
        if self.path.is_file():
            if self.path not in self.files:
                self.files[self.path] = ("", EventFile(self.path))
            return
        present = set()
        for prefix, folder in tb._folders_with_events(self.path):
            if prefix.split("/", 1)[0] == OWN_FOLDER:
                continue
            for f in tb._event_files(folder):
                present.add(f)
                if f not in self.files:
                    self.files[f] = (prefix, EventFile(f))
        for gone in set(self.files) - present:  # deleted (a run restarted into a clean folder)
            del self.files[gone]

    def poll(self) -> bool:
        self._discover()
        changed = False
        for _prefix, ef in self.files.values():
            changed = ef.poll() or changed
        return changed

    def pending(self) -> int:
        return sum(ef.cursor.pending() for _p, ef in self.files.values())

    def runs(self) -> list[Run]:
        name = (self.path.resolve().parent.name or self.path.name) if self.path.is_file() else (
            self.path.resolve().name or str(self.path))
        run = Run(name=name, source=str(self.path), format=tb.NAME)
        merged: dict[str, list[Series]] = {}
        by_prefix: dict[str, list[EventFile]] = {}
        for prefix, ef in self.files.values():
            by_prefix.setdefault(prefix, []).append(ef)
        for prefix, files in sorted(by_prefix.items()):
            files.sort(key=lambda f: (math.inf if math.isnan(f.first_wall) else f.first_wall, f.path.name))
            top = -math.inf
            for ef in files:
                if ef.problem:
                    run.meta.notes.append(f"{ef.path.name}: {ef.problem}")
                apply_hparams(run.meta, ef.hparams)
                if not ef.tags:
                    continue
                if math.isfinite(top) and ef.first_step <= top:
                    run.meta.resume_steps.append(ef.first_step)
                    run.meta.notes.append(f"{ef.path.name} restarts at step {ef.first_step:g} (earlier file reached "
                                          f"{top:g}): read as a resume; all points kept in time order")
                top = max(top, ef.max_step)
                for tag, col in ef.tags.items():
                    sname = tb._series_name(prefix, tag)
                    merged.setdefault(sname, []).append(col.series(sname, axis=tb._axis(sname)))
        for sname, parts in merged.items():
            if len(parts) == 1:
                run.add(parts[0])
                continue
            walls = [p.wall_time if p.wall_time is not None else np.full(len(p), np.nan) for p in parts]
            wall = np.concatenate(walls)
            run.add(Series.named(sname, np.concatenate([p.steps for p in parts]),
                                 np.concatenate([p.values for p in parts]),
                                 None if np.all(np.isnan(wall)) else wall, axis=tb._axis(sname)))
        run.meta.resume_steps.sort()
        hp_dir = self.path if self.path.is_dir() else self.path.parent
        apply_hparams(run.meta, load_yaml_hparams(hp_dir / "hparams.yaml", run.meta.notes))
        return [run] if run.series else []
