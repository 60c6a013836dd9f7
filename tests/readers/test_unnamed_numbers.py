"""Curves that nothing names (a loop printing "loss, batch" pairs under "Epoch: N" headers, a header-
less CSV whose rows hold each run's per-epoch values as lists) are refused in one line that says what
was found and what would name it; a file of prose or a named log is not described that way."""

from __future__ import annotations

import contextlib
import csv
import math
import subprocess
import sys


def _diagnose(path):
    return subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True,
                          text=True, timeout=60)


def _one_line_refusal(path) -> str:
    res = _diagnose(path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    return lines[0]


def test_bare_number_pairs_under_epoch_headers_are_named_as_such(tmp_path):
    path = tmp_path / "train_log.txt"
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        for epoch in range(4):
            print(f"Epoch: {epoch}")
            for i in range(0, 500, 100):
                print(f"{10.2 - 0.01 * epoch - 0.001 * i / 100}, {i}")
    line = _one_line_refusal(path)
    # the batch index counts up and starts over each epoch; the loss beside it is named by nothing
    assert "rows of bare numbers" in line and "column 2 counts the batches of each epoch under its 'Epoch: 0' line" \
        in line and "nothing names the other" in line
    assert "--columns loss,batch" in line


def test_an_overflowing_number_under_epoch_headers_is_a_clean_refusal(tmp_path):
    """1e999 parses to inf: it is no whole number of a batch count, and no crash either."""
    path = tmp_path / "numbers.txt"
    path.write_text("".join(f"Epoch {e}\n{'1e999' if e == 1 else 1} 0.5\n2 0.4\n3 0.3\n" for e in (1, 2, 3)))
    line = _one_line_refusal(path)
    assert "internal error" not in line and "counts the batches" not in line


def test_every_generated_batch_count_under_epoch_headers_is_refused_with_names_that_read_it(tmp_path):
    """Bare 'value, batch' rows (or 'batch value') under epoch header lines of many forms: the refusal names
    the column as the batch count of each epoch, and the --columns it suggests reads the file to the value
    on fractional epochs (the epoch from the header above each row). The same rows with a counter that never
    starts over are still said to count up (an epoch or a step)."""
    import random

    from traindoc.readers import load

    for seed in range(30):
        rng = random.Random(seed)
        header = rng.choice(["Epoch: {e}", "Epoch {e}", "=== Epoch {e} ===", "[Epoch {e}/{n}]", "epoch {e}", "EPOCH: {e}"])
        sep, first = rng.choice([", ", ",", "\t", " "]), rng.random() < 0.5
        n, per, every = rng.randint(2, 8), rng.randint(3, 9), rng.choice([1, 10, 100])
        start, restart = rng.choice([0, 1]), rng.random() < 0.8
        lines, k = [], 0
        for e in range(n):
            lines.append(header.format(e=e + start, n=n))
            for b in range(per):
                count = (b if restart else k) * every
                value = f"{math.exp(-k / 20) * 2.3:.6g}" if rng.random() < 0.9 else f"{math.exp(-k / 20):.4e}"
                lines.append(f"{count}{sep}{value}" if first else f"{value}{sep}{count}")
                k += 1
        path = tmp_path / f"{seed}" / rng.choice(["train_log.txt", "log.txt", "output.log"])
        path.parent.mkdir(parents=True)
        path.write_bytes(("\r\n" if rng.random() < 0.3 else "\n").join(lines).encode() + rng.choice([b"", b"\n"]))
        line = _one_line_refusal(path)
        col = 1 if first else 2
        if not restart:
            assert f"column {col} counts up (an epoch or a step)" in line, (seed, line)
            continue
        assert f"column {col} counts the batches of each epoch" in line, (seed, line)
        names = line.split("--columns ")[1].split(" ")[0]
        assert names == ("batch,loss" if first else "loss,batch"), (seed, line)
        (run,) = load(path, columns=names).runs
        assert len(run.series["loss"].values) == n * per, seed


def test_headerless_rows_of_listed_curves_are_named_as_such(tmp_path):
    path = tmp_path / "train_log.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        for method, start in (("softmax", 22.5), ("neg_sampling", 6.9), ("hierarchical", 23.8)):
            curve = [round(3.0 + (start - 3.0) * math.exp(-e / 3), 4) for e in range(20)]
            w.writerow([method, 100, 128, 20, 0.01, str(curve), curve[-1]])
    line = _one_line_refusal(path)
    assert "hold a curve as a list" in line and "no header names the columns" in line


def test_prose_is_not_described_as_unnamed_numbers(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("We trained for a while.\nThe model was fine.\nNothing else to say.\n")
    res = _diagnose(path)
    assert res.returncode == 2 and "bare numbers" not in res.stderr and "as a list" not in res.stderr


def test_json_lists_under_model_names_are_refused_naming_them(tmp_path):
    """``json.dump({"Quantum_QVAE": losses_q, "Classical_AE": losses_c}, f)``: two curves keyed by the
    models that made them; nothing says they are losses, so the refusal names the keys."""
    import json

    import numpy as np
    path = tmp_path / "training_history.json"
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        json.dump({"Quantum_QVAE": list(0.3 + 0.5 * np.exp(-np.arange(150) / 20)),
                   "Classical_AE": list(0.45 + 0.05 * rng.random(150))}, f)
    res = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True,
                         timeout=60)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1
    assert "2 list(s) of numbers under names that say no loss or metric ('Quantum_QVAE', 'Classical_AE')" in lines[0]


def test_json_lists_under_a_metric_name_get_no_such_hint(tmp_path):
    from traindoc.readers._unnamed import unnamed_numbers_hint
    import json
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"dice": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "Run_A": [1, 2, 3, 4, 5, 6]}))
    assert unnamed_numbers_hint(path) == ""
    path.write_text(json.dumps({"Run_A": [1, 2, 3, 4, 5, 6]}))
    assert "'Run_A'" in unnamed_numbers_hint(path)


def test_counter_lines_with_an_unnamed_number_are_refused_naming_the_layout(tmp_path):
    """An agent's report printing the mean of each block of episodes beside a bar (no word for the value)."""
    from traindoc.readers._unnamed import unnamed_numbers_hint
    path = tmp_path / "training_progress.txt"
    means = [7.24, 9.77, 9.76, 9.77, 9.78, 9.78, 9.78, 9.79, 9.79, 9.79]
    with open(path, "w") as f:
        f.write("Actor-Critic training progress\n\n")
        for b, m in enumerate(means):
            f.write(f"Episodes {b * 18 + 1:03d}-{b * 18 + 18:03d}: {m:6.2f} {'#' * int(m * 2.2)}\n")
        f.write("\nGreedy policy by state:\n" + "".join(f"State {s}: RIGHT logits=[-1.6, 1.6]\n" for s in range(5)))
    hint = unnamed_numbers_hint(path)
    assert "10 lines each give a counter and a number that nothing names" in hint
    # named on the line, the same report is no such case
    path.write_text("".join(f"epoch {b + 1} loss {1 / (b + 1):.3f}\n" for b in range(10)))
    assert "nothing names" not in unnamed_numbers_hint(path)


def test_every_generated_console_of_printed_arrays_is_refused_with_names_that_read_it(tmp_path):
    """A loop that prints its metrics as one array per epoch ('[0.5234 0.8123]', a list or NumPy array whose
    order only the script knows), alone or under each epoch's tqdm bar: refused in one line saying so, and
    the --columns it suggests (one name per element) reads every element as a series of its own."""
    import random

    from traindoc.readers import load

    for seed in range(30):
        rng = random.Random(seed)
        k, n = rng.randint(2, 5), rng.randint(5, 30)
        sep = rng.choice([" ", ", ", ",", "  "])
        bars = rng.random() < 0.5
        lines = []
        for e in range(n):
            if bars:
                lines.append(f"Epoch {e + 1}/{n}: 100%|██████████| 50/50 [00:03<00:00, 14.2it/s]")
            vals = [math.exp(-e / 7) * (j + 1) for j in range(k)]
            cells = [f"{v:.4f}" if rng.random() < 0.8 else f"{v:.3e}" for v in vals]
            lines.append("[" + sep.join(cells) + "]")
        path = tmp_path / f"{seed}" / rng.choice(["train_log.txt", "output.log", "log.txt"])
        path.parent.mkdir(parents=True)
        path.write_bytes(("\r\n" if rng.random() < 0.3 else "\n").join(lines).encode() + rng.choice([b"", b"\n"]))
        line = _one_line_refusal(path)
        assert f"lines each print an array of {k} numbers that nothing names" in line, (seed, line)
        names = [f"m{j}" for j in range(k)]
        (run,) = load(path, columns=",".join(names)).runs
        assert all(len(run.series[m].values) == n for m in names), seed
        assert math.isclose(run.series["m0"].values[0], 1.0, rel_tol=1e-3), seed


def test_every_generated_json_of_epochs_holding_unnamed_batches_is_refused_as_such(tmp_path):
    """{"ep1": {0: 5.7e5, 1: 4.6e5, ...}, "ep2": {...}} (JSON or a printed dict): the keys are epochs, each
    holding numbers by batch that nothing names: refused saying so, not as names that say no loss."""
    import json
    import random

    for seed in range(20):
        rng = random.Random(seed)
        key = rng.choice(["ep{}", "epoch{}", "epoch_{}", "Epoch {}"])
        n, per = rng.randint(2, 6), rng.randint(5, 40)
        doc = {key.format(e + 1): ({str(b): 1e5 * math.exp(-(e * per + b) / 50) for b in range(per)}
                                   if rng.random() < 0.5 else [1e5 * math.exp(-(e * per + b) / 50) for b in range(per)])
               for e in range(n)}
        text = json.dumps(doc) if rng.random() < 0.6 else repr(doc).replace("'0'", "0")
        path = tmp_path / f"{seed}" / rng.choice(["train_log.json", "history.json", "log.json"])
        path.parent.mkdir(parents=True)
        path.write_text(text)
        line = _one_line_refusal(path)
        assert f"it holds {n} epochs ({key.format(1)!r}" in line and "that nothing names" in line, (seed, line)
