"""Logs that stop after one or a few prints are read (one point: too short to judge), written the
way the real writers write them; non-logs with a training-looking number in them are still refused
in one line with exit code 2; and a run that printed its end-of-training summary before the
counter went back is followed by another run, not resumed.

Why: a log cut after its first epoch is a common real file (a crashed or stopped run). Refusing
it as "not a training log" tells the user nothing; reading it says "too short to judge".
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from traindoc.readers import load, read_file, reader_for
from traindoc.run import Role

from ._hf_toy import toy_data_and_model


def _cli(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", "--json", str(path)], capture_output=True,
                          text=True, timeout=120, env=env)


def _finding_ids(path: Path) -> set[str]:
    res = _cli(path)
    assert res.returncode in (0, 1), res.stderr
    doc = json.loads(res.stdout)
    runs = doc["runs"] if isinstance(doc, dict) and "runs" in doc else doc
    return {f["id"] for r in runs for f in r["findings"]}


@contextlib.contextmanager
def _file_logger(path: Path, mode: str, fmt: str):
    """A ``logging`` logger writing to ``path`` through a real FileHandler with format ``fmt``."""
    handler = logging.FileHandler(path, mode=mode)
    handler.setFormatter(logging.Formatter(fmt))
    log = logging.getLogger(f"traindoc_test_{abs(hash((str(path), fmt))) % 10**6}")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield log
    finally:
        log.removeHandler(handler)
        handler.close()


# ---------------------------------------------------------------- read: short logs of real writers
def test_python_logging_one_epoch_after_a_config_banner(tmp_path):
    path = tmp_path / "train.log"
    with _file_logger(path, "w", "%(asctime)s - %(name)s - %(levelname)s - %(message)s") as log:
        for key, value in {"batch_size": 64, "epochs": 50, "optimizer": "adam", "seed": 3}.items():
            log.info("%s: %s", key, value)
        log.info("Epoch %d/%d - train_loss: %.4f - train_acc: %.4f - val_loss: %.4f", 1, 50, 0.6931, 0.51, 0.7012)
    (run,) = read_file(path)
    assert list(run.series["train_loss"].steps) == [1] and run.series["val_loss"].role == Role.VAL_LOSS
    assert "batch_size" not in run.series  # the banner is config, not a point
    assert "too-short" in _finding_ids(path)


def test_json_lines_config_record_then_one_epoch_with_string_values(tmp_path):
    """A script writing ``json.dumps(vars(args))`` first, then one record per epoch (values as str)."""
    path = tmp_path / "train.txt"
    with path.open("w") as f:
        f.write(json.dumps({"optimizer": "adamax", "lr": 0.001, "weight_decay": 1.0, "epochs": 1000, "n_bits": 8,
                            "seed": 0, "top_shape": [8, 8, 48]}) + "\n")
        f.write(json.dumps({"epoch": 1, "n_processed": 50048, "loss": "0.3504", "bits_x": "0.3504"}) + "\n")
    (run,) = read_file(path)
    assert list(run.series["loss"].steps) == [1] and run.series["loss"].axis == "epoch"
    assert "lr" not in run.series and "weight_decay" not in run.series  # the config record holds no point
    assert "too-short" in _finding_ids(path)


def test_comma_separated_name_value_pairs(tmp_path):
    """``csv.writer`` rows of alternating names and values, no header."""
    path = tmp_path / "train.log"
    losses = [2.3096, 2.3116, 2.3055, 2.2991, 2.2982]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        for i, loss in enumerate(losses, 1):
            w.writerow(["iteration", i, "train_loss", loss, "train_accuracy", 0.05 * i])
    (run,) = read_file(path)
    assert list(run.series["train_loss"].steps) == [1, 2, 3, 4, 5]
    assert list(run.series["train_loss"].values) == pytest.approx(losses)
    assert run.series["train_accuracy"].role == Role.TRAIN_METRIC


def test_table_of_split_columns_under_a_title_names_the_measure(tmp_path):
    """A script printing ``Accuracies:`` then an ``Epoch Train Eval Test`` table (``str.ljust``):
    the columns are accuracies, not losses; a test column of one fixed negative placeholder (no
    test split) is no measurement."""
    path = tmp_path / "log.txt"
    rows = [(1, 0.391, 0.625), (2, 0.52, 0.66), (3, 0.61, 0.70)]
    lines = ["Args:", "\tnum_epochs          : 12", "\tlearning_rate       : 0.001", "", "Accuracies:",
             "\t" + "".join(c.ljust(10) for c in ("Epoch", "Train", "Eval", "Test"))]
    lines += ["\t" + "".join(str(v).ljust(10) for v in (e, tr, ev, "-0.100")) for e, tr, ev in rows]
    path.write_text("\n".join(lines) + "\n")
    (run,) = read_file(path)
    assert run.series["train_accuracy"].role == Role.TRAIN_METRIC
    assert run.series["eval_accuracy"].role == Role.VAL_METRIC
    assert list(run.series["eval_accuracy"].values) == pytest.approx([0.625, 0.66, 0.70])
    assert "test_accuracy" not in run.series and any("placeholder" in n for n in run.meta.notes)
    assert "metric-out-of-range" not in _finding_ids(path)


def test_one_print_of_a_pix2pix_style_loss_line(tmp_path):
    path = tmp_path / "train_log.txt"
    banner = ["----------------- Options ---------------", "               batch_size: 1",
              "                       lr: 0.0002", "----------------- End -------------------",
              "The number of training images = 77", "learning rate 0.0002000 -> 0.0002000"]
    losses = {"G_GAN": 2.283, "G_L1": 33.917, "D_real": 0.315, "D_fake": 0.227}
    msg = "(epoch: %d, iters: %d, time: %.3f, data: %.3f) " % (1, 20, 14.365, 0.063)
    msg += "".join("%s: %.3f " % (k, v) for k, v in losses.items())
    path.write_text("\n".join(banner + [msg]) + "\n")
    (run,) = read_file(path)
    assert run.series["d_real"].values[0] == pytest.approx(0.315) and list(run.series["d_real"].steps) == [20]
    assert "batch_size" not in run.series


def test_keras_fit_of_one_epoch(tmp_path):
    """Keras 3 prints no ``Epoch 1/1`` header for a one-epoch fit: the progress line is the record."""
    script = (
        "import os\nos.environ['KERAS_BACKEND'] = 'torch'\n"
        "import numpy as np, keras\n"
        "x = np.random.default_rng(0).random((64, 4)).astype('float32'); y = (x.sum(1) > 2).astype('float32')\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "m.compile('adam', 'binary_crossentropy', metrics=['accuracy'])\n"
        "m.fit(x, y, epochs=1, verbose=2, validation_split=0.25)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, KERAS_BACKEND="torch"))
    if proc.returncode != 0:
        pytest.skip("keras unavailable: " + proc.stderr[-200:])
    path = tmp_path / "console.log"
    path.write_text(proc.stdout)
    (run,) = read_file(path)
    assert len(run.series["loss"]) == 1 and run.series["val_loss"].role == Role.VAL_LOSS
    assert "too-short" in _finding_ids(path)


def test_counter_lines_of_unknown_quantities_restarting_are_two_runs(tmp_path):
    """A GAN script printing its own terms (``cross=… rr=…``) per epoch, two ablation runs one
    after the other, each with its config banner: read, and split where the epoch starts over."""
    path = tmp_path / "train.log"
    lines = []
    for run in range(2):
        lines += ["=== Ablation run: critic_sign=%s ===" % (run == 0), "       learning_rate: 0.0003",
                  "            n_epochs: 6"]
        for e in range(6):
            lines.append("epoch %3d | D^2=%+.4f | cross=%.4f rr=%.4f ff=%.4f | %.1fs" %
                         (e, 0.01 / (e + 1), 1.0 / (e + 1), 0.2 / (e + 1), 0.25 / (e + 1), 900.0 + e))
    path.write_text("\n".join(lines) + "\n")
    runs = load(path).runs
    assert len(runs) == 2 and [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert list(runs[1].series["cross"].steps) == [0, 1, 2, 3, 4, 5]
    assert "appended-runs" in _finding_ids(path)


# ---------------------------------------------------------------- refused: not logs
@pytest.mark.parametrize("name,text", [
    ("README.md", "# My model\n\nTraining prints lines such as:\n\n    Epoch 1/10 - loss: 0.6931 - acc: 0.51\n\n"
                  "and reaches 91% accuracy.\n"),
    ("train.py", "for epoch in range(10):\n    print('Epoch 1/10 - loss: 0.6931 - acc: 0.51')\n"),
    ("config.yaml", "training:\n  epochs: 100\n  loss_weight: 0.5\n  lr: 0.001\n"),
    ("config.toml", "[train]\nepoch = 1\nloss = 0.5\nacc = 0.9\nepoch = 2\nloss = 0.4\nacc = 0.92\n"),
    ("notes.txt", "We trained for 10 epochs and the loss reached 0.31 on the last day.\n"),
    ("words.txt", "lorem ipsum 12 dolor 3.5 sit amet\nconsectetur 7 adipiscing\n"),
])
def test_non_logs_with_training_numbers_are_refused_in_one_line(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    res = _cli(path)
    assert res.returncode == 2, res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in res.stderr


# ---------------------------------------------------------------- a finished run, then another
def test_hf_trainer_two_stages_in_one_console_are_two_runs(tmp_path):
    """Two ``Trainer.train()`` calls printing to one console: the second stage logs its first record
    at epoch 1.0 (evaluation per epoch), past the first stage's first x, but after the first
    stage's end-of-training summary: another run, not a resume of the first."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from transformers import Trainer, TrainingArguments

    Data, Model = toy_data_and_model()

    transformers.logging.set_verbosity_error()
    printed = io.StringIO()
    common = dict(per_device_train_batch_size=8, report_to=[], use_cpu=True, learning_rate=0.05, disable_tqdm=True,
                  save_strategy="no")
    stages = [dict(num_train_epochs=3, logging_steps=2, eval_strategy="no"),
              dict(num_train_epochs=3, logging_steps=12, eval_strategy="epoch")]
    model = Model()
    with contextlib.redirect_stdout(printed):
        for k, stage in enumerate(stages):
            args = TrainingArguments(str(tmp_path / f"out{k}"), **common, **stage)
            Trainer(model=model, args=args, train_dataset=Data(64), eval_dataset=Data(16)).train()
    path = tmp_path / "train_log.txt"
    path.write_text(printed.getvalue())
    runs = load(path).runs
    assert len(runs) == 2, [r.meta.notes for r in runs]
    assert runs[1].series["eval_loss"].steps[0] == pytest.approx(1.0)
    assert runs[0].series["loss"].steps[0] == pytest.approx(0.25)
    assert not runs[0].meta.resume_steps
    assert "train_runtime" not in runs[0].series and "train_loss" not in runs[0].series  # the summary is a note


def test_split_words_keying_their_own_values_are_no_line_context(tmp_path):
    """``Epoch 05 | train 3.714 | val 3.417 | BLEU 25.84``: "val" keys its number; the BLEU at the
    end does not make the line a validation line (its train value stays the training loss)."""
    path = tmp_path / "train.txt"
    lines = []
    for e in range(1, 11):
        line = "09:%02d:10 | Epoch %02d | train %.3f | val %.3f" % (e, e, 7.0 / e, 5.5 / e ** 0.5)
        if e % 5 == 0:
            line += " | BLEU %.2f (best BLEU saved)" % (20.0 + e)
        lines.append(line + " (saved)")
    path.write_text("\n".join(lines) + "\n")
    (run,) = read_file(path)
    assert list(run.series["train_loss"].steps) == list(range(1, 11))
    assert len(run.series["val_loss"]) == 10 and run.series["bleu"].role == Role.VAL_METRIC
    assert not any(name.startswith("val_train") for name in run.series)


# ---------------------------------------------------------------- a counter starting one later
def _append_run(path: Path, first_epoch: int, losses: list[float]) -> None:
    exists = path.exists()
    with path.open("a", newline="") as f:  # a second run appended to the same file, header again
        w = csv.DictWriter(f, fieldnames=["epoch", "loss", "val_loss"])
        if not exists:
            w.writeheader()
        for i, loss in enumerate(losses):
            w.writerow({"epoch": first_epoch + i, "loss": loss, "val_loss": loss * 1.1})


def test_csv_run_appended_with_a_counter_starting_one_later_is_another_run(tmp_path):
    """Run 1 counts epochs from 0, the appended run 2 from 1: the x goes back to the run's second
    x after ten epochs, which no resume does (it starts from the latest checkpoint)."""
    path = tmp_path / "log.csv"
    _append_run(path, 0, [1.0 / (e + 1) for e in range(10)])
    _append_run(path, 1, [0.9 / (e + 1) for e in range(8)])
    runs = load(path).runs
    assert len(runs) == 2 and len(runs[0].series["loss"]) == 10 and len(runs[1].series["loss"]) == 8


def test_resume_from_a_late_checkpoint_is_still_one_run(tmp_path):
    path = tmp_path / "log.csv"
    _append_run(path, 0, [1.0 / (e + 1) for e in range(10)])
    _append_run(path, 7, [1.0 / (e + 1) for e in range(7, 12)])
    (run,) = load(path).runs
    assert list(run.series["loss"].steps) == list(range(12)) and run.meta.resume_steps == [7]


def test_text_log_run_appended_with_a_counter_starting_one_later_is_another_run(tmp_path):
    path = tmp_path / "train.log"
    for first, scale in ((0, 1.0), (1, 0.8)):
        with _file_logger(path, "a", "%(asctime)s %(levelname)s %(message)s") as log:
            for e in range(first, first + 9):
                log.info("epoch %d train_loss=%.4f val_loss=%.4f", e, scale / (e + 1), scale * 1.2 / (e + 1))
    runs = load(path).runs
    assert len(runs) == 2 and list(runs[1].series["train_loss"].steps) == list(range(1, 10))


# ---------------------------------------------------------------- one print of common print formats
@pytest.mark.parametrize("fmt,args,series", [
    ("Epoch %d: loss=%.4f", (1, 0.6931), "loss"),
    ("Epoch [%d/%d], Step [%d/%d], Loss: %.4f", (1, 50, 100, 600, 0.4123), "loss"),
    ("Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f", (1, 0, 60000, 0.0, 2.305), "loss"),
    ("[%d/%d] train_loss: %.4f val_loss: %.4f val_acc: %.2f", (1, 10, 0.6931, 0.7012, 0.51), "val_loss"),
    ("Iter %d: loss %.4f", (10, 0.5123), "loss"),
    ("step %d | loss %.2f | lr %.0e", (100, 2.31, 3e-4), "loss"),
    ("Epoch %d/%d\n  train_loss: %.4f\n  val_loss: %.4f", (1, 10, 0.69, 0.70), "val_loss"),
    ("%s", ({"loss": 0.6931, "grad_norm": 1.2, "learning_rate": 5e-05, "epoch": 0.5},), "loss"),
])
def test_one_print_of_a_training_line_is_a_one_point_run(tmp_path, fmt, args, series):
    out = io.StringIO()
    print("Loading data...", file=out)
    print(fmt % args, file=out)
    path = tmp_path / "train.log"
    path.write_text(out.getvalue())
    (run,) = read_file(path)
    assert len(run.series[series]) == 1


# ---------------------------------------------------------------- the Trainer's summary is no point
def test_hf_log_history_exported_to_csv_keeps_its_summary_as_a_note(tmp_path):
    """``pd.DataFrame(trainer.state.log_history).to_csv``: the last row is the end-of-training summary;
    its train_loss is the mean over the run, so it is a note, not a last training-loss point."""
    pd = pytest.importorskip("pandas")
    history = [{"loss": 3.0 / k, "learning_rate": 1e-4, "epoch": k / 10, "step": 10 * k} for k in range(1, 11)]
    history += [{"eval_loss": 0.5, "eval_wer": 1.0, "epoch": 1.0, "step": 100}]
    history += [{"train_runtime": 120.5, "train_samples_per_second": 26.4, "total_flos": 9.9e18,
                 "train_loss": 1.1, "epoch": 1.0, "step": 100}]
    path = tmp_path / "training_history.csv"
    pd.DataFrame(history).to_csv(path, index=False)
    (run,) = read_file(path)
    assert "train_loss" not in run.series and "train_runtime" not in run.series
    assert len(run.series["loss"]) == 10
    assert any(n.startswith("final summary") and "train_loss=1.1" in n for n in run.meta.notes)


# ---------------------------------------------------------------- evaluation rows among batch rows
def _frame_csv(tmp_path, rows: list[dict]) -> Path:
    pd = pytest.importorskip("pandas")
    path = tmp_path / "metrics.csv"
    pd.DataFrame(rows).to_csv(path, index=False)  # pandas writes a missing value (and NaN) as ""
    return path


def test_evaluation_rows_among_batch_rows_leave_no_nan(tmp_path):
    """A logger writing 8 batch rows then one evaluation row per epoch into one dense table: the
    cells each kind of row leaves empty were not logged (no NaN loss, no NaN accuracy). Most cells
    are filled, so the table is dense (an empty cell elsewhere would be pandas' NaN)."""
    rows = []
    for e in range(10):
        rows += [{"train_loss": 0.7 / (e + 1 + b / 8), "accuracy": 0.5 + 0.04 * e, "f1": 0.6 + 0.03 * e,
                  "lr": 1e-3, "epoch": e} for b in range(8)]
        rows.append({"epoch": e, "val_loss": 0.04 + 0.002 * e})
    (run,) = read_file(_frame_csv(tmp_path, rows))
    assert all(np.isfinite(run.series[n].values).all() for n in ("train_loss", "accuracy", "val_loss"))
    assert len(run.series["val_loss"]) == 10 and len(run.series["train_loss"]) == 80
    assert "nonfinite" not in _finding_ids(tmp_path / "metrics.csv")


def test_a_loss_that_went_nan_written_by_pandas_stays_nan(tmp_path):
    rows = [{"epoch": e, "loss": 1.0 / (e + 1) if e < 8 else float("nan"), "acc": 0.5} for e in range(20)]
    (run,) = read_file(_frame_csv(tmp_path, rows))
    assert int(np.isnan(run.series["loss"].values).sum()) == 12


# ---------------------------------------------------------------- numbers printed in their library's repr
def test_numpy_scalars_and_torch_tensors_printed_without_item(tmp_path):
    """``print({'loss': np.mean(losses)})`` under numpy 2 prints ``np.float64(0.69)``; a torch loss
    printed without ``.item()`` (``print("loss", loss)``) prints ``tensor(0.6931, grad_fn=<...>)``:
    both are the number."""
    torch = pytest.importorskip("torch")
    out = io.StringIO()
    model = torch.nn.Linear(4, 2)
    for epoch in range(1, 7):
        x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
        loss = torch.nn.functional.cross_entropy(model(x), y) * (1.0 / epoch)
        print(f"Epoch {epoch}: loss", loss, file=out)  # str(tensor), not format(tensor)
        print({"epoch": epoch, "val_loss": np.float64(1.0 / epoch), "val_acc": np.float32(0.5)}, file=out)
    text = out.getvalue()
    assert "grad_fn" in text and ("np.float64" in text or np.__version__.startswith("1."))
    path = tmp_path / "train.log"
    path.write_text(text)
    (run,) = read_file(path)
    assert len(run.series["loss"]) == 6 and np.isfinite(run.series["loss"].values).all()
    assert list(run.series["val_loss"].values) == pytest.approx([1.0 / e for e in range(1, 7)])


def test_csv_cells_holding_numpy_scalar_reprs(tmp_path):
    """A hand-rolled logger writing ``repr`` of numpy 2 scalars into CSV cells (``np.float64(0.69)``)."""
    path = tmp_path / "history.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "loss", "val_acc"])
        for e in range(1, 8):
            w.writerow([e, repr(np.float64(1.0 / e)), repr(np.float32(0.5 + e / 100))])
    (run,) = read_file(path)
    assert list(run.series["loss"].values) == pytest.approx([1.0 / e for e in range(1, 8)])
    assert len(run.series["val_acc"]) == 7


@pytest.mark.parametrize("end_line", ["`Trainer.fit` stopped: `max_epochs=10` reached.", "10 epochs completed in 0.052 hours.",
                                      "Training complete."])
def test_counter_back_after_a_printed_end_of_training_is_another_run(tmp_path, end_line):
    """Lightning's and Ultralytics' end-of-fit lines (behind a logging prefix), or a script's own:
    a finished run is not resumed, so the counter going back to a later x starts another run."""
    path = tmp_path / "train.log"
    with _file_logger(path, "w", "%(asctime)s %(levelname)s %(name)s: %(message)s") as log:
        for e in range(0, 10):
            log.info("epoch %d train_loss=%.4f val_loss=%.4f", e, 1.0 / (e + 1), 1.2 / (e + 1))
        log.info(end_line)
        for e in range(4, 10):  # the next stage logs from its first evaluation at epoch 4
            log.info("epoch %d train_loss=%.4f val_loss=%.4f", e, 0.5 / (e + 1), 0.6 / (e + 1))
    runs = load(path).runs
    assert len(runs) == 2 and len(runs[0].series["train_loss"]) == 10 and not runs[0].meta.resume_steps
