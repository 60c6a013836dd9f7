"""Headerless rows of numbers and commented headers, written by the real writers (``print`` to a file
opened for appending, ``np.savetxt`` with and without ``header=``, pandas ``to_csv(sep="\\t")``):
a counter starting over is another run, an index counted inside each epoch is not, two unnamed loss
columns at one level are training then validation, titled lines of values are a sweep's runs
(``readers/value_list.py``, ``readers/_headerless.py``, ``readers/_table.py``, ``text/tables.py``).
The realdev files of these shapes are read too when the corpus is present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from traindoc.errors import InputError
from traindoc.readers import load, reader_for
from traindoc.run import Role

REALDEV = Path(__file__).resolve().parents[2] / "bench" / "corpus" / "realdev" / "logs"


def _curve(n: int, start: float = 2.0, end: float = 0.5) -> list[float]:
    return [end + (start - end) * np.exp(-i / (n / 4)) for i in range(n)]


def _print_runs(path: Path, runs: list[int], sep: str = ", ") -> None:
    """A loop printing ``epoch, loss`` to a file opened for appending, once per run."""
    for n in runs:
        with open(path, "a") as fh:
            for e, v in enumerate(_curve(n), 1):
                print(f"{e}{sep}{v:.6f}", file=fh)


@pytest.mark.parametrize("sep", [", ", ","])
def test_a_counter_that_starts_over_is_another_run(tmp_path, sep):
    path = tmp_path / "loss_log.txt"
    _print_runs(path, [20, 60], sep)
    runs = load(path).runs
    assert [len(r.series["loss_log"]) for r in runs] == [20, 60]
    assert all(r.meta.segment is not None for r in runs) and runs[1].series["loss_log"].steps[0] == 1


def test_one_run_with_a_counter_is_one_run(tmp_path):
    path = tmp_path / "loss_log.txt"
    _print_runs(path, [80])
    (run,) = load(path).runs
    assert run.meta.segment is None and len(run.series["loss_log"]) == 80


def test_a_resume_that_continues_its_counter_is_one_run(tmp_path):
    path = tmp_path / "losses.txt"
    vals = _curve(60)
    with open(path, "w") as fh:
        for e in range(1, 41):
            print(f"{e},{vals[e - 1]:.6f}", file=fh)
    with open(path, "a") as fh:  # the resumed run goes on from its checkpoint at epoch 31
        for e in range(31, 61):
            print(f"{e},{vals[e - 1]:.6f}", file=fh)
    (run,) = load(path).runs
    s = run.series["losses"]
    assert run.meta.segment is None and list(s.steps) == list(range(1, 61)) and run.meta.resume_steps == [31]


def test_an_index_inside_each_epoch_is_counted_on(tmp_path):
    path = tmp_path / "train_loss.txt"
    vals = iter(_curve(8 * 9))
    with open(path, "w") as fh:
        for _epoch in range(8):
            for batch in range(0, 900, 100):
                print(f"{batch}\t{next(vals):.5f}", file=fh)
    (run,) = load(path).runs
    s = run.series["train_loss"]
    assert run.meta.segment is None and len(s) == 72 and np.all(np.diff(s.steps) == 100)


def test_train_val_and_epoch_tab_separated(tmp_path):
    path = tmp_path / "losses.txt"
    train, val = _curve(30, 3.0, 1.0), _curve(30, 3.1, 1.3)
    pd.DataFrame({"t": train, "v": val, "e": range(30)}).to_csv(path, sep="\t", header=False, index=False)
    (run,) = load(path).runs
    assert run.series["train_loss"].role is Role.TRAIN_LOSS and run.series["val_loss"].role is Role.VAL_LOSS
    assert np.allclose(run.series["val_loss"].values, val) and list(run.series["train_loss"].steps) == list(range(30))


@pytest.mark.parametrize("counter", [True, False])
def test_a_value_beyond_float_range_is_read_as_inf(tmp_path, counter):
    # "1e999" (a diverged value printed with its exponent) overflows to inf; reading its printed precision
    # (``_headerless.resolution``, for the moving-average test) must not overflow too
    lines = [f"{i} {1.0 / (i + 1):.4f} {1.2 / (i + 1):.4f}" if counter else f"{1.0 / (i + 1):.4f} {1.2 / (i + 1):.4f}"
             for i in range(20)]
    lines[5] = "5 1e999 0.3" if counter else "1e999 0.3"
    path = tmp_path / "losses.txt"
    path.write_text("\n".join(lines) + "\n")
    (run,) = load(path).runs
    assert np.isinf(run.series["train_loss"].values[5]) and len(run.series["val_loss"]) == 20


def test_two_unnamed_columns_at_different_levels_are_refused_in_one_line(tmp_path):
    path = tmp_path / "losses.txt"
    np.savetxt(path, np.c_[np.arange(30), _curve(30, 3.0, 2.0), _curve(30, 0.3, 0.1)], fmt=["%d", "%.5f", "%.5f"])
    assert reader_for(path) is None
    with pytest.raises(InputError) as err:
        load(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_titled_lines_of_values_are_a_sweeps_runs(tmp_path):
    path = tmp_path / "loss_history.txt"
    with open(path, "w") as fh:
        for d in (2, 4, 8):
            fh.write(f"Latent Space Dimension = {d}\n")
            fh.write(", ".join(f"{v:.6f}" for v in _curve(50, 0.08, 0.02 / d)) + "\n\n")
    runs = load(path).runs
    assert len(runs) == 3 and all(len(r.series["loss_history"]) == 50 for r in runs)
    assert "Dimension = 4" in " ".join(runs[1].meta.notes)


@pytest.mark.parametrize("delimiter", [" ", ","])
def test_a_header_written_as_a_comment(tmp_path, delimiter):
    path = tmp_path / ("history.txt" if delimiter == " " else "history.csv")
    np.savetxt(path, np.c_[np.arange(12), _curve(12), _curve(12, 2.1, 0.7)], delimiter=delimiter,
               header=delimiter.join(["epoch", "train_loss", "val_loss"]))
    assert path.read_text().startswith("# epoch")
    (run,) = load(path).runs
    assert run.series["val_loss"].role is Role.VAL_LOSS and list(run.series["train_loss"].steps) == list(range(12))


@pytest.mark.parametrize("rel, runs", [("text_log/meshgpt_text_2runs_tinyloss/loss_log.txt", 2),
                                       ("text_log/poemgen_text_2runs_loss/loss_log.txt", 2),
                                       ("text_log/vae_mnist_text_6latent_runs/loss_history.txt", 6),
                                       ("generic_csv/summarizer_tsv_overfit_91ep/losses.txt", 1),
                                       ("text_log/yodagpt_text_40ep/losses.txt", 1)])
def test_the_realdev_files_of_these_shapes(rel, runs):
    path = REALDEV / rel
    if not path.exists():
        pytest.skip("realdev corpus not present")
    assert len(load(path).runs) == runs
