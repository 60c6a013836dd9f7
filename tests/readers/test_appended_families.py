"""Every generated file of appended runs (``_appended_families``) is read as that many runs, and
``appended-runs`` is named; every near-miss stays one run, and ``appended-runs`` is not named."""

from __future__ import annotations

import random

import pytest

import traindoc
from traindoc.readers._appended import loss_starts_over

from ._appended_families import APPENDED, NEAR_MISSES

SEEDS = range(12)


def _read(tmp_path, made):
    path = tmp_path / made.name
    path.write_bytes(made.text.encode())
    runs = traindoc.load(path).runs
    ids = {f.id for run in runs for f in traindoc.diagnose(run)}
    return runs, ids


@pytest.mark.parametrize("family", sorted(APPENDED))
def test_appended_runs_are_found(tmp_path, family):
    for seed in SEEDS:
        made = APPENDED[family](random.Random(seed))
        runs, ids = _read(tmp_path, made)
        assert len(runs) == made.runs, (family, seed)
        assert "appended-runs" in ids, (family, seed)


@pytest.mark.parametrize("family", sorted(NEAR_MISSES))
def test_near_misses_stay_whole(tmp_path, family):
    for seed in SEEDS:
        made = NEAR_MISSES[family](random.Random(seed))
        runs, ids = _read(tmp_path, made)
        assert len(runs) == 1, (family, seed)
        assert "appended-runs" not in ids, (family, seed)


def test_counter_going_on_parts_start_where_the_first_did(tmp_path):
    """A run cut at a header written again starts at the first run's first epoch, not where the counter was."""
    made = APPENDED["epoch-header-again"](random.Random(3))
    runs, _ = _read(tmp_path, made)
    firsts = {min(float(s.steps[0]) for s in r.series.values()) for r in runs}
    assert len(firsts) == 1


def test_loss_starts_over_needs_the_level_back_up():
    fall = [2.0, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5, 0.45]
    assert loss_starts_over(fall + [1.9, 1.5, 1.2, 1.0], 8)  # back near the first values, falling again
    assert not loss_starts_over(fall + [0.44, 0.43, 0.42, 0.41], 8)  # a resume: the loss goes on
    assert not loss_starts_over(fall + [1.9, 0.44, 0.43, 0.42], 8)  # a spike that recovers at once
    assert not loss_starts_over(fall + [0.9, 0.85, 0.8, 0.75], 8)  # up less than half the fall


def test_resumed_json_history_records_the_resume(tmp_path):
    """A JSON history whose epochs go back to a checkpoint is one run resumed there: the re-logged epochs
    replace the abandoned ones (each epoch once), and the resume step is on the run for the rules."""
    for seed in SEEDS:
        made = NEAR_MISSES["resumed-json"](random.Random(seed))
        runs, _ = _read(tmp_path, made)
        (run,) = runs
        assert run.meta.resume_steps, seed
        steps = run.series["avg_loss"].steps
        assert (steps[1:] > steps[:-1]).all(), seed


def test_a_log_written_twice_keeps_every_column(tmp_path):
    """Folding a copy back loses nothing: the run holds each epoch once, every series the log named."""
    for seed in SEEDS:
        made = NEAR_MISSES["written-twice"](random.Random(seed))
        (run,), _ = _read(tmp_path, made)
        loss = run.primary(traindoc.Role.TRAIN_LOSS)
        assert loss is not None and len(loss) == len(set(loss.steps.tolist())), seed
        assert run.meta.segment is None, seed


def _part(loss, lr=None, start=1):
    from traindoc.run import Run

    cols = {"loss": (range(start, start + len(loss)), loss)}
    if lr is not None:
        cols["lr"] = (range(start, start + len(lr)), lr)
    return Run.from_columns("r", "r.csv", "generic_table", cols, axis="epoch")


def test_only_a_copy_is_folded_back():
    from traindoc.readers._appended import drop_copies

    loss = [2.0, 1.5, 1.2, 1.0, 0.9, 0.85]
    lr = [1e-3, 1e-3, 5e-4, 5e-4, 1e-4, 1e-4]
    rounded = [round(v, 1) for v in loss]  # a summary without the lr, rounded
    kept, rows, folded = drop_copies([_part(loss, lr), _part(rounded)], [7.0])
    assert (len(kept), rows, folded) == (1, [], 1) and "lr" in kept[0].series
    # the same columns with the same values: a rerun with a fixed seed as far as the file tells
    assert drop_copies([_part(loss, lr), _part(loss, lr)], [7.0])[2] == 0
    # another run on the same schedule: the lr matches, the loss does not
    other = [2.1, 1.4, 1.25, 1.05, 0.88, 0.8]
    assert len(drop_copies([_part(loss, lr), _part(other, lr)], [7.0])[0]) == 2
    # a rerun with the same seed that went on past where the first attempt stopped is a new run
    assert len(drop_copies([_part(loss), _part(loss + [0.8, 0.78, 0.77, 0.76, 0.75, 0.74])], [7.0])[0]) == 2
    # a loss that never moved is the same in any two runs
    flat = [0.0] * 6
    assert len(drop_copies([_part(flat), _part(flat)], [7.0])[0]) == 2


def test_a_copy_rounded_and_renamed_is_still_a_copy():
    """A summary printed under the live lines rounds the values and names them its own way."""
    from traindoc.readers._appended import drop_copies

    live = _part([0.06373421, 0.03079905, 0.07283758, 0.01969654])
    summary = _part([0.0637, 0.0308, 0.0728, 0.0197])
    summary.series["train_loss"] = summary.series.pop("loss")  # the summary's own name for it
    assert drop_copies([live, summary], [5.0])[2] == 1
    # off by more than the printed digits: another run
    assert drop_copies([live, _part([0.0637, 0.0312, 0.0728, 0.0197])], [5.0])[2] == 0


def test_json_history_with_two_kinds_of_objects_at_one_step_is_no_resume(tmp_path):
    """A training object and an evaluation object logged at the same step are no step back."""
    import json

    rows = []
    for k in range(1, 21):
        rows.append({"step": 100 * k, "loss": round(2.0 * 0.9 ** k, 4)})
        if k % 5 == 0:
            rows.append({"step": 100 * k, "eval_loss": round(2.1 * 0.9 ** k, 4)})
    path = tmp_path / "log.json"
    path.write_text(json.dumps(rows))
    (run,) = traindoc.load(path).runs
    assert not run.meta.resume_steps and len(run.series["loss"]) == 20 and len(run.series["eval_loss"]) == 4
