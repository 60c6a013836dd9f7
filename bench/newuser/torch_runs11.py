"""Round 11 of the new-user runs, plain torch: the README loop under `traindoc.watch` (the loop,
SummaryWriter folder and printed log of torch_runs9.train), with bugs, data, models, optimisers and
schedulers not used in rounds 7-10. NO_TRAINDOC=1: the same loops without traindoc (the truth pass;
a few runs then also print a by-hand check of the model to OUT/NAME/check.txt).
Usage: torch_runs11.py OUT [RUN ...]. Each run: OUT/NAME/{*.traindoc.jsonl, tb/, train.log, live.txt}."""
from __future__ import annotations

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs8 import images  # noqa: E402
from torch_runs9 import PLAIN, blobs, friedman, mlp, train, xor_blobs  # noqa: E402
from torch_runs10 import _pretrained_body, circles  # noqa: E402

RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


def _check(out, name, text):
    if PLAIN:
        os.makedirs(os.path.join(out, name), exist_ok=True)
        with open(os.path.join(out, name, "check.txt"), "a") as f:
            f.write(text + "\n")


@run
def t11_tanh_deep_plateau(out):
    """Three tanh layers (3x12) with weights scaled x0.4 at init on XOR blobs; SGD momentum 0.9 lr 0.05:
    the signal barely passes the small layers, the loss sits at ln 2, then drops."""
    m = mlp(8, 2, h=12, depth=3, act=nn.Tanh)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear):
                l.weight.mul_(0.4)
    train("t11_tanh_deep_plateau", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9), *xor_blobs(1200, 0),
          *xor_blobs(400, 1), epochs=25)


@run
def t11_bad_shard_spike(out):
    """Epoch 8 of 16 reads a corrupted shard: the training labels of that one epoch are a random permutation
    (the data loader reads the wrong label file once); epoch 9 reads the right file again."""
    x, y = blobs(1500, 0)
    good = y.clone()
    bad = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(9))]

    def hook(ep):
        y.copy_(bad if ep == 7 else good)
        return None
    m = mlp(16, 6, h=128)
    train("t11_bad_shard_spike", out, m, torch.optim.Adam(m.parameters(), 2e-3), x, y, *blobs(400, 1), epochs=16,
          lr_at=hook)


@run
def t11_adam_lr_raised_midrun(out):
    """Adam 1e-3 for 7 epochs; at epoch 8 the user raises the rate to 0.05 'to speed things up' and keeps it."""
    m = mlp(16, 6, h=128)
    train("t11_adam_lr_raised_midrun", out, m, torch.optim.Adam(m.parameters(), 1e-3), *blobs(1500, 0),
          *blobs(400, 1), epochs=16, lr_at=lambda ep: 0.05 if ep == 7 else None)


@run
def t11_dataset_index_bug(out):
    """A hand-written Dataset whose __getitem__ returns self.x[0] instead of self.x[i]: every training input is
    the same row, labels are right; validation uses the real rows. The loss never falls below the label entropy."""
    x, y = blobs(1500, 0)
    x = x[:1].expand_as(x).clone()
    m = mlp(16, 6, h=64)
    train("t11_dataset_index_bug", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y, *blobs(400, 1), epochs=12)


@run
def t11_nan_entropy_term(out):
    """Cross-entropy plus a hand-written confidence penalty 0.01 * sum(p * log p) (p = softmax): once a
    probability underflows to exactly 0 as the logits grow, 0 * log 0 = 0 * -inf = NaN. 2x128 MLP, Adam 1e-2."""
    def loss(z, y):
        p = torch.softmax(z, 1)
        return nn.functional.cross_entropy(z, y) + 0.01 * (p * torch.log(p)).sum(1).mean()
    m = mlp(16, 6, h=128)
    train("t11_nan_entropy_term", out, m, torch.optim.Adam(m.parameters(), 1e-2), *blobs(1500, 0), *blobs(400, 1),
          epochs=25, loss_fn=loss)


class BagOfTokens(nn.Module):
    def __init__(self, vocab=60, classes=4):
        super().__init__()
        torch.manual_seed(0)
        self.emb = nn.EmbeddingBag(vocab, 64, mode="mean")
        self.fc = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, x):
        return self.fc(self.emb(x))


@run
def t11_overfit_bag_of_tokens(out):
    """EmbeddingBag + MLP on 48 token sequences (which of 4 token bands is most frequent), Adam 3e-3, 200 epochs."""
    from hf_runs import Tokens
    tr, va = Tokens(48, 1), Tokens(400, 2)
    m = BagOfTokens()
    train("t11_overfit_bag_of_tokens", out, m, torch.optim.Adam(m.parameters(), 3e-3), tr.x, tr.y, va.x, va.y,
          epochs=200, bs=16)


@run
def t11_const_init_tanh(out):
    """Tanh MLP (3x64) whose user init sets every weight to 0.5 (nn.init.constant_) and biases to 0: all units
    of a layer identical (symmetry never broken) and saturated."""
    m = mlp(16, 6, h=64, depth=3, act=nn.Tanh)
    for l in m:
        if isinstance(l, nn.Linear):
            nn.init.constant_(l.weight, 0.5)
            nn.init.zeros_(l.bias)
    with torch.no_grad():
        xv = blobs(400, 1)[0]
        h, sat = xv, []
        for l in m[:-1]:
            h = l(h)
            if isinstance(l, nn.Tanh):
                sat.append(f"{100 * float((h.abs() > 0.99).float().mean()):.1f}%")
    _check(out, "t11_const_init_tanh", f"at init, share of hidden tanh outputs with |h| > 0.99 per layer: {sat}")
    train("t11_const_init_tanh", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9), *blobs(1500, 0),
          *blobs(400, 1), epochs=12)


@run
def t11_nadam_warmup_high(out):
    """NAdam at lr 0.3 behind a 100-step linear warm-up (LambdaLR stepped per batch) on the 6-class table."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.NAdam(m.parameters(), 0.3)
    train("t11_nadam_warmup_high", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12, sched_per="step",
          sched=torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 100)))


@run
def t11_sgd_nesterov_high_cnn(out):
    """A small CNN with SGD Nesterov momentum 0.9 at lr 0.8 and MultiStepLR([8], 0.1) on the bar images."""
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 4))
    opt = torch.optim.SGD(m.parameters(), 0.8, momentum=0.9, nesterov=True)
    train("t11_sgd_nesterov_high_cnn", out, m, opt, *images(1200, 0), *images(300, 1), epochs=12,
          sched=torch.optim.lr_scheduler.MultiStepLR(opt, [8], 0.1))


@run
def t11_explr_decay_fast(out):
    """Adam 1e-3 with ExponentialLR(gamma=0.3) per epoch (the user meant 0.93): the rate is 2e-6 by epoch 6."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    train("t11_explr_decay_fast", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=15,
          sched=torch.optim.lr_scheduler.ExponentialLR(opt, 0.3))


@run
def t11_sgd_lr_low_cnn(out):
    """The CNN of t11_sgd_nesterov_high_cnn with SGD momentum 0.9 at lr 1e-5."""
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 4))
    train("t11_sgd_lr_low_cnn", out, m, torch.optim.SGD(m.parameters(), 1e-5, momentum=0.9), *images(1200, 0),
          *images(300, 1), epochs=12)


# ---- healthy ----

@run
def t11_h_cnn_noise_multistep(out):
    """Healthy CNN with input-noise augmentation, SGD momentum 0.9 lr 0.05 and MultiStepLR([6, 9], 0.1)."""
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 4))
    opt = torch.optim.SGD(m.parameters(), 0.05, momentum=0.9)
    train("t11_h_cnn_noise_multistep", out, m, opt, *images(1200, 0), *images(300, 1), epochs=12,
          augment=lambda x, g: x + 0.4 * torch.randn(x.shape, generator=g),
          sched=torch.optim.lr_scheduler.MultiStepLR(opt, [6, 9], 0.1))


@run
def t11_h_discriminative_lr(out):
    """Healthy fine-tune of a pre-trained body with two parameter groups: body Adam 1e-4, new head 1e-2."""
    body = _pretrained_body()
    torch.manual_seed(1)
    head = nn.Linear(128, 6)
    m = nn.Sequential(body, head)
    opt = torch.optim.Adam([{"params": body.parameters(), "lr": 1e-4}, {"params": head.parameters(), "lr": 1e-2}])
    train("t11_h_discriminative_lr", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12)


@run
def t11_h_circles_tiny_val(out):
    """Healthy: circles with a 24-row validation set; SGD Nesterov momentum 0.9 lr 0.05."""
    m = mlp(2, 2, h=32)
    train("t11_h_circles_tiny_val", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9, nesterov=True),
          *circles(800, 0), *circles(24, 3), epochs=20)


@run
def t11_h_restarts_tmult(out):
    """Healthy regression: AdamW 3e-3 with CosineAnnealingWarmRestarts(T_0=2, T_mult=2) (cycles of 2, 4, 8 epochs)."""
    m = mlp(10, 1, h=64)
    opt = torch.optim.AdamW(m.parameters(), 3e-3)
    train("t11_h_restarts_tmult", out, m, opt, *friedman(1000, 0), *friedman(300, 1), epochs=14, task="reg",
          sched=torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 2, 2))


@run
def t11_h_xor_bs8(out):
    """Healthy XOR blobs (2 classes, CrossEntropy) with batch size 8 and Adam 1e-3: noisy steps."""
    m = mlp(8, 2, h=32)
    train("t11_h_xor_bs8", out, m, torch.optim.Adam(m.parameters(), 1e-3), *xor_blobs(800, 0), *xor_blobs(300, 1),
          epochs=15, bs=8)


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
