"""The contract every log reader follows.

A reader module defines ``NAME`` (the format name shown to users), ``sniff(path, head)``
(cheap: looks at the name and the first bytes only) and ``read(path) -> list[Run]``.
Readers that understand a whole directory (an MLflow store, a W&B run folder) set
``DIRECTORY = True`` and are offered directories; such a reader that also accepts a single
file (a lone event file, an ``mlflow.db``) sets ``FILES = True`` as well. ``read`` raises
``InputError`` for content it claims but cannot parse; it never unpickles or evaluates.

Optional: ``superseded(path) -> bool`` lets a directory scan skip a file that repeats a log read
elsewhere in the same scan (an older checkpoint's ``trainer_state.json``, MMEngine's
``vis_data/<timestamp>.json`` beside ``scalars.json``). Named explicitly, such a file is still read.
Optional: ``owns(path) -> bool`` for a directory reader that reads only some files of its folder
(TensorBoard: event files), so a scan still reads the other logs beside them; ``SIDE_FILES``
names config files a reader reads with its log (``hparams.yaml``), not listed as skipped.
Damaged input: parse JSON/YAML through ``_safe`` (depth, alias and size limits), open side files
only when ``_safe.is_regular`` says so, and keep the intact part of a damaged file with a note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..run import Run

HEAD_BYTES = 4096


class Reader(Protocol):
    NAME: str
    DIRECTORY: bool

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path) -> list[Run]: ...


def read_head(path: Path, n: int = HEAD_BYTES) -> bytes:
    """The first bytes of a file, for sniffing."""
    with open(path, "rb") as fh:
        return fh.read(n)
