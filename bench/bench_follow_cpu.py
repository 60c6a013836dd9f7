"""Benchmark: CPU cost of ``traindoc diagnose --follow`` on a large run that keeps growing.

A writer process first writes a TensorBoard event file of ``--steps`` steps (default 1,000,000:
train loss every step, validation loss every 100 — real Event protos framed by tensorboard's own
RecordWriter, flushed as SummaryWriter flushes), then keeps appending ``--rate`` steps per second.
The follower (``diagnose --follow --interval 2``) runs for ``--seconds`` (default 60). Reported:
the follower's CPU time (user + system, from psutil) during the catch-up of the existing steps (until
it has read the backlog's bytes and its first diagnosis is done), and
its share of one core over the steady-state window that follows; the same for the writer, as a
yardstick. With ``--format csv`` the run is a Lightning-style ``metrics.csv`` instead; with
``--format text`` a console log as Python ``logging`` writes it (``bench_follow_poll.py`` times
single polls of such a log against a full re-read).

    PYTHONPATH=src python bench/bench_follow_cpu.py [--steps 1000000] [--seconds 60] [--rate 500] [--format tb|csv|text]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

WRITER = r'''
import math, sys, time
from pathlib import Path
fmt, path, steps, rate, ready = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), Path(sys.argv[5])

def loss(i):
    return 2.5 * (1 + i / 2000) ** -0.5 + 0.05 * math.sin(i * 12.9898) ** 2

if fmt == "tb":
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter
    fh = open(path, "ab")
    rw = RecordWriter(fh)
    rw.write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString())
    def write(i):
        v = [summary_pb2.Summary.Value(tag="train/loss", simple_value=loss(i))]
        rw.write(event_pb2.Event(wall_time=time.time(), step=i, summary=summary_pb2.Summary(value=v)).SerializeToString())
        if i % 100 == 99:
            v = [summary_pb2.Summary.Value(tag="val/loss", simple_value=loss(i) * 1.05)]
            rw.write(event_pb2.Event(wall_time=time.time(), step=i, summary=summary_pb2.Summary(value=v)).SerializeToString())
elif fmt == "text":
    fh = open(path, "a")
    def write(i):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        fh.write(f"{stamp},000 INFO train: step {i}: loss {loss(i):.6f}, lr 0.001\n")
        if i % 100 == 99:
            fh.write(f"{stamp},000 INFO train: step {i}: val_loss {loss(i) * 1.05:.6f}\n")
else:
    fh = open(path, "a")
    fh.write("epoch,step,train_loss,val_loss\n")
    def write(i):
        fh.write(f"{i // 1000},{i},{loss(i):.6f},\n")
        if i % 100 == 99:
            fh.write(f"{i // 1000},{i},,{loss(i) * 1.05:.6f}\n")
for i in range(steps):
    write(i)
fh.flush()
ready.write_text("1")
i = steps
t0 = time.time()
while True:
    target = steps + int((time.time() - t0) * rate)
    while i < target:
        write(i)
        i += 1
    fh.flush()
    time.sleep(0.1)
'''


def cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=500.0, help="steps appended per second while followed")
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--format", choices=["tb", "csv", "text"], default="tb")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "runs" / "big"
        run_dir.mkdir(parents=True)
        log = run_dir / {"tb": "events.out.tfevents.1.bench", "csv": "metrics.csv", "text": "train.log"}[args.format]
        ready = Path(tmp) / "ready"
        t = time.time()
        writer = subprocess.Popen([sys.executable, "-c", WRITER, args.format, str(log), str(args.steps),
                                   str(args.rate), str(ready)], env=env)
        while not ready.exists():
            if writer.poll() is not None:
                sys.exit("writer failed")
            time.sleep(0.2)
        print(f"wrote {args.steps:,} steps ({log.stat().st_size / 1e6:.1f} MB) in {time.time() - t:.0f}s", flush=True)
        wproc = psutil.Process(writer.pid)
        follower = subprocess.Popen([sys.executable, "-m", "traindoc", "diagnose", "--follow", str(run_dir.parent),
                                     "--json", "--interval", str(args.interval)], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        fproc = psutil.Process(follower.pid)
        start = time.time()
        # Catch-up: until the follower has read the whole backlog (its read bytes, from /proc) and then
        # its CPU stops climbing faster than a quarter of a core for one interval (the first diagnosis
        # is done). On a loaded machine a follower still starting up must not count as caught up.
        backlog = log.stat().st_size
        while fproc.io_counters().read_chars < backlog:
            if follower.poll() is not None:
                sys.exit("follower failed")
            time.sleep(0.2)
        last = cpu(fproc)
        while True:
            time.sleep(args.interval)
            now = cpu(fproc)
            if now - last < 0.25 * args.interval:
                break
            last = now
        catchup_wall, catchup_cpu = time.time() - start, cpu(fproc)
        w0, f0, t0 = cpu(wproc), cpu(fproc), time.time()
        rss = fproc.memory_info().rss
        while time.time() - start < args.seconds:
            time.sleep(0.5)
            rss = max(rss, fproc.memory_info().rss)
        window = time.time() - t0
        f_share, w_share = (cpu(fproc) - f0) / window, (cpu(wproc) - w0) / window
        follower.terminate()
        out, _ = follower.communicate(timeout=120)
        writer.kill()
        writer.wait()
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    shown = [e["finding"]["id"] for e in events if e.get("event") == "new"]
    print(json.dumps({
        "format": args.format, "steps_at_start": args.steps, "append_rate_steps_per_s": args.rate,
        "interval_s": args.interval, "catchup_wall_s": round(catchup_wall, 1), "catchup_cpu_s": round(catchup_cpu, 1),
        "steady_window_s": round(window, 1), "follower_cpu_share_of_one_core": round(f_share, 4),
        "writer_cpu_share_of_one_core": round(w_share, 4), "follower_peak_rss_mb": round(rss / 2**20),
        "findings_shown": shown,
    }, indent=2))


if __name__ == "__main__":
    main()
