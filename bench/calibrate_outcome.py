"""Severity calibration of the outcome checks on labelled data (issue 14, deliverable 6).

For each outcome shape ("the training loss ended no lower than it started", and the same with a
logged accuracy ending no higher than its start), count on how
many healthy and how many problem runs it holds, on the real-log **dev** split (shared corpus and
realdev when frozen) and on the older labelled corpus (bench/corpus/labels.json). A shape that
holds on problem runs and on no healthy run earns a warning; one that holds on healthy runs too
stays info. Never run on the test split.

    PYTHONPATH=src python bench/calibrate_outcome.py
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import REALDEV_INDEX, SHARED_INDEX, labels_frozen, load_index  # noqa: E402

from traindoc.readers import load  # noqa: E402
from traindoc.rules.outcome import _ended_no_lower, assess  # noqa: E402

def _ended_no_lower_nor_accuracy(run, out):
    """The same, with a logged accuracy also ending no higher than its start and low (the warning)."""
    f = _ended_no_lower(run, out)
    return f if f is not None and "accuracy" in f.evidence else None


SHAPES = {"ended-no-lower": _ended_no_lower, "ended-no-lower+accuracy": _ended_no_lower_nor_accuracy}


def _cases() -> list[tuple[str, Path, str]]:
    """(name, path, healthy|problem) for every dev case and every labelled older-corpus file."""
    out = []
    for index in (SHARED_INDEX, REALDEV_INDEX):
        if not index.is_file() or (index == REALDEV_INDEX and not labels_frozen(index)[0]):
            continue
        for c in load_index(index):
            if c.split == "dev" and c.kind in ("healthy", "problem"):
                out.append((c.case_id, c.path, c.kind))
    labels = HERE / "corpus" / "labels.json"
    for rel, lab in json.loads(labels.read_text(encoding="utf-8")).items():
        out.append((rel, HERE / "corpus" / rel, "healthy" if lab["healthy"] else "problem"))
    return out


def main() -> int:
    warnings.simplefilter("ignore")
    counts: dict[str, Counter] = {k: Counter() for k in SHAPES}
    totals: Counter = Counter()
    for name, path, kind in _cases():
        try:
            runs = load(path).runs
        except Exception:  # noqa: BLE001 - unreadable files are the readers' business, not this count
            continue
        totals[kind] += 1
        for shape, check in SHAPES.items():
            if any(check(run, assess(run)) is not None for run in runs):
                counts[shape][kind] += 1
                print(f"  {shape}: {kind:8s} {name}")
    for shape, c in counts.items():
        print(f"{shape}: holds on {c['healthy']}/{totals['healthy']} healthy, "
              f"{c['problem']}/{totals['problem']} problem files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
