"""Console summaries that no line counter frames (issue 10/14, regressions found on real dev logs):
whitespace tables printed with no step or epoch column, runs appended one after another in one
file, a YOLOv5 ``results.txt`` stopped after one or two epochs. Each file is written the way its
writer writes it (``print`` loops, ``DataFrame.to_string``, YOLOv5's ``results.txt`` format
string), plus look-alike texts that are no training log and must stay refused or whole."""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from traindoc.errors import InputError  # noqa: E402
from traindoc.readers import load, reader_for  # noqa: E402
from traindoc.run import Role  # noqa: E402


def _curve(run_k: int, epochs: int = 10):
    """A falling training loss, a rising accuracy and a validation pair for run ``run_k``."""
    rows = []
    for e in range(epochs):
        loss = (1.3 + 0.05 * run_k) * 0.8 ** e + 0.15
        rows.append((loss, 0.45 + 0.04 * e, loss + 0.2 + 0.01 * e, 0.4 + 0.02 * e))
    return rows


def _append_summary(path, run_k: int, header: str, when: str) -> None:
    """What a training script appends to its log after each run: a separator, the start time, the
    settings, then a whitespace-aligned table printed by a loop (no epoch column)."""
    with open(path, "a") as fh:
        print("=" * 65, file=fh)
        print(f"Train start time: {when}", file=fh)
        print("HYPERPARAMETERS:\nmodel =ResNet50\nlearning-rate =0.001\nbatch-size =32", file=fh)
        print("Training Summary:", file=fh)
        print(header, file=fh)
        for row in _curve(run_k):
            print("".join(f"{v:10.6f}" for v in row), file=fh)
        print("Remarks: overfitting\n", file=fh)


def test_hand_written_summaries_of_three_runs_read_as_three_runs(tmp_path):
    path = tmp_path / "train.log"
    for k, (header, when) in enumerate([("train_loss  train_acc  val_loss  val_acc", "Jul 27 09:56"),
                                        ("train loss  train_acc   va_loss   val_acc", "Jul 27 10:52"),
                                        ("train loss  train_acc   va_loss   val_acc", "Jul 27 11:20")]):
        _append_summary(path, k, header, when)
    assert reader_for(path).NAME == "text_log"
    runs = load(path).runs
    assert [r.meta.segment for r in runs] == [(1, 3), (2, 3), (3, 3)]
    for k, run in enumerate(runs):
        loss = run.primary(Role.TRAIN_LOSS)
        assert loss.axis == "epoch" and list(loss.steps) == list(range(1, 11))
        assert list(loss.values) == pytest.approx([r[0] for r in _curve(k)], abs=1e-6)
        val = run.primary(Role.VAL_LOSS)  # "va_loss", abbreviated by hand, is the validation loss
        assert val is not None and val.values[0] == pytest.approx(_curve(k)[0][2], abs=1e-6)
        assert any("no step or epoch column" in n for n in run.meta.notes)


def test_pandas_history_printed_with_its_row_index(tmp_path):
    rows = _curve(0, epochs=12)
    hist = pd.DataFrame(rows, columns=["loss", "accuracy", "val_loss", "val_accuracy"])
    path = tmp_path / "fit.log"
    path.write_text("Training finished\n" + hist.to_string() + "\n")
    (run,) = load(path).runs
    assert list(run.series["loss"].values) == pytest.approx(hist["loss"].tolist(), abs=1e-6)  # not the index
    assert list(run.series["val_accuracy"].steps) == list(range(1, 13))
    assert run.series["val_accuracy"].role == Role.VAL_METRIC


def test_pandas_table_with_an_epoch_column_and_a_row_index(tmp_path):
    hist = pd.DataFrame({"epoch": range(1, 8), "loss": [1 / (e + 1) for e in range(7)],
                         "val_loss": [1.1 / (e + 1) for e in range(7)]})
    path = tmp_path / "history.txt"
    path.write_text(hist.to_string() + "\n")
    (run,) = load(path).runs
    assert list(run.series["loss"].steps) == list(range(1, 8))  # the epoch column, not the index
    assert list(run.series["loss"].values) == pytest.approx(hist["loss"].tolist(), abs=1e-6)


def test_counted_table_among_counter_lines_is_a_final_report(tmp_path):
    """A table with no epoch column printed after epoch-numbered lines is a report at the last epoch
    (as before), not a second run counted from epoch 1."""
    lines = [f"Epoch {e}/6 - loss: {1 / e:.4f} - val_loss: {1.2 / e:.4f}" for e in range(1, 7)]
    lines += ["train_loss  val_loss", *[f"{0.2 + i / 100:.4f}  {0.3:.4f}" for i in range(4)]]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    (run,) = load(path).runs
    assert list(run.series["loss"].steps) == [1, 2, 3, 4, 5, 6]
    assert all(s.steps.max() <= 6 for s in run.series.values())  # its rows are not counted from 1 again


@pytest.mark.parametrize("text", [
    # a README results table: one row per model, named in a label column
    "| Model | Accuracy | Loss |\n|---|---|---|\n| ResNet18 | 0.91 | 0.31 |\n| ResNet50 | 0.93 | 0.28 |\n"
    "| ViT-B | 0.95 | 0.22 |\n",
    # a sweep table: hyperparameter columns beside the metrics (no step axis)
    "dropout  weight_decay  train_loss  val_acc\n" + "".join(
        f"{d:7.2f}  {w:12.5f}  {0.3 + d:10.4f}  {0.9 - d:7.4f}\n" for d in (0.1, 0.2, 0.3, 0.5) for w in (1e-4, 1e-3)),
    # test results only: no training loss column
    "test_loss  test_acc  test_f1\n" + "".join(f"{0.3 + i / 10:9.4f} {0.8:9.4f} {0.7:8.4f}\n" for i in range(5)),
    # a two-row table of metrics: too short to be a curve
    "train_loss  val_loss\n  0.4512  0.5121\n  0.3011  0.4420\n",
])
def test_tables_without_a_step_axis_that_are_no_curve_are_refused(tmp_path, text):
    path = tmp_path / "README.md"
    path.write_text("# Results\n\nSome prose about the experiments.\n\n" + text)
    with pytest.raises(InputError):
        load(path)


def _yolov5_results_row(epoch: int, epochs: int) -> str:
    """One line as YOLOv5's train.py writes results.txt: ``'%10s' * 2 + '%10.4g' * 6`` for the epoch,
    GPU memory and training losses, then ``'%10.4g' * 7`` for P, R, mAP@.5, mAP@.5:.95, val losses."""
    mloss = (0.1046 + 0.005 * epoch, 0.02793, 0.0, 0.1325 + 0.005 * epoch, 31 + epoch, 640)
    results = (0.0068, 0.0760, 0.0028 + 0.0003 * epoch, 0.00041, 0.0975, 0.0213, 0.0)
    return ("%10s" * 2 + "%10.4g" * 6) % (f"{epoch}/{epochs - 1}", "0G", *mloss) + ("%10.4g" * 7) % results


@pytest.mark.parametrize("epochs_run", [1, 2])
def test_yolov5_results_txt_stopped_after_one_or_two_epochs(tmp_path, epochs_run):
    path = tmp_path / "results.txt"
    path.write_text("".join(_yolov5_results_row(e, 5) + "\n" for e in range(epochs_run)))
    assert reader_for(path).NAME == "text_log"
    (run,) = load(path).runs
    assert list(run.series["total_loss"].steps) == list(range(epochs_run))
    assert run.series["val_map50"].role == Role.VAL_METRIC and run.series["box_loss"].role == Role.TRAIN_LOSS


def _fork_results_row(epoch: int, epochs: int, parts: int) -> str:
    """A results.txt line of a YOLOv5 fork with ``parts`` loss parts before the total (YOLOv5-face adds a
    landmark loss): ``'%10s' * 2 + '%10.4g' * (parts + 3)``, then the same seven results."""
    mloss = (0.0235 - 0.0002 * epoch, 0.0045, 0.0, *[0.0114 - 0.0001 * epoch] * (parts - 3))
    mloss = (*mloss, sum(mloss), 24, 768)
    results = (0.97, 1.0, 0.9945, 0.714 + 0.0004 * epoch, 0.0126, 0.0023, 0.0)
    return ("%10s" * 2 + "%10.4g" * (parts + 3)) % (f"{epoch}/{epochs - 1}", "0.589G", *mloss) + ("%10.4g" * 7) % results


@pytest.mark.parametrize("parts", [4, 5])
def test_a_yolov5_fork_with_one_or_two_more_loss_parts_resumed_at_epoch_2(tmp_path, parts):
    """YOLOv5-face writes a landmark loss before the total; a resumed run starts its file at epoch 2."""
    path = tmp_path / "results.txt"
    path.write_text("".join(_fork_results_row(e, 40, parts) + "\n" for e in range(2, 40)))
    (run,) = load(path).runs
    assert list(run.series["total_loss"].steps) == list(range(2, 40))
    assert run.series["val_map50-95"].role == Role.VAL_METRIC and run.series["img_size"].role == Role.OTHER
    assert [n for n in run.series if n.startswith("part")] == [f"part{k}_loss" for k in range(4, parts + 1)]
    assert np.isclose(run.series["val_map50-95"].values[0], 0.714 + 0.0008)


@pytest.mark.parametrize("text", [
    "0.1 0.2 0.3\n0.4 0.5 0.6\n",  # numbers with no names
    # the same fifteen numbers, but with words among them
    "epoch 0/4 0G 0.1046 0.02793 0 0.1325 31 640 0.0068 0.0759 0.0028 0.0004 0.0974 0.0212 0\n",
    # a YOLOv5 row followed by prose: not a file of that layout only
    _yolov5_results_row(0, 5) + "\nTraining notes: the loss went down nicely on this dataset.\n",
])
def test_short_text_that_is_not_a_results_txt_is_refused(tmp_path, text):
    path = tmp_path / "notes.txt"
    path.write_text(text)
    with pytest.raises(InputError):
        load(path)


def test_keras_runs_appended_after_a_classification_report(tmp_path):
    """Three ``model.fit(verbose=2)`` runs in one console capture, each followed by sklearn's
    ``classification_report``: the report's header must not swallow the next run's ``Epoch 1/N``."""
    from sklearn.metrics import classification_report

    report = classification_report([0, 1, 2, 1, 0, 2], [0, 1, 1, 1, 0, 2], target_names=["plastic", "paper", "alu"],
                                   digits=3)
    lines = []
    for k, n in enumerate((7, 6, 5)):
        for e in range(1, n + 1):
            loss = 1.0 * 0.85 ** e + 0.05 * k
            lines += [f"Epoch {e}/25", f"42/42 - 20s - 472ms/step - accuracy: {0.5 + e / 50:.4f} - loss: {loss:.4f} - "
                      f"val_accuracy: {0.45 + e / 40:.4f} - val_loss: {loss + 0.1:.4f}"]
        lines += report.splitlines()
    path = tmp_path / "train_log.txt"
    path.write_text("\n".join(lines) + "\n")
    runs = load(path).runs
    assert [r.meta.segment for r in runs] == [(1, 3), (2, 3), (3, 3)]
    assert [len(r.series["loss"]) for r in runs] == [7, 6, 5]
    assert list(runs[1].series["loss"].steps) == [1, 2, 3, 4, 5, 6]


def test_header_printed_above_every_row_is_one_table(tmp_path):
    """A per-epoch print of a header and one row: one run of counted epochs, not one run per row."""
    path = tmp_path / "train.log"
    with open(path, "w") as fh:
        for row in _curve(0, epochs=6):
            print("train_loss  train_acc  val_loss  val_acc", file=fh)
            print("".join(f"{v:10.4f}" for v in row), file=fh)
    (run,) = load(path).runs
    assert list(run.series["train_loss"].steps) == [1, 2, 3, 4, 5, 6]
    assert run.meta.segment is None


def _print_fixed_width_report(path, experiments) -> None:
    """A report a script prints with ``str.ljust``: prose, then per experiment a table whose header
    names a column in two words ("Validation Accuracy") and sets columns apart by wide gaps."""
    with open(path, "w") as fh:
        print("CNN Classification - Training Experiments\n", file=fh)
        for k, rows in enumerate(experiments, 1):
            print(f"Experiment {k}\n\nConfiguration:\n- Optimizer: Adam\n- Learning rate: 0.001\n", file=fh)
            print("Epoch".ljust(9) + "Loss".ljust(10) + "Validation Accuracy", file=fh)
            for e, (loss, acc) in enumerate(rows, 1):
                print(str(e).ljust(9) + f"{loss:.4f}".ljust(10) + f"{acc:.4f}", file=fh)
            print(f"\nBest Validation Accuracy: {max(a for _, a in rows):.2%}\n", file=fh)


def test_fixed_width_header_with_a_two_word_column_maps_each_number_to_its_column(tmp_path):
    path = tmp_path / "training_log.txt"
    exp = [[(0.7 * 0.8 ** e, 0.6 + 0.02 * e) for e in range(10)], [(0.65 * 0.9 ** e, 0.55 + 0.03 * e) for e in range(10)]]
    _print_fixed_width_report(path, exp)
    runs = load(path).runs
    assert len(runs) == 2  # the epoch column restarts at 1: two experiments
    for run, rows in zip(runs, exp):
        loss, acc = run.primary(Role.TRAIN_LOSS), run.primary(Role.VAL_METRIC)
        assert loss.name == "loss" and list(loss.steps) == list(range(1, 11))
        assert list(loss.values) == pytest.approx([r[0] for r in rows], abs=1e-4)
        assert acc.name == "validation_accuracy" and acc.metric == "accuracy"
        assert list(acc.values) == pytest.approx([r[1] for r in rows], abs=1e-4)


def test_header_spaced_one_blank_throughout_is_still_split_word_by_word(tmp_path):
    from traindoc.readers.text.tables import header_cells

    assert header_cells("epoch loss val_loss", "epoch loss val_loss") == ["epoch", "loss", "val_loss"]
    # a sentence with a wide gap is no header: its cells are not name-like words
    assert header_cells("Note: the split was not fixed", "Note:  the split was not fixed.") is None


def test_markdown_table_with_a_notes_column_in_another_language_and_a_range_row(tmp_path):
    """A results file written by hand in markdown: a test block, then ``| Epoch | Loss | mAP@0.5 | notes |``
    where the notes column holds prose (Chinese, emoji, and ASCII words such as mAP or best.pth) and
    one row sums up epochs 3-5 as ranges. Numbers map by cell position; the range row is no point."""
    rows = [(0, 0.8995, 0.2334, "初始化阶段，预测几乎随机"), (1, 0.6967, 0.5117, "📈 模型快速学习特征，mAP 大幅提升"),
            (2, 0.5934, 0.5847, "持续收敛"), ("3–5", "≈0.45–0.40", "≈0.60–0.63", "进入稳定学习期"),
            (6, 0.3916, 0.6368, "收敛良好"), (7, 0.3558, 0.6486, "验证性能稳定"),
            (8, 0.3230, 0.6547, "模型接近最优点"), (9, 0.3034, 0.6728, "🌟达到最佳性能（best.pth 保存）")]
    lines = ["=== TEST RESULTS ===", "mAP@0.50:     0.6605", "Accuracy:          0.8859", "",
             "| Epoch |    Loss    |   mAP@0.5  | 趋势分析 |", "| :---- | :--------: | :--------: | :------ |"]
    lines += [f"| {e} | {loss} | {m} | {note} |" for e, loss, m, note in rows]
    path = tmp_path / "results.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (run,) = load(path).runs
    loss, m = run.primary(Role.TRAIN_LOSS), run.primary(Role.VAL_METRIC)
    points = [r for r in rows if isinstance(r[0], int)]
    assert list(loss.steps) == [r[0] for r in points] and list(loss.values) == pytest.approx([r[1] for r in points])
    assert m.name == "val_map50" and m.metric == "map"
    assert list(m.values) == pytest.approx([r[2] for r in points])
    assert any("range" in n for n in run.meta.notes)  # the passed-over row is said, not lost silently
