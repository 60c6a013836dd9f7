"""Many runs at once: reading and diagnosis spread over worker processes (``diagnose --jobs N``).

The main process only lists the logs (the same decisions as a folder scan, via
``follow.discover``, without reading them); each worker reads one log and diagnoses its runs, and
sends back the runs with their findings. Results come back in scan order, so the output is the
same as with one process. Problems (unreadable files) come back as text and are reported as a
sequential scan reports them.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import InputError
from .findings import Finding
from .run import Run

Results = list[tuple[Run, list[Finding]]]
_MISSING = "no such file or directory (expected a training log file or a folder of them)"


def list_logs(paths) -> tuple[list[Path], list[InputError]]:
    """The log files and run folders under ``paths``, in the order a folder scan reads them."""
    from .follow.discover import Discovery

    units: list[Path] = []
    problems: list[InputError] = []
    for p in paths:
        root = Path(p)
        if not root.exists():
            raise InputError(root, _MISSING)
        if root.is_file():
            units.append(root)  # read even if no reader claims it: the worker says why, as diagnose does
            continue
        found = Discovery().sources([root])
        if not found:
            problems.append(InputError(root, "directory holds no training logs"))
        units.extend(src.path for src in found)
    return units, problems


def _work(path: str, overrides: dict[str, str]) -> tuple[str, object]:
    """In a worker: read one log and diagnose its runs; errors come back as (path, problem)."""
    from .readers import read_file
    from .rules import diagnose_run

    try:
        runs = read_file(Path(path))
    except InputError as exc:
        return "problem", (exc.path, exc.problem)
    out = []
    for run in runs:
        run.apply_overrides(overrides)
        out.append((run, diagnose_run(run)))
    return "ok", out


def diagnose_parallel(paths, jobs: int, overrides: dict[str, str] | None = None) -> tuple[Results, list[InputError]]:
    """Read and diagnose every log under ``paths`` with ``jobs`` worker processes."""
    units, problems = list_logs(paths)
    overrides = overrides or {}
    results: Results = []
    workers = max(1, min(jobs, len(units), os.cpu_count() or jobs))
    chunk = max(1, min(64, len(units) // (workers * 8) or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for kind, value in pool.map(_work, [str(u) for u in units], [overrides] * len(units), chunksize=chunk):
            if kind == "ok":
                results.extend(value)
            else:
                problems.append(InputError(*value))
    return results, problems
