"""Lightning runs a new user would write: a LightningModule with traindoc's callback and the
default CSVLogger (metrics.csv), on generated digit-like data."""
from __future__ import annotations

import os
import sys

import lightning as L
import torch
from torch import nn

from traindoc.probes.integrations.lightning import TraindocCallback

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs import protos  # noqa: E402


class Net(L.LightningModule):
    def __init__(self, lr=1e-3, h=128, depth=1, opt="adam"):
        super().__init__()
        layers, w = [], 64
        for _ in range(depth):
            layers += [nn.Linear(w, h), nn.ReLU()]
            w = h
        self.net = nn.Sequential(*layers, nn.Linear(w, 10))
        self.lr, self.opt = lr, opt

    def training_step(self, b, i):
        x, y = b
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, b, i):
        x, y = b
        o = self.net(x)
        self.log("val_loss", nn.functional.cross_entropy(o, y))
        self.log("val_acc", (o.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        if self.opt == "sgd":
            return torch.optim.SGD(self.parameters(), lr=self.lr)
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def fit(name, out, n=1200, epochs=15, **kw):
    L.seed_everything(0)
    g = torch.Generator().manual_seed(0)
    xtr, ytr = protos(n, g)
    xva, yva = protos(400, g)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=min(64, n), shuffle=True)
    vl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xva, yva), batch_size=200)
    cb = TraindocCallback(logdir=os.path.join(out, name, "traindoc"), quiet=True)
    tr = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=L.pytorch.loggers.CSVLogger(os.path.join(out, name)),
                   callbacks=[cb], enable_checkpointing=False, enable_progress_bar=False, log_every_n_steps=5,
                   enable_model_summary=False)
    tr.fit(Net(**kw), dl, vl)
    with open(os.path.join(out, name, "live.txt"), "w") as f:
        for fd in cb.doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


RUNS = {
    "l_healthy": lambda o: fit("l_healthy", o),
    "l_overfit": lambda o: fit("l_overfit", o, n=100, epochs=60, h=512, depth=2),
    "l_lr_low": lambda o: fit("l_lr_low", o, lr=1e-5, opt="sgd"),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
