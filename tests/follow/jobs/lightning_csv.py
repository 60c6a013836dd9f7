"""A tiny Lightning classifier logged with CSVLogger (flushed every step); the LR jumps at step 40
so the loss goes to NaN. Writes proof.json once a NaN loss row is in metrics.csv."""

import json
import math
import sys
import time
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.loggers import CSVLogger

out = Path(sys.argv[1])
torch.set_num_threads(1)
L.seed_everything(0, verbose=False)


class Tiny(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3))

    def training_step(self, batch, _):
        if self.global_step == 40:
            for g in self.optimizers().optimizer.param_groups:
                g["lr"] = 1e6
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.net(x) * 10, y)
        self.log("train_loss", loss, on_step=True)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.05)


class Proof(L.Callback):
    def on_train_batch_end(self, trainer, *_):
        time.sleep(0.02)
        path = Path(trainer.logger.log_dir) / "metrics.csv"
        if not (out / "proof.json").exists() and path.exists() and "nan" in path.read_text():
            (out / "proof.json").write_text(json.dumps({"time": time.time(), "step": trainer.global_step}))


x = torch.randn(512, 8)
y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16, shuffle=True)
trainer = L.Trainer(max_steps=100, logger=CSVLogger(str(out / "pl"), name="job", flush_logs_every_n_steps=1),
                    callbacks=[Proof()], enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, log_every_n_steps=1, accelerator="cpu")
trainer.fit(Tiny(), loader)
