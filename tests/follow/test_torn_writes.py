"""Torn writes are waited for, never misread: logs written by the real writers, replayed byte range
by byte range into a followed file; after every poll the tailer holds exactly what the reader reads
from the complete records (or lines) written so far, and nothing from the partial one."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from traindoc.errors import InputError
from traindoc.follow.tail_events import TensorBoardTail
from traindoc.follow.tail_lines import LightningTail
from traindoc.follow.tail_mlflow import MlflowStoreTail
from traindoc.follow.tail_whole import WholeTail
from traindoc.readers import hf_trainer_state, lightning_csv, mlflow, tensorboard, text_log

from .conftest import append, assert_same_runs


def _cuts(size: int, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    cuts = sorted({rng.randrange(1, size) for _ in range(n)} | {size})
    return cuts


@pytest.fixture(scope="module")
def event_bytes(tmp_path_factory) -> bytes:
    torch_tb = pytest.importorskip("torch.utils.tensorboard")
    root = tmp_path_factory.mktemp("tb")
    w = torch_tb.SummaryWriter(str(root))
    for i in range(60):
        w.add_scalar("loss", 2.0 / (1 + i) if i != 40 else math.nan, i)
        if i % 10 == 0:
            w.add_scalar("val/acc", 0.1 + i / 100, i)
    w.close()
    (f,) = root.glob("events.out.tfevents.*")
    return f.read_bytes()


def test_event_file_torn_records_are_waited_for(event_bytes, tmp_path):
    followed = tmp_path / "run" / "events.out.tfevents.1.host"
    followed.parent.mkdir()
    followed.write_bytes(b"")
    tail = TensorBoardTail(followed.parent)
    fresh = tmp_path / "fresh" / followed.name
    fresh.parent.mkdir()
    done = 0
    for cut in _cuts(len(event_bytes), 120, seed=1):
        append(followed, event_bytes[done:cut])
        done = cut
        tail.poll()
        fresh.write_bytes(event_bytes[:cut])
        try:
            want = tensorboard.read(fresh.parent)
        except InputError:
            want = []  # no complete scalar record yet
        assert_same_runs(tail.runs(), want, f"cut at byte {cut}")
    assert len(tail.runs()[0].series["loss"]) == 60


def test_event_record_cut_inside_value_is_not_read(event_bytes, tmp_path):
    """Every byte position inside the last records: the partial record never shows up."""
    followed = tmp_path / "events.out.tfevents.2.host"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    tail = TensorBoardTail(followed)
    for cut in range(len(event_bytes) - 200, len(event_bytes) + 1):
        followed.write_bytes(event_bytes[:cut]) if cut == len(event_bytes) - 200 else append(
            followed, event_bytes[cut - 1:cut])
        tail.poll()
        (fresh / followed.name).write_bytes(event_bytes[:cut])
        assert_same_runs(tail.runs(), tensorboard.read(fresh / followed.name), f"cut at byte {cut}")


@pytest.fixture(scope="module")
def lightning_csv_bytes(tmp_path_factory) -> bytes:
    """A real CSVLogger file: sparse rows, a metric that first appears later (header rewrite)."""
    loggers = pytest.importorskip("lightning.pytorch.loggers")
    root = tmp_path_factory.mktemp("pl")
    logger = loggers.CSVLogger(str(root), name="", version=0)
    for step in range(40):
        logger.log_metrics({"train_loss": 1.2345678 / (1 + step), "epoch": step // 10}, step=step)
        if step % 10 == 9:
            logger.log_metrics({"val_loss": 0.9876543 + step / 1000, "epoch": step // 10}, step=step)
        logger.save()
    logger.finalize("success")
    return (root / "version_0" / "metrics.csv").read_bytes()


def test_csv_torn_lines_are_waited_for(lightning_csv_bytes, tmp_path):
    followed = tmp_path / "run" / "metrics.csv"
    followed.parent.mkdir()
    followed.write_bytes(b"")
    tail = LightningTail(followed)
    fresh = tmp_path / "fresh" / "metrics.csv"
    fresh.parent.mkdir()
    done = 0
    for cut in _cuts(len(lightning_csv_bytes), 150, seed=2):
        append(followed, lightning_csv_bytes[done:cut])
        done = cut
        tail.poll()
        complete = lightning_csv_bytes[: lightning_csv_bytes.rfind(b"\n", 0, cut) + 1]
        fresh.write_bytes(complete)
        want = lightning_csv.read(fresh) if complete.count(b"\n") > 1 else []
        assert_same_runs(tail.runs(), want, f"cut at byte {cut}")


def test_csv_rewritten_with_new_header_by_real_logger(tmp_path):
    """Lightning rewrites metrics.csv when a metric first appears; the tail notices and starts over."""
    loggers = pytest.importorskip("lightning.pytorch.loggers")
    logger = loggers.CSVLogger(str(tmp_path), name="", version=0)
    path = tmp_path / "version_0" / "metrics.csv"
    tail = None
    for step in range(30):
        metrics = {"train_loss": 1.0 / (1 + step)}
        if step >= 12:
            metrics["val_loss"] = 0.5 + step / 100
        logger.log_metrics(metrics, step=step)
        logger.save()
        tail = tail or LightningTail(path)
        tail.poll()
        assert_same_runs(tail.runs(), lightning_csv.read(path), f"after step {step}")
    assert "val_loss" in tail.runs()[0].series


def test_mlflow_metric_file_torn_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 keeps the file store behind this switch
    mlflow_lib = pytest.importorskip("mlflow")
    store = tmp_path / "mlruns"
    client = mlflow_lib.MlflowClient(tracking_uri=store.as_uri())
    exp = client.create_experiment("follow")
    run = client.create_run(exp)
    for step in range(5):
        client.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step)
    tail = MlflowStoreTail(store)
    tail.poll()
    assert_same_runs(tail.runs(), mlflow.read(store))
    metric = next(store.rglob("metrics/loss"))
    append(metric, b"1700000000000 0.12")  # half of "0.1234 5\n"
    tail.poll()
    assert len(tail.runs()[0].series["loss"]) == 5
    append(metric, b"34 5\n")
    tail.poll()
    loss = tail.runs()[0].series["loss"]
    assert loss.values[-1] == pytest.approx(0.1234) and loss.steps[-1] == 5
    assert_same_runs(tail.runs(), mlflow.read(store))


def test_trainer_state_half_written_keeps_last_good_reading(tmp_path):
    path = tmp_path / "trainer_state.json"
    state = {"global_step": 4, "log_history": [{"loss": 2.0 - i / 10, "step": i + 1, "epoch": i / 4} for i in range(4)]}
    path.write_text(json.dumps(state))
    tail = WholeTail(hf_trainer_state, path)
    assert tail.poll()
    before = tail.runs()
    state["log_history"].append({"loss": 1.5, "step": 5, "epoch": 1.0})
    text = json.dumps(state)
    path.write_text(text[: len(text) // 2])  # the Trainer is in the middle of rewriting it
    tail._next = 0.0  # no CPU-budget wait: the torn file is read, and must not replace the good reading
    assert not tail.poll()
    assert_same_runs(tail.runs(), before)
    path.write_text(text)
    tail._next = 0.0  # skip the CPU-budget wait
    assert tail.poll()
    assert len(tail.runs()[0].series["loss"]) == 5


def test_text_log_partial_last_line_not_read(tmp_path):
    path = tmp_path / "train.log"
    lines = [f"step {i}: loss {3.0 / (1 + i):.4f}, lr 0.001\n" for i in range(30)]
    path.write_text("".join(lines) + "step 30: loss 0.09")  # "0.0968" still being written
    tail = WholeTail(text_log, path)
    assert tail.poll()
    (run,) = tail.runs()
    assert run.series["loss"].steps[-1] == 29
    assert run.source == str(path)


def _keras_bytes() -> bytes:
    """A Keras CSVLogger file as Keras writes it (csv.DictWriter, "\\r\\n" line ends), two fit() calls appended."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["epoch", "loss", "val_loss"])
    w.writeheader()
    for ep in range(12):
        w.writerow({"epoch": ep, "loss": 1.23456789 / (ep + 1), "val_loss": "NA" if ep % 3 else 0.987654 + ep / 100})
    for ep in range(5):  # append=True: a second fit() from scratch
        w.writerow({"epoch": ep, "loss": 2.5 / (ep + 1), "val_loss": float("nan")})
    return buf.getvalue().encode()


def test_keras_csv_torn_lines_and_appended_runs(tmp_path):
    from traindoc.follow.tail_lines import KerasTail
    from traindoc.readers import keras_csv

    data = _keras_bytes()
    followed = tmp_path / "training.csv"
    followed.write_bytes(b"")
    tail = KerasTail(followed)
    fresh = tmp_path / "fresh" / "training.csv"
    fresh.parent.mkdir()
    done = 0
    for cut in _cuts(len(data), 80, seed=3):
        append(followed, data[done:cut])
        done = cut
        tail.poll()
        complete = data[: data.rfind(b"\n", 0, cut) + 1]
        fresh.write_bytes(complete)
        want = keras_csv.read(fresh) if complete.count(b"\n") > 1 else []
        assert_same_runs(tail.runs(), want, f"cut at byte {cut}")
    assert [r.name.rsplit("/", 1)[-1] for r in tail.runs()] == ["training.csv#1", "training.csv#2"]


def test_replaced_or_truncated_file_is_read_again(tmp_path):
    import os

    path = tmp_path / "metrics.csv"
    path.write_text("step,train_loss\n" + "".join(f"{s},{1.0 / (s + 1)}\n" for s in range(50)))
    tail = LightningTail(path)
    tail.poll()
    assert len(tail.runs()[0].series["train_loss"]) == 50
    new = tmp_path / "new.csv"
    new.write_text("step,train_loss\n" + "".join(f"{s},{5.0 + s}\n" for s in range(60)))
    os.replace(new, path)  # an atomic rewrite: another inode
    tail.poll()
    assert_same_runs(tail.runs(), lightning_csv.read(path))
    path.write_text("step,train_loss\n0,9.0\n")  # truncated in place
    tail.poll()
    assert_same_runs(tail.runs(), lightning_csv.read(path))
    with open(path, "r+") as fh:  # same size, same inode, different bytes before the offset
        fh.write("step,train_loss\n0,8.0\n")
    os.utime(path, ns=(1, 1))
    tail.poll()
    assert list(tail.runs()[0].series["train_loss"].values) == [8.0]


def test_json_lines_table_torn_lines(tmp_path):
    from traindoc.follow.tail_lines import JsonTableTail
    from traindoc.readers import generic_table

    rows = []
    for s in range(40):
        rows.append({"step": s, "loss": 1.0 / (s + 1), "lr": 1e-3, "tag": "x"})
        if s % 10 == 9:
            rows.append({"step": s, "val_loss": "nan" if s == 19 else 0.5 + s / 100})
    rows.append({"step": 25, "loss": 0.123456})  # a resume from step 25
    rows += [{"step": s, "loss": 3.0 - s / 10} for s in range(10)]  # a new run appended
    data = b"".join(json.dumps(r).encode() + b"\n" for r in rows) + b"not json\n"
    followed = tmp_path / "log.jsonl"
    followed.write_bytes(b"")
    tail = JsonTableTail(followed)
    fresh = tmp_path / "fresh" / "log.jsonl"
    fresh.parent.mkdir()
    done = 0
    for cut in _cuts(len(data), 100, seed=4):
        append(followed, data[done:cut])
        done = cut
        tail.poll()
        complete = data[: data.rfind(b"\n", 0, cut) + 1]
        fresh.write_bytes(complete)
        want = generic_table.read(fresh) if complete else []
        assert_same_runs(tail.runs(), want, f"cut at byte {cut}")
    runs = tail.runs()
    assert len(runs) == 2 and runs[0].meta.resume_steps == [25.0]
    assert any("not JSON objects" in n for n in runs[1].meta.notes)


def test_watch_record_followed_from_outside(tmp_path):
    torch = pytest.importorskip("torch")
    import traindoc
    from traindoc.follow.tail_lines import WatchRecordTail
    from traindoc.readers import traindoc_jsonl

    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    with traindoc.watch(model, opt, loss_fn=torch.nn.MSELoss(), logdir=tmp_path / "w", every=2, quiet=True) as doc:
        for step in range(40):
            x = torch.randn(16, 4)
            loss = torch.nn.functional.mse_loss(model(x), x.sum(1, keepdim=True))
            opt.zero_grad()
            loss.backward()
            opt.step()
            doc.step(loss, inputs=x)
    (record,) = (tmp_path / "w").glob("*.traindoc.jsonl")
    data = record.read_bytes()
    followed = tmp_path / record.name
    followed.write_bytes(b"")
    tail = WatchRecordTail(followed)
    fresh = tmp_path / "fresh" / record.name
    fresh.parent.mkdir()
    done = 0
    for cut in _cuts(len(data), 60, seed=5):
        append(followed, data[done:cut])
        done = cut
        tail.poll()
        complete = data[: data.rfind(b"\n", 0, cut) + 1]
        fresh.write_bytes(complete)
        want = traindoc_jsonl.read(fresh) if complete else []
        assert_same_runs(tail.runs(), want, f"cut at byte {cut}")
        for got, ref in zip(tail.runs(), want):
            assert {n: s.role for n, s in got.series.items()} == {n: s.role for n, s in ref.series.items()}
            assert got.meta.notes == ref.meta.notes


def test_keras_history_half_written_keeps_last_good_reading(tmp_path):
    from traindoc.readers import keras_history

    path = tmp_path / "history.json"
    hist = {"loss": [1.0, 0.8, 0.7, 0.6], "val_loss": [1.1, 0.9, 0.85, 0.8]}
    path.write_text(json.dumps(hist))
    tail = WholeTail(keras_history, path)
    assert tail.poll()
    before = tail.runs()
    hist = {k: v + [v[-1] - 0.05] for k, v in hist.items()}
    text = json.dumps(hist)
    path.write_text(text[: len(text) // 2])  # a callback rewriting the history after each epoch, caught halfway
    tail._next = 0.0  # no CPU-budget wait: the torn file is read, and must not replace the good reading
    assert not tail.poll()
    assert_same_runs(tail.runs(), before)
    path.write_text(text)
    tail._next = 0.0
    assert tail.poll()
    assert len(tail.runs()[0].series["loss"]) == 5
