"""Every generated header-less file whose meaning is certain (``_headerless_families``: a counter or a
count beside a value, in a file named for that value; any separator, line end, number format, NaN or
inf) reads to exactly its curve; every near miss (a name that names nothing, two unnamed fractions at
different levels, two counts) is refused in one line, naming the counter column when there is one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from traindoc.readers import load

from ._cases import read, written
from ._headerless_families import FAMILIES, near_miss

SEEDS = range(60)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curve(tmp_path, family):
    wrong = {}
    for seed in SEEDS:
        case = FAMILIES[family](seed)
        runs, refused = read(written(tmp_path, seed, case.name, case.text))
        if refused:
            wrong[seed] = refused[-200:]
            continue
        if len(runs) != 1 or set(runs[0].series) != {case.series}:
            wrong[seed] = [sorted(r.series) for r in runs]
            continue
        s = runs[0].series[case.series]
        want = np.asarray(case.values)
        if not (np.array_equal(s.steps, case.steps) and np.allclose(s.values, want, rtol=1e-5, equal_nan=True)
                and np.array_equal(np.isinf(s.values), np.isinf(want))):
            wrong[seed] = (list(s.steps[:3]), list(s.values[:3]), case.steps[:3], case.values[:3])
    assert not wrong, wrong


def test_every_near_miss_is_refused_in_one_line(tmp_path):
    wrong = {}
    for seed in SEEDS:
        case = near_miss(seed)
        runs, msg = read(written(tmp_path, seed, case.name, case.text))
        if msg is None:
            wrong[seed] = ("read", [sorted(r.series) for r in runs])
            continue
        said = f"column {case.counter + 1} counts up" if case.counter is not None else None
        if "\n" in msg or (said and said not in msg):
            wrong[seed] = msg[-300:]
    assert not wrong, wrong


def test_a_value_beside_a_count_says_which_column_it_read(tmp_path):
    path = tmp_path / "losses.csv"
    path.write_text("".join(f"{2.0 * math.exp(-i / 30) + 0.1:.6f},{20 + (i * 7) % 13}\n" for i in range(60)))
    run = load(path).runs[0]
    assert list(run.series) == ["losses"] and len(run.series["losses"]) == 60
    assert any("column 2 holds whole numbers that do not count up" in n for n in run.meta.notes)
