"""Chance level: the loss of a model that predicts the class prior (uniform: ln C).

The number of classes comes from what the log says (run metadata, hyper-parameters, output
size, vocabulary size) and only then from matching a flat loss level against ln(C) for small
C, which is how a practitioner recognises 2.303 as "ten classes, predicting uniformly".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_CLASS_KEYS = ("num_classes", "n_classes", "num_labels", "nb_classes", "n_labels", "classes", "num_class",
               "number_of_classes", "output_size", "out_features", "n_outputs", "num_outputs", "output_dim")
_VOCAB_KEYS = ("vocab_size", "n_vocab", "vocabulary_size", "ntokens", "num_tokens_vocab", "padded_vocab_size")


@dataclass(frozen=True)
class ClassCount:
    n: int
    source: str  # where the count came from, for the evidence
    guessed: bool = False  # True when matched from the loss level only

    @property
    def chance_loss(self) -> float:
        return math.log(self.n)

    @property
    def chance_accuracy(self) -> float:
        return 1.0 / self.n


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (list, tuple)):
        return len(value) if 2 <= len(value) <= 100000 else None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return int(v) if v.is_integer() and 2 <= v <= 10_000_000 else None


def _find(hp: dict, keys: tuple[str, ...]) -> tuple[int, str] | None:
    """Look keys up at the top level and one level down (``model.num_classes``)."""
    flat: dict[str, Any] = {}
    for k, v in hp.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                flat.setdefault(str(k2).lower(), v2)
                flat[f"{str(k).lower()}.{str(k2).lower()}"] = v2
        flat[str(k).lower()] = v
    for key in keys:
        for name, value in flat.items():
            if name == key or name.endswith("." + key):
                n = _int(value)
                if n:
                    return n, f"hyper-parameter {name}={value}"
    return None


def class_count(meta: Any, series_names: list[str] | None = None) -> ClassCount | None:
    """Classes (or vocabulary entries) when the log tells them; None otherwise."""
    lm = (getattr(meta, "task", None) or "").lower() in ("language-model", "language-modeling", "lm")
    if getattr(meta, "num_classes", None) and not (lm and getattr(meta, "vocab_size", None)):
        return ClassCount(int(meta.num_classes), f"num_classes={meta.num_classes}")
    if getattr(meta, "vocab_size", None):
        return ClassCount(int(meta.vocab_size), f"vocab_size={meta.vocab_size}")
    hp = getattr(meta, "hparams", None) or {}
    found = _find(hp, _CLASS_KEYS) or _find(hp, _VOCAB_KEYS)
    if found:
        return ClassCount(found[0], found[1])
    return None


def match_chance(level: float, tolerance: float = 0.005, max_classes: int = 10) -> ClassCount | None:
    """C such that ``level`` is ln(C) within ``tolerance`` (relative), for 2 <= C <= max_classes."""
    # ln(max_classes) bounds the search: exp() of a large loss (a regression at 1e5) overflows.
    if not math.isfinite(level) or level <= 0 or level > math.log(max_classes) * (1 + tolerance) + 1:
        return None
    c = round(math.exp(level))
    if 2 <= c <= max_classes and abs(level - math.log(c)) <= tolerance * math.log(c):
        return ClassCount(int(c), f"loss level {level:.4g} ~ ln({c})", guessed=True)
    return None


def match_chance_tight(level: float, max_classes: int = 1000) -> ClassCount | None:
    """C such that ``level`` sits at ln(C) within 15% of the gap to ln(C +- 1) (and 0.5%), C <= max_classes.

    Above ten classes the ln(C) grid is dense (ln 17 and ln 18 are 0.057 apart), so only a tight
    hit counts, and only as corroboration of a loss that is flat from its start and quiet: a
    classifier starts near ln(C) and one that never leaves it predicts the prior.
    """
    if not math.isfinite(level) or level <= 0 or level > math.log(max_classes) + 0.01:
        return None
    c = round(math.exp(level))
    if not 2 <= c <= max_classes:
        return None
    gap = min(math.log(c + 1) - math.log(c), math.log(c) - math.log(c - 1) if c > 2 else math.inf)
    if abs(level - math.log(c)) <= min(0.15 * gap, 0.005 * math.log(c)):
        return ClassCount(int(c), f"loss level {level:.5g} ~ ln({c}) = {math.log(c):.5g}", guessed=True)
    return None


_TOP_M = re.compile(r"(?<![a-z0-9])(?:top[_\-\s]?(\d+)|acc(?:uracy)?@?(\d+))(?![0-9])")


def top_m(name: str) -> int:
    """How many guesses a logged accuracy allows: 5 for ``top5``, ``acc5``, ``metrics/accuracy_top5``,
    1 for a plain accuracy. A top-m accuracy of a model guessing over C classes is min(1, m/C), not 1/C;
    with m >= C it is 1 whatever the model does, and says nothing about learning."""
    m = _TOP_M.search(name.lower())
    if m is None:
        return 1
    got = int(m.group(1) or m.group(2))
    return got if 1 <= got <= 1000 else 1
