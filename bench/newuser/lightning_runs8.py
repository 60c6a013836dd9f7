"""Round 8, Lightning: a LightningModule with traindoc's callback and the default CSVLogger (or a
TensorBoardLogger), on the 8x8 bar images or sklearn tabular data of torch_runs8."""
from __future__ import annotations

import os
import sys

import lightning as L
import torch
from torch import nn

from traindoc.probes.integrations.lightning import TraindocCallback

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs8 import cnn, images, mlp, tabular  # noqa: E402


class Net(L.LightningModule):
    def __init__(self, net, lr=1e-3, opt="adam", loss="ce"):
        super().__init__()
        self.net, self.lr, self.opt, self.loss = net, lr, opt, loss

    def _loss(self, o, y):
        if self.loss == "nll_log":  # a hand-written NLL: log of the softmax computed by hand, unclamped
            p = torch.exp(o) / torch.exp(o).sum(1, keepdim=True)
            return -torch.log(p[torch.arange(len(y)), y]).mean()
        return nn.functional.cross_entropy(o, y)

    def training_step(self, b, i):
        x, y = b
        loss = self._loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, b, i):
        x, y = b
        o = self.net(x)
        self.log("val_loss", self._loss(o, y))
        self.log("val_acc", (o.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        if self.opt == "sgd":
            return torch.optim.SGD(self.parameters(), lr=self.lr)
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def fit(name, out, net, train, val, epochs=10, tb=False, **kw):
    L.seed_everything(0)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*train), batch_size=32, shuffle=True)
    vl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*val), batch_size=200)
    cb = TraindocCallback(logdir=os.path.join(out, name, "traindoc"), quiet=True)
    logger = (L.pytorch.loggers.TensorBoardLogger if tb else L.pytorch.loggers.CSVLogger)(os.path.join(out, name))
    tr = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=logger, callbacks=[cb], enable_checkpointing=False,
                   enable_progress_bar=False, log_every_n_steps=5, enable_model_summary=False)
    tr.fit(Net(net, **kw), dl, vl)
    with open(os.path.join(out, name, "live.txt"), "w") as f:
        for fd in cb.doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


RUNS = {
    "l8_cnn_healthy_tb": lambda o: fit("l8_cnn_healthy_tb", o, cnn(), images(800, 0), images(200, 1), tb=True),
    "l8_cnn_adam_lr1": lambda o: fit("l8_cnn_adam_lr1", o, cnn(), images(800, 0), images(200, 1), lr=1.0),
    "l8_shuffled": lambda o: fit("l8_shuffled", o, mlp(h=256, depth=2), (tabular(1000, 0)[0],
                                 tabular(1000, 0)[1][torch.randperm(1000, generator=torch.Generator().manual_seed(0))]),
                                 tabular(300, 1), epochs=30),
    "l8_nan_nll": lambda o: fit("l8_nan_nll", o, mlp(), tabular(1000, 0), tabular(300, 1), lr=0.05, loss="nll_log",
                                epochs=15),
    "l8_noisy_val_healthy": lambda o: fit("l8_noisy_val_healthy", o, mlp(), tabular(1000, 0), tabular(30, 1),
                                          opt="sgd", lr=0.05, epochs=15),
    "l8_late_start": lambda o: fit("l8_late_start", o, mlp(depth=4, h=32), tabular(1000, 0), tabular(300, 1),
                                   opt="sgd", lr=0.1, epochs=30),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
