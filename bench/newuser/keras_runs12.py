"""Round 12, Keras 3 (torch backend): the model.fit + callback + CSVLogger of keras_runs9.fit with optimisers
and schedules not used in rounds 7-11 (SGD momentum with CosineDecay's warm-up to 2.0, Adagrad 1e-4 on
digits) and healthy GaussianNoise + dropout on digits and EarlyStopping on a 25-row breast-cancer validation
set. NO_TRAINDOC=1: without the callback (the truth pass). Usage: keras_runs12.py OUT [RUN ...].
OUT/NAME/{log.csv, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from keras_runs9 import _cancer, dense, digits, fit, split  # noqa: E402

L = keras.layers

RUNS = {
    # SGD momentum 0.9 with CosineDecay warming up from 0 to 2.0 over 100 steps on digits
    "k12_sgd_cosine_warmup_high": lambda o: fit(
        "k12_sgd_cosine_warmup_high", o, dense(h=128),
        keras.optimizers.SGD(keras.optimizers.schedules.CosineDecay(0.0, 500, warmup_target=2.0, warmup_steps=100),
                             momentum=0.9), digits(), epochs=12),
    # Adagrad at 1e-4 on digits
    "k12_adagrad_lr_low": lambda o: fit("k12_adagrad_lr_low", o, dense(h=128), keras.optimizers.Adagrad(1e-4),
                                        digits(), epochs=12),
    # healthy: GaussianNoise(0.2) + Dropout(0.3) on digits, Adam 1e-3 (train loss above val)
    "k12_h_noise_dropout_digits": lambda o: fit(
        "k12_h_noise_dropout_digits", o, [L.GaussianNoise(0.2), L.Dense(128, activation="relu"), L.Dropout(0.3),
                                          L.Dense(10, activation="softmax")], keras.optimizers.Adam(1e-3), digits(),
        epochs=15),
    # healthy: binary breast-cancer, SGD momentum 0.9 lr 0.01, EarlyStopping(patience 4, restore_best_weights),
    # a 25-row validation set
    "k12_h_earlystop_cancer_small_val": lambda o: fit(
        "k12_h_earlystop_cancer_small_val", o, dense(h=32, out=1, out_act="sigmoid"),
        keras.optimizers.SGD(0.01, momentum=0.9), split(_cancer.data, _cancer.target, 400, 25),
        loss="binary_crossentropy", epochs=60,
        callbacks=[keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)]),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
