"""Write the fuzzer's seed logs with the real writers, into ``tests/data/fuzz_seeds/<format>/``.

Why committed seeds: the in-suite fuzz subset must start from files the real writers produced,
without training a model in every test run. Re-run this script when a writer's format changes:

    python bench/fuzz_seeds.py [OUT_DIR]

Each seed is a small file or folder; handwritten formats (Ultralytics, detectron2, MMEngine) are
copied from ``tests/data/readers_files`` (transcribed from real runs).
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "data" / "fuzz_seeds"
STEPS = 60


def _loss(i: int) -> float:
    return 2.3 * math.exp(-i / 20) + 0.05 * math.sin(i)


def tensorboard(out: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(str(out / "run"))
    for i in range(STEPS):
        w.add_scalar("train/loss", _loss(i), i)
        if i % 10 == 0:
            w.add_scalar("val/accuracy", 0.1 + i / 100, i)
    w.add_text("notes", "lr=0.1 [bold]", 0)
    w.add_hparams({"lr": 0.1, "num_classes": 10}, {"hparam/val_acc": 0.6}, run_name="hp")
    w.close()


def lightning_csv(out: Path) -> None:
    """The Lightning module of the reader tests (train and validation metrics, saved hparams)."""
    import torch
    from lightning.pytorch.loggers import CSVLogger
    from torch.utils.data import DataLoader, TensorDataset

    sys.path.insert(0, str(ROOT / "tests" / "readers"))
    from test_files_frameworks import _lightning_module

    L, Tiny = _lightning_module()
    torch.manual_seed(0)
    ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 3, (64,)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        L.Trainer(max_epochs=4, logger=CSVLogger(out, name="lightning_logs", version=0), log_every_n_steps=1,
                  enable_progress_bar=False, enable_model_summary=False, enable_checkpointing=False,
                  default_root_dir=out).fit(Tiny(), DataLoader(ds, batch_size=8), DataLoader(ds, batch_size=32))


def keras(out: Path) -> tuple[Path, Path]:
    import json

    import keras
    import numpy as np

    (out / "keras_csv").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=8, validation_split=0.25, verbose=0,
                     callbacks=[keras.callbacks.CSVLogger(str(out / "keras_csv" / "training.log"))])
    (out / "keras_history").mkdir(parents=True, exist_ok=True)
    (out / "keras_history" / "history.json").write_text(json.dumps(hist.history))


def _hf_trainer(work: Path, size: int = 64, resume: str | None = None, **overrides):
    """A Hugging Face Trainer on a toy classifier of ``size`` examples, trained (resumed from the checkpoint
    ``resume`` when given); ``overrides`` change its TrainingArguments."""
    import torch
    from transformers import Trainer, TrainingArguments

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(4, 2)

        def forward(self, x, labels=None):
            logits = self.lin(x)
            loss = torch.nn.functional.cross_entropy(logits, labels)
            return {"loss": loss, "logits": logits}

    class DS(torch.utils.data.Dataset):
        def __init__(self):
            g = torch.Generator().manual_seed(0)
            self.x, self.y = torch.randn(size, 4, generator=g), torch.randint(0, 2, (size,), generator=g)

        def __len__(self):
            return size

        def __getitem__(self, i):
            return {"x": self.x[i], "labels": self.y[i]}

    settings = dict(num_train_epochs=3, per_device_train_batch_size=8, logging_steps=2, eval_strategy="epoch",
                    save_strategy="epoch", report_to=[], use_cpu=True, disable_tqdm=True, save_total_limit=1)
    args = TrainingArguments(str(work), **{**settings, **overrides})
    trainer = Trainer(model=Model(), args=args, train_dataset=DS(), eval_dataset=DS())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train(resume_from_checkpoint=resume)
    return trainer


def hf_trainer_state(out: Path) -> None:
    work = out / "_hf"
    _hf_trainer(work)
    state = sorted(work.glob("checkpoint-*/trainer_state.json"))[-1]
    dest = out / "hf_trainer_state" / "run"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(state, dest / "trainer_state.json")
    shutil.rmtree(work)


def hf_resumed_other_data(out: Path) -> None:
    """Resumed from a checkpoint on a data set 16 times larger: the epoch counter goes back, the step goes on."""
    work = out / "_hf_resumed"
    once = dict(max_steps=8, save_steps=8, save_strategy="steps", eval_strategy="no", save_total_limit=None)
    _hf_trainer(work, **once)
    _hf_trainer(work, size=1024, resume=str(work / "checkpoint-8"), **{**once, "max_steps": 24}).save_state()
    dest = out / "hf_trainer_state" / "resumed_other_data"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(work / "trainer_state.json", dest / "trainer_state.json")
    shutil.rmtree(work)


def hf_summary_only(out: Path) -> None:
    """A run shorter than its logging_steps: log_history holds only the end-of-training summary."""
    work = out / "_hf_summary"
    _hf_trainer(work, logging_steps=500, eval_strategy="no", save_strategy="no").save_state()
    dest = out / "hf_trainer_state" / "summary_only"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(work / "trainer_state.json", dest / "trainer_state.json")
    shutil.rmtree(work)


def print_logs(out: Path) -> None:
    """Hand-written loops' print output: epoch headers over unindented value lines, values named
    before a chain of counters, values printed as (counter, value) pairs; and a CSV of list cells
    (``pd.DataFrame([history]).to_csv()``)."""
    import contextlib

    import pandas as pd

    (out / "text_log").mkdir(exist_ok=True)
    with open(out / "text_log" / "epoch_blocks.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for e in range(1, 21):
            print(f"Epoch {e}/20\nEpoch time: 2{e}.50s")
            print(f"Train Loss: {_loss(e):.4f}, Train Acc: {0.5 + e / 50:.4f}")
            print(f"Val Loss: {_loss(e) + 0.1:.4f}, Val Acc: {0.45 + e / 50:.4f}\n")
        print(f"Training completed!\nBest validation loss: {_loss(20) + 0.1:.4f}")
    with open(out / "text_log" / "loss.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for e in range(10):
            for it in (0, 500, 1000):
                print(f"Loss at epoch {e} and iteration {it} is {_loss(3 * e + it // 500)}")
        for e in range(20):
            print("loss:", (e, 1e6 * _loss(e)))
    with open(out / "text_log" / "glued_folds.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for k in range(3):  # cross-validation folds, each a head stage then a fine-tuning stage
            print(f"=== Training fold {k} ===")
            for stage, n in (("Head", 4), ("Finetune", 6)):
                for e in range(1, n + 1):
                    print(f"[Fold {k}] {stage} E{e}/{n}: train_loss={_loss(e) + k:.4f} val_loss={_loss(e) + 0.1:.4f}")
        print("CV loss per fold: [0.31, 0.33, 0.30] mean: 0.313")
    with open(out / "text_log" / "lists.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for e in range(10):
            print(f"After epoch {e}, training loss is {_loss(e):.4f} and validation loss is {_loss(e) + 0.1:.4f}")
        print("train_loss:", [round(_loss(i), 4) for i in range(20)])
    with open(out / "text_log" / "curves.txt", "w") as fh, contextlib.redirect_stdout(fh):
        print("train_loss:", [round(_loss(i), 4) for i in range(20)])
        print("val_loss:", [round(_loss(i) + 0.1, 4) for i in range(20)])
        print({"loss": [_loss(i) for i in range(20)], "val_accuracy": [0.5 + i / 50 for i in range(20)]})
    (out / "list_cells").mkdir(exist_ok=True)
    history = {"loss": [_loss(i) for i in range(18)], "accuracy": [0.5 + i / 40 for i in range(18)]}
    val = {"loss": [_loss(i) + 0.1 for i in range(18)], "accuracy": [0.45 + i / 40 for i in range(18)]}
    pd.DataFrame([history, val]).to_csv(out / "list_cells" / "history.csv", index=False)


def json_histories(out: Path) -> None:
    """Histories saved as JSON in the other shapes people write: pandas orient="records" and
    orient="index", and lists grouped by split with ``json.dump``."""
    import json

    import pandas as pd

    dest = out / "keras_history_shapes"
    dest.mkdir(exist_ok=True)
    h = {"loss": [_loss(i) for i in range(20)], "accuracy": [0.5 + i / 50 for i in range(20)],
         "val_loss": [_loss(i) + 0.1 for i in range(20)]}
    pd.DataFrame(h).to_json(dest / "records.json", orient="records")
    pd.DataFrame(h).to_json(dest / "index.json", orient="index")
    with open(dest / "grouped.json", "w") as fh:
        json.dump({"train": {"loss": h["loss"], "acc": h["accuracy"]}, "val": {"loss": h["val_loss"]}}, fh, indent=2)


def value_lists(out: Path) -> None:
    """Bare-number files named for what they hold: np.save of an array, an indexed pandas Series."""
    import numpy as np
    import pandas as pd

    dest = out / "value_list"
    dest.mkdir(exist_ok=True)
    np.save(dest / "loss.npy", np.array([_loss(i) for i in range(STEPS)]))
    pd.Series([_loss(i) for i in range(STEPS)]).to_csv(dest / "losses.csv")


def unnamed_numbers(out: Path) -> None:
    """Files whose numbers only the file name names, a whitespace table, a colon-introduced block and a
    console with one line of final metrics, as scripts print them (``readers14``'s layouts)."""
    import contextlib

    dest = out / "printed"
    for sub in ("epoch_lines", "batch_epochs", "labelled", "ragged", "colon_blocks", "one_line"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    with open(dest / "epoch_lines" / "loss_log.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for e in range(1, 21):
            print(f"Epoch {e}: {_loss(e):.4f}")
    with open(dest / "batch_epochs" / "train_losses.csv", "w") as fh:
        for run in range(2):
            for e in range(3):
                for b in range(10):
                    fh.write(f"{e}\t{1000 * _loss(3 * e + b):.8f}\n")
    with open(dest / "labelled" / "loss_log.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for n in (20, 12, 6):
            print(f"BRNN:{[_loss(i) for i in range(n)]}")
    with open(dest / "ragged" / "training_results.txt", "w") as fh:
        fh.write("# samples_seen_in_train train_losses sample_seen_in_test test_losses test_accuracy (%)\n")
        for i in range(STEPS):
            fh.write(f"{100 * i} {_loss(i):.4g}" + (f" {50 * i} {_loss(i) + 0.1:.4g} {50 + i / 2:.2f}\n"
                                                     if i % 3 == 1 else "\n"))
    with open(dest / "colon_blocks" / "loss_log.txt", "w") as fh, contextlib.redirect_stdout(fh):
        for e in range(4):
            print("=" * 49 + f"\nValidation metrics at epoch {e} :\nROUGE1 : {0.1 + e / 50}\nROUGE2 : {e / 100}\n" + "=" * 49)
    with open(dest / "one_line" / "train.log", "w") as fh, contextlib.redirect_stdout(fh):
        print("INFO:absl:***** Running training *****\nINFO:absl:  Num examples = 20864\nINFO:absl:  Batch size = 32")
        print("processed 2330 tokens with 0 phrases; found: 0 phrases; correct: 0.")
        print("accuracy:  69.18%; precision:   0.00%; recall:   0.00%; FB1:   0.00")


def readers15_layouts(out: Path) -> None:
    """Layouts read since readers15: a header-less ``np.savetxt`` table (read under ``--columns``), a YOLOv5
    results.txt with launches appended, several Keras-shaped histories in one JSON, an RL report of
    episode blocks, a trainer_state.json of end-of-run figures only."""
    import contextlib
    import json

    import numpy as np

    dest = out / "printed"
    for sub in ("headerless", "yolov5", "histories", "episode_report", "state_summary"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    e = np.arange(1, 31)
    np.savetxt(dest / "headerless" / "progress.csv", np.column_stack([e, [_loss(i) for i in e], [_loss(i) + 0.1 for i in e]]),
               delimiter=",", fmt=["%d", "%.6f", "%.6f"])
    with open(dest / "yolov5" / "results.txt", "w") as fh:  # as YOLOv5's train.py formats each finished epoch
        for epoch, last in [(0, 0), (0, 0)] + [(k, 9) for k in range(10)]:
            fh.write(("%10s" * 2 + "%10.4g" * 6) % (f"{epoch}/{last}", "3.3G", 0.045, 0.065, 0.023, 0.133, 168, 640)
                     + "%10.4g" * 7 % (0.7, 0.55, 0.65 + epoch / 100, 0.43, 0.041, 0.040, 0.013) + "\n")
    folds = [{"loss": [_loss(i + k) for i in range(12)], "val_loss": [_loss(i + k) + 0.1 for i in range(12)]}
             for k in range(3)]
    (dest / "histories" / "cv_histories.json").write_text(json.dumps(folds))
    with open(dest / "episode_report" / "training_progress.txt", "w") as fh, contextlib.redirect_stdout(fh):
        print("Actor-Critic training progress\n")
        for b in range(10):
            print(f"Episodes {18 * b + 1:03d}-{18 * b + 18:03d}: {9.8 - 2.5 / (b + 1):6.2f} " + "#" * (10 + b))
        print("\nGreedy policy by state:\nState 0: RIGHT logits=[-1.58, 1.58]")
    (dest / "state_summary" / "trainer_state.json").write_text(json.dumps(
        {"best_metric": {"eval_f1": 85.6}, "epoch": 3, "training_loss": 0.22, "global_step": 21900}, indent=2))


def readers16_layouts(out: Path) -> None:
    """Layouts read since readers16: a table with a train row and a wider val row per epoch (``csv.writer``),
    per-batch rows with a running-total loss and a summary row per epoch, ``str(history.history)`` saved
    inside a JSON string, and rows wider than the header with a second header below them."""
    import csv
    import json

    import numpy as np

    dest = out / "printed"
    for sub in ("row_kinds", "running_total", "pyrepr"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    with open(dest / "row_kinds" / "training_log.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", "phase", "loss", "acc"])
        for e in range(1, 21):
            w.writerow([e, "train", round(_loss(e), 5), round(50 + e, 3)])
            w.writerow([e, "val", round(55 + e, 3), round(0.37 + e / 100, 4), *[round(40 + e + k, 3) for k in range(10)]])
    with open(dest / "running_total" / "training_log.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Epoch", "Batch", "Loss"])
        for e in range(1, 9):
            total = 0.0
            for b in range(1, 402):
                total += _loss(e) / 4
                if b % 100 == 1:
                    w.writerow([e, b, total])
            w.writerow([e, "summary", _loss(e), 0.3 + e / 20, 6986])
    history = {"loss": [np.float64(_loss(i)) for i in range(8)], "val_loss": [_loss(i) + 0.1 for i in range(8)],
               "accuracy": [0.5 + i / 20 for i in range(8)], "lr": np.full(8, 1e-3, dtype="float32")}
    (dest / "pyrepr" / "model_history.json").write_text(json.dumps(str(history)))
    (dest / "ragged").mkdir(parents=True, exist_ok=True)
    with open(dest / "ragged" / "log.csv", "w", newline="") as fh:  # val values appended, a stray separator
        w = csv.writer(fh)
        w.writerow(["epoch", "loss", "acc"])
        for e in range(1, 16):
            w.writerow([e, round(_loss(e), 5), 0.5 + e / 100, round(_loss(e) + 0.1, 5), 0.48 + e / 100] + [""] * (e % 2))
        w.writerow(["epoch", "loss", "acc", "lr"])  # relaunched with one more column
        for e in range(1, 11):
            w.writerow([e, round(_loss(e), 5), 0.5 + e / 100, 1e-3])


CONSOLE_FAMILIES = ("bars_and_wandb", "metric_blocks", "split_lines", "padded_counter", "wrapped_numbers")
# Bare JSON shapes of one quantity in a file named for it (``tests/readers/_json_measure_families.py``).
JSON_MEASURE_FAMILIES = ("counted_numbers", "column_vector", "counter_list", "generations")


def console_families(out: Path) -> None:
    """Hand-written consoles of the layout families the text-log reader reads in general (one variant
    each, from the generators of ``tests/readers/_console_families.py``): tqdm bars and wandb's closing
    summary around the epoch lines, one titled block per quantity, one line per split under an epoch header."""
    sys.path.insert(0, str(ROOT / "tests" / "readers"))
    import _console_families as CF

    for family in CONSOLE_FAMILIES:
        console = CF.FAMILIES[family](20261207)
        dest = out / "printed" / f"console_{family}"
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "train.log").write_text(console.text, encoding="utf-8")


def json_measure_families(out: Path) -> None:
    """One variant of each bare JSON shape of one quantity (numbers under epoch keys, a column vector, a
    counter list beside the values, an evolution strategy's generations), from the generators of
    ``tests/readers/_json_measure_families.py``."""
    _generated(out, "_json_measure_families", JSON_MEASURE_FAMILIES, "json_")


def _generated(out: Path, module: str, families: tuple[str, ...], prefix: str) -> None:
    """One variant (seed 20261207) of each family of a test generator module (``FAMILIES``, each case
    with ``name`` and ``text``), in ``printed/<prefix><family>/<its name>``."""
    import importlib

    sys.path.insert(0, str(ROOT / "tests" / "readers"))
    gen = importlib.import_module(module)
    for family in families:
        case = gen.FAMILIES[family](20261207)
        dest = out / "printed" / f"{prefix}{family}"
        dest.mkdir(parents=True, exist_ok=True)
        (dest / case.name).write_text(case.text, encoding="utf-8")


RECORD_FAMILIES = ("record_loss", "metric_pair", "json_triples", "smoothed_pair")


def record_families(out: Path) -> None:
    """One variant of each layout whose columns only the file's name and numbers name (a training record's
    loss above 100, a metric's two splits, JSON [step, train, val] rows, a value beside its moving average),
    from the generators of ``tests/readers/_record_families.py``; each in a folder of its own, since the
    file's name is part of the layout."""
    _generated(out, "_record_families", RECORD_FAMILIES, "named_")


def sb3_monitor(out: Path) -> None:
    """A Stable-Baselines3 ``monitor.csv`` from its own ``ResultsWriter`` (one row per episode)."""
    from stable_baselines3.common.monitor import ResultsWriter

    dest = out / "sb3_monitor"
    dest.mkdir(exist_ok=True)
    w = ResultsWriter(str(dest / "monitor.csv"), header={"t_start": 1_700_000_000.0, "env_id": "CartPole-v1"})
    for i in range(STEPS):
        length = int(20 + 150 * (1 - math.exp(-i / 15)))
        w.write_row({"r": float(length), "l": length, "t": round(0.05 * (i + 1), 6)})
    w.close()


def _mlflow_runs(uri: str) -> None:
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("fuzz")
    run = client.create_run(exp, run_name="baseline")
    now = int(time.time() * 1000)
    metrics = [Metric("train/loss", _loss(i), now + i, i) for i in range(STEPS)]
    metrics += [Metric("val_accuracy", i / 10, now + 10 * i, 10 * i) for i in range(STEPS // 10)]
    client.log_batch(run.info.run_id, metrics=metrics, params=[Param("num_classes", "10"), Param("lr", "0.01")])
    client.set_terminated(run.info.run_id)


def mlflow(out: Path) -> None:
    _mlflow_runs((out / "mlflow_file" / "mlruns").as_uri())
    (out / "mlflow_sqlite").mkdir(parents=True, exist_ok=True)
    _mlflow_runs(f"sqlite:///{out / 'mlflow_sqlite' / 'mlflow.db'}")


def wandb(out: Path) -> None:
    import wandb as wb

    run = wb.init(project="fuzz", dir=str(out / "_wandb"), mode="offline", config={"lr": 0.1, "num_classes": 10})
    for i in range(STEPS):
        run.log({"train/loss": _loss(i), "epoch": i // 10}, step=i)
    run.finish()
    src = next((out / "_wandb" / "wandb").glob("offline-run-*"))
    shutil.copytree(src, out / "wandb" / src.name, ignore=shutil.ignore_patterns("logs", "requirements.txt"))
    shutil.rmtree(out / "_wandb")


def traindoc_watch(out: Path) -> None:
    import torch

    import traindoc

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    d = out / "traindoc_watch"
    with traindoc.watch(model, opt, logdir=d, every=5, quiet=True) as doc:
        for _ in range(STEPS):
            x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            doc.step(loss)
    for p in d.rglob("*"):
        if p.is_file() and not p.name.endswith(".traindoc.jsonl"):
            p.unlink()


def handwritten(out: Path) -> None:
    src = ROOT / "tests" / "data" / "readers_files"
    for name, dest in (("yolo_run", "ultralytics"), ("d2_run", "detectron2"), ("mmengine_run", "mmengine")):
        shutil.copytree(src / name, out / dest / name)
    (out / "text_log").mkdir()
    for name in ("nanogpt_train.log", "pytorch_mnist.log", "fairseq_train.log"):
        shutil.copy(src / name, out / "text_log" / name)
    (out / "generic_table").mkdir()
    rows = ["step,loss,val_loss,lr"] + [f"{i},{_loss(i):.5f},{_loss(i) + 0.1:.5f},0.001" for i in range(STEPS)]
    (out / "generic_table" / "log.csv").write_text("\n".join(rows) + "\n")
    with open(out / "generic_table" / "trials.csv", "w", newline="") as fh:  # each trial under its settings
        w = csv.writer(fh)
        for trial, epochs in ((1, 12), (2, 20)):
            w.writerow([f"Trial Details: Trial: {trial}", "Batch Size: 50", f"Epochs: {epochs}", "", ""])
            w.writerow(["Epoch#", "Accuracy", "Loss", "", ""])
            w.writerows([e, round(0.5 + e / 50, 4), round(_loss(e), 4), "", ""] for e in range(epochs))
            w.writerow([""] * 5)


WRITERS = {"tensorboard": tensorboard, "lightning_csv": lightning_csv, "keras": keras,
           "hf_trainer_state": hf_trainer_state, "mlflow": mlflow, "wandb": wandb,
           "traindoc_watch": traindoc_watch, "handwritten": handwritten, "hf_summary_only": hf_summary_only,
           "hf_resumed_other_data": hf_resumed_other_data,
           "print_logs": print_logs, "json_histories": json_histories,
           "value_lists": value_lists, "unnamed_numbers": unnamed_numbers, "sb3_monitor": sb3_monitor,
           "readers15_layouts": readers15_layouts, "readers16_layouts": readers16_layouts,
           "console_families": console_families, "json_measure_families": json_measure_families,
           "record_families": record_families}


def main(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, writer in WRITERS.items():
        target = out / name if name in ("tensorboard", "lightning_csv") else out
        target.mkdir(parents=True, exist_ok=True)
        writer(target)
        print(f"wrote {name}", file=sys.stderr)
    for junk in out.rglob("*"):
        if junk.is_dir() and junk.name in ("__pycache__", ".trash"):
            shutil.rmtree(junk, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
