"""Round 10 of the new-user runs, plain torch: the README loop under `traindoc.watch` (the loop,
SummaryWriter folder and printed log of torch_runs9.train), with data, models, optimisers,
schedulers and bugs not used in rounds 7-9. NO_TRAINDOC=1: the same loops without traindoc (the
truth pass). Usage: torch_runs10.py OUT [RUN ...]. Each run: OUT/NAME/{*.traindoc.jsonl, tb/, train.log, live.txt}."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs8 import images  # noqa: E402
from torch_runs9 import _t, blobs, friedman, mlp, moons, train  # noqa: E402


def circles(n, seed, noise=0.08):
    from sklearn.datasets import make_circles
    x, y = make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    return _t(x), _t(y, torch.long)


def cancer():
    """Breast-cancer table, standardised on the first 400 rows: (train, val) of 400 / 169 rows."""
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    idx = np.random.default_rng(0).permutation(len(d.target))
    x, y = d.data[idx], d.target[idx]
    x = (x - x[:400].mean(0)) / x[:400].std(0)
    return _t(x[:400]), _t(y[:400]).unsqueeze(1), _t(x[400:]), _t(y[400:]).unsqueeze(1)


RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


@run
def t10_circles_plateau(out):
    """Tanh MLP (2x16) on concentric circles, weights scaled x0.5 at init, SGD momentum 0.9 lr 0.05."""
    m = mlp(2, 2, h=16, depth=2, act=nn.Tanh)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear):
                l.weight.mul_(0.5)
    train("t10_circles_plateau", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9), *circles(1000, 0),
          *circles(300, 1), epochs=25)


def _pretrained_body():
    torch.manual_seed(0)
    body = nn.Sequential(nn.Linear(16, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
    head = nn.Linear(128, 6)
    opt = torch.optim.Adam([*body.parameters(), *head.parameters()], 1e-3)
    x, y = blobs(3000, 0)
    x, y = x[1500:], y[1500:]
    for _ in range(3):
        for i in range(0, len(x), 64):
            opt.zero_grad()
            nn.functional.cross_entropy(head(body(x[i:i + 64])), y[i:i + 64]).backward()
            opt.step()
    return body


def _unfreeze(name, out, lr):
    """Fine-tune: frozen pre-trained body + new head (Adam 1e-3); at epoch 7 the user unfreezes the body
    and sets the rate to LR for that epoch ("to let it adapt"), back to 1e-3 from epoch 8."""
    body = _pretrained_body()
    for p in body.parameters():
        p.requires_grad = False
    torch.manual_seed(1)
    m = nn.Sequential(body, nn.Linear(128, 6))
    opt = torch.optim.Adam(m.parameters(), 1e-3)

    def hook(ep):
        if ep == 6:
            for p in body.parameters():
                p.requires_grad = True
            return lr
        return 1e-3 if ep == 7 else None
    train(name, out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=16, lr_at=hook)


@run
def t10_unfreeze_spike_recover(out):
    """_unfreeze with lr 0.03 for epoch 7: a one-epoch val spike, then recovery."""
    _unfreeze("t10_unfreeze_spike_recover", out, 0.03)


@run
def t10_unfreeze_lr_no_recover(out):
    """_unfreeze with lr 0.1 for epoch 7: the val loss jumps to chance level and stays there."""
    _unfreeze("t10_unfreeze_lr_no_recover", out, 0.1)


@run
def t10_exponential_lr_grows(out):
    """ExponentialLR(gamma=1.6) on SGD momentum 0.9 from lr 0.005 (the user meant 0.96): the rate grows
    every epoch; the val loss falls, then jumps and stays up."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.SGD(m.parameters(), 0.005, momentum=0.9)
    train("t10_exponential_lr_grows", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=16,
          sched=torch.optim.lr_scheduler.ExponentialLR(opt, 1.6))


@run
def t10_int_div_inputs(out):
    """Images stored as 0-255 integers; the user scales with `x // 255` (integer division): almost
    every input becomes 0, the loss never falls below the class prior."""
    x, y = images(1500, 0)
    xv, yv = images(400, 1)
    q = lambda a: (((a - a.min()) / (a.max() - a.min())) * 255).round().long()  # noqa: E731
    x, xv = (q(x) // 255).float(), (q(xv) // 255).float()
    torch.manual_seed(0)
    m = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
    train("t10_int_div_inputs", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y, xv, yv, epochs=12)


@run
def t10_nan_late_softmax(out):
    """Hand-written softmax cross-entropy, exp(z) / exp(z).sum(), on the 6-class table, a 2x256 MLP,
    Adam 1e-2, 30 epochs: the logits grow as the net memorises until exp overflows (inf / inf = NaN)."""
    def ce(z, y):
        p = torch.exp(z) / torch.exp(z).sum(1, keepdim=True)
        return -torch.log(p[torch.arange(len(y)), y]).mean()
    m = mlp(16, 6, h=256)
    train("t10_nan_late_softmax", out, m, torch.optim.Adam(m.parameters(), 1e-2), *blobs(1500, 0), *blobs(400, 1),
          epochs=30, loss_fn=ce)


@run
def t10_overfit_cnn_small(out):
    """CNN on 48 training images (4 classes of noisy bars), Adam 3e-3, 150 epochs."""
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(2048, 128), nn.ReLU(),
                      nn.Linear(128, 4))
    x, y = images(48, 3)
    x = x + 0.9 * torch.randn(x.shape, generator=torch.Generator().manual_seed(5))
    xv, yv = images(300, 4)
    xv = xv + 0.9 * torch.randn(xv.shape, generator=torch.Generator().manual_seed(6))
    train("t10_overfit_cnn_small", out, m, torch.optim.Adam(m.parameters(), 3e-3), x, y, xv, yv, epochs=150, bs=16)


@run
def t10_dead_relu_bias_init(out):
    """The user's custom init sets every hidden bias to -4 (nn.init.constant_): most ReLU units never fire."""
    m = mlp(16, 6, h=64, depth=3)
    for l in m[:-1]:
        if isinstance(l, nn.Linear):
            nn.init.constant_(l.bias, -4.0)
    train("t10_dead_relu_bias_init", out, m, torch.optim.Adam(m.parameters(), 1e-3), *blobs(1500, 0),
          *blobs(400, 1), epochs=12)


@run
def t10_sigmoid_big_init(out):
    """Sigmoid MLP (3x64) with the user's init nn.init.normal_(w, std=3): hidden sigmoids saturate."""
    m = mlp(16, 6, h=64, depth=3, act=nn.Sigmoid)
    for l in m:
        if isinstance(l, nn.Linear):
            nn.init.normal_(l.weight, std=3.0)
    train("t10_sigmoid_big_init", out, m, torch.optim.SGD(m.parameters(), 0.05), *blobs(1500, 0), *blobs(400, 1),
          epochs=12)


@run
def t10_adagrad_lr_high(out):
    """Adagrad at lr 3.0 on the breast-cancer table (binary, BCEWithLogits)."""
    m = mlp(30, 1, h=64)
    train("t10_adagrad_lr_high", out, m, torch.optim.Adagrad(m.parameters(), 3.0), *cancer(), epochs=15, task="binary")


@run
def t10_linear_warmup_sgd_high(out):
    """SGD momentum 0.9 at lr 1.5 behind LinearLR(start_factor=0.01, total_iters=5) warm-up, regression."""
    m = mlp(10, 1, h=64)
    opt = torch.optim.SGD(m.parameters(), 1.5, momentum=0.9)
    train("t10_linear_warmup_sgd_high", out, m, opt, *friedman(1000, 0), *friedman(300, 1), epochs=15, task="reg",
          sched=torch.optim.lr_scheduler.LinearLR(opt, 0.01, total_iters=5))


@run
def t10_sgd_lr_low_cls(out):
    """Plain SGD at lr 1e-4 (no momentum) on the 6-class table: the loss hardly moves."""
    m = mlp(16, 6, h=64)
    train("t10_sgd_lr_low_cls", out, m, torch.optim.SGD(m.parameters(), 1e-4), *blobs(1500, 0), *blobs(400, 1),
          epochs=12)


# ---- healthy ----

@run
def t10_h_label_smoothing(out):
    """Healthy: CrossEntropyLoss(label_smoothing=0.2) + AdamW + CosineAnnealingLR: the loss floors near 0.6."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.AdamW(m.parameters(), 2e-3, weight_decay=0.05)
    train("t10_h_label_smoothing", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=15,
          loss_fn=nn.CrossEntropyLoss(label_smoothing=0.2), sched=torch.optim.lr_scheduler.CosineAnnealingLR(opt, 15))


@run
def t10_h_moons_tiny_val(out):
    """Healthy binary moons with a 16-row validation set (noisy val loss / accuracy in steps of 6.25%)."""
    m = mlp(2, 1, h=32)
    x, y = moons(600, 0, noise=0.25)
    xv, yv = moons(16, 7, noise=0.25)
    train("t10_h_moons_tiny_val", out, m, torch.optim.Adam(m.parameters(), 1e-2), x, y, xv, yv, epochs=20,
          task="binary")


@run
def t10_h_cyclic_sgd(out):
    """Healthy: SGD momentum with CyclicLR (triangular, 1e-3 to 5e-2, 40-step half cycles), stepped per batch."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.SGD(m.parameters(), 1e-3, momentum=0.9)
    train("t10_h_cyclic_sgd", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12, sched_per="step",
          sched=torch.optim.lr_scheduler.CyclicLR(opt, 1e-3, 5e-2, step_size_up=40))


@run
def t10_h_cancer_wd(out):
    """Healthy binary: breast-cancer table, Adam 1e-3 + weight decay 1e-3, 25 epochs (small val set, 169 rows)."""
    m = mlp(30, 1, h=32, dropout=0.2)
    train("t10_h_cancer_wd", out, m, torch.optim.Adam(m.parameters(), 1e-3, weight_decay=1e-3), *cancer(),
          epochs=25, task="binary")


@run
def t10_h_huber_reg(out):
    """Healthy regression with SmoothL1 (Huber) loss, Adam 3e-3 + StepLR(8, 0.3)."""
    m = mlp(10, 1, h=64)
    opt = torch.optim.Adam(m.parameters(), 3e-3)
    train("t10_h_huber_reg", out, m, opt, *friedman(1000, 0), *friedman(300, 1), epochs=20, task="reg",
          loss_fn=nn.SmoothL1Loss(), sched=torch.optim.lr_scheduler.StepLR(opt, 8, 0.3))


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
