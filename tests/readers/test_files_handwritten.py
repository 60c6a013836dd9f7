"""Readers on small hand-written files that follow the real writers' formats (tests/data/readers_files)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from traindoc.readers import load, read_file, reader_for
from traindoc.run import Role

DATA = Path(__file__).resolve().parents[1] / "data" / "readers_files"


def _only(path):
    runs = load(path).runs
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


# ---------------------------------------------------------------- Ultralytics
@pytest.mark.parametrize("name,points", [("yolo_run/results.csv", 4), ("ultralytics_results_v83.csv", 3)])
def test_ultralytics_results(name, points):
    path = DATA / name
    assert reader_for(path).NAME == "ultralytics"
    run = _only(path)
    s = run.series
    assert "epoch" not in s and "time" not in s
    assert s["train/box_loss"].role == Role.TRAIN_LOSS and s["val/cls_loss"].role == Role.VAL_LOSS
    assert s["metrics/mAP50-95(B)"].role == Role.VAL_METRIC and s["metrics/mAP50-95(B)"].higher_is_better
    assert s["metrics/precision(B)"].role == Role.VAL_METRIC  # computed on the validation set
    assert s["lr/pg0"].role == Role.LR
    assert list(s["train/box_loss"].steps) == list(range(1, points + 1)) and s["train/box_loss"].axis == "epoch"
    assert s["metrics/mAP50(B)"].values[1] == pytest.approx(0.29871)
    assert math.isnan(s["val/box_loss"].values[2]) and len(s["val/box_loss"]) == points  # nan kept


def test_ultralytics_args_yaml_gives_hparams():
    run = _only(DATA / "yolo_run" / "results.csv")
    assert run.meta.hparams["lr0"] == 0.01 and run.meta.hparams["epochs"] == 4
    assert run.name == "yolo_run/results.csv"


def test_ultralytics_time_column_is_wall_time():
    run = _only(DATA / "ultralytics_results_v83.csv")
    assert np.allclose(run.series["train/cls_loss"].wall_time, [61.5, 123.0, 184.5])


def test_yolov5_results_csv_names_its_learning_rates_x_lr(tmp_path):
    # YOLOv5's own results.csv (train.py, ``%20.5g`` cells, header padded to 20): the learning rate of
    # each parameter group is ``x/lr0..2``; with SGD x/lr0 (biases) falls from warmup_bias_lr during
    # the warm-up while x/lr1 and x/lr2 (weights) climb from 0.
    header = ["epoch", "train/box_loss", "train/obj_loss", "train/cls_loss", "metrics/precision", "metrics/recall",
              "metrics/mAP_0.5", "metrics/mAP_0.5:0.95", "val/box_loss", "val/obj_loss", "val/cls_loss",
              "x/lr0", "x/lr1", "x/lr2"]
    rows = [[0, 0.1, 0.03, 0.02, 0.3, 0.4, 0.3, 0.1, 0.08, 0.02, 0.01, 0.0701, 0.0033, 0.0033],
            [1, 0.08, 0.025, 0.015, 0.5, 0.5, 0.5, 0.2, 0.07, 0.02, 0.01, 0.0401, 0.0066, 0.0066],
            [2, 0.07, 0.02, 0.012, 0.6, 0.6, 0.6, 0.3, 0.06, 0.02, 0.01, 0.0095, 0.0095, 0.0095]]
    path = tmp_path / "results.csv"
    path.write_text("\n".join([",".join(f"{h:>20s}" for h in header)] +
                              [",".join(f"{v:>20.5g}" for v in r) for r in rows]) + "\n")
    assert reader_for(path).NAME == "ultralytics"
    s = _only(path).series
    assert all(s[f"x/lr{i}"].role == Role.LR for i in range(3))
    assert s["train/obj_loss"].role == Role.TRAIN_LOSS and s["metrics/mAP_0.5:0.95"].role == Role.VAL_METRIC
    assert list(s["x/lr1"].values) == pytest.approx([0.0033, 0.0066, 0.0095])


# ---------------------------------------------------------------- detectron2
def test_detectron2_metrics_json():
    path = DATA / "d2_run" / "metrics.json"
    assert reader_for(path).NAME == "detectron2"
    run = _only(path)
    s = run.series
    assert list(s["total_loss"].steps) == list(range(19, 200, 20))
    assert s["total_loss"].role == Role.TRAIN_LOSS and s["loss_cls"].role == Role.TRAIN_LOSS
    assert s["lr"].role == Role.LR and s["lr"].values[-1] == pytest.approx(0.00025)
    # Evaluation rows at their own cadence, on the same iteration axis.
    assert list(s["bbox/AP"].steps) == [99, 199] and list(s["bbox/AP"].values) == [12.5, 20.25]
    assert s["bbox/AP50"].role == Role.VAL_METRIC
    assert s["bbox/APs"].role == Role.VAL_METRIC and s["bbox/APs"].higher_is_better  # small-object AP
    assert s["fast_rcnn/cls_accuracy"].role == Role.TRAIN_METRIC
    assert "iteration" not in s
    assert any("skipped 1 line" in n and "line 13" in n for n in run.meta.notes)  # the cut last line
    assert run.meta.num_classes == 1 and run.meta.hparams["SOLVER.MAX_ITER"] == 300  # config.yaml beside it


def test_detectron2_resume_and_restart(tmp_path):
    rows = [{"iteration": i, "total_loss": 2.0 - i / 100, "lr": 0.01} for i in (19, 39, 59, 79)]
    resumed = [{"iteration": i, "total_loss": 1.5 - i / 1000, "lr": 0.01} for i in (59, 79, 99)]
    fresh = [{"iteration": i, "total_loss": 3.0, "lr": 0.02} for i in (19, 39)]
    path = tmp_path / "metrics.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows + resumed + fresh))
    runs = load(path).runs
    assert len(runs) == 2 and [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    first = runs[0]
    assert first.meta.resume_steps == [59.0]
    assert list(first.series["total_loss"].steps) == [19, 39, 59, 79, 99]
    assert first.series["total_loss"].values[2] == pytest.approx(1.5 - 0.059)  # the resumed attempt's value
    assert list(runs[1].series["lr"].values) == [0.02, 0.02]


def test_detectron2_run_killed_after_its_first_write_then_started_again(tmp_path):
    """A training row at an iteration that already has one starts the run again; an evaluation row
    at a training row's iteration (before or after it) does not."""
    killed = [{"iteration": 19, "total_loss": 2.17, "lr": 0.01}]
    again = [{"iteration": i, "total_loss": 2.15 - i / 200, "lr": 0.01} for i in (19, 39, 59, 79, 99)]
    evals = [{"iteration": 99, "bbox/AP": 10.0}]
    path = tmp_path / "metrics.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in killed + again + evals))
    runs = load(path).runs
    assert len(runs) == 2 and list(runs[0].series["total_loss"].values) == [2.17]
    assert list(runs[1].series["total_loss"].steps) == [19, 39, 59, 79, 99]
    assert list(runs[1].series["bbox/AP"].steps) == [99]
    # Control: evaluation first, then the training row of the same iteration: one run.
    path.write_text("".join(json.dumps(r) + "\n" for r in again[:2] + [{"iteration": 59, "bbox/AP": 5.0}]
                            + again[2:]))
    (run,) = load(path).runs
    assert list(run.series["total_loss"].steps) == [19, 39, 59, 79, 99] and not run.meta.resume_steps


# ---------------------------------------------------------------- MMEngine / MMDetection 2
def test_mmengine_scalars_validation_at_last_iteration_of_epoch():
    path = DATA / "mmengine_run" / "vis_data" / "scalars.json"
    assert reader_for(path).NAME == "mmengine"
    run = _only(path)
    s = run.series
    assert list(s["loss"].steps) == [50, 100, 150, 200, 250, 300] and s["loss"].role == Role.TRAIN_LOSS
    assert s["loss_cls"].role == Role.TRAIN_LOSS and s["lr"].role == Role.LR
    # Validation "step" 1, 2, 3 are epochs: placed at the last training iteration of each epoch.
    assert list(s["coco/bbox_mAP"].steps) == [100, 200, 300]
    assert list(s["coco/bbox_mAP"].values) == [0.101, 0.187, 0.244]
    assert s["coco/bbox_mAP"].role == Role.VAL_METRIC
    assert list(s["val/time"].steps) == [100, 200, 300] and list(s["time"].steps) == [50, 100, 150, 200, 250, 300]
    assert "epoch" not in s and "iter" not in s and "step" not in s
    assert run.meta.num_classes == 1  # from vis_data/config.py, read as text


def test_mmengine_iteration_based_validation_step_is_the_iteration(tmp_path):
    rows = [{"lr": 0.01, "loss": 1.0 - i / 1000, "time": 0.2, "iter": i, "memory": 100, "step": i} for i in (100, 200)]
    rows.insert(2, {"accuracy/top1": 55.0, "step": 200})
    rows.append({"lr": 0.01, "loss": 0.5, "time": 0.2, "iter": 300, "memory": 100, "step": 300})
    path = tmp_path / "scalars.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = _only(path)
    top1 = run.series["val/accuracy/top1"]
    assert list(top1.steps) == [200] and top1.role == Role.VAL_METRIC


def test_mmengine_timestamp_json_beside_scalars_is_not_read_twice(tmp_path):
    vis = tmp_path / "20240101_120000" / "vis_data"
    vis.mkdir(parents=True)
    text = (DATA / "mmengine_run" / "vis_data" / "scalars.json").read_text()
    (vis / "scalars.json").write_text(text)
    (vis / "20240101_120000.json").write_text(text)
    runs = load(tmp_path).runs
    assert [Path(r.source).name for r in runs] == ["scalars.json"]
    assert reader_for(vis / "20240101_120000.json").NAME == "mmengine"  # named explicitly: still read
    assert len(load(vis / "20240101_120000.json").runs) == 1


def test_mmdet2_log_json():
    path = DATA / "mmdet2_toy.log.json"
    assert reader_for(path).NAME == "mmengine"
    run = _only(path)
    assert run.format == "mmdet2_log_json"
    s = run.series
    # iter counts within the epoch (50, 100 per epoch): made global.
    assert list(s["loss"].steps) == [50, 100, 150, 200]
    assert s["loss"].values[-1] == pytest.approx(1.08) and s["loss"].role == Role.TRAIN_LOSS
    assert list(s["bbox_mAP"].steps) == [100, 200] and s["bbox_mAP"].role == Role.VAL_METRIC
    assert "bbox_mAP_copypaste" not in s and "mode" not in s
    assert len(s["lr"]) == 4  # validation rows' lr is a copy, not a point
    assert run.meta.num_classes == 3  # from the config text, never executed
    assert run.meta.hparams["seed"] == 42


# ---------------------------------------------------------------- generic tables
def test_generic_csv_with_step_column_and_nan_spellings(tmp_path):
    path = tmp_path / "my_log.csv"
    path.write_text("step,loss,val_acc,note\n0,2.0,0.1,ok\n10,nan,0.2,ok\n20,-Infinity,,ok\n30,1.0,NaN,ok\n40,inf,-nan,\n")
    assert reader_for(path).NAME == "generic_table"
    run = _only(path)
    loss = run.series["loss"]
    assert list(loss.steps) == [0, 10, 20, 30, 40] and loss.role == Role.TRAIN_LOSS
    assert math.isnan(loss.values[1]) and loss.values[2] == -math.inf and loss.values[4] == math.inf
    acc = run.series["val_acc"]
    assert len(acc) == 5 and np.isnan(acc.values[2:]).all()  # dense table: empty where a number belongs -> NaN
    assert "note" not in run.series and "step" not in run.series


def test_text_cells_in_numeric_columns_are_skipped_with_a_note(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("step,loss,acc\n1,2.0,0.1\n2,oops,0.2\n3,1.0,0.3\n")
    run = _only(path)
    assert list(run.series["loss"].steps) == [1, 3] and len(run.series["acc"]) == 3
    assert any("skipped 1 cell" in n and "loss (1)" in n for n in run.meta.notes)
    keras = tmp_path / "keras.csv"
    keras.write_text("epoch,loss,val_loss\n0,0.9,1.0\n1,0.8,NA\n2,0.7,tensor(0.9)\n3,0.6,bad\n")
    run = _only(keras)
    assert run.format == "keras_csv"
    assert list(run.series["val_loss"].steps) == [0, 2] and run.series["val_loss"].values[1] == pytest.approx(0.9)
    assert any("val_loss (1)" in n for n in run.meta.notes)  # "bad" noted, "NA" is not-logged


def test_keras_csv_other_separator_and_empty_cell(tmp_path):
    path = tmp_path / "training.log"
    lines = ["epoch;accuracy;loss;val_loss"] + [f"{e};0.5;{1 - e / 1000};{1.1 - e / 1000}" for e in range(300)]
    lines[-1] = "299;0.9;;nan"  # past the 4 KiB head: an empty cell in a dense row
    path.write_text("\n".join(lines) + "\n")
    assert reader_for(path).NAME == "keras_csv"
    run = _only(path)
    assert list(run.series["loss"].steps) == list(range(300))
    assert np.isnan(run.series["loss"].values[-1]) and np.isnan(run.series["val_loss"].values[-1])
    assert run.series["loss"].n_nonfinite == 1 and run.series["accuracy"].values[-1] == pytest.approx(0.9)


def test_generic_tsv_without_step_column_uses_row_number(tmp_path):
    path = tmp_path / "curve.tsv"
    path.write_text("train_loss\tlearning_rate\n3.0\t0.1\n2.5\t0.1\n2.0\t0.05\n")
    run = _only(path)
    assert list(run.series["train_loss"].steps) == [0, 1, 2]
    assert run.series["learning_rate"].role == Role.LR
    assert any("row number" in n for n in run.meta.notes)


def test_generic_sparse_table_and_restart(tmp_path):
    lines = ["epoch,loss,val_loss"] + [f"{e},{1 - e / 10},\n{e},,{1.1 - e / 10}" for e in range(3)]
    lines += [f"{e},{2 - e / 10}," for e in range(2)]
    path = tmp_path / "epochs.csv"
    path.write_text("\n".join(lines) + "\n")
    runs = load(path).runs
    assert len(runs) == 2
    first = runs[0]
    assert first.series["loss"].axis == "epoch" and list(first.series["loss"].steps) == [0, 1, 2]
    assert list(first.series["val_loss"].values) == pytest.approx([1.1, 1.0, 0.9])  # empty = not logged
    assert "val_loss" not in runs[1].series
    assert any("starts over" in n for n in runs[1].meta.notes)


def test_generic_json_lines_null_is_nan(tmp_path):
    path = tmp_path / "log.jsonl"
    rows = [{"global_step": 1, "loss": 1.0, "tag": "a"}, {"global_step": 2, "loss": None},
            {"global_step": 3, "loss": float("nan"), "eval_f1": 0.5}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert reader_for(path).NAME == "generic_table"
    run = _only(path)
    loss = run.series["loss"]
    assert list(loss.steps) == [1, 2, 3] and np.isnan(loss.values[1:]).all()
    assert list(run.series["eval_f1"].steps) == [3] and run.series["eval_f1"].role == Role.VAL_METRIC
    assert "tag" not in run.series


def test_data_csv_without_log_columns_still_goes_to_generic_table(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("sepal_length,sepal_width,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n")
    assert reader_for(path).NAME == "generic_table"
    path = tmp_path / "epochs.csv"  # "epoch" first, no loss: not a Keras CSVLogger
    path.write_text("epoch,score\n1,0.5\n2,0.6\n")
    assert reader_for(path).NAME == "generic_table"


# ---------------------------------------------------------------- plain-text logs
def test_nanogpt_log():
    path = DATA / "nanogpt_train.log"
    assert reader_for(path).NAME == "text_log"
    run = _only(path)
    s = run.series
    assert list(s["loss"].steps) == [0, 10, 20, 30, 40, 50, 60] and s["loss"].values[1] == pytest.approx(3.2457)
    assert list(s["train_loss"].steps) == [0, 50] and list(s["val_loss"].values) == [4.2823, 2.5102]
    assert s["val_loss"].role == Role.VAL_LOSS
    assert s["mfu"].values[0] == -100.0 and s["time"].values[1] == pytest.approx(20.11)


def test_pipe_style_log_with_nan_and_restart():
    runs = load(DATA / "pipe_style.log").runs
    assert len(runs) == 2
    first, second = runs
    assert list(first.series["loss"].steps) == [100, 200, 300, 400]
    assert np.isnan(first.series["loss"].values[2:]).all()
    assert first.series["grad_norm"].values[2] == math.inf and first.series["grad_norm"].role == Role.GRAD_NORM
    assert list(first.series["lr"].values) == [1e-4] * 4  # the "restarting with lr=5e-5" remark is no point
    assert list(second.series["lr"].values) == [5e-5] * 3


def test_pytorch_mnist_example_log():
    run = _only(DATA / "pytorch_mnist.log")
    loss = run.series["loss"]
    assert loss.axis == "epoch" and len(loss) == 6
    assert loss.steps[1] == pytest.approx(0.5) and loss.steps[3] == pytest.approx(1.0)
    assert list(run.series["test_loss"].steps) == [1, 2] and run.series["test_loss"].role == Role.VAL_LOSS
    assert list(run.series["test_accuracy"].values) == pytest.approx([0.9835, 0.9889])


def test_fairseq_logs():
    run = _only(DATA / "fairseq_train.log")
    s = run.series
    assert list(s["loss"].steps) == [100, 200, 300] and s["loss"].values[0] == pytest.approx(9.934)
    assert list(s["valid_loss"].steps) == [200] and s["valid_loss"].role == Role.VAL_LOSS
    assert list(s["epoch_loss"].values) == [9.402]  # the epoch summary, apart from per-update points
    assert s["epoch_loss"].role == Role.TRAIN_LOSS and run.primary(Role.TRAIN_LOSS).name == "loss"
    assert list(s["epoch_train_wall"].values) == [161] and list(s["train_wall"].values) == [81, 80, 81]
    assert s["lr"].role == Role.LR and s["gnorm"].role == Role.GRAD_NORM
    legacy = _only(DATA / "fairseq_legacy.log")
    assert list(legacy.series["loss"].steps) == [500, 1000]
    assert list(legacy.series["valid_loss"].values) == [4.1, 3.8]
    assert legacy.series["valid_ppl"].role == Role.VAL_METRIC


def test_keras_verbose_text_written_by_hand(tmp_path):
    path = tmp_path / "train.out"
    path.write_text("Epoch 1/2\n\x1b[1m4/4\x1b[0m \x1b[32m━━━━\x1b[0m \x1b[1m0s\x1b[0m 3ms/step - accuracy: 0.5000 - loss: 0.7000"
                    "\x08\x08\r\x1b[1m4/4\x1b[0m 0s 9ms/step - accuracy: 0.5500 - loss: 0.6900 - val_accuracy: 0.6000 - val_loss: 0.6800\n"
                    "Epoch 2/2\n4/4 - 0s - 2ms/step - accuracy: 0.6000 - loss: nan - val_accuracy: 0.6000 - val_loss: nan\n")
    run = _only(path)
    assert list(run.series["loss"].steps) == [1, 2] and run.series["loss"].values[0] == pytest.approx(0.69)
    assert math.isnan(run.series["val_loss"].values[1])


def test_tqdm_progress_redraws_collapse(tmp_path):
    path = tmp_path / "lightning_stdout.txt"
    bar = "Epoch {e}: {p}%|####| {n}/50 [00:01<00:00, 30.5it/s, loss={l}, v_num=0{v}]"
    path.write_text(bar.format(e=0, p=50, n=25, l="0.9", v="") + "\r"
                    + bar.format(e=0, p=100, n=50, l="0.7", v="") + "\r"
                    + bar.format(e=0, p=100, n=50, l="0.7", v=", val_loss=0.8") + "\n"
                    + bar.format(e=1, p=100, n=50, l="0.5", v=", val_loss=0.6") + "\n")
    run = _only(path)
    assert list(run.series["loss"].steps) == [0, 1] and list(run.series["loss"].values) == [0.7, 0.5]
    assert list(run.series["val_loss"].values) == [0.8, 0.6]
    assert any(n.startswith("2 redraw(s)") for n in run.meta.notes)


@pytest.mark.parametrize("text", [
    "This project trains a model.\nThe loss is low.\nSee step 3 of the guide.\n",
    "lr: 0.001\nbatch_size: 32\nepochs: 10\nmodel: resnet\n",  # a YAML config
    "# Results\n\n| model | acc |\n|---|---|\n| a | 0.9 |\n",
])
def test_text_that_is_not_a_log_is_not_claimed(tmp_path, text):
    path = tmp_path / "notes.txt"
    path.write_text(text)
    assert reader_for(path) is None or reader_for(path).NAME not in ("text_log", "keras_csv", "lightning_csv")


def test_hf_log_history_going_back_is_a_resume(tmp_path):
    entries = [{"loss": 1.0 - s / 100, "learning_rate": 0.1, "grad_norm": 1.0, "epoch": s / 8, "step": s} for s in (2, 4, 6, 8)]
    entries += [{"loss": 0.5, "learning_rate": 0.1, "grad_norm": math.inf, "epoch": s / 8, "step": s} for s in (6, 8, 10)]
    entries.append({"train_loss": 0.7, "train_runtime": 3.5, "epoch": 1.25, "step": 10, "total_flos": 0.0})
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"global_step": 10, "max_steps": 10, "num_train_epochs": 2, "log_history": entries}))
    run = _only(path)
    assert run.meta.resume_steps == [6.0]
    assert list(run.series["loss"].steps) == [2, 4, 6, 8, 10] and run.series["loss"].values[2] == 0.5
    assert "train_loss" not in run.series and run.meta.hparams["num_train_epochs"] == 2
    assert any("from step 6" in n and "logging_nan_inf_filter" in n for n in run.meta.notes)



def test_pytorch_imagenet_example_log():
    run = _only(DATA / "pytorch_imagenet.log")
    s = run.series
    # Epoch: [e][b/40] -> batches counted from the first epoch: 0, 10, 40, 50.
    assert list(s["loss"].steps) == [0, 10, 40, 50]
    assert s["loss"].values[1] == pytest.approx(7.2454) and math.isnan(s["loss"].values[3])  # not the average
    assert s["acc1"].role == Role.TRAIN_METRIC
    # Test: [k/N] lines and the " * Acc@1" summary at the last training x, the summary's value kept.
    assert list(s["test_acc1"].steps) == [10] and list(s["test_acc1"].values) == [0.61]
    assert s["test_loss"].role == Role.VAL_LOSS and list(s["test_loss"].values) == [6.9]


def test_tutorial_style_epoch_step_brackets():
    run = _only(DATA / "tutorial_style.log")
    assert list(run.series["loss"].steps) == [100, 200, 300, 700]  # Epoch [2/5], Step [100/600] -> 600 + 100
    assert list(run.series) == ["loss"]


def test_utf16_text_log_from_windows_redirect(tmp_path):
    path = tmp_path / "train.log"
    path.write_bytes((DATA / "nanogpt_train.log").read_text().replace("\n", "\r\n").encode("utf-16"))
    assert reader_for(path).NAME == "text_log"
    assert list(_only(path).series["loss"].steps) == [0, 10, 20, 30, 40, 50, 60]
    csv_path = tmp_path / "log.csv"
    csv_path.write_bytes("step,loss\r\n1,0.5\r\n2,0.4\r\n".encode("utf-16"))
    assert list(_only(csv_path).series["loss"].values) == [0.5, 0.4]


def test_tensorboard_csv_download_is_named_after_its_tag(tmp_path):
    path = tmp_path / "run-version_0_train-tag-epoch_loss.csv"
    path.write_text("Wall time,Step,Value\n1700000000.5,0,0.9\n1700000010.25,1,0.7\n1700000020.0,2,nan\n")
    run = _only(path)
    s = run.series["epoch_loss"]
    assert s.role == Role.TRAIN_LOSS and list(s.steps) == [0, 1, 2] and math.isnan(s.values[2])
    assert s.wall_time[1] == pytest.approx(1700000010.25)
    assert list(run.series) == ["epoch_loss"]


@pytest.mark.parametrize("stem,name,role", [("val_loss", "val_loss", Role.VAL_LOSS),
                                             ("train_accuracy", "train_accuracy", Role.TRAIN_METRIC),
                                             ("export", "value", Role.OTHER)])
def test_tensorboard_csv_download_saved_under_its_own_name(tmp_path, stem, name, role):
    """The same download renamed by its user (val_loss.csv): the file name says what the values are,
    as it does for a file of bare numbers; a name that names nothing leaves them "value"."""
    path = tmp_path / f"{stem}.csv"
    path.write_text("Wall time,Step,Value\n1700000000.5,499,5.57\n1700000010.25,999,5.09\n1700000020.0,1499,4.83\n")
    run = _only(path)
    assert list(run.series) == [name] and run.series[name].role == role


def test_keras_history_saved_through_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "history.json"
    pd.DataFrame({"loss": [0.9, 0.7, float("nan")], "val_accuracy": [0.5, 0.6, 0.65]}).to_json(path)
    run = _only(path)
    assert run.format == "keras_history"
    assert list(run.series["val_accuracy"].values) == [0.5, 0.6, 0.65]
    assert math.isnan(run.series["loss"].values[2])  # pandas writes NaN as null


def test_epoch_tables_going_back_to_a_later_epoch_are_resumes(tmp_path):
    keras = tmp_path / "keras.csv"
    rows = [f"{e},{1 - e / 10}" for e in range(5)] + [f"{e},{0.5 - e / 100}" for e in (3, 4, 5)] + ["0,2.0", "1,1.9"]
    keras.write_text("epoch,loss\n" + "\n".join(rows) + "\n")
    first, second = load(keras).runs
    assert first.meta.resume_steps == [3.0] and list(first.series["loss"].steps) == [0, 1, 2, 3, 4, 5]
    assert first.series["loss"].values[3] == pytest.approx(0.47)
    assert any("resumed from a checkpoint at epoch 3" in n and "2 point(s)" in n for n in first.meta.notes)
    assert list(second.series["loss"].values) == [2.0, 1.9] and second.meta.segment == (2, 2)
    # Two fit() calls of one epoch each: the repeated epoch 0 is a new run, not a duplicate point.
    one = tmp_path / "one.csv"
    one.write_text("epoch,loss\n0,0.9\n0,0.8\n")
    assert [len(r.series["loss"]) for r in load(one).runs] == [1, 1]


def test_nanogpt_resume_appended_to_the_same_log(tmp_path):
    path = tmp_path / "train.log"
    first = [f"iter {i}: loss {4 - i / 100:.4f}, time 20.00ms, mfu 18.00%" for i in range(0, 60, 10)]
    resumed = ["Resuming training from out-shakespeare-char"] + [
        f"iter {i}: loss {3 - i / 1000:.4f}, time 20.00ms, mfu 18.00%" for i in range(30, 80, 10)]
    path.write_text("\n".join(first + resumed) + "\n")
    run = _only(path)
    assert run.meta.resume_steps == [30.0]
    assert list(run.series["loss"].steps) == [0, 10, 20, 30, 40, 50, 60, 70]
    assert run.series["loss"].values[3] == pytest.approx(2.97)


def test_hf_nan_filter_without_grad_norm(tmp_path):
    # Older Trainers log no grad_norm: the filter still leaves a loss of exactly 0.0 and a NaN eval loss.
    entries = [{"loss": 0.7, "epoch": 0.5, "step": 5}, {"eval_loss": 0.6, "epoch": 0.5, "step": 5},
               {"loss": 0.0, "epoch": 1.0, "step": 10}, {"eval_loss": math.nan, "epoch": 1.0, "step": 10}]
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"global_step": 10, "log_history": entries}))
    note = next(n for n in _only(path).meta.notes if "logging_nan_inf_filter" in n)
    assert "from step 10" in note and "evaluation loss" in note
    entries[3]["eval_loss"] = 0.5  # a genuinely perfect fit with a finite eval loss: no note
    path.write_text(json.dumps({"global_step": 10, "log_history": entries}))
    assert not any("logging_nan_inf_filter" in n for n in _only(path).meta.notes)


def _kv_epoch_log(style: str, epochs: int = 5) -> str:
    lines = ["Starting training on cpu, 30 epochs"]
    for e in range(1, epochs + 1):
        tl, vl, va = 0.7 - 0.05 * e, 0.72 - 0.03 * e, 0.5 + 0.04 * e
        if style == "camel":
            lines.append(f"Epoch [{e:03d}/30] TrainLoss={tl:.4f} | ValLoss={vl:.4f} | ValAcc={va:.4f}")
        elif style == "camel_spaced":
            lines.append(f"Epoch [{e:03d}/30] TrainLoss = {tl:.4f} | TrainAcc = {va - 0.1:.4f} | "
                         f"ValLoss = {vl:.4f} | ValAcc = {va:.4f} | LR = 1.0e-03")
        else:
            lines.append(f"Epoch {e}/30 train_loss={tl:.4f} val_loss={vl:.4f} val_acc={va:.4f}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("style", ["camel", "camel_spaced", "snake"])
def test_key_value_epoch_lines(tmp_path, style):
    path = tmp_path / "train.log"
    path.write_text(_kv_epoch_log(style))
    assert reader_for(path).NAME == "text_log"
    run = _only(path)
    s = run.series
    assert s["train_loss"].role == Role.TRAIN_LOSS and s["val_loss"].role == Role.VAL_LOSS
    assert s["val_acc"].role == Role.VAL_METRIC and s["train_loss"].axis == "epoch"
    assert list(s["val_loss"].steps) == [1, 2, 3, 4, 5]
    assert s["val_loss"].values[2] == pytest.approx(0.63) and s["val_acc"].values[4] == pytest.approx(0.7)
    if style == "camel_spaced":
        assert s["lr"].role == Role.LR and s["train_acc"].role == Role.TRAIN_METRIC
        assert set(s) == {"train_loss", "train_acc", "val_loss", "val_acc", "lr"}


def test_one_key_value_epoch_line_is_a_run_stopped_after_one_epoch(tmp_path):
    """A counter and a loss on one line are a training record: a log stopped after its first epoch
    is read (one point), but the same line in a document is an example, and a loss with no counter
    is no record at all."""
    line = "Epoch [001/30] TrainLoss=0.6931 | ValLoss=0.7012\nThat was the first try.\n"
    path = tmp_path / "notes.txt"
    path.write_text(line)
    (run,) = read_file(path)
    assert list(run.series["train_loss"].steps) == [1] and run.series["val_loss"].values[0] == pytest.approx(0.7012)
    doc = tmp_path / "README.md"
    doc.write_text("# Results\n\n" + line)
    assert reader_for(doc) is None
    plain = tmp_path / "result.txt"
    plain.write_text("TrainLoss=0.6931 | ValLoss=0.7012\nThat was the first try.\n")
    assert reader_for(plain) is None


@pytest.mark.parametrize("header,fmt", [("step,loss,loss,lr", "generic_table"), ("epoch,loss,loss,lr", "keras_csv")])
def test_repeated_column_names_are_kept_apart_with_a_note(tmp_path, header, fmt):
    path = tmp_path / "log.csv"
    rows = [f"{i},{1.0 - 0.1 * i:.2f},{2.0 - 0.1 * i:.2f},0.01" for i in range(1, 6)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    assert reader_for(path).NAME == fmt
    run = _only(path)
    s = run.series
    assert list(s["loss"].values) == pytest.approx([0.9, 0.8, 0.7, 0.6, 0.5])  # the first column, not merged
    assert list(s["loss (2)"].values) == pytest.approx([1.9, 1.8, 1.7, 1.6, 1.5])
    assert list(s["loss"].steps) == [1, 2, 3, 4, 5] and s["loss (2)"].role == Role.TRAIN_LOSS
    assert any("repeated column" in n and "'loss (2)'" in n for n in run.meta.notes)


def test_unbracketed_epoch_and_step_counters(tmp_path):
    path = tmp_path / "train.log"
    lines = [f"Epoch {e}/3 Step {b}/500 loss={2.0 - 0.1 * e - b / 1000:.3f} lr=0.001"
             for e in (1, 2) for b in (100, 200, 300, 400, 500)]
    lines.append("Epoch 2/3 val_loss=1.7 val_acc=0.4")
    path.write_text("\n".join(lines) + "\n")
    run = _only(path)
    loss = run.series["loss"]
    assert loss.axis == "step" and list(loss.steps) == [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
    assert loss.values[5] == pytest.approx(1.7)
    assert list(run.series["val_loss"].steps) == [1000]  # an epoch summary among step lines: at the last step


def test_pandas_table_column_that_starts_later_is_not_nan(tmp_path):
    """pandas writes NaN as an empty cell: before a column's first value it means "not logged yet"."""
    pd = pytest.importorskip("pandas")
    head_only = [{"epoch": e, "train_loss": 1.0 - e / 10, "val_loss": float("nan")} for e in range(1, 6)]
    fine_tune = [{"epoch": e, "train_loss": 0.5 - e / 100, "val_loss": 0.6 - e / 100} for e in range(6, 12)]
    diverged = [{"epoch": e, "train_loss": float("nan"), "val_loss": float("nan")} for e in range(12, 14)]
    path = tmp_path / "history.csv"
    pd.DataFrame(head_only + fine_tune + diverged).to_csv(path, index=False)
    assert ",," in path.read_text()  # the real writer's empty cells
    run = _only(path)
    val = run.series["val_loss"]
    assert list(val.steps) == list(range(6, 14))  # nothing before its first value
    assert val.n_nonfinite == 2 and run.series["train_loss"].n_nonfinite == 2  # NaN after values is kept


_YOLO_HEADER = ("epoch,time,train/box_loss,train/cls_loss,train/dfl_loss,metrics/precision(B),metrics/recall(B),"
                "metrics/mAP50(B),metrics/mAP50-95(B),val/box_loss,val/cls_loss,val/dfl_loss,lr/pg0,lr/pg1,lr/pg2")


def _yolo_rows(epochs: int, validate_every_epoch: bool, val_cls: float = 0.0) -> str:
    """Rows as Ultralytics 8.3 writes them ('%.6g' cells); with val=False every epoch but the last
    gets 0 in each validation loss and metric cell."""
    lines = [_YOLO_HEADER]
    for e in range(1, epochs + 1):
        train = [1.6 - 0.05 * e, 2.4 - 0.15 * e, 1.45 - 0.03 * e]
        if validate_every_epoch or e == epochs:
            val = [0.5 + 0.04 * e, 0.45 + 0.04 * e, 0.3 + 0.05 * e, 0.2 + 0.04 * e, 1.2, 0.6, 1.15]
        else:
            val = [0, 0, 0, 0, 0, val_cls, 0]
        cells = [e, 50.0 * e, *train, *val, 1e-3, 1e-3, 1e-3]
        lines.append(",".join("%.6g" % c for c in cells))
    return "\n".join(lines) + "\n"


def test_ultralytics_epochs_not_validated_are_not_zero_scores(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(_yolo_rows(8, validate_every_epoch=False))
    run = _only(path)
    assert list(run.series["metrics/mAP50(B)"].steps) == [8] and list(run.series["val/box_loss"].steps) == [8]
    assert len(run.series["train/box_loss"]) == 8
    assert any("7 epoch(s) not validated" in n for n in run.meta.notes)
    # a validation that ran and scored 0 (a detector given no labels: its class loss is not 0) stays
    nolabels = tmp_path / "nolabels" / "results.csv"
    nolabels.parent.mkdir()
    nolabels.write_text(_yolo_rows(8, validate_every_epoch=False, val_cls=14.6))
    run = _only(nolabels)
    assert len(run.series["metrics/mAP50(B)"]) == 8 and run.series["metrics/mAP50(B)"].values[0] == 0
    assert not any("not validated" in n for n in run.meta.notes)


def test_validation_rows_among_training_rows_are_not_nan(tmp_path):
    """An old Lightning-style table written with csv.DictWriter: eight training rows per epoch, then
    one validation row; each row leaves the other kind's cells empty. Dense overall (most cells
    filled), yet every empty cell means "not logged", never NaN."""
    path = tmp_path / "metrics.csv"
    names = ["train_loss", "accuracy", "epoch", "created_at", "val_loss"]
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=names)
        w.writeheader()
        for e in range(6):
            for b in range(8):
                w.writerow({"train_loss": 0.7 / (1 + e * 8 + b), "accuracy": 0.5 + 0.05 * e, "epoch": e,
                            "created_at": f"2019-12-09 02:{e:02d}:{b:02d}"})
            w.writerow({"epoch": e, "created_at": f"2019-12-09 02:{e:02d}:59", "val_loss": 0.04 + 0.002 * e})
    run = _only(path)
    assert run.series["val_loss"].n_nonfinite == 0 and len(run.series["val_loss"]) == 6
    assert run.series["train_loss"].n_nonfinite == 0 and len(run.series["train_loss"]) == 48


def _progress_rows(n_iters: int, eval_every: int):
    """Rows as a Stable-Baselines3-style logger dumps them: training keys every iteration, and after an
    evaluation one more dump that holds only the time/rollout keys (its training cells are empty)."""
    import math

    keys = ["time/iterations", "time/total_timesteps", "rollout/ep_rew_mean", "train/value_loss",
            "train/policy_loss", "train/entropy_loss", "eval/mean_reward"]
    rows = []
    for i in range(1, n_iters + 1):
        row = {"time/iterations": i, "time/total_timesteps": 2048 * i, "rollout/ep_rew_mean": -500 + 10 * i,
               "train/value_loss": 1.0 / i, "train/policy_loss": -0.01 * math.exp(-i / 10),
               "train/entropy_loss": -1.4 + 0.01 * i}
        if i % eval_every == 0:
            row["eval/mean_reward"] = -400 + 10 * i
        rows.append(row)
        if i % eval_every == 0:  # the logger dumps again after the evaluation, with the time keys only
            rows.append({"time/iterations": i, "time/total_timesteps": 2048 * i})
    return keys, rows


def test_a_separate_dump_after_an_evaluation_is_not_a_nan_loss(tmp_path):
    """Rows that fill under half of the columns are separate writes: their empty loss cells are gaps, not NaN."""
    import csv

    from traindoc import diagnose

    keys, rows = _progress_rows(30, 5)
    path = tmp_path / "progress.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    (run,) = load(path)
    assert not [f for f in diagnose(run) if f.id == "nonfinite"]
    assert any("fill under half of the columns" in n for n in run.meta.notes)
    assert len(run.series["train/value_loss"].values) == 30  # every training point kept


def test_a_loss_gone_nan_written_by_pandas_keeps_its_nan_tail(tmp_path):
    """The same table whose losses stop for good (pandas writes the NaN as empty cells) still shows the NaN."""
    pd = pytest.importorskip("pandas")
    from traindoc import diagnose

    keys, rows = _progress_rows(30, 1000)
    for row in rows[20:]:
        for k in ("train/value_loss", "train/policy_loss", "train/entropy_loss"):
            row[k] = float("nan")
    path = tmp_path / "progress.csv"
    pd.DataFrame(rows, columns=keys).to_csv(path, index=False)
    assert [f for f in diagnose(path) if f.id == "nonfinite"]


@pytest.mark.parametrize("with_epoch", [True, False])
def test_a_history_saved_as_a_list_of_epoch_objects_reads(tmp_path, with_epoch):
    """``json.dump({"config": ..., "history": [{"epoch": 1, "train_loss": ...}, ...]})``, the other
    orientation of a history: each object is one epoch's row."""
    rows = []
    for e in range(1, 13):
        row = {"train_loss": 2.0 / e, "val_loss": 2.2 / e + 0.01 * e, "epoch_time_sec": 30.0 + e % 3}
        if with_epoch:
            row = {"epoch": e, **row}
        rows.append(row)
    path = tmp_path / "training_log.json"
    path.write_text(json.dumps({"seed": 1, "config": {"lr": 3e-4, "epochs": 12}, "history": rows}, indent=2))
    (run,) = load(path)
    assert len(run.series["train_loss"].values) == 12 and len(run.series["val_loss"].values) == 12
    steps = list(run.series["train_loss"].steps)
    assert steps[0] == (1 if with_epoch else 0) and steps[-1] == (12 if with_epoch else 11)
    assert "epoch" not in run.series


def test_a_json_config_with_a_list_of_settings_is_still_refused(tmp_path):
    """A config file whose lists hold objects without any loss or metric is not a history."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"layers": [{"units": 64, "activation": "relu"}, {"units": 10}], "lr": 0.01}))
    with pytest.raises(Exception):
        load(path)
