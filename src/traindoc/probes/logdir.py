"""The watcher's record on disk: one JSON-lines file per run, flushed as it grows.

Line 1 names the format and the run; ``series`` lines declare a series and its role before
its first point; ``points`` lines carry one step's values; ``finding`` lines carry findings
as they were raised; ``end`` closes a run that finished. A run killed mid-way (NaN, OOM,
Ctrl-C) leaves every line written up to its last read-back, so its record survives.
Non-finite numbers are written as the strings "nan", "inf", "-inf" (JSON has none).
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

FORMAT_TAG = "traindoc-watch"
FORMAT_VERSION = 1
SUFFIX = ".traindoc.jsonl"


def encode_number(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


class JsonlWriter:
    """Appends records and flushes after each batch, so a crash loses at most one batch."""

    def __init__(self, logdir: str | os.PathLike, run_name: str, meta: dict[str, Any]) -> None:
        self.dir = Path(logdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{run_name}{SUFFIX}"
        n = 1
        while path.exists():
            path = self.dir / f"{run_name}-{n}{SUFFIX}"
            n += 1
        self.path = path
        self.fh = open(path, "w", encoding="utf-8")
        self._write({"traindoc": FORMAT_TAG, "version": FORMAT_VERSION, "kind": "run", "name": run_name,
                     "started": time.time(), "meta": meta})
        self.flush()

    def _write(self, record: dict[str, Any]) -> None:
        self.fh.write(json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n")

    def series(self, name: str, role: str) -> None:
        self._write({"kind": "series", "name": name, "role": role})

    def points(self, step: float, t: float, values: dict[str, float]) -> None:
        self._write({"kind": "points", "step": step, "t": round(t, 4),
                     "v": {k: encode_number(v) for k, v in values.items()}})

    def finding(self, step: float, finding_json: dict[str, Any]) -> None:
        self._write({"kind": "finding", "step": step, "finding": finding_json})

    def meta(self, meta: dict[str, Any]) -> None:
        self._write({"kind": "meta", "meta": meta})

    def end(self, steps: int, status: str) -> None:
        self._write({"kind": "end", "steps": steps, "status": status, "t": time.time()})

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.flush()
            self.fh.close()
