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
      reason="MLP, Adam 1e-2 with StepLR x0.1 every 300 steps (1e-4 by step 600); resumed at step 650 from weights only (a new event file, 15 min later): fresh Adam and the LR back at 1e-2, so train and val loss jump right at the resume (val 0.18 -> 0.50) and take ~100 steps to come back; before that val loss already crept up from 0.13 (step 189) to 0.18 (mild overfitting, allowed)")
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
    # the resumed process writes its own event file, 15 minutes after the first one stopped
    return writers.tensorboard(log, out / "tb", resume_at=650)


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


# ---- more second variants --------------------------------------------------------------------

@case("appended-runs-text-log-rerun", 66, expected=["appended-runs"], allowed=["too-short"],
      reason="a script that appends to train.log (open(..., 'a')) was run twice with different seeds: the 'Epoch 1/8 - step 5' lines start again halfway through the file")
def appended_text(out: Path, seed: int) -> Path:
    path = out / "train.log"
    out.mkdir(parents=True, exist_ok=True)
    parts = []
    for k in range(2):
        x, y = data.blobs(1200, 16, 4, 1.0, seed + k)
        tr, va = data.split(x, y, 1000)
        torch.manual_seed(seed + k)
        m = models.mlp(16, 32, 2, 4)
        log = fit(m, tr, va, epochs=8, batch=32, opt=_adam(m, 1e-3), seed=seed + k, log_every=8)
        tmp = out / f"part{k}.log"
        writers.text_log(log, tmp, 8, style="dash")
        parts.append(tmp.read_text())
        tmp.unlink()
    path.write_text("".join(parts))
    return path


@case("misleading-accuracy-cnn-rare-defect", 67, expected=["misleading-accuracy"], allowed=["stuck-at-chance", "no-learning", "stalled"],
      reason="defect detection, 97% 'ok' images and 3% faint defects buried in noise: the CNN predicts 'ok' for everything; val accuracy ~0.97 while balanced accuracy stays 0.50 and macro F1 ~0.49")
def misleading2(out: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    n = 2500
    y = (rng.random(n) < 0.03).astype(np.int64)
    x = rng.normal(0, 1.0, (n, 1, 12, 12)).astype(np.float32)
    x[y == 1, 0, 5:7, 5:7] += 0.3  # a faint blob: far below the noise
    x, y = torch.tensor(x), torch.tensor(y)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = models.cnn(2)
    log = fit(m, tr, va, epochs=12, batch=64, opt=_adam(m, 1e-3), seed=seed, metrics=("acc", "bal_acc", "f1"), log_every=4)
    return writers.tensorboard(log, out / "tb")


@case("loss-metric-mismatch-stale-eval-model", 68, expected=["loss-metric-mismatch"], allowed=["stuck-at-chance", "no-learning", "overfitting"],
      reason="bug: val accuracy is computed with a copy of the model taken before training (never refreshed), while val loss uses the live model: val loss falls 0.60 -> 0.043 (then creeps to 0.056) but val accuracy reads exactly 0.24, the untrained model's, every epoch")
def mismatch2(out: Path, seed: int) -> Path:
    import copy

    x, y = data.blobs(2000, 20, 6, 1.0, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 6)
    stale = copy.deepcopy(m).eval()
    log = fit(m, tr, va, epochs=20, batch=64, opt=_adam(m, 2e-3), seed=seed, log_every=5)
    with torch.no_grad():
        stale_acc = float((stale(va[0]).argmax(-1) == va[1]).float().mean())
    for r in log.of("val"):
        r["val_acc"] = stale_acc  # what the buggy evaluation logged every epoch
    return writers.csv_epochs(log, out / "history.csv")


@case("lr-decay-too-fast-adam-exponential", 69, expected=["lr-decay-too-fast"], allowed=["stalled", "no-learning"],
      reason="CNN, Adam 3e-3 with ExponentialLR(0.993) stepped every batch: the LR passes 1e-5 around step 800 and the loss freezes at ~0.42 (val 0.45, acc 0.87) from about epoch 12; with a constant LR the same model reaches train 0.01 / val 0.21 / acc 0.93")
def decay2(out: Path, seed: int) -> Path:
    x, y = data.images(1500, 6, 12, 1.0, seed)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.cnn(6)
    opt = _adam(m, 3e-3)
    sched = per_step(torch.optim.lr_scheduler.ExponentialLR(opt, 0.993), True)
    log = fit(m, tr, va, epochs=30, batch=32, opt=opt, sched=sched, seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs", lr_name="lr-Adam")


@case("nolearn-optimizer-step-missing", 70, expected=["no-learning"], allowed=["stalled"],
      reason="bug: optimizer.step() is never called (only zero_grad and backward), so the weights never change: the regression MSE is flat at its initial value (per-step 12-28 around ~19, val 17.7 every epoch) from the first step; MSE has no chance level")
def nolearn3(out: Path, seed: int) -> Path:
    x, y = data.regression(1500, 10, 0.2, seed, scale=2.5)
    tr, va = data.split(x, y, 1200)
    torch.manual_seed(seed)
    m = models.mlp(10, 64, 2, 1)

    class NoStep(torch.optim.Adam):
        def step(self, closure=None):  # the missing line
            return None

    log = fit(m, tr, va, epochs=8, batch=32, opt=NoStep(m.parameters(), lr=1e-3), seed=seed, task="reg", log_every=4)
    return writers.tensorboard(log, out / "tb")


# ---- more healthy --------------------------------------------------------------------------

def _healthy_blobs(out: Path, seed: int, writer: str, opt_name: str, epochs: int, hidden: int, classes: int) -> Path:
    x, y = data.blobs(2000, 20, classes, 0.9, seed)
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(20, hidden, 2, classes)
    opt = (torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9) if opt_name == "sgd"
           else torch.optim.RMSprop(m.parameters(), lr=1e-3) if opt_name == "rmsprop" else _adam(m, 1e-3))
    log = fit(m, tr, va, epochs=epochs, batch=64, opt=opt, seed=seed, log_every=5)
    if writer == "tb":
        return writers.tensorboard(log, out / "tb")
    if writer == "lightning":
        return writers.lightning_csv(log, out / "lightning_logs")
    return writers.csv_epochs(log, out / "history.csv")


@case("healthy-mlp-rmsprop-tb", 141, healthy=True, reason="RMSprop MLP, 15 epochs, TensorBoard: a clean descent that flattens")
def hh7(out: Path, seed: int) -> Path:
    return _healthy_blobs(out, seed, "tb", "rmsprop", 15, 64, 7)


@case("healthy-mlp-sgd-momentum-lightning", 142, healthy=True, allowed=["overfitting"],
      reason="SGD momentum MLP, 18 epochs, Lightning CSV: loss falls and flattens; val tracks train")
def hh8(out: Path, seed: int) -> Path:
    return _healthy_blobs(out, seed, "lightning", "sgd", 18, 64, 5)


@case("healthy-wide-mlp-adam-csv", 143, healthy=True, allowed=["overfitting"],
      reason="wide MLP (256 units) with Adam on plenty of data, 12 epochs: fast fall, val follows")
def hh9(out: Path, seed: int) -> Path:
    return _healthy_blobs(out, seed, "csv", "adam", 12, 256, 8)


@case("healthy-char-lm-longer-tb", 144, healthy=True,
      reason="char-level transformer LM for 8 epochs with per-step logging: loss falls from ln(vocab) to ~0.7 and keeps improving slowly; val falls with it")
def hh10(out: Path, seed: int) -> Path:
    from .cases_healthy import _char_lm

    log = _char_lm(seed, 8, 2e-3, None)
    return writers.tensorboard(log, out / "tb")


@case("healthy-logreg-adam-many-classes", 145, healthy=True,
      reason="softmax regression on 20 classes with Adam: loss falls from ln(20)=3.0 to ~0.06 and is still easing down; val acc ~0.99")
def hh11(out: Path, seed: int) -> Path:
    x, y = data.blobs(4000, 30, 20, 1.0, seed)
    tr, va = data.split(x, y, 3200)
    torch.manual_seed(seed)
    m = models.logreg(30, 20)
    log = fit(m, tr, va, epochs=15, batch=64, opt=_adam(m, 3e-3), seed=seed, log_every=10)
    return writers.csv_epochs(log, out / "history.csv")


@case("metric-out-of-range-divided-by-batches", 71, expected=["metric-out-of-range"], allowed=["overfitting"],
      reason="bug: val accuracy = correct predictions / len(val_loader) (number of batches) instead of / number of samples: with batches of 256 it reads ~200-250 while val loss behaves normally")
def oor2(out: Path, seed: int) -> Path:
    x, y = data.blobs(3000, 20, 5, 1.0, seed)
    tr, va = data.split(x, y, 2000)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 5)
    log = fit(m, tr, va, epochs=12, batch=64, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    n_val_batches = math.ceil(1000 / 256)
    for r in log.of("val"):
        r["val_acc"] = r["val_acc"] * 1000 / n_val_batches
    return writers.lightning_csv(log, out / "lightning_logs")


@case("too-short-killed-after-two-epochs", 72, expected=["too-short"], allowed=[],
      reason="the job was killed during its third epoch: 2 validation points and 6 logged training losses, not enough to judge any trend")
def short2(out: Path, seed: int) -> Path:
    x, y = data.blobs(1200, 20, 5, 1.0, seed)
    tr, va = data.split(x, y, 1000)
    torch.manual_seed(seed)
    m = models.mlp(20, 64, 2, 5)
    log = fit(m, tr, va, epochs=3, batch=64, opt=_adam(m, 1e-3), seed=seed, log_every=5, max_steps=34)
    log.rows = [r for r in log.rows if not (r["kind"] == "val" and r["epoch"] == 2)]
    return writers.lightning_csv(log, out / "lightning_logs")


@case("val-without-train-cnn-noisy-labels", 73, expected=["val-without-train"], allowed=["stalled", "no-learning", "stuck-at-chance", "loss-metric-mismatch"],
      uncertain=True,
      reason="CNN on images whose training labels are 90% random (clean val set), 8 epochs: train loss stays at ln(6)=1.79 (1.80 -> 1.76) while val accuracy doubles (0.17 -> 0.34); but val loss itself only moves 1.79 -> 1.72, so the val improvement is mostly in accuracy")
def vwt3(out: Path, seed: int) -> Path:
    x, y = data.images(3000, 6, 12, 0.8, seed)
    tr, va = data.split(x, y, 2400)
    rng = np.random.default_rng(seed)
    ytr = tr[1].clone()
    flip = torch.tensor(rng.random(len(ytr)) < 0.9)
    ytr[flip] = torch.tensor(rng.integers(0, 6, int(flip.sum())))
    torch.manual_seed(seed)
    m = models.cnn(6)
    log = fit(m, (tr[0], ytr), va, epochs=8, batch=64, opt=_adam(m, 1e-3), seed=seed, log_every=5)
    return writers.lightning_csv(log, out / "lightning_logs")


@case("healthy-mlp-adam-tb-10-classes", 146, healthy=True, allowed=["overfitting"],
      reason="Adam MLP on 10 classes, 14 epochs, TensorBoard: loss falls and levels off; val follows")
def hh12(out: Path, seed: int) -> Path:
    return _healthy_blobs(out, seed, "tb", "adam", 14, 96, 10)


@case("healthy-mlp-rmsprop-csv-3-classes", 147, healthy=True, allowed=["overfitting"],
      reason="RMSprop MLP on 3 classes, 16 epochs, plain CSV: a short clean descent")
def hh13(out: Path, seed: int) -> Path:
    return _healthy_blobs(out, seed, "csv", "rmsprop", 16, 48, 3)


@case("healthy-mlp-sgd-lightning-6-classes", 148, healthy=True, allowed=["overfitting"],
      reason="SGD momentum MLP on 6 classes, 20 epochs, Lightning CSV: loss falls and flattens")
def hh14(out: Path, seed: int) -> Path:
    return _healthy_blobs(out, seed, "lightning", "sgd", 20, 64, 6)


@case("high-initial-loss-lightning-hparams", 74, expected=["high-initial-loss"], allowed=["loss-spikes"],
      reason="Lightning-style run whose hparams.yaml records num_classes=8; inputs left unnormalised (x40, offset 100) and the output layer scaled x10 at init: the first logged loss is 109 (53x ln(8)=2.08), then Adam brings it down within ~10 steps and the run trains to ~0 loss")
def high_init_hp(out: Path, seed: int) -> Path:
    x, y = data.blobs(2000, 16, 8, 1.5, seed)
    x = x * 40 + 100
    tr, va = data.split(x, y, 1600)
    torch.manual_seed(seed)
    m = models.mlp(16, 64, 2, 8)
    with torch.no_grad():
        m[-1].weight.mul_(10)
    log = fit(m, tr, va, epochs=12, batch=32, opt=_adam(m, 1e-3), seed=seed, log_every=1)
    return writers.lightning_csv(log, out / "lightning_logs",
                                 hparams={"num_classes": 8, "hidden": 64, "lr": 1e-3, "batch_size": 32})
