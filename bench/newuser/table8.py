"""Before/after table of the round-8 new-user runs (RUNS8.md): `traindoc diagnose --json` of each
file a user would point it at, with two source trees. Usage: table8.py OUT_DIR BEFORE_SRC AFTER_SRC."""
from __future__ import annotations

import glob
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from table import lead  # noqa: E402

_T = {"watch": "*.traindoc.jsonl", "tb": "tb", "print": "train.log"}
# (run, what a person sees in it, the entry points read)
RUNS = [
    ("t8_cnn_healthy", "healthy CNN (Adam 1e-3)", _T), ("t8_cnn_adam_lr1", "Adam lr=1 on a CNN", _T),
    ("t8_mlp_sgd_lr10", "SGD lr=10 on an MLP (NaN at step 9)", _T), ("t8_mlp_lr_low", "SGD lr=1e-6", _T),
    ("t8_log_negative", "log-space loss on a linear output (lr 0.5: spikes, no NaN)", _T),
    ("t8_fp16_adam", "model.half() + Adam eps=1e-8 (NaN at step 2)", _T),
    ("t8_dead_relu_bias", "dead ReLUs (bias -10)", _T), ("t8_sigmoid_saturated", "saturated sigmoids (init std 3)", _T),
    ("t8_overfit_tiny", "overfitting (60 rows, 80 epochs)", _T), ("t8_shuffled_labels", "labels shuffled", _T),
    ("t8_unnormalised", "raw pixel-like inputs (mean 128)", _T), ("t8_noisy_val_healthy", "healthy, 30-row validation", _T),
    ("t8_finetune_healthy", "healthy fine-tune (new head, lr 1e-4)", _T), ("t8_late_start", "late start (plateau 16 epochs)", _T),
    ("l8_cnn_healthy_tb", "healthy CNN, TensorBoardLogger", {"tb": "lightning_logs", "watch": "traindoc"}),
    ("l8_cnn_adam_lr1", "Adam lr=1 on a CNN", {"csv": "lightning_logs", "watch": "traindoc"}),
    ("l8_shuffled", "labels shuffled", {"csv": "lightning_logs", "watch": "traindoc"}),
    ("l8_nan_nll", "hand-written softmax NLL: NaN at step 239", {"csv": "lightning_logs", "watch": "traindoc"}),
    ("l8_noisy_val_healthy", "healthy, 30-row validation", {"csv": "lightning_logs", "watch": "traindoc"}),
    ("l8_late_start", "healthy (fast start, val spikes)", {"csv": "lightning_logs", "watch": "traindoc"}),
    *[(k, w, {"csv": "log.csv", "watch": "traindoc"}) for k, w in [
        ("k8_cnn_healthy", "healthy CNN on digits"), ("k8_cnn_adam_lr1", "Adam lr=1 on a CNN"),
        ("k8_mlp_sgd_lr10", "SGD lr=10"), ("k8_lr_low", "SGD lr=1e-5"), ("k8_dead_relu", "dead ReLUs (bias -10)"),
        ("k8_sigmoid_saturated", "saturated sigmoids (init std 4; slow learning)"), ("k8_overfit", "overfitting (50 rows)"),
        ("k8_shuffled", "labels shuffled"), ("k8_unnormalised", "raw pixels 0-256"),
        ("k8_nan_log_negative", "hand-written log loss: NaN in 7 of 10 epochs"),
        ("k8_noisy_val_healthy", "healthy, 40-row validation"),
        ("k8_earlystop_healthy", "healthy, EarlyStopping + ReduceLROnPlateau")]],
    *[(k, w, {"state": "trainer_state.json", "watch": "traindoc"}) for k, w in [
        ("hf8_lr_low", "lr 1e-7"), ("hf8_overfit_tiny", "48 training rows, 40 epochs"),
        ("hf8_noisy_eval_healthy", "healthy, 32-row eval set")]],
]

if __name__ == "__main__":
    out, before, after = sys.argv[1:4]
    print("| run | what it is | read from | before | after |\n|---|---|---|---|---|")
    for name, what, reads in RUNS:
        for kind, pattern in reads.items():
            paths = sorted(glob.glob(os.path.join(out, name, pattern)))
            if paths:
                print(f"| `{name}` | {what} | {kind} | {lead(paths[-1], before)} | {lead(paths[-1], after)} |",
                      flush=True)
