"""Regenerate the runs bundled for `traindoc demo` (src/traindoc/examples/demo/).

Three real Lightning runs on synthetic data, logged by Lightning's own CSVLogger:
a healthy one, one that overfits a tiny training set, and one whose learning rate is so
high that the loss turns NaN. Needs torch and lightning; seeds make it reproducible.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

OUT = Path(__file__).resolve().parents[1] / "src" / "traindoc" / "examples" / "demo"
NUM_CLASSES = 5


def make_data(n: int, seed: int, noise: float) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(NUM_CLASSES, 20, generator=torch.Generator().manual_seed(0)) * 1.2
    y = torch.randint(0, NUM_CLASSES, (n,), generator=g)
    x = centres[y] + noise * torch.randn(n, 20, generator=g)
    return TensorDataset(x, y)


class Classifier(L.LightningModule):
    def __init__(self, lr: float, hidden: int, optimizer: str, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(20, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, num_classes))
        self.loss = nn.CrossEntropyLoss()

    def _step(self, batch, split: str):
        x, y = batch
        logits = self.net(x)
        loss = self.loss(logits, y)
        acc = (logits.argmax(1) == y).float().mean()
        on_step = split == "train"
        self.log(f"{split}_loss", loss, on_step=on_step, on_epoch=True)
        self.log(f"{split}_acc", acc, on_step=False, on_epoch=True)
        return loss

    def training_step(self, batch, _):
        return self._step(batch, "train")

    def validation_step(self, batch, _):
        self._step(batch, "val")

    def configure_optimizers(self):
        if self.hparams.optimizer == "sgd":
            return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def train(name: str, *, n_train: int, noise: float, lr: float, hidden: int, optimizer: str, epochs: int) -> None:
    L.seed_everything(7, verbose=False)
    model = Classifier(lr=lr, hidden=hidden, optimizer=optimizer)
    train_dl = DataLoader(make_data(n_train, 1, noise), batch_size=16, shuffle=True)
    val_dl = DataLoader(make_data(512, 2, noise), batch_size=256)
    logger = CSVLogger(str(OUT / "_tmp"), name=name, version=0)
    trainer = L.Trainer(max_epochs=epochs, logger=logger, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, log_every_n_steps=2, accelerator="cpu")
    trainer.fit(model, train_dl, val_dl)
    src = OUT / "_tmp" / name / "version_0"
    dest = OUT / name
    dest.mkdir(parents=True, exist_ok=True)
    for f in ("metrics.csv", "hparams.yaml"):
        shutil.copy(src / f, dest / f)


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    train("healthy", n_train=8192, noise=2.0, lr=3e-4, hidden=32, optimizer="adam", epochs=6)
    train("overfitting", n_train=64, noise=3.0, lr=3e-3, hidden=256, optimizer="adam", epochs=60)
    train("lr-too-high", n_train=2048, noise=1.5, lr=1.5, hidden=64, optimizer="sgd", epochs=4)
    shutil.rmtree(OUT / "_tmp")
    return 0


if __name__ == "__main__":
    sys.exit(main())
