"""One plain PyTorch training loop, with hooks for the faults the corpus injects.

The loop records what a practitioner's script would log: the mini-batch training loss every
``log_every`` steps (optionally averaged over those steps), the learning rate, and a validation
pass every epoch. Faults are injected through hooks so each case stays a few lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class Log:
    """Rows as a logger sees them: per-step training rows and per-epoch validation rows."""

    rows: list[dict] = field(default_factory=list)

    def add(self, kind: str, step: int, epoch: int, **values: float) -> None:
        self.rows.append({"kind": kind, "step": step, "epoch": epoch, **values})

    def of(self, kind: str) -> list[dict]:
        return [r for r in self.rows if r["kind"] == kind]


def balanced_accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    recalls = [float((pred[y == c] == c).mean()) for c in np.unique(y)]
    return float(np.mean(recalls))


def macro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    scores = []
    for c in np.unique(np.concatenate([y, pred])):
        tp = float(((pred == c) & (y == c)).sum())
        fp = float(((pred == c) & (y != c)).sum())
        fn = float(((pred != c) & (y == c)).sum())
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def _evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, task: str, loss_fn: Callable,
              metrics: tuple[str, ...]) -> dict[str, float]:
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = float(loss_fn(out, y))
    model.train()
    res = {"loss": loss}
    if task == "cls":
        pred = out.argmax(-1).numpy()
        yy = y.numpy()
        if "acc" in metrics:
            res["acc"] = float((pred == yy).mean())
        if "bal_acc" in metrics:
            res["balanced_accuracy"] = balanced_accuracy(pred, yy)
        if "f1" in metrics:
            res["macro_f1"] = macro_f1(pred, yy)
    elif task == "reg" and "mae" in metrics:
        res["mae"] = float((out - y).abs().mean())
    return res


def lm_loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))


def fit(model: nn.Module, train: tuple, val: tuple | None, *, epochs: int, batch: int,
        opt: torch.optim.Optimizer, seed: int, task: str = "cls", loss_fn: Callable | None = None,
        sched: object | None = None, log_every: int = 1, average: bool = False,
        metrics: tuple[str, ...] = ("acc",), batch_hook: Callable | None = None,
        step_hook: Callable | None = None, train_eval: bool = False, max_steps: int | None = None,
        val_every: int = 1) -> Log:
    """Train and return what was logged. ``step_hook(step, model, opt)`` may return a new
    optimiser (a resume that drops state); ``batch_hook(step, x, y)`` may alter a batch."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    if loss_fn is None:
        loss_fn = F.cross_entropy if task == "cls" else (lm_loss if task == "lm" else F.mse_loss)
    x, y = train
    log = Log()
    step, acc_losses = 0, []
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            if batch_hook is not None:
                xb, yb = batch_hook(step, xb, yb)
            if step_hook is not None:
                new = step_hook(step, model, opt)
                if new is not None:
                    opt = new
                    if sched is not None and hasattr(sched, "optimizer"):
                        sched.optimizer = opt
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            acc_losses.append(float(loss.detach()))
            if step % log_every == 0:
                value = float(np.mean(acc_losses)) if average else float(loss.detach())
                log.add("train", step, epoch, loss=value, lr=opt.param_groups[0]["lr"])
                acc_losses = []
            if sched is not None and getattr(sched, "per_step", True):
                sched.step()
            if max_steps is not None and step >= max_steps:
                break
        if sched is not None and not getattr(sched, "per_step", True):
            sched.step()
        if val is not None and (epoch + 1) % val_every == 0:
            ev = _evaluate(model, val[0], val[1], task, loss_fn, metrics)
            extra = {}
            if train_eval:
                tr = _evaluate(model, x, y, task, loss_fn, metrics)
                extra = {f"train_{k}": v for k, v in tr.items()}
            log.add("val", step, epoch, **{f"val_{k}": v for k, v in ev.items()}, **extra)
        if max_steps is not None and step >= max_steps:
            break
    return log


def per_step(sched: object, flag: bool) -> object:
    """Mark whether a scheduler steps per optimiser step (True) or per epoch (False)."""
    sched.per_step = flag  # type: ignore[attr-defined]
    return sched


def finite(v: float) -> bool:
    return math.isfinite(v)
