"""Benchmark: the cost of one ``--follow`` poll of a text log is O(bytes appended), not O(file).

For each size N (default 10^5, 3x10^5 and 10^6 lines) a console log as Python ``logging`` writes
it (timestamp, level, ``step i: loss …, lr …``, a validation line every 100 steps) is written, a
``follow.tail_text.TextTail`` catches up with it, and then ``--append`` lines at a time are added
and one poll timed (median of ``--repeats``). The named baseline, in the same run on the same
file, is a full re-read by the reader (``text_log.read``, what the follower did before: re-read
whole on each change). Also shown: the bytes each poll read, and the cost of building the runs
from the kept parser state (done only when the loop diagnoses, at most 5% of one core: O(N), like
the diagnosis itself).

    PYTHONPATH=src python bench/bench_follow_poll.py [--sizes 100000,300000,1000000] [--append 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

from traindoc.follow.tail_text import TextTail
from traindoc.readers import text_log


def _lines(start: int, stop: int) -> str:
    out = []
    for i in range(start, stop):
        loss = 2.5 * (1 + i / 2000) ** -0.5 + 0.05 * math.sin(i * 12.9898) ** 2
        out.append(f"2026-12-05 10:{i // 60 % 60:02d}:{i % 60:02d},{i % 1000:03d} INFO train: "
                   f"step {i}: loss {loss:.6f}, lr 0.001\n")
        if i % 100 == 99:
            out.append(f"2026-12-05 10:{i // 60 % 60:02d}:{i % 60:02d},{i % 1000:03d} INFO train: "
                       f"step {i}: val_loss {loss * 1.05:.6f}\n")
    return "".join(out)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(size: int, append: int, repeats: int, tmp: Path) -> dict:
    path = tmp / f"train_{size}.log"
    with open(path, "w") as fh:
        for start in range(0, size, 100_000):
            fh.write(_lines(start, min(size, start + 100_000)))
    tail = TextTail(path)
    read = [0]
    original = tail.cursor.read

    def counting(*a, **k):
        chunk = original(*a, **k)
        read[0] += len(chunk.data) if chunk is not None else 0
        return chunk

    tail.cursor.read = counting
    catchup = _timed(tail.poll)
    polls, appended, per_poll_read = [], [], []
    step = size
    for _ in range(repeats):
        text = _lines(step, step + append).encode()
        step += append
        with open(path, "ab") as fh:
            fh.write(text)
        read[0] = 0
        polls.append(_timed(lambda: tail.poll()))
        appended.append(len(text))
        per_poll_read.append(read[0])
    idle = statistics.median(_timed(tail.poll) for _ in range(repeats))  # nothing new: one stat
    build = _timed(tail.runs)
    reread = _timed(lambda: text_log.read(path))
    runs_tail, runs_full = tail.runs(), text_log.read(path)
    same = [(s.name, s.steps.tolist(), s.values.tolist()) for r in runs_tail for s in r.series.values()] == \
           [(s.name, s.steps.tolist(), s.values.tolist()) for r in runs_full for s in r.series.values()]
    poll = statistics.median(polls)
    return {
        "lines": size, "file_mb": round(path.stat().st_size / 1e6, 1),
        "appended_bytes_per_poll": int(statistics.median(appended)),
        "bytes_read_per_poll": int(statistics.median(per_poll_read)),
        "poll_ms": round(poll * 1e3, 2), "idle_poll_ms": round(idle * 1e3, 3),
        "baseline_full_reread_ms": round(reread * 1e3, 1), "reread_over_poll": round(reread / poll, 1),
        "catchup_ms": round(catchup * 1e3, 1), "build_runs_ms": round(build * 1e3, 1),
        "same_as_one_shot_read": same,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--append", type=int, default=1000, help="lines appended before each timed poll")
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, args.append, args.repeats, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    first, last = rows[0], rows[-1]
    print(json.dumps({
        "file_grew_x": round(last["file_mb"] / first["file_mb"], 1),
        "poll_time_grew_x": round(last["poll_ms"] / first["poll_ms"], 2),
        "full_reread_grew_x": round(last["baseline_full_reread_ms"] / first["baseline_full_reread_ms"], 1),
    }))


if __name__ == "__main__":
    main()
