"""Round 11, Lightning: the LightningModule, callback and CSVLogger of lightning_runs9 with optimisers,
schedulers and callbacks not used in rounds 7-10 (RAdam far too high, Adam 0.05 killing a deep narrow ReLU
net, 60 rows for 150 epochs, ReduceLROnPlateau on a 40-row validation set, StochasticWeightAveraging).
configure_optimizers takes a user function. NO_TRAINDOC=1: without the callback (the truth pass; the dead-ReLU
run then writes a by-hand count of silent units to OUT/NAME/check.txt).
Usage: lightning_runs11.py OUT [RUN ...]. OUT/NAME/{lightning_logs/, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

import lightning as L
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from lightning_runs9 import Net  # noqa: E402
from torch_runs9 import PLAIN, blobs, mlp  # noqa: E402


class Net11(Net):
    def __init__(self, net, make_opt, **kw):
        super().__init__(net, **kw)
        self.make_opt = make_opt

    def configure_optimizers(self):
        return self.make_opt(self.parameters())


def fit11(name, out, net, train, val, make_opt, epochs=10, bs=32, callbacks=(), **kw):
    L.seed_everything(0)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*train), batch_size=bs, shuffle=True)
    vl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*val), batch_size=256)
    cbs = list(callbacks)
    if not PLAIN:
        from traindoc.probes.integrations.lightning import TraindocCallback
        cbs.append(TraindocCallback(logdir=os.path.join(out, name, "traindoc"), quiet=True))
    tr = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=L.pytorch.loggers.CSVLogger(os.path.join(out, name)),
                   callbacks=cbs, enable_checkpointing=False, enable_progress_bar=False, log_every_n_steps=5,
                   enable_model_summary=False)
    tr.fit(Net11(net, make_opt, **kw), dl, vl)
    if not PLAIN:
        with open(os.path.join(out, name, "live.txt"), "w") as f:
            for fd in cbs[-1].doc.findings:
                f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def _dead_share(out, name, net, x):
    """By hand (plain pass only): per ReLU layer, the share of units that never fire on the validation rows."""
    if not PLAIN:
        return
    h, shares = x, []
    with torch.no_grad():
        for l in net:
            h = l(h)
            if isinstance(l, nn.ReLU):
                shares.append(f"{100 * float((h.amax(0) <= 0).float().mean()):.0f}%")
    with open(os.path.join(out, name, "check.txt"), "w") as f:
        f.write(f"after training, ReLU units never firing on the validation rows, per layer: {shares}\n")


def l11_dead_relu_deep_adam(o):
    net, val = mlp(16, 6, h=24, depth=6), blobs(400, 1)
    fit11("l11_dead_relu_deep_adam", o, net, blobs(1500, 0), val, lambda p: torch.optim.Adam(p, 0.05), epochs=12)
    _dead_share(o, "l11_dead_relu_deep_adam", net, val[0])


def _plateau(p):
    opt = torch.optim.Adam(p, 3e-3)
    return {"optimizer": opt, "lr_scheduler": {"scheduler": torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2),
                                               "monitor": "val_loss"}}


RUNS = {
    # RAdam at 2.0 on the 6-class table
    "l11_radam_lr_high": lambda o: fit11("l11_radam_lr_high", o, mlp(16, 6, h=128), blobs(1500, 0), blobs(400, 1),
                                         lambda p: torch.optim.RAdam(p, 2.0), epochs=10),
    # six ReLU layers of 24 units, Adam at 0.05
    "l11_dead_relu_deep_adam": l11_dead_relu_deep_adam,
    # 60 rows of the 6-class table, 3x256 net, Adam 2e-3, 150 epochs
    "l11_overfit_blobs_small": lambda o: fit11("l11_overfit_blobs_small", o, mlp(16, 6, h=256, depth=3),
                                               blobs(60, 0), blobs(400, 1), lambda p: torch.optim.Adam(p, 2e-3),
                                               epochs=150, bs=16),
    # healthy: Adam 3e-3 + ReduceLROnPlateau(val_loss, patience 2) judged on a 40-row validation set
    "l11_h_plateau_small_val": lambda o: fit11("l11_h_plateau_small_val", o, mlp(16, 6, h=128), blobs(1500, 0),
                                               tuple(t[:40] for t in blobs(400, 1)), _plateau, epochs=20),
    # healthy: plain SGD 0.1 with StochasticWeightAveraging(swa_lrs=0.05) from epoch 12 of 16
    "l11_h_swa": lambda o: fit11("l11_h_swa", o, mlp(16, 6, h=128), blobs(1500, 0), blobs(400, 1),
                                 lambda p: torch.optim.SGD(p, 0.1), epochs=16,
                                 callbacks=[L.pytorch.callbacks.StochasticWeightAveraging(swa_lrs=0.05,
                                                                                          swa_epoch_start=12)]),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
