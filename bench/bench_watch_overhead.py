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
``none``. ``--clock cpu`` times each step by the CPU time of the training thread instead of
the wall clock: on a CPU machine shared with other jobs (with --threads 1) the wall clock
mostly measures the wait for a core, the thread's CPU time what the step itself costs.
``--repeats R`` runs the whole interleaved comparison R times and reports each and their
mean/median. ``--baseline-src DIR`` also runs each watch regime with the traindoc package found
in DIR (the ``src`` folder of another checkout, say ``git worktree add /tmp/base main``),
loaded under another name, interleaved in the same run: a change and its baseline measured
under the same load. Usage:

    PYTHONPATH=src python bench/bench_watch_overhead.py [--steps 300] [--threads 1] [--device cpu|cuda]
        [--modes none,watch,watch-every1] [--clock wall|cpu] [--repeats 1] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import importlib.util
import os
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


BASELINE_SUFFIX = " (baseline)"


def load_baseline(src: str):
    """The traindoc package under ``src``, imported as ``traindoc_baseline`` beside the current one
    (its imports are relative, so it runs its own code throughout)."""
    pkg = os.path.join(src, "traindoc")
    spec = importlib.util.spec_from_file_location("traindoc_baseline", os.path.join(pkg, "__init__.py"),
                                                  submodule_search_locations=[pkg])
    if spec is None or spec.loader is None:
        raise SystemExit(f"--baseline-src {src}: expected a folder holding traindoc/__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["traindoc_baseline"] = module
    spec.loader.exec_module(module)
    return module


class Mode:
    """One regime with its own copy of the model, so all regimes can run interleaved step by step."""

    def __init__(self, name: str, model: nn.Module, batch, device, package=None) -> None:
        import traindoc

        traindoc = package or traindoc
        self.label = name + (BASELINE_SUFFIX if package is not None else "")
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

    def step(self, sync, clock=time.perf_counter) -> None:
        x, y = self.data[self.i % len(self.data)]
        self.i += 1
        anomaly = torch.autograd.detect_anomaly(check_nan=True) if self.name == "anomaly" else contextlib.nullcontext()
        sync()
        t0 = clock()
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
        self.times.append(clock() - t0)

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()
        if self.naive is not None:
            self.naive.close()


MODES = ("none", "watch", "watch-every1", "anomaly", "naive-hooks")


def bench(name: str, factory, device, steps: int, warmup: int,
          regimes: tuple[str, ...] = MODES, clock=time.perf_counter,
          baseline=None) -> list[tuple[str, str, float, float, str]]:
    torch.manual_seed(0)
    model, batch = factory()
    model.to(device).train()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    modes = [Mode(m, model, batch, device) for m in regimes]
    if baseline is not None:
        modes += [Mode(m, model, batch, device, baseline) for m in regimes if m.startswith("watch")]
    for i in range(warmup + steps):
        # Round-robin, rotating the order: every regime sees the same machine load.
        for k in range(len(modes)):
            modes[(i + k) % len(modes)].step(sync, clock)
    rows = []
    for m in modes:
        m.close()
        t = m.times[warmup:]
        note = f"every={m.doc.every}" if m.doc is not None else ""
        rows.append((name, m.label, statistics.median(t) * 1e3, statistics.fmean(t) * 1e3, note))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300, help="timed steps per regime")
    ap.add_argument("--warmup", type=int, default=20, help="untimed steps per regime first")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave as is)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="comma-separated regimes to run (none is always included as the baseline)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="wall: perf_counter; cpu: the training thread's CPU time (a shared CPU machine)")
    ap.add_argument("--repeats", type=int, default=1, help="run the interleaved comparison this many times")
    ap.add_argument("--baseline-src", default=None,
                    help="also run the watch regimes with the traindoc package in this src folder (another checkout)")
    args = ap.parse_args(argv)
    baseline = load_baseline(args.baseline_src) if args.baseline_src else None
    regimes = tuple(dict.fromkeys(["none"] + [m for m in args.modes.split(",") if m in MODES]))
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    print(f"device: {device} ({torch.get_num_threads()} threads), torch {torch.__version__}, "
          f"{args.steps} timed steps per regime after {args.warmup} warm-up, interleaved step by step, "
          f"clock: {args.clock}\n")
    overheads: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for rep in range(args.repeats):
        rows = []
        for name, factory in (("small CNN", small_cnn), ("small transformer", small_transformer)):
            rows.extend(bench(name, factory, device, args.steps, args.warmup, regimes, clock, baseline))
        base = {name: med for name, mode, med, _, _ in rows if mode == "none"}
        base_mean = {name: mean for name, mode, _, mean, _ in rows if mode == "none"}
        if args.repeats > 1:
            print(f"repeat {rep + 1} of {args.repeats}")
        print("| model | mode | median step (ms) | overhead (median) | mean step (ms) | overhead (mean) | note |")
        print("|---|---|---:|---:|---:|---:|---|")
        for name, mode, med, mean, note in rows:
            om, oa = 100 * (med / base[name] - 1), 100 * (mean / base_mean[name] - 1)
            overheads.setdefault((name, mode), []).append((om, oa))
            print(f"| {name} | {mode} | {med:.2f} | {om:+.1f}% | {mean:.2f} | {oa:+.1f}% | {note} |")
        print(flush=True)
    if args.repeats > 1:
        print(f"over {args.repeats} repeats: overhead of the median step and of the mean step, each as "
              "mean / median across repeats\n")
        print("| model | mode | overhead (median step) | overhead (mean step) |")
        print("|---|---|---:|---:|")
        for (name, mode), vals in overheads.items():
            if mode == "none":
                continue
            med = [v[0] for v in vals]
            mean = [v[1] for v in vals]
            print(f"| {name} | {mode} | {statistics.fmean(med):+.1f}% / {statistics.median(med):+.1f}% | "
                  f"{statistics.fmean(mean):+.1f}% / {statistics.median(mean):+.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
