"""Shared by the generator tests (``_headerless_families``, ``_pyliteral_families``, ``_pickle_families``):
a generated case written where a script would leave it, and read as the user would (runs, or the refusal)."""

from __future__ import annotations

from pathlib import Path

from traindoc.errors import InputError
from traindoc.readers import load


def written(tmp_path: Path, seed: int, name: str, data: str | bytes) -> Path:
    """``data`` under ``name`` in a folder of its own for this seed."""
    path = tmp_path / str(seed) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def read(path: Path) -> tuple[list, str | None]:
    """(runs, None) when the file is read, ([], the one-line refusal) when it is refused."""
    try:
        return load(path).runs, None
    except InputError as exc:
        return [], str(exc)


def generated(tmp_path: Path, make, seeds):
    """``(seed, case, runs, refusal)`` for each seed's generated case (``make(seed)`` with ``name`` and
    ``text``), written under its name and read (``read``)."""
    for seed in seeds:
        case = make(seed)
        runs, refused = read(written(tmp_path, seed, case.name, case.text))
        yield seed, case, runs, refused
