"""Healthy runs a new user would write, with the extras that trip tools up: schedules, warm-up,
dropout (validation below training), early stopping, a regression, a binary task, a TensorBoard
logger. Each must stay clean, live and after the fact."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import traindoc  # noqa: E402
from torch_runs import data, train  # noqa: E402


def h_torch_cosine_dropout(out):
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
    opt = torch.optim.AdamW(m.parameters(), lr=2e-3, weight_decay=0.01)
    steps = 15 * 19
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.2)
    train("h_torch_cosine_dropout", out, m, opt, nn.CrossEntropyLoss(), *data(), epochs=15, sched=sched)


def h_torch_binary(out):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1400, 12, generator=g)
    y = ((x[:, :3].sum(1) + 0.5 * torch.randn(1400, generator=g)) > 0).long()
    m = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    logdir = os.path.join(out, "h_torch_binary")
    with traindoc.watch(m, opt, loss_fn=loss_fn, logdir=logdir, quiet=True) as doc:
        for _ in range(12):
            for i in range(0, 1200, 50):
                opt.zero_grad()
                loss = loss_fn(m(x[i:i + 50]).squeeze(1), y[i:i + 50].float())
                loss.backward()
                opt.step()
                doc.step(loss, inputs=x[i:i + 50], targets=y[i:i + 50].float())
            with torch.no_grad():
                o = m(x[1200:]).squeeze(1)
                doc.log(val_loss=float(loss_fn(o, y[1200:].float())), val_acc=float(((o > 0).long() == y[1200:]).float().mean()))
    _live(doc, logdir)


def _live(doc, logdir):
    with open(os.path.join(logdir, "live.txt"), "w") as f:
        for fd in doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def h_lightning_tb_steplr(out):
    import lightning as L
    from lightning.pytorch.loggers import TensorBoardLogger

    from lightning_runs import Net
    from traindoc.probes.integrations.lightning import TraindocCallback

    class Sched(Net):
        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=0.05, momentum=0.9)
            return [opt], [torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.3)]

    L.seed_everything(0)
    xtr, ytr, xva, yva = data()
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=64, shuffle=True)
    vl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xva, yva), batch_size=200)
    d = os.path.join(out, "h_lightning_tb_steplr")
    cb = TraindocCallback(logdir=os.path.join(d, "traindoc"), quiet=True)
    lr_cb = L.pytorch.callbacks.LearningRateMonitor()
    tr = L.Trainer(max_epochs=15, accelerator="cpu", logger=TensorBoardLogger(d), callbacks=[cb, lr_cb],
                   enable_checkpointing=False, enable_progress_bar=False, log_every_n_steps=5,
                   enable_model_summary=False)
    tr.fit(Sched(), dl, vl)
    _live(cb.doc, d)


def h_keras_regression_earlystop(out):
    import keras
    import numpy as np

    from traindoc.probes.integrations.keras import TraindocCallback

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1500, 8)).astype("float32")
    y = (np.sin(x[:, 0]) + 0.5 * x[:, 1] ** 2 + 0.1 * rng.normal(size=1500)).astype("float32")
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
    d = os.path.join(out, "h_keras_regression_earlystop")
    os.makedirs(d, exist_ok=True)
    cb = TraindocCallback(logdir=os.path.join(d, "traindoc"), quiet=True)
    m.fit(x, y, validation_split=0.2, epochs=60, batch_size=32, verbose=0,
          callbacks=[cb, keras.callbacks.CSVLogger(os.path.join(d, "log.csv")),
                     keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True),
                     keras.callbacks.ReduceLROnPlateau(patience=3, factor=0.3)])
    _live(cb.doc, d)


RUNS = {f.__name__: f for f in (h_torch_cosine_dropout, h_torch_binary, h_lightning_tb_steplr,
                                h_keras_regression_earlystop)}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
