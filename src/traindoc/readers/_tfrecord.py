"""TFRecord framing, the container of TensorBoard event files.

Each record is: uint64 little-endian length, uint32 masked crc32c of those 8 bytes, the
data, uint32 masked crc32c of the data. Files are read in chunks so memory stays bounded
by the chunk size plus what the caller keeps. A corrupt record in the middle is skipped by
scanning forward to the next offset where a whole record checks (length checksum and data
checksum), so one bad sector does not lose everything after it; the bytes skipped are
reported. A truncated tail stops the walk at the last good record and is reported, never
raised (a live run's file often ends mid-record).
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import crc32c
import numpy as np

CHUNK = 1 << 20
_HEADER = struct.Struct("<QI")
_U32 = struct.Struct("<I")
# A record longer than this is taken as a corrupt length field, not an allocation request.
MAX_RECORD = 1 << 30


def masked_crc(data) -> int:
    """The TFRecord checksum: crc32c rotated right by 15 bits plus a constant."""
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


@dataclass
class FramingStatus:
    """How a walk over a file ended: cleanly, or where and why it stopped early."""

    records: int = 0
    bytes_read: int = 0  # offset just past the last good record
    file_size: int = 0
    problem: str | None = None  # None when the file ended exactly at a record boundary
    skipped: list[tuple[int, int, str]] = field(default_factory=list)  # (offset, bytes, why) resynced over

    def skipped_note(self, name: str) -> str | None:
        """The damaged regions skipped in the middle of the file, or None."""
        if not self.skipped:
            return None
        total = sum(n for _, n, _ in self.skipped)
        off, _, why = self.skipped[0]
        return (f"{name}: skipped {len(self.skipped)} damaged region(s), {total} byte(s) in all (first at byte "
                f"{off}: {why}); the records after each were read")

    def note(self, name: str) -> str | None:
        if self.problem is None:
            return None
        lost = self.file_size - self.bytes_read
        return (f"{name}: {self.problem} at byte {self.bytes_read}; kept the {self.records} record(s) before it, "
                f"ignored the last {lost} byte(s)")


def _gather(data: np.ndarray, offsets: np.ndarray, width: int, dtype: str) -> np.ndarray:
    """Little-endian numbers of ``width`` bytes read at each offset, in one vector operation."""
    return np.ascontiguousarray(data[offsets[:, None] + np.arange(width)]).view(dtype).ravel()


def iter_chunks(path: Path, status: FramingStatus) -> Iterator[tuple[bytes, np.ndarray, np.ndarray]]:
    """Yield ``(buffer, data_starts, data_ends)`` for the good records of each chunk.

    The walk from record to record is inherently sequential, so the Python loop does only
    that and computes each record's crc32c; comparing the checksums is done for the whole
    chunk at once with numpy. Identical length headers (the common case) are verified once
    and remembered. Both checksums of every record are checked.
    """
    good_headers: dict[bytes, int] = {}  # verified 12-byte header -> whole record size
    unpack_header = _HEADER.unpack_from
    crc = crc32c.crc32c
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        status.file_size = fh.tell()
        fh.seek(0)
        carry = b""
        offset = 0  # file offset of buf[0]
        want = CHUNK
        eof = False
        while not eof:
            block = fh.read(want)
            eof = len(block) < want
            buf = carry + block if carry else block
            view = memoryview(buf)
            end = len(buf)
            want = CHUNK
            starts: list[int] = []  # offset of each whole record's header in ``buf``
            starts_append = starts.append
            pos = 0
            while pos + 12 <= end:
                header = buf[pos:pos + 12]
                size = good_headers.get(header)  # whole record: header, data, data checksum
                if size is None:
                    length, length_crc = unpack_header(header)
                    if masked_crc(header[:8]) != length_crc:
                        status.problem = "length checksum mismatch (corrupt record header)"
                        break
                    if length > MAX_RECORD:
                        status.problem = f"implausible record length {length}"
                        break
                    size = length + 16
                    if len(good_headers) < 4096:
                        good_headers[header] = size
                if pos + size > end:
                    # The record continues in the next chunk (or the file is truncated): read
                    # at least enough to finish it, so one huge record is not re-copied per chunk.
                    want = max(CHUNK, pos + size - end)
                    break
                starts_append(pos)
                pos += size
            # Each record's data runs from its start + 12 to the next record's start - 4.
            crcs = array("I", [crc(view[a + 12:b - 4]) for a, b in zip(starts, starts[1:] + [pos])])
            view.release()
            if starts:
                data = np.frombuffer(buf, dtype=np.uint8)
                s = np.asarray(starts, dtype=np.int64) + 12
                e = s + _gather(data, s - 12, 8, "<u8").astype(np.int64)
                c = np.frombuffer(crcs, dtype=np.uint32 if crcs.itemsize == 4 else np.uint64).astype(np.uint64)
                masked = (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF
                bad = np.flatnonzero(masked != _gather(data, e, 4, "<u4"))
                if bad.size:
                    k = int(bad[0])
                    s, e = s[:k], e[:k]
                    pos = int(e[-1]) + 4 if k else 0
                    status.problem = "data checksum mismatch (corrupt record)"
                status.records += len(s)
                status.bytes_read = offset + pos
                if len(s):
                    yield buf, s, e
            else:
                status.bytes_read = offset + pos
            if status.problem is not None:
                bad_at = offset + pos
                nxt = resync(fh, bad_at + 1, status.file_size)
                if nxt is None:
                    return  # nothing checks after it: the tail is lost, and the note says how much
                status.skipped.append((bad_at, nxt - bad_at, status.problem))
                status.problem = None
                fh.seek(nxt)
                offset, carry, eof, want = nxt, b"", False, CHUNK
                continue
            carry = buf[pos:]
            offset += pos
        if carry:
            status.problem = "file ends inside a record (truncated)"


_WINDOW = 1 << 20


def resync(fh, start: int, file_size: int) -> int | None:
    """The offset of the next whole, checksum-valid record at or after ``start``; None if none.

    Candidates are offsets whose length field's upper four bytes are zero (records under 4 GiB)
    and whose length fits the file; only those have their checksums computed. Memory stays bounded
    by one window plus the record being checked.
    """
    pos = start
    while pos + 16 <= file_size:
        fh.seek(pos)
        buf = fh.read(_WINDOW + 16)
        if len(buf) < 16:
            return None
        arr = np.frombuffer(buf, dtype=np.uint8)
        n = len(buf) - 15  # offsets with a whole header in this window
        zero = arr == 0
        cand = np.flatnonzero(zero[4:n + 4] & zero[5:n + 5] & zero[6:n + 6] & zero[7:n + 7])
        for o in cand.tolist():
            header = buf[o:o + 12]
            length, length_crc = _HEADER.unpack(header)
            at = pos + o
            if length > MAX_RECORD or at + 16 + length > file_size or masked_crc(header[:8]) != length_crc:
                continue
            if o + 16 + length <= len(buf):
                data, tail = buf[o + 12:o + 12 + length], buf[o + 12 + length:o + 16 + length]
            else:
                fh.seek(at + 12)
                data = fh.read(length)
                tail = fh.read(4)
            if len(tail) == 4 and masked_crc(data) == _U32.unpack(tail)[0]:
                return at
        pos += n
    return None
