"""Round 9, Keras 3 (torch backend): model.fit with traindoc's callback and a CSVLogger, on sklearn's
bundled digits, breast-cancer and wine sets (no download). Optimisers and schedules not tried in
rounds 7-8 (Nesterov momentum, RMSprop, CosineDecay, CosineDecayRestarts), binary outputs,
GaussianNoise augmentation. NO_TRAINDOC=1: without the callback (the truth pass).
OUT/NAME/{log.csv, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine

PLAIN = os.environ.get("NO_TRAINDOC") == "1"
L = keras.layers


def split(x, y, n_train, n_val=None, seed=0, standardise=True):
    idx = np.random.default_rng(seed).permutation(len(y))
    x, y = x[idx].astype("float32"), y[idx]
    if standardise:
        mu, sd = x[:n_train].mean(0), x[:n_train].std(0) + 1e-6
        x = (x - mu) / sd
    va = slice(n_train, None if n_val is None else n_train + n_val)
    return x[:n_train], y[:n_train], x[va], y[va]


def digits(**kw):
    d = load_digits()
    return split(d.data / 16.0, d.target, 1400, standardise=False, **kw)


def fit(name, out, layers, opt, data, loss="sparse_categorical_crossentropy", epochs=15, bs=32, callbacks=()):
    keras.utils.set_random_seed(0)
    xtr, ytr, xva, yva = data
    m = keras.Sequential([keras.Input(xtr.shape[1:]), *layers])
    m.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    cbs = [keras.callbacks.CSVLogger(os.path.join(d, "log.csv")), *callbacks]
    if not PLAIN:
        from traindoc.probes.integrations.keras import TraindocCallback
        cbs.insert(0, TraindocCallback(logdir=os.path.join(d, "traindoc"), quiet=True))
    m.fit(xtr, ytr, validation_data=(xva, yva), epochs=epochs, batch_size=bs, verbose=0, callbacks=cbs)
    if not PLAIN:
        with open(os.path.join(d, "live.txt"), "w") as f:
            for fd in cbs[0].doc.findings:
                f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def dense(act="relu", h=64, depth=1, out=10, out_act="softmax", **kw):
    return [L.Dense(h, activation=act, **kw) for _ in range(depth)] + [L.Dense(out, activation=out_act)]


_cancer = load_breast_cancer()
_wine = load_wine()

RUNS = {
    # SGD lr 1.0 with Nesterov momentum 0.99 on the digits MLP
    "k9_nesterov_lr_high": lambda o: fit("k9_nesterov_lr_high", o, dense(),
                                         keras.optimizers.SGD(1.0, momentum=0.99, nesterov=True), digits(), epochs=10),
    # RMSprop at 1e-6 on the digits MLP
    "k9_rmsprop_lr_low": lambda o: fit("k9_rmsprop_lr_low", o, dense(), keras.optimizers.RMSprop(1e-6), digits(),
                                       epochs=10),
    # a deep tanh stack fed the digits as 0-255 pixel values, never scaled: the first tanh layer saturates
    "k9_tanh_raw_pixels": lambda o: fit("k9_tanh_raw_pixels", o, dense("tanh", h=64, depth=4),
                                        keras.optimizers.SGD(0.01), split(load_digits().data * 16,
                                                                          load_digits().target, 1400,
                                                                          standardise=False), epochs=12),
    # binary, 40 training rows of breast-cancer, 2x256 sigmoid-output net, 150 epochs
    "k9_overfit_binary": lambda o: fit("k9_overfit_binary", o, dense(h=256, depth=2, out=1, out_act="sigmoid"),
                                       keras.optimizers.Adam(1e-3), split(_cancer.data, _cancer.target, 40),
                                       loss="binary_crossentropy", epochs=150, bs=8),
    # healthy: binary breast-cancer, GaussianNoise augmentation, CosineDecay schedule
    "k9_h_binary_noise_cosine": lambda o: fit(
        "k9_h_binary_noise_cosine", o, [L.GaussianNoise(0.3)] + dense(h=32, out=1, out_act="sigmoid"),
        keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, 30 * 13)),
        split(_cancer.data, _cancer.target, 400), loss="binary_crossentropy", epochs=30),
    # healthy: wine (178 rows), 20-row validation set: a noisy validation curve
    "k9_h_wine_small_val": lambda o: fit("k9_h_wine_small_val", o, dense(h=32, out=3),
                                         keras.optimizers.Adam(3e-3), split(_wine.data, _wine.target, 150, 20),
                                         epochs=20, bs=16),
    # healthy: digits with CosineDecayRestarts (first cycle 5 epochs)
    "k9_h_digits_restarts": lambda o: fit("k9_h_digits_restarts", o, dense(h=128),
                                          keras.optimizers.SGD(keras.optimizers.schedules.CosineDecayRestarts(
                                              0.1, 5 * 44), momentum=0.9), digits(), epochs=15),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
