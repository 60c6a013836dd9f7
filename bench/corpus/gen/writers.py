"""Write a training Log with the real writers of common frameworks, or as plain files.

Lightning's CSVLogger and torch's SummaryWriter are called directly (they are the code that
writes those files in real runs); plain CSV and text logs mimic hand-written scripts.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import numpy as np

from .train import Log


def _fresh(directory: Path) -> Path:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return directory


def _fmt(v: float) -> str:
    return repr(float(v)) if np.isfinite(v) else ("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf"))


def epoch_rows(log: Log) -> list[dict]:
    """One row per epoch: mean training loss over the epoch, last LR, validation values."""
    out = []
    for v in log.of("val"):
        tr = [r for r in log.of("train") if r["epoch"] == v["epoch"]]
        row = {"epoch": v["epoch"]}
        if tr:
            row["train_loss"] = float(np.mean([r["loss"] for r in tr]))
            row["lr"] = tr[-1]["lr"]
        row.update({k: val for k, val in v.items() if k not in ("kind", "step", "epoch")})
        out.append(row)
    return out


def lightning_csv(log: Log, directory: Path, lr_name: str = "lr-Adam", train_name: str = "train_loss_step",
                  hparams: dict | None = None) -> Path:
    """Lightning's CSVLogger: step rows with the training loss, epoch rows with validation."""
    from lightning.pytorch.loggers import CSVLogger

    _fresh(directory)
    logger = CSVLogger(save_dir=str(directory.parent), name=directory.name, version="")
    if hparams:
        logger.log_hyperparams(hparams)
    for r in log.rows:
        if r["kind"] == "train":
            logger.log_metrics({train_name: r["loss"], lr_name: r["lr"], "epoch": r["epoch"]}, step=r["step"] - 1)
        else:
            vals = {k: v for k, v in r.items() if k not in ("kind", "step", "epoch")}
            tr = [t["loss"] for t in log.of("train") if t["epoch"] == r["epoch"]]
            if tr and train_name.endswith("_step"):
                vals[train_name[:-5] + "_epoch"] = float(np.mean(tr))
            logger.log_metrics({**vals, "epoch": r["epoch"]}, step=r["step"] - 1)
    logger.save()
    logger.finalize("success")
    return directory / "metrics.csv"


def tensorboard(log: Log, directory: Path, names: dict[str, str] | None = None) -> Path:
    """torch's SummaryWriter event file; tags default to train/loss, val/loss, val/acc, lr."""
    from torch.utils.tensorboard import SummaryWriter

    _fresh(directory)
    names = names or {}
    w = SummaryWriter(log_dir=str(directory))
    for r in log.rows:
        if r["kind"] == "train":
            w.add_scalar(names.get("loss", "train/loss"), r["loss"], r["step"])
            if "lr" in r and names.get("lr", "lr"):
                w.add_scalar(names.get("lr", "lr"), r["lr"], r["step"])
        else:
            for k, v in r.items():
                if k in ("kind", "step", "epoch"):
                    continue
                tag = names.get(k, k.replace("val_", "val/").replace("train_", "train/"))
                w.add_scalar(tag, v, r["step"])
    w.close()
    return directory


def csv_epochs(log: Log, path: Path, drop: tuple[str, ...] = (), rename: dict[str, str] | None = None) -> Path:
    """A hand-written per-epoch CSV (what ``csv.writer`` in a training script produces)."""
    rows = epoch_rows(log)
    rename = rename or {}
    cols = [c for c in rows[0] if c not in drop]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow([rename.get(c, c) for c in cols])
        for r in rows:
            wr.writerow([r["epoch"] if c == "epoch" else _fmt(r.get(c, float("nan"))) for c in cols])
    return path


def csv_steps(log: Log, path: Path, with_lr: bool = True) -> Path:
    """A per-step CSV: step, loss, (lr)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["step", "loss"] + (["lr"] if with_lr else []))
        for r in log.of("train"):
            wr.writerow([r["step"], _fmt(r["loss"])] + ([_fmt(r["lr"])] if with_lr else []))
    return path


def text_log(log: Log, path: Path, epochs: int, style: str = "dash") -> Path:
    """A print()-style log. ``dash``: 'Epoch 3/20 - step 120 - loss: 0.43 - lr: 0.001';
    ``bracket``: 'Epoch [3/20], Step [120], Loss: 0.4321' with validation lines between."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for r in log.rows:
        e = r["epoch"] + 1
        if r["kind"] == "train":
            if style == "dash":
                lines.append(f"Epoch {e}/{epochs} - step {r['step']} - loss: {r['loss']:.4f} - lr: {r['lr']:.6g}")
            else:
                lines.append(f"Epoch [{e}/{epochs}], Step [{r['step']}], Loss: {r['loss']:.4f}")
        else:
            vals = {k: v for k, v in r.items() if k not in ("kind", "step", "epoch")}
            if style == "dash":
                lines.append(f"Epoch {e}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in vals.items()))
            else:
                lines.append(f"Validation after epoch [{e}/{epochs}]: " +
                             ", ".join(f"{k.replace('val_', '').capitalize()}: {v:.4f}" for k, v in vals.items()))
    path.write_text("\n".join(lines) + "\n")
    return path
