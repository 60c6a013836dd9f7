"""A minimal protobuf wire-format decoder.

Readers of binary logs (TensorBoard events, W&B ``.wandb`` files, hparams plugin data) need
only a handful of fields from each message, and traindoc must read them without TensorFlow,
wandb or generated message classes. Decoding the wire format directly is small, fast and
keeps the field numbers (facts about the formats) next to the readers that use them.

Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit (3/4, the
deprecated groups, are treated as corrupt input).
"""

from __future__ import annotations

import struct
from typing import Iterator, Union

Buffer = Union[bytes, bytearray, memoryview]

_DOUBLE = struct.Struct("<d")
_FLOAT = struct.Struct("<f")


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(buf: Buffer, pos: int, end: int) -> tuple[int, int]:
    """Decode one base-128 varint at ``pos``; return (value, position after it)."""
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise WireError("varint runs past the end of the message")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint longer than 10 bytes")


def as_int64(value: int) -> int:
    """Reinterpret a decoded varint as a signed 64-bit integer (proto ``int64``)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def zigzag(value: int) -> int:
    """Decode a ``sint32``/``sint64`` zig-zag varint."""
    return (value >> 1) ^ -(value & 1)


def iter_fields(buf: Buffer, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, object]]:
    """Yield ``(field_number, wire_type, value)`` for each field of a message.

    ``value`` is an int for varints, raw little-endian ``bytes`` (8 or 4) for fixed fields,
    and a ``(start, end)`` span into ``buf`` for length-delimited fields, so nested
    messages are decoded without copying.
    """
    if end is None:
        end = len(buf)
    pos = start
    while pos < end:
        key, pos = read_varint(buf, pos, end)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise WireError("field number 0")
        if wire == 0:
            value, pos = read_varint(buf, pos, end)
            yield field, wire, value
        elif wire == 2:
            length, pos = read_varint(buf, pos, end)
            if pos + length > end:
                raise WireError("length-delimited field runs past the end of the message")
            yield field, wire, (pos, pos + length)
            pos += length
        elif wire == 1:
            if pos + 8 > end:
                raise WireError("fixed64 field runs past the end of the message")
            yield field, wire, bytes(buf[pos:pos + 8])
            pos += 8
        elif wire == 5:
            if pos + 4 > end:
                raise WireError("fixed32 field runs past the end of the message")
            yield field, wire, bytes(buf[pos:pos + 4])
            pos += 4
        else:
            raise WireError(f"unsupported wire type {wire}")


def fixed64_double(raw: bytes) -> float:
    return _DOUBLE.unpack(raw)[0]


def fixed32_float(raw: bytes) -> float:
    return _FLOAT.unpack(raw)[0]


def text(buf: Buffer, span: tuple[int, int]) -> str:
    """A length-delimited field as UTF-8 text (undecodable bytes replaced, never fatal)."""
    return bytes(buf[span[0]:span[1]]).decode("utf-8", "replace")
