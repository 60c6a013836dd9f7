"""Plain torch loops a new user would write, under `traindoc.watch` (README loop), on generated
data: healthy twins and the classic failures. Each run writes its watch log to OUT/NAME and a
one-line summary of the live findings to OUT/NAME/live.txt."""
from __future__ import annotations

import math
import os
import sys

import torch
from torch import nn

import traindoc


def protos(n: int, g: torch.Generator, d: int = 64, classes: int = 10):
    """Digit-like data: several prototypes per class plus noise."""
    p = torch.randn(classes, 20, d, generator=torch.Generator().manual_seed(5))
    y = torch.arange(n) % classes
    y = y[torch.randperm(n, generator=g)]
    k = torch.randint(0, 20, (n,), generator=g)
    return p[y, k] + 0.7 * torch.randn(n, d, generator=g), y


def scaled(m, k):
    """The model with every Linear weight multiplied by k (a too-small initialisation)."""
    with torch.no_grad():
        for layer in m:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(k)
    return m


def mlp(d=64, h=128, out=10, act=nn.ReLU, depth=1):
    torch.manual_seed(0)
    layers, w = [], d
    for _ in range(depth):
        layers += [nn.Linear(w, h), act()]
        w = h
    return nn.Sequential(*layers, nn.Linear(w, out))


def train(name, out, model, opt, loss_fn, xtr, ytr, xva, yva, epochs=12, bs=64, zero_grad=True,
          target=lambda y: y, head=lambda o: o, sched=None):
    g = torch.Generator().manual_seed(1)
    logdir = os.path.join(out, name)
    with traindoc.watch(model, opt, loss_fn=loss_fn, logdir=logdir, quiet=True) as doc:
        for _ in range(epochs):
            perm = torch.randperm(len(xtr), generator=g)
            model.train()
            for i in range(0, len(xtr), bs):
                idx = perm[i:i + bs]
                if zero_grad:
                    opt.zero_grad()
                loss = loss_fn(head(model(xtr[idx])), target(ytr[idx]))
                loss.backward()
                opt.step()
                if sched:
                    sched.step()
                doc.step(loss, inputs=xtr[idx], targets=ytr[idx])
            model.eval()
            with torch.no_grad():
                o = head(model(xva))
                doc.log(val_loss=float(loss_fn(o, target(yva))), val_acc=float((o.argmax(1) == yva).float().mean()))
    with open(os.path.join(logdir, "live.txt"), "w") as f:
        for fd in doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")
    return doc


def data(seed=0, n=1200, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    xtr, ytr = protos(n, g)
    xva, yva = protos(400, g)
    return xtr * scale + shift, ytr, xva * scale + shift, yva


RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


@run
def t_healthy(out):
    torch.manual_seed(0)
    m = mlp()
    train("t_healthy", out, m, torch.optim.Adam(m.parameters(), 1e-3), nn.CrossEntropyLoss(), *data())


@run
def t_lr10_sgd(out):
    torch.manual_seed(0)
    m = mlp()
    train("t_lr10_sgd", out, m, torch.optim.SGD(m.parameters(), lr=10.0), nn.CrossEntropyLoss(), *data())


@run
def t_lr_low(out):
    torch.manual_seed(0)
    m = mlp()
    train("t_lr_low", out, m, torch.optim.SGD(m.parameters(), lr=1e-5), nn.CrossEntropyLoss(), *data())


@run
def t_no_zero_grad(out):
    torch.manual_seed(0)
    m = mlp()
    train("t_no_zero_grad", out, m, torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9), nn.CrossEntropyLoss(),
          *data(), zero_grad=False)


@run
def t_unnormalised(out):
    torch.manual_seed(0)
    m = mlp()
    train("t_unnormalised", out, m, torch.optim.SGD(m.parameters(), lr=0.01), nn.CrossEntropyLoss(),
          *data(scale=60.0, shift=200.0))


@run
def t_softmax_mse(out):
    torch.manual_seed(0)
    m = nn.Sequential(mlp(), nn.Softmax(dim=1))
    train("t_softmax_mse", out, m, torch.optim.SGD(m.parameters(), lr=0.1), nn.MSELoss(), *data(),
          target=lambda y: nn.functional.one_hot(y, 10).float())


@run
def t_dead_relu(out):
    torch.manual_seed(0)
    m = mlp(depth=3)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear) and l.out_features == 128:
                l.bias.fill_(-3.0)
    train("t_dead_relu", out, m, torch.optim.SGD(m.parameters(), lr=0.05), nn.CrossEntropyLoss(), *data())


@run
def t_sigmoid_saturated(out):
    torch.manual_seed(0)
    m = mlp(depth=4, act=nn.Sigmoid)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear):
                l.weight.normal_(0, 2.0)
    train("t_sigmoid_saturated", out, m, torch.optim.SGD(m.parameters(), lr=0.05), nn.CrossEntropyLoss(), *data())


@run
def t_overfit(out):
    torch.manual_seed(0)
    m = mlp(h=512, depth=2)
    xtr, ytr, xva, yva = data(n=120)
    train("t_overfit", out, m, torch.optim.Adam(m.parameters(), 1e-3), nn.CrossEntropyLoss(), xtr, ytr, xva, yva,
          epochs=60, bs=30)


@run
def t_nan_later(out):
    """Regression with a warm-up that keeps growing the LR: fine for a while, then inf/NaN."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1200, 16, generator=g)
    w = torch.randn(16, 1, generator=g)
    y = x @ w + 0.1 * torch.randn(1200, 1, generator=g)
    m = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.SGD(m.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.04 ** s)
    logdir = os.path.join(out, "t_nan_later")
    with traindoc.watch(m, opt, loss_fn=nn.MSELoss(), logdir=logdir, quiet=True) as doc:
        for ep in range(8):
            for i in range(0, 1000, 50):
                opt.zero_grad()
                loss = nn.functional.mse_loss(m(x[i:i + 50]), y[i:i + 50])
                loss.backward()
                opt.step()
                sched.step()
                doc.step(loss, inputs=x[i:i + 50], targets=y[i:i + 50])
            with torch.no_grad():
                doc.log(val_loss=float(nn.functional.mse_loss(m(x[1000:]), y[1000:])))
    with open(os.path.join(logdir, "live.txt"), "w") as f:
        for fd in doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


@run
def t_late_start(out):
    """A 3-hidden-layer ReLU net with its weights scaled down (0.8x the default): the loss sits near
    ln(10) for several epochs, then falls: a late start."""
    m = scaled(mlp(depth=3), 0.8)
    train("t_late_start", out, m, torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss(), *data(),
          epochs=25)


@run
def t_vanishing_tanh(out):
    """A deep tanh stack with a small initialisation: the gradient never reaches the first layers."""
    m = scaled(mlp(depth=6, h=64, act=nn.Tanh), 0.3)
    train("t_vanishing_tanh", out, m, torch.optim.SGD(m.parameters(), lr=0.05), nn.CrossEntropyLoss(), *data(),
          epochs=20)


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
