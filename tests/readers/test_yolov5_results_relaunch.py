"""YOLOv5/v7 ``results.txt`` (no header; train.py writes one fixed-width row per finished epoch,
``epoch/last`` first) with several launches appended to it: each epoch's row is written once, so
the same epoch written again starts another run instead of being taken for a redraw
(``text/parser.py`` ``relaunches``, ``text_log._stitch``)."""

from __future__ import annotations

from traindoc.readers import load


def _row(epoch: int, last: int, k: float) -> str:
    """One row as YOLOv5's train.py formats it: 2 strings of width 10, then 11 + 7 numbers as %10.4g."""
    mloss = (0.045 - k, 0.065 - k, 0.023 - k / 2)
    train = ("%10s" * 2 + "%10.4g" * 6) % (f"{epoch}/{last}", "3.34G", *mloss, sum(mloss), 168, 640)
    return train + "%10.4g" * 7 % (0.70 + k, 0.55 + k, 0.65 + k, 0.43 + k, 0.0415, 0.0401, 0.0133) + "\n"


def test_launches_appended_to_results_txt_are_runs_of_their_own(tmp_path):
    path = tmp_path / "results.txt"
    rows = [_row(0, 0, 0.0), _row(0, 0, 0.0001), _row(0, 0, 0.0002)]  # three one-epoch launches
    rows += [_row(e, 2, 0.001 * e) for e in range(3)]  # then a three-epoch launch
    path.write_text("".join(rows))
    runs = load(path).runs
    assert [len(r.series["total_loss"]) for r in runs] == [1, 1, 1, 3]
    assert any("written again" in n for n in runs[1].meta.notes)


def test_one_launch_is_one_run_of_every_epoch(tmp_path):
    path = tmp_path / "results.txt"
    path.write_text("".join(_row(e, 9, 0.001 * e) for e in range(10)))
    runs = load(path).runs
    assert len(runs) == 1 and len(runs[0].series["total_loss"]) == 10
    assert not any("written again" in n for n in runs[0].meta.notes)
