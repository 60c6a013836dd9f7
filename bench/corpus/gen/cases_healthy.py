"""Healthy runs trained with plain PyTorch: the normal shapes a diagnosis must not flag."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import data, models, writers
from .registry import case
from .train import fit, per_step


def _warmup_cosine(opt: torch.optim.Optimizer, warm: int, total: int):
    def f(s: int) -> float:
        if s < warm:
            return (s + 1) / warm
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (s - warm) / max(1, total - warm))))
    return per_step(torch.optim.lr_scheduler.LambdaLR(opt, f), True)


@case("healthy-mlp-sgd-noisy-batch8", 101, healthy=True,
      reason="per-step loss of SGD with batch 8: very noisy, but the trend falls steadily")
def h1(out: Path, seed: int) -> Path:
    x, y = data.blobs(1200, 16, 5, 0.9, seed)
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.mlp(16, 32, 2, 5)
    log = fit(m, tr, va, epochs=3, batch=8, opt=torch.optim.SGD(m.parameters(), lr=0.01), seed=seed)
    return writers.csv_steps(log, out / "loss.csv")


@case("healthy-logreg-slow-sgd", 102, healthy=True,
      reason="logistic regression with a small SGD LR: a slow learner, loss still falling at the end")
def h2(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 4, 0.6, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.logreg(20, 4)
    log = fit(m, tr, va, epochs=20, batch=64, opt=torch.optim.SGD(m.parameters(), lr=0.003), seed=seed, log_every=5)
    return writers.text_log(log, out / "train.log", 20, style="dash")


@case("healthy-regression-high-first-loss", 103, healthy=True,
      reason="regression with targets of scale ~10: the first MSE is ~100, then falls fast and keeps improving (no chance level for MSE)")
def h3(out: Path, seed: int) -> Path:
    x, y = data.regression(1500, 8, 0.5, seed, scale=8.0)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(8, 64, 2, 1)
    log = fit(m, tr, va, epochs=25, batch=32, opt=torch.optim.Adam(m.parameters(), lr=3e-3), seed=seed, task="reg",
              metrics=("mae",))
    return writers.csv_epochs(log, out / "history.csv")


@case("healthy-mlp-adam-converge-plateau", 104, healthy=True,
      reason="Adam on separable blobs: converges within a few epochs and plateaus near zero loss; val flat at its minimum")
def h4(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 6, 2.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 6)
    log = fit(m, tr, va, epochs=20, batch=64, opt=torch.optim.Adam(m.parameters(), lr=1e-3), seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs")


@case("healthy-cnn-adam", 105, healthy=True, reason="small CNN on synthetic bar images with Adam: both losses fall and level off")
def h5(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 6, 12, 0.8, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(6)
    log = fit(m, tr, va, epochs=10, batch=32, opt=torch.optim.Adam(m.parameters(), lr=2e-3), seed=seed, log_every=5)
    return writers.tensorboard(log, out / "tb")


@case("healthy-cnn-sgd-step-decay", 106, healthy=True,
      reason="CNN, SGD momentum with step decay x0.1 at epochs 8 and 12: the loss drops a notch at each decay")
def h6(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 6, 12, 1.0, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(6)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    sched = per_step(torch.optim.lr_scheduler.MultiStepLR(opt, [8, 12], 0.1), False)
    log = fit(m, tr, va, epochs=15, batch=32, opt=opt, sched=sched, seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-SGD")


@case("healthy-transformer-seq-classifier", 107, healthy=True,
      reason="one-layer transformer counting tokens: loss falls from ln(2) to low values; val follows")
def h7(out: Path, seed: int) -> Path:
    x, y = data.token_sequences(2000, 12, 6, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.TinyTransformer(6, 32, 1, 2, 12)
    log = fit(m, tr, va, epochs=12, batch=32, opt=torch.optim.Adam(m.parameters(), lr=2e-3), seed=seed, log_every=5)
    return writers.tensorboard(log, out / "tb")


def _char_lm(seed: int, epochs: int, lr: float, warm: int | None):
    text = data.char_text(20000, seed)
    chars = sorted(set(text))
    ids = torch.tensor([chars.index(c) for c in text])
    L = 32
    n = (len(ids) - 1) // L
    x = ids[: n * L].reshape(n, L)
    y = ids[1: n * L + 1].reshape(n, L)
    tr, va = data.split(x, y, int(n * 0.9))
    torch.manual_seed(seed)
    m = models.TinyTransformer(len(chars), 32, 2, len(chars), L, causal=True)
    opt = torch.optim.AdamW(m.parameters(), lr=lr)
    steps = epochs * math.ceil(len(tr[0]) / 16)
    sched = _warmup_cosine(opt, warm, steps) if warm else None
    return fit(m, tr, va, epochs=epochs, batch=16, opt=opt, sched=sched, seed=seed, task="lm", log_every=5, metrics=())


@case("healthy-char-lm-transformer", 108, healthy=True,
      reason="char-level causal transformer on grammar text: loss falls from ln(vocab) fast, then slowly")
def h8(out: Path, seed: int) -> Path:
    log = _char_lm(seed, 4, 3e-3, None)
    return writers.text_log(log, out / "train.log", 4, style="bracket")


@case("overfit-sgd-small-valset", 109, expected=["overfitting"], allowed=["loss-spikes", "oscillation"],
      reason="meant as a healthy run with a noisy 40-sample val set, but it really overfits: train loss goes to ~1e-4 while val loss bottoms at epoch ~8 and rises ~5x")
def h9(out: Path, seed: int) -> Path:
    x, y = data.blobs(1640, 20, 5, 0.9, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 5)
    log = fit(m, tr, va, epochs=30, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9), seed=seed,
              log_every=10)
    return writers.csv_epochs(log, out / "history.csv")


@case("healthy-dropout-val-below-train", 110, healthy=True,
      reason="dropout 0.5: the train-mode loss sits above the eval-mode val loss all run; both fall")
def h10(out: Path, seed: int) -> Path:
    x, y = data.blobs(2500, 20, 6, 1.0, seed)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = models.mlp(20, 256, 2, 6, dropout=0.5)
    log = fit(m, tr, va, epochs=15, batch=64, opt=torch.optim.Adam(m.parameters(), lr=3e-4), seed=seed, log_every=5)
    return writers.csv_epochs(log, out / "metrics.csv")


@case("healthy-mlp-sgd-momentum-averaged", 111, healthy=True,
      reason="SGD momentum, loss averaged over every 10 steps: smooth fall then levelling off")
def h11(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 8, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 8)
    log = fit(m, tr, va, epochs=15, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.02, momentum=0.9), seed=seed,
              log_every=10, average=True)
    return writers.csv_steps(log, out / "loss.csv")


@case("healthy-cnn-warmup-cosine", 112, healthy=True,
      reason="CNN with linear warm-up then cosine decay: loss falls through warm-up and settles as the LR goes to 0")
def h12(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 6, 12, 0.9, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(6)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    sched = _warmup_cosine(opt, 60, 12 * 38)
    log = fit(m, tr, va, epochs=12, batch=32, opt=opt, sched=sched, seed=seed, log_every=4)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-AdamW")


@case("healthy-logreg-binary", 113, healthy=True, reason="binary logistic regression, Adam: a short clean descent")
def h13(out: Path, seed: int) -> Path:
    x, y = data.blobs(1500, 10, 2, 0.7, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.logreg(10, 2)
    log = fit(m, tr, va, epochs=12, batch=32, opt=torch.optim.Adam(m.parameters(), lr=5e-3), seed=seed, log_every=5)
    return writers.text_log(log, out / "train.log", 12, style="bracket")


@case("healthy-transformer-lm-warmup-cosine", 114, healthy=True,
      reason="char LM with warm-up + cosine: per-step loss falls smoothly as the LR rises and then decays")
def h14(out: Path, seed: int) -> Path:
    log = _char_lm(seed, 4, 4e-3, 40)
    return writers.tensorboard(log, out / "tb")


@case("healthy-regression-mlp-adam", 115, healthy=True, reason="MLP regression with Adam: MSE falls and flattens; val tracks train")
def h15(out: Path, seed: int) -> Path:
    x, y = data.regression(1500, 10, 0.2, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(10, 64, 2, 1)
    log = fit(m, tr, va, epochs=15, batch=32, opt=torch.optim.Adam(m.parameters(), lr=1e-3), seed=seed, task="reg",
              log_every=5)
    return writers.tensorboard(log, out / "tb")


@case("healthy-mlp-short-12-epochs", 116, healthy=True, reason="12 epochs, per-epoch CSV: both losses fall, accuracy rises")
def h16(out: Path, seed: int) -> Path:
    x, y = data.blobs(1500, 20, 4, 0.8, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 4)
    log = fit(m, tr, va, epochs=12, batch=64, opt=torch.optim.Adam(m.parameters(), lr=1e-3), seed=seed)
    return writers.csv_epochs(log, out / "history.csv")


@case("healthy-cnn-sgd-10-epochs", 117, healthy=True, reason="CNN, SGD momentum, 10 epochs: steady descent, val accuracy climbs")
def h17(out: Path, seed: int) -> Path:
    x, y = data.images(1300, 4, 12, 0.9, seed)
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.cnn(4)
    log = fit(m, tr, va, epochs=10, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.02, momentum=0.9), seed=seed,
              log_every=8)
    return writers.text_log(log, out / "train.log", 10, style="dash")


@case("healthy-mlp-big-batch-slow", 118, healthy=True,
      reason="batch 512 with plain SGD: few steps per epoch, slow but steady descent of both losses over 40 epochs")
def h18(out: Path, seed: int) -> Path:
    x, y = data.blobs(2600, 20, 5, 0.9, seed)
    tr, va = data.split(x, y, 2048)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 5)
    log = fit(m, tr, va, epochs=40, batch=512, opt=torch.optim.SGD(m.parameters(), lr=0.1), seed=seed)
    return writers.csv_epochs(log, out / "history.csv")


@case("healthy-mlp-adamw-weight-decay", 119, healthy=True, reason="AdamW with weight decay: clean descent, val tracks train")
def h19(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 30, 10, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(30, 128, 2, 10)
    log = fit(m, tr, va, epochs=12, batch=64, opt=torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=0.05),
              seed=seed, log_every=3)
    return writers.tensorboard(log, out / "tb", names={"loss": "loss/train", "lr": "lr-AdamW", "val_loss": "loss/val",
                                                        "val_acc": "acc/val"})


@case("healthy-regression-onecycle", 120, healthy=True,
      reason="OneCycleLR (LR rises then anneals): the loss keeps falling through the LR peak")
def h20(out: Path, seed: int) -> Path:
    x, y = data.regression(1500, 10, 0.2, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(10, 64, 2, 1)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    sched = per_step(torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=20 * 38), True)
    log = fit(m, tr, va, epochs=20, batch=32, opt=opt, sched=sched, seed=seed, task="reg", log_every=4)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-SGD")


@case("healthy-val-spikes-recover", 121, healthy=True, allowed=["loss-spikes"],
      reason="hard task, 40-sample val set: val loss converges by epoch 4, then wobbles +-10% on a plateau with one spike at epoch 8 that recovers")
def h21(out: Path, seed: int) -> Path:
    x, y = data.blobs(2040, 20, 5, 0.5, seed)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 5)
    log = fit(m, tr, va, epochs=25, batch=32, seed=seed, log_every=10,
              opt=torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-3))
    return writers.csv_epochs(log, out / "history.csv")
