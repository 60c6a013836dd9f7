"""Round 9, Lightning: a LightningModule with traindoc's callback and a CSVLogger (as the README
shows), schedulers returned from configure_optimizers, Lightning's own EarlyStopping and gradient
accumulation. Data from torch_runs9 (sklearn) and a generated sequence task for a GRU.
NO_TRAINDOC=1: the same runs without the callback (the truth pass). OUT/NAME/{lightning_logs/, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

import lightning as L
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_runs8 import images  # noqa: E402
from torch_runs9 import PLAIN, blobs, friedman, mlp  # noqa: E402


def sequences(n, seed):
    """Sequences of 20 numbers; class 1 when the first 5 sum above the last 5."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 20, 1, generator=g)
    return x, (x[:, :5, 0].sum(1) > x[:, -5:, 0].sum(1)).long()


class GRUNet(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.gru, self.fc = nn.GRU(1, 32, batch_first=True), nn.Linear(32, 2)

    def forward(self, x):
        return self.fc(self.gru(x)[0][:, -1])


class Net(L.LightningModule):
    def __init__(self, net, lr=1e-3, opt="adam", loss="ce", sched=None, steps=None):
        super().__init__()
        self.net, self.lr, self.opt, self.loss, self.sched, self.steps = net, lr, opt, loss, sched, steps

    def _loss(self, o, y):
        if self.loss == "gauss_nll":  # hand-written heteroscedastic regression: mean and log-variance
            mu, logvar = o[:, :1], o[:, 1:]
            return (0.5 * (logvar + (y - mu) ** 2 / torch.exp(logvar))).mean()
        if self.loss == "mse":
            return nn.functional.mse_loss(o, y)
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
        if self.loss == "ce":
            self.log("val_acc", (o.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}[self.opt](
            self.parameters(), lr=self.lr)
        if self.sched == "warmup":  # linear warm-up over the first 60 steps, then constant
            s = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 60))
            return {"optimizer": opt, "lr_scheduler": {"scheduler": s, "interval": "step"}}
        if self.sched == "cosine":
            return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.CosineAnnealingLR(opt, 20)}
        if self.sched == "onecycle":
            s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.lr, total_steps=self.steps)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": s, "interval": "step"}}
        return opt


def fit(name, out, net, train, val, epochs=10, bs=32, callbacks=(), trainer_kw=None, **kw):
    L.seed_everything(0)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*train), batch_size=bs, shuffle=True)
    vl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*val), batch_size=256)
    cbs = list(callbacks)
    if not PLAIN:
        from traindoc.probes.integrations.lightning import TraindocCallback
        cbs.append(TraindocCallback(logdir=os.path.join(out, name, "traindoc"), quiet=True))
    tr = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=L.pytorch.loggers.CSVLogger(os.path.join(out, name)),
                   callbacks=cbs, enable_checkpointing=False, enable_progress_bar=False, log_every_n_steps=5,
                   enable_model_summary=False, **(trainer_kw or {}))
    tr.fit(Net(net, **kw), dl, vl)
    if not PLAIN:
        with open(os.path.join(out, name, "live.txt"), "w") as f:
            for fd in cbs[-1].doc.findings:
                f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 4))


RUNS = {
    # AdamW at 0.5 (an SGD-sized rate) behind a 60-step linear warm-up
    "l9_warmup_lr_high": lambda o: fit("l9_warmup_lr_high", o, mlp(16, 6, h=128), blobs(1500, 0), blobs(400, 1),
                                       opt="adamw", lr=0.5, sched="warmup", epochs=10),
    # Adam at 1e-6 with a cosine schedule: the loss hardly moves from ln 6
    "l9_adam_lr_low_cosine": lambda o: fit("l9_adam_lr_low_cosine", o, mlp(16, 6, h=128), blobs(1500, 0),
                                           blobs(400, 1), lr=1e-6, sched="cosine", epochs=12),
    # hand-written Gaussian NLL (mean + log-variance head) on noise-free Friedman #1: the loss goes
    # negative as the predicted variance shrinks; built to reach NaN late, it did not (the truth pass
    # showed a learning run with 4 one-epoch validation spikes that recover), so it is kept as that
    "l9_gauss_nll_spikes": lambda o: fit("l9_gauss_nll_spikes", o, mlp(10, 2, h=64), friedman(1000, 0, noise=0.0),
                                       friedman(300, 1, noise=0.0), loss="gauss_nll", lr=3e-3, epochs=40),
    "l9_h_earlystop_gru": lambda o: fit("l9_h_earlystop_gru", o, GRUNet(), sequences(1500, 0), sequences(300, 1),
                                        lr=3e-3, epochs=40,
                                        callbacks=[L.pytorch.callbacks.EarlyStopping("val_loss", patience=3)]),
    "l9_h_accum_onecycle": lambda o: fit("l9_h_accum_onecycle", o, _cnn(), images(1200, 0), images(300, 1), bs=16,
                                         lr=3e-3, sched="onecycle", steps=8 * 19 + 5, epochs=8,
                                         trainer_kw={"accumulate_grad_batches": 4}),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
