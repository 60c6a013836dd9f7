"""Hyper-parameters found beside or inside logs, and the facts rules read from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from ..run import RunMeta
from ._safe import is_regular, yaml_load

# Parameter names that state the number of classes of a classification task.
_NUM_CLASS_KEYS = ("num_classes", "n_classes", "num_labels", "nclasses", "number_of_classes")
# More classes than this is a damaged value, not a task (the largest label sets are ~1e6).
MAX_CLASSES = 10_000_000


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested config dicts become dotted keys (``optimizer.lr``), so every reader agrees."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def apply_hparams(meta: RunMeta, params: Mapping[str, Any]) -> None:
    """Merge hyper-parameters into ``meta`` and set ``num_classes`` when a parameter says so."""
    if not params:
        return
    meta.hparams.update(params)
    if meta.num_classes is not None:
        return
    for key, value in meta.hparams.items():
        leaf = str(key).rsplit(".", 1)[-1].rsplit("/", 1)[-1].lower()
        if leaf in _NUM_CLASS_KEYS:
            try:
                n = int(float(value))
            except (TypeError, ValueError, OverflowError):  # text, inf, or an integer past 1e308
                continue
            if 0 < n <= MAX_CLASSES and float(value) == n:
                meta.num_classes = n
                return


def load_yaml_hparams(path: Path, notes: list[str]) -> dict[str, Any]:
    """A hparams.yaml (Lightning) or config.yaml (W&B) as a flat dict; safe_load only."""
    if not is_regular(path):
        return {}
    try:
        doc = yaml_load(path.read_text(encoding="utf-8", errors="replace"))
    except yaml.YAMLError as exc:
        notes.append(f"{path.name} could not be parsed as YAML ({type(exc).__name__}); hyper-parameters skipped")
        return {}
    return flatten(doc) if isinstance(doc, Mapping) else {}
