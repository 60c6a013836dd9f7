"""Round 9 of the new-user runs: plain torch loops written from the README's `traindoc.watch`
snippet (`doc.log({...})` as a dict, as the README shows), each also writing what a user's own
loop writes: a TensorBoard folder named the PyTorch-tutorial way (`Loss/train`, `Loss/val`,
`Accuracy/val`) and a printed log, one line per epoch (`Epoch 3: train loss 0.5123, val loss
0.4981, val acc 81.00%`). Data: sklearn generators and bundled sets (no download), fixed seeds.

With NO_TRAINDOC=1 the same loops run without traindoc (no watcher at all): that pass gives the
plain numbers the truth (TRUTH9.csv) was written from. Each run: OUT/NAME/{*.traindoc.jsonl, tb/,
train.log, live.txt}."""
from __future__ import annotations

import contextlib
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs8 import images  # noqa: E402  (the 8x8 bar images of round 8)

PLAIN = os.environ.get("NO_TRAINDOC") == "1"


class _NoDoc:
    findings: list = []

    def step(self, *a, **k):
        pass

    def log(self, *a, **k):
        pass


def _t(a, dtype=torch.float32):
    return torch.tensor(np.asarray(a), dtype=dtype)


def xor_blobs(n, seed, noise_dims=6):
    """Two classes in XOR layout (clusters at (+-1, +-1)) plus noise features."""
    r = np.random.default_rng(seed)
    c = r.integers(0, 2, (n, 2)) * 2 - 1
    x = np.concatenate([c + 0.3 * r.standard_normal((n, 2)), r.standard_normal((n, noise_dims))], 1)
    return _t(x), _t((c[:, 0] * c[:, 1] > 0).astype(int), torch.long)


def friedman(n, seed, noise=0.5):
    from sklearn.datasets import make_friedman1
    x, y = make_friedman1(n_samples=n, n_features=10, noise=noise, random_state=seed)
    return _t(x), _t((y - 14.4) / 5.0).unsqueeze(1)


def blobs(n, seed, classes=6, d=16):
    """One make_classification problem; seed 0 the first rows, seed 1 rows from the second half."""
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=6000, n_features=d, n_informative=8, n_classes=classes,
                               n_clusters_per_class=2, class_sep=1.2, random_state=3)
    lo = 0 if seed == 0 else 3000
    return _t(x[lo:lo + n]), _t(y[lo:lo + n], torch.long)


def moons(n, seed, noise=0.2):
    from sklearn.datasets import make_moons
    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _t(x), _t(y).unsqueeze(1)


def houses(n, seed):
    """A housing-price-like table left unscaled: areas in the thousands, years near 2000, prices."""
    r = np.random.default_rng(seed)
    area = r.uniform(500, 4000, n)
    year = r.uniform(1950, 2020, n)
    rooms = r.integers(1, 8, n).astype(float)
    dist = r.uniform(0, 50, n)
    price = 50 * area + 2000 * (year - 1950) + 10000 * rooms - 3000 * dist + r.normal(0, 20000, n)
    return _t(np.stack([area, year, rooms, dist], 1)), _t((price - 200000) / 80000).unsqueeze(1)


def mlp(d, out, h=64, depth=2, act=nn.ReLU, seed=0, dropout=0.0):
    torch.manual_seed(seed)
    layers, w = [], d
    for _ in range(depth):
        layers += [nn.Linear(w, h), act()] + ([nn.Dropout(dropout)] if dropout else [])
        w = h
    return nn.Sequential(*layers, nn.Linear(w, out))


def train(name, out, model, opt, xtr, ytr, xva, yva, epochs=10, bs=32, loss_fn=None, task="multi",
          sched=None, sched_per="epoch", lr_at=None, augment=None, opt_model=None):
    """The README loop plus the user's SummaryWriter and per-epoch print. task: multi | binary | reg.
    lr_at(epoch) -> lr or None: a hand-written schedule that sets the rate at the start of an epoch."""
    loss_fn = loss_fn or {"multi": nn.CrossEntropyLoss(), "binary": nn.BCEWithLogitsLoss(),
                          "reg": nn.MSELoss()}[task]
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    tb = SummaryWriter(os.path.join(d, "tb"))
    log = open(os.path.join(d, "train.log"), "w")
    g = torch.Generator().manual_seed(1)
    step = 0
    if PLAIN:
        ctx = contextlib.nullcontext(_NoDoc())
    else:
        import traindoc
        ctx = traindoc.watch(model, opt, loss_fn=loss_fn, logdir=d, quiet=True)
    with ctx as doc:
        for ep in range(epochs):
            if lr_at is not None and lr_at(ep) is not None:
                for pg in opt.param_groups:
                    pg["lr"] = lr_at(ep)
            perm = torch.randperm(len(xtr), generator=g)
            model.train()
            tot, cnt = 0.0, 0
            for i in range(0, len(xtr), bs):
                idx = perm[i:i + bs]
                x, y = xtr[idx], ytr[idx]
                if augment is not None:
                    x = augment(x, g)
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
                if sched is not None and sched_per == "step":
                    sched.step()
                doc.step(loss, inputs=x, targets=y)
                step += 1
                tb.add_scalar("Loss/train", float(loss), step)
                tot, cnt = tot + float(loss) * len(idx), cnt + len(idx)
            if sched is not None and sched_per == "epoch":
                sched.step()
            model.eval()
            with torch.no_grad():
                o = model(xva)
                vl = float(loss_fn(o, yva))
                vals = {"val_loss": vl}
                if task == "multi":
                    vals["val_acc"] = float((o.argmax(1) == yva).float().mean())
                elif task == "binary":
                    vals["val_acc"] = float(((o > 0).float() == yva).float().mean())
            doc.log(vals)
            tb.add_scalar("Loss/val", vl, step)
            if "val_acc" in vals:
                tb.add_scalar("Accuracy/val", vals["val_acc"], step)
            line = f"Epoch {ep + 1}: train loss {tot / cnt:.4f}, val loss {vl:.4f}"
            if "val_acc" in vals:
                line += f", val acc {100 * vals['val_acc']:.2f}%"
            log.write(line + "\n")
            log.flush()
    tb.close()
    log.close()
    with open(os.path.join(d, "live.txt"), "w") as f:
        for fd in doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


RUNS = {}


def run(f):
    RUNS[f.__name__] = f
    return f


# ---- broken or worth a look ----

@run
def t9_xor_plateau(out):
    """Tanh MLP with a small init (weights x0.15) on XOR blobs, plain SGD 0.5: flat at ln 2 for 11
    epochs (the symmetric saddle at zero), then a sudden drop."""
    m = mlp(2, 2, h=16, depth=2, act=nn.Tanh)
    with torch.no_grad():
        for l in m:
            if isinstance(l, nn.Linear):
                l.weight.mul_(0.15)
    train("t9_xor_plateau", out, m, torch.optim.SGD(m.parameters(), 0.5), *xor_blobs(1000, 0, 0),
          *xor_blobs(300, 1, 0), epochs=25)


@run
def t9_lr_bump_recover(out):
    """Healthy Adam run, but the user's hand-written schedule sets lr=0.02 for epoch 7 only (a typo
    in a dict of epoch -> lr): the validation loss spikes, then recovers."""
    m = mlp(16, 6, h=128)
    train("t9_lr_bump_recover", out, m, torch.optim.Adam(m.parameters(), 1e-3), *blobs(1500, 0), *blobs(400, 1),
          epochs=16, lr_at=lambda e: {6: 0.02, 7: 1e-3}.get(e))


@run
def t9_steplr_gamma10(out):
    """StepLR(step_size=5, gamma=10) instead of gamma=0.1: the rate grows 10x every 5 epochs; the
    validation loss jumps at epoch 6 and does not come back."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.SGD(m.parameters(), 0.01, momentum=0.9)
    train("t9_steplr_gamma10", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=15,
          sched=torch.optim.lr_scheduler.StepLR(opt, 5, gamma=10.0))


@run
def t9_opt_old_model(out):
    """The optimiser is built on a first model; the user then re-creates the model (to change its
    width) and trains the new one: no parameter of the trained model is ever updated."""
    m = mlp(16, 6, h=64)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    m = mlp(16, 6, h=128, seed=1)
    train("t9_opt_old_model", out, m, opt, *blobs(1500, 0), *blobs(400, 1), epochs=12)


@run
def t9_nan_late_bce(out):
    """A hand-written binary cross-entropy, -[y log sigmoid(z) + (1-y) log(1-sigmoid(z))], on a
    separable problem with Adam 1e-2: healthy for many epochs, then sigmoid(z) rounds to exactly 1
    in float32 and the loss becomes Inf, then NaN."""
    def bce(z, y):
        p = torch.sigmoid(z)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    m = mlp(2, 1, h=64, depth=3)
    train("t9_nan_late_bce", out, m, torch.optim.Adam(m.parameters(), 1e-2), *moons(800, 0, noise=0.05),
          *moons(200, 1, noise=0.05), epochs=25, loss_fn=bce, task="binary")


@run
def t9_overfit_regression(out):
    """Regression, 40 rows of Friedman #1 with noise, a 3x256 MLP, Adam, 300 epochs."""
    m = mlp(10, 1, h=256, depth=3)
    train("t9_overfit_regression", out, m, torch.optim.Adam(m.parameters(), 1e-3), *friedman(40, 0, noise=1.0),
          *friedman(400, 1, noise=1.0), epochs=300, bs=20, task="reg")


@run
def t9_dead_relu_lr(out):
    """ReLU MLP, plain SGD at lr 1.0 on standardised inputs: the first steps knock most units below 0."""
    m = mlp(16, 6, h=64, depth=3)
    train("t9_dead_relu_lr", out, m, torch.optim.SGD(m.parameters(), 1.0), *blobs(1500, 0), *blobs(400, 1),
          epochs=12)


@run
def t9_tanh_unscaled(out):
    """Tanh MLP on an unscaled housing-like table (areas in thousands, years ~2000): tanh saturates."""
    m = mlp(4, 1, h=32, depth=2, act=nn.Tanh)
    train("t9_tanh_unscaled", out, m, torch.optim.SGD(m.parameters(), 1e-3), *houses(1200, 0), *houses(300, 1),
          epochs=15, task="reg")


@run
def t9_rmsprop_lr_high(out):
    """RMSprop at lr 0.1 (the SGD rate copied over) on a 6-class MLP."""
    m = mlp(16, 6, h=128)
    train("t9_rmsprop_lr_high", out, m, torch.optim.RMSprop(m.parameters(), 0.1), *blobs(1500, 0), *blobs(400, 1),
          epochs=10)


@run
def t9_onecycle_maxlr(out):
    """OneCycleLR with max_lr=3 on Adam (a value from an SGD recipe): fine during the warm-up's first
    steps, the loss blows up as the rate climbs."""
    m = mlp(16, 6, h=128)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    xtr, ytr = blobs(1500, 0)
    train("t9_onecycle_maxlr", out, m, opt, xtr, ytr, *blobs(400, 1), epochs=12, sched_per="step",
          sched=torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3.0, total_steps=12 * 47))


@run
def t9_adamw_lr_low_reg(out):
    """Regression with AdamW at lr 1e-6: the loss barely moves from its start (no chance level)."""
    m = mlp(10, 1, h=64)
    train("t9_adamw_lr_low_reg", out, m, torch.optim.AdamW(m.parameters(), 1e-6), *friedman(1000, 0),
          *friedman(300, 1), epochs=12, task="reg")


# ---- healthy ----

@run
def t9_h_reg_plateau_sched(out):
    """Healthy regression: Adam + ReduceLROnPlateau on a 25-row (noisy) validation set."""
    m = mlp(10, 1, h=64)
    opt = torch.optim.Adam(m.parameters(), 3e-3)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5)
    xv, yv = friedman(25, 1)

    class S:  # ReduceLROnPlateau needs the validation loss
        def step(self):
            with torch.no_grad():
                s.step(float(nn.functional.mse_loss(m(xv), yv)))
    train("t9_h_reg_plateau_sched", out, m, opt, *friedman(1000, 0), xv, yv, epochs=25, task="reg", sched=S())


@run
def t9_h_warm_restarts(out):
    """Healthy: SGD momentum + weight decay with CosineAnnealingWarmRestarts (T_0=4 epochs, stepped
    per batch): the training loss jumps a little at each restart."""
    m = mlp(16, 6, h=64)
    opt = torch.optim.SGD(m.parameters(), 0.05, momentum=0.9, weight_decay=5e-4)
    train("t9_h_warm_restarts", out, m, opt, *blobs(3000, 0), *blobs(400, 1), epochs=12, sched_per="step",
          sched=torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4 * 94))


@run
def t9_h_augment_dropout(out):
    """Healthy CNN with augmentation (random shifts + noise) and dropout: train loss above val loss."""
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.3), nn.Flatten(),
                      nn.Linear(256, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 4))

    def aug(x, g):
        s = int(torch.randint(-1, 2, (1,), generator=g))
        return torch.roll(x, s, dims=3) + 0.3 * torch.randn(x.shape, generator=g)
    train("t9_h_augment_dropout", out, m, torch.optim.Adam(m.parameters(), 1e-3), *images(800, 0), *images(200, 1),
          epochs=15, augment=aug)


@run
def t9_h_frozen_finetune(out):
    """Healthy fine-tune: a pretrained body frozen (requires_grad False, not in the optimiser), a new
    head trained at 1e-3 on a related 6-class task."""
    body = mlp(16, 6, h=128)[:-1]
    head0 = nn.Linear(128, 6)
    m0 = nn.Sequential(*body, head0)
    o0 = torch.optim.Adam(m0.parameters(), 1e-3)
    xa, ya = blobs(2000, 1)
    for _ in range(5):
        for i in range(0, 2000, 64):
            o0.zero_grad()
            nn.functional.cross_entropy(m0(xa[i:i + 64]), ya[i:i + 64]).backward()
            o0.step()
    for p in body.parameters():
        p.requires_grad_(False)
    torch.manual_seed(2)
    m = nn.Sequential(*body, nn.Linear(128, 6))
    x, y = blobs(1500, 0)
    train("t9_h_frozen_finetune", out, m, torch.optim.Adam(m[-1].parameters(), 1e-3), x[:600], y[:600],
          x[600:900], y[600:900], epochs=10)


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
