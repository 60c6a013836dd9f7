"""Rows wider than the header, separators at the end of rows, and a second header part-way down: no cell is
dropped, a block repeating the named values is read as their validation twins, the rest stays unnamed."""

from __future__ import annotations

import csv
import math

from traindoc import diagnose
from traindoc.readers import load
from traindoc.run import Role


def _loss(e: int) -> float:
    return 1.5 * math.exp(-e / 10) + 0.2


def _write(path, header, rows):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_validation_values_appended_to_each_row_are_read_as_val(tmp_path):
    path = tmp_path / "log.csv"
    _write(path, ["epoch", "loss", "acc"],
           [[e, round(_loss(e), 4), round(0.5 + e / 100, 4), round(_loss(e) + 0.1, 4), round(0.48 + e / 100, 4)]
            for e in range(1, 31)])
    run = load(path).runs[0]
    assert run.series["val_loss"].role is Role.VAL_LOSS and len(run.series["val_loss"]) == 30
    assert run.series["val_loss"].values[0] == round(_loss(1) + 0.1, 4)
    assert any("repeat the named values" in n for n in run.meta.notes)


def test_extra_values_of_another_scale_are_kept_unnamed(tmp_path):
    path = tmp_path / "log.csv"
    _write(path, ["epoch", "loss", "acc"],
           [[e, round(_loss(e), 4), round(0.5 + e / 100, 4), 1000 + 17 * e, 3600 * e] for e in range(1, 31)])
    run = load(path).runs[0]
    assert "val_loss" not in run.series
    assert list(run.series["field 4"].values[:2]) == [1017, 1034] and len(run.series["field 5"]) == 30
    assert run.series["field 4"].role is Role.OTHER
    assert not any(f.severity.name in ("WARNING", "ERROR") for f in diagnose(run))


def test_separators_at_the_end_of_some_rows_are_not_cells(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss,acc\n" + "".join(f"{e},{_loss(e):.4f},{0.5 + e / 100:.4f}" + "," * (e % 3) + "\n"
                                                 for e in range(1, 31)))
    run = load(path).runs[0]
    assert set(run.series) == {"loss", "acc"} and len(run.series["loss"]) == 30


def _two_headers(tmp_path, second: str, third_value: str):
    """15 epochs under ``epoch,loss,val_loss``-like names, then a new header ``second`` and 15 more."""
    path = tmp_path / "log.csv"
    lines = ["epoch,loss"] + [f"{e},{_loss(e):.4f}" for e in range(1, 16)] if second.endswith("val_loss") else \
        ["epoch,loss,val_loss"] + [f"{e},{_loss(e):.4f},{_loss(e) + 0.1:.4f}" for e in range(1, 16)]
    lines += [second] + [f"{e},{_loss(e):.4f},{third_value.format(_loss(e) + 0.1)}" for e in range(1, 16)]
    path.write_text("\n".join(lines) + "\n")
    return load(path).runs


def test_a_second_header_part_way_down_starts_a_run_read_under_its_names(tmp_path):
    runs = _two_headers(tmp_path, "epoch,loss,val_loss", "{:.4f}")
    assert len(runs) == 2
    assert "val_loss" not in runs[0].series and len(runs[1].series["val_loss"]) == 15
    assert runs[1].series["val_loss"].values[0] == round(_loss(1) + 0.1, 4)


def test_columns_of_a_later_header_are_not_logged_before_it(tmp_path):
    runs = _two_headers(tmp_path, "epoch,loss,lr", "0.001")
    assert "val_loss" not in runs[1].series and len(runs[0].series["val_loss"]) == 15
    assert list(runs[1].series["lr"].values[:2]) == [0.001, 0.001]
    assert not any(f.id == "nonfinite" for r in runs for f in diagnose(r))
