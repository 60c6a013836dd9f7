"""Stable-Baselines3's ``monitor.csv`` (its ``Monitor`` wrapper and ``ResultsWriter``; gym's older
monitor wrote the same layout): a ``#{"t_start": ..., "env_id": ...}`` line, then a CSV of one row per
finished episode with ``r`` (the episode's return), ``l`` (its length in environment steps) and ``t``
(seconds since ``t_start``), plus any ``info_keywords`` the user asked for.

The one-letter columns name nothing a rule could read, so they are given the names SB3 itself uses
when it logs the same numbers (``episode_reward``, ``episode_length``); extra columns keep their own
names. The x axis is the environment step at each episode's end (the running sum of ``l``), the axis
SB3's other outputs use, so a monitor file and a ``progress.csv`` of the same run line up. The header
line is parsed as JSON data only.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from ..errors import InputError
from ..run import Run
from . import _table as T

NAME = "sb3_monitor"
DIRECTORY = False

_HEADER_LINE = re.compile(r"^#\s*(\{.*\})\s*$")
_COLUMNS = ("r", "l", "t")
_NAMES = {"r": "episode_reward", "l": "episode_length"}


def _split_head(text: str) -> tuple[dict, list[str]] | None:
    """The JSON header and the column names, when the text starts like a monitor file."""
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    m = _HEADER_LINE.match(lines[0])
    if m is None:
        return None
    try:
        header = json.loads(m.group(1))
    except ValueError:
        return None
    columns = [c.strip() for c in lines[1].split(",")]
    if not isinstance(header, dict) or "t_start" not in header or tuple(columns[:3]) != _COLUMNS:
        return None
    return header, columns


def sniff(path: Path, head: bytes) -> bool:
    text = T.head_text(head)
    return text is not None and _split_head(text) is not None


def read(path: Path) -> list[Run]:
    text = T.read_text(path)
    parsed = _split_head(text)
    if parsed is None:
        raise InputError(path, "is not a Stable-Baselines3 monitor file (expected a '#{\"t_start\": ...}' line, "
                               "then the columns r,l,t)")
    header, columns = parsed
    run = Run(name=T.run_name(path), source=str(path), format=NAME)
    names = [_NAMES.get(c, c) for c in columns]
    series: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in names if n != "t"}
    env_steps, bad = 0.0, 0
    for line in text.splitlines()[2:]:
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        length = T.parse_number(cells[1]) if len(cells) >= 2 else None
        reward = T.parse_number(cells[0]) if cells else None
        if len(cells) != len(columns) or reward is None or length is None or not math.isfinite(length) or length < 0:
            bad += 1  # a torn last row, or a line that is not an episode: said below, never guessed
            continue
        env_steps += length
        for name, cell in zip(names, cells):
            if name == "t":
                continue
            value = T.parse_number(cell)
            if value is not None:
                series[name][0].append(env_steps)
                series[name][1].append(value)
    T.add_column_series(run, series, axis="step")
    if not run.series:
        raise InputError(path, "holds a Stable-Baselines3 monitor header but no episode rows (expected lines of "
                               "r,l,t numbers)")
    episodes = len(series["episode_reward"][1])
    run.meta.notes.append(f"{episodes} episode(s) of a Stable-Baselines3 monitor; x is environment steps at each "
                          f"episode's end; r read as episode_reward, l as episode_length")
    env_id = header.get("env_id")
    if isinstance(env_id, str) and env_id:
        run.meta.notes.append(f"environment: {env_id[:80]}")
    if bad:
        run.meta.notes.append(f"{bad} line(s) that are not whole episode rows were skipped")
    return [run]
