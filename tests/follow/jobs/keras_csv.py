"""A tiny Keras 3 regression logged with CSVLogger; from epoch 8 the learning rate is 10^4x and the
loss becomes NaN. Writes proof.json once CSVLogger has written a NaN row."""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

out = Path(sys.argv[1])
(out / "keras").mkdir(parents=True, exist_ok=True)
log = out / "keras" / "training.csv"
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(256, 8)).astype("float32")
y = x.sum(1, keepdims=True)
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")


class Schedule(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 8:
            self.model.optimizer.learning_rate.assign(500.0)


class Proof(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.2)
        if not (out / "proof.json").exists() and "nan" in log.read_text():
            (out / "proof.json").write_text(json.dumps({"time": time.time(), "step": epoch}))


model.fit(x, y, epochs=20, batch_size=32, verbose=0,
          callbacks=[Schedule(), keras.callbacks.CSVLogger(str(log)), Proof()])
