"""Console formats read by the text-log template learner, each from lines written in the shape
its program prints (format strings of Megatron-LM, timm, YOLOv5/v7, Keras, HF Trainer, fairseq…),
asserting the values, x and roles read."""

from __future__ import annotations

import math

import pytest

from traindoc.readers import load, reader_for
from traindoc.run import Role


def _read(tmp_path, text: str | bytes, name: str = "train.log"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    assert reader_for(path).NAME == "text_log"
    runs = load(path).runs
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


def test_llm_console_step_header_with_indented_values(tmp_path):
    lines = []
    for s in (10, 20, 30, 40):
        lines += [f"[step={s}/1000]", f"    loss={4.0 - s / 100:.4f}", f"    lr={3e-4 * s / 40:.2e}",
                  f"    grad_norm={1.0 + s / 1000:.3f}", "    tokens_per_sec=51234.5"]
    run = _read(tmp_path, "starting training\n" + "\n".join(lines) + "\n")
    s = run.series
    assert list(s["loss"].steps) == [10, 20, 30, 40] and s["loss"].values[3] == pytest.approx(3.6)
    assert s["loss"].role == Role.TRAIN_LOSS and s["lr"].role == Role.LR and s["grad_norm"].role == Role.GRAD_NORM
    assert s["lr"].values[0] == pytest.approx(7.5e-5)


def test_deepspeed_style_batch_counter(tmp_path):
    text = "".join(f"epoch: 0, batch: {b}, lr: 1.000e-04, loss: {2.5 - b / 1000:.4f}\n" for b in (100, 200, 300, 400))
    run = _read(tmp_path, text)
    assert list(run.series["loss"].steps) == [100, 200, 300, 400]
    assert run.series["loss"].values[-1] == pytest.approx(2.1) and run.series["lr"].role == Role.LR


def test_build_nanogpt_split_keyed_lines(tmp_path):
    lines = ["0 val 10.9512", "0 hella 0.2485"] + [f"{s} train {10.95 - s / 10:.6f}" for s in range(0, 6)]
    lines += ["5 val 10.4012"] + [f"{s} train {10.4 - s / 100:.6f}" for s in range(6, 9)]
    run = _read(tmp_path, "\n".join(lines) + "\n", name="log.txt")
    s = run.series
    assert list(s["train_loss"].steps) == list(range(9)) and s["train_loss"].role == Role.TRAIN_LOSS
    assert list(s["val_loss"].steps) == [0, 5] and list(s["val_loss"].values) == [10.9512, 10.4012]
    assert s["val_loss"].role == Role.VAL_LOSS
    assert any("split name" in n for n in run.meta.notes)


def test_megatron_iteration_lines_and_validation(tmp_path):
    def it(i, loss):
        return (f" [2024-05-01 10:{i // 10:02d}:00] iteration {i:8d}/{500000:8d} | consumed samples: {i * 128:12d} | "
                f"elapsed time per iteration (ms): 1234.5 | learning rate: {1e-4 * i / 40:.6E} | global batch size:   128 | "
                f"lm loss: {loss:.6E} | loss scale: 65536.0 | grad norm: {0.5 + i / 100:.3f} | "
                f"number of skipped iterations:   0 | number of nan iterations:   0 |")
    lines = [it(i, 7.0 - i / 20) for i in (10, 20, 30, 40)]
    lines.insert(2, "-" * 40)
    lines.insert(3, " validation loss at iteration 20 | lm loss value: 6.120000E+00 | lm loss PPL: 4.544E+02 | ")
    run = _read(tmp_path, "\n".join(lines) + "\n")
    s = run.series
    assert list(s["lm_loss"].steps) == [10, 20, 30, 40] and s["lm_loss"].values[0] == pytest.approx(6.5)
    assert s["lm_loss"].role == Role.TRAIN_LOSS and s["learning_rate"].role == Role.LR
    assert s["grad_norm"].role == Role.GRAD_NORM and s["loss_scale"].role == Role.OTHER  # AMP's scale, no loss
    assert list(s["validation_lm_loss_value"].steps) == [20]
    assert s["validation_lm_loss_value"].role == Role.VAL_LOSS
    assert run.primary(Role.TRAIN_LOSS).name == "lm_loss"


def test_nanogpt_iter_lines(tmp_path):
    text = "".join(f"iter {i}: loss {4.2 - i / 100:.4f}, time 20.11ms, mfu 18.53%\n" for i in range(0, 50, 10))
    run = _read(tmp_path, text)
    assert list(run.series["loss"].steps) == [0, 10, 20, 30, 40] and run.series["loss"].values[4] == pytest.approx(3.8)
    assert run.series["time"].values[0] == pytest.approx(20.11)


def test_timm_train_and_eval_lines(tmp_path):
    lines = []
    for ep in (0, 1):
        for b, loss in ((0, 6.9 - ep), (100, 6.5 - ep), (200, 6.2 - ep)):
            lines.append(f"Train: {ep} [ {b:>4d}/250 ({100 * b / 249:>3.0f}%)]  Loss: {loss:#.4g} ({loss + 0.1:#.3g})  "
                         f"Time: 0.512s,  250.00/s  (0.520s,  246.15/s)  LR: 1.000e-03  Data: 0.010 (0.020)")
        for b, acc in ((0, 40.0 + ep), (49, 50.0 + ep)):
            lines.append(f"Test: [{b:>4d}/49]  Time: 0.937 (0.937)  Loss:  {2.0 - ep:>7.4f} ({2.1 - ep:>6.4f})  "
                         f"Acc@1: {acc:>7.4f} ({acc - 1:>7.4f})  Acc@5: {acc + 20:>7.4f} ({acc + 19:>7.4f})")
    run = _read(tmp_path, "\n".join(lines) + "\n")
    s = run.series
    loss = s["loss"]
    assert loss.axis == "epoch" and loss.steps[1] == pytest.approx(100 / 250) and loss.steps[3] == pytest.approx(1.0)
    assert loss.values[1] == pytest.approx(6.5)  # the batch's value, not the running average
    # Evaluation lines carry the evaluation's own batch count: placed at the last training x, the running
    # average (in parentheses) of the last line being the evaluation result.
    assert s["test_acc1"].role == Role.VAL_METRIC and list(s["test_acc1"].values) == [49.0, 50.0]
    assert s["test_loss"].role == Role.VAL_LOSS and list(s["test_loss"].values) == pytest.approx([2.1, 1.1])
    assert list(s["test_loss"].steps) == [1.0, 2.0]  # after fractional-epoch lines: at the end of that epoch


_YOLO_V5_HEAD = "      Epoch    GPU_mem   box_loss   obj_loss   cls_loss  Instances       Size"
_YOLO_V5_VAL = "                 Class     Images  Instances          P          R      mAP50   mAP50-95: 100%|██████████| 1/1 [00:02<00:00,  2.45s/it]"


def test_yolov5_console(tmp_path):
    lines = []
    for e in range(3):
        lines.append(_YOLO_V5_HEAD)
        lines.append(f"      {e}/99      10.2G    {0.1 - e / 100:.4f}    0.03323     0.0419         26        640: 100%|██████████| 15/15 [00:12<00:00,  1.22it/s]")
        lines.append(_YOLO_V5_VAL)
        lines.append(f"                   all         51         87      {0.1 * (e + 1):.3f}      0.469     {0.2 * (e + 1):.4f}    0.00587")
        if e == 2:
            lines.append("                  pill         51         40      0.9      0.5     0.7    0.3")
    run = _read(tmp_path, "\n".join(lines) + "\n", name="console.txt")
    s = run.series
    assert list(s["box_loss"].steps) == [0, 1, 2] and s["box_loss"].values[2] == pytest.approx(0.08)
    assert s["box_loss"].axis == "epoch" and s["box_loss"].role == Role.TRAIN_LOSS
    assert list(s["val_map50"].values) == pytest.approx([0.2, 0.4, 0.6]) and s["val_map50"].role == Role.VAL_METRIC
    assert list(s["val_precision"].steps) == [0, 1, 2] and s["val_recall"].role == Role.VAL_METRIC  # not the per-class row


def test_yolov7_console_bare_loss_names(tmp_path):
    head = "     Epoch   gpu_mem       box       obj       cls     total    labels  img_size"
    val = "               Class      Images      Labels           P           R      mAP@.5  mAP@.5:.95: 100%|█| 2/2 [00:01<00:00,  1.50it/s]"
    lines = []
    for e in range(3):
        lines += [head, f"     {e}/299     4.54G    0.1096    0.1037   0.07185    {0.3 - e / 10:.4f}        78       640: 100%|█| 8/8 [00:05<00:00,  1.42it/s]",
                  val, f"                 all          51          87       0.008       0.114     0.0018    0.00038"]
    run = _read(tmp_path, "\n".join(lines) + "\n", name="train_console.log")
    s = run.series
    assert list(s["total_loss"].values) == pytest.approx([0.3, 0.2, 0.1]) and s["box_loss"].role == Role.TRAIN_LOSS
    assert run.primary(Role.TRAIN_LOSS).name == "total_loss"  # the total, not a component


def test_yolov5_results_txt_without_header(tmp_path):
    rows = [f"     {e}/299     4.54G    0.1096    0.1037   0.07185    {0.3 - e / 100:.4f}        78       640  0.008822"
            f"    0.1143  {0.01 * (e + 1):.6f} 0.0003823   0.08584    0.1111   0.06974" for e in range(4)]
    run = _read(tmp_path, "\n".join(rows) + "\n", name="results.txt")
    s = run.series
    assert list(s["total_loss"].steps) == [0, 1, 2, 3] and s["total_loss"].values[3] == pytest.approx(0.27)
    assert list(s["val_map50"].values) == pytest.approx([0.01, 0.02, 0.03, 0.04]) and s["val_map50"].role == Role.VAL_METRIC
    assert s["val_box_loss"].role == Role.VAL_LOSS and s["box_loss"].role == Role.TRAIN_LOSS


def test_keras_fit_verbose_2(tmp_path):
    lines = []
    for e in range(1, 4):
        lines += [f"Epoch {e}/3", f"1875/1875 - 3s - loss: {0.3 / e:.4f} - accuracy: {0.9 + e / 100:.4f} - "
                  f"val_loss: {0.14 / e:.4f} - val_accuracy: 0.9590 - 3s/epoch - 2ms/step"]
    run = _read(tmp_path, "\n".join(lines) + "\n", name="fit.out")
    s = run.series
    assert list(s["loss"].steps) == [1, 2, 3] and s["loss"].axis == "epoch"
    assert s["val_loss"].values[1] == pytest.approx(0.07) and s["val_accuracy"].role == Role.VAL_METRIC


def test_hf_trainer_console_dicts(tmp_path):
    lines = ["{'loss': 0.6931, 'grad_norm': 1.23, 'learning_rate': 4.9e-05, 'epoch': 0.5}",
             " 33%|███▎      | 10/30 [00:05<00:10,  2.00it/s]",
             "{'loss': 0.6012, 'grad_norm': 1.1, 'learning_rate': 4.5e-05, 'epoch': 1.0}",
             "{'eval_loss': 0.58, 'eval_accuracy': 0.71, 'eval_runtime': 1.2, 'eval_samples_per_second': 100.0, "
             "'eval_steps_per_second': 12.5, 'epoch': 1.0}",
             "{'loss': 0.5, 'grad_norm': 0.9, 'learning_rate': 4.1e-05, 'epoch': 1.5}"]
    run = _read(tmp_path, "\n".join(lines) + "\n")
    s = run.series
    assert list(s["loss"].steps) == [0.5, 1.0, 1.5] and s["loss"].axis == "epoch"
    assert list(s["eval_loss"].steps) == [1.0] and s["eval_loss"].role == Role.VAL_LOSS
    assert s["grad_norm"].role == Role.GRAD_NORM and s["learning_rate"].role == Role.LR


def test_json_lines_with_a_metadata_record_first(tmp_path):
    lines = ['{"run": "exp1", "config": {"lr": 0.001, "model": "gpt"}, "git": "abc123"}']
    lines += [f'{{"step": {s}, "train/loss": {3 - s / 100}, "lr": 0.001}}' for s in (10, 20, 30)]
    lines += ['{"step": 30, "val/loss": 2.9}']
    run = _read(tmp_path, "\n".join(lines) + "\n", name="metrics.jsonl")
    s = run.series
    assert list(s["train/loss"].steps) == [10, 20, 30] and s["train/loss"].values[2] == pytest.approx(2.7)
    assert list(s["val/loss"].steps) == [30] and s["val/loss"].role == Role.VAL_LOSS


def test_nul_prefix_of_a_truncated_nohup_file(tmp_path):
    body = "".join(f"step {s} | loss {2.0 - s / 1000:.4f} | lr 1.0e-04\n" for s in range(100, 600, 100))
    run = _read(tmp_path, b"\x00" * 20000 + body.encode(), name="nohup.out")
    assert list(run.series["loss"].steps) == [100, 200, 300, 400, 500]
    assert any("20000 NUL byte(s)" in n for n in run.meta.notes)


def test_binary_garbage_is_not_claimed(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(bytes(range(256)) * 64)
    assert reader_for(path) is None or reader_for(path).NAME != "text_log"


def test_utf16_without_byte_order_mark(tmp_path):
    body = "".join(f"Epoch {e}/5 train_loss={1 - e / 10:.3f} val_loss={1.1 - e / 10:.3f}\r\n" for e in range(1, 6))
    run = _read(tmp_path, body.encode("utf-16-le"), name="capture.txt")
    assert list(run.series["val_loss"].values) == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6])


def test_ansi_colours_and_python_logging_prefix(tmp_path):
    text = "".join(f"\x1b[32m2025-04-24 21:{m:02d}:53,828 - INFO - Epoch [{m}/50], Train Loss: {2 - m / 10:.4f}, "
                   f"Train Acc: {20 + m:.2f}%, Val Loss: {2.1 - m / 10:.4f}, Val Acc: {17 + m:.2f}%\x1b[0m\n" for m in range(1, 5))
    run = _read(tmp_path, text)
    s = run.series
    assert list(s["val_acc"].values) == pytest.approx([18, 19, 20, 21]) and s["val_acc"].role == Role.VAL_METRIC
    assert list(s["train_loss"].steps) == [1, 2, 3, 4] and s["train_loss"].role == Role.TRAIN_LOSS


def test_counterless_repeated_lines_are_counted_in_order(tmp_path):
    text = "".join(f"2020-03-08 21:{m:02d}:38,256:INFO: Meta batch loss: {234 - m:.4f}\n" for m in range(6))
    text += "2020-03-08 22:00:00,000:INFO: Starting with lr: 0.001\n"
    run = _read(tmp_path, text)
    assert list(run.series["meta_batch_loss"].steps) == [0, 1, 2, 3, 4, 5]
    assert "lr" not in run.series  # printed once: a setting, no curve
    assert any("counted in order" in n for n in run.meta.notes)


def test_mmengine_text_console(tmp_path):
    lines = []
    for ep in (1, 2):
        for it in (50, 100, 150):
            lines.append(f"05/31 04:13:56 - mmengine - INFO - Epoch(train)  [{ep}][{it:>3d}/151]  lr: 9.9098e-04  "
                         f"eta: 1:37:55  time: 1.6441  data_time: 0.0433  memory: 17594  loss: {2.5 - ep / 2 - it / 1000:.4f}  "
                         f"loss_cls: 0.3  loss_bbox: 0.1  grad_norm: 5.0")
        lines.append(f"05/31 04:17:08 - mmengine - INFO - Epoch(val)  [{ep}][ 50/335]    eta: 0:00:43  time: 0.1538")
        lines.append(f"05/31 04:18:08 - mmengine - INFO - Epoch(val) [{ep}][335/335]    coco/bbox_mAP: {0.1 * ep:.4f}  "
                     f"coco/bbox_mAP_50: 0.2000  coco/bbox_mAP_s: -1.0000  data_time: 0.0047  time: 0.1414")
    run = _read(tmp_path, "\n".join(lines) + "\n")
    s = run.series
    assert list(s["loss"].steps) == [50, 100, 150, 201, 251, 301]
    assert list(s["coco/bbox_map"].steps) == [150, 301] and s["coco/bbox_map"].role == Role.VAL_METRIC
    assert "coco/bbox_map_s" not in s  # COCO's -1: nothing to measure, dropped with a note
    assert any("-1" in n for n in run.meta.notes)
    assert run.primary(Role.TRAIN_LOSS).name == "loss" and s["loss_cls"].role == Role.TRAIN_LOSS


def test_markdown_table_of_epochs(tmp_path):
    text = ("# Results\n\n| Epoch | Train Loss | Train Acc | Val Loss | Val Acc |\n|---|---|---|---|---|\n"
            + "".join(f"| {e} | {6 - e / 2:.4f} | {e * 5:.2f}% | {5.9 - e / 2:.4f} | **{e * 4:.2f}%** |\n" for e in range(1, 6)))
    run = _read(tmp_path, text, name="README.md")
    s = run.series
    assert list(s["val_acc"].values) == pytest.approx([4, 8, 12, 16, 20]) and s["val_loss"].role == Role.VAL_LOSS
    assert list(s["train_loss"].steps) == [1, 2, 3, 4, 5]


def test_plain_whitespace_table(tmp_path):
    text = "epoch  train_loss  val_loss  val_acc\n" + "".join(
        f"{e:5d}  {1 - e / 10:10.4f}  {1.1 - e / 10:8.4f}  {0.5 + e / 20:7.3f}\n" for e in range(1, 6))
    run = _read(tmp_path, text, name="table.txt")
    assert list(run.series["val_acc"].values) == pytest.approx([0.55, 0.6, 0.65, 0.7, 0.75])
    assert run.series["val_acc"].axis == "epoch"


def test_tqdm_postfix_with_own_progress_counter(tmp_path):
    text = "".join(f"Training:   0%|          | {i}/55000 [00:15<236:28:17, 15.48s/it, Loss={11.5 - i / 100:.4f}, "
                   f"Denoising=11.36]\n" for i in range(1, 6))
    run = _read(tmp_path, text)
    assert list(run.series["loss"].steps) == [1, 2, 3, 4, 5] and run.series["loss"].values[4] == pytest.approx(11.45)


def test_csv_with_version_control_conflict_markers(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("step,loss\n1,0.9\n2,0.8\n<<<<<<< HEAD\n3,0.7\n=======\n3,0.71\n4,0.61\n5,0.55\n>>>>>>> feature\n6,0.5\n")
    (run,) = load(path).runs
    assert list(run.series["loss"].steps) == [1, 2, 3, 4, 5, 6]  # the longer side, and the common rows
    assert run.series["loss"].values[2] == pytest.approx(0.71)
    assert any("conflict" in n and "1 line(s)" in n for n in run.meta.notes)
    header_first = tmp_path / "history.csv"
    header_first.write_text("<<<<<<< HEAD\nepoch,loss,val_loss\n0,0.9,1.0\n=======\nepoch,loss,val_loss\n"
                            "0,0.95,1.0\n1,0.85,0.9\n>>>>>>> other\n")
    (run,) = load(header_first).runs
    assert list(run.series["val_loss"].values) == pytest.approx([1.0, 0.9])


def test_steps_counted_within_each_epoch_are_made_global(tmp_path):
    lines = ["2024-06-17 14:43:21,479 - INFO - Evaluation results: {'eval_loss': 1.098, 'eval_accuracy': 0.348, 'epoch': 0}"]
    lines += [f"2024-06-17 22:30:31,153 - INFO - Epoch: {e} | Step: {s} | Train loss: {1 - e / 10 - s / 100000:.3f} | "
              f"Eval loss: 0.849 | Eval accuracy: 0.510" for e in (1, 2) for s in (5000, 10000, 15000)]
    run = _read(tmp_path, "\n".join(lines) + "\n", name="app.log")
    s = run.series
    assert list(s["train_loss"].steps) == [5000, 10000, 15000, 20000, 25000, 30000]
    assert run.meta.resume_steps == [] and any("within each epoch" in n for n in run.meta.notes)
    assert s["eval_loss"].steps[0] == 5000  # an epoch-keyed line before any step line: at the first step


def test_loss_reported_non_finite_in_words(tmp_path):
    lines = []
    for i in range(1, 7):
        lines.append(f"Training:   0%|          | {i}/55000 [00:15<236:28:17, 15.48s/it, Loss={11.5 - i / 100:.4f}]")
        if i in (3, 5):
            lines.append("[WARNING] NaN loss detected! Skipping batch.")
    run = _read(tmp_path, "\n".join(lines) + "\n")
    s = run.series
    assert list(s["loss"].steps) == [1, 2, 3, 4, 5, 6] and s["loss"].n_nonfinite == 0
    bad = s["loss_reported_nonfinite"]
    assert list(bad.steps) == [3, 5] and bad.n_nonfinite == 2 and bad.role == Role.TRAIN_LOSS
    assert run.primary(Role.TRAIN_LOSS).name == "loss"


def test_split_named_before_the_values(tmp_path):
    lines = []
    for e in range(1, 4):
        lines.append(f"2024-06-18 16:4{e}:35,790 - INFO - Epoch: {e} | Step: {e * 100} | Train loss: {1 - e / 10:.3f}")
        lines.append(f"2024-06-18 16:4{e}:36,790 - INFO - Evaluation results: {{'loss': {1.1 - e / 10:.3f}, 'accuracy': 0.{e}}}.")
    run = _read(tmp_path, "\n".join(lines) + "\n")
    s = run.series
    assert s["eval_loss"].role == Role.VAL_LOSS and list(s["eval_loss"].steps) == [100, 200, 300]
    assert s["eval_accuracy"].role == Role.VAL_METRIC and "accuracy" not in s
    assert s["train_loss"].role == Role.TRAIN_LOSS
    # The split may also come after the line's counter ("EPOCH 3 VAL - Loss: …").
    text = "".join(f"2025-11-01 20:1{e}:52 |     INFO | on_validation_epoch_end:413 | EPOCH {e} VAL   - Loss: {6 - e:.4f}, "
                   f"Acc: {4 * e:.2f}%\n2025-11-01 20:1{e}:53 |     INFO | on_train_epoch_end:383 | EPOCH {e} TRAIN - "
                   f"Loss: {6.5 - e:.4f}, Acc: {2 * e:.2f}%\n" for e in range(1, 4))
    s = _read(tmp_path, text, name="epochs.log").series
    assert list(s["val_loss"].values) == pytest.approx([5, 4, 3]) and s["val_loss"].role == Role.VAL_LOSS
    assert list(s["loss"].values) == pytest.approx([5.5, 4.5, 3.5]) and s["val_acc"].role == Role.VAL_METRIC


def test_yolov8_console_box_columns(tmp_path):
    head = "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size"
    val = "                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): 100%|██████████| 2/2 [00:00<00:00,  4.10it/s]"
    lines = []
    for e in range(1, 4):
        lines += [head, f"      {e}/100      2.61G      {1.5 - e / 10:.3f}      2.345      1.456         12        640: 100%|██████████| 8/8 [00:02<00:00,  3.52it/s]",
                  val, f"                   all         20         35      0.{e}1      0.{e}2      0.{e}3      0.{e}4"]
    run = _read(tmp_path, "\n".join(lines) + "\n", name="yolo.log")
    s = run.series
    assert list(s["dfl_loss"].steps) == [1, 2, 3] and list(s["box_loss"].values) == pytest.approx([1.4, 1.3, 1.2])
    assert list(s["val_map50-95"].values) == pytest.approx([0.14, 0.24, 0.34]) and s["val_precision"].role == Role.VAL_METRIC


def test_keras2_progress_bar_with_eta_redraws(tmp_path):
    lines = []
    for e in (1, 2):
        lines += [f"Epoch {e}/2", "  32/1875 [..............................] - ETA: 3s - loss: 2.3000 - accuracy: 0.1000",
                  f"1875/1875 [==============================] - 4s 2ms/step - loss: {0.3 / e:.4f} - accuracy: 0.9{e}00 - "
                  f"val_loss: {0.2 / e:.4f} - val_accuracy: 0.9500"]
    run = _read(tmp_path, "\n".join(lines) + "\n", name="keras.txt")
    s = run.series
    assert list(s["loss"].steps) == [1, 2] and list(s["loss"].values) == pytest.approx([0.3, 0.15])
    assert list(s["val_loss"].values) == pytest.approx([0.2, 0.1])



def test_a_tf1_console_printing_its_cost_and_ending_in_a_ctrl_c_traceback(tmp_path):
    """``print("step: %d, cost: %s" % (step, cost))`` between TensorFlow's start-up lines, the capture
    ending in the KeyboardInterrupt traceback of a Ctrl-C: the cost is the training loss."""
    import traceback

    path = tmp_path / "training_loss.txt"
    with open(path, "w") as fh:
        print("2017-12-10 22:30:19.657870: I tensorflow/core/platform/cpu_feature_guard.cc:137] Your CPU supports "
              "instructions that this TensorFlow binary was not compiled to use: SSE4.1", file=fh)
        for i, step in enumerate(range(2, 30_003, 1000)):
            print(f"step: {step}, cost: {0.25 + 0.01 * ((i * 7) % 5)}", file=fh)
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            fh.write(traceback.format_exc())
    (run,) = load(path).runs
    s = run.series["cost"]
    assert s.role is Role.TRAIN_LOSS and len(s) == 31 and s.steps[0] == 2
