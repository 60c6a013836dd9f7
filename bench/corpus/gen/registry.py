"""The table of corpus cases: each generator function plus the label it is meant to earn.

The label here is what the run *really* shows (checked by plotting every generated curve),
not what any rule says. ``make_corpus.py`` copies these labels into labels.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass
class Case:
    name: str
    func: Callable[[Path, int], Path]  # (output dir, seed) -> the labelled file or directory
    seed: int
    expected: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    healthy: bool = False
    reason: str = ""
    uncertain: bool = False
    group: str = "torch"


CASES: dict[str, Case] = {}


def case(name: str, seed: int, *, expected: list[str] | None = None, allowed: list[str] | None = None,
         healthy: bool = False, reason: str, uncertain: bool = False, group: str = "torch"):
    """Register a generator under ``name`` with its label."""
    if not healthy and not expected:
        raise ValueError(f"case {name}: a failing case needs expected ids")

    def deco(func: Callable[[Path, int], Path]) -> Callable[[Path, int], Path]:
        if name in CASES:
            raise ValueError(f"duplicate case {name}")
        CASES[name] = Case(name, func, seed, list(expected or []), list(allowed or []), healthy, reason,
                           uncertain, group)
        return func

    return deco
