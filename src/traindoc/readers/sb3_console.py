"""Stable-Baselines3's console tables (its ``HumanOutputFormat``, what ``verbose=1`` prints and a
``> train.log`` keeps): one box per dump, framed by dash lines, a ``| rollout/ |`` group line over its
indented ``|    ep_rew_mean | 0.016 |`` rows.

Each box is one record; its keys are named ``group/key`` as SB3's CSV and TensorBoard outputs name them
(``rollout/ep_rew_mean``, ``train/value_loss``), so the rules read the same names whichever output was
kept. The x is ``time/total_timesteps`` (environment steps); an evaluation box shares it with the
rollout box of that moment. A file that starts inside a box (the tail of a longer log) loses the rows
before its first frame line: their group is not known; a note says so. Text between boxes
(``Eval num_timesteps=...``) is skipped.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..errors import InputError
from ..run import Run
from . import _table as T

NAME = "sb3_console"
DIRECTORY = False
MIN_ROWS = 3  # value rows under a group line in the head before the file is claimed

_FRAME = re.compile(r"^-{8,}\s*$")
_GROUP = re.compile(r"^\|\s([\w.\- ]+)/\s*\|\s*\|\s*$")
_ROW = re.compile(r"^\|\s{2,}(\S[^|]*?)\s*\|\s*(\S[^|]*?)\s*\|\s*$")
_X = "time/total_timesteps"


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    if text is None:
        return False
    lines = text.splitlines()
    groups = sum(bool(_GROUP.match(ln)) for ln in lines)
    rows = sum(bool((m := _ROW.match(ln)) and T.parse_number(m.group(2)) is not None) for ln in lines)
    return groups >= 1 and rows >= MIN_ROWS and any(_FRAME.match(ln) for ln in lines)


def _records(lines: list[str]) -> tuple[list[dict[str, float]], int]:
    """The boxes as ``{group/key: value}``, and how many value rows came before the first frame line."""
    records: list[dict[str, float]] = []
    current: dict[str, float] = {}
    group: str | None = None
    framed, orphan = False, 0
    for line in lines:
        if _FRAME.match(line):
            if current:
                records.append(current)
            current, group, framed = {}, None, True
            continue
        m = _GROUP.match(line)
        if m:
            group = m.group(1).strip()
            continue
        m = _ROW.match(line)
        if m is None:
            continue
        if not framed:
            orphan += 1
            continue
        value = T.parse_number(m.group(2))
        if value is not None:
            current[f"{group}/{m.group(1).strip()}" if group else m.group(1).strip()] = value
    if current:
        records.append(current)
    return records, orphan


def read(path: Path) -> list[Run]:
    records, orphan = _records(T.read_text(path).splitlines())
    if not records:
        raise InputError(path, "holds no Stable-Baselines3 table (expected boxes of '| key | value |' rows)")
    stream = [(r.get(_X) if r.get(_X) is not None and math.isfinite(r[_X]) else None, r) for r in records]
    attempts = T.stitch_resumes(stream, kind=lambda r: "eval" if any(k.startswith("eval/") for k in r) else "train")
    runs = []
    for att in attempts:
        run = Run(name=T.run_name(path), source=str(path), format=NAME)
        cols = T.pivot_records(att.records, skip=(_X,), carry_x=True)
        T.add_column_series(run, cols, axis="step")
        run.meta.notes.append(f"{len(att.records)} console table(s); {_X} (environment steps) is the x axis")
        if orphan:
            run.meta.notes.append(f"the file starts inside a table: its first {orphan} row(s), whose group is not "
                                  "known, are skipped")
        T.resume_notes(run, att)
        if run.series:
            runs.append(run)
    return T.segment_runs(path, NAME, runs, [a.start_row + 1 for a in attempts[1:]], unit="table")
