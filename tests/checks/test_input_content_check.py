"""check()'s data section names destroyed inputs the way the Keras callback does (checks/input_content.py)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from traindoc.checks.data_check import data_check  # noqa: E402


def _loader(x, y):
    ds = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    return torch.utils.data.DataLoader(ds, batch_size=32, shuffle=False)


def _data(n=256, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, 3))).argmax(1)


def test_inputs_truncated_to_zero_are_named_instead_of_conflicting_labels():
    x, y = _data()
    pixels = (x * 40 + 128).clip(0, 250)
    sec = data_check(_loader((pixels / 255).astype("uint8").astype("float32"), y))
    assert [(f.id, f.evidence["subject"]) for f in sec.findings] == [("unnormalized-input", "input-values")]
    assert "astype('float32') / 255" in sec.findings[0].fixes[0] and sec.ok is False


def test_rows_standardised_along_axis_one_are_named_and_columns_are_not():
    x, y = _data()
    raw = np.concatenate([2000 + 300 * x[:, :1], x[:, 1:]], 1)
    rows = ((raw - raw.mean(1, keepdims=True)) / raw.std(1, keepdims=True)).astype("float32")
    cols = ((raw - raw.mean(0)) / raw.std(0)).astype("float32")
    assert [f.evidence.get("subject") for f in data_check(_loader(rows, y)).findings] == ["input-axis"]
    assert data_check(_loader(cols, y)).ok is True


def test_a_model_training_on_real_inputs_is_not_named():
    x, y = _data()
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    sec = data_check(_loader(x, y), model=model)
    assert sec.ok is True and not sec.findings
