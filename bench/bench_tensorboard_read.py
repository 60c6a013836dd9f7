"""Benchmark: reading a large TensorBoard event file with traindoc, EventAccumulator and tbparse.

Writes one event file of N scalar points (default 1,000,000) in the layout torch's
SummaryWriter produces (simple_value events, four tags), then reads it with each reader in
its own subprocess, so each peak-memory figure is that reader's alone. Prints a markdown
table: wall and CPU seconds, points per second, peak RSS of the process, and peak RSS above
the baseline measured after imports (the memory the read itself needed). CPU time is
reported beside wall time because on a shared machine the wall time of one reader can be
inflated by other jobs; ``--repeat`` keeps each reader's fastest run.

    PYTHONPATH=src python bench/bench_tensorboard_read.py [--points 1000000] [--repeat 1]

Requires tensorboard and tbparse (test extras); traindoc's reader needs neither.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TAGS = ("train/loss", "train/lr", "val/loss", "val/accuracy")


def write_event_file(path: Path, points: int) -> None:
    """Real protobuf Events framed by tensorboard's own RecordWriter."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    with open(path, "wb") as fh:
        writer = RecordWriter(fh)
        writer.write(event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2").SerializeToString())
        for i in range(points):
            value = summary_pb2.Summary.Value(tag=TAGS[i % len(TAGS)], simple_value=1.0 / (i + 1))
            event = event_pb2.Event(wall_time=1.7e9 + i * 0.01, step=i // len(TAGS),
                                    summary=summary_pb2.Summary(value=[value]))
            writer.write(event.SerializeToString())


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _read_traindoc(path: Path) -> int:
    from traindoc.readers.tensorboard import read

    (run,) = read(path)
    return sum(len(s) for s in run.series.values())


def _read_event_accumulator(path: Path) -> int:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(path), size_guidance={"scalars": 0})
    acc.Reload()
    return sum(len(acc.Scalars(tag)) for tag in acc.Tags()["scalars"])


def _read_tbparse(path: Path) -> int:
    from tbparse import SummaryReader

    return len(SummaryReader(str(path)).scalars)


READERS = {"traindoc": _read_traindoc, "EventAccumulator": _read_event_accumulator, "tbparse": _read_tbparse}
IMPORTS = {"traindoc": "traindoc.readers.tensorboard",
           "EventAccumulator": "tensorboard.backend.event_processing.event_accumulator", "tbparse": "tbparse"}


def worker(name: str, path: Path) -> None:
    """Runs in a fresh interpreter: import, note the baseline, read, report as JSON."""
    import importlib

    importlib.import_module(IMPORTS[name])
    import numpy  # noqa: F401  (every reader ends in numpy or pandas; count it in the baseline)

    base = _rss_mb()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    n = READERS[name](path)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    peak = r1.ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"points": n, "seconds": seconds, "cpu": cpu, "peak_mb": peak, "base_mb": base}))


def run_worker(name: str, path: Path) -> dict:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, __file__, "--worker", name, "--file", str(path)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs per reader; the fastest is reported")
    ap.add_argument("--readers", default=",".join(READERS))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help="read this event file instead of writing one")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.file)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / "events.out.tfevents.1700000000.bench"
            t0 = time.perf_counter()
            write_event_file(path, args.points)
            print(f"wrote {args.points:,} scalar points ({path.stat().st_size / 2**20:.1f} MiB) "
                  f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = {}
        for name in args.readers.split(","):
            runs = [run_worker(name, path) for _ in range(args.repeat)]
            results[name] = min(runs, key=lambda r: r["seconds"])
        expected = results.get("traindoc", next(iter(results.values())))["points"]
        print(f"\n{expected:,} scalar points, {path.stat().st_size / 2**20:.1f} MiB event file; "
              f"python {sys.version.split()[0]}\n")
        print("| reader | points | wall s | CPU s | points/s (wall) | points/s (CPU) | peak RSS (MiB) "
              "| RSS above baseline (MiB) | traindoc speed-up (wall / CPU) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        ours = results.get("traindoc")
        for name, r in results.items():
            speed = "-"
            if ours and name != "traindoc":
                speed = f"{r['seconds'] / ours['seconds']:.1f}x / {r['cpu'] / max(ours['cpu'], 1e-9):.1f}x"
            print(f"| {name} | {r['points']:,} | {r['seconds']:.2f} | {r['cpu']:.2f} | "
                  f"{r['points'] / r['seconds']:,.0f} | {r['points'] / max(r['cpu'], 1e-9):,.0f} | "
                  f"{r['peak_mb']:.0f} | {r['peak_mb'] - r['base_mb']:.0f} | {speed} |")
        missing = [n for n, r in results.items() if r["points"] != expected]
        if missing:
            print(f"\nWARNING: point counts differ for {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
