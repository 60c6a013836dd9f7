"""A history saved as Python's printed dict (``str(history.history)``, bare or inside a JSON string): read by
a literal parser that evaluates nothing; anything that is not a plain literal is refused in one line."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import load
from traindoc.readers._pyliteral import MAX_DEPTH, parse


def _keras_history(epochs: int = 4) -> dict:
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, validation_split=0.25, epochs=epochs, verbose=0).history


def test_str_of_a_real_keras_history_in_a_json_string_is_read(tmp_path):
    history = _keras_history()
    path = tmp_path / "model_history.json"
    path.write_text(json.dumps(str(history)))
    run = load(path).runs[0]
    assert run.format == "keras_history"
    assert len(run.series["loss"]) == 4 and len(run.series["val_accuracy"]) == 4
    assert run.series["loss"].values[0] == pytest.approx(float(history["loss"][0]))
    assert any("Python's printed dict" in n for n in run.meta.notes)


def test_str_of_a_history_with_numpy_values_nan_and_inf_is_read(tmp_path):
    history = {"loss": [np.float64(0.9), np.float64(math.nan), np.float32(0.5)],
               "val_loss": [np.float64(1.0), np.float64(math.inf), np.float64(0.6)],
               "lr": np.array([1e-3, 1e-3, 5e-4], dtype="float32")}
    path = tmp_path / "history.txt"
    path.write_text(str(history))
    run = load(path).runs[0]
    loss = run.series["loss"].values
    assert loss[0] == pytest.approx(0.9) and math.isnan(loss[1]) and loss[2] == pytest.approx(0.5)
    assert math.isinf(run.series["val_loss"].values[1])
    assert len(run.series["lr"]) == 3


def test_code_in_a_printed_dict_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "history.json"
    path.write_text("{'loss': [0.5, __import__('pathlib').Path(%r).touch()]}" % str(marker))
    with pytest.raises(InputError) as err:
        load(path)
    assert "not a plain literal" in str(err.value) and "\n" not in str(err.value)
    assert not marker.exists()


def test_the_parser_reads_literals_only():
    assert parse("{'a': (1, -2.5e3,), \"b\": [True, None, -inf], 'c': 'it\\'s'}") == \
        {"a": (1, -2500.0), "b": [True, None, -math.inf], "c": "it's"}
    assert parse("tensor(0.6931, grad_fn=<NllLossBackward0>)") == pytest.approx(0.6931)
    for bad in ("os.system('x')", "[1, 2] + [3]", "{'a': 1", "lambda: 0", "{'a': 1}{'b': 2}", "1j",
                "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)):
        with pytest.raises(ValueError):
            parse(bad)
