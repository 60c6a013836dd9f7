"""Benchmark: a 1,000,000-line text log read and diagnosed, against the same numbers as a CSV.

Target (issue 10): the text log within 3x the time of the CSV, memory proportional to the numbers
kept. Both files are generated here from one series of numbers (an LM-like loss, a cosine LR, a
gradient norm, a validation loss every 1,000 steps), written as a python-logging console
(``2024-05-01 10:00:00,123 - INFO - step 100/1000000 | loss 3.1234 | lr 1.0e-04 | grad_norm 1.20``)
and as ``step,loss,lr,grad_norm,val_loss``. Each is loaded and diagnosed in a fresh process so
the peak resident memory of each is its own.

    PYTHONPATH=src python bench/bench_text_log.py [--lines 1000000]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_CHILD = """
import resource, sys, time
t0 = time.perf_counter()
from traindoc.readers import load
from traindoc.rules import diagnose_run
runs = load(sys.argv[1]).runs
t1 = time.perf_counter()
for run in runs:
    diagnose_run(run)
t2 = time.perf_counter()
points = sum(len(s) for r in runs for s in r.series.values())
print(t1 - t0, t2 - t1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, points, len(runs))
"""


def write(n: int, root: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    x = np.arange(1, n + 1)
    t = x / n
    loss = (2.8 + (math.log(50257) - 2.8) * (1 + x / 500) ** -0.5) * np.exp(0.02 * rng.standard_normal(n))
    lr = np.where(t < 0.02, 3e-4 * t / 0.02, 3e-4 * 0.5 * (1 + np.cos(np.pi * (t - 0.02) / 0.98)))
    gn = 1.0 + 0.1 * rng.standard_normal(n) ** 2
    text, csv = root / "train.log", root / "train.csv"
    with open(text, "w") as ft, open(csv, "w") as fc:
        fc.write("step,loss,lr,grad_norm,val_loss\n")
        for i in range(n):
            s = int(x[i])
            sec = s // 10
            stamp = f"2024-05-01 {sec // 3600 % 24:02d}:{sec // 60 % 60:02d}:{sec % 60:02d},{s % 1000:03d}"
            ft.write(f"{stamp} - INFO - step {s}/{n} | loss {loss[i]:.4f} | lr {lr[i]:.3e} | grad_norm {gn[i]:.3f}\n")
            if s % 1000 == 0:
                val = loss[i] * 1.05
                ft.write(f"{stamp} - INFO - validation | step {s} | val_loss {val:.4f}\n")
                fc.write(f"{s},{loss[i]:.4f},{lr[i]:.3e},{gn[i]:.3f},{val:.4f}\n")
            else:
                fc.write(f"{s},{loss[i]:.4f},{lr[i]:.3e},{gn[i]:.3f},NA\n")  # NA: not logged this step
    return text, csv


def measure(path: Path) -> dict:
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, env=env, check=True)
    read_s, diag_s, rss_kb, points, runs = out.stdout.split()
    return {"read_s": float(read_s), "diagnose_s": float(diag_s), "total_s": float(read_s) + float(diag_s),
            "peak_rss_mb": int(rss_kb) / 1024, "points": int(points), "runs": int(runs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        text, csv = write(args.lines, Path(tmp))
        print(f"wrote {args.lines:,} steps in {time.perf_counter() - t0:.1f} s: "
              f"text {text.stat().st_size / 1e6:.0f} MB, csv {csv.stat().st_size / 1e6:.0f} MB")
        res_csv = measure(csv)
        res_txt = measure(text)
    for name, r in (("csv", res_csv), ("text", res_txt)):
        print(f"{name:5s} read {r['read_s']:6.2f} s  diagnose {r['diagnose_s']:6.2f} s  total {r['total_s']:6.2f} s  "
              f"peak RSS {r['peak_rss_mb']:7.1f} MB  points {r['points']:,}  runs {r['runs']}")
    ratio = res_txt["total_s"] / res_csv["total_s"]
    print(f"text/csv time ratio {ratio:.2f} (target <= 3.0); text/csv peak memory ratio "
          f"{res_txt['peak_rss_mb'] / res_csv['peak_rss_mb']:.2f}")
    if res_txt["points"] != res_csv["points"]:
        print(f"WARNING: the text log gave {res_txt['points']:,} points, the CSV {res_csv['points']:,}")


if __name__ == "__main__":
    main()
