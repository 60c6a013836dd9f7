"""Many runs at once: ``diagnose --jobs N`` reads logs, then diagnoses runs, in N worker processes.

The main process lists the logs cheaply (``follow.discover``: sniffing heads, no reading); workers
read one log each and send the runs back; then the main process does the ordinary folder scan
(``readers.load``) with those reads handed to it (``readers.PREREAD``), so which files are read,
skipped or reported, and in what order, is the one-process scan's own decision, not a copy of it.
Runs are then diagnosed in batches. Everything downstream (terminal, JSON with its skipped list,
HTML, publishing, exit code) is exactly what one process gives.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import InputError
from .findings import Finding
from .readers import LoadResult
from .run import Run

Results = list[tuple[Run, list[Finding]]]
_MISSING = "no such file or directory (expected a training log file or a folder of them)"


def list_logs(path) -> list[Path]:
    """The log files and run folders under ``path``, in the order a folder scan reads them."""
    from .follow.discover import Discovery

    root = Path(path)
    if not root.exists():
        raise InputError(root, _MISSING)
    if root.is_file():
        return [root]  # read even if no reader claims it: the worker says why, as a plain load does
    found = Discovery().sources([root])
    if not found:
        from .readers import load

        load(root)  # raises the same error a plain scan gives for a folder without logs
    return [src.path for src in found]


def _read(job: tuple[str, str]) -> tuple[str, object]:
    from .readers import _safe, read_file

    path, root = job
    token = _safe.set_tree_root(Path(root))  # as readers.load sets it: no reading out of the tree
    try:
        return "ok", read_file(Path(path))
    except InputError as exc:
        return "problem", (exc.path, exc.problem)
    finally:
        _safe.reset_tree_root(token)


def _diagnose(runs: list[Run]) -> list[list[Finding]]:
    from .rules import diagnose_run

    return [diagnose_run(run) for run in runs]


def _workers(jobs: int, items: int) -> int:
    return max(1, min(jobs, items, os.cpu_count() or jobs))


def _chunk(items: int, workers: int) -> int:
    return max(1, min(64, items // (workers * 8) or 1))


def load_parallel(path, jobs: int) -> LoadResult:
    """``readers.load(path)`` with the files read by ``jobs`` processes."""
    units = list_logs(path)
    if len(units) == 1 and Path(path).is_file():
        from .readers import load

        return load(path)
    from .readers import PREREAD, load

    root = str(Path(path).resolve())
    workers = _workers(jobs, len(units))
    done: dict[str, tuple[str, object]] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        jobs_ = [(str(u), root) for u in units]
        for (unit, _root), value in zip(jobs_, pool.map(_read, jobs_, chunksize=_chunk(len(units), workers))):
            done[unit] = value
    token = PREREAD.set(done)
    try:
        return load(path)  # a log the listing missed is read here, in this process
    finally:
        PREREAD.reset(token)


def diagnose_parallel(runs: list[Run], jobs: int) -> Results:
    """``diagnose_run`` over ``runs`` in ``jobs`` processes; results in the order of ``runs``."""
    workers = _workers(jobs, len(runs))
    if workers == 1:
        return list(zip(runs, _diagnose(runs)))
    size = _chunk(len(runs), workers) * 4
    batches = [runs[i:i + size] for i in range(0, len(runs), size)]
    results: Results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch, findings in zip(batches, pool.map(_diagnose, batches)):
            results.extend(zip(batch, findings))
    return results
