"""Before/after table of the new-user runs: `traindoc diagnose --json` of each file with two source
trees (e.g. main's src and this branch's), one markdown row per file: verdict and lead finding
(with its first cause, cut short). Usage: table.py OUT_DIR BEFORE_SRC AFTER_SRC."""
from __future__ import annotations

import json
import os
import subprocess
import sys

# (path under OUT_DIR, what a person sees in the run)
RUNS = [
    ("t_healthy", "healthy"), ("t_late_start", "late start (normal: worth a look)"),
    ("t_lr10_sgd", "lr-too-high (SGD lr=10)"), ("t_lr_low", "lr too low (SGD 1e-5)"),
    ("t_no_zero_grad", "zero_grad missing"), ("t_unnormalised", "unnormalised inputs"),
    ("t_softmax_mse", "softmax + MSELoss"), ("t_dead_relu", "dead ReLUs (bias -3)"),
    ("t_sigmoid_saturated", "saturated sigmoids (init x2)"), ("t_vanishing_tanh", "vanishing gradients (deep tanh)"),
    ("t_overfit", "overfitting (120 samples)"), ("t_nan_later", "NaN after a while (LR schedule grows)"),
    ("h_torch_cosine_dropout", "healthy (OneCycle, dropout)"), ("h_torch_binary", "healthy (binary BCE)"),
    ("l_healthy/lightning_logs/version_0/metrics.csv", "healthy"), ("l_healthy/traindoc", "healthy"),
    ("l_overfit/lightning_logs/version_0/metrics.csv", "overfitting"), ("l_lr_low/lightning_logs/version_0/metrics.csv",
                                                                       "lr too low"),
    ("l_lr_low/traindoc", "lr too low"), ("h_lightning_tb_steplr/lightning_logs", "healthy (TensorBoard, StepLR)"),
    ("k_healthy/log.csv", "healthy"), ("k_softmax_mse/traindoc", "softmax + mse"),
    ("k_softmax_mse/log.csv", "softmax + mse (slow learning)"), ("k_lr_high/log.csv", "lr-too-high (SGD 5)"),
    ("k_lr_high/traindoc", "lr-too-high (SGD 5)"), ("k_overfit/log.csv", "overfitting"),
    ("k_unnormalised/log.csv", "unnormalised inputs (x300)"), ("k_unnormalised/traindoc", "unnormalised inputs"),
    ("h_keras_regression_earlystop/log.csv", "healthy (regression, early stop)"),
    ("hf_healthy/trainer_state.json", "healthy (slow)"), ("hf_lr05/trainer_state.json", "lr-too-high (0.5)"),
    ("hf_shuffled/trainer_state.json", "labels shuffled"), ("hft/ok/trainer_state.json", "healthy"),
    ("hft/lr/trainer_state.json", "lr-too-high (0.5)"), ("hft/shuffled/trainer_state.json", "labels shuffled"),
]


def lead(path: str, src: str) -> str:
    env = dict(os.environ, PYTHONPATH=src)
    p = subprocess.run([sys.executable, "-m", "traindoc", "diagnose", path, "--json"], capture_output=True,
                       text=True, env=env)
    try:
        run = json.loads(p.stdout)["runs"][0]
    except (ValueError, KeyError, IndexError):
        return f"rc {p.returncode}: {p.stderr.strip()[:60]}"
    warn = [f for f in run["findings"] if f["severity"] in ("warning", "error")]
    if not warn:
        info = [f["id"] for f in run["findings"]]
        return f"{run.get('verdict')}" + (f" ({', '.join(info)})" if info else "")
    f = warn[0]
    cause = (f.get("causes") or [""])[0][:70].replace("|", "/")
    more = f" +{len(warn) - 1}" if len(warn) > 1 else ""
    return f"{run.get('verdict')}: **{f['id']}**{more}; cause 1: {cause}"


if __name__ == "__main__":
    out, before, after = sys.argv[1:4]
    print("| run | what it is | before | after |\n|---|---|---|---|")
    for rel, what in RUNS:
        path = os.path.join(out, rel)
        if not os.path.exists(path):
            continue
        print(f"| `{rel}` | {what} | {lead(path, before)} | {lead(path, after)} |", flush=True)
