"""Memory of traindoc.watch over a long run, against plain training as the baseline.

Each regime runs in its own fresh process (so one cannot inherit the other's heap): a tiny
MLP trained for ``--steps`` steps (a real SGD step on one step in ten and on every step
the watcher samples, so a million steps fit in minutes; the watcher's per-step path runs on
every step), with ``doc.log`` of a validation loss and an accuracy every ``--log-every``
steps. The resident set size is read at checkpoints after a garbage collection; the table
gives RSS per checkpoint and the growth from the first checkpoint (after warm-up) to the
end. Flat means: the watcher's growth is no larger than plain training's, within allocator
noise. Usage:

    PYTHONPATH=src python bench/bench_watch_memory.py [--steps 1000000] [--log-every 100] [--logdir DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile


def child(regime: str, steps: int, log_every: int, logdir: str | None) -> None:
    import gc

    import psutil
    import torch
    from torch import nn

    import traindoc

    torch.set_num_threads(1)
    torch.manual_seed(0)
    proc = psutil.Process()
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), 1e-3)
    x = torch.randn(16, 8)
    y = torch.randn(16, 1)
    checkpoints = sorted({steps // 10 * k for k in range(1, 11)} | {steps})
    rss: dict[int, int] = {}
    doc = traindoc.watch(model, opt, loss_fn=nn.MSELoss(), logdir=logdir, quiet=True) if regime == "watch" else None
    if doc is not None:
        doc.start()
    every = doc.every if doc is not None else 100
    loss = None
    for i in range(1, steps + 1):
        if loss is None or i % 10 == 0 or i % every in (0, 1):
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
        if doc is not None:
            doc.step(loss)
            if i % log_every == 0:
                doc.log({"val_loss": float(loss.detach()) * 1.1, "val_acc": 0.5})
        if i in checkpoints:
            gc.collect()
            rss[i] = proc.memory_info().rss
    if doc is not None:
        doc.close()
    print(json.dumps(rss))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--logdir", default=None, help="where the watcher writes its record (default: a temp dir)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.steps, args.log_every, args.logdir)
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for regime in ("plain", "watch"):
            cmd = [sys.executable, __file__, "--child", regime, "--steps", str(args.steps),
                   "--log-every", str(args.log_every), "--logdir", args.logdir or tmp]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results[regime] = {int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()}
    steps = sorted(results["plain"])
    print(f"{args.steps} steps, doc.log every {args.log_every} steps; RSS in MB after gc.collect()\n")
    print("| step | plain | watch |")
    print("|---:|---:|---:|")
    for s in steps:
        print(f"| {s} | {results['plain'][s] / 2**20:.1f} | {results['watch'][s] / 2**20:.1f} |")
    first, last = steps[0], steps[-1]
    for regime in ("plain", "watch"):
        grow = (results[regime][last] - results[regime][first]) / 2**20
        print(f"\n{regime}: growth from step {first} to {last}: {grow:+.1f} MB", end="")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
