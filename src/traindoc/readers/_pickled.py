"""A Python pickle (``pickle.dump(history, f)``, ``torch.save`` of a list): refused, never unpickled.

Scripts often keep a training history with ``pickle.dump`` under any name (``training_history.txt``,
``losses.pkl``, ``history``). Its numbers are in the file, but loading a pickle runs whatever the
file tells the unpickler to import and call, so traindoc never loads one. What it can do without
that is tell the user what the file is and how to export it: the opcodes are decoded with
``pickletools.genops``, which only parses them (no import, no call, no object built), and the
refusal says the protocol, how many numbers it holds, and the one-line export that makes it
readable. A pickle is claimed by no reader, so a text pickle (protocol 0: ``(lp0``, ``aF0.12``
lines) is never read as a console log either.
"""

from __future__ import annotations

import io
import pickletools
from pathlib import Path

from .base import HEAD_BYTES, read_head

_MAX_BYTES = 16 << 20  # decoded whole up to this size; past it the head decides
_MIN_OPS = 4  # opcodes a pickle must decode to before its head is taken for one
_FIRST = frozenset(b"\x80(]})lcdNIFLSV")  # opcodes a pickle of data opens with (PROTO, MARK, empty containers…)
_OBJECTS = frozenset({"GLOBAL", "STACK_GLOBAL", "INST", "OBJ"})  # an object rebuilt by its class's name
_NUMBERS = frozenset({"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT"})


def _ops(data: bytes) -> tuple[int, int, int, int | None]:
    """(opcodes decoded, numbers among them, highest protocol they need, the offset just past the STOP
    that ended them or None)."""
    n = numbers = proto = 0
    try:
        for op, arg, pos in pickletools.genops(io.BytesIO(data)):
            n += 1
            proto = max(proto, op.proto)
            numbers += op.name in _NUMBERS and not isinstance(arg, bool)  # protocol 0 writes True as "I01"
            if op.name in _OBJECTS:
                numbers = -(1 << 40)  # numbers inside objects (a NumPy array's bytes) are not counted
            if op.name == "STOP":
                return n, numbers, proto, pos + 1
    except (ValueError, EOFError, UnicodeDecodeError, OverflowError, IndexError, KeyError, TypeError):
        pass
    return n, numbers, proto, None


def _whole(data: bytes) -> tuple[int, int] | None:
    """(protocol, numbers) of bytes that are one pickle from the first byte to its STOP (trailing white
    space allowed: text that happens to open like a pickle goes on after it), else None."""
    n, numbers, proto, end = _ops(data)
    if end is None or n < _MIN_OPS or data[end:].strip():
        return None
    return proto, numbers


def _opens_like_one(head: bytes) -> bool:
    """Cheap: the head's first byte is an opcode a data pickle opens with, and it decodes to several
    opcodes before the head ends (or to a whole pickle)."""
    if len(head) < 4 or head[0] not in _FIRST:
        return False
    if head[0] == 0x80 and head[1] not in range(2, 6):
        return False
    n, _, _, end = _ops(head)
    return n >= _MIN_OPS or end is not None


def pickle_facts(path: Path, head: bytes | None = None) -> tuple[int, int | None] | None:
    """(protocol, numbers held: None when the file is too big to count, below 0 when objects are rebuilt) of a file that is a Python
    pickle, else None. Decodes opcodes only: nothing is unpickled."""
    try:
        if head is None:
            head = read_head(path, HEAD_BYTES)
        if not _opens_like_one(head):
            return None
        size = path.stat().st_size
        if size > _MAX_BYTES:
            n, _, proto, _ = _ops(head)
            return (proto, None) if n >= 16 else None
        with open(path, "rb") as fh:
            data = fh.read(_MAX_BYTES)
    except OSError:
        return None
    found = _whole(data)
    return None if found is None else (found[0], found[1])


def pickle_refusal(facts: tuple[int, int | None]) -> str:
    """The one-line refusal of a pickle whose ``pickle_facts`` are ``facts`` (what it is, that it is not
    unpickled, how to export it)."""
    proto, numbers = facts
    kind = "text" if proto == 0 else "binary"
    held = f"; it holds {numbers:,} numbers" if numbers and numbers > 0 else (
        "; it holds Python objects rebuilt by class name" if numbers is not None and numbers < 0 else "")
    return (f"is a Python pickle (protocol {proto}, {kind}{held}): traindoc never unpickles a file, since "
            "unpickling runs code the file can name; load it where you trust it and save the history as JSON or CSV "
            "(json.dump(history, open('history.json', 'w')), or numpy.savetxt('loss.txt', losses)), then read that")
