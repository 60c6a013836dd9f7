"""Round 8, Keras 3 (torch backend): model.fit with traindoc's callback and a CSVLogger, on sklearn
digits (8x8 images, 10 classes, no download) or generated data. OUT/NAME/{log.csv, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np
from sklearn.datasets import load_digits

from traindoc.probes.integrations.keras import TraindocCallback

L = keras.layers


def digits(shuffle_labels=False, scale=1 / 16.0, n_train=1400):
    d = load_digits()
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(d.target))
    x, y = (d.data[idx] * scale).astype("float32"), d.target[idx]
    xtr, ytr, xva, yva = x[:n_train], y[:n_train].copy(), x[1400:], y[1400:]
    if shuffle_labels:
        ytr = rng.permutation(ytr)
    return xtr, ytr, xva, yva


def fit(name, out, layers, opt, loss="sparse_categorical_crossentropy", epochs=15, data=None, bs=32, **kw):
    keras.utils.set_random_seed(0)
    xtr, ytr, xva, yva = data or digits()
    m = keras.Sequential([keras.Input(xtr.shape[1:]), *layers])
    m.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    cb = TraindocCallback(logdir=os.path.join(d, "traindoc"), quiet=True)
    m.fit(xtr, ytr, validation_data=(xva, yva), epochs=epochs, batch_size=bs, verbose=0,
          callbacks=[cb, keras.callbacks.CSVLogger(os.path.join(d, "log.csv"))], **kw)
    with open(os.path.join(d, "live.txt"), "w") as f:
        for fd in cb.doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def dense(act="relu", h=64, depth=1, **kw):
    return [L.Dense(h, activation=act, **kw) for _ in range(depth)] + [L.Dense(10, activation="softmax")]


def cnn():
    return [L.Reshape((8, 8, 1)), L.Conv2D(16, 3, activation="relu", padding="same"), L.MaxPooling2D(),
            L.Conv2D(32, 3, activation="relu", padding="same"), L.Flatten(), L.Dense(10, activation="softmax")]


def log_negative_loss(y_true, y_pred):
    """A hand-written cross-entropy on a linear output: log of a negative once an output dips below 0."""
    import keras.ops as K
    oh = K.one_hot(K.cast(K.reshape(y_true, (-1,)), "int32"), 10)
    return -K.mean(K.sum(oh * K.log(y_pred / K.sum(y_pred, axis=1, keepdims=True)), axis=1))


RUNS = {
    "k8_cnn_healthy": lambda o: fit("k8_cnn_healthy", o, cnn(), keras.optimizers.Adam(1e-3), epochs=10),
    "k8_cnn_adam_lr1": lambda o: fit("k8_cnn_adam_lr1", o, cnn(), keras.optimizers.Adam(1.0), epochs=10),
    "k8_mlp_sgd_lr10": lambda o: fit("k8_mlp_sgd_lr10", o, dense(), keras.optimizers.SGD(10.0), epochs=10),
    "k8_lr_low": lambda o: fit("k8_lr_low", o, dense(), keras.optimizers.SGD(1e-5), epochs=10),
    "k8_dead_relu": lambda o: fit("k8_dead_relu", o, dense(depth=3, bias_initializer=keras.initializers.Constant(-10.0)),
                                  keras.optimizers.Adam(1e-3), epochs=10),
    "k8_sigmoid_saturated": lambda o: fit("k8_sigmoid_saturated", o,
                                          dense("sigmoid", depth=3,
                                                kernel_initializer=keras.initializers.RandomNormal(stddev=4.0)),
                                          keras.optimizers.SGD(0.05), epochs=10),
    "k8_overfit": lambda o: fit("k8_overfit", o, dense(h=512, depth=2), keras.optimizers.Adam(1e-3), epochs=60,
                                data=digits(n_train=50)),
    "k8_shuffled": lambda o: fit("k8_shuffled", o, dense(h=256, depth=2), keras.optimizers.Adam(1e-3), epochs=30,
                                 data=digits(shuffle_labels=True)),
    "k8_unnormalised": lambda o: fit("k8_unnormalised", o, dense(), keras.optimizers.SGD(0.01), epochs=10,
                                     data=digits(scale=16.0)),
    "k8_nan_log_negative": lambda o: fit("k8_nan_log_negative", o, dense()[:-1] + [L.Dense(10)],
                                         keras.optimizers.SGD(0.05), loss=log_negative_loss, epochs=10),
    "k8_noisy_val_healthy": lambda o: fit("k8_noisy_val_healthy", o, dense(), keras.optimizers.Adam(1e-3),
                                          epochs=20, data=digits()[:2] + (digits()[2][:40], digits()[3][:40])),
}


def _earlystop(o):
    keras.utils.set_random_seed(0)
    xtr, ytr, xva, yva = digits()
    m = keras.Sequential([keras.Input((64,)), L.Dense(128, activation="relu"), L.Dropout(0.3),
                          L.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    d = os.path.join(o, "k8_earlystop_healthy")
    os.makedirs(d, exist_ok=True)
    cb = TraindocCallback(logdir=os.path.join(d, "traindoc"), quiet=True)
    m.fit(xtr, ytr, validation_data=(xva, yva), epochs=60, batch_size=32, verbose=0,
          callbacks=[cb, keras.callbacks.CSVLogger(os.path.join(d, "log.csv")),
                     keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True),
                     keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.5)])
    with open(os.path.join(d, "live.txt"), "w") as f:
        for fd in cb.doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


RUNS["k8_earlystop_healthy"] = _earlystop

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
