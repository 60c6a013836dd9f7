"""A console captured with traindoc's own live lines in it (`python train.py > log 2>&1`): the
lines "traindoc: error ... at step 2 (detected at step 6)" are not step counters. Written by a
real Keras `fit(verbose=2)` with the traindoc callback, stdout and stderr into one file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import traindoc

SCRIPT = textwrap.dedent("""
    import keras, numpy as np
    from traindoc.probes.integrations.keras import TraindocCallback
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1400, 64)).astype("float32")
    y = (x[:, :10].argmax(1)).astype("int64")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    # far too high a learning rate, so that traindoc prints live lines between the epochs
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1.0), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, validation_split=0.25, epochs=EPOCHS, batch_size=32, verbose=2, callbacks=[TraindocCallback()])
""")


def test_traindoc_lines_in_a_captured_keras_console_are_not_read_as_steps(tmp_path):
    pytest.importorskip("keras")
    epochs = 5
    log = tmp_path / "train.log"
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONUNBUFFERED="1")
    env.pop("COLUMNS", None)
    with open(log, "w") as fh:
        subprocess.run([sys.executable, "-c", SCRIPT.replace("EPOCHS", str(epochs))], stdout=fh,
                       stderr=subprocess.STDOUT, env=env, check=True, timeout=300, cwd=tmp_path)
    text = log.read_text()
    # the live lines are really there, between the epochs' lines
    assert "traindoc: " in text.split(f"Epoch {epochs}/{epochs}")[0], text
    (run,) = traindoc.load(log)
    for name in ("loss", "val_loss", "accuracy", "val_accuracy"):
        assert list(run.series[name].steps) == list(range(1, epochs + 1)), (name, run.series[name].steps)
