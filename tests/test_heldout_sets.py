"""The held-out bug sets 2 to 24 load, and every case declares well-formed ids and fix patterns (no training)."""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
pytest.importorskip("torch")

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

# The public finding ids (/work/shared/FINDINGS.md), written out so the test needs no file outside the repo.
CATALOGUE = {
    "nonfinite", "divergence", "stuck-at-chance", "no-learning", "late-start", "loss-spikes", "oscillation",
    "overfitting", "stalled", "val-without-train", "both-rising", "lr-too-high", "lr-decay-too-fast",
    "high-initial-loss", "loss-metric-mismatch", "misleading-accuracy", "resume-spike", "metric-out-of-range",
    "appended-runs", "too-short", "nonfinite-origin", "exploding-gradients", "vanishing-gradients", "dead-relu",
    "saturated-activation", "poor-initialization", "update-ratio", "unnormalized-input", "class-imbalance",
    "label-problem", "unshuffled-data", "wrong-output-activation", "double-softmax", "missing-bias",
    "grad-not-zeroed", "frozen-parameters", "cannot-overfit-batch",
}


# Each set: its name, the least Keras and PyTorch cases it holds.
SETS = {"heldout2": (14, 10), "heldout3": (9, 10), "heldout4": (10, 10), "heldout5": (8, 8), "heldout6": (9, 10),
        "heldout7": (10, 10), "heldout8": (10, 10), "heldout9": (10, 10), "heldout10": (10, 10),
        "heldout11": (8, 8), "heldout12": (8, 8), "heldout13": (8, 8), "heldout14": (8, 8),
        "heldout15": (6, 6), "heldout16": (8, 8), "heldout17": (8, 8),
        "heldout18": (8, 8), "heldout19": (8, 8), "heldout20": (8, 8), "heldout21": (8, 8),
        "heldout22": (8, 8), "heldout23": (8, 8), "heldout24": (8, 8),
        "heldout25": (8, 8), "heldout26": (8, 8),
        "heldout27": (8, 8),
        "heldout28": (8, 8),
        "heldout29": (8, 8),
        "heldout30": (8, 8),
        "heldout31": (8, 8)}


@pytest.fixture(scope="module", params=sorted(SETS))
def named_cases(request):
    name = request.param
    keras_module = importlib.import_module(f"keras_bugs.{name}_keras")
    importlib.import_module(f"keras_bugs.{name}_torch")  # registers the PyTorch cases
    return name, list(getattr(keras_module, name.upper()))


@pytest.fixture(scope="module")
def cases(named_cases):
    return named_cases[1]


def test_set_has_both_frameworks_and_unique_names(named_cases):
    set_name, cases = named_cases
    names = [c.name for c in cases]
    assert len(names) == len(set(names))
    by_fw = {fw: sum(c.framework == fw for c in cases) for fw in ("keras", "torch")}
    least_keras, least_torch = SETS[set_name]
    assert by_fw["keras"] >= least_keras and by_fw["torch"] >= least_torch
    assert by_fw["keras"] + by_fw["torch"] == len(cases)
    assert all(c.name.startswith("torch-") == (c.framework == "torch") for c in cases)


def test_ids_come_from_the_catalogue_and_fix_ids_are_among_them(cases):
    for c in cases:
        fix_ids = c.extra["fix_ids"]
        assert c.ids and fix_ids, c.name
        assert set(c.ids) <= CATALOGUE, (c.name, set(c.ids) - CATALOGUE)
        assert set(fix_ids) <= set(c.ids), c.name
        assert len(set(c.ids)) == len(c.ids), c.name


def test_fix_patterns_compile_and_do_not_accept_any_text(cases):
    neutral = "The training loss is high and does not improve over the last epochs."
    for c in cases:
        rx = re.compile(c.fix, re.I)
        assert not rx.search(""), c.name
        assert not rx.search(neutral), c.name
        assert callable(c.build) and len(c.about) > 80, c.name


def test_the_bench_offers_the_set(named_cases):
    import bench_keras_bugs

    set_name, cases = named_cases
    assert [c.name for c in bench_keras_bugs.load_set(set_name)] == [c.name for c in cases]


@pytest.mark.parametrize("set_name", sorted(SETS))
def test_frozen_files_match_their_recorded_hashes(set_name):
    """The case files are frozen: any edit after the freeze shows here (update HELDOUTn.md if one is needed)."""
    lines = (BENCH / "keras_bugs" / f"{set_name.upper()}.sha256").read_text().split("\n")
    recorded = dict(reversed(line.split()) for line in lines if line.strip())
    assert {f"{set_name}_keras.py", f"{set_name}_torch.py"} <= set(recorded)
    for name, want in recorded.items():  # the case files, and the set's notes where they were frozen too
        digest = hashlib.sha256((BENCH / "keras_bugs" / name).read_bytes()).hexdigest()
        assert want == digest, name
