"""Readers on files written by the real writers: Lightning CSVLogger, Hugging Face Trainer, Keras 3."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from traindoc.readers import load, reader_for
from traindoc.run import Role

from ._hf_toy import toy_data_and_model

os.environ.setdefault("KERAS_BACKEND", "torch")


def _only(runs):
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


# ---------------------------------------------------------------- Lightning CSVLogger
def _lightning_module():
    torch = pytest.importorskip("torch")
    L = pytest.importorskip("lightning")

    class Tiny(L.LightningModule):
        def __init__(self, num_classes: int = 3, lr: float = 0.1, validate: bool = True):
            super().__init__()
            self.save_hyperparameters()
            self.layer = torch.nn.Linear(4, num_classes)

        def training_step(self, batch, _):
            x, y = batch
            loss = torch.nn.functional.cross_entropy(self.layer(x), y)
            self.log("train_loss", loss, on_step=True, on_epoch=self.hparams.validate)
            return loss

        def validation_step(self, batch, _):
            x, y = batch
            out = self.layer(x)
            self.log("val_loss", torch.nn.functional.cross_entropy(out, y))
            self.log("val_acc", (out.argmax(1) == y).float().mean())

        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr)
            return [opt], [torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)]

    return L, Tiny


@pytest.fixture(scope="module")
def lightning_logs(tmp_path_factory) -> tuple[Path, Path]:
    """version_0: 3 epochs with validation and an LR monitor. version_1: 2 epochs, then a resume from
    epoch 0's checkpoint with the same CSVLogger object (as in a notebook): its writer appends, the
    step goes back. (A *new* CSVLogger on the same version deletes the old metrics.csv instead.)"""
    import torch
    from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
    from lightning.pytorch.loggers import CSVLogger
    from torch.utils.data import DataLoader, TensorDataset

    L, Tiny = _lightning_module()
    root = tmp_path_factory.mktemp("lightning")
    torch.manual_seed(0)
    ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 3, (64,)))
    common = dict(log_every_n_steps=1, enable_progress_bar=False, enable_model_summary=False, default_root_dir=root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        L.Trainer(max_epochs=3, logger=CSVLogger(root, version=0), callbacks=[LearningRateMonitor()],
                  enable_checkpointing=False, **common).fit(Tiny(), DataLoader(ds, batch_size=16),
                                                            DataLoader(ds, batch_size=32))
        shared = CSVLogger(root, version=1)
        L.Trainer(max_epochs=2, logger=shared, limit_val_batches=0,
                  callbacks=[ModelCheckpoint(dirpath=root / "ck", save_top_k=-1)], **common
                  ).fit(Tiny(validate=False), DataLoader(ds, batch_size=16))
        ckpt = sorted((root / "ck").glob("epoch=0-*.ckpt"))[0]
        L.Trainer(max_epochs=3, logger=shared, limit_val_batches=0, enable_checkpointing=False,
                  **common).fit(Tiny(validate=False), DataLoader(ds, batch_size=16), ckpt_path=ckpt)
    logs = root / "lightning_logs"
    return logs / "version_0" / "metrics.csv", logs / "version_1" / "metrics.csv"


def test_lightning_csv_sparse_rows_and_hparams(lightning_logs):
    path, _ = lightning_logs
    assert reader_for(path).NAME == "lightning_csv"
    run = _only(load(path).runs)
    s = run.series
    # 4 batches an epoch, 3 epochs, logged every step.
    assert list(s["train_loss_step"].steps) == list(range(12))
    assert s["train_loss_step"].role == Role.TRAIN_LOSS
    assert s["train_loss_epoch"].role == Role.TRAIN_LOSS and list(s["train_loss_epoch"].steps) == [3, 7, 11]
    assert s["val_loss"].role == Role.VAL_LOSS and list(s["val_loss"].steps) == [3, 7, 11]
    assert s["val_acc"].role == Role.VAL_METRIC and s["val_acc"].higher_is_better is True
    lr = s["lr-SGD"]
    assert lr.role == Role.LR and np.allclose(lr.values, [0.1, 0.05, 0.025])  # StepLR(gamma=0.5) each epoch
    # Empty cells are "not logged", not NaN.
    assert all(x.n_nonfinite == 0 for x in s.values())
    assert "epoch" not in s and "step" not in s
    assert not run.meta.resume_steps
    assert run.meta.hparams["lr"] == 0.1 and run.meta.num_classes == 3


def test_lightning_resume_appended_to_same_file(lightning_logs):
    _, path = lightning_logs
    raw_steps = [int(line.split(",")[1]) for line in path.read_text().splitlines()[1:]]
    assert raw_steps != sorted(raw_steps)  # the real file really goes back (precondition)
    run = _only(load(path).runs)
    assert run.meta.resume_steps == [4.0]
    assert list(run.series["train_loss"].steps) == list(range(12))  # epoch 1 replaced by the resumed one
    assert any("resumed from a checkpoint at step 4" in n and "4 point(s)" in n for n in run.meta.notes)


def test_lightning_restart_from_scratch_in_same_file_is_two_runs(lightning_logs, tmp_path):
    header, *rows = lightning_logs[0].read_text().splitlines()
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join([header, *rows, *rows]) + "\n")
    runs = load(path).runs
    assert [r.name.split("#")[-1] for r in runs] == ["1", "2"]
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert len(runs[0].series["train_loss_step"]) == len(runs[1].series["train_loss_step"]) == 12


# ---------------------------------------------------------------- Hugging Face Trainer
def _hf_train(out: Path, nan_at: int | None, **overrides):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from transformers import Trainer, TrainerCallback, TrainingArguments

    Data, Model = toy_data_and_model()

    class Poison(TrainerCallback):
        """Make the weights NaN after a step: every later loss is NaN, as in a real divergence."""

        def on_step_end(self, args, state, control, model=None, **kw):
            if nan_at is not None and state.global_step == nan_at:
                with torch.no_grad():
                    model.layer.weight.fill_(float("nan"))

    settings = dict(max_steps=12, logging_steps=2, eval_strategy="steps", eval_steps=4, save_steps=12,
                    per_device_train_batch_size=8, report_to=[], use_cpu=True, learning_rate=0.1, disable_tqdm=True)
    args = TrainingArguments(str(out), **{**settings, **overrides})
    transformers.logging.set_verbosity_error()
    trainer = Trainer(model=Model(), args=args, train_dataset=Data(64), eval_dataset=Data(16), callbacks=[Poison()])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        trainer.train()
    (out / "console.txt").write_text(printed.getvalue())
    trainer.save_state()  # writes trainer_state.json with the final summary entry into output_dir
    return out


@pytest.fixture(scope="module")
def hf_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("hf")
    return _hf_train(root / "clean", None), _hf_train(root / "nan", 6)


def test_hf_trainer_state_curves_and_summary(hf_dirs):
    clean, _ = hf_dirs
    path = clean / "checkpoint-12" / "trainer_state.json"
    assert reader_for(path).NAME == "hf_trainer_state"
    run = _only(load(path).runs)
    s = run.series
    assert list(s["loss"].steps) == [2, 4, 6, 8, 10, 12] and s["loss"].role == Role.TRAIN_LOSS
    assert list(s["eval_loss"].steps) == [4, 8, 12] and s["eval_loss"].role == Role.VAL_LOSS
    assert s["learning_rate"].role == Role.LR and s["grad_norm"].role == Role.GRAD_NORM
    assert s["learning_rate"].values[0] > s["learning_rate"].values[-1]  # linear decay
    assert run.meta.hparams["max_steps"] == 12 and run.meta.hparams["logging_steps"] == 2
    doc = json.loads(path.read_text())
    assert np.allclose(s["loss"].values, [e["loss"] for e in doc["log_history"] if "loss" in e])

    final = _only(load(clean / "trainer_state.json").runs)
    assert "train_loss" not in final.series and "train_runtime" not in final.series
    assert list(final.series["loss"].steps) == [2, 4, 6, 8, 10, 12]
    assert any(n.startswith("final summary") and "train_loss=" in n for n in final.meta.notes)
    assert "summary.train_loss" in final.meta.hparams


def test_hf_output_folder_scan_reads_newest_state_once(hf_dirs, tmp_path):
    clean, _ = hf_dirs
    runs = load(clean).runs  # checkpoint-12/ and the output folder's save_state copy (and console.txt)
    assert [Path(r.source) for r in runs if r.format == "hf_trainer_state"] == [clean / "trainer_state.json"]
    # Without save_state, the latest checkpoint wins over older ones.
    import shutil

    for step in (4, 12):
        (tmp_path / f"checkpoint-{step}").mkdir()
        shutil.copy(clean / "checkpoint-12" / "trainer_state.json", tmp_path / f"checkpoint-{step}")
    assert [Path(r.source).parent.name for r in load(tmp_path).runs] == ["checkpoint-12"]
    # Named explicitly, an older checkpoint is still read.
    assert len(load(tmp_path / "checkpoint-4" / "trainer_state.json").runs) == 1


def test_hf_nan_hidden_by_logging_filter_is_noted(hf_dirs):
    _, nan = hf_dirs
    run = _only(load(nan / "trainer_state.json").runs)
    loss, gn = run.series["loss"], run.series["grad_norm"]
    late = loss.steps > 6
    # The real Trainer really hides it: the logged loss stays finite while grad_norm is NaN.
    assert np.all(np.isfinite(loss.values[late])) and not np.any(np.isfinite(gn.values[gn.steps > 6]))
    assert gn.n_nonfinite >= 3  # kept, never dropped
    note = next(n for n in run.meta.notes if "logging_nan_inf_filter" in n)
    assert "from step 8" in note and "exactly 0.0" in note


def test_hf_console_prints_as_text_log(hf_dirs):
    clean, _ = hf_dirs
    path = clean / "console.txt"
    assert reader_for(path).NAME == "text_log"
    run = _only(load(path).runs)
    state = json.loads((clean / "trainer_state.json").read_text())["log_history"]
    loss = run.series["loss"]
    assert loss.axis == "epoch" and len(loss) == 6
    assert np.allclose(loss.values, [e["loss"] for e in state if "loss" in e], rtol=1e-3)
    assert np.allclose(loss.steps, [e["epoch"] for e in state if "loss" in e])
    assert run.series["eval_loss"].role == Role.VAL_LOSS and len(run.series["eval_loss"]) == 3
    assert run.series["learning_rate"].role == Role.LR


def test_hf_checkpoint_saved_before_first_log_is_an_empty_run(tmp_path):
    """A checkpoint written before the first logging step has an empty log_history: a run, not an error."""
    out = _hf_train(tmp_path / "early", None, max_steps=2, logging_steps=50, eval_strategy="no", save_steps=1)
    path = out / "checkpoint-1" / "trainer_state.json"
    assert json.loads(path.read_text())["log_history"] == []  # what the real Trainer wrote
    run = _only(load(path).runs)
    assert not run.series and run.meta.hparams["max_steps"] == 2 and run.meta.hparams["logging_steps"] == 50
    assert any(n.startswith("log_history is empty") and "logging_steps=50" in n for n in run.meta.notes)
    from traindoc.rules import diagnose_run

    assert "too-short" in [f.id for f in diagnose_run(run)]
    show = subprocess.run([sys.executable, "-m", "traindoc", "show", str(path)], capture_output=True, text=True)
    assert show.returncode == 0 and "log_history is empty" in show.stdout and "no series" in show.stdout
    diag = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True)
    assert diag.returncode == 0 and "too-short" in diag.stdout and "Traceback" not in diag.stderr


# ---------------------------------------------------------------- Keras 3
@pytest.fixture(scope="module")
def keras_files(tmp_path_factory):
    keras = pytest.importorskip("keras")
    root = tmp_path_factory.mktemp("keras")
    rng = np.random.default_rng(0)
    x = rng.random((64, 4)).astype("float32")
    y = (x.sum(1) > 2).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        hist = model.fit(x, y, epochs=3, validation_split=0.25, verbose=2,
                         callbacks=[keras.callbacks.CSVLogger(str(root / "log.csv"), append=True)])
        model.fit(x, y, epochs=2, validation_split=0.25, verbose=1,
                  callbacks=[keras.callbacks.CSVLogger(str(root / "log.csv"), append=True)])
    (root / "history.json").write_text(json.dumps(hist.history))
    (root / "fit_output.txt").write_text(out.getvalue())
    return root, hist.history


def test_keras_csvlogger_append_gives_two_runs(keras_files):
    root, history = keras_files
    path = root / "log.csv"
    assert reader_for(path).NAME == "keras_csv"
    runs = load(path).runs
    assert [r.name.split("/")[-1] for r in runs] == ["log.csv#1", "log.csv#2"]
    assert [r.meta.segment for r in runs] == [(1, 2), (2, 2)]
    assert any("run 2" in n and "line 5" in n for n in runs[1].meta.notes)
    first, second = runs
    assert first.series["loss"].axis == "epoch" and list(first.series["loss"].steps) == [0, 1, 2]
    assert list(second.series["val_loss"].steps) == [0, 1]
    assert np.allclose(first.series["loss"].values, history["loss"])
    assert first.series["val_accuracy"].role == Role.VAL_METRIC
    assert first.series["accuracy"].role == Role.TRAIN_METRIC


def test_keras_history_json(keras_files):
    root, history = keras_files
    run = _only(load(root / "history.json").runs)
    assert run.format == "keras_history"
    assert set(run.series) == set(history)
    assert np.allclose(run.series["val_loss"].values, history["val_loss"])
    assert run.series["val_loss"].role == Role.VAL_LOSS and run.series["loss"].axis == "epoch"


def test_keras_verbose_output_as_text_log(keras_files):
    root, history = keras_files
    path = root / "fit_output.txt"
    assert reader_for(path).NAME == "text_log"
    runs = load(path).runs
    assert len(runs) == 2  # two fit() calls: "Epoch 1/3"… then "Epoch 1/2"…
    first = runs[0]
    assert list(first.series["loss"].steps) == [1, 2, 3]  # as printed: Epoch 1/3
    assert np.allclose(first.series["val_loss"].values, history["val_loss"], atol=1e-4)
    assert list(runs[1].series["val_loss"].steps) == [1, 2]  # progress-bar redraws kept only at epoch end
    assert not math.isnan(runs[1].series["accuracy"].values[-1])
