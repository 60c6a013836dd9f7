"""The devkinds4 dev set (the novel classes of held-out sets 10-15 in programs of their own) loads, the bench offers
it, and every case declares catalogue ids, fix ids among them and a fix pattern that rejects neutral text (no
training)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from .test_heldout_sets import CATALOGUE  # noqa: E402


def test_devkinds4_cases_are_well_formed_and_offered_by_the_bench():
    import bench_keras_bugs
    from keras_bugs.devkinds4_torch import DEVKINDS4

    names = [c.name for c in DEVKINDS4]
    assert len(names) == len(set(names)) and len(names) >= 6
    neutral = "The training loss is high and does not improve over the last epochs."
    for c in DEVKINDS4:
        fix_ids = c.extra["fix_ids"]
        assert set(c.ids) <= CATALOGUE and set(fix_ids) <= set(c.ids), c.name
        assert c.name.startswith("torch-") == (c.framework == "torch"), c.name
        rx = re.compile(c.fix, re.I)
        assert not rx.search("") and not rx.search(neutral), c.name
    assert [c.name for c in bench_keras_bugs.load_set("devkinds4")] == names
