"""Round 13 of the new-user runs, plain torch: the README loop under `traindoc.watch` (the loop,
SummaryWriter folder and printed log of torch_runs9.train) with bugs, data, models, optimisers and
schedulers not used in rounds 7-12. NO_TRAINDOC=1: the same loops without traindoc (the truth pass; a
few runs then also write a by-hand check of the model to OUT/NAME/check.txt).
Usage: torch_runs13.py OUT [RUN ...]. Each run: OUT/NAME/{*.traindoc.jsonl, tb/, train.log, live.txt}."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs9 import _t, blobs, friedman, houses, mlp, train  # noqa: E402
from torch_runs10 import _pretrained_body, circles  # noqa: E402
from torch_runs11 import _check  # noqa: E402  the by-hand check file of the truth pass

RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


def wine():
    """sklearn's wine table (3 classes), standardised on the first 140 rows: (train 140, val 38)."""
    from sklearn.datasets import load_wine
    d = load_wine()
    idx = np.random.default_rng(0).permutation(len(d.target))
    x, y = d.data[idx], d.target[idx]
    x = (x - x[:140].mean(0)) / x[:140].std(0)
    return _t(x[:140]), _t(y[:140], torch.long), _t(x[140:]), _t(y[140:], torch.long)


@run
def t13_small_init_plateau(out):
    """3x64 ReLU MLP whose every Linear the user initialises with normal(std=0.01) (a GAN tutorial's init) and
    zero biases; SGD momentum 0.9 lr 0.05 on the 6-class table: the loss sits at ln 6 for ~14 epochs, then
    falls (picked by a sweep of std, depth and rate before any traindoc run)."""
    m = mlp(16, 6, h=64, depth=3)
    for l in m:
        if isinstance(l, nn.Linear):
            nn.init.normal_(l.weight, std=0.01)
            nn.init.zeros_(l.bias)
    train("t13_small_init_plateau", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9), *blobs(1500, 0),
          *blobs(400, 1), epochs=30)


@run
def t13_accum_epoch_spike(out):
    """SGD momentum 0.9 lr 0.01 on the 6-class table. For epoch 7 only, the user tries gradient accumulation
    but writes `if i % 16 == 0: opt.zero_grad()` while still calling opt.step() every batch, so gradients pile
    up for 16 steps; epoch 8 goes back to the plain loop: a spike, then recovery."""
    st = {"ep": 0, "k": 0}
    m = mlp(16, 6, h=128)
    opt = torch.optim.SGD(m.parameters(), 0.01, momentum=0.9)
    zero = opt.zero_grad

    def zero_grad(*a, **k):
        st["k"] += 1
        if st["ep"] != 6 or (st["k"] - 1) % 16 == 0:
            zero(*a, **k)

    def hook(ep):
        st["ep"], st["k"] = ep, 0
        return None
    opt.zero_grad = zero_grad
    train("t13_accum_epoch_spike", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=16, lr_at=hook)


@run
def t13_zero_grad_after_backward(out):
    """The user's loop calls opt.zero_grad() between loss.backward() and opt.step() (the three lines in the
    wrong order), so every step sees no gradient; Adam 1e-3 on the 6-class table: the loss never falls.
    (Written as a wrapper of opt.step that zeroes the gradients first: the same order of calls.)"""
    m = mlp(16, 6, h=128)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    step = opt.step

    def step_after_zero(*a, **k):
        opt.zero_grad()
        return step(*a, **k)
    opt.step = step_after_zero
    train("t13_zero_grad_after_backward", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12)


@run
def t13_warmup_never_capped(out):
    """A hand-written per-step warm-up LambdaLR(lambda k: (k + 1) / 200) that forgets min(1, ...): SGD momentum
    0.9 with base lr 0.05, so the rate keeps growing (0.12 by epoch 10, 0.35 by epoch 30): healthy for ~7 epochs,
    then worse and worse until it sits at chance."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.SGD(m.parameters(), 0.05, momentum=0.9)
    train("t13_warmup_never_capped", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=30,
          sched=torch.optim.lr_scheduler.LambdaLR(opt, lambda k: (k + 1) / 200), sched_per="step")


@run
def t13_hand_clip_nan_late(out):
    """Circles (2 classes, CrossEntropy), Adam 3e-3, with the user's hand-written gradient clipping between
    backward and step: total = sqrt(sum of g^2); g *= 1.0 / total (max_norm 1, the `if total > max_norm` left
    out). Once the model is so sure that a whole batch has exactly zero gradient, total is 0 and 0 * inf is NaN:
    healthy for a long stretch, then NaN. (Written as a wrapper of opt.step: the same order of calls.)"""
    m = mlp(2, 2, h=64)
    opt = torch.optim.Adam(m.parameters(), 3e-3)
    step = opt.step

    def clip_then_step(*a, **k):
        total = torch.sqrt(sum((p.grad ** 2).sum() for p in m.parameters()))
        for p in m.parameters():
            p.grad.mul_(1.0 / total)
        return step(*a, **k)
    opt.step = clip_then_step
    train("t13_hand_clip_nan_late", out, m, opt, *circles(1000, 0), *circles(300, 1), epochs=40)


@run
def t13_overfit_houses_small(out):
    """Regression on 60 rows of the housing-like table (standardised on those rows); 3x256 MLP; Adam 3e-3;
    400 epochs; batch 16."""
    x, y = houses(60, 0)
    xv, yv = houses(400, 1)
    mu, sd = x.mean(0), x.std(0)
    m = mlp(4, 1, h=256, depth=3)
    train("t13_overfit_houses_small", out, m, torch.optim.Adam(m.parameters(), 3e-3), (x - mu) / sd, y,
          (xv - mu) / sd, yv, epochs=400, bs=16, task="reg")


@run
def t13_relu_on_output_reg(out):
    """Regression on standardised targets (half of them negative) with a ReLU after the last Linear (the user
    ends every block with ReLU); Adam 1e-3; 15 epochs."""
    m = nn.Sequential(*mlp(10, 1, h=64), nn.ReLU())
    xv, yv = friedman(300, 1)
    train("t13_relu_on_output_reg", out, m, torch.optim.Adam(m.parameters(), 1e-3), *friedman(1000, 0), xv, yv,
          epochs=15, task="reg")
    with torch.no_grad():
        o = m(xv)
    _check(out, "t13_relu_on_output_reg", f"after training: {100 * float((o <= 0).float().mean()):.1f}% of validation "
           f"predictions are exactly 0; {100 * float((yv < 0).float().mean()):.1f}% of validation targets are negative")


@run
def t13_sigmoid_output_raw_targets(out):
    """Regression on the raw Friedman targets (about 3 to 28) with a sigmoid on the output (copied from a
    binary classifier); MSE; Adam 1e-3; 15 epochs: the output can never pass 1."""
    x, y = friedman(1000, 0)
    xv, yv = friedman(300, 1)
    m = nn.Sequential(*mlp(10, 1, h=64), nn.Sigmoid())
    train("t13_sigmoid_output_raw_targets", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y * 5 + 14.4, xv,
          yv * 5 + 14.4, epochs=15, task="reg")
    with torch.no_grad():
        o = m(xv)
    _check(out, "t13_sigmoid_output_raw_targets", f"after training: {100 * float((o > 0.99).float().mean()):.1f}% of "
           f"validation outputs above 0.99; raw targets {float((yv * 5 + 14.4).min()):.2f} to "
           f"{float((yv * 5 + 14.4).max()):.2f}")


@run
def t13_cyclic_max_too_high(out):
    """SGD momentum 0.9 with CyclicLR(base 0.01, max 3.0, 60-step half cycles) per batch on the 6-class table
    (the user took max_lr from a range test on another model)."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.SGD(m.parameters(), 0.01, momentum=0.9)
    train("t13_cyclic_max_too_high", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12,
          sched=torch.optim.lr_scheduler.CyclicLR(opt, 0.01, 3.0, step_size_up=60), sched_per="step")


@run
def t13_loss_over_dataset_size(out):
    """SGD momentum 0.9 lr 0.1 on the 6-class table, but the user's loss is CrossEntropyLoss() (already a batch
    mean) divided again by the dataset size (1500): every step is 1500x too small, an effective rate of 7e-5."""
    ce = nn.CrossEntropyLoss()

    def loss(o, y):
        return ce(o, y) / 1500
    m = mlp(16, 6, h=128)
    train("t13_loss_over_dataset_size", out, m, torch.optim.SGD(m.parameters(), 0.1, momentum=0.9), *blobs(1500, 0),
          *blobs(400, 1), epochs=12, loss_fn=loss)


@run
def t13_h_wine_steplr_small_val(out):
    """Healthy: wine (3 classes; 140 train rows, a 38-row validation set); dropout 0.3; AdamW 3e-3 (wd 0.05)
    with StepLR(5, 0.5); batch 16; 15 epochs."""
    m = mlp(13, 3, h=32, dropout=0.3)
    opt = torch.optim.AdamW(m.parameters(), 3e-3, weight_decay=0.05)
    train("t13_h_wine_steplr_small_val", out, m, opt, *wine(), epochs=15, bs=16,
          sched=torch.optim.lr_scheduler.StepLR(opt, 5, 0.5))


@run
def t13_h_feature_mask_aug(out):
    """Healthy 6-class table with feature-masking augmentation (each input feature zeroed with p 0.25 in
    training) and Adam 1e-3: train loss above val."""
    def aug(x, g):
        return x * (torch.rand(x.shape, generator=g) > 0.25).float()
    m = mlp(16, 6, h=128)
    train("t13_h_feature_mask_aug", out, m, torch.optim.Adam(m.parameters(), 1e-3), *blobs(1500, 0), *blobs(400, 1),
          epochs=15, augment=aug)


@run
def t13_h_finetune_all_sgd(out):
    """Healthy fine-tune: the pre-trained body of torch_runs10 plus a new head, every weight trained with SGD
    momentum 0.9 lr 1e-3 (no freezing)."""
    body = _pretrained_body()
    torch.manual_seed(1)
    m = nn.Sequential(body, nn.Linear(128, 6))
    train("t13_h_finetune_all_sgd", out, m, torch.optim.SGD(m.parameters(), 1e-3, momentum=0.9), *blobs(1500, 0),
          *blobs(400, 1), epochs=10)


@run
def t13_h_adagrad_circles(out):
    """Healthy circles (2 classes, CrossEntropy); Adagrad 0.05; 15 epochs."""
    m = mlp(2, 2, h=64)
    train("t13_h_adagrad_circles", out, m, torch.optim.Adagrad(m.parameters(), 0.05), *circles(1000, 0),
          *circles(300, 1), epochs=15)


@run
def t13_h_bigbatch_linear_decay_reg(out):
    """Healthy regression: batch 256, Adam 1e-2 with LinearLR decaying to 0.05x over 25 epochs."""
    m = mlp(10, 1, h=64)
    opt = torch.optim.Adam(m.parameters(), 1e-2)
    train("t13_h_bigbatch_linear_decay_reg", out, m, opt, *friedman(1000, 0), *friedman(300, 1), epochs=25, bs=256,
          task="reg", sched=torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.05, total_iters=25))


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
