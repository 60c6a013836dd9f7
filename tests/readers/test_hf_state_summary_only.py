"""A trainer_state.json holding only end-of-run figures (no log_history: written by hand, or cut down to
its outcome) is a run with no curve, judged too short, like a state whose log_history holds only the
Trainer's summary; a JSON with no step count is still not taken for a trainer state."""

from __future__ import annotations

import json

import pytest

from traindoc import diagnose, load
from traindoc.errors import InputError


def test_end_of_run_figures_only_load_as_a_run_with_no_curve(tmp_path):
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"best_metric": {"eval_f1": 85.6, "eval_exact_match": 78.3}, "epoch": 3,
                                "training_loss": 0.22, "global_step": 21900}, indent=2))
    runs = load(path).runs
    assert len(runs) == 1 and not runs[0].series
    note = " ".join(runs[0].meta.notes)
    assert "no log_history" in note and "training_loss=0.22" in note and "best_metric.eval_f1=85.6" in note
    assert [f.id for f in diagnose(runs[0])] == ["too-short"]


def test_a_state_without_a_step_count_or_log_history_is_refused(tmp_path):
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"global_step": "unknown", "epoch": 3}))
    with pytest.raises(InputError, match="log_history"):
        load(path)
