"""Every generated JSON file of one quantity in a bare shape (``_json_measure_families``: numbers under
epoch keys, a column vector, such numbers under a model's key, a counter list beside the values, one
unnamed number per record, an evolution strategy's generations) reads to exactly its curves, on their
own counters; the same shapes in a file whose name names nothing are refused."""

from __future__ import annotations

import numpy as np
import pytest

from ._cases import read, written
from ._json_measure_families import FAMILIES, near_miss

SEEDS = range(50)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curves(tmp_path, family):
    wrong = {}
    for seed in SEEDS:
        case = FAMILIES[family](seed)
        runs, refused = read(written(tmp_path, seed, case.name, case.text))
        if refused:
            wrong[seed] = (case.name, refused[-200:])
            continue
        if len(runs) != 1 or set(runs[0].series) != set(case.series):
            wrong[seed] = (case.name, [sorted(r.series) for r in runs])
            continue
        for name, (steps, values) in case.series.items():
            s = runs[0].series[name]
            want = np.asarray(values)
            if not (np.array_equal(s.steps, steps) and np.allclose(s.values, want, rtol=1e-9, equal_nan=True)
                    and np.array_equal(np.isinf(s.values), np.isinf(want))):
                wrong[seed] = (case.name, name, list(s.steps[:3]), list(s.values[:3]), steps[:3], values[:3])
    assert not wrong, wrong


def test_a_file_named_for_one_quantity_reads_as_it(tmp_path):
    """The series of a bare shape takes its role from the file's name: a loss is a loss, an accuracy a metric."""
    for seed in SEEDS:
        case = FAMILIES["column_vector"](seed)
        runs, _ = read(written(tmp_path, seed, case.name, case.text))
        (name,) = case.series
        role = runs[0].series[name].role.value
        assert ("loss" in role) == ("loss" in case.name), (case.name, role)


def test_every_near_miss_is_refused(tmp_path):
    wrong = {}
    for seed in SEEDS:
        case = near_miss(seed)
        runs, refused = read(written(tmp_path, seed, case.name, case.text))
        if refused is None or "\n" in refused:
            wrong[seed] = (case.name, [sorted(r.series) for r in runs], refused)
    assert not wrong, wrong


def test_an_infinite_entry_in_a_counter_list_makes_it_no_counter(tmp_path):
    """JSON's Infinity in an "epochs" list is no whole number: the list is read as a series beside the
    loss, not the x axis, and never ends the read in an overflow."""
    path = tmp_path / "history.json"
    path.write_text('{"epochs": [1, 2, Infinity, 4], "loss": [0.9, 0.8, 0.7, 0.6]}')
    runs, refused = read(path)
    assert refused is None and len(runs) == 1
    assert list(runs[0].series["loss"].steps) == [0, 1, 2, 3]
