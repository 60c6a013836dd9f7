"""Failing runs trained with plain PyTorch: each case injects one real fault."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import data, models, writers
from .registry import case
from .train import Log, fit, per_step


def _adam(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=lr)


def naive_ce(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy written by hand with exp(): overflows to Inf/NaN once a logit passes ~88."""
    e = torch.exp(z)
    p = e / e.sum(1, keepdim=True)
    return -torch.log(p[torch.arange(len(y)), y]).mean()


class ClippedSGD(torch.optim.SGD):
    def step(self, closure=None):
        torch.nn.utils.clip_grad_norm_([p for g in self.param_groups for p in g["params"]], 1.0)
        return super().step(closure)


@case("nan-relu-naive-softmax", 11, expected=["nonfinite"], allowed=["divergence", "loss-spikes"],
      reason="ReLU MLP with a hand-written exp() softmax loss, SGD momentum lr=0.14: trains, then a logit overflows and the loss is NaN for the rest of the run")
def nan_relu_naive(out: Path, seed: int) -> Path:
    x, y = data.blobs(1500, 20, 10, 1.0, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(20, 128, 3, 10)
    log = fit(m, tr, va, epochs=14, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.14, momentum=0.9),
              seed=seed, log_every=5, loss_fn=naive_ce)
    return writers.text_log(log, out / "train.log", 14, style="dash")


@case("nan-regression-sgd-explodes", 13, expected=["nonfinite", "divergence"], allowed=["loss-spikes"],
      reason="MLP regression, SGD momentum lr=0.3: loss grows geometrically to Inf, then NaN")
def nan_regression(out: Path, seed: int) -> Path:
    x, y = data.regression(1200, 10, 0.1, seed)
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.mlp(10, 64, 3, 1)
    log = fit(m, tr, va, epochs=6, batch=32, opt=torch.optim.SGD(m.parameters(), lr=0.3, momentum=0.9),
              seed=seed, task="reg", log_every=1)
    return writers.tensorboard(log, out / "tb")


@case("diverge-adam-regression", 13, expected=["divergence"], allowed=["loss-spikes", "oscillation", "high-initial-loss", "stalled"],
      reason="MLP regression with Adam lr=3: loss jumps by 10 orders of magnitude, then settles ~100x above where it started and never returns")
def diverge_adam(out: Path, seed: int) -> Path:
    x, y = data.regression(1200, 10, 0.1, seed)
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.mlp(10, 64, 3, 1)
    log = fit(m, tr, va, epochs=6, batch=32, opt=_adam(m, 3.0), seed=seed, task="reg", log_every=1)
    return writers.csv_steps(log, out / "loss.csv")


@case("chance-dead-relu-10c", 21, expected=["stuck-at-chance"], allowed=["no-learning", "stalled"],
      reason="first-layer biases initialised to -20: every ReLU is dead, the net outputs a constant, loss sits at ln(10)")
def chance_dead(out: Path, seed: int) -> Path:
    x, y = data.blobs(1500, 20, 10, 1.5, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 10)
    with torch.no_grad():
        m[0].bias.fill_(-20.0)
    log = fit(m, tr, va, epochs=10, batch=64, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-Adam")


@case("chance-random-labels-4c", 22, expected=["stuck-at-chance"], allowed=["no-learning", "stalled"],
      reason="labels drawn independently of the inputs, logistic regression: loss stays at ln(4), val accuracy ~25%")
def chance_random(out: Path, seed: int) -> Path:
    x, _ = data.blobs(2000, 16, 4, 1.0, seed)
    y = torch.tensor(np.random.default_rng(seed + 1).integers(0, 4, 2000))
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.logreg(16, 4)
    log = fit(m, tr, va, epochs=25, batch=64, opt=torch.optim.SGD(m.parameters(), lr=0.05), seed=seed)
    return writers.csv_epochs(log, out / "history.csv")


@case("chance-transformer-shuffled-labels", 23, expected=["stuck-at-chance"], allowed=["no-learning", "stalled", "overfitting"],
      reason="tiny transformer on sequences whose labels were shuffled: loss stays at ln(2), accuracy ~50%")
def chance_transformer(out: Path, seed: int) -> Path:
    x, y = data.token_sequences(1200, 16, 8, seed)
    y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))]
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.TinyTransformer(8, 16, 1, 2, 16)
    log = fit(m, tr, va, epochs=8, batch=32, opt=_adam(m, 1e-3), seed=seed, log_every=4)
    return writers.tensorboard(log, out / "tb")


@case("nolearn-lr-tiny-regression", 24, expected=["no-learning"], allowed=["stalled"],
      reason="regression MLP with SGD lr=1e-7: train and val MSE flat from the first epoch (no chance level for MSE)")
def nolearn_lr(out: Path, seed: int) -> Path:
    x, y = data.regression(1200, 8, 0.1, seed, scale=2.0)
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.mlp(8, 64, 2, 1)
    log = fit(m, tr, va, epochs=30, batch=32, opt=torch.optim.SGD(m.parameters(), lr=1e-7), seed=seed, task="reg",
              metrics=("mae",))
    return writers.csv_epochs(log, out / "metrics.csv")


@case("nolearn-optimizer-wrong-model", 25, expected=["no-learning"], allowed=["stalled"],
      reason="bug: the optimiser holds the parameters of a copy of the model, so the trained model never changes; per-step MSE flat")
def nolearn_frozen(out: Path, seed: int) -> Path:
    import copy
    x, y = data.regression(1500, 8, 0.2, seed, scale=3.0)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(8, 32, 2, 1)
    other = copy.deepcopy(m)
    log = fit(m, tr, va, epochs=5, batch=16, opt=_adam(other, 1e-3), seed=seed, task="reg", log_every=5)
    return writers.text_log(log, out / "train.log", 5, style="bracket")


@case("overfit-mlp-tiny-train", 31, expected=["overfitting"], allowed=["loss-metric-mismatch"],
      reason="80 training samples, 3x256 MLP, 150 epochs: train loss -> ~0 while val loss bottoms near epoch 10 and climbs")
def overfit_mlp(out: Path, seed: int) -> Path:
    x, y = data.blobs(680, 30, 5, 0.6, seed)
    tr, va = data.split(x, y, 80)
    torch.manual_seed(seed)
    m = models.mlp(30, 256, 3, 5)
    log = fit(m, tr, va, epochs=150, batch=16, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-Adam")


@case("overfit-cnn-small-set", 32, expected=["overfitting"], allowed=["loss-metric-mismatch"],
      reason="CNN on 64 noisy images for 80 epochs: train loss collapses, val loss rises after its early minimum")
def overfit_cnn(out: Path, seed: int) -> Path:
    x, y = data.images(464, 4, 12, 2.0, seed)
    tr, va = data.split(x, y, 64)
    torch.manual_seed(seed)
    m = models.cnn(4, width=16)
    log = fit(m, tr, va, epochs=80, batch=16, opt=_adam(m, 2e-3), seed=seed, log_every=4)
    return writers.tensorboard(log, out / "tb")


@case("late-start-deep-tanh-small-init", 41, expected=["late-start"], allowed=["stuck-at-chance"],
      reason="4-layer tanh MLP with weights scaled x0.3 at init, plain SGD: loss flat at ln(4) for ~60% of the run, then a sudden drop")
def late_start(out: Path, seed: int) -> Path:
    return _late(out, seed, depth=4, scale=0.3, lr=0.05)


@case("late-start-deeper-tanh", 40, expected=["late-start"], allowed=["stuck-at-chance"],
      reason="5-layer tanh MLP, small init (x0.4), SGD lr=0.1: ~250 flat steps at ln(4), then a fast drop")
def late_start2(out: Path, seed: int) -> Path:
    return _late(out, seed, depth=5, scale=0.4, lr=0.1)


def _late(out: Path, seed: int, depth: int, scale: float, lr: float) -> Path:
    x, y = data.blobs(1500, 10, 4, 1.5, 41)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(10, 32, depth, 4, act=nn.Tanh)
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(scale)
    log = fit(m, tr, va, epochs=40, batch=32, opt=torch.optim.SGD(m.parameters(), lr=lr), seed=seed,
              log_every=10, average=True)
    return writers.csv_steps(log, out / "loss.csv", with_lr=False)


@case("warmup-to-too-high-lr", 42, expected=["lr-too-high"], allowed=["divergence", "nonfinite", "loss-spikes", "stuck-at-chance"],
      reason="linear warm-up of Adam from 1e-4 to 0.5: loss falls while the LR is small, then rises and jumps as the LR keeps climbing")
def warmup_high(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 10, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 128, 3, 10)
    opt = _adam(m, 1.0)
    sched = per_step(torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1e-4 + s * 0.5 / 400, 0.5)), True)
    log = fit(m, tr, va, epochs=12, batch=32, opt=opt, sched=sched, seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-Adam")


@case("lr-decay-too-fast", 43, expected=["lr-decay-too-fast"], allowed=["stalled", "no-learning"],
      reason="SGD lr=0.05 decayed x0.99 per step: the LR is ~1e-6 after 1000 steps and the loss freezes far above what the model reaches with a constant LR")
def decay_fast(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 10, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 10)
    opt = torch.optim.SGD(m.parameters(), lr=0.05)
    sched = per_step(torch.optim.lr_scheduler.ExponentialLR(opt, 0.99), True)
    log = fit(m, tr, va, epochs=40, batch=32, opt=opt, sched=sched, seed=seed, log_every=10)
    return writers.tensorboard(log, out / "tb", names={"loss": "Loss/train", "lr": "LearningRate",
                                                        "val_loss": "Loss/val", "val_acc": "Accuracy/val"})


@case("resume-without-optimizer-state", 44, expected=["resume-spike"], allowed=["loss-spikes"],
      reason="CNN, Adam 1e-2 with step decay x0.1 at steps 300 and 500; resumed at step 700 from weights only (fresh Adam, schedule restarted at 1e-2): the loss jumps at 700 and takes hundreds of steps to come back")
def resume(out: Path, seed: int) -> Path:
    x, y = data.images(1800, 6, 12, 0.8, seed)
    tr, va = data.split(x, y, 1500)
    torch.manual_seed(seed)
    m = models.cnn(6)
    opt = _adam(m, 1e-2)
    sched = per_step(torch.optim.lr_scheduler.MultiStepLR(opt, [300, 500], 0.1), True)

    def hook(step: int, model: nn.Module, opt_now: torch.optim.Optimizer):
        if step == 700:
            new = _adam(model, 1e-2)
            sched.__init__(new, [300 - 700, 500 - 700], 0.1)  # restarted schedule: milestones already passed are lost
            for g in new.param_groups:
                g["lr"] = 1e-2
            return new
        return None

    log = fit(m, tr, va, epochs=30, batch=32, opt=opt, sched=sched, seed=seed, log_every=5, step_hook=hook, max_steps=1100)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-Adam")


@case("spikes-corrupted-batches", 45, expected=["loss-spikes"], allowed=[],
      reason="four corrupt batches (inputs x40, labels shifted) at steps ~260-1100: the loss spikes each time and recovers within a few dozen steps")
def spikes(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 8, 1.2, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 8)

    def hook(step: int, xb: torch.Tensor, yb: torch.Tensor):
        return (xb * 40, (yb + 1) % 8) if step in (260, 530, 790, 1100) else (xb, yb)

    log = fit(m, tr, va, epochs=25, batch=32, opt=_adam(m, 1e-3), seed=seed, batch_hook=hook)
    return writers.csv_steps(log, out / "loss.csv")


@case("oscillation-sgd-momentum-high-lr", 46, expected=["oscillation"], allowed=["stalled", "loss-spikes", "overfitting"],
      reason="SGD momentum 0.9 at lr=0.3 (near the stability edge): after 3 epochs val loss zig-zags between 0.26 and 0.95 with no trend for 27 epochs")
def oscillation(out: Path, seed: int) -> Path:
    x, y = data.blobs(1500, 20, 6, 1.0, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 6)
    log = fit(m, tr, va, epochs=30, batch=64, opt=torch.optim.SGD(m.parameters(), lr=0.3, momentum=0.9), seed=seed)
    return writers.csv_epochs(log, out / "log.csv")


@case("stalled-linear-on-spirals", 47, expected=["stalled"], allowed=["no-learning"],
      reason="logistic regression on 4 interleaved spirals: train and val loss stop improving at ~1.2 (ln 4 = 1.39) after a short descent")
def stalled(out: Path, seed: int) -> Path:
    x, y = data.spiral(2000, 4, 0.2, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.logreg(2, 4)
    log = fit(m, tr, va, epochs=40, batch=64, opt=_adam(m, 1e-2), seed=seed)
    return writers.csv_epochs(log, out / "history.csv")


@case("val-without-train-label-noise", 48, expected=["val-without-train"], allowed=["loss-metric-mismatch", "no-learning", "stuck-at-chance", "stalled"],
      uncertain=True,
      reason="90% of training labels replaced at random (clean val set): train loss stays near ln(10) (-5%) while val loss falls 14% and val accuracy doubles; train still drifts down a little")
def vwt_noise(out: Path, seed: int) -> Path:
    x, y = data.blobs(3000, 20, 10, 0.8, seed)
    tr, va = data.split(x, y, 2400)
    rng = np.random.default_rng(seed)
    ytr = tr[1].clone()
    flip = torch.tensor(rng.random(len(ytr)) < 0.9)
    ytr[flip] = torch.tensor(rng.integers(0, 10, int(flip.sum())))
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 10)
    log = fit(m, (tr[0], ytr), va, epochs=10, batch=64, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    return writers.text_log(log, out / "train.log", 10, style="dash")


@case("both-rising-lr-growth-bug", 50, expected=["both-rising"], allowed=["divergence", "lr-too-high", "loss-spikes", "overfitting", "oscillation"],
      reason="scheduler bug multiplies Adam's LR by 1.008 every step (LR not logged): both losses fall for 10 epochs, then both rise ~100x by the end")
def both_rising(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 6, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 6)
    opt = _adam(m, 1e-3)
    sched = per_step(torch.optim.lr_scheduler.ExponentialLR(opt, 1.008), True)
    log = fit(m, tr, va, epochs=30, batch=64, opt=opt, sched=sched, seed=seed)
    return writers.csv_epochs(log, out / "history.csv", drop=("lr",))


@case("high-initial-loss-output-x100", 51, expected=["high-initial-loss"], allowed=["loss-spikes"],
      reason="output layer weights scaled x100 at init: first loss ~100x ln(8), then falls")
def high_init(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 8, 1.5, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 8)
    with torch.no_grad():
        m[-1].weight.mul_(100)
    log = fit(m, tr, va, epochs=15, batch=32, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    return writers.tensorboard(log, out / "tb")


@case("metric-mismatch-eval-label-bug", 52, expected=["loss-metric-mismatch"], allowed=["stuck-at-chance"],
      reason="bug: val accuracy computed against a shuffled copy of the labels, so it stays at chance while val loss falls steadily")
def mismatch(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 20, 10, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 10)
    log = fit(m, tr, va, epochs=20, batch=64, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    wrong = va[1][torch.randperm(len(va[1]), generator=torch.Generator().manual_seed(seed))]
    # recompute what the buggy script logged as val_acc: predictions of the final weights per epoch are not
    # kept, so re-train deterministically and evaluate against the wrong labels each epoch
    torch.manual_seed(seed)
    m2 = models.mlp(20, 64, 2, 10)
    log2 = fit(m2, tr, (va[0], wrong), epochs=20, batch=64, opt=_adam(m2, 1e-3), seed=seed, log_every=5)
    for r, r2 in zip(log.of("val"), log2.of("val")):
        r["val_acc"] = r2["val_acc"]
    return writers.csv_epochs(log, out / "history.csv")


@case("misleading-accuracy-imbalanced", 53, expected=["misleading-accuracy"], allowed=["stuck-at-chance", "no-learning", "stalled"],
      reason="95/5 classes that overlap heavily: the model predicts the majority class; accuracy ~0.95 while balanced accuracy is 0.5 and macro F1 ~0.49")
def misleading(out: Path, seed: int) -> Path:
    x, y = data.blobs(3000, 10, 2, 0.15, seed, weights=[0.95, 0.05])
    tr, va = data.split(x, y, 2400)
    torch.manual_seed(seed)
    m = models.mlp(10, 32, 1, 2)
    log = fit(m, tr, va, epochs=15, batch=64, opt=_adam(m, 1e-3), seed=seed, metrics=("acc", "bal_acc", "f1"))
    return writers.csv_epochs(log, out / "metrics.csv")


@case("accuracy-summed-not-averaged", 54, expected=["metric-out-of-range"], allowed=[],
      reason="logging bug: per-batch accuracies summed over the epoch instead of averaged, so 'train_acc' reaches ~20")
def acc_sum(out: Path, seed: int) -> Path:
    x, y = data.blobs(1600, 20, 5, 1.0, seed)
    tr, va = data.split(x, y, 1300)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 5)
    log = fit(m, tr, va, epochs=15, batch=64, opt=_adam(m, 1e-3), seed=seed, train_eval=True)
    n_batches = math.ceil(1300 / 64)
    for r in log.of("val"):
        r["train_acc"] = r["train_acc"] * n_batches
        r.pop("train_loss", None)
    return writers.csv_epochs(log, out / "log.csv")
