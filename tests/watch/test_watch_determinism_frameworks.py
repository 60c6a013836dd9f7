"""Lightning, Hugging Face and Keras callbacks: a seeded run twice gives the same findings, and
the final findings are what ``traindoc diagnose`` says of the logdir.

Each framework trains a tiny classifier whose first layer starts half dead (large negative
biases) at a learning rate high enough to bounce, so there is something to find live.
"""

from __future__ import annotations

import json
import os

import pytest
import torch
from click.testing import CliRunner
from torch import nn

from traindoc.cli import main

os.environ.setdefault("KERAS_BACKEND", "torch")

N, D, H, C = 256, 6, 16, 3


def _data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, D, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return x, y


def _body() -> nn.Sequential:
    net = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, C))
    with torch.no_grad():
        net[0].bias[: H // 2].fill_(-50.0)  # half the hidden units never fire
    return net


def _lightning(logdir, seen):
    pl = pytest.importorskip("lightning.pytorch")
    from traindoc.probes.integrations.lightning import TraindocCallback

    class Net(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = _body()

        def training_step(self, batch, batch_idx):
            return nn.functional.cross_entropy(self.net(batch[0]), batch[1])

        def validation_step(self, batch, batch_idx):
            self.log("val_loss", nn.functional.cross_entropy(self.net(batch[0]), batch[1]))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), 0.5)

    pl.seed_everything(0, verbose=False)
    x, y = _data()
    ds = torch.utils.data.TensorDataset(x, y)
    loader = torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True)
    cb = TraindocCallback(logdir=str(logdir), every=4, quiet=True, on_finding=seen.append)
    trainer = pl.Trainer(max_epochs=4, accelerator="cpu", logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, callbacks=[cb])
    trainer.fit(Net(), loader, torch.utils.data.DataLoader(ds, batch_size=128))
    return cb.findings


class _HFNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = _body()

    def forward(self, features=None, labels=None):
        logits = self.body(features)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


class _Rows(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "labels": self.y[i]}


def _huggingface(logdir, seen):
    transformers = pytest.importorskip("transformers")
    from traindoc.probes.integrations.huggingface import TraindocCallback

    transformers.set_seed(0)
    x, y = _data()
    cb = TraindocCallback(every=4, quiet=True, logdir=str(logdir), on_finding=seen.append)
    args = transformers.TrainingArguments(
        output_dir=str(logdir / "out"), max_steps=64, per_device_train_batch_size=16, learning_rate=0.5,
        optim="sgd", lr_scheduler_type="constant", logging_steps=16, report_to=[], save_strategy="no",
        use_cpu=True, disable_tqdm=True, eval_strategy="steps", eval_steps=16, per_device_eval_batch_size=128,
        remove_unused_columns=False, seed=0, data_seed=0)
    trainer = transformers.Trainer(model=_HFNet(), args=args, train_dataset=_Rows(x, y),
                                   eval_dataset=_Rows(x, y), callbacks=[cb])
    trainer.train()
    return cb.findings


def _keras(logdir, seen):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    from traindoc.probes.integrations.keras import TraindocCallback

    keras.backend.clear_session()  # layer names restart (dense, dense_1): as in a fresh process
    keras.utils.set_random_seed(0)
    x, y = _data()
    x, y = x.numpy(), y.numpy()
    bias = [-50.0] * (H // 2) + [0.0] * (H - H // 2)
    model = keras.Sequential([keras.Input((D,)),
                              keras.layers.Dense(H, activation="relu",
                                                 bias_initializer=keras.initializers.Constant(bias)),
                              keras.layers.Dense(C)])
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    cb = TraindocCallback(every=4, quiet=True, logdir=str(logdir), on_finding=seen.append)
    model.fit(x, y, batch_size=16, epochs=4, validation_data=(x, y), verbose=0, callbacks=[cb])
    return cb.findings


FRAMEWORKS = {"lightning": _lightning, "huggingface": _huggingface, "keras": _keras}


def _json(findings, detected=True):
    out = []
    for f in findings:
        j = f.to_json()
        if not detected:
            j.pop("detected_step", None)
        out.append(j)
    return out


def _offline(logdir) -> list[dict]:
    res = CliRunner().invoke(main, ["diagnose", "--json", "--fail-on", "never", str(logdir)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    runs = data["runs"] if isinstance(data, dict) and "runs" in data else data
    assert len(runs) == 1, [r.get("name") for r in runs]
    return runs[0]["findings"]


def _key(f: dict) -> tuple:
    return f["id"], f["severity"], json.dumps(f["evidence"].get("subject")), f["steps"]


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
def test_callback_seeded_twice_same_findings_and_equal_to_diagnose(tmp_path, framework):
    run = FRAMEWORKS[framework]
    seen_a, seen_b = [], []
    a = run(tmp_path / "a", seen_a)
    b = run(tmp_path / "b", seen_b)
    assert "dead-relu" in {f.id for f in a}, [f.id for f in a]  # there is something to compare
    assert _json(a) == _json(b)
    assert _json(seen_a) == _json(seen_b)  # the live alerts too, in order, with their steps
    for f in a:
        assert isinstance(f.detected_step, int) and all(float(s).is_integer() for s in f.steps)
    live = sorted(map(_key, _json(a, detected=False)))
    assert live == sorted(map(_key, _offline(tmp_path / "a")))
