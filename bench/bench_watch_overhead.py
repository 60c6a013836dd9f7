"""Overhead of traindoc.watch, side by side with the usual alternatives.

For a small CNN and a small transformer, times training steps (forward, loss, backward,
optimizer step) under five regimes, interleaved round by round so that a noisy shared
machine affects them alike:

  none          plain training
  watch         traindoc.watch() with its defaults (adaptive sampling)
  watch-every1  traindoc.watch(every=1): every probe on every step
  anomaly       torch.autograd.detect_anomaly()
  naive-hooks   forward hooks on every module and a per-parameter gradient norm, each read
                with .item() (what a hand-written monitor usually does)

Prints a markdown table of the median (and mean) step time and the overhead against
``none``. Usage:

    PYTHONPATH=src python bench/bench_watch_overhead.py [--steps 300] [--threads 1] [--device cpu|cuda]
        [--modes none,watch,watch-every1]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import statistics
import sys
import time

import torch
from torch import nn


def small_cnn() -> tuple[nn.Module, callable]:
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))

    def batch(device):
        return torch.randn(32, 3, 32, 32, device=device), torch.randint(0, 10, (32,), device=device)
    return model, batch


class SmallTransformer(nn.Module):
    def __init__(self, vocab=256, d=64, layers=2, classes=10):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.1, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, classes)

    def forward(self, tokens):
        return self.head(self.enc(self.emb(tokens)).mean(dim=1))


def small_transformer() -> tuple[nn.Module, callable]:
    def batch(device):
        return torch.randint(0, 256, (16, 32), device=device), torch.randint(0, 10, (16,), device=device)
    return SmallTransformer(), batch


class NaiveHooks:
    """Per-module forward hooks and per-parameter gradient norms, each synchronised with .item()."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.stats: list[float] = []
        self.handles = [m.register_forward_hook(self._hook) for n, m in model.named_modules() if n]

    def _hook(self, mod, args, out):
        if isinstance(out, torch.Tensor) and out.is_floating_point():
            self.stats.append(out.detach().float().mean().item())
            self.stats.append(out.detach().float().std().item())

    def after_backward(self) -> None:
        for p in self.model.parameters():
            if p.grad is not None:
                self.stats.append(p.grad.norm().item())
        self.stats.clear()

    def close(self) -> None:
        for h in self.handles:
            h.remove()


class Mode:
    """One regime with its own copy of the model, so all regimes can run interleaved step by step."""

    def __init__(self, name: str, model: nn.Module, batch, device) -> None:
        import traindoc

        self.name = name
        self.model = copy.deepcopy(model)
        self.opt = torch.optim.Adam(self.model.parameters(), 1e-3)
        self.loss_fn = nn.CrossEntropyLoss()
        self.data = [batch(device) for _ in range(4)]
        self.naive = NaiveHooks(self.model) if name == "naive-hooks" else None
        self.doc = None
        if name == "watch":
            self.doc = traindoc.watch(self.model, self.opt, loss_fn=self.loss_fn, quiet=True)
        elif name == "watch-every1":
            self.doc = traindoc.watch(self.model, self.opt, loss_fn=self.loss_fn, every=1, quiet=True)
        if self.doc is not None:
            self.doc.start()
        self.i = 0
        self.times: list[float] = []

    def step(self, sync) -> None:
        x, y = self.data[self.i % len(self.data)]
        self.i += 1
        anomaly = torch.autograd.detect_anomaly(check_nan=True) if self.name == "anomaly" else contextlib.nullcontext()
        sync()
        t0 = time.perf_counter()
        with anomaly:
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            if self.naive is not None:
                self.naive.after_backward()
            self.opt.step()
            if self.doc is not None:
                self.doc.step(loss, inputs=x, targets=y)
        sync()
        self.times.append(time.perf_counter() - t0)

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()
        if self.naive is not None:
            self.naive.close()


MODES = ("none", "watch", "watch-every1", "anomaly", "naive-hooks")


def bench(name: str, factory, device, steps: int, warmup: int,
          regimes: tuple[str, ...] = MODES) -> list[tuple[str, str, float, float, str]]:
    torch.manual_seed(0)
    model, batch = factory()
    model.to(device).train()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    modes = [Mode(m, model, batch, device) for m in regimes]
    for i in range(warmup + steps):
        # Round-robin, rotating the order: every regime sees the same machine load.
        for k in range(len(modes)):
            modes[(i + k) % len(modes)].step(sync)
    rows = []
    for m in modes:
        m.close()
        t = m.times[warmup:]
        note = f"every={m.doc.every}" if m.doc is not None else ""
        rows.append((name, m.name, statistics.median(t) * 1e3, statistics.fmean(t) * 1e3, note))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300, help="timed steps per regime")
    ap.add_argument("--warmup", type=int, default=20, help="untimed steps per regime first")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave as is)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="comma-separated regimes to run (none is always included as the baseline)")
    args = ap.parse_args(argv)
    regimes = tuple(dict.fromkeys(["none"] + [m for m in args.modes.split(",") if m in MODES]))
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    rows = []
    for name, factory in (("small CNN", small_cnn), ("small transformer", small_transformer)):
        rows.extend(bench(name, factory, device, args.steps, args.warmup, regimes))
    base = {name: med for name, mode, med, _, _ in rows if mode == "none"}
    base_mean = {name: mean for name, mode, _, mean, _ in rows if mode == "none"}
    print(f"device: {device} ({torch.get_num_threads()} threads), torch {torch.__version__}, "
          f"{args.steps} timed steps per regime after {args.warmup} warm-up, interleaved step by step\n")
    print("| model | mode | median step (ms) | overhead (median) | mean step (ms) | overhead (mean) | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, mode, med, mean, note in rows:
        print(f"| {name} | {mode} | {med:.2f} | {100 * (med / base[name] - 1):+.1f}% | {mean:.2f} | "
              f"{100 * (mean / base_mean[name] - 1):+.1f}% | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
