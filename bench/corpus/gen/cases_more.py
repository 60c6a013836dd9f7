"""Second variants of failures (other architectures, data and writers) and more healthy runs,
so no finding rests on a single run and healthy runs outnumber failing ones."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import data, models, writers
from .registry import case
from .train import fit, per_step


def _adam(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=lr)


@case("chance-cnn-sgd-lr-too-high-dead", 61, expected=["stuck-at-chance"], allowed=["divergence", "stalled", "oscillation", "loss-spikes", "no-learning"],
      reason="CNN, SGD momentum 0.9 at lr=0.2: one blow-up in the first epoch kills the net; train and val loss then sit at ln(6)=1.79 and val accuracy wanders 0.12-0.22 around chance (1/6) for the rest of the run")
def dead_cnn(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 6, 12, 0.8, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(6)
    log = fit(m, tr, va, epochs=25, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.2, momentum=0.9), seed=seed,
              log_every=10)
    return writers.tensorboard(log, out / "tb")


@case("oscillation-cnn-sgd-edge-lr", 61, expected=["oscillation"], allowed=["loss-spikes", "overfitting", "stalled"],
      reason="CNN, SGD momentum 0.9 at lr=0.06 (just below where it dies): from epoch 3 the val loss jumps between 0.13 and 0.8 and val accuracy between 0.79 and 0.97 epoch to epoch, with no trend over 17 epochs")
def osc_cnn(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 6, 12, 0.8, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(6)
    log = fit(m, tr, va, epochs=20, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.06, momentum=0.9), seed=seed,
              log_every=10)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-SGD")


@case("resume-lr-schedule-lost", 62, expected=["resume-spike"], allowed=["loss-spikes", "lr-too-high", "overfitting"],
      reason="MLP, Adam 1e-2 with StepLR x0.1 every 300 steps (1e-4 by step 600); resumed at step 650 from weights only: fresh Adam and the LR back at 1e-2, so train and val loss jump right at the resume (val 0.18 -> 0.50) and take ~100 steps to come back; before that val loss already crept up from 0.13 (step 189) to 0.18 (mild overfitting, allowed)")
def resume2(out: Path, seed: int) -> Path:
    x, y = data.blobs(2400, 20, 8, 1.0, seed)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = models.mlp(20, 128, 2, 8)
    opt = _adam(m, 1e-2)
    sched = per_step(torch.optim.lr_scheduler.StepLR(opt, 300, 0.1), True)

    def hook(step: int, model: nn.Module, _opt: torch.optim.Optimizer):
        if step == 650:
            new = _adam(model, 1e-2)
            sched.__init__(new, 300, 0.1)
            return new
        return None

    log = fit(m, tr, va, epochs=30, batch=32, opt=opt, sched=sched, seed=seed, log_every=5, step_hook=hook, max_steps=1100)
    return writers.tensorboard(log, out / "tb")


@case("spikes-lm-garbage-batches", 63, expected=["loss-spikes"], allowed=[],
      reason="char-level transformer LM; four batches of random tokens (a corrupt shard) at steps 150, 260, 380 and 470: the per-step loss jumps from ~0.7 to ~6 and is back on trend at the next step")
def spikes_lm(out: Path, seed: int) -> Path:
    text = data.char_text(30000, seed)
    chars = sorted(set(text))
    ids = torch.tensor([chars.index(c) for c in text])
    L = 32
    n = (len(ids) - 1) // L
    x = ids[: n * L].reshape(n, L)
    y = ids[1: n * L + 1].reshape(n, L)
    tr, va = data.split(x, y, int(n * 0.9))
    gen = torch.Generator().manual_seed(seed)

    def hook(step: int, xb: torch.Tensor, yb: torch.Tensor):
        if step in (150, 260, 380, 470, 600):
            return (torch.randint(0, len(chars), xb.shape, generator=gen), torch.randint(0, len(chars), yb.shape, generator=gen))
        return xb, yb

    torch.manual_seed(seed)
    m = models.TinyTransformer(len(chars), 32, 2, len(chars), L, causal=True)
    log = fit(m, tr, va, epochs=9, batch=16, opt=torch.optim.AdamW(m.parameters(), lr=2e-3), seed=seed, task="lm",
              log_every=1, metrics=(), batch_hook=hook)
    return writers.csv_steps(log, out / "loss.csv")


@case("both-rising-inplace-augmentation-bug", 64, expected=["both-rising"], allowed=["divergence", "overfitting", "loss-spikes"],
      reason="augmentation bug: noise is added to the stored training tensor in place every step, so the training inputs drift further from the data each epoch; after a good start both train and val loss climb for the rest of the run")
def both_rising2(out: Path, seed: int) -> Path:
    x, y = data.blobs(1800, 20, 6, 1.0, seed)
    tr, va = data.split(x, y, 1500)
    train_x = tr[0].clone()
    gen = torch.Generator().manual_seed(seed)

    def hook(step: int, _model: nn.Module, _opt: torch.optim.Optimizer):
        train_x.add_(torch.randn(train_x.shape, generator=gen) * 0.08)  # meant for a copy of the batch
        return None

    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 6)
    log = fit(m, (train_x, tr[1]), va, epochs=30, batch=64, opt=_adam(m, 1e-3), seed=seed, step_hook=hook)
    return writers.csv_epochs(log, out / "history.csv")


@case("stalled-bottleneck-1-unit", 65, expected=["stalled"], allowed=["no-learning"],
      reason="MLP with a 1-unit hidden layer on a 10-class task: both losses fall from ln(10)=2.30 to ~1.6 in the first half and then stay flat at that high level (val 1.56-1.60) for the rest of the 45 epochs")
def stalled2(out: Path, seed: int) -> Path:
    x, y = data.blobs(2500, 20, 10, 1.2, seed)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(20, 1), nn.ReLU(), nn.Linear(1, 10))
    log = fit(m, tr, va, epochs=45, batch=64, opt=_adam(m, 1e-2), seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs")


# ---- healthy -------------------------------------------------------------------------------

@case("healthy-label-smoothing-plateau", 131, healthy=True,
      reason="cross-entropy with label smoothing 0.3: the loss cannot go below ~1.2 and levels off there while accuracy reaches ~97%; a high plateau that is normal for this loss")
def hh1(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 10, 1.2, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 10)
    loss = lambda z, t: F.cross_entropy(z, t, label_smoothing=0.3)  # noqa: E731
    log = fit(m, tr, va, epochs=20, batch=64, opt=_adam(m, 1e-3), seed=seed, loss_fn=loss, log_every=5)
    return writers.csv_epochs(log, out / "history.csv")


@case("healthy-cnn-reduce-on-plateau", 132, healthy=True,
      reason="CNN with ReduceLROnPlateau on val loss: the LR halves twice late in the run and the loss settles a little lower each time")
def hh2(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 5, 12, 1.0, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(5)
    opt = torch.optim.SGD(m.parameters(), lr=0.03, momentum=0.9)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    class Wrapped:
        per_step = False
        optimizer = opt

        def __init__(self) -> None:
            self.epoch = 0

        def step(self) -> None:
            # evaluate on the validation set like a Lightning 'monitor' would, then step the plateau scheduler
            m.eval()
            with torch.no_grad():
                v = float(F.cross_entropy(m(va[0]), va[1]))
            m.train()
            plateau.step(v)

    log = fit(m, tr, va, epochs=16, batch=32, opt=opt, sched=Wrapped(), seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-SGD")


@case("healthy-transformer-warmup-classifier", 133, healthy=True,
      reason="two-layer transformer classifier with linear warm-up then linear decay: per-step loss falls through the warm-up and keeps falling")
def hh3(out: Path, seed: int) -> Path:
    x, y = data.token_sequences(2400, 12, 6, seed)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = models.TinyTransformer(6, 32, 2, 2, 12)
    opt = torch.optim.AdamW(m.parameters(), lr=2e-3)
    total = 10 * math.ceil(2000 / 32)
    sched = per_step(torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / 60, max(0.0, (total - s) / (total - 60)))), True)
    log = fit(m, tr, va, epochs=10, batch=32, opt=opt, sched=sched, seed=seed, log_every=5)
    return writers.tensorboard(log, out / "tb")


@case("healthy-regression-sgd-slow-steady", 134, healthy=True,
      reason="linear-ish regression with plain SGD at a small LR: MSE falls slowly but steadily for all 40 epochs (not flat: a slow learner)")
def hh4(out: Path, seed: int) -> Path:
    x, y = data.regression(1500, 10, 0.3, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(10, 32, 1, 1)
    log = fit(m, tr, va, epochs=40, batch=64, opt=torch.optim.SGD(m.parameters(), lr=0.003), seed=seed, task="reg",
              metrics=("mae",))
    return writers.csv_epochs(log, out / "metrics.csv")


@case("healthy-mlp-balanced-metrics", 135, healthy=True, allowed=["overfitting"],
      reason="balanced 4-class task logging accuracy, balanced accuracy and macro F1: all three rise together to ~0.97 and ease back to ~0.96 as val loss flattens (a 5% drift, allowed)")
def hh5(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 4, 0.7, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 4)
    log = fit(m, tr, va, epochs=15, batch=64, opt=_adam(m, 1e-3), seed=seed, metrics=("acc", "bal_acc", "f1"))
    return writers.csv_epochs(log, out / "metrics.csv")


@case("healthy-imbalanced-but-learning", 136, healthy=True,
      reason="90/10 imbalanced but separable classes: accuracy, balanced accuracy and macro F1 all reach 1.0: high accuracy that is not misleading")
def hh6(out: Path, seed: int) -> Path:
    x, y = data.blobs(3000, 10, 2, 1.5, seed, weights=[0.9, 0.1])
    tr, va = data.split(x, y, 2400)
    torch.manual_seed(seed)
    m = models.mlp(10, 32, 1, 2)
    log = fit(m, tr, va, epochs=15, batch=64, opt=_adam(m, 1e-3), seed=seed, metrics=("acc", "bal_acc", "f1"))
    return writers.csv_epochs(log, out / "metrics.csv")
