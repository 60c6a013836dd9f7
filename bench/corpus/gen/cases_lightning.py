"""A run trained by a real Lightning Trainer, logged by its CSVLogger and LearningRateMonitor."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from . import data, models
from .registry import case


@case("lightning-trainer-healthy-mlp", 401, healthy=True, allowed=["overfitting"], group="lightning",
      reason="real lightning.Trainer, Adam + StepLR, 12 epochs: losses fall fast and level off; val loss drifts up 8% after its epoch-5 minimum (0.086 -> 0.093) with val acc flat ~0.975: a minor drift, allowed")
def lightning_healthy(out: Path, seed: int) -> Path:
    import lightning as L
    from lightning.pytorch.callbacks import LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger

    L.seed_everything(seed, verbose=False)
    x, y = data.blobs(2000, 20, 5, 0.9, seed)
    tr, va = data.split(x, y, 1600)

    class Module(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = models.mlp(20, 64, 2, 5)

        def training_step(self, batch, _):
            loss = F.cross_entropy(self.net(batch[0]), batch[1])
            self.log("train_loss", loss, on_step=True, on_epoch=True)
            return loss

        def validation_step(self, batch, _):
            logits = self.net(batch[0])
            self.log("val_loss", F.cross_entropy(logits, batch[1]))
            self.log("val_acc", (logits.argmax(-1) == batch[1]).float().mean())

        def configure_optimizers(self):
            opt = torch.optim.Adam(self.parameters(), lr=2e-3)
            return [opt], [torch.optim.lr_scheduler.StepLR(opt, 5, 0.5)]

    dl = lambda d, s: torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*d), batch_size=64, shuffle=s)  # noqa: E731
    logger = CSVLogger(save_dir=str(out), name="lightning_logs", version="")
    trainer = L.Trainer(max_epochs=12, logger=logger, callbacks=[LearningRateMonitor()], enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", devices=1,
                        log_every_n_steps=5)
    trainer.fit(Module(), dl(tr, True), dl(va, False))
    return out / "lightning_logs" / "metrics.csv"
