"""The dev bug sets written by class (devkinds3: the common classes through varied APIs; devkinds4: the novel
classes of held-out sets 10-15 in programs of their own) load, the bench offers them, and every case declares
catalogue ids, fix ids among them and a fix pattern that rejects neutral text (no training)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from .test_heldout_sets import CATALOGUE  # noqa: E402

# Each set: the modules that register its cases (the first holds the list), the least cases in all, and the
# least Keras and PyTorch cases.
DEV_SETS = {"devkinds3": (("devkinds3_keras", "devkinds3_torch"), 30, 15, 15),
            "devkinds4": (("devkinds4_torch",), 6, 0, 0),
            "devkinds5": (("devkinds5_keras", "devkinds5_torch"), 6, 2, 4),
            "devkinds6": (("devkinds6_keras", "devkinds6_torch"), 9, 6, 3),
            "devkinds7": (("devkinds7_keras", "devkinds7_torch"), 12, 5, 7),
            "devkinds8": (("devkinds8_keras", "devkinds8_torch"), 19, 11, 8),
            "devkinds9": (("devkinds9_keras", "devkinds9_torch"), 8, 0, 8),
            "devkinds10": (("devkinds10_keras", "devkinds10_torch"), 16, 8, 8)}


@pytest.mark.parametrize("set_name", sorted(DEV_SETS))
def test_dev_set_cases_are_well_formed_and_offered_by_the_bench(set_name):
    import bench_keras_bugs

    modules, least, least_keras, least_torch = DEV_SETS[set_name]
    loaded = [importlib.import_module(f"keras_bugs.{m}") for m in modules]  # every module registers its cases
    cases = list(getattr(loaded[0], set_name.upper()))
    names = [c.name for c in cases]
    assert len(names) == len(set(names)) and len(names) >= least
    assert sum(c.framework == "keras" for c in cases) >= least_keras
    assert sum(c.framework == "torch" for c in cases) >= least_torch
    neutral = "The training loss is high and does not improve over the last epochs."
    for c in cases:
        fix_ids = c.extra["fix_ids"]
        assert set(c.ids) <= CATALOGUE and set(fix_ids) <= set(c.ids), c.name
        assert c.name.startswith("torch-") == (c.framework == "torch"), c.name
        rx = re.compile(c.fix, re.I)
        assert not rx.search("") and not rx.search(neutral), c.name
    assert [c.name for c in bench_keras_bugs.load_set(set_name)] == names
