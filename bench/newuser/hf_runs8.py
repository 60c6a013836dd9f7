"""Round 8, Hugging Face Trainer: the tiny BERT and token data of hf_runs.py with other settings
(learning rate far too low, a 48-row training set, a 32-row eval set). OUT/NAME/{trainer_state.json, traindoc/}."""
from __future__ import annotations

import os
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from traindoc.probes.integrations.huggingface import TraindocCallback

sys.path.insert(0, os.path.dirname(__file__))
from hf_runs import CLASSES, VOCAB, Tokens, acc  # noqa: E402


def run(name, out, lr=5e-4, n_train=1024, n_eval=256, epochs=8, logging_steps=5):
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=32, num_labels=CLASSES)
    args = TrainingArguments(output_dir=os.path.join(out, name), num_train_epochs=epochs,
                             per_device_train_batch_size=16, per_device_eval_batch_size=128, learning_rate=lr,
                             eval_strategy="epoch", logging_steps=logging_steps, save_strategy="no", report_to=[],
                             use_cpu=True, seed=0, disable_tqdm=True)
    cb = TraindocCallback(logdir=os.path.join(out, name, "traindoc"))
    tr = Trainer(model=BertForSequenceClassification(cfg), args=args, train_dataset=Tokens(n_train, 1),
                 eval_dataset=Tokens(n_eval, 2), compute_metrics=acc, callbacks=[cb])
    tr.train()
    tr.state.save_to_json(os.path.join(out, name, "trainer_state.json"))
    with open(os.path.join(out, name, "live.txt"), "w") as f:
        for fd in cb.doc.findings:
            f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


RUNS = {
    "hf8_lr_low": lambda o: run("hf8_lr_low", o, lr=1e-7, epochs=4),
    "hf8_overfit_tiny": lambda o: run("hf8_overfit_tiny", o, n_train=48, epochs=40, logging_steps=3),
    "hf8_noisy_eval_healthy": lambda o: run("hf8_noisy_eval_healthy", o, n_eval=32, epochs=6),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
