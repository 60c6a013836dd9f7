"""Round 12, Lightning: the LightningModule, callback and CSVLogger of lightning_runs11.fit11 with optimisers,
schedulers and callbacks not used in rounds 7-11 (Adagrad far too high on a regression, SGD momentum behind a
per-step warm-up to 2.0, EarlyStopping on val_acc, CosineAnnealingWarmRestarts on a regression).
NO_TRAINDOC=1: without the callback (the truth pass).
Usage: lightning_runs12.py OUT [RUN ...]. OUT/NAME/{lightning_logs/, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

import lightning as L
import torch

sys.path.insert(0, os.path.dirname(__file__))
from lightning_runs11 import fit11  # noqa: E402
from torch_runs9 import blobs, friedman, mlp  # noqa: E402


def _warmup_sgd(p):
    opt = torch.optim.SGD(p, 2.0, momentum=0.9)
    s = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 50))
    return {"optimizer": opt, "lr_scheduler": {"scheduler": s, "interval": "step"}}


def _restarts(p):
    opt = torch.optim.Adam(p, 3e-3)
    return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 5)}


RUNS = {
    # Adagrad at 5.0 on the Friedman regression (MSE)
    "l12_adagrad_lr_high_reg": lambda o: fit11("l12_adagrad_lr_high_reg", o, mlp(10, 1, h=64), friedman(1000, 0),
                                               friedman(300, 1), lambda p: torch.optim.Adagrad(p, 5.0), epochs=12,
                                               loss="mse"),
    # SGD momentum 0.9 at 2.0 behind a 50-step linear warm-up (LambdaLR per step) on the 6-class table
    "l12_sgd_warmup_to_high": lambda o: fit11("l12_sgd_warmup_to_high", o, mlp(16, 6, h=128), blobs(1500, 0),
                                              blobs(400, 1), _warmup_sgd, epochs=10),
    # healthy: Adam 1e-3 + EarlyStopping(monitor="val_acc", mode="max", patience 3), 40 epochs max
    "l12_h_earlystop_val_acc": lambda o: fit11(
        "l12_h_earlystop_val_acc", o, mlp(16, 6, h=128, dropout=0.2), blobs(1500, 0), blobs(400, 1),
        lambda p: torch.optim.Adam(p, 1e-3), epochs=40,
        callbacks=[L.pytorch.callbacks.EarlyStopping(monitor="val_acc", mode="max", patience=3)]),
    # healthy regression: Adam 3e-3 with CosineAnnealingWarmRestarts(T_0=5) per epoch
    "l12_h_restarts_reg": lambda o: fit11("l12_h_restarts_reg", o, mlp(10, 1, h=64), friedman(1000, 0),
                                          friedman(300, 1), _restarts, epochs=15, loss="mse"),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
