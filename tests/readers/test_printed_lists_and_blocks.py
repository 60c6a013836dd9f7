"""What users print into a text log, written the way they print it: ``print(f"{model}:{losses}")`` once
per run (a Python list or a NumPy array on one line, under a file named for the loss), and a block of
``name : value`` lines under a header that introduces them with a colon (``Validation metrics at
epoch 0 :``). (``readers/_bracketed.labelled_lists``, ``readers/value_list.py``, ``text/parser.py``.)"""

from __future__ import annotations

import contextlib
import subprocess
import sys

import numpy as np

from traindoc.readers import load


def _curve(n, start=0.71, low=0.55, rise=0.03):
    return [start - (start - low) * min(e, 5) / 5 + rise * max(0, e - 5) for e in range(n)]


def test_labelled_python_lists_one_per_run(tmp_path):
    path = tmp_path / "loss_log.txt"
    lengths = [30, 20, 20, 6]
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for n in lengths:
            print(f"BRNN:{_curve(n)}")
    runs = load(path).runs
    assert [len(r.series["loss_log"]) for r in runs] == lengths
    assert [r.meta.segment for r in runs] == [(i + 1, 4) for i in range(4)]
    assert np.allclose(runs[1].series["loss_log"].values, _curve(20))


def test_labelled_numpy_arrays(tmp_path):
    path = tmp_path / "val_losses.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh), np.printoptions(linewidth=100_000):
        for lr in (0.1, 0.01):
            print(f"lr={lr} {np.round(np.linspace(1.0, 0.3, 12) * (1 + lr), 4)}")
    runs = load(path).runs
    assert len(runs) == 2 and all(len(r.series["val_losses"]) == 12 for r in runs)


def test_labelled_lists_under_a_name_that_names_nothing_are_refused(tmp_path):
    path = tmp_path / "results.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        print(f"BRNN:{_curve(20)}")
        print(f"LSTM:{_curve(20)}")
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2 and "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_lists_under_quantity_names_stay_named_by_their_label(tmp_path):
    """``print("val_acc:", accs)`` names its own numbers: the label, not the file name, is the series."""
    path = tmp_path / "loss_log.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        print(f"train_loss: {_curve(10)}")
        print(f"val_acc: {[0.5 + 0.03 * e for e in range(10)]}")
    runs = load(path).runs
    assert len(runs) == 1 and "loss_log" not in runs[0].series
    assert any("acc" in name for name in runs[0].series)


def test_metrics_block_under_a_colon_header_takes_its_epoch(tmp_path):
    path = tmp_path / "loss_log.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for epoch in range(3):
            print("=" * 49)
            print(f"Validation metrics at epoch {epoch} :")
            print(f"ROUGE1 : {0.1 + 0.05 * epoch}")
            print(f"ROUGE2 : {0.02 * epoch}")
            print("=" * 49)
    (run,) = load(path).runs
    assert run.series["rouge1"].steps.tolist() == [0, 1, 2]
    assert np.allclose(run.series["rouge2"].values, [0.0, 0.02, 0.04])


def test_a_colon_line_that_is_no_counter_opens_no_block(tmp_path):
    """A prose line ending in a colon gives no counter: the records after it keep their own order."""
    path = tmp_path / "train.log"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        print("Results so far:")
        for epoch in range(1, 7):
            print(f"epoch {epoch} loss {1 / epoch:.4f}")
    (run,) = load(path).runs
    assert run.series["loss"].steps.tolist() == [1, 2, 3, 4, 5, 6]


def test_lines_of_one_shape_keep_their_own_name_digits_and_totals():
    """The line-shape cache makes every digit 0: names that differ only in a digit (``ROUGE1``/``ROUGE2``,
    ``top1``/``top5``) and counters with another total (``5/200``, ``5/100``) must not share an analysis."""
    from traindoc.readers.text.template import split_fast

    assert split_fast("ROUGE1 : 0.1")[0] == "ROUGE1 : #"
    assert split_fast("ROUGE2 : 0.0") == ("ROUGE2 : #", ["0.0"])
    assert split_fast("step 5/200 loss 0.3")[0] == "step #/200 loss #"
    assert split_fast("step 7/100 loss 0.2") == ("step #/100 loss #", ["7", "0.2"])
    assert split_fast("step 9/200 loss 0.1") == ("step #/200 loss #", ["9", "0.1"])
