"""Following a text (console) log line by line: each poll parses only the bytes appended.

Why: the text reader learns line shapes as it goes (``readers.text.parser.LineParser``), and its
state after N lines is all it needs to take line N+1. So the parser is kept between polls and fed
only the complete lines past the cursor; runs are built from its state when the loop diagnoses
(``text_log.runs_of``), which gives what a one-shot ``read`` of the file up to that line gives.

Lines are cut as ``text.decode.iter_lines`` cuts them: at ``\\n`` or ``\\r`` (a progress bar's
redraw is a line), colours and backspaces removed, a UTF-8 byte-order mark dropped at the start,
NUL bytes dropped and counted, a line longer than ``LINE_LIMIT`` characters read only that far.
Bytes after the last line end are a line still being written and wait for the next poll (never
misread: ``0.09`` of a half-written ``0.0968``). A file rewritten, truncated or replaced (a
rotated log) is noticed by the cursor and read again from the start with a fresh parser.

Captures that the reader decodes whole (UTF-16, or NUL bytes in the first 64 KiB: a truncated
``nohup.out``) are rare and small; they are handed to the re-read-on-change tail instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..readers import _safe, text_log
from ..readers.text.decode import _ANSI, LINE_LIMIT, utf16_order
from ..readers.text.parser import LineParser
from ..run import Run
from .cursor import Cursor
from .tail_whole import WholeTail

_HEAD = 65536  # as iter_lines: a NUL or UTF-16 head means the file is decoded whole
_ENDS = re.compile(rb"[\r\n]")
_BOM = b"\xef\xbb\xbf"
# A line still being written is kept as bytes up to this size; past it, it is read cut (as the
# reader cuts an overlong line) and the rest of it skipped, so one endless line costs bounded memory.
_MAX_PARTIAL = 4 * LINE_LIMIT


class TextTail:
    """A text log parsed incrementally; see the module doc."""

    format = text_log.NAME

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.cursor = Cursor(self.path)
        self.whole: WholeTail | None = None
        self._reset()

    def _reset(self) -> None:
        self.parser = LineParser()
        self.nuls = 0
        self.skipping = False  # inside an overlong line, past the part that was read
        self.saturated = [0]
        self.head = b""

    # -------------------------------------------------------------- polling

    def poll(self) -> bool:
        if self.whole is not None:
            return self.whole.poll()
        if not self.cursor.changed():
            return False
        got = False
        while True:
            chunk = self.cursor.read()
            if chunk is None:
                break
            if chunk.reset:
                self._reset()
                got = True
            if self._needs_whole(chunk.data, chunk.start):
                self.whole = WholeTail(text_log, self.path)
                return self.whole.poll() or got
            try:
                used = self._take(chunk.data, chunk.start)
            except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
                # What the reader would report as unreadable: let it say so, through the whole-file tail.
                self.whole = WholeTail(text_log, self.path)
                return self.whole.poll() or got
            self.cursor.consume(chunk, used)
            got = got or used > 0
            if not chunk.more or not used:
                break
        return got

    def _needs_whole(self, data: bytes, start: int) -> bool:
        """Bytes the reader would not stream (see the module doc), looked for in the file's head."""
        if start >= _HEAD:
            return False
        have = len(self.head)
        if start <= have < _HEAD:
            self.head += data[have - start:_HEAD - start]
        return b"\x00" in self.head or utf16_order(self.head) is not None

    def _take(self, data: bytes, start: int) -> int:
        """Feed the complete lines of ``data``; how many bytes were consumed."""
        if start == 0 and data.startswith(_BOM):
            skip = len(_BOM)
        else:
            skip = 0
        last = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if last < skip:
            if self.skipping:
                return len(data)  # more of an overlong line that was already read as far as it is read
            if len(data) - skip < _MAX_PARTIAL:
                return skip  # a line still being written: wait for its end
            # An endless line: read its first LINE_LIMIT characters, skip the rest as it comes.
            if not self.skipping:
                self._feed_text(data[skip:].decode("utf-8", errors="replace")[:LINE_LIMIT])
                self.skipping = True
            return len(data)
        body = data[skip:last + 1]
        token = _safe._saturated.set(self.saturated)
        try:
            pos = 0
            if self.skipping:  # the rest of an overlong line ends here
                m = _ENDS.search(body)
                pos = m.end() if m else len(body)
                self.skipping = False
            for raw in _ENDS.split(body[pos:]):
                if raw:
                    self._feed_text(raw.decode("utf-8", errors="replace"))
        finally:
            _safe._saturated.reset(token)
        return last + 1

    def _feed_text(self, line: str) -> None:
        """One line as ``iter_lines`` yields it, into the parser."""
        if len(line) > LINE_LIMIT:
            line = line[:LINE_LIMIT]
        if "\x00" in line:
            self.nuls += line.count("\x00")
            line = line.replace("\x00", "")
        if "\x1b" in line:
            line = _ANSI.sub("", line)
        if "\x08" in line:
            line = line.replace("\x08", "")
        if line.strip():
            self.parser.feed(line)

    # -------------------------------------------------------------- the loop's questions

    def pending(self) -> int:
        if self.whole is not None:
            return self.whole.pending()
        return 0 if self.skipping else self.cursor.pending()

    def force(self) -> None:
        if self.whole is not None:
            self.whole.force()

    def runs(self) -> list[Run]:
        if self.whole is not None:
            return self.whole.runs()
        notes = [f"skipped {self.nuls} NUL byte(s) inside the text"] if self.nuls else []
        runs = text_log.runs_of(self.path, self.parser, notes)
        if self.saturated[0]:
            for run in runs:
                run.meta.notes.append(f"{self.saturated[0]} number(s) too large for a float were read as ±inf")
        return runs
