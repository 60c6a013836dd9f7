"""Round 10, Lightning: the LightningModule, callback and CSVLogger of lightning_runs9.fit with data,
optimisers and stops not used in rounds 7-9 (plain SGD far too high / far too low, a GRU overfitting
60 sequences, SGD + cosine, EarlyStopping on a regression). NO_TRAINDOC=1: without the callback (the
truth pass). Usage: lightning_runs10.py OUT [RUN ...]. OUT/NAME/{lightning_logs/, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

import lightning as L

sys.path.insert(0, os.path.dirname(__file__))
from lightning_runs9 import GRUNet, fit, sequences  # noqa: E402
from torch_runs9 import blobs, friedman, mlp  # noqa: E402

RUNS = {
    # plain SGD at 5.0 with a cosine schedule (T_max 20) on the 6-class table
    "l10_sgd_lr_high_cosine": lambda o: fit("l10_sgd_lr_high_cosine", o, mlp(16, 6, h=128), blobs(1500, 0),
                                            blobs(400, 1), opt="sgd", lr=5.0, sched="cosine", epochs=12),
    # plain SGD at 1e-4 on a regression: the MSE hardly moves
    "l10_sgd_lr_low_reg": lambda o: fit("l10_sgd_lr_low_reg", o, mlp(10, 1, h=64), friedman(1000, 0),
                                        friedman(300, 1), opt="sgd", lr=1e-4, loss="mse", epochs=12),
    # a GRU on 60 training sequences for 120 epochs, Adam 3e-3
    "l10_overfit_gru_small": lambda o: fit("l10_overfit_gru_small", o, GRUNet(), sequences(60, 3), sequences(300, 1),
                                           lr=3e-3, epochs=120, bs=16),
    # healthy: SGD 0.1 with CosineAnnealingLR(20) on the 6-class table
    "l10_h_sgd_cosine": lambda o: fit("l10_h_sgd_cosine", o, mlp(16, 6, h=128), blobs(1500, 0), blobs(400, 1),
                                      opt="sgd", lr=0.1, sched="cosine", epochs=20),
    # healthy: regression, Adam 1e-3, EarlyStopping(val_loss, patience 4), at most 60 epochs
    "l10_h_earlystop_reg": lambda o: fit("l10_h_earlystop_reg", o, mlp(10, 1, h=64), friedman(1000, 0),
                                         friedman(300, 1), loss="mse", lr=1e-3, epochs=60,
                                         callbacks=[L.pytorch.callbacks.EarlyStopping("val_loss", patience=4)]),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
