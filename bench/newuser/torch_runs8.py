"""Round 8 of the new-user runs: plain torch loops under `traindoc.watch` (README loop), each also
writing what a user's own loop writes: a TensorBoard event file (`SummaryWriter`) and a printed
console log (`Epoch [e/E], Step [s/S], Loss: x`). Generated or sklearn data, fixed seeds.
Each run: OUT/NAME/{*.traindoc.jsonl, tb/, train.log, live.txt}."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

import traindoc


def images(n: int, seed: int, classes: int = 4, shuffle_labels: bool = False):
    """8x8 one-channel images: each class a bar at its own orientation/position, plus noise."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (n,), generator=g)
    x = 0.6 * torch.randn(n, 1, 8, 8, generator=g)
    for c in range(classes):
        m = y == c
        if c % 2 == 0:
            x[m, 0, 2 + c, :] += 1.5
        else:
            x[m, 0, :, 1 + c] += 1.5
    if shuffle_labels:
        y = y[torch.randperm(n, generator=g)]
    return x, y


def tabular(n: int, seed: int, classes: int = 5, d: int = 20, scale: float = 1.0):
    """Rows of one sklearn problem (random_state 0): seed 0 takes the first n rows, seed 1 the
    next n, so train and validation come from the same distribution."""
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=4000, n_features=d, n_informative=10, n_classes=classes,
                               n_clusters_per_class=1, class_sep=1.5, random_state=0)
    lo = 0 if seed == 0 else 2000
    return torch.tensor(x[lo:lo + n] * scale, dtype=torch.float32), torch.tensor(y[lo:lo + n])


def cnn(classes: int = 4):
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 16, classes))


def mlp(d=20, h=64, out=5, act=nn.ReLU, depth=2):
    torch.manual_seed(0)
    layers, w = [], d
    for _ in range(depth):
        layers += [nn.Linear(w, h), act()]
        w = h
    return nn.Sequential(*layers, nn.Linear(w, out))


def record(doc, path):
    with open(path, "w") as f:
        for fd in doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def train(name, out, model, opt, xtr, ytr, xva, yva, epochs=10, bs=32, loss_fn=None, loss_of=None,
          dtype=None, classify=True):
    """The README loop, plus the user's own SummaryWriter and print log."""
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    loss_of = loss_of or (lambda o, y: loss_fn(o, y))
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    tb = SummaryWriter(os.path.join(d, "tb"))
    log = open(os.path.join(d, "train.log"), "w")
    g = torch.Generator().manual_seed(1)
    steps = (len(xtr) + bs - 1) // bs
    step = 0
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=d, quiet=True) as doc:
        for ep in range(epochs):
            perm = torch.randperm(len(xtr), generator=g)
            model.train()
            for i in range(0, len(xtr), bs):
                idx = perm[i:i + bs]
                x = xtr[idx] if dtype is None else xtr[idx].to(dtype)
                opt.zero_grad()
                loss = loss_of(model(x), ytr[idx])
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x, targets=ytr[idx])
                step += 1
                tb.add_scalar("train/loss", float(loss), step)
                if step % 5 == 0:
                    log.write(f"Epoch [{ep + 1}/{epochs}], Step [{i // bs + 1}/{steps}], Loss: {float(loss):.4f}\n")
            model.eval()
            with torch.no_grad():
                xv = xva if dtype is None else xva.to(dtype)
                o = model(xv)
                vl = float(loss_of(o, yva))
                vals = {"val_loss": vl}
                if classify:
                    vals["val_acc"] = float((o.argmax(1) == yva).float().mean())
                doc.log(**vals)
                for k, v in vals.items():
                    tb.add_scalar(f"val/{k[4:]}", v, step)
                log.write(f"Epoch [{ep + 1}/{epochs}] validation: " + ", ".join(f"{k}={v:.4f}" for k, v in vals.items())
                          + "\n")
    tb.close()
    log.close()
    record(doc, os.path.join(d, "live.txt"))
    return doc


RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


@run
def t8_cnn_healthy(out):
    m = cnn()
    train("t8_cnn_healthy", out, m, torch.optim.Adam(m.parameters(), 1e-3), *images(800, 0), *images(200, 1))


@run
def t8_cnn_adam_lr1(out):
    m = cnn()
    train("t8_cnn_adam_lr1", out, m, torch.optim.Adam(m.parameters(), 1.0), *images(800, 0), *images(200, 1))


@run
def t8_mlp_sgd_lr10(out):
    m = mlp()
    train("t8_mlp_sgd_lr10", out, m, torch.optim.SGD(m.parameters(), 10.0), *tabular(1000, 0), *tabular(300, 1))


@run
def t8_mlp_lr_low(out):
    m = mlp()
    train("t8_mlp_lr_low", out, m, torch.optim.SGD(m.parameters(), 1e-6), *tabular(1000, 0), *tabular(300, 1))


@run
def t8_log_negative(out):
    """Regression on a positive target with a log-space loss on a linear output: once the output
    goes negative for some row, log() gives NaN."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1200, 8, generator=g)
    y = torch.exp(0.3 * x[:, :1] + 0.1 * torch.randn(1200, 1, generator=g))
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    with torch.no_grad():
        m[2].bias.fill_(1.0)

    def loss_of(o, t):
        return ((torch.log(o) - torch.log(t)) ** 2).mean()

    train("t8_log_negative", out, m, torch.optim.SGD(m.parameters(), 0.5), x[:1000], y[:1000], x[1000:], y[1000:],
          loss_fn=nn.MSELoss(), loss_of=loss_of, classify=False, epochs=8)


@run
def t8_fp16_adam(out):
    """A model cast to float16 (`model.half()`) and trained with Adam's default eps=1e-8, which is 0
    in float16: the second moment underflows and the update divides 0 by 0."""
    x, y = tabular(1000, 0)
    xv, yv = tabular(300, 1)
    m = mlp().half()
    train("t8_fp16_adam", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y, xv, yv, dtype=torch.float16,
          loss_of=lambda o, t: nn.functional.cross_entropy(o.float(), t), epochs=6)


@run
def t8_dead_relu_bias(out):
    m = mlp(depth=3)
    with torch.no_grad():
        for l in m[:-1]:
            if isinstance(l, nn.Linear):
                l.bias.fill_(-10.0)
    train("t8_dead_relu_bias", out, m, torch.optim.Adam(m.parameters(), 1e-3), *tabular(1000, 0), *tabular(300, 1))


@run
def t8_sigmoid_saturated(out):
    m = mlp(act=nn.Sigmoid, depth=3)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear):
                l.weight.normal_(0, 3.0)
    train("t8_sigmoid_saturated", out, m, torch.optim.SGD(m.parameters(), 0.05), *tabular(1000, 0),
          *tabular(300, 1))


@run
def t8_overfit_tiny(out):
    m = mlp(h=256, depth=3)
    x, y = tabular(60, 0)
    train("t8_overfit_tiny", out, m, torch.optim.Adam(m.parameters(), 1e-3), x, y, *tabular(300, 1), epochs=80,
          bs=20)


@run
def t8_shuffled_labels(out):
    m = cnn()
    train("t8_shuffled_labels", out, m, torch.optim.Adam(m.parameters(), 1e-3), *images(800, 0, shuffle_labels=True),
          *images(200, 1), epochs=20)


@run
def t8_unnormalised(out):
    """Pixel-like inputs in 0..255, never scaled."""
    x, y = images(800, 0)
    xv, yv = images(200, 1)
    m = cnn()
    train("t8_unnormalised", out, m, torch.optim.SGD(m.parameters(), 0.01), x * 80 + 128, y, xv * 80 + 128, yv)


@run
def t8_noisy_val_healthy(out):
    """A healthy run judged on a 30-row validation set: noisy validation curve."""
    m = mlp()
    x, y = tabular(1000, 0)
    xv, yv = tabular(30, 1)
    train("t8_noisy_val_healthy", out, m, torch.optim.SGD(m.parameters(), 0.05, momentum=0.9), x, y, xv, yv,
          epochs=15)


@run
def t8_finetune_healthy(out):
    """Pre-train on one split, then fine-tune (new head, low LR) on a related task: starts well."""
    m = cnn()
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    xa, ya = images(800, 5)
    for _ in range(3):
        for i in range(0, 800, 32):
            opt.zero_grad()
            nn.functional.cross_entropy(m(xa[i:i + 32]), ya[i:i + 32]).backward()
            opt.step()
    torch.manual_seed(1)
    m[-1] = nn.Linear(16 * 16, 4)
    train("t8_finetune_healthy", out, m, torch.optim.Adam(m.parameters(), 1e-4), *images(400, 0), *images(200, 1),
          epochs=6)


@run
def t8_late_start(out):
    """A deep narrow ReLU MLP with a tiny init: a plateau at ln C, then a sudden drop."""
    m = mlp(depth=4, h=32)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear):
                l.weight.mul_(0.5)
    train("t8_late_start", out, m, torch.optim.SGD(m.parameters(), 0.1), *tabular(1000, 0), *tabular(300, 1),
          epochs=30)


if __name__ == "__main__":
    out = sys.argv[1]
    np.random.seed(0)
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
