"""Benchmark: ``traindoc diagnose --jobs N`` on a folder of many small runs, against ``--jobs 1``.

Generates ``--runs`` (default 10,000) small runs from ``traindoc.stats.synthetic`` (half healthy,
half showing one failure, 50-400 steps) in a mix of formats: Lightning-style ``metrics.csv`` (40%),
JSON lines (20%), Keras-style per-epoch CSV (20%) and TensorBoard event files written with
tensorboard's own RecordWriter (20%). Then runs the CLI on the folder with each job count in its own
process and reports wall time, runs per second and the peak resident memory of the whole process
tree (main process plus workers, sampled by psutil every 50 ms) and the CPU seconds of the tree (so
a speed-up can be told from less work done). Each job count is measured ``--repeat`` times in
alternating order and the medians compared. The JSON outputs must be identical.

    PYTHONPATH=src python bench/bench_fleet.py [--runs 10000] [--jobs 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_diagnose import small_runs  # noqa: E402  (the same generated runs as bench_diagnose)


def _rows(run) -> tuple[list[str], list[tuple[float, dict[str, float]]]]:
    names = list(run.series)
    by_step: dict[float, dict[str, float]] = {}
    for name in names:
        s = run.series[name]
        for x, v in zip(s.steps.tolist(), s.values.tolist()):
            by_step.setdefault(x, {})[name] = v
    return names, sorted(by_step.items())


def write_run(run, d: Path, kind: str) -> None:
    d.mkdir(parents=True)
    names, rows = _rows(run)
    if kind == "csv":
        with open(d / "metrics.csv", "w") as fh:
            fh.write("step," + ",".join(names) + "\n")
            for x, vals in rows:
                fh.write(f"{int(x)}," + ",".join(repr(vals[n]) if n in vals else "" for n in names) + "\n")
    elif kind == "jsonl":
        with open(d / "log.jsonl", "w") as fh:
            for x, vals in rows:
                fh.write(json.dumps({"step": int(x), **{n: (v if np.isfinite(v) else str(v)) for n, v in vals.items()}})
                         + "\n")
    elif kind == "keras":
        with open(d / "training.csv", "w") as fh:
            fh.write("epoch," + ",".join(names) + "\n")
            for i, (_x, vals) in enumerate(rows):
                fh.write(f"{i}," + ",".join(repr(vals.get(n, float("nan"))) for n in names) + "\n")
    else:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter

        with open(d / "events.out.tfevents.1.bench", "wb") as fh:
            rw = RecordWriter(fh)
            rw.write(event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2").SerializeToString())
            for x, vals in rows:
                value = [summary_pb2.Summary.Value(tag=n, simple_value=v) for n, v in vals.items()]
                rw.write(event_pb2.Event(wall_time=1.7e9 + x, step=int(x),
                                         summary=summary_pb2.Summary(value=value)).SerializeToString())


def generate(root: Path, n: int) -> None:
    kinds = ["csv", "csv", "jsonl", "keras", "tb"]
    for i, run in enumerate(small_runs(n)):
        write_run(run, root / f"run{i:05d}", kinds[i % len(kinds)])


def _children_cpu() -> float:
    """CPU seconds of waited-for descendants (the CLI and, through it, its pool workers)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(root: Path, jobs: int, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    with open(out, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "traindoc", "diagnose", str(root), "--json", "--fail-on",
                                 "never", "--jobs", str(jobs)], stdout=fh, stderr=subprocess.DEVNULL, env=env)
        top = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            try:
                tree = [top] + top.children(recursive=True)
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0
    doc = json.loads(out.read_text())
    return {"jobs": jobs, "exit": proc.returncode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "runs": len(doc["runs"]), "runs_per_s": round(len(doc["runs"]) / wall, 1),
            "runs_per_cpu_s": round(len(doc["runs"]) / cpu, 1), "peak_rss_mb": round(peak / 2**20),
            "sha1": hashlib.sha1(out.read_bytes()).hexdigest()[:12]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--repeat", type=int, default=2, help="measurements of each job count, in alternating order")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        t0 = time.perf_counter()
        generate(root, args.runs)
        print(f"generated {args.runs:,} runs in {time.perf_counter() - t0:.0f}s (cores: {os.cpu_count()})", flush=True)
        # Alternating order (1, N, N, 1, ...): neither job count always runs first, on colder caches
        # or a quieter machine. The median of each is compared.
        order = [(1, args.jobs) if k % 2 == 0 else (args.jobs, 1) for k in range(args.repeat)]
        results = []
        for pair in order:
            for j in pair:
                results.append(measure(root, j, Path(tmp) / f"out{j}.json"))
                print(json.dumps(results[-1]), flush=True)
    one = statistics.median(r["wall_s"] for r in results if r["jobs"] == 1)
    many = statistics.median(r["wall_s"] for r in results if r["jobs"] == args.jobs)
    same = len({r["sha1"] for r in results}) == 1
    print(f"speed-up x{one / many:.2f} with --jobs {args.jobs} (median wall {one:.1f}s vs {many:.1f}s, "
          f"{args.repeat} each, cores: {os.cpu_count()}); identical output: {same}")


if __name__ == "__main__":
    main()
