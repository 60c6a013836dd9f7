"""Following an MLflow file store: new runs, new metrics and appended metric lines.

The store is the reader's layout (``readers.mlflow``): ``<experiment>/<run>/metrics/<key>`` files
grow by one line per ``log_metric``. Run folders are found once and then only their metric files
are polled (a stat each); a folder that appears without its ``meta.yaml`` yet is checked again on
the next poll. Runs marked deleted are dropped, as the reader drops them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..readers import mlflow as ml
from ..readers._hparams import apply_hparams
from ..run import Run
from .tail_lines import MetricFile


class _RunFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.metrics: dict[str, MetricFile] = {}
        self._meta_seen: tuple[int, int] | None = None
        self.meta: dict = {}

    def poll(self) -> bool:
        changed = self._meta()
        for key, path in ml._walk_keys(self.folder / "metrics"):
            if key not in self.metrics:
                self.metrics[key] = MetricFile(path)
        for mf in self.metrics.values():
            changed = mf.poll() or changed
        return changed

    def _meta(self) -> bool:
        try:
            st = (self.folder / "meta.yaml").stat()
        except OSError:
            return False
        seen = (st.st_size, st.st_mtime_ns)
        if seen == self._meta_seen:
            return False
        self._meta_seen = seen
        try:
            meta = yaml.safe_load(ml._meta_text(self.folder) or "") or {}
        except yaml.YAMLError:
            meta = {}
        self.meta = meta if isinstance(meta, dict) else {}
        return True

    def run(self, experiment: str | None) -> Run | None:
        if self.meta.get("lifecycle_stage") == "deleted":
            return None
        tags = {k: p.read_text(encoding="utf-8", errors="replace") for k, p in ml._walk_keys(self.folder / "tags")}
        run_id = str(self.meta.get("run_id") or self.folder.name)
        run = Run(name=str(self.meta.get("run_name") or tags.get("mlflow.runName") or run_id),
                  source=str(self.folder), format=ml.NAME)
        for key, mf in self.metrics.items():
            p = mf.points
            if mf.bad:
                run.meta.notes.append(f"metric {key!r}: skipped {mf.bad} malformed line(s)")
            if len(p):
                run.add(ml._series(key, p.steps.view(), p.values.view(), p.walls.view(), run.meta.notes))
        params = {k: ml._number(p.read_text(encoding="utf-8", errors="replace"))
                  for k, p in ml._walk_keys(self.folder / "params")}
        apply_hparams(run.meta, params)
        if experiment and experiment != "Default":
            run.name = f"{experiment}/{run.name}"
        return run if run.series else None


class MlflowStoreTail:
    """A store root, one experiment folder, or one run folder, as given to ``--follow``."""

    format = ml.NAME

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.folders: dict[Path, _RunFolder] = {}

    def _children(self, folder: Path) -> list[Path]:
        try:
            return sorted(c for c in folder.iterdir() if c.is_dir() and not c.name.startswith("."))
        except OSError:
            return []

    def _experiments(self) -> list[Path]:
        if ml._is_run_folder(self.path) or ml._is_experiment_folder(self.path):
            return [self.path]
        return [c for c in self._children(self.path) if ml._is_experiment_folder(c)]

    def _discover(self) -> None:
        if self.path in self.folders:
            return
        if ml._is_run_folder(self.path):
            self.folders[self.path] = _RunFolder(self.path)
            return
        for exp in self._experiments():
            for child in self._children(exp):
                if child not in self.folders and ml._is_run_folder(child):
                    self.folders[child] = _RunFolder(child)

    def poll(self) -> bool:
        self._discover()
        changed = False
        for rf in self.folders.values():
            changed = rf.poll() or changed
        return changed

    def pending(self) -> int:
        return sum(mf.lines.cursor.pending() for rf in self.folders.values() for mf in rf.metrics.values())

    def runs(self) -> list[Run]:
        out = []
        for folder, rf in sorted(self.folders.items()):
            run = rf.run(ml._experiment_name(folder.parent))
            if run is not None:
                out.append(run)
        return out
