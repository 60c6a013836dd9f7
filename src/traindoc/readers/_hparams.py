"""Hyper-parameters found beside or inside logs, and the facts rules read from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from ..run import RunMeta

# Parameter names that state the number of classes of a classification task.
_NUM_CLASS_KEYS = ("num_classes", "n_classes", "num_labels", "nclasses", "number_of_classes")


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
            except (TypeError, ValueError):
                continue
            if n > 0 and float(value) == n:
                meta.num_classes = n
                return


def load_yaml_hparams(path: Path, notes: list[str]) -> dict[str, Any]:
    """A hparams.yaml (Lightning) or config.yaml (W&B) as a flat dict; safe_load only."""
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except yaml.YAMLError as exc:
        notes.append(f"{path.name} could not be parsed as YAML ({type(exc).__name__}); hyper-parameters skipped")
        return {}
    return flatten(doc) if isinstance(doc, Mapping) else {}
