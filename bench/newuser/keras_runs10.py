"""Round 10, Keras 3 (torch backend): the model.fit + callback + CSVLogger of keras_runs9.fit with
optimisers, initialisers, callbacks and layers not used in rounds 7-9 (Adamax, plain SGD 1e-5, a deep
sigmoid stack with a wide normal init, Nadam + ReduceLROnPlateau, EarlyStopping(restore_best_weights),
BatchNormalization + ExponentialDecay). NO_TRAINDOC=1: without the callback (the truth pass).
Usage: keras_runs10.py OUT [RUN ...]. OUT/NAME/{log.csv, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from keras_runs9 import L, _cancer, _wine, dense, digits, fit, split  # noqa: E402

RUNS = {
    # Adamax at 2.0 on wine
    "k10_adamax_lr_high": lambda o: fit("k10_adamax_lr_high", o, dense(h=64, out=3), keras.optimizers.Adamax(2.0),
                                        split(_wine.data, _wine.target, 130), epochs=20, bs=16),
    # plain SGD at 1e-5 on wine
    "k10_sgd_lr_low": lambda o: fit("k10_sgd_lr_low", o, dense(h=64, out=3), keras.optimizers.SGD(1e-5),
                                    split(_wine.data, _wine.target, 130), epochs=20, bs=16),
    # 80 rows of digits, a 2x512 ReLU net, Adam, 200 epochs
    "k10_overfit_digits_small": lambda o: fit("k10_overfit_digits_small", o, dense(h=512, depth=2),
                                              keras.optimizers.Adam(1e-3),
                                              split(_digits_x(), _digits_y(), 80), epochs=200, bs=16),
    # 5 sigmoid layers with kernel_initializer RandomNormal(stddev=3): the hidden sigmoids saturate
    "k10_sigmoid_wide_init": lambda o: fit("k10_sigmoid_wide_init", o,
                                           dense("sigmoid", h=64, depth=5,
                                                 kernel_initializer=keras.initializers.RandomNormal(stddev=3.0)),
                                           keras.optimizers.SGD(0.05), digits(), epochs=12),
    # healthy: Nadam + ReduceLROnPlateau(patience 2) on digits
    "k10_h_nadam_plateau": lambda o: fit("k10_h_nadam_plateau", o, dense(h=128), keras.optimizers.Nadam(1e-3),
                                         digits(), epochs=20,
                                         callbacks=[keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.3)]),
    # healthy: dropout + EarlyStopping(patience 3, restore_best_weights) on digits, at most 60 epochs
    "k10_h_earlystop_dropout": lambda o: fit(
        "k10_h_earlystop_dropout", o, [L.Dense(128, activation="relu"), L.Dropout(0.4), L.Dense(10, activation="softmax")],
        keras.optimizers.Adam(1e-3), digits(), epochs=60,
        callbacks=[keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)]),
    # healthy: binary breast-cancer with BatchNormalization and an ExponentialDecay schedule
    "k10_h_batchnorm_expdecay": lambda o: fit(
        "k10_h_batchnorm_expdecay", o, [L.Dense(32), L.BatchNormalization(), L.Activation("relu"),
                                        L.Dense(1, activation="sigmoid")],
        keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(3e-3, 100, 0.5)),
        split(_cancer.data, _cancer.target, 400), loss="binary_crossentropy", epochs=25),
}


def _digits_x():
    from sklearn.datasets import load_digits
    return load_digits().data / 16.0


def _digits_y():
    from sklearn.datasets import load_digits
    return load_digits().target


if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
