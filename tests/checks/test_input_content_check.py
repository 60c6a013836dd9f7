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


def test_rarely_lit_pixels_differing_between_two_samples_are_not_a_mis_scaled_split():
    from traindoc.checks.input_content import split_scale_finding

    rng = np.random.default_rng(0)

    def images(n):  # pixel k lit in a share of images from 1% to 90%
        x = np.zeros((n, 64))
        lit = rng.random((n, 64)) < np.linspace(0.01, 0.9, 64)
        x[lit] = rng.random(int(lit.sum()))
        return x

    assert split_scale_finding(images(128), images(128)) is None
    raw = images(128) * 255  # the same images left unscaled on one side
    assert split_scale_finding(images(128), raw) is not None
