"""Tables printed to a console: a header row of names, then rows of numbers under it.

Covers markdown tables (``| Epoch | Train Loss | … |``), whitespace-aligned consoles such as
YOLOv5/v7/v8 (``Epoch GPU_mem box_loss …`` then ``1/100 2.61G 1.23 …``; validation ``Class Images
… mAP50`` then ``all 51 87 …``), and a few headerless layouts whose columns a writer fixes
(YOLOv5/v7 ``results.txt``). A row is matched to a header once per row shape, so a training
table and a validation table printed in turn each keep their own header.
"""

from __future__ import annotations

import re

from .template import EPOCH_COLUMNS, EPOCH_KEYS, SPLIT_WORDS, STEP_COLUMNS, STEP_KEYS, norm_key

_TQDM_TAIL = re.compile(r"(?::\s*#%|\s*#%\|).*$")
_CELL = re.compile(r"^[A-Za-z_][\w@.\-/()%:]*$")
# A dash set apart by blanks between two cells is a separator too ("0 - 0.4354 - 76.99", under "Epoch - Loss - Acc").
_ROW_REST = re.compile(r"[#|%\s,*]|(?<=# )-(?= #)|[^\x00-\x7f]|/\d+|(?<=#)(?:G|M|K|GB|MB|s|ms)\b")
_LABEL = re.compile(r"^([A-Za-z_][\w.\-]*)\s+(?=#)")
# A unit printed as a word of its own after a cell's number ("0.55    s", "12.1 sec"): it names no column.
_SPACED_UNIT = re.compile(r"(?<=#)[ \t]+(?:s|ms|secs?|mins?|hrs?|h)(?=\s|$)")
_YOLO_LOSS_PARTS = {"box", "obj", "cls", "total", "dfl", "seg", "kobj", "pose", "giou"}
# YOLOv5/v7 results.txt: no header; the columns are fixed by the writer (train.py): epoch/last, GPU
# memory, the mean loss parts ending with their total, labels, image size, then the seven validation
# results. Forks that add a loss part (YOLOv5-face's landmark loss, a segmentation or keypoint head)
# write one more training part before the total; the seven results stay.
_YOLO_HEAD = ["epoch", "gpu_mem", "box_loss", "obj_loss", "cls_loss"]
_YOLO_TAIL = ["total_loss", "labels", "img_size", "val_precision", "val_recall", "val_map50", "val_map50-95",
              "val_box_loss", "val_obj_loss", "val_cls_loss"]
_YOLO_RESULTS = _YOLO_HEAD + _YOLO_TAIL
_YOLO_EXTRA_PARTS = 2  # loss parts a fork may add
_YOLO_RESULTS_ROW = "#/" + r"\d+ #G( #){13,%d}" % (13 + _YOLO_EXTRA_PARTS)


def cut_progress(skeleton: str) -> str:
    """The part of a skeleton before a tqdm bar (``: 100%|…``)."""
    return _TQDM_TAIL.sub("", skeleton) if "#%" in skeleton else skeleton


# A header written as a comment ("# epoch train_loss val_loss": ``np.savetxt(header=...)``, gnuplot data
# files, hand-written loops that mark the header so plotting tools skip it): the "#" (``\u25ae`` in a
# skeleton, where "#" stands for a number) is no part of the first name.
_COMMENT_MARK = re.compile("^\u25ae(?!\u25ae)\\s*")


def header_cells(skeleton: str, line: str | None = None) -> list[str] | None:
    """Column names when a number-free line looks like a table header, else None.

    ``line`` (the raw line, spacing kept) lets a fixed-width header name a column in several words
    (``Epoch    Loss      Validation Accuracy``): see ``_wide_gap_cells``."""
    part = _COMMENT_MARK.sub("", cut_progress(skeleton).strip().strip("`").strip())
    if not part or "#" in part:
        return None
    if line is not None and line.lstrip().startswith("#"):
        line = line.strip()[1:].strip()
    wide = _wide_gap_cells(line) if line is not None and "|" not in part else None
    if wide is not None:
        words = wide
    elif part.count("|") >= 2 or (part.count(" - ") >= 2 and "|" not in part):
        dashed = "|" not in part  # "Epoch - Loss - Accuracy": names only (a logging prefix "@ - INFO - …" is none)
        cells = [c.strip() for c in (part.split(" - ") if dashed else part.strip("|").split("|"))]
        if not all(cells) or any(len(c.split()) > 4 for c in cells):
            return None
        if dashed and not all(_CELL.match(w) for c in cells for w in c.split()):
            return None
        words = [c for c in cells]
    else:
        words = _without_units(part.split())
        if not all(_CELL.match(w) for w in words):
            return None
    if len(words) < 2:
        return None
    names = [_clean(w) for w in words]
    if not any(_known(n) for n in names):
        return None
    return _conventions(names)


_WIDE_GAP = re.compile(r"\t+|\s{2,}")
# A unit after a column's name, as a word of its own ("test_accuracy (%)", "time [s]") or glued to it
# ("acc(%)", "time[s]"): units of measure only, so "acc(val)" keeps the split it names.
_UNITS = r"%|s|ms|sec|secs|min|mins|h|hr|hrs|[KMGT]i?B|dB|px|deg"
_UNIT = re.compile(rf"[(\[](?:{_UNITS})[)\]]")
_GLUED_UNIT = re.compile(rf"(?<=[A-Za-z0-9_])[(\[](?:{_UNITS})[)\]]$")


def _without_units(words: list[str]) -> list[str]:
    """Header words without their units (they name no column of their own: ``test_losses test_accuracy
    (%)`` has two columns, not three; ``acc(%)`` is ``acc``). A unit first, or two in a row, is no such
    case and is left for the caller to refuse."""
    out: list[str] = []
    for before, w in zip(["", *words], words):
        if _UNIT.fullmatch(w) and before and not _UNIT.fullmatch(before):
            continue
        out.append(_GLUED_UNIT.sub("", w))
    return out


def _wide_gap_cells(line: str) -> list[str] | None:
    """The cells of a fixed-width header whose columns are set apart by runs of 2+ blanks (or tabs)
    while a name inside a cell has single blanks: the layout of a hand-aligned or ``str.ljust``
    printed table. None unless both gap widths occur (a header spaced one blank throughout is
    split word by word, as before), each cell is 1-4 name-like words, and there are 2+ cells."""
    text = line.strip().strip("`").strip()
    if not text or not _WIDE_GAP.search(text):
        return None
    cells = [" ".join(_without_units(c.split())) for c in _without_units([c for c in _WIDE_GAP.split(text) if c])]
    if len(cells) < 2 or not any(" " in c for c in cells):
        return None
    if any(len(c.split()) > 4 or not all(_CELL.match(w) for w in c.split()) for c in cells):
        return None
    return cells


def _clean(cell: str) -> str:
    cell = re.sub(r"^\w+\((?=\w)", "", cell).rstrip(")").rstrip(":")  # Ultralytics "Box(P", "mAP50-95)"
    # "mAP@0.5" is Ultralytics' "mAP50" written as the IoU threshold itself
    return re.sub(r"map0\.(\d\d?)", lambda m: "map" + m.group(1).ljust(2, "0"), norm_key(cell))


def _known(name: str) -> bool:
    from ...run import Role, infer_role

    return name in STEP_KEYS or name in EPOCH_KEYS or "loss" in name or infer_role(name).role is not Role.OTHER


def _conventions(names: list[str]) -> list[str]:
    """YOLO consoles name loss parts bare (``box obj cls``) and evaluation columns ``P R mAP50``."""
    names = ["val_" + n[3:] if n.startswith("va_") else n for n in names]  # "va_acc": validation, hand-abbreviated
    low = set(names)
    if "gpu_mem" in low:
        return [f"{n}_loss" if n in _YOLO_LOSS_PARTS else n for n in names]
    if any(n.startswith("map") for n in names):
        # A YOLO validation table (``Class Images Instances P R mAP50``) has no counter and no loss; in a
        # summary table (``| Epoch | Loss | mAP@0.5 |``) the counter stays the x and the loss is training's.
        rename = {"p": "precision", "r": "recall"}
        keep = {"class", "images", "labels", "instances"} | set(STEP_KEYS) | set(EPOCH_KEYS)
        return [n if n in keep or "loss" in n else "val_" + rename.get(n, n) for n in names]
    return names


# A title line over a table ("Accuracies:", "Loss (%):", "== Validation accuracy =="): what its cells measure.
_TITLE = re.compile(r"^[\W_]*([A-Za-z][A-Za-z ]{1,40}?)\s*(?:\((?:%|percent)\))?\s*[:=\-]*\s*$")


def _singular(word: str) -> str:
    """``accuracies`` -> ``accuracy``, ``losses`` -> ``loss``, ``errors`` -> ``error``."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def titled(cells: list[str], title: str) -> list[str]:
    """Columns named only by their split (``Epoch  Train  Eval  Test``) under a title that says what
    they measure (``Accuracies:``) are that split's measure (``train_accuracy``…): a script printing
    one table per quantity names the quantity once, above it. Other headers are returned as they are."""
    plain = [c for c in cells if c not in STEP_KEYS and c not in EPOCH_KEYS]
    if not plain or not all(c in SPLIT_WORDS for c in plain):
        return cells
    m = _TITLE.match(title)
    if not m:
        return cells
    words = [w for w in m.group(1).lower().split() if w not in SPLIT_WORDS]
    if not words or len(words) > 3:
        return cells
    measure = "_".join(words[:-1] + [_singular(words[-1])])
    if not _known(f"train_{measure}") and "loss" not in measure:
        return cells
    return [f"{c}_{measure}" if c in plain else c for c in cells]


# A date or clock time as a row's first cell ("2025-04-22 22:56:09 | 10 | 7.55", ``split_line`` writes it "@"):
# the row's wall time, under a header whose first column says so (``STAMP_LABEL``, see ``columns_for``).
_STAMP_CELL = re.compile(r"^@\s*(?:[|,;]\s*)?(?=[\d#])")
STAMP_LABEL = "@"
_TIME_COLUMNS = {"timestamp", "time", "date", "datetime", "date_time", "wall_time", "walltime", "time_stamp", "clock"}


def row_shape(skeleton: str) -> tuple[str, str | None, int] | None:
    """(cut skeleton, leading label, slot count) when a line is a row of numbers, else None."""
    part = cut_progress(skeleton).strip()
    label = None
    m = _LABEL.match(part) or _STAMP_CELL.match(part)
    if m and m.group(0).startswith(STAMP_LABEL):
        label = STAMP_LABEL
        part = part[m.end():]
    elif m:
        label = m.group(1)
        part = part[m.end():]
    part = _SPACED_UNIT.sub("", part)
    if "#" not in part or _ROW_REST.sub("", part):
        return None
    return part, label, part.count("#")


# A column that counts the items trained on so far ("samples_seen_in_train", "tokens_seen", "total_timesteps"):
# a counter as good as a step, when it holds whole numbers. The name must say "so far": a bare "Images"
# column (YOLO's validation table) is the size of a set, the same in every row.
_ITEM_COUNT = re.compile(r"(?:(?:samples?|examples?|images?|tokens?|episodes?)_(?:seen|processed|trained|so_far)"
                         r"(?:_in_train(?:ing)?)?|(?:total_)?timesteps)")


def x_axis(name: str, value: float) -> str | None:
    """The axis a table column gives its row ("epoch", "step"), or None when it is no counter."""
    if name == "epoch":
        return "epoch"
    if name in ("step", "iter", "iteration", "global_step"):
        return "step"
    if name in EPOCH_COLUMNS and float(value).is_integer():
        return "epoch"  # "ep", "epoch_no", "epoch_num": the epoch spelled short
    if name in STEP_COLUMNS and float(value).is_integer():
        return "step"
    if _ITEM_COUNT.fullmatch(name) and float(value).is_integer():
        return "step"
    return None


def is_counter(label: str) -> bool:
    """A row label that names a counter (``Epoch 3/25``): the line counts, it is no row of a table."""
    return norm_key(label) in STEP_KEYS or norm_key(label) in EPOCH_KEYS


def headerless(cut: str, n: int) -> list[str] | None:
    """Column names of a known headerless row layout."""
    extra = n - len(_YOLO_RESULTS)
    if 0 <= extra <= _YOLO_EXTRA_PARTS and re.fullmatch(_YOLO_RESULTS_ROW, cut):
        return _YOLO_HEAD + [f"part{k + 4}_loss" for k in range(extra)] + _YOLO_TAIL
    return None


def columns_for(header: list[str], label: str | None, n: int) -> list[str] | None:
    """The names of a row's ``n`` numbers under ``header`` (right-aligned past label columns).

    A row two or more numbers short with no label fills the first columns: a writer separating its
    cells by blanks can leave none empty, so what it did not log this time (the evaluation, written
    only every few rows) is the tail of the row (``0 47.3`` under ``samples train_loss test_loss acc``)."""
    h = len(header)
    if label == STAMP_LABEL:  # its wall time first: the row's numbers are the other columns
        return header[1:] if n == h - 1 and header[0] in _TIME_COLUMNS else None
    if n == h:
        return header
    if n < h and (label is not None or n >= h - 1):
        return header[h - n:]
    if 2 <= n < h - 1 and label is None:
        return header[:n]
    if n > h and label is None:
        return header + [""] * (n - h)
    return None
