"""Benchmark `traindoc diagnose`: one 1,000,000-step run, and a directory of 1,000 small runs.

Targets (from the issue): one run of 1M steps diagnosed in < 2 s; a directory of 1,000 small
runs in < 30 s, reading included. Inputs are generated here. The directory case writes small
CSVs and times `load` + diagnosis end to end when a CSV reader is installed; the in-memory
diagnosis time is always reported.

    PYTHONPATH=src python bench/bench_diagnose.py [--runs 1000] [--steps 1000000]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from traindoc.rules import diagnose_run
from traindoc.run import Run, RunMeta, Series
from traindoc.stats.synthetic import broken, healthy


def big_run(n: int, seed: int = 0) -> Run:
    """An LM-like run: loss from ln(50257), warm-up + cosine LR, per-step noise, a spike, 1/100 val."""
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float)
    t = x / n
    lr = np.where(t < 0.02, 3e-4 * t / 0.02, 3e-4 * 0.5 * (1 + np.cos(np.pi * (t - 0.02) / 0.98)))
    y = 2.8 + (math.log(50257) - 2.8) * (1 + x / 500) ** -0.5
    y *= np.exp(0.02 * rng.standard_normal(n))
    y[n // 2:n // 2 + 50] *= 1.5
    run = Run("big", "<bench>", "bench", meta=RunMeta(vocab_size=50257))
    run.add(Series.named("loss", x, y))
    run.add(Series.named("lr", x, lr))
    vi = np.arange(0, n, 100)
    run.add(Series.named("val_loss", x[vi], y[vi] * 1.05))
    return run


def small_runs(k: int) -> list[Run]:
    kinds = ["sgd", "epoch", "plateau", "warmup-cosine", "classifier"]
    fails = ["overfitting", "divergence", "no-learning", "loss-spikes", "stalled"]
    runs = []
    for i in range(k):
        rng = np.random.default_rng(i)
        runs.append(healthy(rng, kinds[i % 5], n=int(rng.integers(50, 400))) if i % 2 else broken(rng, fails[i % 5]))
    return runs


def write_csvs(runs: list[Run], root: Path) -> None:
    """One CSV per run: step plus one column per series (empty cell where a series was not logged)."""
    for i, run in enumerate(runs):
        names = list(run.series)
        steps = sorted({float(s) for ser in run.series.values() for s in ser.steps})
        index = {s: j for j, s in enumerate(steps)}
        table = [[""] * len(names) for _ in steps]
        for c, name in enumerate(names):
            ser = run.series[name]
            for s, v in zip(ser.steps, ser.values):
                table[index[float(s)]][c] = repr(float(v))
        d = root / f"run{i:04d}"
        d.mkdir()
        with open(d / "metrics.csv", "w") as fh:
            fh.write("step," + ",".join(names) + "\n")
            for s, row in zip(steps, table):
                fh.write(f"{int(s)}," + ",".join(row) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args()

    run = big_run(args.steps)
    diagnose_run(big_run(2000))  # warm imports
    t0 = time.perf_counter()
    findings = diagnose_run(run)
    t1 = time.perf_counter() - t0
    assert not run.meta.notes, run.meta.notes  # a rule that failed would make the timing meaningless
    print(f"one run, {args.steps:,} steps (+LR, {len(run.series['val_loss']):,} val points): "
          f"{t1:.2f} s  [target < 2 s]  findings: {[f.id for f in findings]}")

    runs = small_runs(args.runs)
    t0 = time.perf_counter()
    for r in runs:
        diagnose_run(r)
    t2 = time.perf_counter() - t0
    failed = [n for r in runs for n in r.meta.notes]
    assert not failed, failed[:3]
    print(f"{args.runs} small runs in memory (50-3000 points each): diagnosis {t2:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_csvs(runs, root)
        from traindoc.errors import InputError
        from traindoc.readers import load

        t0 = time.perf_counter()
        try:
            loaded = load(root)
        except InputError as exc:
            print(f"directory end-to-end: skipped (no CSV reader in this checkout: {exc})")
            return
        t_read = time.perf_counter() - t0
        for r in loaded.runs:
            diagnose_run(r)
        t3 = time.perf_counter() - t0
        print(f"directory of {args.runs} CSV runs, read + diagnose: {t3:.2f} s (read {t_read:.2f} s, "
              f"{len(loaded.runs)} runs, {len(loaded.problems)} problems)  [target < 30 s]")


if __name__ == "__main__":
    main()
