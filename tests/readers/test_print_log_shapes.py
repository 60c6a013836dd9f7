"""Kinds of hand-written training logs people actually leave behind, each written here by the real
writer (``print`` redirected to the file, pandas ``to_csv``/``to_markdown``, the Hugging Face Trainer):

- a value named before a chain of counters ("Loss at epoch 0 and iteration 500 is 0.21");
- a print loop writing "Epoch i/N" and then its values on unindented lines of their own, in plain
  text and in Markdown ("#### Epoch i/N", torch tensors printed without ``.item()``);
- a value printed as a pair with its counter (``print("loss:", (epoch, loss))``);
- best-so-far lines after the end of training ("Best val Loss: 0.04 at epoch 48"): a summary, not
  a record, so no second run;
- a CSV whose cells hold whole histories as lists (``pd.DataFrame([history]).to_csv()``);
- a trainer_state.json whose log_history holds only the end-of-training summary.

Controls: pairs of two fractions are no counter/value pair; a file of prose stays refused.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from traindoc.errors import InputError
from traindoc.readers import load, reader_for
from traindoc.run import Role


def _printed(path, body) -> None:
    with open(path, "w") as fh, contextlib.redirect_stdout(fh):
        body()


def _decay(i: int, start: float = 2.0, floor: float = 0.3) -> float:
    return floor + (start - floor) * math.exp(-i / 6)


def test_value_named_before_a_chain_of_counters(tmp_path):
    path = tmp_path / "loss.txt"

    def body():
        for epoch in range(6):
            for it in (0, 500, 1000):
                k = epoch * 3 + it // 500
                print(f"Loss at epoch {epoch} and iteration {it} is {_decay(k)}")
                print(f"NCE Loss at epoch {epoch} and iteration {it} is {0.9 - 0.5 * math.exp(-k)}")

    _printed(path, body)
    run = load(path).runs[0]
    loss, nce = run.series["loss"], run.series["nce_loss"]
    assert loss.role == Role.TRAIN_LOSS and len(loss) == 18 and len(nce) == 18
    assert np.all(np.diff(loss.steps) > 0)  # iterations counted from 0 in each epoch made global, never repeated
    assert loss.values[0] == pytest.approx(_decay(0))


def _epoch_blocks(n: int, header: str, train_fmt: str, val_fmt: str, extra=None):
    def body():
        for e in range(1, n + 1):
            print(header.format(e=e, n=n))
            if extra:
                print(extra.format(e=e))
            print(train_fmt.format(loss=_decay(e), acc=0.5 + 0.04 * e))
            print(val_fmt.format(loss=_decay(e, 2.2, 0.4), acc=0.45 + 0.04 * e))
            print("New best model saved!" if e % 2 else "")
            print()
        print("Training completed!")
        print(f"Best validation loss: {_decay(n, 2.2, 0.4):.4f}")
        print(f"Final validation accuracy: {0.45 + 0.04 * n:.4f}")

    return body


def test_unindented_values_under_epoch_headers(tmp_path):
    path = tmp_path / "training_log.txt"
    _printed(path, _epoch_blocks(10, "Epoch {e}/{n}", "Train Loss: {loss:.4f}, Train Acc: {acc:.4f}",
                                 "Val Loss: {loss:.4f}, Val Acc: {acc:.4f}", extra="Epoch time: 2{e}.50s"))
    run = load(path).runs[0]
    assert len(load(path).runs) == 1
    for name in ("train_loss", "train_acc", "val_loss", "val_acc"):
        assert list(run.series[name].steps) == list(range(1, 11)), name
    assert run.series["val_loss"].values[-1] == pytest.approx(_decay(10, 2.2, 0.4), abs=1e-4)
    # the best/final lines after the end are a summary, not one-point curves
    assert "best_validation_loss" not in run.series and "final_validation_accuracy" not in run.series
    assert any("best_validation_loss" in n for n in run.meta.notes)


def test_markdown_headers_and_torch_tensors_printed_whole(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "resnet_numbers.md"

    def body():
        print("## Experimental Setup ")
        print("{'train': 1444, 'val': 413}<br> ")
        print("{'optimizer': 'SGD', 'init_lr': 0.01}<br> ")
        print("\n## Training\n")
        for e in range(12):
            print(f"#### Epoch {e}/11")
            acc = torch.tensor(0.3 + 0.04 * e, dtype=torch.float64)
            print(f"train loss: {_decay(e)}, acc: {acc!s}<br>")
            print(f"val loss: {_decay(e, 1.5, 0.5)}, acc: {acc + 0.1!s}<br>")
            print("\n")
        print(" ### Training complete in 16.0m 13.5s")
        print(f" ### Best val acc: {torch.tensor(0.81, dtype=torch.float64)!s}")

    _printed(path, body)
    assert "tensor(" in path.read_text()  # what print wrote
    run = load(path).runs[0]
    assert len(run.series["train_loss"]) == 12 and len(run.series["val_loss"]) == 12
    # the accuracy on the val line is the validation accuracy, not a second training one
    assert run.series["val_acc"].role == Role.VAL_METRIC and len(run.series["val_acc"]) == 12
    assert len(run.series["acc"]) == 12 and run.series["acc"].values[0] == pytest.approx(0.3)
    assert "train" not in run.series and "init_lr" not in run.series  # the settings printed first are no records


def test_markdown_table_of_epochs_from_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tabulate")
    path = tmp_path / "results.md"
    df = pd.DataFrame({"epoch": range(1, 16), "train_loss": [_decay(i) for i in range(15)],
                       "val_loss": [_decay(i, 2.1, 0.5) for i in range(15)], "val_acc": [0.5 + 0.02 * i for i in range(15)]})
    path.write_text("# Training results\n\n" + df.to_markdown(index=False) + "\n")
    run = load(path).runs[0]
    assert list(run.series["val_loss"].steps) == list(range(1, 16))
    assert run.series["train_loss"].values[3] == pytest.approx(_decay(3), rel=1e-5)


def test_markdown_table_of_epochs_from_a_print_loop(tmp_path):
    path = tmp_path / "README_results.md"

    def body():
        print("# Results\n")
        print("| Epoch | Train Loss | Val Loss | Val Acc |")
        print("|------:|-----------:|---------:|--------:|")
        for e in range(1, 16):
            print(f"| {e} | {_decay(e):.4f} | {_decay(e, 2.2, 0.5):.4f} | {50 + 2 * e:.1f}% |")

    _printed(path, body)
    run = load(path).runs[0]
    assert list(run.series["val_loss"].steps) == list(range(1, 16)) and run.series["val_acc"].values[-1] == 80


def test_value_printed_as_a_pair_with_its_counter(tmp_path):
    path = tmp_path / "loss.txt"
    _printed(path, lambda: [print("loss:", (e, 1e7 * _decay(e))) for e in range(20)])
    run = load(path).runs[0]
    s = run.series["loss"]
    assert s.role == Role.TRAIN_LOSS and list(s.steps) == list(range(20))
    assert s.values[0] == pytest.approx(1e7 * _decay(0))


def test_pairs_of_two_fractions_are_no_counter(tmp_path):
    path = tmp_path / "notes.txt"
    _printed(path, lambda: [print("ratio:", (0.1 * e + 0.05, 0.2 * e + 0.05)) for e in range(20)])
    with pytest.raises(InputError, match="not a recognised training log"):
        load(path)


def test_best_so_far_after_the_end_is_no_second_run(tmp_path):
    path = tmp_path / "ResNet18_64.md"

    def body():
        for e in range(1, 31):
            print(f"Epoch {e}/30\n----------")
            print(f"train Loss: {_decay(e):.4f}\ntrain MAE: {5000 * _decay(e):.4f}")
            print(f"val Loss: {_decay(e, 2.1, 0.35):.4f}\nval MAE: {4000 * _decay(e):.4f}\n")
        print("Training complete in 40m 14s")
        print(f"Best val Loss: {_decay(30, 2.1, 0.35):.6f} at epoch 28")
        print(f"Best val MAE: {4000 * _decay(30):.6f} at epoch 28")

    _printed(path, body)
    runs = load(path).runs
    assert len(runs) == 1 and len(runs[0].series["val_loss"]) == 30


def test_list_cells_csv_from_pandas_one_row(tmp_path):
    pd = pytest.importorskip("pandas")
    history = {"loss": [_decay(i) for i in range(18)], "accuracy": [0.5 + 0.02 * i for i in range(18)],
               "val_loss": [_decay(i, 2.2, 0.4) for i in range(18)]}
    path = tmp_path / "history.csv"
    pd.DataFrame([history]).to_csv(path, index=False)
    assert reader_for(path).NAME == "list_cells"
    run = load(path).runs[0]
    assert list(run.series["loss"].steps) == list(range(1, 19)) and run.series["val_loss"].role == Role.VAL_LOSS
    assert run.series["accuracy"].values[-1] == pytest.approx(0.5 + 0.02 * 17)


def test_list_cells_csv_several_rows_are_runs_of_their_own(tmp_path):
    pd = pytest.importorskip("pandas")
    rows = [{"accuracy": [0.7 + 0.01 * i for i in range(18)], "loss": [_decay(i) for i in range(18)]},
            {"accuracy": [0.6 + 0.01 * i for i in range(18)], "loss": [_decay(i, 2.5) for i in range(18)]}]
    path = tmp_path / "history.csv"
    pd.DataFrame(rows).to_csv(path)  # with pandas' row index as the first column
    runs = load(path).runs
    assert len(runs) == 2 and all(len(r.series["loss"]) == 18 for r in runs)
    assert runs[1].series["loss"].values[0] == pytest.approx(2.5)
    assert any("each row is read as a run of its own" in n for n in runs[0].meta.notes)


def test_list_cells_torn_last_row_keeps_the_rows_before(tmp_path):
    pd = pytest.importorskip("pandas")
    rows = [{"loss": [_decay(i) for i in range(10)], "val_loss": [_decay(i, 2.2) for i in range(10)]}] * 3
    path = tmp_path / "history.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    runs = load(path).runs
    assert len(runs) == 2
    assert any("cut while being written" in n for n in runs[0].meta.notes)


def test_hf_trainer_state_with_only_the_summary_is_a_run_too_short_to_judge(tmp_path):
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from transformers import Trainer, TrainingArguments

    from ._hf_toy import toy_data_and_model

    Data, Model = toy_data_and_model()
    args = TrainingArguments(str(tmp_path / "out"), max_steps=6, logging_steps=500, eval_strategy="no", save_strategy="no",
                             per_device_train_batch_size=8, report_to=[], use_cpu=True, disable_tqdm=True)
    transformers.logging.set_verbosity_error()
    trainer = Trainer(model=Model(), args=args, train_dataset=Data(64))
    with contextlib.redirect_stdout(io.StringIO()):
        trainer.train()
    trainer.save_state()
    path = tmp_path / "out" / "trainer_state.json"
    history = json.loads(path.read_text())["log_history"]
    assert len(history) == 1 and "train_loss" in history[0]  # what the real Trainer wrote
    run = load(path).runs[0]
    assert not run.series
    assert any("only the end-of-training summary" in n for n in run.meta.notes)
    assert any(n.startswith("final summary") and "train_loss=" in n for n in run.meta.notes)
    diag = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True)
    assert diag.returncode == 0 and "too-short" in diag.stdout and "Traceback" not in diag.stderr


def test_prose_stays_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("We trained for a while.\nThe model was saved to disk.\nSee the README for details.\n")
    proc = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_values_joined_to_their_names_by_a_verb(tmp_path):
    """"After epoch 3, training loss is 0.53 and validation loss is 0.61": "is" stands for ":"."""
    path = tmp_path / "train.log"
    _printed(path, lambda: [print(f"After epoch {e}, training loss is {_decay(e):.4f} and validation loss is "
                                  f"{_decay(e, 2.2, 0.5):.4f}") for e in range(1, 16)])
    run = load(path).runs[0]
    assert run.series["training_loss"].role == Role.TRAIN_LOSS and run.series["validation_loss"].role == Role.VAL_LOSS
    assert list(run.series["validation_loss"].steps) == list(range(1, 16))


def test_a_split_named_on_the_first_value_carries_to_its_metrics(tmp_path):
    """"epoch 3 val loss 0.61 acc 0.46" under "epoch 3 train loss 0.53 acc 0.56": two accuracies, not
    one series holding both at every epoch."""
    path = tmp_path / "train.log"

    def body():
        for e in range(15):
            print(f"epoch {e} train loss {_decay(e):.4f} acc {0.5 + e / 50:.3f}")
            print(f"epoch {e} val loss {_decay(e, 2.2, 0.5):.4f} acc {0.4 + e / 50:.3f}")

    _printed(path, body)
    run = load(path).runs[0]
    assert len(run.series["acc"]) == 15 and run.series["acc"].values[0] == pytest.approx(0.5)
    assert run.series["val_acc"].role == Role.VAL_METRIC and run.series["val_acc"].values[0] == pytest.approx(0.4)


def test_curves_printed_whole_as_lists(tmp_path):
    path = tmp_path / "output.txt"

    def body():
        print("Training finished.")
        print("train_loss:", [round(_decay(e), 4) for e in range(20)])
        print("val_loss:", [round(_decay(e, 2.2, 0.5), 4) for e in range(20)])

    _printed(path, body)
    run = load(path).runs[0]
    assert list(run.series["train_loss"].steps) == list(range(1, 21)) and run.series["val_loss"].role == Role.VAL_LOSS


def test_a_list_printed_after_per_epoch_lines_repeats_them(tmp_path):
    path = tmp_path / "train.log"

    def body():
        for e in range(1, 11):
            print(f"Epoch {e}: loss={_decay(e):.4f}")
        print("losses =", [round(_decay(e), 4) for e in range(1, 11)])

    _printed(path, body)
    run = load(path).runs[0]
    assert list(run.series) == ["loss"] and len(run.series["loss"]) == 10


def test_settings_printed_as_lists_are_no_curves(tmp_path):
    path = tmp_path / "run.txt"
    _printed(path, lambda: (print("layers = [64, 128, 256]"), print("milestones: [30, 60, 90]")))
    with pytest.raises(InputError, match="not a recognised training log"):
        load(path)


def test_a_printed_keras_history_dict(tmp_path):
    """``print(history.history)`` from a real Keras fit: a Python dict of per-epoch lists on one line."""
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, validation_split=0.25, epochs=6, batch_size=16, verbose=0)
    path = tmp_path / "output.txt"
    _printed(path, lambda: (print("Training done"), print(history.history)))
    assert path.read_text().count("{'") == 1  # what print wrote: a Python dict, not JSON
    run = load(path).runs[0]
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert np.allclose(run.series[name].values, history.history[name]), name
    assert run.series["val_loss"].role == Role.VAL_LOSS


@pytest.mark.parametrize("banner", [
    "python train.py --epochs {n} --batch_size 16 --learning_rate 0.0005",
    "config: epochs={n}, lr=0.0005, batch_size=16"])
def test_a_settings_banner_is_no_run_of_its_own(tmp_path, banner):
    """The command line or config a script echoes before training ("--epochs 5 ... --learning_rate
    1e-3") reads as one record at epoch 5 holding only settings; the epochs that follow start at 1,
    which would make that banner a first "run" with no loss. It is dropped: one run, its epochs intact.
    A log of two real runs keeps both."""
    n = 6
    path = tmp_path / "train.log"

    def body():
        print(banner.format(n=n))
        print("Using device: cpu")
        for e in range(1, n + 1):
            print(f"Epoch {e}/{n}, Train Loss: {_decay(e):.4f}, Val Loss: {_decay(e) * 1.2:.4f}")

    _printed(path, body)
    runs = load(path).runs
    assert len(runs) == 1
    assert runs[0].primary(Role.TRAIN_LOSS) is not None and len(runs[0].primary(Role.TRAIN_LOSS)) == n
    assert runs[0].primary(Role.LR) is None

    twice = tmp_path / "two.log"

    def two():
        for _ in range(2):
            print(banner.format(n=n))
            for e in range(1, n + 1):
                print(f"Epoch {e}/{n}, Train Loss: {_decay(e):.4f}, Val Loss: {_decay(e) * 1.2:.4f}")

    _printed(twice, two)
    assert [len(r.primary(Role.TRAIN_LOSS)) for r in load(twice).runs] == [n, n]


def test_steps_counted_within_each_epoch_under_epoch_headers(tmp_path):
    """The Annotated Transformer's loop prints "[Epoch e] Training ====", then
    "Epoch Step: N | Accumulation Step: A | Loss: x | Tokens / Sec: t | Learning Rate: lr" lines whose
    step starts over in every epoch. The step is placed after the earlier epochs' steps: one run whose
    x keeps going forward, not an unreadable file (or a run per epoch)."""
    path = tmp_path / "training_log.txt"
    epochs, lines_per_epoch = 4, 12

    def body():
        print("Training on device: cpu")
        for e in range(epochs):
            print(f"[Epoch {e}] Training ====")
            for j in range(lines_per_epoch):
                i = e * lines_per_epoch + j
                print(f"Epoch Step: {1 + 40 * j:6d} | Accumulation Step: {1 + 4 * j:3d} | Loss: {_decay(i / 4):6.2f} "
                      f"| Tokens / Sec: {120 + j % 5:7.1f} | Learning Rate: {1e-4 * (1 + j):6.1e}")
            print(f"[Epoch {e}] Validation ====")

    _printed(path, body)
    (run,) = load(path).runs
    loss = run.primary(Role.TRAIN_LOSS)
    assert loss is not None and len(loss) == epochs * lines_per_epoch
    assert np.all(np.diff(loss.steps) > 0)
