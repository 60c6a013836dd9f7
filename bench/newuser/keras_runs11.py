"""Round 11, Keras 3 (torch backend): the model.fit + callback + CSVLogger of keras_runs9.fit with
optimisers and schedules not used in rounds 7-10 (RMSprop behind a PolynomialDecay from 0.5, Adam 1e-6 on a
binary task, Lion, AdamW with CosineDecay's own warm-up) and a 30-row wine set trained 300 epochs.
NO_TRAINDOC=1: without the callback (the truth pass). Usage: keras_runs11.py OUT [RUN ...].
OUT/NAME/{log.csv, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from keras_runs9 import _cancer, _wine, dense, digits, fit, split  # noqa: E402

RUNS = {
    # RMSprop with PolynomialDecay(0.5 -> 1e-3 over 500 steps) on digits
    "k11_rmsprop_polydecay_high": lambda o: fit(
        "k11_rmsprop_polydecay_high", o, dense(h=128),
        keras.optimizers.RMSprop(keras.optimizers.schedules.PolynomialDecay(0.5, 500, 1e-3)), digits(), epochs=12),
    # Adam at 1e-6 on binary breast-cancer (sigmoid output)
    "k11_adam_lr_low_binary": lambda o: fit(
        "k11_adam_lr_low_binary", o, dense(h=64, out=1, out_act="sigmoid"), keras.optimizers.Adam(1e-6),
        split(_cancer.data, _cancer.target, 400), loss="binary_crossentropy", epochs=15),
    # 30 rows of wine, 2x256 ReLU, Adam 1e-3, 300 epochs, batch 8
    "k11_overfit_wine_tiny": lambda o: fit(
        "k11_overfit_wine_tiny", o, dense(h=256, depth=2, out=3), keras.optimizers.Adam(1e-3),
        split(_wine.data, _wine.target, 30), epochs=300, bs=8),
    # healthy: Lion 1e-4 on digits
    "k11_h_lion_digits": lambda o: fit("k11_h_lion_digits", o, dense(h=128), keras.optimizers.Lion(1e-4), digits(),
                                       epochs=15),
    # healthy: AdamW with CosineDecay(0 -> 3e-3 warm-up over 40 steps, then decay over 200) on wine, 48-row validation
    "k11_h_adamw_cosine_warmup": lambda o: fit(
        "k11_h_adamw_cosine_warmup", o, dense(h=64, out=3),
        keras.optimizers.AdamW(keras.optimizers.schedules.CosineDecay(0.0, 200, warmup_target=3e-3, warmup_steps=40)),
        split(_wine.data, _wine.target, 130), epochs=30, bs=16),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
