"""Bytes of a console capture to clean text lines.

Why a module of its own: real captures are rarely clean UTF-8. PowerShell's ``>`` writes UTF-16
(sometimes without a byte-order mark); a ``nohup`` file truncated while the job kept writing
starts with a run of NUL bytes; progress bars redraw with ``\\r`` and backspaces and colour with
ANSI escapes. Each is undone here, and anything dropped is counted for a note.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")
_LINE_SPLIT = re.compile(r"[\r\n]+")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# How far a sniff looks past a NUL-filled prefix for the first text (holes of truncated files).
NUL_SCAN_BYTES = 16 * 1024 * 1024


def utf16_order(data: bytes) -> str | None:
    """"utf-16" (with BOM), "utf-16-le"/"-be" (no BOM, ASCII text with every other byte NUL), else None."""
    if data.startswith(_UTF16_BOMS):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def binary_share(data: bytes) -> float:
    """Share of control bytes (other than tab/newline/CR/ESC/backspace) in a sample: text is near 0."""
    if not data:
        return 0.0
    bad = sum(1 for b in data if b < 32 and b not in (9, 10, 13, 27, 8, 12))
    return bad / len(data)


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text of a capture plus notes on what was skipped (a NUL prefix, binary bytes)."""
    notes: list[str] = []
    order = utf16_order(data)
    if order is not None:
        data = data[: len(data) // 2 * 2]
        text = data.decode(order, errors="replace").lstrip("\ufeff")
        return text.replace("\x00", ""), notes
    nul = data.count(b"\x00")
    if nul:
        lead = len(data) - len(data.lstrip(b"\x00"))
        data = data.replace(b"\x00", b"")
        if lead:
            notes.append(f"skipped {lead} NUL byte(s) at the start (a truncated or pre-allocated capture)")
        if nul - lead:
            notes.append(f"skipped {nul - lead} NUL byte(s) inside the text")
    return data.decode("utf-8", errors="replace").lstrip("\ufeff"), notes


def clean_lines(text: str) -> list[str]:
    """Non-empty lines with colours and backspaces removed; ``\\r`` redraws become separate lines."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\x08" in text:
        text = text.replace("\x08", "")
    return [ln for ln in _LINE_SPLIT.split(text) if ln.strip()]


def read_lines(path: Path) -> tuple[list[str], list[str]]:
    """The clean lines of a file and the decoding notes."""
    notes: list[str] = []
    return list(iter_lines(path, notes)), notes


def iter_lines(path: Path, notes: list[str]) -> Iterator[str]:
    """The clean lines of a file, streamed (memory does not grow with the file); decoding notes are
    added to ``notes``. UTF-16 and NUL-prefixed captures are decoded whole (they are rare)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if utf16_order(head) is not None or b"\x00" in head:
        text, found = decode(path.read_bytes())
        notes.extend(found)
        yield from clean_lines(text)
        return
    nuls = 0
    with open(path, encoding="utf-8-sig", errors="replace") as fh:  # universal newlines: \r splits too
        for line in fh:
            if "\x1b" in line:
                line = _ANSI.sub("", line)
            if "\x08" in line:
                line = line.replace("\x08", "")
            if "\x00" in line:
                nuls += line.count("\x00")
                line = line.replace("\x00", "")
            line = line.rstrip("\n")
            if line.strip():
                yield line
    if nuls:
        notes.append(f"skipped {nuls} NUL byte(s) inside the text")


def sniff_text(path: Path, head: bytes, want: int) -> str | None:
    """Up to ``want`` bytes of text for sniffing, looking past a NUL-filled prefix; None for binary."""
    if utf16_order(head) is None and head and head.count(b"\x00") > len(head) // 2:
        head = _past_nuls(path, want)
        if head is None:
            return None
    elif len(head) < want:
        try:
            with open(path, "rb") as fh:
                head = fh.read(want)
        except OSError:
            return None
    if utf16_order(head) is None:
        body = head.replace(b"\x00", b"")
        if binary_share(body[:4096]) > 0.02:
            return None
        try:
            body[:-4].decode("utf-8")
        except UnicodeDecodeError:
            if binary_share(body[:4096]) > 0 or body.count(b"\xef\xbf\xbd") > 0:
                return None
        head = body
    return decode(head)[0]


def _past_nuls(path: Path, want: int) -> bytes | None:
    """The bytes after a run of NULs at the start of a file, within ``NUL_SCAN_BYTES``."""
    try:
        with open(path, "rb") as fh:
            scanned = 0
            while scanned < NUL_SCAN_BYTES:
                chunk = fh.read(1 << 20)
                if not chunk:
                    return None
                stripped = chunk.lstrip(b"\x00")
                scanned += len(chunk)
                if stripped:
                    return stripped + fh.read(max(0, want - len(stripped)))
    except OSError:
        return None
    return None
