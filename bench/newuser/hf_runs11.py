"""Round 11, Hugging Face Trainer: the tiny BERT from a config and token task of hf_runs9 with settings not
used in rounds 7-10: an inverse_sqrt schedule at a peak rate of 0.1, gradient accumulation (4) with a linear
schedule, cosine_with_restarts (3 cycles). NO_TRAINDOC=1: without the callback (the truth pass).
Usage: hf_runs11.py OUT [RUN ...]. OUT/NAME/{trainer_state.json, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hf_runs import Tokens  # noqa: E402
from hf_runs9 import args, model, run  # noqa: E402

RUNS = {
    "hf11_inverse_sqrt_lr_high": lambda o: run("hf11_inverse_sqrt_lr_high", o, model(),
                                               args(o, "hf11_inverse_sqrt_lr_high", learning_rate=0.1,
                                                    lr_scheduler_type="inverse_sqrt", warmup_steps=30),
                                               Tokens(1024, 1), Tokens(256, 2)),
    "hf11_h_grad_accum": lambda o: run("hf11_h_grad_accum", o, model(),
                                       args(o, "hf11_h_grad_accum", learning_rate=3e-3, gradient_accumulation_steps=4,
                                            per_device_train_batch_size=8, num_train_epochs=10, logging_steps=2,
                                            warmup_steps=4), Tokens(1024, 1), Tokens(256, 2)),
    "hf11_h_cosine_restarts": lambda o: run("hf11_h_cosine_restarts", o, model(),
                                            args(o, "hf11_h_cosine_restarts", learning_rate=2e-3,
                                                 lr_scheduler_type="cosine_with_restarts",
                                                 lr_scheduler_kwargs={"num_cycles": 3}, num_train_epochs=8),
                                            Tokens(1024, 1), Tokens(256, 2)),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
