"""A hand-written CSV of several trials, each under a line of its settings ("Trial Details: Model ID: I,
Batch Size: 50, Epochs: 15, Learning Rate: 0.01") and a header, written with ``csv.writer``: the
settings line is a title, never the header (read as the header, it hid every column), and each trial
is its own run. Controls: a header whose cells hold no "name: value" is still the header, and a
line of one setting is no settings line."""

from __future__ import annotations

import csv
import math

from traindoc.readers import load
from traindoc.readers import _table as T


def _trials(path, trials: list[tuple[int, float]]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        for epochs, lr in trials:
            w.writerow([f"Trial Details: Model ID: I", "Batch Size: 50", f"Epochs: {epochs}", f"Learning Rate: {lr}",
                        "", ""])
            w.writerow(["Epoch#", "Accuracy", "F1-Score", "Loss", "", ""])
            for e in range(epochs):
                loss = 2.5 * math.exp(-e / (4 + 100 * lr)) + 0.3
                w.writerow([e, round(1 - loss / 3, 4), round(1 - loss / 3.2, 4), round(loss, 4), "", ""])
            w.writerow([""] * 6)


def test_each_trial_under_its_settings_line_is_a_run(tmp_path):
    path = tmp_path / "model_history_log.csv"
    _trials(path, [(15, 0.01), (40, 0.005)])
    runs = load(path).runs
    assert [len(r.series["Loss"]) for r in runs] == [15, 40]
    assert all(r.series["Loss"].values[0] > r.series["Loss"].values[-1] for r in runs)
    assert any("title line" in n for n in runs[0].meta.notes)


def test_settings_line_needs_every_cell_a_named_value():
    assert T.settings_line("Trial Details: Model ID: I, Batch Size: 50, Epochs: 15,,,")
    assert T.settings_line("lr=0.01,batch_size=32")
    assert not T.settings_line("epoch,loss,val_loss")
    assert not T.settings_line("Epoch: 3, 0.52, 0.61")
    assert not T.settings_line("Batch Size: 50")
