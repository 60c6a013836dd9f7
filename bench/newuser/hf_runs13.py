"""Round 13, Hugging Face Trainer: the tiny BERT from a config and token task of hf_runs9 with settings not
used in rounds 7-12: optim="adafactor" at a far too high rate, a fine-tuning rate (5e-6) used to train from
scratch, and a healthy run with EarlyStoppingCallback + load_best_model_at_end.
NO_TRAINDOC=1: without the callback (the truth pass).
Usage: hf_runs13.py OUT [RUN ...]. OUT/NAME/{trainer_state.json, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

from transformers import EarlyStoppingCallback

sys.path.insert(0, os.path.dirname(__file__))
import hf_runs9  # noqa: E402
from hf_runs import Tokens  # noqa: E402
from hf_runs9 import args, model, run  # noqa: E402


def run_with(name, out, m, a, train, evals, extra):
    """hf_runs9.run with the user's own callbacks added to the Trainer."""
    orig = hf_runs9.Trainer

    def trainer(*x, callbacks=(), **k):
        return orig(*x, callbacks=[*extra, *callbacks], **k)
    hf_runs9.Trainer = trainer
    try:
        run(name, out, m, a, train, evals)
    finally:
        hf_runs9.Trainer = orig


RUNS = {
    "hf13_adafactor_lr_high": lambda o: run("hf13_adafactor_lr_high", o, model(),
                                            args(o, "hf13_adafactor_lr_high", optim="adafactor", learning_rate=0.3),
                                            Tokens(1024, 1), Tokens(256, 2)),
    "hf13_finetune_lr_from_scratch": lambda o: run("hf13_finetune_lr_from_scratch", o, model(),
                                                   args(o, "hf13_finetune_lr_from_scratch", learning_rate=5e-6),
                                                   Tokens(1024, 1), Tokens(256, 2)),
    "hf13_h_early_stopping": lambda o: run_with(
        "hf13_h_early_stopping", o, model(),
        args(o, "hf13_h_early_stopping", learning_rate=2e-3, num_train_epochs=15, save_strategy="epoch",
             save_total_limit=1, load_best_model_at_end=True, metric_for_best_model="eval_loss"),
        Tokens(1024, 1), Tokens(256, 2), [EarlyStoppingCallback(early_stopping_patience=2)]),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
