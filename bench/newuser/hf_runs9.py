"""Round 9, Hugging Face Trainer: the tiny BERT (from a config) and token task of hf_runs.py with
settings not tried in rounds 7-8: a cosine schedule with warm-up at a far too high peak rate, a
healthy linear warm-up + weight decay run, and a healthy fine-tune (pre-trained on the 4-class task
by a first Trainer, new 2-class head). NO_TRAINDOC=1: without the callback (the truth pass).
OUT/NAME/{trainer_state.json, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

sys.path.insert(0, os.path.dirname(__file__))
from hf_runs import CLASSES, VOCAB, Tokens, acc  # noqa: E402

PLAIN = os.environ.get("NO_TRAINDOC") == "1"


class TwoClass(Tokens):
    """The related task: is the most frequent band one of the upper two?"""

    def __init__(self, n, seed):
        super().__init__(n, seed)
        self.y = (self.y >= 2).long()


def args(out, name, **kw):
    base = dict(output_dir=os.path.join(out, name), num_train_epochs=6, per_device_train_batch_size=16,
                per_device_eval_batch_size=128, learning_rate=5e-4, eval_strategy="epoch", logging_steps=5,
                save_strategy="no", report_to=[], use_cpu=True, seed=0, disable_tqdm=True)
    base.update(kw)
    return TrainingArguments(**base)


def model(labels=CLASSES):
    torch.manual_seed(0)
    return BertForSequenceClassification(BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2,
                                                    num_attention_heads=2, intermediate_size=64,
                                                    max_position_embeddings=32, num_labels=labels))


def run(name, out, m, a, train, evals):
    cbs = []
    if not PLAIN:
        from traindoc.probes.integrations.huggingface import TraindocCallback
        cbs.append(TraindocCallback(logdir=os.path.join(out, name, "traindoc")))
    tr = Trainer(model=m, args=a, train_dataset=train, eval_dataset=evals, compute_metrics=acc, callbacks=cbs)
    tr.train()
    tr.state.save_to_json(os.path.join(out, name, "trainer_state.json"))
    if not PLAIN:
        with open(os.path.join(out, name, "live.txt"), "w") as f:
            for fd in cbs[0].doc.findings:
                f.write(f"{fd.severity.name} {fd.id}: {fd.title} | cause1: {fd.causes[0] if fd.causes else ''}\n")


def hf9_cosine_warmup_lr_high(out):
    """Peak rate 5e-2 (a value meant for SGD) with cosine decay and a 77-step warm-up (20% of 384 steps)."""
    run("hf9_cosine_warmup_lr_high", out, model(),
        args(out, "hf9_cosine_warmup_lr_high", learning_rate=5e-2, lr_scheduler_type="cosine", warmup_steps=77),
        Tokens(1024, 1), Tokens(256, 2))


def hf9_h_warmup_wd(out):
    """Healthy: 3e-3 with 30 warm-up steps, linear decay, weight decay 0.01."""
    run("hf9_h_warmup_wd", out, model(), args(out, "hf9_h_warmup_wd", learning_rate=3e-3, warmup_steps=30,
                                              weight_decay=0.01), Tokens(1024, 1), Tokens(256, 2))


def hf9_h_finetune(out):
    """Healthy fine-tune: pre-train on the 4-class task (a first Trainer, no callback), swap in a new
    2-class head, fine-tune everything at 3e-4 on 512 rows."""
    m = model()
    Trainer(model=m, args=args(out, "hf9_pretrain", logging_steps=50, eval_strategy="no", num_train_epochs=8,
                               learning_rate=3e-3, warmup_steps=30),
            train_dataset=Tokens(1024, 3)).train()
    torch.manual_seed(1)
    m.classifier = torch.nn.Linear(32, 2)
    m.num_labels = m.config.num_labels = 2
    run("hf9_h_finetune", out, m, args(out, "hf9_h_finetune", learning_rate=3e-4, num_train_epochs=5),
        TwoClass(512, 1), TwoClass(256, 2))


RUNS = {f.__name__: f for f in (hf9_cosine_warmup_lr_high, hf9_h_warmup_wd, hf9_h_finetune)}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
