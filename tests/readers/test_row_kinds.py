"""Tables whose rows are of several kinds (a train row and a val row per epoch, batch rows and a summary row),
rows wider than the header, and running totals: read as one run with each kind's values under names of
their own, never as a run restarting every epoch and never with cells dropped."""

from __future__ import annotations

import csv
import math

import pytest

from traindoc import diagnose
from traindoc.readers import load, reader_for
from traindoc.readers._running_total import is_running_total
from traindoc.run import Role, Series


def _long_rows(epochs: int = 20):
    for e in range(1, epochs + 1):
        yield e, "train", 1.2 * math.exp(-e / 8) + 0.2, 0.5 + 0.4 * (1 - math.exp(-e / 6))
        yield e, "val", 1.25 * math.exp(-e / 8) + 0.25, 0.48 + 0.4 * (1 - math.exp(-e / 6))


def test_a_split_column_from_pandas_is_one_run_with_val_series(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "training_log.csv"
    pd.DataFrame(list(_long_rows()), columns=["epoch", "phase", "loss", "acc"]).to_csv(path, index=False)
    result = load(path)
    assert len(result.runs) == 1
    run = result.runs[0]
    assert run.format == "generic_table"
    assert len(run.series["loss"]) == 20 and len(run.series["val_loss"]) == 20
    assert run.series["val_loss"].role is Role.VAL_LOSS
    assert run.series["val_loss"].values[0] == pytest.approx(1.25 * math.exp(-1 / 8) + 0.25)
    assert run.meta.segment is None or run.meta.segment == (1, 1)
    assert any("tags each row's kind" in n for n in run.meta.notes)
    assert not any(f.id in ("appended-runs", "divergence") for f in diagnose(run))


def test_val_rows_wider_than_the_header_are_kept_unnamed(tmp_path):
    path = tmp_path / "training_log.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "phase", "loss", "acc"])
        for e in range(1, 31):
            w.writerow([e, "train", round(0.5 - 0.005 * e, 4), 47 + e])
            # twelve numbers under a four-name header: accuracy in percent, an IoU, per-class scores
            w.writerow([e, "val", 55 + e, 0.37 + 0.01 * e, *[40 + e + k for k in range(10)]])
    result = load(path)
    assert len(result.runs) == 1
    run = result.runs[0]
    assert len(run.series["loss"]) == 30
    unnamed = [n for n in run.series if n.startswith("val field ")]
    assert len(unnamed) == 12  # no cell dropped
    assert all(run.series[n].role is Role.OTHER for n in unnamed)
    assert run.series["val field 3"].values[0] == 56  # the val row's first value, not read as "loss"
    assert not any(f.severity.name in ("WARNING", "ERROR") for f in diagnose(run))


def test_batch_rows_of_an_epoch_are_one_run(tmp_path):
    path = tmp_path / "training_log.csv"
    lines = ["epoch,batch,loss"]
    for e in range(5):
        for b in range(14):
            lines.append(f"{e},{b},{1.1 - 0.07 * e - 0.002 * b + 0.03 * ((b * 7) % 5 - 2):.4f}")
    path.write_text("\n".join(lines) + "\n")
    assert reader_for(path).NAME == "generic_table"
    result = load(path)
    assert len(result.runs) == 1 and len(result.runs[0].series["loss"]) == 70
    assert not any(f.id == "appended-runs" for f in diagnose(result.runs[0]))


def test_an_epoch_repeated_without_a_counter_inside_is_still_a_restart(tmp_path):
    path = tmp_path / "training_log.csv"
    path.write_text("epoch,train_loss,val_loss\n1,0.78,0.20\n1,1.41,1.38\n1,1.41,1.38\n2,1.39,1.37\n")
    assert reader_for(path).NAME == "keras_csv"
    assert len(load(path).runs) == 3


def test_a_running_total_within_each_epoch_is_not_judged_as_a_loss(tmp_path):
    path = tmp_path / "training_log.csv"
    lines = ["Epoch,Batch,Loss"]
    for e in range(1, 11):
        total = 0.0
        for b in range(1, 402):
            total += 0.25 - 0.015 * e + 0.01 * ((b * 13) % 7 - 3) / 3
            if b % 100 == 1:
                lines.append(f"{e},{b},{total}")
        lines.append(f"{e},summary,{2.0 - 0.15 * e},{0.3 + 0.05 * e},6986")
    path.write_text("\n".join(lines) + "\n")
    run = load(path).runs[0]
    assert "Loss (running total)" in run.series and "Loss" not in run.series
    assert run.series["Loss (running total)"].role is Role.OTHER
    assert len(run.series["summary field 3"]) == 10
    assert not any(f.severity.name in ("WARNING", "ERROR") for f in diagnose(run))


def test_a_noisy_batch_loss_is_no_running_total():
    steps = [e for e in range(6) for _ in range(5)]
    values = [1.0 - 0.1 * e + 0.05 * ((i * 7) % 5 - 2) for i, e in enumerate(steps)]
    assert not is_running_total(Series.named("loss", steps, values))
    climbing = [0.2 * (1 + i % 5) * (1 + 0.01 * i) for i in range(30)]
    assert is_running_total(Series.named("loss", steps, climbing))


def test_a_melted_long_table_gets_one_column_per_metric_and_split(tmp_path):
    pd = pytest.importorskip("pandas")
    wide = pd.DataFrame([{"epoch": e, "split": s, "loss": 1.0 / e + (0.1 if s == "val" else 0), "acc": 0.5 + e / 100}
                         for e in range(1, 31) for s in ("train", "val")])
    path = tmp_path / "training_log.csv"
    wide.melt(id_vars=["epoch", "split"], var_name="metric", value_name="value").to_csv(path, index=False)
    run = load(path).runs[0]
    assert {"loss", "acc", "val_loss", "val_acc"} <= set(run.series)
    assert "value" not in run.series
    assert run.series["val_loss"].values[0] == pytest.approx(1.1) and len(run.series["loss"]) == 30


def test_an_export_listing_each_tag_in_turn_is_one_run_in_step_order(tmp_path):
    path = tmp_path / "loss_history.csv"
    lines = ["filename,tag,step,value"]
    for tag in ("train/current_loss", "train/tot_loss"):
        for k in range(1, 41):
            row = f"events.out.tfevents.1,{tag},{100 * k},{2.7 - 0.01 * k + 0.02 * (k % 3)}"
            lines += [row, row] if tag.endswith("tot_loss") else [row]  # a row written twice counts once
    path.write_text("\r\n".join(lines) + "\r\n")
    result = load(path)
    assert len(result.runs) == 1
    run = result.runs[0]
    assert len(run.series["train/current_loss"]) == 40 and len(run.series["train/tot_loss"]) == 40
    assert list(run.series["train/tot_loss"].steps) == sorted(run.series["train/tot_loss"].steps)
    assert not any(f.id == "appended-runs" for f in diagnose(run))


def test_a_tag_whose_steps_go_back_still_shows_the_appended_run(tmp_path):
    path = tmp_path / "export.csv"
    lines = ["step,tag,value"]
    for _ in range(2):  # the same run launched twice, appended to one export
        lines += [f"{k},loss,{2.0 - 0.02 * k}" for k in range(1, 31)]
    path.write_text("\n".join(lines) + "\n")
    runs = load(path).runs
    assert len(runs) == 2 and runs[1].meta.segment == (2, 2)
    assert any(f.id == "appended-runs" for f in diagnose(runs[1]))
