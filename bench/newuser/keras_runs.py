"""Keras 3 (torch backend) runs a new user would write: model.fit with traindoc's callback and a
CSVLogger, on generated digit-like data (Keras' TensorBoard callback needs tensorflow, absent here)."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

from traindoc.probes.integrations.keras import TraindocCallback

L = keras.layers


def protos(n, rng, d=64, classes=10):
    p = np.random.default_rng(5).normal(size=(classes, 20, d))
    y = rng.permutation(np.arange(n) % classes)
    k = rng.integers(0, 20, n)
    return (p[y, k] + 0.7 * rng.normal(size=(n, d))).astype("float32"), y


def fit(name, out, layers, loss, opt, epochs=15, onehot=False, scale=1.0, n=1200, metrics=("accuracy",)):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = protos(n, rng)
    xv, yv = protos(400, rng)
    x, xv = x * scale, xv * scale
    if onehot:
        y, yv = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yv, 10)
    m = keras.Sequential([keras.Input((64,)), *layers])
    m.compile(optimizer=opt, loss=loss, metrics=list(metrics))
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    cb = TraindocCallback(logdir=os.path.join(d, "traindoc"), quiet=True)
    m.fit(x, y, validation_data=(xv, yv), epochs=epochs, batch_size=64, verbose=0,
          callbacks=[cb, keras.callbacks.CSVLogger(os.path.join(d, "log.csv"))])
    with open(os.path.join(d, "live.txt"), "w") as f:
        for fd in cb.doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


RUNS = {
    "k_healthy": lambda o: fit("k_healthy", o, [L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                               "sparse_categorical_crossentropy", keras.optimizers.Adam(1e-3)),
    "k_softmax_mse": lambda o: fit("k_softmax_mse", o, [L.Dense(128, activation="relu"),
                                                        L.Dense(10, activation="softmax")],
                                   "mse", keras.optimizers.SGD(0.1), onehot=True),
    "k_lr_high": lambda o: fit("k_lr_high", o, [L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                               "sparse_categorical_crossentropy", keras.optimizers.SGD(5.0)),
    "k_overfit": lambda o: fit("k_overfit", o, [L.Dense(512, activation="relu"), L.Dense(512, activation="relu"),
                                                L.Dense(10, activation="softmax")],
                               "sparse_categorical_crossentropy", keras.optimizers.Adam(1e-3), epochs=40, n=100),
    "k_unnormalised": lambda o: fit("k_unnormalised", o, [L.Dense(128, activation="relu"),
                                                          L.Dense(10, activation="softmax")],
                                    "sparse_categorical_crossentropy", keras.optimizers.SGD(0.01), scale=300.0),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
