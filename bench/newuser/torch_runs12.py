"""Round 12 of the new-user runs, plain torch: the README loop under `traindoc.watch` (the loop,
SummaryWriter folder and printed log of torch_runs9.train) with bugs, data, models, optimisers and
schedulers not used in rounds 7-11. NO_TRAINDOC=1: the same loops without traindoc (the truth pass; a
few runs then also write a by-hand check of the model to OUT/NAME/check.txt).
Usage: torch_runs12.py OUT [RUN ...]. Each run: OUT/NAME/{*.traindoc.jsonl, tb/, train.log, live.txt}."""
from __future__ import annotations

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs8 import images  # noqa: E402
from torch_runs9 import PLAIN, _t, blobs, friedman, mlp, moons, train, xor_blobs  # noqa: E402
from torch_runs10 import cancer, circles  # noqa: E402
from torch_runs11 import _check  # noqa: E402  the by-hand check file of the truth pass

RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


def _share(model, x, kind):
    """By hand: per activation layer, the share of units that never fire (relu) or of outputs at a flat end."""
    h, out = x, []
    with torch.no_grad():
        for l in model:
            h = l(h)
            if kind == "relu" and isinstance(l, nn.ReLU):
                out.append(f"{100 * float((h.amax(0) <= 0).float().mean()):.0f}%")
            if kind == "sigmoid" and isinstance(l, nn.Sigmoid):
                out.append(f"{100 * float(((h < 0.01) | (h > 0.99)).float().mean()):.1f}%")
    return out


def _cnn(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 4))


@run
def t12_sigmoid_xor_plateau(out):
    """Two sigmoid layers (2x16, default init) on XOR blobs with plain SGD lr 1.0 (no momentum): the loss sits
    near ln 2 for ~14 epochs, then drops (picked by a separate sweep of depth and rate before any traindoc run)."""
    m = mlp(8, 2, h=16, depth=2, act=nn.Sigmoid)
    train("t12_sigmoid_xor_plateau", out, m, torch.optim.SGD(m.parameters(), 1.0), *xor_blobs(1200, 0),
          *xor_blobs(400, 1), epochs=30)


@run
def t12_outlier_batch_spike(out):
    """Epoch 7 of 16 meets one batch of sensor rows recorded in the wrong unit (inputs x40), with no gradient
    clipping: one huge step, a val spike, then recovery on the clean data."""
    state = {"k": 0}

    def aug(x, g):
        state["k"] += 1
        return x * 40.0 if state["k"] == 6 * 47 + 10 else x
    m = mlp(16, 6, h=128)
    train("t12_outlier_batch_spike", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9), *blobs(1500, 0),
          *blobs(400, 1), epochs=16, augment=aug)


@run
def t12_sgd_raised_midrun(out):
    """SGD momentum 0.9 lr 0.02 for 8 epochs; from epoch 9 the user sets 1.5 'to finish faster' and keeps it."""
    m = mlp(16, 6, h=128)
    train("t12_sgd_raised_midrun", out, m, torch.optim.SGD(m.parameters(), 0.02, momentum=0.9), *blobs(1500, 0),
          *blobs(400, 1), epochs=16, lr_at=lambda ep: 1.5 if ep == 8 else None)


@run
def t12_targets_shuffled_separately(out):
    """Regression: the user shuffles the inputs and the targets with two different permutations before
    splitting, so training pairs are unrelated; validation pairs are right. The loss never falls."""
    x, y = friedman(1000, 0)
    y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(5))]
    m = mlp(10, 1, h=64)
    train("t12_targets_shuffled_separately", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y,
          *friedman(300, 1), epochs=15, task="reg")


@run
def t12_nan_row_late(out):
    """A streaming table: the loader re-reads the file each epoch while a collector appends rows; from epoch 14
    of 20 the new rows include a missing reading (NaN). The run is healthy for 13 epochs, then NaN."""
    x, y = blobs(1500, 0)
    state = {"ep": 0, "k": 0}

    def aug(xb, g):
        state["k"] += 1
        if state["k"] > 13 * 47:
            xb = xb.clone()
            xb[0, 3] = float("nan")
        return xb
    m = mlp(16, 6, h=128)
    train("t12_nan_row_late", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y, *blobs(400, 1), epochs=20,
          augment=aug)


@run
def t12_overfit_moons_small(out):
    """30 noisy moons rows; 3x256 MLP; Adam 3e-3; 300 epochs (binary BCEWithLogits)."""
    m = mlp(2, 1, h=256, depth=3)
    train("t12_overfit_moons_small", out, m, torch.optim.Adam(m.parameters(), 3e-3), *moons(30, 0, noise=0.35),
          *moons(400, 1, noise=0.35), epochs=300, bs=16, task="binary")


@run
def t12_dead_relu_sgd_momentum_reg(out):
    """Regression with a 3x64 ReLU MLP; SGD momentum 0.9 lr 0.3: the first big steps push units into silence."""
    m = mlp(10, 1, h=64, depth=3)
    xv, yv = friedman(300, 1)
    train("t12_dead_relu_sgd_momentum_reg", out, m, torch.optim.SGD(m.parameters(), 0.3, momentum=0.9),
          *friedman(1000, 0), xv, yv, epochs=12, task="reg")
    _check(out, "t12_dead_relu_sgd_momentum_reg",
           f"after training, ReLU units never firing on the validation rows, per layer: {_share(m, xv, 'relu')}")


@run
def t12_sigmoid_unscaled_cancer(out):
    """Sigmoid MLP (2x32) on the breast-cancer table left unscaled (areas up to ~4000); SGD 0.01."""
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    idx = torch.randperm(len(d.target), generator=torch.Generator().manual_seed(0))
    x, y = _t(d.data)[idx], _t(d.target).unsqueeze(1)[idx]
    m = mlp(30, 1, h=32, depth=2, act=nn.Sigmoid)
    _check(out, "t12_sigmoid_unscaled_cancer",
           f"at init, sigmoid outputs below 0.01 or above 0.99 on validation, per layer: {_share(m, x[400:], 'sigmoid')}")
    train("t12_sigmoid_unscaled_cancer", out, m, torch.optim.SGD(m.parameters(), 0.01), x[:400], y[:400], x[400:],
          y[400:], epochs=15, task="binary")


@run
def t12_adamw_cosine_lr_high(out):
    """AdamW lr 0.3 with CosineAnnealingLR(12) on the 6-class table (a CNN at this rate still fit the easy bar
    images, so the truth pass moved it to the table)."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.AdamW(m.parameters(), 0.3)
    train("t12_adamw_cosine_lr_high", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12,
          sched=torch.optim.lr_scheduler.CosineAnnealingLR(opt, 12))


@run
def t12_rmsprop_lr_low_circles(out):
    """Circles (2 classes, CrossEntropy); RMSprop lr 1e-6."""
    m = mlp(2, 2, h=64)
    train("t12_rmsprop_lr_low_circles", out, m, torch.optim.RMSprop(m.parameters(), 1e-6), *circles(1000, 0),
          *circles(300, 1), epochs=12)


@run
def t12_h_polylr_moons_tiny_val(out):
    """Healthy binary moons; Adam 5e-3 with PolynomialLR(power 2); a 20-row validation set (noisy)."""
    m = mlp(2, 1, h=64)
    opt = torch.optim.Adam(m.parameters(), 5e-3)
    train("t12_h_polylr_moons_tiny_val", out, m, opt, *moons(800, 0), *moons(20, 7), epochs=15, task="binary",
          sched=torch.optim.lr_scheduler.PolynomialLR(opt, 15, power=2.0))


@run
def t12_h_onecycle_flip_cnn(out):
    """Healthy CNN with input-noise augmentation (the name says flip; only noise is added); SGD momentum 0.9 with
    OneCycleLR(max 0.05) per step."""
    def aug(x, g):
        return x + 0.3 * torch.randn(x.shape, generator=g)
    m = _cnn(1)
    opt = torch.optim.SGD(m.parameters(), 0.05, momentum=0.9)
    train("t12_h_onecycle_flip_cnn", out, m, opt, *images(1200, 0), *images(300, 1), epochs=8, augment=aug,
          sched=torch.optim.lr_scheduler.OneCycleLR(opt, 0.05, total_steps=8 * 38), sched_per="step")


@run
def t12_h_warmup_cosine_reg(out):
    """Healthy regression: AdamW 3e-3; SequentialLR(LinearLR warm-up 3 epochs -> CosineAnnealingLR 12)."""
    m = mlp(10, 1, h=64)
    opt = torch.optim.AdamW(m.parameters(), 3e-3)
    s = torch.optim.lr_scheduler.SequentialLR(opt, [torch.optim.lr_scheduler.LinearLR(opt, 0.1, total_iters=3),
                                                    torch.optim.lr_scheduler.CosineAnnealingLR(opt, 12)], [3])
    train("t12_h_warmup_cosine_reg", out, m, opt, *friedman(1000, 0), *friedman(300, 1), epochs=15, task="reg",
          sched=s)


@run
def t12_h_cancer_pos_weight(out):
    """Healthy binary breast-cancer (standardised) with BCEWithLogitsLoss(pos_weight=0.6); Adam 1e-3."""
    xtr, ytr, xva, yva = cancer()
    m = mlp(30, 1, h=32)
    train("t12_h_cancer_pos_weight", out, m, torch.optim.Adam(m.parameters(), 1e-3), xtr, ytr, xva, yva, epochs=20,
          task="binary", loss_fn=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([0.6])))


@run
def t12_h_amsgrad_small_val(out):
    """Healthy 6-class table; Adam(amsgrad=True) 2e-3; a 30-row validation set."""
    m = mlp(16, 6, h=128, dropout=0.1)
    xv, yv = blobs(400, 1)
    train("t12_h_amsgrad_small_val", out, m, torch.optim.Adam(m.parameters(), 2e-3, amsgrad=True), *blobs(1500, 0),
          xv[:30], yv[:30], epochs=15)


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
