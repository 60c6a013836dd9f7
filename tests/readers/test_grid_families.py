"""Every generated file of the three layouts of ``_grid_families`` (a name over its printed list, one run
per row under a header of counters, epoch/batch-index/value rows) reads to exactly its curves; every near
miss (settings over lists, one two-value list, a header that does not count, a file whose name names
nothing) is refused in one line."""

from __future__ import annotations

import numpy as np
import pytest

from ._cases import generated
from ._grid_families import FAMILIES, near_miss

SEEDS = range(60)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curves(tmp_path, family):
    wrong = {}
    for seed, case, runs, refused in generated(tmp_path, FAMILIES[family], SEEDS):
        if refused:
            wrong[seed] = refused[-200:]
            continue
        if [sorted(r.series) for r in runs] != [sorted(w) for w in case.runs]:
            wrong[seed] = ([sorted(r.series) for r in runs], [sorted(w) for w in case.runs])
            continue
        for run, want in zip(runs, case.runs):
            for name, (steps, values) in want.items():
                s, v = run.series[name], np.asarray(values)
                if not (np.allclose(s.steps, steps) and np.allclose(s.values, v, rtol=1e-5, equal_nan=True)
                        and np.array_equal(np.isinf(s.values), np.isinf(v))):
                    wrong[seed] = (name, list(s.steps[:3]), list(s.values[:3]), steps[:3], values[:3])
    assert not wrong, wrong


def test_every_near_miss_is_refused_in_one_line(tmp_path):
    wrong = {}
    for seed, case, runs, refused in generated(tmp_path, near_miss, SEEDS):
        if refused is None:
            wrong[seed] = ("read", case.name, [sorted(r.series) for r in runs])
        elif "\n" in refused:
            wrong[seed] = refused
    assert not wrong, wrong


def test_rows_under_a_header_of_counters_are_runs_of_the_named_quantity(tmp_path):
    path = tmp_path / "val_losses.csv"
    path.write_text(",1,2,3,4\n0,0.9,0.8,0.7,0.6\n1,0.6,0.55,0.5,0.52\n")
    from traindoc.readers import load

    runs = load(path).runs
    assert [r.name for r in runs] == ["val_losses.csv#1", "val_losses.csv#2"]
    assert list(runs[1].series["val_losses"].steps) == [1, 2, 3, 4]
    assert "one row per run under a header of counters 1…4" in runs[1].meta.notes[0]


def test_the_batch_index_beside_the_epoch_is_a_place_not_a_value(tmp_path):
    path = tmp_path / "training_loss.txt"
    path.write_text("".join(f"{e},{b},{2.0 / (e * 3 + b):.4f}\n" for e in range(1, 4) for b in range(1, 4)))
    from traindoc.readers import load

    (run,) = load(path).runs
    s = run.series["training_loss"]
    assert list(s.steps[:4]) == pytest.approx([1, 1 + 1 / 3, 1 + 2 / 3, 2])
    assert any("column 2 counts the lines of each epoch" in n for n in run.meta.notes)


def test_a_history_of_two_epochs_printed_name_then_list(tmp_path):
    path = tmp_path / "acc_loss.txt"
    path.write_text("accuracy\n[0.97, 0.98]\nloss\n[0.07, 0.06]\nval_loss\n[0.05, 0.051]\n")
    from traindoc.readers import load

    (run,) = load(path).runs
    assert sorted(run.series) == ["accuracy", "loss", "val_loss"]
    assert list(run.series["val_loss"].values) == [0.05, 0.051]
