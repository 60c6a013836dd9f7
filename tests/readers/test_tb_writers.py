"""The TensorBoard reader on files written by the real writers, checked point by point."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from traindoc.readers import load, read_file
from traindoc.readers import tensorboard as tb
from traindoc.run import Role

N = 60


def _loss(i: int) -> float:
    if i == 10:
        return math.nan
    if i == 20:
        return math.inf
    if i == 21:
        return -math.inf
    return 2.0 / (i + 1)


def _f32(x: float) -> float:
    return float(np.float32(x))


def _assert_values(series, expected: list[float]) -> None:
    got = series.values
    exp = np.array([_f32(v) for v in expected])
    assert got.shape == exp.shape
    assert np.array_equal(np.isnan(got), np.isnan(exp))
    fin = ~np.isnan(exp)
    assert np.array_equal(got[fin], exp[fin])


def _only_run(path: Path):
    result = load(path)
    assert not result.problems, result.problems
    assert len(result.runs) == 1, [r.name for r in result.runs]
    return result.runs[0]


@pytest.fixture(scope="module")
def torch_logdir(tmp_path_factory) -> Path:
    from torch.utils.tensorboard import SummaryWriter

    root = tmp_path_factory.mktemp("torch") / "exp1"
    w = SummaryWriter(str(root))
    for i in range(N):
        w.add_scalar("train/loss", _loss(i), i)
        w.add_scalar("lr", 0.1 * 0.9**i, i, new_style=True)  # TF2-style tensor + "scalars" plugin
        w.add_scalar("val/acc", i / N, i, new_style=True, double_precision=True)
        if i % 10 == 0:
            w.add_scalars("loss", {"train": 1.0 + i, "val": 2.0 + i}, i)
            w.add_histogram("weights", np.arange(10.0) * i, i)
            w.add_image("img", np.zeros((3, 4, 4), dtype=np.uint8), i)
    w.add_text("note", "hello", 0)
    w.add_hparams({"lr": 0.1, "optimizer": "sgd", "num_classes": 10}, {"hparam/best": 0.5}, run_name="hp")
    w.close()
    return root


def test_torch_summarywriter_every_point(torch_logdir: Path) -> None:
    run = _only_run(torch_logdir)
    assert run.format == "tensorboard" and run.name == "exp1"
    loss = run.series["train/loss"]
    assert loss.role == Role.TRAIN_LOSS
    assert list(loss.steps) == list(range(N))
    _assert_values(loss, [_loss(i) for i in range(N)])
    assert np.isposinf(loss.values[20]) and np.isneginf(loss.values[21]) and np.isnan(loss.values[10])
    assert loss.wall_time is not None and np.all(np.diff(loss.wall_time) >= 0)
    _assert_values(run.series["lr"], [0.1 * 0.9**i for i in range(N)])
    assert run.series["lr"].role == Role.LR
    acc = run.series["val/acc"]  # double precision tensor: no float32 rounding
    assert acc.role == Role.VAL_METRIC and np.array_equal(acc.values, [i / N for i in range(N)])
    # add_scalars writes one sub-folder per key: read back as loss/train and loss/val.
    assert run.series["loss/train"].role == Role.TRAIN_LOSS
    assert run.series["loss/val"].role == Role.VAL_LOSS
    assert list(run.series["loss/val"].values) == [2.0 + i for i in range(0, N, 10)]
    # histograms, images and text are skipped, not read as scalars
    assert not {"weights", "img", "note"} & set(run.series)
    # add_hparams: the hparams plugin gives hyper-parameters; its metric lands in the hp/ folder
    assert run.meta.hparams == {"lr": 0.1, "optimizer": "sgd", "num_classes": 10.0}
    assert run.meta.num_classes == 10
    assert list(run.series["hp/hparam/best"].values) == [0.5]


def test_matches_tensorboards_own_reader(torch_logdir: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    event_file = next(torch_logdir.glob("events.out.tfevents.*"))
    from tensorboard.util.tensor_util import make_ndarray

    ea = EventAccumulator(str(event_file), size_guidance={"scalars": 0, "tensors": 0})
    ea.Reload()
    run = read_file(event_file)[0]
    ref = {t: [(e.step, e.value, e.wall_time) for e in ea.Scalars(t)] for t in ea.Tags()["scalars"]}
    ref.update({t: [(e.step, float(make_ndarray(e.tensor_proto)), e.wall_time) for e in ea.Tensors(t)]
                for t in ea.Tags()["tensors"] if t not in ("note/text_summary",)})
    assert sorted(ref) == sorted(run.series)
    for tag, points in ref.items():
        s = run.series[tag]
        assert [p[0] for p in points] == list(s.steps)
        np.testing.assert_array_equal(np.array([p[1] for p in points]), s.values)
        np.testing.assert_array_equal(np.array([p[2] for p in points]), s.wall_time)


def test_tensorboardx(tmp_path: Path) -> None:
    from tensorboardX import SummaryWriter

    w = SummaryWriter(str(tmp_path / "tbx"))
    for i in range(N):
        w.add_scalar("loss", _loss(i), i)
        w.add_scalar("eval/accuracy", i / 100, i * 2)
    w.add_scalars("grad", {"norm": 3.0}, 5)
    w.close()
    run = _only_run(tmp_path / "tbx")
    _assert_values(run.series["loss"], [_loss(i) for i in range(N)])
    acc = run.series["eval/accuracy"]
    assert acc.role == Role.VAL_METRIC and list(acc.steps) == [i * 2 for i in range(N)]
    assert list(run.series["grad/norm"].values) == [3.0]


def test_resumed_run_merges_files_in_time_order(tmp_path: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    logdir = tmp_path / "resumed"
    w = SummaryWriter(str(logdir))
    for i in range(0, 100):
        w.add_scalar("loss", 1.0, i, walltime=1000.0 + i)
    w.close()
    w = SummaryWriter(str(logdir))  # restarted from a checkpoint at step 50
    for i in range(50, 120):
        w.add_scalar("loss", 2.0, i, walltime=2000.0 + i)
    w.close()
    assert len(list(logdir.glob("events.out.tfevents.*"))) == 2
    run = _only_run(logdir)
    loss = run.series["loss"]
    assert len(loss) == 100 + 70  # every point kept, duplicates included
    assert list(loss.steps) == list(range(100)) + list(range(50, 120))
    assert list(loss.values) == [1.0] * 100 + [2.0] * 70
    assert run.meta.resume_steps == [50.0]
    assert any("restarts at step 50" in n for n in run.meta.notes)


def test_lightning_tensorboard_logger(tmp_path: Path) -> None:
    import lightning as L
    import torch
    from lightning.pytorch.loggers import TensorBoardLogger

    class Tiny(L.LightningModule):
        def __init__(self, num_classes: int = 3, lr: float = 0.05):
            super().__init__()
            self.save_hyperparameters()
            self.net = torch.nn.Linear(4, num_classes)

        def training_step(self, batch, _):
            loss = torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])
            self.log("train_loss", loss, on_step=True, on_epoch=False)
            return loss

        def validation_step(self, batch, _):
            self.log("val_loss", torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1]))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

    g = torch.Generator().manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(32, 4, generator=g), torch.randint(0, 3, (32,), generator=g))
    loader = torch.utils.data.DataLoader(data, batch_size=4)
    logger = TensorBoardLogger(str(tmp_path), name="lit")
    trainer = L.Trainer(max_epochs=2, logger=logger, log_every_n_steps=1, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    trainer.fit(Tiny(), loader, loader)
    run = _only_run(tmp_path / "lit")  # the lightning_logs-style parent: version_0 is found beneath
    assert run.name == "version_0"
    train = run.series["train_loss"]
    assert train.role == Role.TRAIN_LOSS and len(train) == 16  # 8 batches x 2 epochs, every step
    assert list(train.steps) == list(range(16))
    val = run.series["val_loss"]
    assert val.role == Role.VAL_LOSS and len(val) == 2
    assert run.meta.hparams["lr"] == 0.05 and run.meta.num_classes == 3


def _tf2_scalar_event(tag: str, value: float, step: int, first: bool, as_content: bool):
    """One TF2-layout scalar: a rank-0 DT_FLOAT tensor; plugin metadata only on a tag's first event."""
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2

    if as_content:
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_content=np.float32(value).tobytes())
    else:
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[value])
    val = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        val.metadata.plugin_data.plugin_name = "scalars"
    return event_pb2.Event(wall_time=time.time(), step=step, summary=summary_pb2.Summary(value=[val]))


def test_keras_layout_tf2_tensor_scalars(tmp_path: Path) -> None:
    """Keras' TensorBoard callback needs TensorFlow; this writes its layout with tensorboard's own writer."""
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    logs = tmp_path / "logs"
    for split, offset in (("train", 0.0), ("validation", 0.5)):
        w = EventFileWriter(str(logs / split))
        for epoch in range(5):
            w.add_event(_tf2_scalar_event("epoch_loss", 1.0 / (epoch + 1) + offset, epoch, epoch == 0, False))
            w.add_event(_tf2_scalar_event("epoch_accuracy", 0.1 * epoch + offset, epoch, epoch == 0, True))
        w.close()
    run = _only_run(logs)
    assert run.name == "logs"
    vloss = run.series["validation/epoch_loss"]
    assert vloss.role == Role.VAL_LOSS and vloss.axis == "epoch"
    _assert_values(vloss, [1.0 / (e + 1) + 0.5 for e in range(5)])
    assert run.series["train/epoch_loss"].role == Role.TRAIN_LOSS
    vacc = run.series["validation/epoch_accuracy"]
    assert vacc.role == Role.VAL_METRIC and vacc.higher_is_better
    _assert_values(vacc, [0.1 * e + 0.5 for e in range(5)])


def test_hugging_face_trainer(tmp_path: Path, monkeypatch) -> None:
    import torch
    from transformers import Trainer, TrainingArguments

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(4, 2)

        def forward(self, x, labels=None):
            logits = self.lin(x)
            return {"loss": torch.nn.functional.cross_entropy(logits, labels), "logits": logits}

    class Data(torch.utils.data.Dataset):
        def __len__(self):
            return 32

        def __getitem__(self, i):
            g = torch.Generator().manual_seed(i)
            return {"x": torch.randn(4, generator=g), "labels": torch.tensor(i % 2)}

    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", str(tmp_path / "tb"))
    args = TrainingArguments(output_dir=str(tmp_path / "out"), report_to=["tensorboard"], max_steps=12,
                             logging_steps=1, per_device_train_batch_size=4, eval_strategy="steps", eval_steps=4,
                             save_strategy="no", use_cpu=True, disable_tqdm=True)
    trainer = Trainer(model=Model(), args=args, train_dataset=Data(), eval_dataset=Data())
    trainer.train()
    logged = [h for h in trainer.state.log_history if "loss" in h]
    run = _only_run(tmp_path / "tb")
    loss = run.series["train/loss"]
    assert loss.role == Role.TRAIN_LOSS
    assert list(loss.steps) == [h["step"] for h in logged]
    np.testing.assert_allclose(loss.values, [h["loss"] for h in logged], rtol=1e-6)
    assert run.meta.hparams["learning_rate"] == args.learning_rate  # from the "args" text summary
    assert run.meta.hparams["max_steps"] == 12
    evals = [h for h in trainer.state.log_history if "eval_loss" in h]
    assert run.series["eval/loss"].role == Role.VAL_LOSS
    assert list(run.series["eval/loss"].steps) == [h["step"] for h in evals]


def test_detectron2_style_output_dir(tmp_path: Path) -> None:
    """detectron2's TensorboardXWriter is torch's SummaryWriter logging its storage keys per iteration."""
    from torch.utils.tensorboard import SummaryWriter

    out = tmp_path / "output"
    w = SummaryWriter(str(out))
    for it in range(19, 200, 20):
        for k, v in (("total_loss", 3.0 - it / 100), ("loss_cls", 1.0), ("loss_box_reg", 0.5), ("lr", 0.02),
                     ("data_time", 0.01)):
            w.add_scalar(k, v, it)
    w.close()
    (out / "last_checkpoint").write_text("model_final.pth")
    run = _only_run(out)
    assert run.series["total_loss"].role == Role.TRAIN_LOSS
    assert run.primary(Role.TRAIN_LOSS).name == "total_loss"
    assert list(run.series["lr"].steps) == list(range(19, 200, 20))
    assert run.series["data_time"].role == Role.OTHER


def test_parent_of_several_runs_yields_each(tmp_path: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    for name in ("a", "b"):
        w = SummaryWriter(str(tmp_path / "runs" / name))
        w.add_scalar("loss", 1.0, 0)
        w.close()
    result = load(tmp_path / "runs")
    assert sorted(r.name for r in result.runs) == ["a", "b"]
    assert tb.sniff(tmp_path / "runs" / "a", b"") and not tb.sniff(tmp_path / "runs", b"")


def test_tensor_dtypes_and_mixed_record_shapes(tmp_path: Path) -> None:
    """Half, bfloat16, int64 and double tensors; events holding several values; all in file order."""
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    def value(tag, **tensor):
        return summary_pb2.Summary.Value(tag=tag, tensor=tensor_pb2.TensorProto(**tensor))

    bf16_bits = int(np.array([1.5], dtype=np.float32).view(np.uint32)[0]) >> 16
    w = EventFileWriter(str(tmp_path / "mixed"))
    for step in range(6):
        # a plain simple_value event (the vector path) ...
        w.add_event(event_pb2.Event(wall_time=100.0 + step, step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="loss", simple_value=float(step))])))
        # ... then one event with several values (the field-by-field path)
        w.add_event(event_pb2.Event(wall_time=100.5 + step, step=step, summary=summary_pb2.Summary(value=[
            summary_pb2.Summary.Value(tag="loss", simple_value=10.0 + step),
            value("half", dtype=types_pb2.DT_HALF, half_val=[int(np.array([0.25 * step], np.float16).view(np.uint16)[0])]),
            value("bf16", dtype=types_pb2.DT_BFLOAT16, half_val=[bf16_bits]),
            value("count", dtype=types_pb2.DT_INT64, int64_val=[-step]),
            value("dbl", dtype=types_pb2.DT_DOUBLE, tensor_content=np.float64(step / 3).tobytes()),
            value("vector", dtype=types_pb2.DT_FLOAT, float_val=[1.0, 2.0],
                  tensor_shape={"dim": [{"size": 2}]}),  # not a scalar: skipped
        ])))
    w.close()
    run = _only_run(tmp_path / "mixed")
    loss = run.series["loss"]
    assert list(loss.values) == [v for s in range(6) for v in (float(s), 10.0 + s)]
    assert list(loss.wall_time) == [t for s in range(6) for t in (100.0 + s, 100.5 + s)]
    assert list(run.series["half"].values) == [0.25 * s for s in range(6)]
    assert list(run.series["bf16"].values) == [1.5] * 6
    assert list(run.series["count"].values) == [-s for s in range(6)]
    assert list(run.series["dbl"].values) == [s / 3 for s in range(6)]
    assert "vector" not in run.series


def test_every_point_kept_beyond_tensorboards_sample_size(tmp_path: Path) -> None:
    """TensorBoard keeps a 1,000-point reservoir per tag by default; traindoc keeps all points."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    n = 5000
    path = tmp_path / "many" / "events.out.tfevents.1.host"
    path.parent.mkdir()
    with open(path, "wb") as fh:
        writer = RecordWriter(fh)
        for i in range(n):
            event = event_pb2.Event(wall_time=1e9 + i, step=i * 300, summary=summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag="loss" if i % 2 else "val_loss", simple_value=i * 0.5)]))
            writer.write(event.SerializeToString())
    run = read_file(path)[0]
    assert len(run.series["loss"]) == len(run.series["val_loss"]) == n // 2
    assert list(run.series["loss"].steps) == [i * 300 for i in range(1, n, 2)]  # multi-byte step varints
    assert list(run.series["val_loss"].values) == [i * 0.5 for i in range(0, n, 2)]
    assert list(run.series["loss"].wall_time) == [1e9 + i for i in range(1, n, 2)]
