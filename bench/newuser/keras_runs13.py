"""Round 13, Keras 3 (torch backend): the model.fit + callback + CSVLogger of keras_runs9.fit with schedules,
optimiser settings and models not used in rounds 7-12 (a LearningRateScheduler typo that multiplies the rate
by 20 at epoch 9, SGD with clipvalue 1e-5, a healthy CNN with RandomTranslation augmentation on digits, healthy
Adam with CosineDecayRestarts on wine). NO_TRAINDOC=1: without the callback (the truth pass).
Usage: keras_runs13.py OUT [RUN ...]. OUT/NAME/{log.csv, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from keras_runs9 import _wine, dense, digits, fit, split  # noqa: E402

L = keras.layers

RUNS = {
    # SGD momentum 0.9 lr 0.05 on digits; the user's LearningRateScheduler meant lr / 20 at epoch 9 and wrote
    # lr * 20 (1.0 from epoch 9 on)
    "k13_lr_schedule_typo": lambda o: fit(
        "k13_lr_schedule_typo", o, dense(h=128), keras.optimizers.SGD(0.05, momentum=0.9), digits(), epochs=16,
        callbacks=[keras.callbacks.LearningRateScheduler(lambda ep, lr: lr * 20 if ep == 8 else lr)]),
    # SGD momentum 0.9 lr 0.05 with clipvalue=1e-5 (meant clipnorm=1.0): every gradient element capped at 1e-5
    "k13_sgd_clipvalue_tiny": lambda o: fit("k13_sgd_clipvalue_tiny", o, dense(h=128),
                                            keras.optimizers.SGD(0.05, momentum=0.9, clipvalue=1e-5), digits(),
                                            epochs=12),
    # healthy: a small CNN on the 8x8 digits with RandomTranslation(0.125) augmentation; Adam 1e-3
    "k13_h_cnn_translate_digits": lambda o: fit(
        "k13_h_cnn_translate_digits", o,
        [L.Reshape((8, 8, 1)), L.RandomTranslation(0.125, 0.125, fill_mode="constant"),
         L.Conv2D(16, 3, padding="same", activation="relu"), L.MaxPooling2D(), L.Flatten(),
         L.Dense(10, activation="softmax")], keras.optimizers.Adam(1e-3), digits(), epochs=12),
    # healthy: wine (140 train rows, 38 validation), Adam with CosineDecayRestarts(3e-3, first cycle 45 steps)
    "k13_h_adam_restarts_wine": lambda o: fit(
        "k13_h_adam_restarts_wine", o, dense(h=32, out=3),
        keras.optimizers.Adam(keras.optimizers.schedules.CosineDecayRestarts(3e-3, 45)),
        split(_wine.data, _wine.target, 140), epochs=40),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
