"""Round 13, Lightning: the LightningModule, callback and CSVLogger of lightning_runs11.fit11 with data,
optimisers, schedulers and bugs not used in rounds 7-12 (overfitting on 40 XOR rows, SGD with momentum 0.99,
RMSprop killing a deep narrow ReLU regression, healthy ExponentialLR on moons with a 24-row validation set,
healthy SGD Nesterov + MultiStepLR with dropout). NO_TRAINDOC=1: without the callback (the truth pass; the
dead-ReLU run then writes a by-hand count of silent units to OUT/NAME/check.txt).
Usage: lightning_runs13.py OUT [RUN ...]. OUT/NAME/{lightning_logs/, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from lightning_runs11 import _dead_share, fit11  # noqa: E402
from torch_runs9 import _t, blobs, friedman, mlp, xor_blobs  # noqa: E402


def moons2(n, seed, noise=0.2):
    """make_moons with integer labels (CrossEntropy over 2 classes)."""
    from sklearn.datasets import make_moons
    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _t(x), _t(y, torch.long)


def _exp(p):
    opt = torch.optim.Adam(p, 3e-3)
    return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)}


def _multistep(p):
    opt = torch.optim.SGD(p, 0.05, momentum=0.9, nesterov=True)
    return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.MultiStepLR(opt, [8, 12], 0.2)}


def l13_rmsprop_dead_relu(o):
    """5 ReLU layers of 32 on the Friedman regression (MSE); RMSprop lr 0.03."""
    net, val = mlp(10, 1, h=32, depth=5), friedman(300, 1)
    fit11("l13_rmsprop_dead_relu", o, net, friedman(1000, 0), val, lambda p: torch.optim.RMSprop(p, 0.03),
          epochs=12, loss="mse")
    _dead_share(o, "l13_rmsprop_dead_relu", net, val[0])


RUNS = {
    # 40 XOR rows (2 informative + 6 noise features); 3x256 MLP; Adam 3e-3; 200 epochs; batch 16
    "l13_overfit_xor_small": lambda o: fit11("l13_overfit_xor_small", o, mlp(8, 2, h=256, depth=3), xor_blobs(40, 0),
                                             xor_blobs(400, 1), lambda p: torch.optim.Adam(p, 3e-3), epochs=200,
                                             bs=16),
    # SGD lr 0.1 with momentum 0.99 (effective step 10) on the 6-class table
    "l13_sgd_momentum_099": lambda o: fit11("l13_sgd_momentum_099", o, mlp(16, 6, h=128), blobs(1500, 0),
                                            blobs(400, 1), lambda p: torch.optim.SGD(p, 0.1, momentum=0.99),
                                            epochs=10),
    "l13_rmsprop_dead_relu": l13_rmsprop_dead_relu,
    # healthy: moons (CrossEntropy, 2 classes), Adam 3e-3 with ExponentialLR(0.9), a 24-row validation set
    "l13_h_moons_explr_small_val": lambda o: fit11("l13_h_moons_explr_small_val", o, mlp(2, 2, h=64),
                                                   moons2(800, 0), moons2(24, 5), _exp, epochs=20),
    # healthy: SGD Nesterov momentum 0.9 lr 0.05 with MultiStepLR([8, 12], 0.2); dropout 0.3; 6-class table
    "l13_h_nesterov_multistep": lambda o: fit11("l13_h_nesterov_multistep", o, mlp(16, 6, h=128, dropout=0.3),
                                                blobs(1500, 0), blobs(400, 1), _multistep, epochs=15),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
