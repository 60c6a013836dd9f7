"""Every generated Python-printed history (``_pyliteral_families``: Keras columns, per-epoch records, dicts
keyed by epoch, dicts per split; one line or pprint's, numpy scalars, tuples, nan/inf, CRLF) reads to
exactly its curves; printed literals that name no quantity, or hold settings, are never read as curves."""

from __future__ import annotations

import numpy as np

from traindoc.readers import load

from ._cases import read, written
from ._pyliteral_families import generate, near_miss

SEEDS = range(80)


def test_every_generated_history_reads_to_its_curves(tmp_path):
    wrong = {}
    for seed in SEEDS:
        case = generate(seed)
        runs, refused = read(written(tmp_path, seed, case.name, case.text))
        if refused:
            wrong[seed] = (case.shape, refused[-160:])
            continue
        if len(runs) != 1 or set(runs[0].series) - {"epoch"} != set(case.expected):
            wrong[seed] = (case.shape, [sorted(r.series) for r in runs])
            continue
        for name, want in case.expected.items():
            got = runs[0].series[name].values
            if not np.allclose(got, want, equal_nan=True) or not np.array_equal(np.isinf(got), np.isinf(want)):
                wrong[seed] = (case.shape, name, list(got[:3]), want[:3])
    assert not wrong, wrong


def test_a_record_list_is_read_on_its_epochs_not_as_one_final_point(tmp_path):
    path = tmp_path / "history.txt"
    path.write_text(repr([{"epoch": e, "loss": 2.0 / (e + 1), "val_loss": 2.1 / (e + 1)} for e in range(1, 9)]))
    run = load(path).runs[0]
    assert run.format == "keras_history" and list(run.series["loss"].steps) == list(range(1, 9))


def test_near_misses_are_not_read_as_curves(tmp_path):
    wrong = {}
    for seed in SEEDS:
        case = near_miss(seed)
        runs, _ = read(written(tmp_path, seed, case.name, case.text))
        long = {n: len(s) for r in runs for n, s in r.series.items() if len(s) > 1}
        if long:
            wrong[seed] = long
    assert not wrong, wrong


def test_a_console_that_prints_its_config_dict_first_is_the_text_logs(tmp_path):
    """``print(config)`` then the epochs: a literal at the top is no history when text follows it, even when
    a key in it names a loss (``'loss_weights': [1.0, 0.5]``)."""
    config = {"lr": 1e-3, "loss_weights": [1.0, 0.5], "epochs": 6, "augment": True, "scheduler": None}
    lines = [repr(config)] + [f"Epoch {e}/6 - loss: {1 / e:.4f} - val_loss: {1.2 / e:.4f}" for e in range(1, 7)]
    runs, refused = read(written(tmp_path, 0, "train.log", "\n".join(lines) + "\n"))
    assert refused is None and runs[0].format == "text_log"
    assert {n: len(s) for n, s in runs[0].series.items() if len(s) > 1} == {"loss": 6, "val_loss": 6}
