"""A console holding two launches whose within-epoch count has another total in each.

A script that prints ``epoch:1/300,batch:7/16`` and is then relaunched with another batch size prints
``epoch:1/300,batch:6/67``: the count goes back, as after a resume, but a resume from a checkpoint keeps
the loader, so a changed total is another launch appended to the file, read as a run of its own.
A resume that keeps its total stays one run with the interrupted attempt's points replaced.
"""

from __future__ import annotations

import contextlib

import traindoc


def _write(path, totals_and_batches):
    with open(path, "w") as f, contextlib.redirect_stdout(f):
        for total, batches in totals_and_batches:
            print(f"Namespace(bs={4096 // total}, epochs=300, lr=0.0003)")
            for b in batches:
                print(f"epoch:1/300,batch:{b}/{total},lr:0.000100,train loss:{6.2 - 0.05 * b:.5f},train acc:{b:.2f}%")
    return path


def test_another_total_after_the_count_went_back_is_another_launch(tmp_path):
    runs = traindoc.load(_write(tmp_path / "train.log", [(16, range(1, 8)), (67, range(6, 12))])).runs
    assert len(runs) == 2
    assert [len(r.series["train_loss"].values) for r in runs] == [7, 6]
    assert any("another total per epoch" in n for n in runs[1].meta.notes)


def test_the_same_total_after_the_count_went_back_is_a_resume(tmp_path):
    runs = traindoc.load(_write(tmp_path / "train.log", [(16, range(1, 8)), (16, range(6, 12))])).runs
    assert len(runs) == 1
    assert runs[0].meta.resume_steps == [6.0]
    assert len(runs[0].series["train_loss"].values) == 11
