"""Round 10, Hugging Face Trainer: the tiny BERT from a config and token task of hf_runs9 with
settings not used in rounds 7-9: a constant rate of 1e-7, constant_with_warmup at 1e-3, and a
polynomial schedule judged on a 32-row evaluation set. NO_TRAINDOC=1: without the callback (the
truth pass). Usage: hf_runs10.py OUT [RUN ...]. OUT/NAME/{trainer_state.json, traindoc/, live.txt}."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hf_runs import Tokens  # noqa: E402
from hf_runs9 import args, model, run  # noqa: E402

RUNS = {
    "hf10_lr_low_constant": lambda o: run("hf10_lr_low_constant", o, model(),
                                          args(o, "hf10_lr_low_constant", learning_rate=1e-7,
                                               lr_scheduler_type="constant"), Tokens(1024, 1), Tokens(256, 2)),
    "hf10_h_constant_warmup": lambda o: run("hf10_h_constant_warmup", o, model(),
                                            args(o, "hf10_h_constant_warmup", learning_rate=1e-3,
                                                 lr_scheduler_type="constant_with_warmup", warmup_steps=40),
                                            Tokens(1024, 1), Tokens(256, 2)),
    "hf10_h_poly_small_eval": lambda o: run("hf10_h_poly_small_eval", o, model(),
                                            args(o, "hf10_h_poly_small_eval", learning_rate=2e-3,
                                                 lr_scheduler_type="polynomial", warmup_steps=20),
                                            Tokens(1024, 1), Tokens(32, 2)),
}

if __name__ == "__main__":
    out = sys.argv[1]
    for n in sys.argv[2:] or list(RUNS):
        RUNS[n](out)
        print("done", n, flush=True)
