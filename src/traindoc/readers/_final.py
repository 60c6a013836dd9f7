"""A small text file of final results: a run that holds one or two points, too short to judge.

Why not refuse it: ``log.txt`` holding ``Training accuracy: 0.87`` and ``Validation accuracy: 0.86``,
a ``training_history.txt`` whose one line is ``train_loss=1.0e-02 valid_loss=1.8e-02``, or a dump
writing each name on its own line with its value(s) on the next, is the real record of a run that
kept only its outcome. The user asked whether that training is normal; "too early to tell: one point
per quantity, no curve" is the honest answer, not "not a training log". So such a file loads as a run
of one or two points per quantity and ``too-short`` says so.

What keeps configs and READMEs out: the file is small and is no document or code (by suffix); at
least half its lines hold the results (a console of start-up output ending in one evaluation line is
refused, with the hint naming that line); no line carries a step or epoch counter (a log with counters is the text reader's); every quantity has
at most two values; at least two quantities are losses or metrics, and they are most of the names
(a settings dump of ``lr``, ``batch_size`` and ``epochs`` has none or few). Unnamed numbers are
never taken for a loss: a value counts only under a name.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..run import MEASURED_ROLES, Run, Series, infer_role
from . import _table as T
from .text.decode import clean_lines
from .text.parser import LineParser

MAX_BYTES = 4096  # a file of final results is a few lines
MAX_LINES = 40
MAX_POINTS = 2  # "one or two points": more is a curve, the text reader's to read
# Documents, code and configs: a number in them is an example or a setting.
NOT_RESULTS = {".md", ".rst", ".py", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh", ".html", ".tex",
                ".json", ".jsonl", ".xml", ".c", ".cpp", ".h", ".js", ".ts", ".java", ".r", ".jl", ".sql"}
_NAME_LINE = re.compile(r"[A-Za-z][\w .@/()%-]{0,60}?:?")
_NUMBERS_LINE = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:[\s,;]+[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)*\s*")


def measured_name(name: str) -> bool:
    return infer_role(name).role in MEASURED_ROLES or "loss" in name.lower()


def _stacked(lines: list[str]) -> tuple[dict[str, list[float]], int]:
    """``name`` on one line and its value(s) on the next (a dump writing ``f.write(k + "\\n" + v)``),
    and how many lines they take."""
    out: dict[str, list[float]] = {}
    used = 0
    for name, nxt in zip(lines, lines[1:]):
        if _NAME_LINE.fullmatch(name.strip()) and T.parse_number(name.strip()) is None and _NUMBERS_LINE.fullmatch(nxt):
            key = name.strip().rstrip(":").strip().replace(" ", "_").lower()
            out.setdefault(key, []).extend(float(v) for v in re.split(r"[\s,;]+", nxt.strip()) if v)
            used += 2
    return out, used


def _keyed(lines: list[str]) -> tuple[dict[str, list[float]], int] | None:
    """``name: value`` records read by the text parser and how many lines hold them, or None when a
    line carries a counter."""
    parser = LineParser()
    used = sum(bool(parser.feed(line)) for line in lines)
    if parser.countered or parser.anchor is not None:
        return None
    _, _, cols = parser.records.arrays(set(), commit=False)
    return {name: [float(v) for v in vals] for name, (_, vals) in cols.items() if len(vals)}, used


def final_results(path: Path) -> Run | None:
    """The run of a small file of final results (one or two points per quantity), else None."""
    try:
        if path.suffix.lower() in NOT_RESULTS or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        text = T.head_text(path.read_bytes())
    except OSError:
        return None
    if not text or text.lstrip()[:1] in "{[<":
        return None
    lines = [ln for ln in clean_lines(text) if ln.strip()]
    if not lines or len(lines) > MAX_LINES:
        return None
    keyed = _keyed(lines)
    if keyed is None:
        return None
    found, used = keyed
    stacked, used_stacked = _stacked(lines)
    for name, vals in stacked.items():
        found.setdefault(name, vals)
    if 2 * (used + used_stacked) < len(lines):
        return None  # mostly other output (start-up banners) around one result line: a console, not a results file
    measured = [n for n in found if measured_name(n)]
    if len(measured) < 2 or 2 * len(measured) <= len(found) or any(len(v) > MAX_POINTS for v in found.values()):
        return None
    run = Run(name=T.run_name(path), source=str(path), format="final_results")
    for name in measured:
        vals = np.asarray(found[name], dtype=float)
        run.add(Series.named(name, np.arange(1, vals.size + 1, dtype=float), vals, axis="step"))
    run.meta.notes.append(f"a file of final results ({', '.join(measured[:4])}{' …' if len(measured) > 4 else ''}): "
                          "one or two values per quantity and no step or epoch counter, no curve to judge")
    return run
