"""Round 12, Hugging Face Trainer: the tiny BERT from a config and token task of hf_runs9 with settings not
used in rounds 7-11: plain SGD (optim="sgd") at 3.0 with a cosine schedule and a 40-step warm-up, healthy
label_smoothing_factor 0.1, healthy weight decay 0.1 with a linear schedule and a 64-row evaluation set.
NO_TRAINDOC=1: without the callback (the truth pass).
Usage: hf_runs12.py OUT [RUN ...]. OUT/NAME/{trainer_state.json, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hf_runs import Tokens  # noqa: E402
from hf_runs9 import args, model, run  # noqa: E402

RUNS = {
    "hf12_sgd_cosine_lr_high": lambda o: run("hf12_sgd_cosine_lr_high", o, model(),
                                             args(o, "hf12_sgd_cosine_lr_high", learning_rate=3.0, optim="sgd",
                                                  lr_scheduler_type="cosine", warmup_steps=40),
                                             Tokens(1024, 1), Tokens(256, 2)),
    "hf12_h_label_smoothing": lambda o: run("hf12_h_label_smoothing", o, model(),
                                            args(o, "hf12_h_label_smoothing", learning_rate=2e-3,
                                                 label_smoothing_factor=0.1, warmup_steps=20, num_train_epochs=8),
                                            Tokens(1024, 1), Tokens(256, 2)),
    "hf12_h_wd_small_eval": lambda o: run("hf12_h_wd_small_eval", o, model(),
                                          args(o, "hf12_h_wd_small_eval", learning_rate=2e-3, weight_decay=0.1,
                                               num_train_epochs=8), Tokens(1024, 1), Tokens(64, 2)),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
