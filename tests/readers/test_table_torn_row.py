"""A row torn mid-line inside a CSV table (a write cut short, the file then appended by a resumed
process): it is skipped with a note instead of being read from the left, where its first field
would be the epoch (0.667) and the run would seem to restart. Tables whose rows are ragged on
purpose keep every row."""

from __future__ import annotations

import csv
import io

from traindoc.readers import load

HEADER = ["epoch", "train_loss", "train_dsc", "val_loss", "val_dsc", "lr"]


def _rows(n: int) -> list[list[str]]:
    return [[str(e), f"{0.5 * 0.95 ** e:.6f}", f"{0.9 - 0.6 * 0.9 ** e:.6f}", f"{0.45 * 0.96 ** e:.6f}",
             f"{0.85 - 0.5 * 0.9 ** e:.6f}", "1.00e-03"] for e in range(1, n + 1)]


def _write(path, rows: list[list[str]], torn_at: int | None = None) -> None:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for i, r in enumerate(rows):
        if i == torn_at:
            out.write(",".join(r)[9:] + "\n")  # the line's start was lost: it begins mid-field
        else:
            w.writerow(r)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_torn_row_is_skipped_not_read_as_a_restart(tmp_path):
    path = tmp_path / "training_log.csv"
    _write(path, _rows(40), torn_at=13)
    got = load(path)
    assert len(got.runs) == 1
    run = got.runs[0]
    assert len(run.series["train_loss"]) == 39 and 14 not in set(run.series["train_loss"].steps)
    assert any("fewer fields than the header" in n for n in run.meta.notes)


def test_the_same_table_without_a_torn_row_reads_every_row(tmp_path):
    path = tmp_path / "training_log.csv"
    _write(path, _rows(40))
    run = load(path).runs[0]
    assert len(run.series["train_loss"]) == 40
    assert not any("fewer fields" in n for n in run.meta.notes)


def test_many_short_rows_are_a_ragged_table_and_are_kept(tmp_path):
    path = tmp_path / "training_log.csv"
    rows = _rows(40)
    for r in rows[::4]:
        del r[-1]  # every fourth row without its lr: written that way, not torn
    _write(path, rows)
    run = load(path).runs[0]
    assert len(run.series["train_loss"]) == 40
    assert not any("fewer fields" in n for n in run.meta.notes)


def _saved_without_final_line_end(tmp_path, cut: int = 0):
    """``pandas.DataFrame.to_csv`` output with its final line end stripped (``"\\n".join(rows)``, a W&B
    chart export, a file edited on GitHub), then ``cut`` more characters taken off (a write died)."""
    pd = __import__("pytest").importorskip("pandas")
    frame = pd.DataFrame(_rows(30), columns=HEADER)
    path = tmp_path / "training_log.csv"
    text = frame.to_csv(index=False).rstrip("\n")
    path.write_text(text[:len(text) - cut] if cut else text, encoding="utf-8")
    return path


def test_a_whole_last_row_without_a_line_end_is_read(tmp_path):
    run = load(_saved_without_final_line_end(tmp_path)).runs[0]
    assert len(run.series["val_dsc"]) == 30 and run.series["val_dsc"].steps[-1] == 30
    assert not any("no line end" in n for n in run.meta.notes)


def test_a_last_row_cut_inside_its_last_cell_or_after_its_separator_is_dropped(tmp_path):
    # "1.00e-03" cut to "1.00e-0" or "1.00", or to nothing after the last comma: shorter than the cells above
    for cut in (1, 4, len("1.00e-03")):
        run = load(_saved_without_final_line_end(tmp_path, cut)).runs[0]
        assert len(run.series["train_loss"]) == 29, cut
        assert any("no line end" in n for n in run.meta.notes)
