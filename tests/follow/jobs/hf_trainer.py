"""A tiny model trained by the Hugging Face Trainer (NaN filter off, a checkpoint every 5 steps); the
learning rate is huge so the loss goes to NaN. Writes proof.json after the first checkpoint whose
trainer_state.json holds a NaN loss."""

import json
import math
import sys
import time
from pathlib import Path

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments

out = Path(sys.argv[1])
torch.set_num_threads(1)
torch.manual_seed(0)


class Data(torch.utils.data.Dataset):
    def __init__(self, n):
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 8, generator=g)
        self.y = self.x.sum(1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]}


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))

    def forward(self, x, labels=None):
        pred = self.net(x).squeeze(-1)
        return {"loss": torch.nn.functional.mse_loss(pred, labels), "logits": pred}


class Blowup(TrainerCallback):
    def on_step_begin(self, args, state, control, optimizer=None, **kw):
        if state.global_step == 12 and optimizer is not None:
            for g in optimizer.param_groups:
                g["lr"] = 1e5

    def on_save(self, args, state, control, **kw):
        time.sleep(0.3)
        if not (out / "proof.json").exists() and any(
                isinstance(h.get("loss"), float) and math.isnan(h["loss"]) for h in state.log_history):
            (out / "proof.json").write_text(json.dumps({"time": time.time(), "step": state.global_step}))


args = TrainingArguments(output_dir=str(out / "hf"), max_steps=40, per_device_train_batch_size=8, learning_rate=0.01,
                         logging_steps=1, save_steps=5, save_total_limit=2, report_to=[], use_cpu=True,
                         logging_nan_inf_filter=False, disable_tqdm=True, lr_scheduler_type="constant",
                         optim="sgd", dataloader_num_workers=0, max_grad_norm=0.0)
Trainer(model=Model(), args=args, train_dataset=Data(128), callbacks=[Blowup()]).train()
