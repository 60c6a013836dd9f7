"""The one training loop every zoo case runs; its bugs come only from the Config.

The loop reports to an observer (``traindoc.watch``'s handle in the zoo) exactly as a user's
loop would: the loss, inputs, targets and outputs of each optimisation step, and the
validation loss every few steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Protocol

import torch

from .config import Config
from .data import Batches, DataSet, collate, make_data
from .models import build_loss, build_model, build_optimizer


class Observer(Protocol):
    def step(self, loss, inputs=None, targets=None, outputs=None): ...


@dataclass
class Job:
    """Everything built from a config before training starts."""

    cfg: Config
    data: DataSet
    batches: Batches
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    loss_fn: torch.nn.Module


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    resumed_at: int | None = None

    def final_loss(self) -> float:
        """The judged end point: mean of the last 10% of validation (or training) losses; NaN counts as inf."""
        values = self.val_losses or self.losses
        tail = values[-max(1, len(values) // 10):]
        if not tail or any(not math.isfinite(v) for v in tail):
            return math.inf
        return sum(tail) / len(tail)


def build_job(cfg: Config) -> Job:
    data = make_data(cfg)
    model = build_model(cfg)
    return Job(cfg, data, Batches(cfg, data), model, build_optimizer(cfg, model), build_loss(cfg))


def _val_loss(job: Job) -> float:
    was_training = job.model.training
    job.model.eval()
    with torch.no_grad():
        value = float(job.loss_fn(job.model(collate(job.cfg, job.data.x_val)), job.data.y_val))
    job.model.train(was_training)
    return value


def train(job: Job, observer: Observer | None = None,
          log_val: Callable[[int, float], None] | None = None,
          on_resume: Callable[[int, torch.optim.Optimizer], None] | None = None) -> TrainResult:
    """Run ``cfg.steps`` optimisation steps; never raises on NaN (a broken run is the point)."""
    cfg, model, loss_fn = job.cfg, job.model, job.loss_fn
    torch.manual_seed(cfg.seed + 1)  # dropout masks
    opt = job.optimizer
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, cfg.lr_decay) if cfg.lr_decay else None
    result = TrainResult()
    model.train()
    for step in range(cfg.steps):
        if cfg.resume_at is not None and step == cfg.resume_at:
            # A resumed job: a fresh optimizer, with or without the saved state.
            saved = opt.state_dict()
            opt = build_optimizer(cfg, model)
            if cfg.restore_optimizer_state:
                opt.load_state_dict(saved)
            job.optimizer = opt
            result.resumed_at = step
            if on_resume is not None:
                on_resume(step, opt)
        x, y = next(job.batches)
        if cfg.zero_grad:
            opt.zero_grad(set_to_none=True)
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        if cfg.clip_grad is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)
        opt.step()
        if sched is not None:
            sched.step()
        result.losses.append(float(loss.detach()))
        if observer is not None:
            observer.step(loss, inputs=x, targets=y, outputs=out)
        if cfg.val_every and ((step + 1) % cfg.val_every == 0 or step == cfg.steps - 1):
            v = _val_loss(job)
            result.val_steps.append(step)
            result.val_losses.append(v)
            if log_val is not None:
                log_val(step, v)
    return result
