"""Every generated variant of a layout whose meaning its file states (``_layout_families``: counter:value
lines, position-keyed objects in a list, titled epoch headers, newest-first reports, counters in brackets
after a name, a ``count`` step key, tables with a wall-time column or ``" - "`` separators, Caffe2's printed
scalars, a padded Metric@ K) reads to exactly its curves; every near miss is refused in one line."""

from __future__ import annotations

import numpy as np
import pytest

from ._cases import generated, read, written
from ._layout_families import FAMILIES, NEAR_MISSES

SEEDS = range(40)


def _plain(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_generated_variant_reads_to_its_curves(tmp_path, family):
    wrong = {}
    for seed, case, runs, refused in generated(tmp_path, FAMILIES[family], SEEDS):
        if refused:
            wrong[seed] = refused[-200:]
            continue
        # a table may be the generic table's, which keeps its header's spelling ("Train Loss")
        named = {_plain(k): v for k, v in runs[0].series.items()} if runs else {}
        if len(runs) != case.runs or not set(case.series) <= set(named):
            wrong[seed] = [sorted(r.series) for r in runs]
            continue
        for name, (steps, values) in case.series.items():
            s = named[name]
            want = np.asarray(values, dtype=float)
            if not (np.array_equal(s.steps, np.asarray(steps)) and
                    np.allclose(s.values, want, rtol=1e-5, equal_nan=True) and
                    np.array_equal(np.isinf(s.values), np.isinf(want))):
                wrong[seed] = (name, list(s.steps[:4]), list(s.values[:4]), steps[:4], values[:4])
    assert not wrong, wrong


@pytest.mark.parametrize("family", sorted(NEAR_MISSES))
def test_every_near_miss_is_refused_in_one_line(tmp_path, family):
    wrong = {}
    for seed, case, runs, msg in generated(tmp_path, NEAR_MISSES[family], SEEDS):
        if msg is None:
            wrong[seed] = ("read", [sorted(r.series) for r in runs])
        elif "\n" in msg or case.said not in msg:
            wrong[seed] = msg[-300:]
    assert not wrong, wrong


def test_a_clock_time_is_no_counter_value_row(tmp_path):
    """``12:30:05`` has a second colon: a time of day, never the row ``12 30``."""
    text = "\n".join(f"{10 + i}:{30 + i}:05" for i in range(10)) + "\n"
    runs, msg = read(written(tmp_path, 0, "loss.txt", text))
    assert msg is not None and not runs


def test_counters_that_go_up_and_back_stay_two_runs(tmp_path):
    """Only a counter that never goes up is a newest-first listing: 1..5 then 1..3 are two runs."""
    lines = []
    for n in list(range(1, 6)) + list(range(1, 4)):
        lines += [f"Validation Report - Epoch {n}", f"Val Loss: {1.0 / n + 0.01:.4f}", ""]
    runs, msg = read(written(tmp_path, 0, "val.log", "\n".join(lines)))
    assert msg is None and len(runs) == 2


def test_a_best_epoch_line_is_no_header(tmp_path):
    """``Best epoch: 3`` states which epoch was best; the records after it are not placed at epoch 3."""
    lines = [f"epoch {e}, loss = {1.0 / e:.4f}" for e in range(1, 6)] + ["Best epoch: 3", "test loss = 0.31"]
    runs, msg = read(written(tmp_path, 0, "train.log", "\n".join(lines)))
    assert msg is None and len(runs) == 1
    assert list(runs[0].series["loss"].steps) == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_stamped_row_under_a_header_that_names_no_time_is_not_read_under_it(tmp_path):
    """A date first in a row is its wall time only under a header whose first column says so."""
    lines = ["Step | Train Loss | Validation Loss"] + [f"2025-04-22 22:56:{i:02d} | {i} | {1.0 / (i + 1):.4f}"
                                                        for i in range(10)]
    runs, _ = read(written(tmp_path, 0, "training_loss.txt", "\n".join(lines)))
    assert not any("validation_loss" in r.series for r in runs)


def test_an_epoch_footer_is_no_header_of_the_next_epochs_values(tmp_path):
    """``Epoch 3 done`` closes the epoch whose values came above it: those of epoch 4, below it, are
    never placed at epoch 3 (read or not, no value sits at another epoch's counter)."""
    lines = []
    for e in range(1, 8):
        lines += [f"Train loss = {1 / e + 0.01:.4f}", f"Val loss = {1.1 / e + 0.02:.4f}", f"Epoch {e} done"]
    runs, _ = read(written(tmp_path, 0, "footer.log", "\n".join(lines)))
    for run in runs:
        s = run.series.get("train_loss")
        if s is not None:
            for x, v in zip(s.steps, s.values):
                assert x < 1 or abs(v - round(1 / x + 0.01, 4)) < 1e-9, (x, v)
