"""The devkinds3 dev set (the common bug classes through varied APIs) loads, the bench offers it, and every case
declares catalogue ids, fix ids among them and a fix pattern that rejects neutral text (no training)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from .test_heldout_sets import CATALOGUE  # noqa: E402


def _cases():
    import keras_bugs.devkinds3_torch  # noqa: F401  (registers the PyTorch cases)
    from keras_bugs.devkinds3_keras import DEVKINDS3

    return DEVKINDS3


def test_devkinds3_cases_are_well_formed_and_offered_by_the_bench():
    import bench_keras_bugs

    cases = _cases()
    names = [c.name for c in cases]
    assert len(names) == len(set(names)) and len(names) >= 30
    assert sum(c.framework == "keras" for c in cases) >= 15 and sum(c.framework == "torch" for c in cases) >= 15
    neutral = "The training loss is high and does not improve over the last epochs."
    for c in cases:
        fix_ids = c.extra["fix_ids"]
        assert set(c.ids) <= CATALOGUE and set(fix_ids) <= set(c.ids), c.name
        assert c.name.startswith("torch-") == (c.framework == "torch"), c.name
        rx = re.compile(c.fix, re.I)
        assert not rx.search("") and not rx.search(neutral), c.name
    assert [c.name for c in bench_keras_bugs.load_set("devkinds3")] == names
