"""Header-less tables read under the column names the user gives (``--columns``, ``load(path, columns=...)``;
``readers/_given_columns.py``), and the refusal without them saying how to give them."""

from __future__ import annotations

import contextlib
import csv
import subprocess
import sys

import numpy as np
import pytest

from traindoc import load
from traindoc.errors import InputError
from traindoc.readers import parse_names
from traindoc.run import Role


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "traindoc", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def _savetxt(tmp_path, name="progress.csv", epochs=30):
    """What ``np.savetxt(..., delimiter=",")`` writes for (epoch, train loss, val loss): no header."""
    e = np.arange(1, epochs + 1)
    table = np.column_stack([e, 2.0 * np.exp(-e / 8) + 0.1, 2.1 * np.exp(-e / 9) + 0.15])
    path = tmp_path / name
    np.savetxt(path, table, delimiter=",", fmt=["%d", "%.6f", "%.6f"])
    return path, table


def test_names_give_roles_x_axis_and_every_value(tmp_path):
    path, table = _savetxt(tmp_path)
    runs = load(path, columns="epoch,loss,val_loss").runs
    assert len(runs) == 1
    run = runs[0]
    assert set(run.series) == {"loss", "val_loss"}
    assert run.series["loss"].role is Role.TRAIN_LOSS and run.series["val_loss"].role is Role.VAL_LOSS
    assert np.allclose(run.series["val_loss"].values, table[:, 2], atol=1e-6)
    assert np.allclose(run.series["loss"].steps, table[:, 0]) and run.series["loss"].axis == "epoch"


def test_a_dash_leaves_a_column_out_and_a_trailing_comma_is_no_column(tmp_path):
    path = tmp_path / "losses.txt"
    with open(path, "w") as fh:  # f"{epoch},{batch},{d},{g}," once per logged batch, as GAN loops write
        for epoch in range(10):
            for batch in (50, 100):
                fh.write(f"{epoch},{batch},{0.6 + 0.001 * epoch},{3.0 - 0.1 * epoch - 0.01 * batch / 50},\n")
    run = load(path, columns=["epoch", "-", "d_loss", "g_loss"]).runs[0]
    assert set(run.series) == {"d_loss", "g_loss"}
    steps = run.series["g_loss"].steps
    assert len(steps) == 20 and np.all(np.diff(steps) > 0)  # two rows of one epoch spread over it, in order


def test_epoch_lines_above_blocks_of_rows_give_their_epoch(tmp_path):
    path = tmp_path / "train_log.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for epoch in range(5):
            print(f"Epoch: {epoch}")
            for i in range(0, 400, 100):
                print(f"{10.2 - 0.01 * epoch - 0.001 * i / 100}, {i}")
    run = load(path, columns="loss,batch").runs[0]
    loss = run.series["loss"]
    assert len(loss.values) == 20 and loss.axis == "epoch"
    assert loss.steps[0] == 0 and 4 <= loss.steps[-1] < 5 and np.all(np.diff(loss.steps) > 0)
    assert any("Epoch N" in n for n in run.meta.notes)


def test_rows_holding_curves_as_lists_are_a_run_each(tmp_path):
    path = tmp_path / "train_log.csv"
    curves = {"softmax": [22.5, 13.8, 9.9, 7.4], "neg_sampling": [6.9, 4.3, 3.3, 2.9]}
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        for method, losses in curves.items():
            writer.writerow([method, 100, 0.01, str(losses), losses[-1]])
    runs = load(path, columns="method,dim,lr,loss,final_loss").runs
    assert [r.name.rsplit("#", 1)[-1] for r in runs] == list(curves)
    for run, losses in zip(runs, curves.values()):
        assert list(run.series) == ["loss"] and np.allclose(run.series["loss"].values, losses)


def test_a_header_row_is_replaced_by_the_names_given(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,b\n" + "".join(f"{i},{1.0 / (i + 1)}\n" for i in range(8)))
    run = load(path, columns="step,loss").runs[0]
    assert list(run.series) == ["loss"] and len(run.series["loss"].values) == 8
    assert any("a,b" in n for n in run.meta.notes)


def test_names_that_do_not_fit_the_rows_are_refused_saying_how_many_cells(tmp_path):
    path, _ = _savetxt(tmp_path)
    with pytest.raises(InputError) as err:
        load(path, columns="epoch,loss")
    assert "its rows hold 3 cells" in str(err.value) and "2 column(s)" in str(err.value)


@pytest.mark.parametrize("spec, said", [("-,-", "expected column names"), ("loss,loss", "loss named twice"),
                                        (",", "expected column names")])
def test_names_that_name_nothing_or_twice_are_refused(spec, said):
    with pytest.raises(ValueError, match=said):
        parse_names(spec)


def test_cli_reads_diagnoses_and_refuses_with_exit_2(tmp_path):
    path, _ = _savetxt(tmp_path)
    refused = _cli("diagnose", path)
    assert refused.returncode == 2 and "--columns epoch,loss,val_loss" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    shown = _cli("show", path, "--columns", "epoch,loss,val_loss")
    assert shown.returncode == 0 and "val_loss" in shown.stdout and "val loss" in shown.stdout
    judged = _cli("diagnose", path, "--columns", "epoch,loss,val_loss", "--fail-on", "never")
    assert judged.returncode == 0 and "columns named by the user" in judged.stdout
    for args in (("--columns", "loss,loss"), ("--columns", "epoch,loss,val_loss", "--follow")):
        bad = _cli("diagnose", path, *args)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr
    folder = _cli("diagnose", tmp_path, "--columns", "epoch,loss,val_loss")
    assert folder.returncode == 2 and "is a folder" in folder.stderr and "Traceback" not in folder.stderr


@pytest.mark.parametrize("sep", [",", "\t", ";", " "])
def test_pandas_tables_written_without_a_header_read_under_any_separator(tmp_path, sep):
    pd = pytest.importorskip("pandas")
    epochs = np.arange(12)
    frame = pd.DataFrame({"e": epochs, "acc": 0.5 + 0.03 * epochs, "val": 0.45 + 0.03 * epochs})
    path = tmp_path / "log.txt"
    frame.to_csv(path, header=False, index=False, sep=sep)
    run = load(path, columns=["epoch", "accuracy", "val_accuracy"]).runs[0]
    assert run.series["val_accuracy"].role is Role.VAL_METRIC and run.series["accuracy"].role is Role.TRAIN_METRIC
    assert np.allclose(run.series["val_accuracy"].values, frame["val"]) and list(run.series["accuracy"].steps) == list(epochs)
