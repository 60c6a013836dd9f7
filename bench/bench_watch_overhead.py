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

    PYTHONPATH=src python bench/bench_watch_overhead.py [--rounds 6] [--steps 40] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import contextlib
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


def run_mode(mode: str, model: nn.Module, opt, batch, device, steps: int) -> list[float]:
    import traindoc

    loss_fn = nn.CrossEntropyLoss()
    times: list[float] = []
    naive = NaiveHooks(model) if mode == "naive-hooks" else None
    if mode == "watch":
        ctx = traindoc.watch(model, opt, loss_fn=loss_fn, quiet=True)
    elif mode == "watch-every1":
        ctx = traindoc.watch(model, opt, loss_fn=loss_fn, every=1, quiet=True)
    elif mode == "anomaly":
        ctx = torch.autograd.detect_anomaly(check_nan=True)
    else:
        ctx = contextlib.nullcontext()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    data = [batch(device) for _ in range(4)]
    with ctx as doc:
        for i in range(steps):
            x, y = data[i % len(data)]
            sync()
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            if naive is not None:
                naive.after_backward()
            opt.step()
            if mode.startswith("watch"):
                doc.step(loss, inputs=x, targets=y)
            sync()
            times.append(time.perf_counter() - t0)
    if naive is not None:
        naive.close()
    return times


MODES = ("none", "watch", "watch-every1", "anomaly", "naive-hooks")


def bench(name: str, factory, device, rounds: int, steps: int, warmup: int) -> list[tuple[str, str, float, float]]:
    torch.manual_seed(0)
    model, batch = factory()
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    run_mode("none", model, opt, batch, device, warmup)
    per_mode: dict[str, list[float]] = {m: [] for m in MODES}
    for r in range(rounds):
        order = MODES if r % 2 == 0 else tuple(reversed(MODES))
        for mode in order:
            # Each round's first steps include one-off work (hook set-up, first rules run); they
            # count in the mean, and the median shows the steady state.
            per_mode[mode].extend(run_mode(mode, model, opt, batch, device, steps))
    rows = []
    for mode in MODES:
        t = per_mode[mode]
        rows.append((name, mode, statistics.median(t) * 1e3, statistics.fmean(t) * 1e3))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=40, help="steps per mode per round")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave as is)")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    rows = []
    for name, factory in (("small CNN", small_cnn), ("small transformer", small_transformer)):
        rows.extend(bench(name, factory, device, args.rounds, args.steps, args.warmup))
    base = {name: med for name, mode, med, _ in rows if mode == "none"}
    base_mean = {name: mean for name, mode, _, mean in rows if mode == "none"}
    print(f"device: {device} ({torch.get_num_threads()} threads), torch {torch.__version__}, "
          f"{args.rounds} rounds x {args.steps} steps per mode, interleaved\n")
    print("| model | mode | median step (ms) | overhead (median) | mean step (ms) | overhead (mean) |")
    print("|---|---|---:|---:|---:|---:|")
    for name, mode, med, mean in rows:
        print(f"| {name} | {mode} | {med:.2f} | {100 * (med / base[name] - 1):+.1f}% | {mean:.2f} | "
              f"{100 * (mean / base_mean[name] - 1):+.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
