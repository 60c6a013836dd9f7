"""The record log inside a W&B ``.wandb`` file (LevelDB's log format with a W&B header).

Layout, as the W&B SDK writes it: a 7-byte header (``:W&B``, uint16 magic 0xBEE1, version
byte 0), then 32 KiB blocks (the header counts toward the first) of chunks, each with a
7-byte header: uint32 CRC-32 (zlib/IEEE, unmasked) over the type byte and the data, uint16
length, uint8 type (1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST). A block's tail shorter than a chunk
header is zero padding. A damaged or truncated tail ends the walk at the last whole record.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Iterator

HEADER = b":W&B"
HEADER_LEN = 7
_MAGIC = 0xBEE1
BLOCK = 32768
_CHUNK = struct.Struct("<IHB")
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


@dataclass
class LogStatus:
    records: int = 0
    problem: str | None = None
    offset: int = 0  # where the walk stopped

    def note(self, name: str) -> str | None:
        if self.problem is None:
            return None
        return f"{name}: {self.problem} at byte {self.offset}; kept the {self.records} record(s) before it"


def check_header(data: bytes) -> str | None:
    """None if ``data`` starts with a W&B log header, else what is wrong."""
    if len(data) < HEADER_LEN or data[:4] != HEADER:
        return "missing the ':W&B' header"
    magic, version = struct.unpack_from("<HB", data, 4)
    if magic != _MAGIC:
        return f"unexpected magic 0x{magic:04x}"
    if version != 0:
        return f"unsupported W&B log version {version}"
    return None


def iter_records(data: bytes, status: LogStatus) -> Iterator[bytes]:
    """Yield each whole record (reassembled from its chunks), verifying every checksum."""
    pos = HEADER_LEN
    end = len(data)
    pending: list[bytes] | None = None
    unpack = _CHUNK.unpack_from
    while pos < end:
        left = BLOCK - pos % BLOCK
        if left < _CHUNK.size:
            pos += left  # zero padding at the end of a block
            continue
        if pos + _CHUNK.size > end:
            status.problem = "file ends inside a chunk header (truncated)"
            break
        crc, length, kind = unpack(data, pos)
        start = pos + _CHUNK.size
        if start + length > end:
            status.problem = "file ends inside a record (truncated)"
            break
        if kind == 0 and length == 0 and crc == 0:
            # Pre-allocated zeros (a writer still running): nothing more has been written.
            pos = end
            break
        chunk = data[start:start + length]
        if zlib.crc32(chunk, zlib.crc32(bytes((kind,)))) != crc:
            status.problem = "checksum mismatch (corrupt record)"
            break
        if kind == FULL:
            pending = None
            status.records += 1
            yield chunk
        elif kind == FIRST:
            pending = [chunk]
        elif kind == MIDDLE and pending is not None:
            pending.append(chunk)
        elif kind == LAST and pending is not None:
            pending.append(chunk)
            status.records += 1
            yield b"".join(pending)
            pending = None
        else:
            status.problem = f"unexpected chunk type {kind}"
            break
        pos = start + length
    status.offset = pos
    if status.problem is None and pending is not None:
        status.problem = "file ends inside a multi-chunk record (truncated)"
