"""HF Trainer runs a new user would write: a tiny BERT built from a config (no download) on
generated token sequences, traindoc's callback attached; the Trainer writes trainer_state.json."""
from __future__ import annotations

import os
import sys

import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from traindoc.probes.integrations.huggingface import TraindocCallback

VOCAB, LEN, CLASSES = 60, 12, 4


class Tokens(torch.utils.data.Dataset):
    def __init__(self, n: int, seed: int, shuffle_labels: bool = False):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(5, VOCAB, (n, LEN), generator=g)
        # the class is which of 4 token bands is most frequent in the sequence
        band = (self.x - 5) * CLASSES // (VOCAB - 5)
        counts = torch.stack([(band == c).sum(1) for c in range(CLASSES)], 1).float()
        self.y = (counts + 0.01 * torch.arange(CLASSES)).argmax(1)
        if shuffle_labels:
            self.y = self.y[torch.randperm(n, generator=g)]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "attention_mask": torch.ones(LEN, dtype=torch.long), "labels": self.y[i]}


def acc(p):
    logits, labels = p
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def run(name: str, out: str, lr: float = 5e-4, shuffle_labels: bool = False, epochs: int = 8):
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=32, num_labels=CLASSES)
    model = BertForSequenceClassification(cfg)
    args = TrainingArguments(output_dir=os.path.join(out, name), num_train_epochs=epochs,
                             per_device_train_batch_size=32, per_device_eval_batch_size=128,
                             learning_rate=lr, eval_strategy="epoch", logging_steps=5,
                             save_strategy="no", report_to=[], use_cpu=True, seed=0,
                             disable_tqdm=True)
    tr = Trainer(model=model, args=args, train_dataset=Tokens(1024, 1, shuffle_labels),
                 eval_dataset=Tokens(256, 2), compute_metrics=acc,
                 callbacks=[TraindocCallback(logdir=os.path.join(out, name, "traindoc"))])
    tr.train()
    tr.state.save_to_json(os.path.join(out, name, "trainer_state.json"))


if __name__ == "__main__":
    out = sys.argv[1]
    which = sys.argv[2:] or ["healthy", "lr05", "shuffled"]
    if "healthy" in which:
        run("hf_healthy", out)
    if "lr05" in which:
        run("hf_lr05", out, lr=0.5)
    if "shuffled" in which:
        run("hf_shuffled", out, shuffle_labels=True, epochs=10)
