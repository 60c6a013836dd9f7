"""Healthy real logs cut short or logged half as often: a false-alarm check on logs no rule was
tuned on as they stand.

Every healthy dev log of the shared corpus and of bench/corpus/realdev (labels frozen) is cut at
40%, 60% and 80% of its step span (every series at the same step, as a live run or a log copied
mid-training would be), and also read with every other point of each series dropped (the same run
logged half as often); each variant with any warning or error is listed. A healthy run is healthy
at every point of its life and at any logging rate, so each such warning is a false alarm the
rules would raise on a real run they have not seen.

    PYTHONPATH=$PWD/src python bench/real_prefixes.py
"""

from __future__ import annotations

import collections
import csv
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
INDEXES = [Path("/work/shared/corpus/INDEX.csv"), HERE / "corpus" / "realdev" / "INDEX.csv"]
FRACTIONS = (0.4, 0.6, 0.8)


def prefix(run, frac: float):
    """The run as it stood at ``frac`` of its step span."""
    from traindoc.run import Run, Series

    spans = [(float(np.nanmin(s.steps)), float(np.nanmax(s.steps))) for s in run.series.values() if len(s)]
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    cut = lo + frac * (hi - lo)
    out = Run(name=run.name, source=run.source, format=run.format, meta=run.meta)
    for s in run.series.values():
        keep = s.steps <= cut
        if keep.any():
            out.add(Series(name=s.name, steps=s.steps[keep], values=s.values[keep], role=s.role, axis=s.axis,
                           higher_is_better=s.higher_is_better, metric=s.metric, value_range=s.value_range))
    return out


def half_rate(run):
    """The run with every other point of each series: the same training logged half as often."""
    from traindoc.run import Run, Series

    out = Run(name=run.name, source=run.source, format=run.format, meta=run.meta)
    for s in run.series.values():
        if len(s):
            out.add(Series(name=s.name, steps=s.steps[::2], values=s.values[::2], role=s.role, axis=s.axis,
                           higher_is_better=s.higher_is_better, metric=s.metric, value_range=s.value_range))
    return out


def main() -> int:
    import traindoc
    from traindoc.rules import diagnose_run
    from traindoc.rules._common import clear_curve_cache

    total, flagged, ids = 0, [], collections.Counter()
    for index in INDEXES:
        if not index.is_file():
            continue
        for row in csv.DictReader(index.open(encoding="utf-8", newline="")):
            if row.get("split", "dev") != "dev" or row["accept"].strip() != "healthy":
                continue
            try:
                runs = traindoc.load(index.parent / row["file"]).runs
            except Exception:  # noqa: BLE001 - a log that does not load is accuracy.py's business
                continue
            for run in runs:
                if not any(len(s) for s in run.series.values()):
                    continue
                for frac in (*FRACTIONS, None):
                    clear_curve_cache()
                    total += 1
                    variant = half_rate(run) if frac is None else prefix(run, frac)
                    bad = sorted({f.id for f in diagnose_run(variant) if f.severity >= 2})
                    if bad:
                        ids.update(bad)
                        flagged.append((row["case_id"], "at half rate" if frac is None else f"at {frac:.0%}", bad))
    print(f"healthy real-log variants (prefixes at {', '.join(f'{f:.0%}' for f in FRACTIONS)}, and half rate): "
          f"{total}, with a warning or error: {len(flagged)}")
    for case, what, bad in flagged:
        print(f"  {case} {what}: {', '.join(bad)}")
    if ids:
        print("by finding:", dict(ids.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
