"""A read position in a growing file: stat-based change detection and rewrite detection.

Why: following must cost O(new data) per poll. A ``stat`` says whether anything changed; only the
bytes past the last consumed offset are read. A file rewritten in place (Lightning rewrites
``metrics.csv`` when a new metric appears), truncated, or replaced by a new file (an atomic
rename) is noticed, so the caller starts over instead of misreading: the inode, the size, and the
few bytes just before the offset (the "anchor") must all still match.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ANCHOR = 64
MAX_READ = 16 << 20  # bytes per read; a longer backlog is read in several (bounded memory)


@dataclass
class Chunk:
    """New bytes from ``start``; ``reset`` means the file was rewritten and reading starts over."""

    data: bytes
    start: int
    reset: bool
    more: bool  # more new bytes wait past this chunk


class Cursor:
    """Where reading of one file got to; the caller says how much of each chunk it consumed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.offset = 0
        self._anchor = b""
        self._ident: tuple[int, int] | None = None
        self._seen: tuple[int, int, int] | None = None  # (ino, size, mtime_ns) at the last read

    def stat(self) -> os.stat_result | None:
        try:
            return os.stat(self.path)
        except OSError:
            return None

    def changed(self) -> bool:
        """Cheap: did the file change since the last read (or vanish)?"""
        st = self.stat()
        if st is None:
            return self._seen is not None
        return (st.st_ino, st.st_size, st.st_mtime_ns) != self._seen

    def read(self, max_bytes: int = MAX_READ) -> Chunk | None:
        """The bytes past the offset (None if the file is gone or unreadable)."""
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                reset = self._rewritten(fh, st)
                if reset:
                    self.offset = 0
                    self._anchor = b""
                self._ident = (st.st_dev, st.st_ino)
                self._seen = (st.st_ino, st.st_size, st.st_mtime_ns)
                fh.seek(self.offset)
                data = fh.read(max_bytes)
        except OSError:
            return None
        return Chunk(data, self.offset, reset, self.offset + len(data) < st.st_size)

    def _rewritten(self, fh, st: os.stat_result) -> bool:
        if self._ident is None:
            return False
        if (st.st_dev, st.st_ino) != self._ident or st.st_size < self.offset:
            return True
        if self._anchor:
            fh.seek(self.offset - len(self._anchor))
            if fh.read(len(self._anchor)) != self._anchor:
                return True
        return False

    def consume(self, chunk: Chunk, n: int) -> None:
        """Advance past the first ``n`` bytes of ``chunk`` (complete records or lines only)."""
        if n <= 0:
            return
        self.offset = chunk.start + n
        self._anchor = (self._anchor + chunk.data[:n])[-ANCHOR:]

    def pending(self) -> int:
        """Bytes the file holds past the offset (a torn record waiting to be completed)."""
        st = self.stat()
        return max(0, st.st_size - self.offset) if st is not None else 0
