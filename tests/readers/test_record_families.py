"""Every generated file whose columns the file's name and numbers name (``_record_families``: a training
record's one value above 100 read as its loss, a metric file's two values at one level read as its
training and validation value, JSON [step, train, val] rows in a file named for a loss) reads to exactly
its curves; every near miss (a record's values inside [0, 100] or below 0 or whole, two levels, a JSON
file named for nothing) is refused in one line saying why."""

from __future__ import annotations

import numpy as np
import pytest

from ._cases import generated
from ._record_families import FAMILIES, near_miss

SEEDS = range(60)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curves(tmp_path, family):
    wrong = {}
    for seed, case, runs, refused in generated(tmp_path, FAMILIES[family], SEEDS):
        if refused:
            wrong[seed] = refused[-250:]
            continue
        if len(runs) != 1 or set(runs[0].series) != set(case.series):
            wrong[seed] = [sorted(r.series) for r in runs]
            continue
        for name, values in case.series.items():
            s, want = runs[0].series[name], np.asarray(values)
            if not (np.array_equal(s.steps, case.steps) and np.allclose(s.values, want, rtol=1e-5, equal_nan=True)
                    and np.array_equal(np.isinf(s.values), np.isinf(want))):
                wrong[seed] = (name, list(s.steps[:3]), list(s.values[:3]), case.steps[:3], values[:3])
        assumed = [n for n in runs[0].meta.notes if n.startswith("assumed:")]
        if (family == "record_loss") != (len(assumed) == 1):
            wrong[seed] = ("assumption note", runs[0].meta.notes)
    assert not wrong, wrong


def test_every_near_miss_is_refused_in_one_line_saying_why(tmp_path):
    wrong = {}
    for seed, case, runs, msg in generated(tmp_path, near_miss, SEEDS):
        if msg is None:
            wrong[seed] = ("read", case.name, [sorted(r.series) for r in runs])
        elif "\n" in msg or case.said not in msg:
            wrong[seed] = (case.said, msg[-300:])
    assert not wrong, wrong
