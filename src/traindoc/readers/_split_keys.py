"""Keys that name only a split (``{"train": [...], "val": [...]}`` in ``losses.json``).

Why: a loop that keeps one dict per quantity names its entries by split and the file by the
quantity (``json.dump({"train": train_losses, "val": val_losses}, open("losses.json", "w"))``,
``accuracies.json``). The split alone names nothing a rule can judge; with the file's name it is
that split's loss or metric (``val`` in ``losses.json`` is ``val_loss``). A file whose name names
no loss or metric keeps its keys as they are (and a history of them is not claimed).
"""

from __future__ import annotations

import re

from ..run import MEASURED_ROLES, Role, infer_role

SPLITS = ("train", "training", "val", "valid", "validation", "eval", "evaluation", "test", "dev")


def measure_of(stem: str) -> str | None:
    """What a file named ``stem`` holds, as a key suffix: ``loss``, ``accuracy``, … or None. A name that
    is already a split's (``val_loss.json``) says one split, so bare split keys inside it say nothing more."""
    info = infer_role(stem)
    if info.role is Role.OTHER and stem.lower().endswith("ies"):
        info = infer_role(stem[:-3] + "y")  # accuracies.json
    if info.role not in MEASURED_ROLES or any(w in stem.lower() for w in ("train", "val", "test", "eval")):
        return None
    if info.role in (Role.TRAIN_LOSS, Role.VAL_LOSS):
        return "loss"
    return info.metric


# Columns that count or time the run, not the quantity the file names: never variants of it.
_BOOKKEEPING = re.compile(r"(?i)time|sec|duration|speed|throughput|sample|token|mem|gpu|size|count|iter|step|epoch|"
                          r"batch|index|^id$|seed|lr|rate")
_SPLIT_WORD = re.compile(r"(?i)(?:^|[^a-z])(?:" + "|".join(SPLITS) + r")(?:[^a-z]|$)")


def rename(keys: list[str], stem: str, variants: bool = False) -> dict[str, str]:
    """``{old: new}`` for the keys that are only a split (``val`` -> ``val_loss`` in ``losses.json``).

    With ``variants`` (a table that splits them into runs), when no key names anything a rule knows
    (``Epoch, Independent, Position, Sigmoid0.5, ...`` in ``losses.csv``: one column per variant of a
    model), the columns are variants of the quantity the file names and read as such
    (``Sigmoid0.5_loss``); bookkeeping columns (times, counts) are left as they are."""
    measure = measure_of(stem)
    if measure is None:
        return {}
    out = {k: f"{k.strip()}_{measure}" for k in keys if k.strip().lower() in SPLITS}
    if out or not variants:
        return out
    roles = {k: infer_role(k.strip()).role for k in keys}
    if any(r in MEASURED_ROLES for r in roles.values()) or any(_SPLIT_WORD.search(k) for k in keys):
        return {}  # a column names a split (``ff_train_losses``): split-named columns, not variants
    return {k: f"{k.strip()}_{measure}" for k, r in roles.items()
            if r is Role.OTHER and k.strip() and not _BOOKKEEPING.search(k)}


def named_splits(doc: object, stem: str) -> object:
    """``doc`` with its split-only keys renamed (see ``rename``): at the top of a dict of lists, and
    inside per-epoch objects (``{"5": {"val": 10.1, "train": 10.0}}``). Anything else is unchanged."""
    if not isinstance(doc, dict) or measure_of(stem) is None:
        return doc
    def plain(d: dict) -> dict:
        new = rename([k for k, v in d.items() if not isinstance(v, dict)], stem)
        return {new.get(k, k): v for k, v in d.items()} if new else d
    out = plain(doc)
    out = {k: plain(v) if isinstance(v, dict) else v for k, v in out.items()}
    return out if out != doc else doc


NOTE = "keys that name only a split (train, val…) read as that split's {}, the quantity the file name names"
