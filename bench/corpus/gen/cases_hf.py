"""Runs trained with a real Hugging Face Trainer on a tiny torch model; trainer_state.json
is written by TrainerState.save_to_json, the same call Trainer uses in checkpoints."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from . import data
from .registry import case


class _Clf(nn.Module):
    """A tiny MLP whose forward speaks the Trainer's dict protocol."""

    def __init__(self, dim: int, classes: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None):
        logits = self.net(x)
        return {"loss": F.cross_entropy(logits, labels), "logits": logits} if labels is not None else {"logits": logits}


class _DS(torch.utils.data.Dataset):
    def __init__(self, x: torch.Tensor, y: torch.Tensor):
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[i], "labels": self.y[i]}


def _train(out: Path, seed: int, lr: float, scheduler: str, warmup_ratio: float, epochs: int) -> Path:
    from transformers import Trainer, TrainingArguments, set_seed

    set_seed(seed)
    x, y = data.blobs(1600, 20, 8, 1.0, seed)
    tr, va = data.split(x, y, 1280)
    out.mkdir(parents=True, exist_ok=True)
    args = TrainingArguments(output_dir=str(out / "tmp"), per_device_train_batch_size=32, per_device_eval_batch_size=64,
                             num_train_epochs=epochs, learning_rate=lr, lr_scheduler_type=scheduler,
                             warmup_steps=int(warmup_ratio * epochs * 40), logging_steps=5, eval_strategy="steps", eval_steps=40,
                             save_strategy="no", report_to=[], seed=seed, use_cpu=True, disable_tqdm=True,
                             dataloader_num_workers=0)
    trainer = Trainer(model=_Clf(20, 8), args=args, train_dataset=_DS(*tr), eval_dataset=_DS(*va))
    trainer.train()
    path = out / "trainer_state.json"
    trainer.state.save_to_json(str(path))
    import shutil

    shutil.rmtree(out / "tmp", ignore_errors=True)
    return path


@case("hf-healthy-warmup-cosine", 301, healthy=True, group="hf",
      reason="HF Trainer, AdamW 1e-3 with 10% warm-up and cosine decay: train and eval loss fall and flatten")
def hf_cos(out: Path, seed: int) -> Path:
    return _train(out, seed, 1e-3, "cosine", 0.1, 8)


@case("hf-healthy-linear-decay", 302, healthy=True, group="hf",
      reason="HF Trainer, default linear decay from 5e-4: steady descent, eval follows train")
def hf_lin(out: Path, seed: int) -> Path:
    return _train(out, seed, 5e-4, "linear", 0.0, 6)


@case("hf-warmup-to-too-high-lr", 303, expected=["lr-too-high"], allowed=["divergence", "stuck-at-chance", "loss-spikes", "nonfinite", "both-rising", "oscillation"],
      group="hf", reason="HF Trainer warming up to lr=1.0 over 30% of training: loss falls early, then rises as the LR climbs and stays high")
def hf_high(out: Path, seed: int) -> Path:
    return _train(out, seed, 1.0, "constant_with_warmup", 0.3, 6)
