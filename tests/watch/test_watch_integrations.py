"""The callbacks, each run inside its real framework on a tiny model."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from torch import nn

os.environ.setdefault("KERAS_BACKEND", "torch")


def _data(n=128, d=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return x, y


# --- Lightning ---------------------------------------------------------------------------

def _lightning_module(dead: bool):
    import lightning.pytorch as pl

    class Net(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
            if dead:
                with torch.no_grad():
                    self.net[0].bias.fill_(-50.0)

        def training_step(self, batch, batch_idx):
            x, y = batch
            return nn.functional.cross_entropy(self.net(x), y)

        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val_loss", nn.functional.cross_entropy(self.net(x), y))

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), 1e-2)

    return Net()


@pytest.mark.parametrize("dead", [False, True])
def test_lightning_callback(tmp_path, dead):
    pl = pytest.importorskip("lightning.pytorch")
    from traindoc.probes.integrations.lightning import TraindocCallback

    x, y = _data()
    ds = torch.utils.data.TensorDataset(x, y)
    loader = torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True)
    val = torch.utils.data.DataLoader(ds, batch_size=64)
    cb = TraindocCallback(logdir=str(tmp_path), every=2, quiet=True)
    trainer = pl.Trainer(max_epochs=3, accelerator="cpu", logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, callbacks=[cb],
                         accumulate_grad_batches=2)
    trainer.fit(_lightning_module(dead), loader, val)
    run = cb.doc.store.to_run()
    assert len(run.series["train_loss"]) == trainer.global_step == 12  # one point per optimiser step
    assert "grad_norm/net.0" in run.series and "val_loss" in run.series and "input_mean" in run.series
    problems = {f.id for f in cb.findings if f.severity >= 2}
    if dead:
        assert "dead-relu" in problems
    else:
        assert problems == set(), [f.title for f in cb.findings]
    assert list(tmp_path.glob("*.traindoc.jsonl"))


# --- Hugging Face ------------------------------------------------------------------------

class _HFNet(nn.Module):
    def __init__(self, dead=False):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
        if dead:
            with torch.no_grad():
                self.body[0].bias.fill_(-50.0)

    def forward(self, features=None, labels=None):
        logits = self.body(features)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


class _DictDataset(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "labels": self.y[i]}


@pytest.mark.parametrize("dead", [False, True])
def test_huggingface_callback(tmp_path, dead):
    transformers = pytest.importorskip("transformers")
    from traindoc.probes.integrations.huggingface import TraindocCallback

    x, y = _data()
    cb = TraindocCallback(every=2, quiet=True, logdir=str(tmp_path))
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), max_steps=24, per_device_train_batch_size=16, learning_rate=3e-2,
        logging_steps=4, report_to=[], save_strategy="no", use_cpu=True, disable_tqdm=True,
        eval_strategy="steps", eval_steps=8, per_device_eval_batch_size=64, remove_unused_columns=False)
    trainer = transformers.Trainer(model=_HFNet(dead), args=args, train_dataset=_DictDataset(x, y),
                                   eval_dataset=_DictDataset(x, y), callbacks=[cb])
    trainer.train()
    run = cb.doc.store.to_run()
    assert len(run.series["train_loss"]) == 24
    assert "grad_norm/body.0" in run.series and "update_ratio/body.0" in run.series  # via the optimizer hook
    assert "eval_loss" in run.series and "target_majority_frac" in run.series
    problems = {f.id for f in cb.findings if f.severity >= 2}
    if dead:
        assert "dead-relu" in problems
    else:
        assert problems == set(), [f.title for f in cb.findings]


# --- Keras -------------------------------------------------------------------------------

@pytest.mark.parametrize("broken", [False, True])
def test_keras_callback(tmp_path, broken):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    from traindoc.probes.integrations.keras import TraindocCallback

    x, y = _data()
    x = x.numpy() * (1e4 if broken else 1.0)
    y = y.numpy()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(0.5 if broken else 0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    cb = TraindocCallback(every=1, quiet=True, logdir=str(tmp_path))
    model.fit(x, y, batch_size=32, epochs=3, validation_data=(x, y), verbose=0, callbacks=[cb])
    run = cb.doc.store.to_run()
    assert len(run.series["train_loss"]) == 12
    layer_series = [n for n in run.series if n.startswith("grad_norm/")]
    assert len(layer_series) == 2, run.names()  # one per Dense layer, via the torch backend
    assert "val_loss" in run.series and "update_ratio/" + layer_series[0].split("/", 1)[1] in run.series
    problems = {f.id for f in cb.findings if f.severity >= 2}
    if broken:
        assert problems & {"exploding-gradients", "update-ratio"}, [f.title for f in cb.findings]
    else:
        assert problems == set(), [f.title for f in cb.findings]
